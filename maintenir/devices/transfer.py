"""A device's point list as CSV (VOLTTRON-like columns), exported and imported all or nothing."""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.csvio import CsvErrors, ImportReport, cell_value, read_csv, write_csv
from maintenir.core.models import User
from maintenir.core.services import check_permission, save_restricted
from maintenir.devices.models import POINT_SETTINGS, Device, Point

POINT_COLUMNS = list(POINT_SETTINGS)


def export_points(device: Device) -> str:
    def rows() -> Iterator[dict[str, Any]]:
        for point in device.points.order_by("name"):
            values = {name: getattr(point, name) for name in POINT_COLUMNS}
            # Flags as 0/1, as VOLTTRON's registries write them.
            yield {name: int(value) if isinstance(value, bool) else value for name, value in values.items()}

    return write_csv(POINT_COLUMNS, rows())


@transaction.atomic
def import_points(user: User, device: Device, text: str) -> ImportReport:
    """Create the device's points, or update those of the same name; nothing is written if a row is wrong."""
    check_permission(user, Action.CHANGE, device)
    errors = CsvErrors()
    existing = {point.name: point for point in device.points.all()}
    report = ImportReport()
    seen: dict[str, int] = {}
    for line, row in read_csv(text, POINT_COLUMNS, {"name", "address"}, errors):
        name = row["name"]
        if name in seen:
            errors.add(line, "name", _("This name is already on line %(line)d.") % {"line": seen[name]})
            continue
        seen[name] = line
        point = existing.get(name) or Point(device=device, name=name)
        known_errors = len(errors.by_place)
        for column in POINT_COLUMNS:
            if column != "name" and column in row:
                setattr(point, column, cell_value(Point, column, row[column], line, errors))
        if len(errors.by_place) > known_errors:
            continue
        creating = point.pk is None
        try:
            with transaction.atomic():
                save_restricted(user, point)
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        report.created += creating
        report.updated += not creating
    errors.raise_if_any()
    return report
