"""Conditional maintenance as soon as readings arrive."""

from collections.abc import Sequence
from typing import Any

from maintenir.devices.drivers.base import SampleRow
from maintenir.preventive.choices import ConditionOperator
from maintenir.preventive.rules import Reading
from maintenir.preventive.services import TriggerRule, generate, measurement_rules, watched_points


def may_fall_due(rule: TriggerRule, fresh: Sequence[Reading]) -> bool:
    """Whether these new readings can make the trigger due. A condition without holding time on the
    value alone becomes due only through a reading that meets it; most readings are normal, and the
    generator need not run for them. Trends, rates and held conditions are always looked at."""
    condition = rule.condition
    if condition is None or condition.hold or condition.operator == ConditionOperator.RATE:
        return True
    return any(condition.holds(None, reading) for reading in fresh)


def on_readings_stored(sender: Any, point_ids: Sequence[int], samples: Sequence[SampleRow], **kwargs: Any) -> None:
    """Run the generator for the condition and predictive triggers that watch these points, on the
    readings just stored too (a spike is seen even when the next reading is already back to normal)."""
    if watched_points.get().isdisjoint(point_ids):
        return
    rules = measurement_rules(point_ids)
    if not rules:
        return
    # Only the watched points' readings are looked at: most points of a batch have no trigger.
    watched = {rule.point_id for rule in rules.values()}
    readings: dict[int, list[Reading]] = {}
    for point_id, time, value, *_rest in samples:
        if point_id in watched and value is not None:
            readings.setdefault(point_id, []).append((time, value))
    watching = [
        trigger_id
        for trigger_id, rule in rules.items()
        if rule.point_id is not None and may_fall_due(rule, readings.get(rule.point_id, ()))
    ]
    if watching:
        generate(trigger_ids=watching, fresh_readings=readings)
