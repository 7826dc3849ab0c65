"""On PostgreSQL the database itself keeps two billing promises: a locked run's lines and
invoices are never changed or deleted, and a municipality is in one price zone at a time.
SQLite gets the same guarantees from the services (which never touch a locked run) and from
ZonePeriod.clean()."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE billing_zoneperiod ADD CONSTRAINT zone_period_no_overlap
  EXCLUDE USING gist (
    municipality_id WITH =,
    daterange(valid_from, valid_to, '[]') WITH &&
  );
CREATE FUNCTION billing_refuse_locked_change() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_invoicerun WHERE id = OLD.run_id AND status = 'locked') THEN
    RAISE EXCEPTION USING MESSAGE = 'a locked invoice run is never changed: ' || TG_TABLE_NAME;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoiceline_locked BEFORE UPDATE OR DELETE ON billing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION billing_refuse_locked_change();
CREATE TRIGGER invoice_locked BEFORE UPDATE OR DELETE ON billing_invoice
  FOR EACH ROW EXECUTE FUNCTION billing_refuse_locked_change();
"""
DROP = """
DROP TRIGGER IF EXISTS invoice_locked ON billing_invoice;
DROP TRIGGER IF EXISTS invoiceline_locked ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_refuse_locked_change();
ALTER TABLE billing_zoneperiod DROP CONSTRAINT IF EXISTS zone_period_no_overlap;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    # PostgreSQL only; SQLite gets the same guarantee from the service layer.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_national_rates")]
    operations = [migrations.RunPython(forwards, backwards)]
