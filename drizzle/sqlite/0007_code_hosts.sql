CREATE TABLE `code_hosts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`token` text NOT NULL,
	`hook_secret` text NOT NULL,
	`system_hook_id` integer,
	`version` text DEFAULT '' NOT NULL,
	`token_username` text DEFAULT '' NOT NULL,
	`paused_at` integer,
	`admins_are_admins` integer DEFAULT false NOT NULL,
	`oidc_client_id` text,
	`oidc_client_secret` text,
	`reconcile_minutes` integer DEFAULT 60 NOT NULL,
	`last_reconciled_at` integer,
	`updated_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `code_hosts_url_unique` ON `code_hosts` (lower("url"));--> statement-breakpoint
CREATE TABLE `host_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_host_id` integer NOT NULL,
	`delivery_id` text NOT NULL,
	`host_event` text NOT NULL,
	`kind` text NOT NULL,
	`host_project_id` integer,
	`project_id` integer,
	`payload` text NOT NULL,
	`outcome` text DEFAULT 'received' NOT NULL,
	`detail` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	FOREIGN KEY (`code_host_id`) REFERENCES `code_hosts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `host_events_delivery_unique` ON `host_events` (`code_host_id`,`delivery_id`);--> statement-breakpoint
CREATE INDEX `host_events_code_host_idx` ON `host_events` (`code_host_id`,`id`);--> statement-breakpoint
CREATE INDEX `host_events_received_at_idx` ON `host_events` (`received_at`);--> statement-breakpoint
CREATE INDEX `host_events_project_idx` ON `host_events` (`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `host_sync_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_host_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`phase` text DEFAULT '' NOT NULL,
	`cursor` text,
	`counts` text DEFAULT '{}' NOT NULL,
	`problems` text DEFAULT '[]' NOT NULL,
	`error` text,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`code_host_id`) REFERENCES `code_hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_sync_runs_code_host_idx` ON `host_sync_runs` (`code_host_id`,`id`);--> statement-breakpoint
ALTER TABLE `groups` ADD `project_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `groups` ADD `code_host_id` integer REFERENCES code_hosts(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `groups` ADD `host_id` integer;--> statement-breakpoint
ALTER TABLE `groups` ADD `host_hook_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `groups_host_unique` ON `groups` (`code_host_id`,`host_id`) WHERE "groups"."code_host_id" is not null;--> statement-breakpoint
ALTER TABLE `members` ADD `code_host_id` integer REFERENCES code_hosts(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `projects` ADD `code_host_id` integer REFERENCES code_hosts(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `projects` ADD `host_id` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `host_hook_id` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `default_branch` text;--> statement-breakpoint
CREATE UNIQUE INDEX `projects_host_unique` ON `projects` (`code_host_id`,`host_id`) WHERE "projects"."code_host_id" is not null;--> statement-breakpoint
ALTER TABLE `users` ADD `code_host_id` integer REFERENCES code_hosts(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `users` ADD `host_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `users_host_unique` ON `users` (`code_host_id`,`host_id`) WHERE "users"."code_host_id" is not null;--> statement-breakpoint
UPDATE `groups` SET `project_count` = (SELECT count(*) FROM `projects` WHERE `group_id` = `groups`.`id`);
--> statement-breakpoint
CREATE TRIGGER `projects_count_insert` AFTER INSERT ON `projects` BEGIN UPDATE `groups` SET `project_count` = `project_count` + 1 WHERE `id` = new.`group_id`; END;
--> statement-breakpoint
CREATE TRIGGER `projects_count_delete` AFTER DELETE ON `projects` BEGIN UPDATE `groups` SET `project_count` = `project_count` - 1 WHERE `id` = old.`group_id`; END;
--> statement-breakpoint
CREATE TRIGGER `projects_count_move` AFTER UPDATE OF `group_id` ON `projects` WHEN old.`group_id` <> new.`group_id` BEGIN UPDATE `groups` SET `project_count` = `project_count` - 1 WHERE `id` = old.`group_id`; UPDATE `groups` SET `project_count` = `project_count` + 1 WHERE `id` = new.`group_id`; END;
