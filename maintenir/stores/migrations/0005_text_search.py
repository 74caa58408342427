from django.db import migrations

from maintenir.core.text_indexes import CreateTextIndex


class Migration(migrations.Migration):
    """Parts found by reference, description, maker's reference or barcode from a text index."""

    dependencies = [
        ("stores", "0004_where_used_repairables_documents"),
        ("core", "0004_text_search"),
    ]

    operations = [
        CreateTextIndex(
            "part", ["reference", "description", "manufacturer", "manufacturer_reference", "category", "barcode"]
        ),
    ]
