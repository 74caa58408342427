"""The habilitations every French maintenance employer grants: the electrical symbols of NF C 18-510
(2012, amended 2020), work at height, confined spaces and lifting platforms."""

from django.db import migrations

ELECTRICAL = [
    ("B0", "Non-electrical work near low-voltage installations (executant)"),
    ("B0 chargé de chantier", "Non-electrical work near low-voltage installations (site manager)"),
    ("H0", "Non-electrical work near high-voltage installations (executant)"),
    ("H0V", "Non-electrical work in the vicinity zone of high-voltage installations"),
    ("B1", "Low-voltage electrical work (executant)"),
    ("B1V", "Low-voltage electrical work in the vicinity zone (executant)"),
    ("B2", "Low-voltage electrical work (work manager)"),
    ("B2V", "Low-voltage electrical work in the vicinity zone (work manager)"),
    ("B2V essai", "Low-voltage work manager, tests"),
    ("BR", "Low-voltage general interventions (troubleshooting, repair, connection)"),
    ("BS", "Low-voltage elementary interventions (replacing a fuse, a lamp, a socket)"),
    ("BC", "Low-voltage lockout (consignation) manager"),
    ("BE essai", "Low-voltage specific operations: tests"),
    ("BE mesure", "Low-voltage specific operations: measurements"),
    ("BE vérification", "Low-voltage specific operations: inspections"),
    ("BE manœuvre", "Low-voltage specific operations: switching"),
    ("BP", "Photovoltaic installations"),
    ("H1", "High-voltage electrical work (executant)"),
    ("H1V", "High-voltage electrical work in the vicinity zone (executant)"),
    ("H2", "High-voltage electrical work (work manager)"),
    ("H2V", "High-voltage electrical work in the vicinity zone (work manager)"),
    ("HC", "High-voltage lockout (consignation) manager"),
    ("HE mesure", "High-voltage specific operations: measurements"),
    ("HE manœuvre", "High-voltage specific operations: switching"),
]
OTHERS = [
    ("HAUTEUR", "height", "Work at height with fall protection (harness)"),
    ("CATEC", "confined_space", "Work in confined spaces (CATEC)"),
    ("CACES R486", "lifting", "Mobile elevating work platforms (CACES R486)"),
    ("CACES R489", "lifting", "Lift trucks (CACES R489)"),
]


def load(apps, schema_editor):
    HabilitationType = apps.get_model("people", "HabilitationType")
    rows = [(code, "electrical", name) for code, name in ELECTRICAL] + OTHERS
    HabilitationType.objects.bulk_create(
        [HabilitationType(code=code, category=category, name=name, is_standard=True) for code, category, name in rows]
    )


def unload(apps, schema_editor):
    apps.get_model("people", "HabilitationType").objects.filter(is_standard=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
