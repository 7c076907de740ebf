CREATE TABLE `integration_health` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`integration` text NOT NULL,
	`settings_level` text NOT NULL,
	`settings_owner_id` integer NOT NULL,
	`recent_failures` integer DEFAULT 0 NOT NULL,
	`backoff_count` integer DEFAULT 0 NOT NULL,
	`paused_until` integer,
	`disabled_at` integer,
	`last_failure` text,
	`last_failure_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integration_health_target_unique` ON `integration_health` (`settings_level`,`settings_owner_id`,`integration`);--> statement-breakpoint
-- The integration lists and pages show the health, and they are kept until the counter moves; it
-- is written on failures and on the first delivery after them, not on every delivery.
CREATE TRIGGER `integration_health_changed_insert` AFTER INSERT ON `integration_health` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `integration_health_changed_update` AFTER UPDATE ON `integration_health` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `integration_health_changed_delete` AFTER DELETE ON `integration_health` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
