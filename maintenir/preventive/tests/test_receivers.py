"""Which new readings wake the generator up."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices.tests.factories import PointFactory
from maintenir.preventive import rules, services
from maintenir.preventive.choices import ConditionOperator, TriggerKind
from maintenir.preventive.receivers import may_fall_due
from maintenir.preventive.services import TriggerRule
from maintenir.preventive.tests.factories import TriggerFactory

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def rule(condition: rules.ConditionRule | None) -> TriggerRule:
    return TriggerRule(
        kind=TriggerKind.CONDITION if condition else TriggerKind.PREDICTIVE,
        gamme_id=1,
        title="",
        priority=3,
        tolerance_days=0,
        counter_kind="",
        point_id=1,
        calendar=None,
        counter=None,
        condition=condition,
        limit=7.0,
        rising=True,
        horizon=datetime.timedelta(days=30),
        window=datetime.timedelta(days=90),
    )


def readings(values: list[float]) -> list[rules.Reading]:
    return [(NOW + datetime.timedelta(seconds=n), value) for n, value in enumerate(values)]


def test_normal_readings_do_not_wake_a_condition_on_the_value_alone() -> None:
    above = rule(rules.ConditionRule(ConditionOperator.ABOVE, 7.0))
    assert not may_fall_due(above, readings([3.0, 6.9, 7.0]))
    assert may_fall_due(above, readings([3.0, 7.1, 3.0]))


def test_trends_rates_and_held_conditions_are_always_looked_at() -> None:
    assert may_fall_due(rule(None), readings([1.0]))
    assert may_fall_due(rule(rules.ConditionRule(ConditionOperator.RATE, 1.0)), readings([1.0]))
    held = rules.ConditionRule(ConditionOperator.ABOVE, 7.0, hold=datetime.timedelta(minutes=5))
    # A reading back to normal can close a run that lasted long enough.
    assert may_fall_due(rule(held), readings([3.0]))


@given(
    st.sampled_from([ConditionOperator.ABOVE, ConditionOperator.BELOW, ConditionOperator.OUTSIDE]),
    st.lists(st.floats(-100, 100), min_size=1, max_size=20),
)
def test_skipping_never_misses_a_condition_the_new_readings_meet(operator: str, values: list[float]) -> None:
    condition = rules.ConditionRule(operator, 0.0, 10.0)
    fresh = readings(values)
    if condition.is_met(fresh, NOW + datetime.timedelta(hours=1)):
        assert may_fall_due(rule(condition), fresh)


@pytest.mark.django_db
def test_the_watched_points_are_known_at_once_here_and_within_seconds_from_elsewhere() -> None:
    point = PointFactory()
    ours, elsewhere = services.watched_points, services.WatchedPoints(ttl=60)
    assert point.pk not in ours.get()
    assert point.pk not in elsewhere.get()
    condition = TriggerFactory(kind=TriggerKind.CONDITION, point=point, operator=ConditionOperator.ABOVE, threshold=7)
    # Saved in this process: the receiver's own set forgets what it knew.
    assert point.pk in ours.get()
    # Another process learns of it when its set is older than its time to live.
    assert point.pk not in elsewhere.get()
    elsewhere.checked_at -= 61
    assert point.pk in elsewhere.get()
    condition.delete()
    assert point.pk not in ours.get()
