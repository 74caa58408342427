from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from maintenir.core.text_indexes import CreateTextIndex, create_postgresql_function, drop_postgresql_function


class Migration(migrations.Migration):
    """Search finds a word inside a text from an index: on PostgreSQL, trigrams of the text without accents
    (pg_trgm, over an immutable wrapper of unaccent); on SQLite, FTS5 tables kept by triggers."""

    dependencies = [
        ("core", "0003_unaccent_extension"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_postgresql_function, drop_postgresql_function, elidable=False),
        CreateTextIndex("user", ["username", "first_name", "last_name"]),
    ]
