import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from maintenir.assets.choices import CounterKind, EquipmentStatus
from maintenir.assets.models import CounterReading
from maintenir.assets.tests.factories import CounterFactory, EquipmentFactory, EquipmentTypeFactory
from maintenir.core.changelog import changes_for
from maintenir.people.tests.factories import habilitation_type
from maintenir.preventive import services
from maintenir.preventive.choices import Anchor, ConditionOperator, IntervalUnit, PlanStatus, TriggerKind
from maintenir.preventive.models import GammeStepRequirement, PreventiveOrder, TriggerState
from maintenir.preventive.tests.factories import (
    GammeFactory,
    GammeStepRequirementFactory,
    MaintenancePlanFactory,
    TriggerFactory,
)
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.qualifications import requirements_of

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def generate(day: datetime.date, until: datetime.date | None = None, **kwargs: Any) -> services.GenerationReport:
    return services.generate(until=until or day, now=noon(day), **kwargs)


@pytest.fixture
def gamme(manager: Any) -> Any:
    gamme = GammeFactory(code="ahu-monthly", name="Visite mensuelle CTA")
    services.publish_gamme(
        manager,
        gamme,
        [
            {"instruction": "Consigner la CTA", "level": 2, "duration_minutes": 10, "safety_notes": "Cadenas VAT"},
            {
                "instruction": "Mesurer la perte de charge du filtre",
                "level": 1,
                "duration_minutes": 20,
                "unit": "Pa",
                "expected_min": Decimal(50),
                "expected_max": Decimal(250),
            },
        ],
    )
    return gamme


def finish(order: WorkOrder, day: datetime.date, status: str = WorkOrderStatus.DONE) -> None:
    WorkOrder.objects.filter(pk=order.pk).update(status=status, completed_at=noon(day))


def reading(equipment: Any, value: float, when: datetime.datetime, kind: str = CounterKind.RUNNING_HOURS) -> None:
    counter = equipment.counters.filter(kind=kind).first() or CounterFactory(equipment=equipment, kind=kind)
    CounterReading.objects.create(counter=counter, value=Decimal(str(value)), read_at=when)


class TestCalendarGeneration:
    def test_creates_a_systematic_order_with_the_gamme_checklist(self, gamme: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            start_date=datetime.date(2027, 3, 1),
            tolerance_days=7,
        )
        report = generate(datetime.date(2027, 3, 1))
        assert len(report.orders) == 1
        order = WorkOrder.objects.get()
        assert order.work_type == WorkOrderType.PREVENTIVE_SYSTEMATIC
        assert order.status == WorkOrderStatus.APPROVED
        assert order.title == "Visite mensuelle CTA"
        assert order.due_date == datetime.date(2027, 3, 8)
        assert order.estimated_hours == Decimal("0.50")
        assert timezone.localtime(order.planned_start).time() == datetime.time(8, 0)
        steps = list(order.steps.order_by("position"))
        assert [step.instruction for step in steps] == ["Consigner la CTA", "Mesurer la perte de charge du filtre"]
        assert steps[0].safety_notes == "Cadenas VAT"
        assert steps[1].requires_measurement
        assert steps[1].unit == "Pa"
        assert steps[1].level == 1
        origin = PreventiveOrder.objects.get(work_order=order)
        assert origin.trigger == trigger
        assert origin.gamme_version.number == 1
        assert order.transitions.get().to_status == WorkOrderStatus.APPROVED
        # The order and its two steps, on the order's change log.
        assert changes_for(order).filter(action="create").count() == 3

    def test_running_twice_creates_nothing_new(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        generate(datetime.date(2027, 3, 1))
        report = generate(datetime.date(2027, 3, 1))
        assert report.orders == []
        assert WorkOrder.objects.count() == 1

    def test_occurrences_while_open_are_counted_then_the_next_one_comes(self, gamme: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            interval=1,
            interval_unit=IntervalUnit.WEEK,
            start_date=datetime.date(2027, 3, 1),
        )
        generate(datetime.date(2027, 3, 1))
        report = generate(datetime.date(2027, 3, 22))
        assert report.orders == []
        assert report.skipped == 3
        state = TriggerState.objects.get(trigger=trigger)
        assert state.skipped == 3
        finish(state.open_order, datetime.date(2027, 3, 23))
        report = generate(datetime.date(2027, 3, 29))
        assert report.completions == 1
        assert [order.scheduled_for for order in report.orders] == [datetime.date(2027, 3, 29)]
        state.refresh_from_db()
        assert state.last_completed_at == noon(datetime.date(2027, 3, 23))

    def test_completion_anchored_series_restart_from_the_completion(self, gamme: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            interval=3,
            interval_unit=IntervalUnit.MONTH,
            anchor=Anchor.COMPLETION,
            start_date=datetime.date(2027, 1, 15),
        )
        generate(datetime.date(2027, 1, 15))
        finish(TriggerState.objects.get(trigger=trigger).open_order, datetime.date(2027, 2, 10))
        generate(datetime.date(2027, 2, 11))
        assert TriggerState.objects.get(trigger=trigger).next_due == datetime.date(2027, 5, 10)

    def test_a_cancelled_order_frees_the_trigger_without_counting_as_done(self, gamme: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        generate(datetime.date(2027, 3, 1))
        finish(
            TriggerState.objects.get(trigger=trigger).open_order, datetime.date(2027, 3, 2), WorkOrderStatus.CANCELLED
        )
        report = generate(datetime.date(2027, 4, 1))
        assert report.completions == 0
        assert len(report.orders) == 1
        assert TriggerState.objects.get(trigger=trigger).last_completed_at is None

    def test_generated_ahead_within_the_horizon(self, gamme: Any, equipment_a: Any, settings: Any) -> None:
        settings.MAINTENIR_PREVENTIVE_HORIZON_DAYS = 14
        TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 10)
        )
        report = services.generate(now=noon(datetime.date(2027, 3, 1)))
        assert report.until == datetime.date(2027, 3, 15)
        assert [order.scheduled_for for order in report.orders] == [datetime.date(2027, 3, 10)]

    def test_planned_at_eight_local_time_across_the_clock_change(self, gamme: Any, equipment_a: Any) -> None:
        # Summer time starts in France on Sunday 28 March 2027.
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            interval=1,
            interval_unit=IntervalUnit.DAY,
            start_date=datetime.date(2027, 3, 27),
        )
        generate(datetime.date(2027, 3, 27))
        finish(WorkOrder.objects.get(), datetime.date(2027, 3, 27))
        generate(datetime.date(2027, 3, 28))
        starts = [timezone.localtime(order.planned_start) for order in WorkOrder.objects.order_by("pk")]
        assert [start.time() for start in starts] == [datetime.time(8), datetime.time(8)]
        assert [start.utcoffset() for start in starts] == [datetime.timedelta(hours=1), datetime.timedelta(hours=2)]

    def test_a_type_trigger_covers_every_equipment_of_the_type_on_the_plan(self, gamme: Any, site_a: Any) -> None:
        ahu = EquipmentTypeFactory(name="Centrale de traitement d'air")
        covered = [EquipmentFactory(site=site_a, equipment_type=ahu) for _ in range(3)]
        EquipmentFactory(equipment_type=ahu)  # another site
        EquipmentFactory(site=site_a, equipment_type=ahu, status=EquipmentStatus.OUT_OF_SERVICE)
        TriggerFactory(
            plan__site=site_a, equipment=None, equipment_type=ahu, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        generate(datetime.date(2027, 3, 1))
        assert set(WorkOrder.objects.values_list("equipment_id", flat=True)) == {e.pk for e in covered}

    def test_suspended_and_archived_plans_generate_nothing(self, gamme: Any, equipment_a: Any) -> None:
        for status in (PlanStatus.SUSPENDED, PlanStatus.ARCHIVED, PlanStatus.DRAFT):
            TriggerFactory(
                plan__site=equipment_a.site,
                plan__status=status,
                equipment=equipment_a,
                gamme=gamme,
                start_date=datetime.date(2027, 3, 1),
            )
        assert generate(datetime.date(2027, 3, 1)).orders == []

    def test_orders_keep_their_gamme_version(self, gamme: Any, equipment_a: Any, manager: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            interval=1,
            interval_unit=IntervalUnit.DAY,
            start_date=datetime.date(2027, 3, 1),
        )
        generate(datetime.date(2027, 3, 1))
        services.publish_gamme(manager, gamme, [{"instruction": "Nouvelle procédure", "duration_minutes": 45}], "v2")
        finish(WorkOrder.objects.get(), datetime.date(2027, 3, 1))
        generate(datetime.date(2027, 3, 2))
        first, second = PreventiveOrder.objects.order_by("pk")
        assert (first.gamme_version.number, second.gamme_version.number) == (1, 2)
        assert first.work_order.steps.count() == 2
        assert list(second.work_order.steps.values_list("instruction", flat=True)) == ["Nouvelle procédure"]

    def test_dry_run_writes_nothing(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        report = generate(datetime.date(2027, 3, 1), dry_run=True)
        assert len(report.orders) == 1
        assert not WorkOrder.objects.exists()
        assert not TriggerState.objects.exists()

    def test_late_when_done_after_the_tolerance(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            start_date=datetime.date(2027, 3, 1),
            tolerance_days=3,
        )
        generate(datetime.date(2027, 3, 1))
        origin = PreventiveOrder.objects.get()
        finish(origin.work_order, datetime.date(2027, 3, 4))
        assert not PreventiveOrder.objects.get().is_late
        finish(origin.work_order, datetime.date(2027, 3, 5))
        assert PreventiveOrder.objects.get().is_late


class TestCounterGeneration:
    def test_every_n_running_hours_with_a_lead(self, gamme: Any, equipment_a: Any) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            kind=TriggerKind.COUNTER,
            interval=None,
            counter_kind=CounterKind.RUNNING_HOURS,
            counter_interval=Decimal(500),
            lead_percent=90,
        )
        day = datetime.date(2027, 3, 1)
        reading(equipment_a, 1000, noon(day) - datetime.timedelta(days=30))
        assert generate(day).orders == []  # the first reading starts the series: next at 1500 h
        assert TriggerState.objects.get(trigger=trigger).next_counter == Decimal(1500)
        reading(equipment_a, 1449, noon(day) - datetime.timedelta(hours=2))
        assert generate(day).orders == []
        reading(equipment_a, 1451, noon(day) - datetime.timedelta(hours=1))
        orders = generate(day).orders
        assert [(order.work_type, order.scheduled_for) for order in orders] == [
            (WorkOrderType.PREVENTIVE_SYSTEMATIC, day)
        ]
        # Done at 1470 h: the next one falls at 1970 h.
        reading(equipment_a, 1470, noon(day + datetime.timedelta(days=1)) - datetime.timedelta(hours=1))
        reading(equipment_a, 1480, noon(day + datetime.timedelta(days=2)))
        finish(WorkOrder.objects.get(), day + datetime.timedelta(days=1))
        generate(day + datetime.timedelta(days=3))
        assert TriggerState.objects.get(trigger=trigger).next_counter == Decimal(1970)

    def test_whichever_first(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            kind=TriggerKind.WHICHEVER_FIRST,
            interval=6,
            interval_unit=IntervalUnit.MONTH,
            start_date=datetime.date(2027, 9, 1),
            counter_kind=CounterKind.RUNNING_HOURS,
            counter_interval=Decimal(2000),
            lead_percent=100,
        )
        day = datetime.date(2027, 3, 1)
        reading(equipment_a, 10000, noon(day) - datetime.timedelta(days=1))
        assert generate(day).orders == []
        reading(equipment_a, 12000, noon(day) + datetime.timedelta(days=40))
        orders = generate(day + datetime.timedelta(days=41)).orders
        assert [order.scheduled_for for order in orders] == [day + datetime.timedelta(days=41)]


class TestMeasuredGeneration:
    def test_condition_held_for_its_duration(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            kind=TriggerKind.CONDITION,
            interval=None,
            counter_kind=CounterKind.CYCLES,
            operator=ConditionOperator.ABOVE,
            threshold=100.0,
            hold_minutes=120,
        )
        now = noon(datetime.date(2027, 3, 1))
        for hours_ago, value in ((4, 90), (3, 110), (2, 120)):
            reading(equipment_a, value, now - datetime.timedelta(hours=hours_ago), CounterKind.CYCLES)
        orders = services.generate(now=now - datetime.timedelta(hours=2)).orders
        assert orders == []
        orders = services.generate(now=now).orders
        assert [order.work_type for order in orders] == [WorkOrderType.PREVENTIVE_CONDITIONAL]
        assert services.generate(now=now + datetime.timedelta(hours=1)).orders == []

    def test_predictive_generates_ahead_of_the_forecast_crossing(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(
            plan__site=equipment_a.site,
            equipment=equipment_a,
            gamme=gamme,
            kind=TriggerKind.PREDICTIVE,
            interval=None,
            counter_kind=CounterKind.CYCLES,
            operator=ConditionOperator.ABOVE,
            threshold=200.0,
            horizon_days=30,
            window_days=60,
        )
        now = noon(datetime.date(2027, 3, 1))
        # +2 a day from 100 over the last 20 days: 140 today, 200 in 30 days.
        for day in range(21):
            reading(equipment_a, 100 + 2 * day, now - datetime.timedelta(days=20 - day), CounterKind.CYCLES)
        orders = services.generate(now=now - datetime.timedelta(days=1)).orders
        assert orders == []
        assert TriggerState.objects.get().forecast_at is not None
        reading(equipment_a, 150, now, CounterKind.CYCLES)
        orders = services.generate(now=now).orders
        assert len(orders) == 1
        order = WorkOrder.objects.get()
        assert order.work_type == WorkOrderType.PREVENTIVE_CONDITIONAL
        assert "reaches its limit around" in order.description
        assert order.due_date is not None
        assert order.due_date <= datetime.date(2027, 3, 31)


class TestGenerateCommand:
    def test_prints_what_it_creates_and_dry_run(self, gamme: Any, equipment_a: Any) -> None:
        TriggerFactory(plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=timezone.localdate())
        out = StringIO()
        call_command("generate", "--dry-run", stdout=out)
        assert "would create 1 work orders" in out.getvalue()
        assert equipment_a.code in out.getvalue()
        assert not WorkOrder.objects.exists()
        out = StringIO()
        call_command("generate", "--until", (timezone.localdate() + datetime.timedelta(days=1)).isoformat(), stdout=out)
        assert "created 1 work orders" in out.getvalue()
        assert WorkOrder.objects.count() == 1

    def test_a_bad_date_is_named(self) -> None:
        with pytest.raises(CommandError, match="--until: '2027-13-01' is not a date"):
            call_command("generate", "--until", "2027-13-01")

    def test_the_periodic_task(self, gamme: Any, equipment_a: Any) -> None:
        from maintenir.preventive.tasks import generate_due_work_orders

        TriggerFactory(plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=timezone.localdate())
        assert generate_due_work_orders.delay().get()["created"] == 1


def test_a_plan_of_another_site_cannot_take_the_equipment(equipment_a: Any, gamme: Any) -> None:
    from django.core.exceptions import ValidationError

    trigger = TriggerFactory.build(plan=MaintenancePlanFactory(), equipment=equipment_a, gamme=gamme)
    with pytest.raises(ValidationError) as error:
        trigger.full_clean()
    assert "equipment" in error.value.message_dict


class TestRuleChanges:
    def test_a_new_interval_takes_effect_from_the_next_due_date(
        self, gamme: Any, equipment_a: Any, manager: Any
    ) -> None:
        trigger = TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        generate(datetime.date(2027, 3, 1))
        TriggerState.objects.filter(trigger=trigger).update(skipped=2)
        trigger.interval = 3
        services.save_trigger(manager, trigger)
        finish(WorkOrder.objects.get(), datetime.date(2027, 3, 2))
        generate(datetime.date(2027, 3, 3))
        state = TriggerState.objects.get(trigger=trigger)
        assert state.next_due == datetime.date(2027, 4, 1)
        assert state.skipped == 2
        generate(datetime.date(2027, 4, 1))
        assert TriggerState.objects.get(trigger=trigger).next_due == datetime.date(2027, 7, 1)

    def test_a_saved_trigger_is_scheduled_at_once(self, gamme: Any, equipment_a: Any, manager: Any) -> None:
        trigger = TriggerFactory.build(
            plan=MaintenancePlanFactory(site=equipment_a.site), equipment=equipment_a, gamme=gamme
        )
        services.save_trigger(manager, trigger)
        assert TriggerState.objects.filter(trigger=trigger, equipment=equipment_a).exists()


class TestForecast:
    def test_weekly_load_per_site_and_technology(self, manager: Any, equipment_a: Any) -> None:
        gamme = GammeFactory()
        services.publish_gamme(
            manager,
            gamme,
            [
                {"instruction": "Graisser", "technology": "mechanical", "duration_minutes": 30},
                {"instruction": "Contrôler l'armoire", "technology": "electrical", "duration_minutes": 60},
            ],
        )
        monday = datetime.date(2027, 3, 1)
        trigger = TriggerFactory.build(
            plan=MaintenancePlanFactory(site=equipment_a.site),
            equipment=equipment_a,
            gamme=gamme,
            interval=1,
            interval_unit=IntervalUnit.WEEK,
            start_date=monday + datetime.timedelta(days=2),
        )
        services.save_trigger(manager, trigger)
        result = services.forecast(manager, monday, weeks=4)
        site = equipment_a.site_id
        assert result.weeks == [monday + datetime.timedelta(weeks=n) for n in range(4)]
        assert result.hours[(site, "mechanical")] == [Decimal("0.5")] * 4
        assert result.hours[(site, "electrical")] == [Decimal(1)] * 4
        assert [due.date for due in result.due_dates] == [monday + datetime.timedelta(days=2)]

    def test_counter_triggers_are_placed_from_recent_use(self, manager: Any, gamme: Any, equipment_a: Any) -> None:
        today = datetime.date(2027, 3, 1)
        for days_ago, value in ((60, 1000), (0, 1600)):  # 10 h a day
            reading(equipment_a, value, noon(today) - datetime.timedelta(days=days_ago))
        trigger = TriggerFactory.build(
            plan=MaintenancePlanFactory(site=equipment_a.site),
            equipment=equipment_a,
            gamme=gamme,
            kind=TriggerKind.COUNTER,
            interval=None,
            counter_kind=CounterKind.RUNNING_HOURS,
            counter_interval=Decimal(500),
        )
        services.save_trigger(manager, trigger)
        generate(today)  # the first reading starts the series: next at 2100 h
        due = services.forecast(manager, today, weeks=8).due_dates[0]
        assert due.counter_value == Decimal(2100)
        assert due.estimated
        assert due.date == today + datetime.timedelta(days=50)


def test_schedule_compliance(manager: Any, client_b: Any, gamme: Any, equipment_a: Any) -> None:
    trigger = TriggerFactory(
        plan__site=equipment_a.site,
        equipment=equipment_a,
        gamme=gamme,
        interval=1,
        interval_unit=IntervalUnit.WEEK,
        start_date=datetime.date(2027, 3, 1),
        tolerance_days=2,
    )
    generate(datetime.date(2027, 3, 1))
    finish(TriggerState.objects.get(trigger=trigger).open_order, datetime.date(2027, 3, 3))  # on time
    generate(datetime.date(2027, 3, 8))
    finish(TriggerState.objects.get(trigger=trigger).open_order, datetime.date(2027, 3, 11))  # a day late
    generate(datetime.date(2027, 3, 15))  # still open at the end of the period: late
    period = (datetime.date(2027, 3, 1), datetime.date(2027, 3, 31))
    compliance = services.schedule_compliance(manager, *period)
    assert (compliance.due, compliance.on_time, compliance.rate) == (3, 1, Decimal("33.3"))
    assert services.schedule_compliance(client_b, *period).due == 0


class TestRequirements:
    def test_the_steps_requirements_are_copied_to_the_order(self, gamme: Any, equipment_a: Any) -> None:
        first, second = services.current_version(gamme).steps.order_by("position")  # type: ignore[union-attr]
        GammeStepRequirementFactory(step=first, skill=None, habilitation_type=habilitation_type("BR"))
        skill = GammeStepRequirementFactory(step=second).skill
        TriggerFactory(
            plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=datetime.date(2027, 3, 1)
        )
        generate(datetime.date(2027, 3, 1))
        order = WorkOrder.objects.get()
        assert list(order.requirements.values_list("source", "habilitation_type__code", "skill")) == [
            ("gamme step 1", "BR", None),
            ("gamme step 2", None, skill.pk),
        ]
        assert [need.label for need in requirements_of([order])[order.pk]] == [
            "habilitation BR",
            f"skill {skill.name}, level Autonomous",
        ]

    def test_a_new_version_keeps_the_requirements_of_its_steps(self, gamme: Any, manager: Any) -> None:
        first, second = services.current_version(gamme).steps.order_by("position")  # type: ignore[union-attr]
        GammeStepRequirementFactory(step=first, skill=None, habilitation_type=habilitation_type("BR"))
        GammeStepRequirementFactory(step=second, skill=None, habilitation_type=habilitation_type("H0V"))
        # The measurement moves first and a step is added at the end: each requirement follows its step.
        services.publish_gamme(
            manager,
            gamme,
            [
                {"instruction": second.instruction, "unit": "Pa"},
                {"instruction": first.instruction},
                {"instruction": "Remettre en service"},
            ],
        )
        version = services.current_version(gamme)
        assert list(
            GammeStepRequirement.objects.filter(step__version=version).values_list(
                "step__position", "habilitation_type__code"
            )
        ) == [(1, "H0V"), (2, "BR")]
