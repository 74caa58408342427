import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.preventive import services, transfer
from maintenir.preventive.choices import TriggerKind
from maintenir.preventive.models import Gamme, GammeVersion, Trigger
from maintenir.preventive.tests.factories import GammeFactory, MaintenancePlanFactory, TriggerFactory

pytestmark = pytest.mark.django_db

GAMMES = """code,name,description,equipment_type,position,instruction,level,duration_minutes,technology,\
safety_notes,unit,expected_min,expected_max
cta-trim,Entretien CTA,,,1,Consigner la CTA,2,10,electrical,Cadenas VAT,,,
cta-trim,Entretien CTA,,,2,Mesurer la perte de charge,1,20,,,Pa,50,250
presse-500h,Visite presse,,,1,Contrôler le niveau d'huile,1,10,hydraulic,,,,
"""


def is_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def places(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


class TestGammes:
    def test_import_creates_the_gammes_with_their_steps(self, manager: Any) -> None:
        report = transfer.import_gammes(manager, GAMMES)
        assert (report.created, report.updated) == (2, 0)
        gamme = Gamme.objects.get(code="cta-trim")
        version = services.current_version(gamme)
        assert version is not None
        steps = services.version_steps(version)
        assert [(step["instruction"], step["unit"], step["expected_max"]) for step in steps] == [
            ("Consigner la CTA", "", None),
            ("Mesurer la perte de charge", "Pa", Decimal(250)),
        ]

    def test_export_then_import_changes_nothing(self, manager: Any) -> None:
        transfer.import_gammes(manager, GAMMES)
        exported = transfer.export_gammes(manager)
        assert len(rows(exported)) == 3
        report = transfer.import_gammes(manager, exported)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
        assert GammeVersion.objects.count() == 2

    def test_changed_steps_publish_a_new_version(self, manager: Any) -> None:
        transfer.import_gammes(manager, GAMMES)
        report = transfer.import_gammes(manager, GAMMES.replace("Consigner la CTA", "Consigner et cadenasser"))
        assert report.updated == 1
        assert Gamme.objects.get(code="cta-trim").versions.count() == 2

    def test_a_bad_row_names_line_and_column_and_nothing_is_written(self, manager: Any) -> None:
        bad = GAMMES.replace("Pa,50,250", "Pa,250,50").replace("hydraulic", "telepathy")
        with pytest.raises(ValidationError) as error:
            transfer.import_gammes(manager, bad)
        assert places(error) == {"line 3, column expected_max", "line 4, column technology"}
        assert not Gamme.objects.exists()

    def test_a_missing_column_is_reported_on_line_1(self, manager: Any) -> None:
        with pytest.raises(ValidationError) as error:
            transfer.import_gammes(manager, "code,name\nx,X\n")
        assert places(error) == {"line 1, column instruction"}

    def test_technicians_may_not_import(self, technician: Any) -> None:
        with pytest.raises(PermissionDenied):
            transfer.import_gammes(technician, GAMMES)
        assert not Gamme.objects.exists()

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(min_size=1, max_size=8).filter(lambda text: text.strip() and not is_integer(text.strip())))
    def test_any_non_number_in_a_number_cell_is_named(self, manager: Any, junk: str) -> None:
        cell = '"' + junk.replace('"', '""') + '"'
        bad = GAMMES.replace("Consigner la CTA,2,10", f"Consigner la CTA,2,{cell}")
        with pytest.raises(ValidationError) as error:
            transfer.import_gammes(manager, bad)
        assert "line 2, column duration_minutes" in places(error)
        assert not Gamme.objects.exists()


@pytest.fixture
def plan(site_a: Any) -> Any:
    return MaintenancePlanFactory(site=site_a)


class TestTriggers:
    def test_export_then_import_updates_in_place(self, manager: Any, plan: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(plan=plan, equipment=equipment_a, interval=3, tolerance_days=5)
        exported = transfer.export_triggers(manager)
        assert rows(exported)[0]["equipment"] == equipment_a.code
        (row,) = rows(exported)
        edited = io.StringIO()
        writer = csv.DictWriter(edited, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row | {"tolerance_days": "9"})
        report = transfer.import_triggers(manager, edited.getvalue())
        assert (report.created, report.updated) == (0, 1)
        trigger.refresh_from_db()
        assert trigger.tolerance_days == 9

    def test_new_rows_create_triggers(self, manager: Any, plan: Any, equipment_a: Any) -> None:
        gamme = GammeFactory(code="graissage")
        text = (
            "plan,gamme,equipment,kind,counter_kind,counter_interval\n"
            f"{plan.pk},graissage,{equipment_a.code},counter,running_hours,500\n"
        )
        assert transfer.import_triggers(manager, text).created == 1
        trigger = Trigger.objects.get()
        assert (trigger.gamme, trigger.kind, trigger.counter_interval) == (gamme, TriggerKind.COUNTER, Decimal(500))

    def test_all_or_nothing(self, manager: Any, plan: Any, equipment_a: Any) -> None:
        GammeFactory(code="graissage")
        text = (
            "plan,gamme,equipment,kind,interval\n"
            f"{plan.pk},graissage,{equipment_a.code},calendar,1\n"
            f"{plan.pk},graissage,NOPE,calendar,1\n"
            f"{plan.pk},inconnue,{equipment_a.code},calendar,1\n"
            f"{plan.pk},graissage,{equipment_a.code},calendar,\n"
        )
        with pytest.raises(ValidationError) as error:
            transfer.import_triggers(manager, text)
        assert places(error) == {
            "line 3, column equipment",
            "line 4, column gamme",
            "line 5, column interval",
        }
        assert not Trigger.objects.exists()

    def test_another_clients_plan_or_equipment_is_not_found(
        self, client_a: Any, manager: Any, plan: Any, site_b: Any
    ) -> None:
        GammeFactory(code="graissage")
        other = EquipmentFactory(site=site_b)
        text = f"plan,gamme,equipment,kind,interval\n{plan.pk},graissage,{other.code},calendar,1\n"
        with pytest.raises(ValidationError) as error:
            transfer.import_triggers(manager, text)
        assert places(error) == {"line 2, column equipment"}
        with pytest.raises(PermissionDenied):
            transfer.import_triggers(client_a, text)

    def test_the_export_lists_only_visible_triggers(self, client_b: Any, plan: Any, equipment_a: Any) -> None:
        TriggerFactory(plan=plan, equipment=equipment_a)
        assert rows(transfer.export_triggers(client_b)) == []
