"""Expected parts of a gamme: versioned with its steps, reserved when a preventive order is planned."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maintenir.core.tests.clients import client_for
from maintenir.preventive import parts, services, transfer
from maintenir.preventive.choices import IntervalUnit
from maintenir.preventive.models import GammePart, PlannedPart
from maintenir.preventive.tests.factories import (
    GammeFactory,
    MaintenancePlanFactory,
    PreventiveOrderFactory,
    TriggerFactory,
)
from maintenir.stores import reorder, sourcing
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import StockBalance
from maintenir.stores.tests.factories import LocationFactory, PartFactory, VanFactory
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import SignOffRole, WorkOrderStatus
from maintenir.workorders.models import PartReservation, WorkOrder
from maintenir.workorders.tests.factories import SignOffFactory, WorkOrderFactory
from maintenir.workorders.views import expected_parts_section

pytestmark = pytest.mark.django_db
D = Decimal
S = WorkOrderStatus
STEPS = [{"instruction": "Remplacer les roulements du ventilateur", "duration_minutes": 30}]


@pytest.fixture
def bearing(db: None) -> Any:
    return PartFactory(reference="RLT-6205-SKF")


@pytest.fixture
def belt(db: None) -> Any:
    return PartFactory(reference="CRR-SPA-1250")


@pytest.fixture
def gamme(manager: Any, bearing: Any, belt: Any) -> Any:
    gamme = GammeFactory(code="cta-trimestriel")
    services.publish_gamme(
        manager,
        gamme,
        STEPS,
        parts=[{"part": bearing, "quantity": D(4), "note": "Palier côté poulie"}, {"part": belt, "quantity": D(1)}],
    )
    return gamme


@pytest.fixture
def site_store(site_a: Any) -> Any:
    return LocationFactory(name="Magasin usine", kind=LocationKind.SITE_STORE, site=site_a)


@pytest.fixture
def central(db: None) -> Any:
    return LocationFactory(name="Magasin central")


def approved_order(gamme: Any, equipment: Any) -> WorkOrder:
    trigger = TriggerFactory(plan__site=equipment.site, equipment=equipment, gamme=gamme)
    origin: Any = PreventiveOrderFactory(
        trigger=trigger, work_order__status=S.APPROVED, gamme_version=services.current_version(gamme)
    )
    return origin.work_order


def plan(manager: Any, order: WorkOrder, technician: Any) -> WorkOrder:
    return workorders.plan_work_order(manager, order, [technician], timezone.now())


def reserved(order: WorkOrder) -> dict[tuple[str, str], Decimal]:
    return {
        (reservation.part.reference, reservation.location.name): reservation.quantity
        for reservation in PartReservation.objects.filter(work_order=order).select_related("part", "location")
    }


class TestVersions:
    def test_a_new_version_keeps_the_expected_parts(self, manager: Any, gamme: Any, bearing: Any) -> None:
        services.publish_gamme(manager, gamme, [*STEPS, {"instruction": "Contrôler la tension de courroie"}])
        version = services.current_version(gamme)
        assert version is not None
        assert version.number == 2
        assert [(p["part"], p["quantity"], p["note"]) for p in services.version_parts(version)] == [
            (bearing, D(4), "Palier côté poulie"),
            (PartFactory._meta.model.objects.get(reference="CRR-SPA-1250"), D(1), ""),
        ]
        # The first version keeps its own rows.
        assert GammePart.objects.filter(version__number=1).count() == 2

    def test_a_csv_import_of_the_steps_keeps_the_parts(self, manager: Any, gamme: Any, bearing: Any) -> None:
        transfer.import_gammes(manager, "code,name,instruction\ncta-trimestriel,CTA,Nettoyer la batterie\n")
        version = services.current_version(gamme)
        assert version is not None
        assert version.number == 2
        assert [p["part"].reference for p in services.version_parts(version)] == ["RLT-6205-SKF", "CRR-SPA-1250"]

    def test_setting_the_parts_publishes_a_version_with_the_same_steps(
        self, manager: Any, gamme: Any, bearing: Any
    ) -> None:
        version = services.set_gamme_parts(manager, gamme, [{"part": bearing, "quantity": D(2)}], "Courroie retirée")
        assert version.number == 2
        assert services.version_steps(version)[0]["instruction"] == STEPS[0]["instruction"]
        assert [(p["part"], p["quantity"]) for p in services.version_parts(version)] == [(bearing, D(2))]

    def test_a_bad_part_row_is_named_and_nothing_is_written(self, manager: Any, gamme: Any, bearing: Any) -> None:
        with pytest.raises(ValidationError) as raised:
            services.set_gamme_parts(
                manager, gamme, [{"part": bearing, "quantity": D(1)}, {"part": bearing, "quantity": D(0)}]
            )
        assert "parts.2.quantity" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            services.set_gamme_parts(manager, gamme, [{"part": bearing, "quantity": D(1)}] * 2)
        assert "parts.2.part" in raised.value.message_dict
        assert gamme.versions.count() == 1


class TestReservationOnPlanning:
    def test_the_site_store_first_then_the_central_store(
        self,
        manager: Any,
        technician: Any,
        gamme: Any,
        equipment_a: Any,
        bearing: Any,
        belt: Any,
        site_store: Any,
        central: Any,
    ) -> None:
        stock.receive(manager, bearing, site_store, D(3), D("9.80"))
        stock.receive(manager, bearing, central, D(10), D("9.50"))
        stock.receive(manager, belt, central, D(2), D("14"))
        order = plan(manager, approved_order(gamme, equipment_a), technician)
        assert order.status == S.PLANNED
        assert reserved(order) == {
            ("RLT-6205-SKF", "Magasin usine"): D(3),
            ("RLT-6205-SKF", "Magasin central"): D(1),
            ("CRR-SPA-1250", "Magasin central"): D(1),
        }
        assert StockBalance.objects.get(part=bearing, location=site_store).available == 0
        planned = {p.part.reference: (p.expected, p.reserved, p.short) for p in PlannedPart.objects.all()}
        assert planned == {"RLT-6205-SKF": (D(4), D(4), D(0)), "CRR-SPA-1250": (D(1), D(1), D(0))}

    def test_a_shortfall_is_recorded_and_never_stops_the_planning(
        self, manager: Any, technician: Any, gamme: Any, equipment_a: Any, bearing: Any, site_store: Any
    ) -> None:
        stock.receive(manager, bearing, site_store, D(2), D("9.80"))
        # Another site's store and a van are not where a planned order draws from.
        LocationFactory(kind=LocationKind.SITE_STORE, site=PreventiveOrderFactory().work_order.site)
        van = VanFactory(technician=technician)
        stock.receive(manager, bearing, van, D(5), D("9.80"))
        order = plan(manager, approved_order(gamme, equipment_a), technician)
        assert order.status == S.PLANNED
        assert reserved(order) == {("RLT-6205-SKF", "Magasin usine"): D(2)}
        bearing_line = PlannedPart.objects.get(part=bearing)
        assert (bearing_line.expected, bearing_line.reserved, bearing_line.short) == (D(4), D(2), D(2))
        assert PlannedPart.objects.exclude(part=bearing).get().short == D(1)

    def test_what_was_reserved_by_hand_counts(
        self, manager: Any, technician: Any, gamme: Any, equipment_a: Any, bearing: Any, central: Any
    ) -> None:
        stock.receive(manager, bearing, central, D(10), D("9.50"))
        order = approved_order(gamme, equipment_a)
        workorders.reserve_part(manager, order, bearing, central, D(3))
        plan(manager, order, technician)
        assert reserved(order) == {("RLT-6205-SKF", "Magasin central"): D(4)}
        assert StockBalance.objects.get(part=bearing, location=central).reserved == D(4)

    def test_a_corrective_order_reserves_nothing(
        self, manager: Any, technician: Any, equipment_a: Any, bearing: Any, central: Any
    ) -> None:
        stock.receive(manager, bearing, central, D(10), D("9.50"))
        order: Any = WorkOrderFactory(equipment=equipment_a, status=S.APPROVED)
        plan(manager, order, technician)
        assert not PartReservation.objects.exists()

    def test_cancelling_releases_the_reservations(
        self, manager: Any, technician: Any, gamme: Any, equipment_a: Any, bearing: Any, central: Any
    ) -> None:
        stock.receive(manager, bearing, central, D(10), D("9.50"))
        order = plan(manager, approved_order(gamme, equipment_a), technician)
        assert StockBalance.objects.get(part=bearing, location=central).reserved == D(4)
        workorders.cancel_work_order(manager, order, "Équipement déposé")
        assert StockBalance.objects.get(part=bearing, location=central).reserved == 0
        assert reserved(order) == {("RLT-6205-SKF", "Magasin central"): D(0)}

    def test_completing_releases_what_was_not_used_in_every_store(
        self,
        manager: Any,
        technician: Any,
        gamme: Any,
        equipment_a: Any,
        bearing: Any,
        site_store: Any,
        central: Any,
    ) -> None:
        stock.receive(manager, bearing, site_store, D(3), D("9.80"))
        stock.receive(manager, bearing, central, D(10), D("9.50"))
        order = plan(manager, approved_order(gamme, equipment_a), technician)
        workorders.start_work_order(technician, order)
        workorders.issue_part(technician, order, bearing, site_store, D(2))
        SignOffFactory(work_order=order, role=SignOffRole.TECHNICIAN)
        workorders.complete_work_order(technician, order)
        held = {
            location.name: (balance.on_hand, balance.reserved)
            for location in (site_store, central)
            for balance in [StockBalance.objects.get(part=bearing, location=location)]
        }
        assert held == {"Magasin usine": (D(1), D(0)), "Magasin central": (D(10), D(0))}

    def test_the_order_shows_what_is_reserved_and_short(
        self, manager: Any, technician: Any, gamme: Any, equipment_a: Any, bearing: Any, central: Any
    ) -> None:
        stock.receive(manager, bearing, central, D(2), D("9.50"))
        order = approved_order(gamme, equipment_a)
        before = expected_parts_section(manager, order)
        assert [(item["part"], item["expected"], item["planned"]) for item in before] == [
            (bearing, D(4), False),
            (PartFactory._meta.model.objects.get(reference="CRR-SPA-1250"), D(1), False),
        ]
        plan(manager, order, technician)
        after = {item["part"].reference: item for item in expected_parts_section(manager, order)}
        assert (after["RLT-6205-SKF"]["reserved"], after["RLT-6205-SKF"]["short"]) == (D(2), D(2))


class TestSourcing:
    def test_the_nearest_store_holding_enough(
        self, manager: Any, site_a: Any, bearing: Any, site_store: Any, central: Any
    ) -> None:
        assert sourcing.reserve_location(bearing, site_a) == site_store
        stock.receive(manager, bearing, central, D(5), D(9))
        assert sourcing.reserve_location(bearing, site_a, D(2)) == central
        stock.receive(manager, bearing, site_store, D(1), D(9))
        assert sourcing.reserve_location(bearing, site_a, D(1)) == site_store
        assert sourcing.reserve_location(bearing, site_a, D(3)) == central

    def test_a_site_without_a_store_draws_from_the_central_one(self, site_b: Any, bearing: Any, central: Any) -> None:
        assert sourcing.reserve_location(bearing, site_b) == central
        assert sourcing.stores_for(site_b) == [central]

    def test_another_client_s_store_never_serves(self, site_a: Any, org_b: Any, bearing: Any) -> None:
        LocationFactory(kind=LocationKind.CENTRAL_STORE, owner=org_b)
        assert sourcing.reserve_location(bearing, site_a) is None


class TestPages:
    def test_the_gamme_shows_its_expected_parts(self, manager: Any, gamme: Any) -> None:
        page = client_for(manager).get(gamme.get_absolute_url()).content.decode()
        assert "RLT-6205-SKF" in page
        assert "Palier côté poulie" in page

    def test_editing_the_parts_publishes_a_new_version(self, manager: Any, gamme: Any, bearing: Any) -> None:
        edit = reverse("gamme-edit", args=[gamme.pk])
        form = client_for(manager).get(edit).context
        data = {
            "code": gamme.code,
            "name": gamme.name,
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "1",
            "steps-0-instruction": STEPS[0]["instruction"],
            "steps-0-level": "2",
            "steps-0-duration_minutes": "30",
            "parts-TOTAL_FORMS": "2",
            "parts-INITIAL_FORMS": "2",
            "parts-0-part": str(bearing.pk),
            "parts-0-quantity": "4",
            "parts-0-note": "Palier côté poulie",
            "parts-1-part": form["parts"].forms[1]["part"].value(),
            "parts-1-quantity": "1",
        }
        client = client_for(manager)
        client.post(edit, data)
        assert gamme.versions.count() == 1
        response = client.post(edit, data | {"parts-1-DELETE": "on", "parts-0-quantity": "2"})
        assert response.status_code == 302
        version = services.current_version(gamme)
        assert [(p["part"], p["quantity"]) for p in services.version_parts(version)] == [(bearing, D(2))]
        bad = client.post(edit, data | {"parts-1-part": str(bearing.pk)})
        assert bad.status_code == 200
        assert bad.context["parts"].forms[1]["part"].errors
        assert gamme.versions.count() == 2


class TestApi:
    def test_add_change_and_remove_an_expected_part(self, manager: Any, gamme: Any, bearing: Any, belt: Any) -> None:
        client = client_for(manager)
        url = f"/api/gammes/{gamme.pk}/parts"
        response = client.post(url, {"part": bearing.pk, "quantity": "6"}, content_type="application/json")
        assert response.status_code == 201
        assert {(row["part_reference"], row["quantity"]) for row in response.json()} == {
            ("RLT-6205-SKF", "6.000"),
            ("CRR-SPA-1250", "1.000"),
        }
        assert client.delete(f"{url}/{belt.pk}").status_code == 204
        assert client.delete(f"{url}/{belt.pk}").status_code == 404
        assert [row["part_reference"] for row in client.get(url).json()] == ["RLT-6205-SKF"]
        version = client.get(f"/api/gammes/{gamme.pk}").json()["version"]
        assert version["number"] == 3
        assert version["parts"] == [
            {"part": bearing.pk, "part_reference": "RLT-6205-SKF", "quantity": "6.000", "note": ""}
        ]

    def test_a_client_s_own_part_shows_to_that_client_only(
        self, manager: Any, operator_a: Any, gamme: Any, org_a: Any, org_b: Any
    ) -> None:
        ours = PartFactory(reference="CLIENT-A-OIL", owner=org_a)
        theirs = PartFactory(reference="CLIENT-B-FILTER", owner=org_b)
        services.add_gamme_part(manager, gamme, ours, D(1))
        services.add_gamme_part(manager, gamme, theirs, D(1))
        TriggerFactory(plan__site__organisation=org_a, gamme=gamme)
        # A client user sees its own parts only (the company's catalogue is the company's).
        listed = [row["part_reference"] for row in client_for(operator_a).get(f"/api/gammes/{gamme.pk}/parts").json()]
        assert listed == ["CLIENT-A-OIL"]
        staff = client_for(manager).get(f"/api/gammes/{gamme.pk}/parts").content.decode()
        assert "CLIENT-B-FILTER" in staff


MONDAY = datetime.date(2027, 3, 1)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    noon = timezone.make_aware(datetime.datetime.combine(MONDAY, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    return MONDAY


class TestComingNeeds:
    def test_the_forecast_registers_itself_as_a_source(self) -> None:
        assert parts.coming_needs in reorder.NEED_SOURCES

    def test_the_parts_of_the_triggers_falling_due(
        self, frozen: Any, manager: Any, gamme: Any, equipment_a: Any, bearing: Any, belt: Any, central: Any
    ) -> None:
        trigger = TriggerFactory.build(
            plan=MaintenancePlanFactory(site=equipment_a.site),
            equipment=equipment_a,
            gamme=gamme,
            interval=1,
            interval_unit=IntervalUnit.WEEK,
            start_date=frozen + datetime.timedelta(days=2),
        )
        services.save_trigger(manager, trigger)
        needs = parts.coming_needs(2)
        wednesday = frozen + datetime.timedelta(days=2)
        reference = f"cta-trimestriel · {equipment_a.code}"
        assert needs == [
            reorder.Need(bearing.pk, central.pk, D(4), wednesday, reference),
            reorder.Need(belt.pk, central.pk, D(1), wednesday, reference),
            reorder.Need(bearing.pk, central.pk, D(4), wednesday + datetime.timedelta(weeks=1), reference),
            reorder.Need(belt.pk, central.pk, D(1), wednesday + datetime.timedelta(weeks=1), reference),
        ]
        assert len(parts.coming_needs(1)) == 2

    def test_open_orders_need_all_their_parts_until_planned_then_what_is_short(
        self,
        frozen: Any,
        manager: Any,
        technician: Any,
        gamme: Any,
        equipment_a: Any,
        bearing: Any,
        belt: Any,
        site_store: Any,
    ) -> None:
        stock.receive(manager, bearing, site_store, D(3), D("9.80"))
        order = approved_order(gamme, equipment_a)
        thursday = timezone.make_aware(datetime.datetime.combine(frozen + datetime.timedelta(days=3), datetime.time(8)))
        WorkOrder.objects.filter(pk=order.pk).update(planned_start=thursday)
        order.refresh_from_db()
        assert {(need.part_id, need.quantity, need.due) for need in parts.coming_needs(1)} == {
            (bearing.pk, D(4), thursday.date()),
            (belt.pk, D(1), thursday.date()),
        }
        workorders.plan_work_order(manager, order, [technician], thursday)
        needs = parts.coming_needs(1)
        assert [(need.part_id, need.location_id, need.quantity, need.reference) for need in needs] == [
            (bearing.pk, site_store.pk, D(1), order.reference),
            (belt.pk, site_store.pk, D(1), order.reference),
        ]
        assert parts.coming_needs(1, site_id=PreventiveOrderFactory().work_order.site_id) == []

    def test_the_forecast_page_lists_them_to_whoever_sees_the_work(
        self, frozen: Any, manager: Any, client_b: Any, gamme: Any, equipment_a: Any, bearing: Any, central: Any
    ) -> None:
        stock.receive(manager, bearing, central, D(3), D("9.80"))
        approved_order(gamme, equipment_a)
        response = client_for(manager).get(reverse("preventive-forecast"))
        lines = {line.part.reference: line for line in response.context["part_needs"]}
        assert (lines["RLT-6205-SKF"].quantity, lines["RLT-6205-SKF"].available) == (D(4), D(3))
        assert lines["RLT-6205-SKF"].short
        assert "RLT-6205-SKF" in response.content.decode()
        assert client_for(client_b).get(reverse("preventive-forecast")).context["part_needs"] == []
