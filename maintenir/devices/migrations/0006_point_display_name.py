from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("devices", "0005_reading_point_unchecked")]

    operations = [
        migrations.AddField(
            model_name="point",
            name="display_name",
            field=models.CharField(
                blank=True,
                help_text="What people read, e.g. Filter pressure drop; empty: the name.",
                max_length=200,
                verbose_name="display name",
            ),
        ),
    ]
