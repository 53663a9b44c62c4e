import secrets

from django.conf import settings
from django.db import migrations


def make_salt(apps, schema_editor):
    ReceiptSalt = apps.get_model("accounts", "ReceiptSalt")
    if not ReceiptSalt.objects.exists():
        ReceiptSalt.objects.create(
            pk=1,
            salt=secrets.token_bytes(16),
            **settings.KEY_DERIVATION_COST,
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_key_custody")]

    operations = [migrations.RunPython(make_salt, migrations.RunPython.noop)]
