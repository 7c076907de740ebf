ALTER TABLE "deliveries" ADD COLUMN "target" text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "resent_from_id" integer;--> statement-breakpoint
CREATE INDEX "deliveries_integration_idx" ON "deliveries" USING btree ("integration","id");