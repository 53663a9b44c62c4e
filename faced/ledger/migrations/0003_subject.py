import json

from django.db import migrations, models


def fill_subjects(apps, schema_editor):
    """Index existing entries by the case they are about, or the person
    whose keys they publish (as faced.ledger.services.subject_of does)."""
    entry_model = apps.get_model("ledger", "LedgerEntry")
    for entry in entry_model.objects.all().iterator():
        field = "person" if entry.event_type == "keys_created" else "case"
        subject = json.loads(entry.leaf_data).get("event", {}).get(field, "")
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
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                fields=["subject", "sequence"], name="ledger_entry_subject"
            ),
        ),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop),
    ]
