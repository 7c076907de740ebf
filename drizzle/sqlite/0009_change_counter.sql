CREATE TABLE `cascade_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`counter` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "cascade_changes_single_row" CHECK("cascade_changes"."id" = 1)
);
--> statement-breakpoint
-- The change counter, as PostgreSQL's (drizzle/postgres/0001): what each server keeps (pages,
-- sessions) stays valid while it holds. SQLite's data_version moved with every write, hook
-- events and deliveries included; this leaves those tables (and the throttle's) out. A table
-- added later gets the same triggers in its own migration (test/unit/change-counter.test.ts).
INSERT INTO `cascade_changes` (`id`, `counter`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `users_changed_insert` AFTER INSERT ON `users` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_changed_update` AFTER UPDATE ON `users` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_changed_delete` AFTER DELETE ON `users` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_changed_insert` AFTER INSERT ON `sessions` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_changed_update` AFTER UPDATE ON `sessions` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_changed_delete` AFTER DELETE ON `sessions` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `groups_changed_insert` AFTER INSERT ON `groups` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `groups_changed_update` AFTER UPDATE ON `groups` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `groups_changed_delete` AFTER DELETE ON `groups` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_changed_insert` AFTER INSERT ON `projects` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_changed_update` AFTER UPDATE ON `projects` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_changed_delete` AFTER DELETE ON `projects` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `members_changed_insert` AFTER INSERT ON `members` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `members_changed_update` AFTER UPDATE ON `members` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `members_changed_delete` AFTER DELETE ON `members` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `integration_settings_changed_insert` AFTER INSERT ON `integration_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `integration_settings_changed_update` AFTER UPDATE ON `integration_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `integration_settings_changed_delete` AFTER DELETE ON `integration_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_changed_insert` AFTER INSERT ON `audit_events` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_changed_update` AFTER UPDATE ON `audit_events` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_changed_delete` AFTER DELETE ON `audit_events` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `personal_access_tokens_changed_insert` AFTER INSERT ON `personal_access_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `personal_access_tokens_changed_update` AFTER UPDATE ON `personal_access_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `personal_access_tokens_changed_delete` AFTER DELETE ON `personal_access_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `application_settings_changed_insert` AFTER INSERT ON `application_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `application_settings_changed_update` AFTER UPDATE ON `application_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `application_settings_changed_delete` AFTER DELETE ON `application_settings` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `code_hosts_changed_insert` AFTER INSERT ON `code_hosts` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `code_hosts_changed_update` AFTER UPDATE ON `code_hosts` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `code_hosts_changed_delete` AFTER DELETE ON `code_hosts` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `host_sync_runs_changed_insert` AFTER INSERT ON `host_sync_runs` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `host_sync_runs_changed_update` AFTER UPDATE ON `host_sync_runs` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `host_sync_runs_changed_delete` AFTER DELETE ON `host_sync_runs` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;
