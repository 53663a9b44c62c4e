"""Bind each sealed text's row id into its associated data.

The report, findings (and appeal decisions) and measure notices were
sealed with associated data that named the case and the kind of text but
not the row; messages, panel records and appeal grounds already named
their row. The server holds no key that could seal those rows again, so
they keep their binding and are marked to be opened that way; every row
sealed from now on binds its own id.
"""

from django.db import migrations, models


def mark_rows_sealed_without_id(apps, schema_editor):
    CaseDocument = apps.get_model("cases", "CaseDocument")
    Finding = apps.get_model("cases", "Finding")
    MeasureNotice = apps.get_model("cases", "MeasureNotice")
    CaseDocument.objects.filter(kind="report").update(sealed_without_id=True)
    Finding.objects.update(sealed_without_id=True)
    MeasureNotice.objects.update(sealed_without_id=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_appeals_paths_panel_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="casedocument",
            name="sealed_without_id",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="finding",
            name="sealed_without_id",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="measurenotice",
            name="sealed_without_id",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(
            mark_rows_sealed_without_id, migrations.RunPython.noop
        ),
    ]
