CREATE TABLE `integration_settings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`group_id` integer,
	`project_id` integer,
	`active` integer,
	`fields` text DEFAULT '{}' NOT NULL,
	`secrets` text,
	`events` text DEFAULT '{}' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "integration_settings_one_owner" CHECK("integration_settings"."group_id" is null or "integration_settings"."project_id" is null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integration_settings_instance_unique` ON `integration_settings` (`type`) WHERE "integration_settings"."group_id" is null and "integration_settings"."project_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX `integration_settings_group_unique` ON `integration_settings` (`group_id`,`type`) WHERE "integration_settings"."group_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `integration_settings_project_unique` ON `integration_settings` (`project_id`,`type`) WHERE "integration_settings"."project_id" is not null;--> statement-breakpoint
CREATE INDEX `integration_settings_type_idx` ON `integration_settings` (`type`,`project_id`);