"""Conditional maintenance as soon as readings arrive."""

from collections.abc import Mapping, Sequence
from typing import Any

from maintenir.preventive.choices import MEASUREMENT_KINDS, PlanStatus
from maintenir.preventive.models import Trigger
from maintenir.preventive.rules import Reading
from maintenir.preventive.services import generate


def on_readings_stored(
    sender: Any, point_ids: Sequence[int], readings: Mapping[int, Sequence[Reading]], **kwargs: Any
) -> None:
    """Run the generator for the condition and predictive triggers that watch these points, on the
    readings just stored too (a spike is seen even when the next reading is already back to normal)."""
    watching = list(
        Trigger.objects.filter(
            point_id__in=point_ids, kind__in=MEASUREMENT_KINDS, is_active=True, plan__status=PlanStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    if watching:
        generate(trigger_ids=watching, fresh_readings=readings)
