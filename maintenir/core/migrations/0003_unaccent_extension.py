from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Search compares text without accents; on PostgreSQL that is the unaccent extension (SQLite skips this)."""

    dependencies = [
        ("core", "0002_alter_user_role"),
    ]

    operations = [
        UnaccentExtension(),
    ]
