CREATE TABLE `settings_counts` (
	`scope_id` integer NOT NULL,
	`type` text NOT NULL,
	`custom_projects` integer DEFAULT 0 NOT NULL,
	`custom_groups` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `settings_counts_scope_type_unique` ON `settings_counts` (`scope_id`,`type`);--> statement-breakpoint
-- settings_counts: per type, the projects and subgroups with settings of their own below each
-- group (scope_id = the group's id) and below the instance (scope_id = 0). A row of a project
-- counts for the instance and every group of its chain; a group's own row for the instance and
-- the groups above it. The scopes of a chain are its traversal ids as a JSON array with 0 first:
-- '/1/5/' gives [0,1,5]. (SQLite allows no WITH clause in a trigger, hence the repeated chains.)
INSERT INTO `settings_counts` (`scope_id`, `type`, `custom_projects`, `custom_groups`)
SELECT scope.value, owned.type, sum(owned.project), sum(1 - owned.project)
  FROM (SELECT s.type, g.traversal_ids AS traversal, NULL AS own, 1 AS project
          FROM `integration_settings` s JOIN `projects` p ON p.id = s.project_id JOIN `groups` g ON g.id = p.group_id
        UNION ALL
        SELECT s.type, g.traversal_ids, g.id, 0
          FROM `integration_settings` s JOIN `groups` g ON g.id = s.group_id) owned,
       json_each('[0' || replace(rtrim(owned.traversal, '/'), '/', ',') || ']') scope
 WHERE scope.value IS NOT owned.own
 GROUP BY scope.value, owned.type;
--> statement-breakpoint
CREATE TRIGGER `settings_counts_project_row` AFTER INSERT ON `integration_settings` WHEN new.project_id IS NOT NULL BEGIN
  INSERT INTO `settings_counts` (`scope_id`, `type`, `custom_projects`)
  SELECT scope.value, new.type, 1
    FROM `projects` p JOIN `groups` g ON g.id = p.group_id, json_each('[0' || replace(rtrim(g.traversal_ids, '/'), '/', ',') || ']') scope
   WHERE p.id = new.project_id
  ON CONFLICT (`scope_id`, `type`) DO UPDATE SET `custom_projects` = `custom_projects` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `settings_counts_group_row` AFTER INSERT ON `integration_settings` WHEN new.group_id IS NOT NULL BEGIN
  INSERT INTO `settings_counts` (`scope_id`, `type`, `custom_groups`)
  SELECT scope.value, new.type, 1
    FROM `groups` g, json_each('[0' || replace(rtrim(g.traversal_ids, '/'), '/', ',') || ']') scope
   WHERE g.id = new.group_id AND scope.value <> g.id
  ON CONFLICT (`scope_id`, `type`) DO UPDATE SET `custom_groups` = `custom_groups` + 1;
END;
--> statement-breakpoint
-- A removed row is counted off while its project or group is still there to name its chain:
-- deleting a project or a group first deletes its rows (the triggers below), so the cascade of
-- the foreign key finds none left.
CREATE TRIGGER `settings_counts_project_row_removed` AFTER DELETE ON `integration_settings` WHEN old.project_id IS NOT NULL BEGIN
  UPDATE `settings_counts` SET `custom_projects` = `custom_projects` - 1
   WHERE `type` = old.type AND `scope_id` IN (
     SELECT scope.value FROM `projects` p JOIN `groups` g ON g.id = p.group_id,
            json_each('[0' || replace(rtrim(g.traversal_ids, '/'), '/', ',') || ']') scope
      WHERE p.id = old.project_id);
END;
--> statement-breakpoint
CREATE TRIGGER `settings_counts_group_row_removed` AFTER DELETE ON `integration_settings` WHEN old.group_id IS NOT NULL BEGIN
  UPDATE `settings_counts` SET `custom_groups` = `custom_groups` - 1
   WHERE `type` = old.type AND `scope_id` IN (
     SELECT scope.value FROM `groups` g, json_each('[0' || replace(rtrim(g.traversal_ids, '/'), '/', ',') || ']') scope
      WHERE g.id = old.group_id AND scope.value <> g.id);
END;
--> statement-breakpoint
CREATE TRIGGER `settings_counts_project_removed` BEFORE DELETE ON `projects` BEGIN
  DELETE FROM `integration_settings` WHERE `project_id` = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `settings_counts_group_removed` BEFORE DELETE ON `groups` BEGIN
  DELETE FROM `integration_settings` WHERE `group_id` = old.id;
  DELETE FROM `settings_counts` WHERE `scope_id` = old.id;
END;
--> statement-breakpoint
-- A project moved to another group: its rows leave the groups only the old chain has and join
-- those only the new chain has.
CREATE TRIGGER `settings_counts_project_moved` AFTER UPDATE OF `group_id` ON `projects` WHEN old.group_id <> new.group_id BEGIN
  INSERT INTO `settings_counts` (`scope_id`, `type`, `custom_projects`)
  SELECT moved.scope, s.type, moved.delta
    FROM `integration_settings` s,
         (SELECT value AS scope, -1 AS delta
            FROM json_each('[0' || replace(rtrim((SELECT traversal_ids FROM `groups` WHERE id = old.group_id), '/'), '/', ',') || ']')
           WHERE value NOT IN (SELECT value FROM json_each('[0' || replace(rtrim((SELECT traversal_ids FROM `groups` WHERE id = new.group_id), '/'), '/', ',') || ']'))
          UNION ALL
          SELECT value, 1
            FROM json_each('[0' || replace(rtrim((SELECT traversal_ids FROM `groups` WHERE id = new.group_id), '/'), '/', ',') || ']')
           WHERE value NOT IN (SELECT value FROM json_each('[0' || replace(rtrim((SELECT traversal_ids FROM `groups` WHERE id = old.group_id), '/'), '/', ',') || ']'))) moved
   WHERE s.project_id = new.id
  ON CONFLICT (`scope_id`, `type`) DO UPDATE SET `custom_projects` = `custom_projects` + excluded.custom_projects;
END;
--> statement-breakpoint
-- A group moved: each group of its subtree gets new traversal ids, and moves its own row and
-- its projects' rows from the groups only the old chain has to those only the new chain has.
-- Summed over the subtree, that moves everything below the moved group.
CREATE TRIGGER `settings_counts_group_moved` AFTER UPDATE OF `traversal_ids` ON `groups` WHEN old.traversal_ids <> new.traversal_ids BEGIN
  INSERT INTO `settings_counts` (`scope_id`, `type`, `custom_projects`, `custom_groups`)
  SELECT moved.scope, owned.type, moved.delta * owned.projects, moved.delta * owned.groups
    FROM (SELECT type, sum(project) AS projects, sum(1 - project) AS groups
            FROM (SELECT type, 0 AS project FROM `integration_settings` WHERE group_id = new.id
                  UNION ALL
                  SELECT s.type, 1 FROM `projects` p JOIN `integration_settings` s ON s.project_id = p.id WHERE p.group_id = new.id)
           GROUP BY type) owned,
         (SELECT value AS scope, -1 AS delta
            FROM json_each('[0' || replace(rtrim(old.traversal_ids, '/'), '/', ',') || ']')
           WHERE value NOT IN (SELECT value FROM json_each('[0' || replace(rtrim(new.traversal_ids, '/'), '/', ',') || ']'))
          UNION ALL
          SELECT value, 1
            FROM json_each('[0' || replace(rtrim(new.traversal_ids, '/'), '/', ',') || ']')
           WHERE value NOT IN (SELECT value FROM json_each('[0' || replace(rtrim(old.traversal_ids, '/'), '/', ',') || ']'))) moved
   WHERE true
  ON CONFLICT (`scope_id`, `type`) DO UPDATE SET `custom_projects` = `custom_projects` + excluded.custom_projects,
                                                 `custom_groups` = `custom_groups` + excluded.custom_groups;
END;
