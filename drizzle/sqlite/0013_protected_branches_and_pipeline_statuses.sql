CREATE TABLE `pipeline_statuses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`ref` text NOT NULL,
	`status` text NOT NULL,
	`pipeline_id` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipeline_statuses_ref_unique` ON `pipeline_statuses` (`project_id`,`ref`);--> statement-breakpoint
CREATE TABLE `protected_branches` (
	`project_id` integer PRIMARY KEY NOT NULL,
	`rules` text DEFAULT '[]' NOT NULL,
	`read_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
