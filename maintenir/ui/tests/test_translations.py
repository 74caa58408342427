"""The French catalogue is complete, compiled from its current .po, and used by the pages."""

import ast
import datetime
import gettext
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from maintenir.assets.choices import Technology
from maintenir.assets.models import TechnologyTag
from maintenir.core.tests.clients import client_for
from maintenir.devices.tests.factories import PointFactory
from maintenir.people.models import HabilitationType
from maintenir.preventive import services as preventive
from maintenir.preventive.choices import IntervalUnit
from maintenir.preventive.tests.factories import GammeFactory, MaintenancePlanFactory, TriggerFactory
from maintenir.reliability.models import ImprovementProposal
from maintenir.reliability.tests.factories import ImprovementProposalFactory
from maintenir.reports.tests.conftest import done_order, site_history, site_months  # noqa: F401 (the report scenes)
from maintenir.reports.tests.pdf import pdf_text
from maintenir.workorders import commissioning
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.models import (
    DetectionMethod,
    FailureCause,
    FailureMechanism,
    FailureMode,
    Remedy,
    WorkOrder,
)
from maintenir.workorders.tests.factories import WorkOrderFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index → text; 0 for a singular entry
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """A minimal PO reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], continued lines, flags.

    Obsolete entries (#~) and other comments are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which field a continued "…" line extends

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if target is not None:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"continued string without a keyword: {raw!r}"
            append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and target is not None and target[0].startswith("msgstr"):
                finish()
            if keyword.startswith("msgstr["):
                target = ("msgstr", int(keyword[7:-1]))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
            append(entry, target, ast.literal_eval(rest), start=True)
    finish()
    return entries


def append(entry: Entry, target: tuple[str, int], text: str, start: bool = False) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    else:
        setattr(entry, name, ("" if start else getattr(entry, name) or "") + text)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po(CATALOGUE / "django.po")


def test_the_catalogue_has_entries(entries: list[Entry]) -> None:
    assert entries[0].msgid == "", "the header comes first"
    assert "Language: fr" in entries[0].msgstr[0]
    assert len(entries) > 100


def test_every_entry_is_translated(entries: list[Entry]) -> None:
    untranslated = [entry.msgid for entry in entries[1:] if not entry.msgstr or not all(entry.msgstr.values())]
    assert untranslated == []
    plurals = [entry.msgid for entry in entries if entry.msgid_plural and sorted(entry.msgstr) != [0, 1]]
    assert plurals == [], "French has two plural forms"


def test_no_entry_is_fuzzy(entries: list[Entry]) -> None:
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []


def test_placeholders_are_kept(entries: list[Entry]) -> None:
    placeholder = re.compile(r"%\(\w+\)[sdf]")
    wrong = [
        (entry.msgid, text)
        for entry in entries[1:]
        for index, text in entry.msgstr.items()
        if sorted(placeholder.findall(text))
        != sorted(placeholder.findall(entry.msgid_plural if index and entry.msgid_plural else entry.msgid))
    ]
    assert wrong == []


def test_the_mo_is_compiled_from_the_current_po(entries: list[Entry]) -> None:
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled: dict[Any, str] = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in entries[1:]:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural:
            found = {index: compiled.get((key, index)) for index in entry.msgstr}
        else:
            found = {0: compiled.get(key)}
        if found != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], "run `maintenir compilemessages` after editing the .po"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "wording", "absent"),
    [("fr", ["Se connecter", "Nom d’utilisateur"], "Log in"), ("en", ["Log in", "Username"], "Se connecter")],
)
def test_the_login_page_speaks_the_browser_language(language: str, wording: list[str], absent: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("login")).content.decode()
    assert f'<html lang="{language}">' in page
    for text in wording:
        assert text in page
    assert absent not in page


@pytest.mark.django_db
def test_a_work_order_page_in_french(manager: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, title="Fuite sur le vérin")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(manager)
    page = client.get(reverse("workorder-detail", args=[order.pk])).content.decode()
    for text in ("Ordre de travail", "Statut", "Corrective", "Approuvé", "Historique des statuts"):
        assert text in page
    for text in ("Work order", "Status history", "Approved", "Log out"):
        assert text not in page


# Reference rows whose English name is also the French word.
SAME_IN_BOTH = {"Vibration", "Cavitation", "Corrosion", "Fatigue", "Inspection"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [FailureMode, FailureMechanism, FailureCause, Remedy, DetectionMethod, HabilitationType]
)
def test_reference_rows_loaded_by_migrations_are_named_in_french(model: Any) -> None:
    rows = list(model.objects.all())
    assert rows, "the migrations load them"
    for row in rows:
        assert row.name_fr, row.code
        assert row.name_fr != row.name or row.name in SAME_IN_BOTH, row.code
        with translation.override("fr"):
            assert row.label == row.name_fr
        with translation.override("en"):
            assert row.label == row.name


@pytest.mark.django_db
def test_technologies_loaded_by_migrations_show_in_french() -> None:
    tags = list(TechnologyTag.objects.all())
    assert len(tags) == len(Technology)
    with translation.override("fr"):
        french = {str(tag) for tag in tags}
    assert french == {"Électrique", "Pneumatique", "Mécanique", "Hydraulique", "Automatisme"}


@pytest.mark.django_db
def test_pages_in_french_name_reference_data_in_french(manager: Any, equipment_a: Any) -> None:
    gamme = GammeFactory(code="graissage")
    steps = [{"instruction": "Graisser les paliers", "duration_minutes": 30, "technology": Technology.MECHANICAL}]
    preventive.publish_gamme(manager, gamme, steps)
    trigger = TriggerFactory.build(
        plan=MaintenancePlanFactory(site=equipment_a.site),
        equipment=equipment_a,
        gamme=gamme,
        interval=1,
        interval_unit=IntervalUnit.MONTH,
        start_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    preventive.save_trigger(manager, trigger)
    client = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr")
    forecast = client.get(reverse("preventive-forecast")).content.decode()
    assert "<td>Mécanique</td>" in forecast
    assert "mechanical" not in forecast
    habilitations = client.get(reverse("habilitation-type-list")).content.decode()
    assert "Chargé de consignation BT" in habilitations
    assert "lockout" not in habilitations
    for name in ("planning-plans", "plan-list"):
        page = client.get(reverse(name)).content.decode()
        assert "<th>Plan</th>" in page, name
        assert "<th>Planifier</th>" not in page, name


# Words of the English PDFs that must not be left in the French ones.
ENGLISH_IN_PDFS = (
    "report",
    "generated by",
    "Failure",
    "Labour",
    "Backlog",
    "Replace",
    "External leakage",
    "Total:",
    "Parts cost",
    "Signed",
    "Status",
    "Hours",
    "Cost",
    "a.m.",
    "p.m.",
)


def assert_french(text: str, *expected: str) -> None:
    for word in ENGLISH_IN_PDFS:
        # As a word: a generated name such as "Michèle Costa" holds "Cost" without being English.
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), word
    for fragment in expected:
        assert fragment in text, fragment


@pytest.mark.django_db
def test_the_intervention_report_in_french(technician: Any, request: pytest.FixtureRequest) -> None:
    order = request.getfixturevalue("done_order")
    coding = {"failure_mode": FailureMode.objects.get(code="ELP"), "remedy": Remedy.objects.get(name="Replace")}
    WorkOrder.objects.filter(pk=order.pk).update(**coding)
    url = reverse("intervention-report", args=[order.pk])
    text = pdf_text(client_for(technician, HTTP_ACCEPT_LANGUAGE="fr").get(url).content)
    assert_french(
        text,
        "Rapport d'intervention",
        "ELP — Fuite externe - fluide process",
        f"{coding['remedy'].code} — {coding['remedy'].name_fr}",
        "162,5 bar",
        "3,75 h",
        "37,40 €",
        "115,30 €",
        timezone.localdate().strftime("%d/%m/%Y"),
    )


@pytest.mark.django_db
def test_the_client_report_in_french(client_a: Any, request: pytest.FixtureRequest) -> None:
    history = request.getfixturevalue("site_history")
    ImprovementProposal.objects.update(modification="Remplacer les joints nitrile par des joints PTFE.")
    url = reverse("equipment-state-report", args=[history["site"].pk])
    response = client_for(client_a, HTTP_ACCEPT_LANGUAGE="fr").get(url, {"start": "2026-11-02", "end": "2026-11-15"})
    text = pdf_text(response.content)
    assert_french(text, "02/11/2026", "15/11/2026", "3,5")


@pytest.mark.django_db
def test_the_monthly_report_in_french(manager: Any, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("site_months")
    response = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr").get(reverse("monthly-report"), {"month": "2026-09"})
    text = pdf_text(response.content)
    assert_french(text, "Main-d'œuvre (h) 4,0", "200,00 €", "Disponibilité 99,31 %")


@pytest.mark.django_db
def test_the_commissioning_report_in_french(technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, work_type=WorkOrderType.INSTALLATION, assignees=[technician])
    point = PointFactory(
        device__equipment=equipment_a, name="supply_air_temperature", display_name="Température de soufflage", unit="°C"
    )
    commissioning.add_check(technician, order, name="Soufflage", point=point, expected_min=14.5, expected_max=26)
    response = client_for(technician, HTTP_ACCEPT_LANGUAGE="fr").get(reverse("commissioning-report", args=[order.pk]))
    text = pdf_text(response.content)
    assert_french(text, "Température de soufflage", "14,5")
    assert "supply_air_temperature" not in text


@pytest.mark.django_db
def test_amounts_on_pages_follow_the_language(manager: Any, equipment_a: Any) -> None:
    proposal = ImprovementProposalFactory(equipment=equipment_a, cost=Decimal("194.6"))
    french = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr").get(proposal.get_absolute_url()).content.decode()
    assert "194,60\xa0€" in french
    english = client_for(manager, HTTP_ACCEPT_LANGUAGE="en").get(proposal.get_absolute_url()).content.decode()
    assert "€194.60" in english
