from django.db import migrations

from maintenir.core.text_indexes import CreateTextIndex


class Migration(migrations.Migration):
    """Sites, equipment and documents found by name, code, serial number… from a text index."""

    dependencies = [
        ("assets", "0003_technology_tags"),
        ("core", "0004_text_search"),
    ]

    operations = [
        CreateTextIndex("site", ["name", "code", "city", "address"]),
        CreateTextIndex("equipment", ["code", "name", "manufacturer", "model", "serial_number"]),
        CreateTextIndex("document", ["title", "version"]),
    ]
