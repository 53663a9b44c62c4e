import json

from django.db import migrations, models


def fill_subjects(apps, schema_editor):
    """Index existing entries by the case they are about."""
    entry_model = apps.get_model("ledger", "LedgerEntry")
    for entry in entry_model.objects.filter(leaf_data__contains='"case":'):
        subject = json.loads(entry.leaf_data).get("event", {}).get("case", "")
        if isinstance(subject, str) and subject:
            entry_model.objects.filter(pk=entry.pk).update(subject=subject)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="subject",
            field=models.CharField(blank=True, db_index=True, max_length=80),
        ),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop),
    ]
