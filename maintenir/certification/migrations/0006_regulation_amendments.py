"""The rules apply by the date of the act: the 2015 text's amendments, each in force from its date.

Since 2017 each professional of a jury has at least 3 years in the trade and has not left it for more
than 5; since 1 January 2024 a VAE application needs no minimum of experience. The 2015 text keeps
the rules it had before them. Each decision recorded so far is marked with the rules of its session date.
"""

import datetime
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

AMENDMENTS = {
    "arrete-2015-2017": {
        "amends": "arrete-2015",
        "effective_from": datetime.date(2017, 1, 1),
        "name": "Arrêté du 22 décembre 2015, modifié en 2017 (jurys)",
        "reference": "Règlement général des sessions d'examen modifié en 2017 : expérience des membres du jury.",
        "member_min_years_in_trade": 3,
        "member_max_years_out": 5,
    },
    "arrete-2015-2024": {
        "amends": "arrete-2015",
        "effective_from": datetime.date(2024, 1, 1),
        "name": "Arrêté du 22 décembre 2015, modifié (VAE sans durée minimale depuis le 1er janvier 2024)",
        "reference": "Depuis le 1er janvier 2024, la VAE ne demande plus de durée minimale d'expérience.",
        "member_min_years_in_trade": 3,
        "member_max_years_out": 5,
        "vae_min_experience_months": 0,
    },
}
# The 2015 text as issued, before its 2017 amendment.
TEXT_2015 = {"name": "Arrêté du 22 décembre 2015", "member_min_years_in_trade": 0, "member_max_years_out": None}


def in_force(text: Any, day: datetime.date) -> Any:
    base = text.amends or text
    return base.amendments.filter(effective_from__lte=day).order_by("-effective_from").first() or base


def add_amendments(apps: Any, schema_editor: Any) -> None:
    RegulationVersion = apps.get_model("certification", "RegulationVersion")
    Decision = apps.get_model("certification", "Decision")
    text = RegulationVersion.objects.filter(code="arrete-2015").first()
    if text is None:
        return
    fields = {
        field.name: getattr(text, field.name)
        for field in RegulationVersion._meta.concrete_fields
        if field.name not in {"id", "code", "created", "last_updated", "amends", "effective_from"}
    }
    for code, changes in AMENDMENTS.items():
        RegulationVersion.objects.create(**{**fields, **changes, "code": code, "amends": text})
    RegulationVersion.objects.filter(pk=text.pk).update(**TEXT_2015)
    for decision in Decision.objects.select_related("registration__session__version__regulation"):
        session = decision.registration.session
        decision.regulation = in_force(session.version.regulation, session.date)
        decision.save(update_fields=["regulation"])


def remove_amendments(apps: Any, schema_editor: Any) -> None:
    RegulationVersion = apps.get_model("certification", "RegulationVersion")
    Decision = apps.get_model("certification", "Decision")
    Path = apps.get_model("certification", "Path")
    Decision.objects.update(regulation=None)
    Path.objects.update(admissibility_regulation=None)
    RegulationVersion.objects.filter(code__in=AMENDMENTS).delete()
    RegulationVersion.objects.filter(code="arrete-2015").update(
        name="Arrêté du 22 décembre 2015 (modifié en 2017)", member_min_years_in_trade=3, member_max_years_out=5
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0005_regulation_ccs_route"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="regulation",
            field=models.ForeignKey(
                editable=False,
                help_text="The version of the rules in force on the session date.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certification.regulationversion",
                verbose_name="decided under",
            ),
        ),
        migrations.AddField(
            model_name="path",
            name="admissibility_regulation",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certification.regulationversion",
                verbose_name="admissibility decided under",
            ),
        ),
        migrations.AddField(
            model_name="regulationversion",
            name="amends",
            field=models.ForeignKey(
                blank=True,
                help_text="The text this version amends; it applies from its date to the titles under that text.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="amendments",
                to="certification.regulationversion",
                verbose_name="amends",
            ),
        ),
        migrations.AddField(
            model_name="regulationversion",
            name="effective_from",
            field=models.DateField(
                blank=True,
                help_text="Empty for a text: in force since it was issued.",
                null=True,
                verbose_name="in force from",
            ),
        ),
        migrations.RunPython(add_amendments, remove_amendments),
    ]
