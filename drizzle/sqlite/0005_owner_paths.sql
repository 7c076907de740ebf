ALTER TABLE `integration_settings` ADD `owner_path` text;--> statement-breakpoint
CREATE INDEX `integration_settings_owner_path_idx` ON `integration_settings` (`type`,`owner_path`,`project_id`) WHERE "integration_settings"."owner_path" is not null;--> statement-breakpoint
UPDATE `integration_settings` SET `owner_path` = coalesce((SELECT `full_path` FROM `projects` WHERE `id` = `integration_settings`.`project_id`), (SELECT `full_path` FROM `groups` WHERE `id` = `integration_settings`.`group_id`));
--> statement-breakpoint
CREATE TRIGGER `integration_settings_owner_path_insert` AFTER INSERT ON `integration_settings` BEGIN UPDATE `integration_settings` SET `owner_path` = coalesce((SELECT `full_path` FROM `projects` WHERE `id` = new.`project_id`), (SELECT `full_path` FROM `groups` WHERE `id` = new.`group_id`)) WHERE `id` = new.`id`; END;
--> statement-breakpoint
CREATE TRIGGER `integration_settings_owner_path_owner` AFTER UPDATE OF `group_id`, `project_id` ON `integration_settings` BEGIN UPDATE `integration_settings` SET `owner_path` = coalesce((SELECT `full_path` FROM `projects` WHERE `id` = new.`project_id`), (SELECT `full_path` FROM `groups` WHERE `id` = new.`group_id`)) WHERE `id` = new.`id`; END;
--> statement-breakpoint
CREATE TRIGGER `projects_full_path_settings` AFTER UPDATE OF `full_path` ON `projects` BEGIN UPDATE `integration_settings` SET `owner_path` = new.`full_path` WHERE `project_id` = new.`id`; END;
--> statement-breakpoint
CREATE TRIGGER `groups_full_path_settings` AFTER UPDATE OF `full_path` ON `groups` BEGIN UPDATE `integration_settings` SET `owner_path` = new.`full_path` WHERE `group_id` = new.`id`; END;
