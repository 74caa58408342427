"""`{% load device_history %}{% equipment_history equipment %}`: the equipment page's readings section.

Pages of apps above devices (assets) show it without importing devices: the template library is
found at render time.
"""

from typing import Any

from django import template

from maintenir.devices.charts import Chart, chart_for
from maintenir.devices.history import fitting_span
from maintenir.devices.models import Device, Point

register = template.Library()


@register.inclusion_tag("devices/includes/equipment_history.html", takes_context=True)
def equipment_history(context: dict[str, Any], equipment: Any) -> dict[str, Any]:
    """A chart of each point of the equipment's devices, over the span that holds its readings; nothing
    when it has none."""
    user = context["request"].user
    devices = Device.objects.restrict(user).filter(equipment=equipment).order_by("name")
    points = Point.objects.restrict(user).filter(device__equipment=equipment).order_by("name")
    charts: dict[int, list[Chart]] = {}
    for point in points:
        charts.setdefault(point.device_id, []).append(chart_for(point, fitting_span(point)))
    return {"devices": [(device, charts.get(device.pk, [])) for device in devices]}
