-- What drizzle-kit does not declare: the triggers SQLite has in drizzle/sqlite/0002 and 0005,
-- and the change counter that stands in for SQLite's data_version.

-- integration_settings.owner_path: the full path of the row's group or project, kept in step.
CREATE FUNCTION integration_settings_owner_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner_path := coalesce((SELECT full_path FROM projects WHERE id = NEW.project_id),
                             (SELECT full_path FROM groups WHERE id = NEW.group_id));
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER integration_settings_owner_path BEFORE INSERT OR UPDATE OF group_id, project_id ON integration_settings
  FOR EACH ROW EXECUTE FUNCTION integration_settings_owner_path();
--> statement-breakpoint
CREATE FUNCTION projects_full_path_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE integration_settings SET owner_path = NEW.full_path WHERE project_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER projects_full_path_settings AFTER UPDATE OF full_path ON projects
  FOR EACH ROW WHEN (OLD.full_path IS DISTINCT FROM NEW.full_path) EXECUTE FUNCTION projects_full_path_settings();
--> statement-breakpoint
CREATE FUNCTION groups_full_path_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE integration_settings SET owner_path = NEW.full_path WHERE group_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER groups_full_path_settings AFTER UPDATE OF full_path ON groups
  FOR EACH ROW WHEN (OLD.full_path IS DISTINCT FROM NEW.full_path) EXECUTE FUNCTION groups_full_path_settings();
--> statement-breakpoint

-- The audit trail is append-only.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint

-- The change counter: raised in the transaction of every statement that writes, so that it
-- moves exactly when what that transaction wrote becomes visible. The throttles' attempts are
-- read by no page and left out. A table added later gets the same trigger in its own migration
-- (test/unit/schema-parity.test.ts checks that each has it).
INSERT INTO cascade_changes (id, counter) VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION cascade_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cascade_changes SET counter = counter + 1 WHERE id = 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE
  name text;
BEGIN
  FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('cascade_changes', 'throttle_attempts') LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION cascade_changed()',
                   name || '_changed', name);
  END LOOP;
END $$;
