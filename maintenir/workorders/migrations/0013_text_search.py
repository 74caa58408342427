from django.db import migrations

from maintenir.core.text_indexes import CreateTextIndex


class Migration(migrations.Migration):
    """Work orders and requests found by their words from a text index."""

    dependencies = [
        ("workorders", "0012_list_indexes"),
        ("core", "0004_text_search"),
    ]

    operations = [
        CreateTextIndex("workorder", ["title", "description"]),
        CreateTextIndex("workrequest", ["symptom"]),
    ]
