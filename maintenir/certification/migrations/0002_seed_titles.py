"""Loads the two titles of the seed texts and the two versions of the rules they were written under.

Names of CCPs and competences are the seeds' own words (the industrial maintenance CCPs, printed in
capitals there, in sentence case). The seeds give no validity dates nor TP codes: those stay empty
until the training centre enters them, and the rules treat an unset end of validity as open.
"""

from typing import Any

from django.db import migrations

REGULATIONS = {
    "arrete-2006": {
        "name": "Arrêté du 9 mars 2006 (modifié le 6 mars 2009)",
        "reference": (
            "Arrêté du 09 mars 2006 et arrêté modificatif du 06 mars 2009 relatifs aux conditions de délivrance "
            "du titre professionnel ; arrêté du 08 décembre 2008 et arrêté modificatif du 10 mars 2009 portant "
            "règlement des sessions de validation."
        ),
        "issuing_authority": "Unité territoriale de la DIRECCTE",
        "practice_file": "dspp",
        "vae_min_experience_months": 36,
        "ccs_experience_months": 36,
        "ccp_evaluators": "pair",
        "jury_min_members": 2,
        "member_min_years_in_trade": 0,
        "member_max_years_out": None,
        "capitalisation_window": "from_first_ccp",
        "capitalisation_years": 5,
        "closure_grace_months": 12,
        "final_interview": "jury_may_call",
    },
    "arrete-2015": {
        "name": "Arrêté du 22 décembre 2015 (modifié en 2017)",
        "reference": (
            "Arrêté du 22 décembre 2015 relatif aux conditions de délivrance du titre professionnel ; arrêté du "
            "21 juillet 2016 modifié portant règlement général des sessions d'examen."
        ),
        "issuing_authority": "DREETS",
        "practice_file": "dp",
        "vae_min_experience_months": 12,
        "ccs_experience_months": 12,
        "ccp_evaluators": "jury",
        "jury_min_members": 2,
        "member_min_years_in_trade": 3,
        "member_max_years_out": 5,
        "capitalisation_window": "title_validity",
        "capitalisation_years": 0,
        "closure_grace_months": 12,
        "final_interview": "required",
    },
}

TITLES = [
    {
        "name": "Technicien du bâtiment communicant et connecté",
        "rncp": "RNCP35330",
        "level": "4",
        "nsf_code": "255m",
        "rome_codes": [],
        "regulation": "arrete-2015",
        "ccps": [
            (
                "Installer, paramétrer et mettre en fonction des équipements de services du bâtiment communicant "
                "et connecté",
                [
                    "Installer des équipements de services dans un bâtiment communicant et connecté",
                    "Paramétrer et mettre en fonction des équipements de services dans un bâtiment communicant et "
                    "connecté",
                ],
            ),
            (
                "Optimiser et maintenir des équipements de services du bâtiment communicant et connecté",
                [
                    "Assurer la maintenance préventive des équipements de services dans un bâtiment communicant et "
                    "connecté",
                    "Assurer la maintenance corrective des équipements de services dans un bâtiment communicant et "
                    "connecté",
                    "Optimiser des équipements de service dans un bâtiment communicant et connecté",
                ],
            ),
        ],
    },
    {
        "name": "Technicien(ne) de maintenance industrielle",
        "rncp": "",
        "level": "IV",
        "nsf_code": "250r",
        "rome_codes": ["I1304", "I1309", "I1310"],
        "regulation": "arrete-2006",
        "ccps": [
            (
                "Réparer les éléments électrotechniques et pneumatiques d'un équipement industriel",
                [
                    "Remettre en état ou réaliser un échange fonctionnellement équivalent des éléments de circuits "
                    "électriques et d'automatisme d'un équipement industriel",
                    "Remettre en état ou réaliser un échange fonctionnellement équivalent des éléments de circuits "
                    "pneumatiques d'un équipement industriel",
                ],
            ),
            (
                "Réparer les éléments mécaniques et hydrauliques d'un équipement industriel",
                [
                    "Remettre en état ou réaliser un échange fonctionnellement équivalent d'un mécanisme d'un "
                    "équipement industriel",
                    "Remettre en état ou réaliser un échange fonctionnellement équivalent des éléments de circuits "
                    "hydrauliques d'un équipement industriel",
                ],
            ),
            (
                "Diagnostiquer une défaillance et mettre en service un équipement industriel automatisé",
                [
                    "Diagnostiquer une défaillance sur un équipement industriel automatisé",
                    "Mettre en service un équipement industriel",
                ],
            ),
            (
                "Effectuer la maintenance préventive d'équipements industriels et réaliser des améliorations à "
                "partir de propositions argumentées",
                [
                    "Rédiger et renseigner les documents opérationnels de maintenance",
                    "Mettre en œuvre les opérations courantes de maintenance préventive d'équipements industriels",
                    "Proposer des actions d'amélioration continue sur un équipement industriel",
                    "Réaliser une amélioration ou une modification technique sur un équipement industriel",
                ],
            ),
        ],
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    regulation_model = apps.get_model("certification", "RegulationVersion")
    title_model = apps.get_model("certification", "Title")
    version_model = apps.get_model("certification", "TitleVersion")
    ccp_model = apps.get_model("certification", "ActivityType")
    competence_model = apps.get_model("certification", "Competence")
    regulations = {
        code: regulation_model.objects.update_or_create(code=code, defaults=fields)[0]
        for code, fields in REGULATIONS.items()
    }
    for data in TITLES:
        title, _created = title_model.objects.update_or_create(
            name=data["name"],
            defaults={key: data[key] for key in ("rncp", "level", "nsf_code", "rome_codes")},
        )
        if title.versions.exists():
            continue
        regulation = regulations[data["regulation"]]
        version = version_model.objects.create(title=title, name=regulation.name, regulation=regulation)
        for position, (name, competences) in enumerate(data["ccps"], start=1):
            ccp = ccp_model.objects.create(version=version, position=position, name=name)
            competence_model.objects.bulk_create(
                competence_model(activity_type=ccp, position=rank, name=competence)
                for rank, competence in enumerate(competences, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
