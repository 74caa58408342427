"""A correspondence becomes a set of old CCPs giving one new CCP together; each former row becomes a set of one."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def to_sets(apps: Any, schema_editor: Any) -> None:
    Correspondence = apps.get_model("certification", "Correspondence")
    for correspondence in Correspondence.objects.all():
        correspondence.old_ccps.set([correspondence.old_ccp_id])


def to_pairs(apps: Any, schema_editor: Any) -> None:
    """Back to one old CCP per row: a set of several cannot be said that way and is dropped."""
    Correspondence = apps.get_model("certification", "Correspondence")
    for correspondence in Correspondence.objects.all():
        olds = list(correspondence.old_ccps.values_list("pk", flat=True))
        if len(olds) == 1:
            correspondence.old_ccp_id = olds[0]
            correspondence.save(update_fields=["old_ccp"])
        else:
            correspondence.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0003_path_admissibility_recorded"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="correspondence",
            name="correspondence_unique_per_ccp_pair",
        ),
        migrations.AlterField(
            model_name="correspondence",
            name="old_ccp",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="certification.activitytype",
                verbose_name="old CCP",
            ),
        ),
        migrations.AddField(
            model_name="correspondence",
            name="old_ccps",
            field=models.ManyToManyField(
                help_text="All of them are needed for the new CCP.",
                related_name="+",
                to="certification.activitytype",
                verbose_name="old CCPs",
            ),
        ),
        migrations.RunPython(to_sets, to_pairs),
        migrations.RemoveField(
            model_name="correspondence",
            name="old_ccp",
        ),
    ]
