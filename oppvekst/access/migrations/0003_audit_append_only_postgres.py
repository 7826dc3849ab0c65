"""On PostgreSQL the audit table refuses UPDATE and DELETE for everyone, the application
included: the trail is append-only. TRUNCATE stays possible for the
database owner (test-suite resets; retention jobs run by a DBA), not for the application."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION access_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access_auditevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_no_update_delete
  BEFORE UPDATE OR DELETE ON access_auditevent
  FOR EACH ROW EXECUTE FUNCTION access_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS access_auditevent_no_update_delete ON access_auditevent;
DROP FUNCTION IF EXISTS access_auditevent_append_only();
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    # PostgreSQL only; SQLite gets the same guarantee from the service layer.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_audit_and_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]
