"""Identity numbers in one ASCII spelling (people/identity.py, normalise).

Stored numbers written with other Unicode digits (fullwidth, Arabic-Indic, ...) or with spaces
are rewritten to ASCII digits. Where the ASCII spelling already belongs to another person the
row is left as it is and named in the output: two records of one person must be merged by a
caseworker, never by a migration. The normalisation is frozen here, as data migrations must
not run live code."""

import unicodedata

from django.db import migrations

import oppvekst.people.models


def _ascii(value):
    out = []
    for char in value:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        if not char.isascii() and unicodedata.category(char) == "Nd":
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out)


def forwards(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    # The historical model has the field's own get_prep_value, so read and write raw values.
    table = Person._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, identity_number FROM {table} WHERE identity_number IS NOT NULL")
        rows = cursor.fetchall()
        taken = {number for _, number in rows}
        for pk, number in rows:
            fixed = _ascii(number)
            if fixed == number:
                continue
            if fixed in taken:
                print(f"\n  people.Person {pk}: identity number is a duplicate once normalised")
                continue
            cursor.execute(f"UPDATE {table} SET identity_number = %s WHERE id = %s", [fixed, pk])
            taken.add(fixed)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="identity_number",
            field=oppvekst.people.models.IdentityNumberField(
                blank=True,
                max_length=11,
                null=True,
                unique=True,
                validators=[oppvekst.people.models.validate_identity_number],
                verbose_name="fødselsnummer",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
