"""On PostgreSQL, a child can never have two overlapping placements of the same service, even
if two transactions race past the service-layer check. SQLite serialises writers instead
(BEGIN IMMEDIATE), and the service check holds there."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE placements_placement ADD CONSTRAINT placement_no_overlap
  EXCLUDE USING gist (
    child_id WITH =,
    service WITH =,
    daterange(valid_from, valid_to, '[]') WITH &&
  );
"""
DROP = "ALTER TABLE placements_placement DROP CONSTRAINT IF EXISTS placement_no_overlap;"


def forwards(apps: Any, schema_editor: Any) -> None:
    # PostgreSQL only; SQLite gets the same guarantee from the service layer.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
