CREATE TABLE "settings_counts" (
	"scope_id" integer NOT NULL,
	"type" text NOT NULL,
	"custom_projects" integer DEFAULT 0 NOT NULL,
	"custom_groups" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "settings_counts_scope_type_unique" ON "settings_counts" USING btree ("scope_id","type");--> statement-breakpoint
-- settings_counts, kept as drizzle/sqlite/0010 keeps it: per type, the projects and subgroups
-- with settings of their own below each group (scope_id = the group's id) and below the
-- instance (scope_id = 0). The scopes of a chain are its traversal ids with 0 first.
CREATE FUNCTION traversal_scopes(traversal text) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_prepend(0, coalesce(string_to_array(nullif(trim(both '/' from traversal), ''), '/')::integer[], '{}'))
$$;
--> statement-breakpoint
INSERT INTO settings_counts (scope_id, type, custom_projects, custom_groups)
SELECT scope, owned.type, count(*) FILTER (WHERE owned.own IS NULL), count(*) FILTER (WHERE owned.own IS NOT NULL)
  FROM (SELECT s.type, g.traversal_ids AS traversal, NULL::integer AS own
          FROM integration_settings s JOIN projects p ON p.id = s.project_id JOIN groups g ON g.id = p.group_id
        UNION ALL
        SELECT s.type, g.traversal_ids, g.id
          FROM integration_settings s JOIN groups g ON g.id = s.group_id) owned,
       unnest(traversal_scopes(owned.traversal)) scope
 WHERE scope IS DISTINCT FROM owned.own
 GROUP BY scope, owned.type;
--> statement-breakpoint
-- A row added or removed: counted on or off along its project's or group's chain. A removed row
-- whose project or group is gone was counted off by that delete (settings_counts_owner_removed).
CREATE FUNCTION settings_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  setting integration_settings;
  delta integer;
  scopes integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN setting := NEW; delta := 1; ELSE setting := OLD; delta := -1; END IF;
  IF setting.project_id IS NOT NULL THEN
    SELECT traversal_scopes(g.traversal_ids) INTO scopes
      FROM projects p JOIN groups g ON g.id = p.group_id WHERE p.id = setting.project_id;
    INSERT INTO settings_counts (scope_id, type, custom_projects)
    SELECT scope, setting.type, delta FROM unnest(scopes) scope
    ON CONFLICT (scope_id, type) DO UPDATE SET custom_projects = settings_counts.custom_projects + excluded.custom_projects;
  ELSIF setting.group_id IS NOT NULL THEN
    SELECT array_remove(traversal_scopes(g.traversal_ids), g.id) INTO scopes FROM groups g WHERE g.id = setting.group_id;
    INSERT INTO settings_counts (scope_id, type, custom_groups)
    SELECT scope, setting.type, delta FROM unnest(scopes) scope
    ON CONFLICT (scope_id, type) DO UPDATE SET custom_groups = settings_counts.custom_groups + excluded.custom_groups;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER settings_counts_row AFTER INSERT OR DELETE ON integration_settings
  FOR EACH ROW EXECUTE FUNCTION settings_counts_row();
--> statement-breakpoint
-- Deleting a project or a group first deletes its rows, while its chain is there to count them off.
CREATE FUNCTION settings_counts_owner_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'projects' THEN
    DELETE FROM integration_settings WHERE project_id = OLD.id;
  ELSE
    DELETE FROM integration_settings WHERE group_id = OLD.id;
    DELETE FROM settings_counts WHERE scope_id = OLD.id;
  END IF;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER settings_counts_project_removed BEFORE DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION settings_counts_owner_removed();
--> statement-breakpoint
CREATE TRIGGER settings_counts_group_removed BEFORE DELETE ON groups
  FOR EACH ROW EXECUTE FUNCTION settings_counts_owner_removed();
--> statement-breakpoint
-- The scopes only `before` has, with -1, and those only `after` has, with 1.
CREATE FUNCTION changed_scopes(before integer[], after integer[]) RETURNS TABLE (scope integer, delta integer)
LANGUAGE sql IMMUTABLE AS $$
  SELECT s, -1 FROM unnest(before) s WHERE s <> ALL (after)
  UNION ALL
  SELECT s, 1 FROM unnest(after) s WHERE s <> ALL (before)
$$;
--> statement-breakpoint
-- A project moved to another group: its rows leave the groups only the old chain has and join
-- those only the new chain has.
CREATE FUNCTION settings_counts_project_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO settings_counts (scope_id, type, custom_projects)
  SELECT moved.scope, s.type, moved.delta
    FROM integration_settings s,
         changed_scopes((SELECT traversal_scopes(traversal_ids) FROM groups WHERE id = OLD.group_id),
                        (SELECT traversal_scopes(traversal_ids) FROM groups WHERE id = NEW.group_id)) moved
   WHERE s.project_id = NEW.id
  ON CONFLICT (scope_id, type) DO UPDATE SET custom_projects = settings_counts.custom_projects + excluded.custom_projects;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER settings_counts_project_moved AFTER UPDATE OF group_id ON projects
  FOR EACH ROW WHEN (OLD.group_id <> NEW.group_id) EXECUTE FUNCTION settings_counts_project_moved();
--> statement-breakpoint
-- A group moved: each group of its subtree gets new traversal ids, and moves its own row and its
-- projects' rows from the groups only the old chain has to those only the new chain has. Summed
-- over the subtree, that moves everything below the moved group.
CREATE FUNCTION settings_counts_group_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO settings_counts (scope_id, type, custom_projects, custom_groups)
  SELECT moved.scope, owned.type, moved.delta * owned.projects, moved.delta * owned.groups
    FROM (SELECT type, count(*) FILTER (WHERE project) AS projects, count(*) FILTER (WHERE NOT project) AS groups
            FROM (SELECT type, false AS project FROM integration_settings WHERE group_id = NEW.id
                  UNION ALL
                  SELECT s.type, true FROM projects p JOIN integration_settings s ON s.project_id = p.id
                   WHERE p.group_id = NEW.id) owned_rows
           GROUP BY type) owned,
         changed_scopes(traversal_scopes(OLD.traversal_ids), traversal_scopes(NEW.traversal_ids)) moved
  ON CONFLICT (scope_id, type) DO UPDATE SET custom_projects = settings_counts.custom_projects + excluded.custom_projects,
                                             custom_groups = settings_counts.custom_groups + excluded.custom_groups;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER settings_counts_group_moved AFTER UPDATE OF traversal_ids ON groups
  FOR EACH ROW WHEN (OLD.traversal_ids <> NEW.traversal_ids) EXECUTE FUNCTION settings_counts_group_moved();
