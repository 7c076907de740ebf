ALTER TABLE `deliveries` ADD `target` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `resent_from_id` integer;--> statement-breakpoint
CREATE INDEX `deliveries_integration_idx` ON `deliveries` (`integration`,`id`);