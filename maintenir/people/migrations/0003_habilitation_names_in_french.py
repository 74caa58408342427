"""The standard habilitations named in French too: a French page shows "Chargé de consignation BT",
not the English name."""

from typing import Any

from django.db import migrations, models

FRENCH = {
    "B0": "Travaux d'ordre non électrique au voisinage d'installations BT (exécutant)",
    "B0 chargé de chantier": "Travaux d'ordre non électrique au voisinage d'installations BT (chargé de chantier)",
    "H0": "Travaux d'ordre non électrique au voisinage d'installations HT (exécutant)",
    "H0V": "Travaux d'ordre non électrique dans la zone de voisinage d'installations HT",
    "B1": "Travaux d'ordre électrique BT (exécutant)",
    "B1V": "Travaux d'ordre électrique BT en zone de voisinage (exécutant)",
    "B2": "Travaux d'ordre électrique BT (chargé de travaux)",
    "B2V": "Travaux d'ordre électrique BT en zone de voisinage (chargé de travaux)",
    "B2V essai": "Chargé de travaux BT, essais",
    "BR": "Interventions BT générales (dépannage, réparation, raccordement)",
    "BS": "Interventions BT élémentaires (remplacement d'un fusible, d'une lampe, d'une prise)",
    "BC": "Chargé de consignation BT",
    "BE essai": "Opérations spécifiques BT : essais",
    "BE mesure": "Opérations spécifiques BT : mesurages",
    "BE vérification": "Opérations spécifiques BT : vérifications",
    "BE manœuvre": "Opérations spécifiques BT : manœuvres",
    "BP": "Installations photovoltaïques",
    "H1": "Travaux d'ordre électrique HT (exécutant)",
    "H1V": "Travaux d'ordre électrique HT en zone de voisinage (exécutant)",
    "H2": "Travaux d'ordre électrique HT (chargé de travaux)",
    "H2V": "Travaux d'ordre électrique HT en zone de voisinage (chargé de travaux)",
    "HC": "Chargé de consignation HT",
    "HE mesure": "Opérations spécifiques HT : mesurages",
    "HE manœuvre": "Opérations spécifiques HT : manœuvres",
    "HAUTEUR": "Travail en hauteur avec protection antichute (harnais)",
    "CATEC": "Travail en espaces confinés (CATEC)",
    "CACES R486": "Plateformes élévatrices mobiles de personnes (CACES R486)",
    "CACES R489": "Chariots élévateurs (CACES R489)",
}


def name_in_french(apps: Any, schema_editor: Any) -> None:
    """Only the standard rows, and only where no French name was entered: a manager's wording stays."""
    habilitation_type = apps.get_model("people", "HabilitationType")
    for code, name in FRENCH.items():
        habilitation_type.objects.filter(code=code, is_standard=True, name_fr="").update(name_fr=name)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_standard_habilitations")]

    operations = [
        migrations.AddField(
            model_name="habilitationtype",
            name="name_fr",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in French"),
        ),
        migrations.RunPython(name_in_french, migrations.RunPython.noop),
    ]
