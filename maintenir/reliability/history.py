"""Import of a maintenance history in the layout of the public Azure predictive-maintenance data set.

- `PdM_machines.csv` (machineID, model, age): one equipment per machine, its type named after the
  model, installed `age` years before the end of the history;
- `PdM_failures.csv` (datetime, machineID, failure): one closed corrective work order per failure,
  the failed component as its failure mode, with a failure downtime of `repair_hours` (the data
  set does not say how long repairs took);
- `PdM_maint.csv` (datetime, machineID, comp): a replacement at the time of a failure of the same
  component is that failure's repair (the part is recorded on it); every other one is a closed
  preventive work order with the part replaced;
- `PdM_errors.csv` (datetime, machineID, errorID): one equipment event per error.

Every file is read and checked before anything is written; the errors name the file, the line and
the column. The writes are one transaction: all or nothing.
"""

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.csvio import CsvErrors, read_csv
from maintenir.core.models import Organisation
from maintenir.reliability import monthly
from maintenir.reliability.models import EquipmentEvent
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import Downtime, FailureMode, PartUsage, WorkOrder

FILES = {
    "machines": ("PdM_machines.csv", ["machineID", "model", "age"]),
    "failures": ("PdM_failures.csv", ["datetime", "machineID", "failure"]),
    "maint": ("PdM_maint.csv", ["datetime", "machineID", "comp"]),
    "errors": ("PdM_errors.csv", ["datetime", "machineID", "errorID"]),
}
DEFAULT_REPAIR_HOURS = 8.0

# Told the stage just written, the rows written so far and the rows to write in all.
Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class HistoryReport:
    equipment: int = 0
    failures: int = 0
    preventive: int = 0
    events: int = 0


def equipment_code(machine: int) -> str:
    return f"M{machine:03d}"


def failure_mode_code(component: str) -> str:
    return f"PDM-{component.upper()}"


@dataclasses.dataclass
class _Parsed:
    machines: dict[int, tuple[str, int]] = dataclasses.field(default_factory=dict)  # id → (model, age)
    failures: list[tuple[datetime.datetime, int, str]] = dataclasses.field(default_factory=list)
    maint: list[tuple[datetime.datetime, int, str]] = dataclasses.field(default_factory=list)
    errors: list[tuple[datetime.datetime, int, str]] = dataclasses.field(default_factory=list)


def import_history(
    directory: Path,
    organisation_code: str,
    site_code: str,
    repair_hours: float = DEFAULT_REPAIR_HOURS,
    progress: Progress | None = None,
) -> HistoryReport:
    parsed = _read(directory)
    with transaction.atomic():
        return _write(parsed, organisation_code, site_code, repair_hours, progress or (lambda *args: None))


def _read(directory: Path) -> _Parsed:
    parsed = _Parsed()
    by_place: dict[str, list[str]] = {}
    for kind, (name, columns) in FILES.items():
        errors = CsvErrors()
        path = directory / name
        if not path.is_file():
            by_place[name] = [_("This file is missing from %(directory)s.") % {"directory": directory}]
            continue
        try:
            rows = read_csv(path.read_text(encoding="utf-8"), columns, set(columns), errors)
        except ValidationError:
            rows = []
        for line, row in rows:
            machine = _integer(row, "machineID", line, errors)
            if kind == "machines":
                age = _integer(row, "age", line, errors)
                if not row["model"]:
                    errors.add(line, "model", _("This value is required."))
                if machine in parsed.machines:
                    errors.add(line, "machineID", _("This machine is already listed."))
                if machine is not None and age is not None:
                    parsed.machines[machine] = (row["model"], age)
                continue
            moment = _moment(row["datetime"], line, errors)
            code_column = columns[2]
            if not row[code_column]:
                errors.add(line, code_column, _("This value is required."))
            if machine is not None and parsed.machines and machine not in parsed.machines:
                errors.add(line, "machineID", _("No machine %(id)s in PdM_machines.csv.") % {"id": machine})
            if moment is not None and machine is not None:
                getattr(parsed, kind).append((moment, machine, row[code_column]))
        for place, messages in errors.by_place.items():
            by_place[f"{name}, {place}"] = messages
    if by_place:
        raise ValidationError(by_place)
    return parsed


def _integer(row: dict[str, str], column: str, line: int, errors: CsvErrors) -> int | None:
    try:
        value = int(row[column])
    except ValueError:
        errors.add(line, column, _("Write a whole number."))
        return None
    if value < 0:
        errors.add(line, column, _("Write a whole number."))
        return None
    return value


def _moment(raw: str, line: int, errors: CsvErrors) -> datetime.datetime | None:
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        errors.add(line, "datetime", _("Write a date and time such as 2015-01-05T06:00:00."))
        return None
    # The data set's times carry no zone: they are read as UTC.
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def _write(
    parsed: _Parsed, organisation_code: str, site_code: str, repair_hours: float, progress: Progress
) -> HistoryReport:
    organisation, _created = Organisation.objects.get_or_create(
        code=organisation_code, defaults={"name": organisation_code}
    )
    site, _created = Site.objects.get_or_create(organisation=organisation, code=site_code, defaults={"name": site_code})
    existing = set(
        Equipment.objects.filter(site=site, code__in=[equipment_code(m) for m in parsed.machines]).values_list(
            "code", flat=True
        )
    )
    if existing:
        raise ValidationError(
            _("PdM_machines.csv: %(codes)s already exist on site %(site)s; the history was imported before.")
            % {"codes": ", ".join(sorted(existing)[:5]), "site": site_code}
        )
    moments = [moment for rows in (parsed.failures, parsed.maint, parsed.errors) for moment, _m, _c in rows]
    end_year = max(moments).year if moments else timezone.now().year
    total = len(parsed.machines) + len(parsed.failures) + len(parsed.maint) + len(parsed.errors)
    equipment = _equipment(parsed, site, end_year)
    progress("machines", len(equipment), total)
    report = HistoryReport(equipment=len(equipment))
    report.failures = _failures(parsed, site, equipment, repair_hours)
    progress("failures", len(equipment) + len(parsed.failures), total)
    report.preventive = _preventive(parsed, site, equipment)
    # Written in bulk, without save(): the monthly figures of the equipment are brought up to date here.
    monthly.refresh(equipment.values())
    progress("maint", total - len(parsed.errors), total)
    report.events = len(parsed.errors)
    bulk.insert(
        EquipmentEvent,
        [
            {"equipment_id": equipment[machine], "occurred_at": moment, "code": code}
            for moment, machine, code in parsed.errors
        ],
    )
    progress("errors", total, total)
    return report


def _equipment(parsed: _Parsed, site: Site, end_year: int) -> dict[int, int]:
    types = {
        model: EquipmentType.objects.get_or_create(name=model)[0].pk
        for model in sorted({model for model, _age in parsed.machines.values()})
    }
    ids = bulk.reserve_ids(Equipment, len(parsed.machines))
    by_machine = dict(zip(sorted(parsed.machines), ids, strict=True))
    bulk.insert(
        Equipment,
        [
            {
                "id": by_machine[machine],
                "site_id": site.pk,
                "code": equipment_code(machine),
                "name": _("Machine %(id)s") % {"id": machine},
                "equipment_type_id": types[model],
                "model": model,
                "installation_date": datetime.date(end_year - age, 1, 1),
            }
            for machine, (model, age) in sorted(parsed.machines.items())
        ],
    )
    return by_machine


def _failure_modes(components: set[str]) -> dict[str, int]:
    modes = {}
    for component in sorted(components):
        mode, _created = FailureMode.objects.get_or_create(
            code=failure_mode_code(component),
            defaults={"name": _("Failure of %(component)s") % {"component": component}},
        )
        modes[component] = mode.pk
    return modes


def _failures(parsed: _Parsed, site: Site, equipment: dict[int, int], repair_hours: float) -> int:
    modes = _failure_modes({component for _moment, _machine, component in parsed.failures})
    repair = datetime.timedelta(hours=repair_hours)
    ids = bulk.reserve_ids(WorkOrder, len(parsed.failures))
    orders, downtimes, parts = [], [], []
    for pk, (moment, machine, component) in zip(ids, parsed.failures, strict=True):
        orders.append(
            {
                "id": pk,
                "site_id": site.pk,
                "equipment_id": equipment[machine],
                "work_type": WorkOrderType.CORRECTIVE,
                "title": _("Failure of %(component)s") % {"component": component},
                "status": WorkOrderStatus.CLOSED,
                "created": moment,
                "started_at": moment,
                "completed_at": moment + repair,
                "closed_at": moment + repair,
                "failure_mode_id": modes[component],
            }
        )
        downtimes.append(
            {
                "equipment_id": equipment[machine],
                "work_order_id": pk,
                "cause": DowntimeCause.FAILURE,
                "started_at": moment,
                "ended_at": moment + repair,
                "created": moment,
            }
        )
        parts.append({"work_order_id": pk, "description": component, "quantity": 1, "created": moment})
    bulk.insert(WorkOrder, orders)
    bulk.insert(Downtime, downtimes)
    bulk.insert(PartUsage, parts)
    return len(orders)


def _preventive(parsed: _Parsed, site: Site, equipment: dict[int, int]) -> int:
    repairs = set(parsed.failures)
    planned = [row for row in parsed.maint if row not in repairs]
    ids = bulk.reserve_ids(WorkOrder, len(planned))
    orders, parts = [], []
    for pk, (moment, machine, component) in zip(ids, planned, strict=True):
        orders.append(
            {
                "id": pk,
                "site_id": site.pk,
                "equipment_id": equipment[machine],
                "work_type": WorkOrderType.PREVENTIVE_SYSTEMATIC,
                "title": _("Replacement of %(component)s") % {"component": component},
                "status": WorkOrderStatus.CLOSED,
                "created": moment,
                "due_date": moment.date(),
                "started_at": moment,
                "completed_at": moment,
                "closed_at": moment,
            }
        )
        parts.append({"work_order_id": pk, "description": component, "quantity": 1, "created": moment})
    bulk.insert(WorkOrder, orders)
    bulk.insert(PartUsage, parts)
    return len(orders)
