"""The route to a CCS without training: VAE under the 2006 text, directly on one year of experience under the 2015 one.

"Il peut se présenter soit à la suite d'un parcours de formation, soit directement s'il justifie de 1 an
d'expérience dans le métier visé" (connected-building seed).
"""

from typing import Any

from django.db import migrations, models

CCS_ROUTES = {"arrete-2006": "vae", "arrete-2015": "experience"}


def set_routes(apps: Any, schema_editor: Any) -> None:
    RegulationVersion = apps.get_model("certification", "RegulationVersion")
    for code, route in CCS_ROUTES.items():
        RegulationVersion.objects.filter(code=code).update(ccs_route=route)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0004_correspondence_old_ccps"),
    ]

    operations = [
        migrations.AddField(
            model_name="regulationversion",
            name="ccs_route",
            field=models.CharField(
                choices=[("vae", "By VAE"), ("experience", "Directly, on experience in the trade")],
                default="vae",
                help_text="How a holder of the title prepares a CCS without a training path.",
                max_length=20,
                verbose_name="CCS without training",
            ),
        ),
        migrations.AlterField(
            model_name="path",
            name="kind",
            field=models.CharField(
                choices=[
                    ("continuous", "Continuous training"),
                    ("vae", "VAE (validation of prior experience)"),
                    ("discontinuous", "Discontinuous training or partial success"),
                    ("experience", "Directly, on experience in the trade (CCS only)"),
                ],
                max_length=20,
                verbose_name="path",
            ),
        ),
        migrations.RunPython(set_routes, migrations.RunPython.noop),
    ]
