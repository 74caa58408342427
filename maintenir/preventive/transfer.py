"""CSV export and import of gammes and triggers (see `core.csvio`).

An import is all or nothing: every row is checked, and if any is wrong nothing is written and
the error names the line and the column ("line 4, column expected_max"). Exports write the same
columns, so a file exported, edited in a spreadsheet and imported again updates what it lists.
"""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maintenir.assets.models import Equipment, EquipmentType
from maintenir.core.choices import Action
from maintenir.core.csvio import CsvErrors, ImportReport, cell_value, read_csv, write_csv
from maintenir.core.models import User
from maintenir.core.services import check_model_permission, save_restricted
from maintenir.devices.models import Point
from maintenir.preventive import services
from maintenir.preventive.models import Gamme, GammeStep, MaintenancePlan, Trigger

STEP_COLUMNS = list(services.STEP_FIELDS)
GAMME_COLUMNS = ["code", "name", "description", "equipment_type", *STEP_COLUMNS]
TRIGGER_COLUMNS = [
    "id",
    "plan",
    "gamme",
    "equipment",
    "equipment_type",
    "kind",
    "priority",
    "is_active",
    "interval",
    "interval_unit",
    "anchor",
    "start_date",
    "skip_non_working_days",
    "tolerance_days",
    "counter_kind",
    "point",
    "counter_interval",
    "lead_percent",
    "operator",
    "threshold",
    "threshold_high",
    "hold_minutes",
    "horizon_days",
    "window_days",
]
# Columns naming other objects: by code (gamme, equipment on the plan's site), name (type, point of the
# equipment's devices) or id (plan, trigger).
TRIGGER_REFERENCES = {"id", "plan", "gamme", "equipment", "equipment_type", "point"}

# --- Gammes ----------------------------------------------------------------------------------


def export_gammes(user: User) -> str:
    """One row per step of each gamme's current version (a gamme without steps has one row)."""

    def rows() -> Iterator[dict[str, Any]]:
        for gamme in Gamme.objects.restrict(user).select_related("equipment_type").order_by("code"):
            header = {
                "code": gamme.code,
                "name": gamme.name,
                "description": gamme.description,
                "equipment_type": gamme.equipment_type.name if gamme.equipment_type else "",
            }
            version = services.current_version(gamme)
            steps = services.version_steps(version) if version else []
            for step in steps or [{}]:
                yield header | {name: step.get(name) for name in STEP_COLUMNS}

    return write_csv(GAMME_COLUMNS, rows())


@transaction.atomic
def import_gammes(user: User, text: str) -> ImportReport:
    """Create or update gammes, one row per step; changed steps publish a new version."""
    check_model_permission(user, Action.ADD, Gamme)
    errors = CsvErrors()
    rows = read_csv(text, GAMME_COLUMNS, {"code", "name", "instruction"}, errors)
    by_code: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        if not row.get("code"):
            errors.add(line, "code", _("This field cannot be blank."))
            continue
        by_code.setdefault(row["code"], []).append((line, row))
    types = {equipment_type.name: equipment_type for equipment_type in EquipmentType.objects.restrict(user)}
    report = ImportReport()
    for code, gamme_rows in by_code.items():
        first_line, first = gamme_rows[0]
        gamme = Gamme.objects.restrict(user).filter(code=code).first() or Gamme(code=code)
        creating = gamme.pk is None
        gamme.name = first.get("name", "")
        gamme.description = first.get("description", "")
        type_name = first.get("equipment_type", "")
        if type_name and type_name not in types:
            errors.add(first_line, "equipment_type", _("No equipment type named %(name)s.") % {"name": type_name})
        gamme.equipment_type = types.get(type_name)
        # Steps in the order of their position column, else of the file.
        step_rows = sorted(
            ((line, row) for line, row in gamme_rows if row.get("instruction")),
            key=lambda item: int(item[1]["position"]) if item[1].get("position", "").isdigit() else item[0],
        )
        known_errors = len(errors.by_place)
        steps = [
            {
                name: cell_value(GammeStep, name, row.get(name, ""), line, errors)
                for name in STEP_COLUMNS
                if name != "position"
            }
            for line, row in step_rows
        ]
        if len(errors.by_place) > known_errors:
            continue
        step_lines = [line for line, _row in step_rows]
        version = None if creating else services.current_version(gamme)
        current = services.version_steps(version) if version else []
        steps_changed = creating or [{k: v for k, v in step.items() if k != "position"} for step in current] != steps
        try:
            with transaction.atomic():
                if steps_changed:
                    services.publish_gamme(user, gamme, steps, _("Imported from CSV."))
                else:
                    save_restricted(user, gamme)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name.startswith("steps."):
                    _steps, position, column = name.split(".", 2)
                    errors.add(step_lines[int(position) - 1], column, messages)
                else:
                    errors.add(first_line, "" if name == "__all__" else name, messages)
            continue
        if creating:
            report.created += 1
        elif steps_changed:
            report.updated += 1
        else:
            report.unchanged += 1
    errors.raise_if_any()
    return report


# --- Triggers --------------------------------------------------------------------------------


def export_triggers(user: User, plan: MaintenancePlan | None = None) -> str:
    triggers = (
        Trigger.objects.restrict(user).select_related("gamme", "equipment", "equipment_type", "point").order_by("pk")
    )
    if plan is not None:
        triggers = triggers.filter(plan=plan)

    def rows() -> Iterator[dict[str, Any]]:
        for trigger in triggers:
            row = {name: getattr(trigger, name) for name in TRIGGER_COLUMNS if name not in TRIGGER_REFERENCES}
            yield row | {
                "id": trigger.pk,
                "plan": trigger.plan_id,
                "gamme": trigger.gamme.code,
                "equipment": trigger.equipment.code if trigger.equipment else "",
                "equipment_type": trigger.equipment_type.name if trigger.equipment_type else "",
                "point": trigger.point.name if trigger.point else "",
                "is_active": int(trigger.is_active),
                "skip_non_working_days": int(trigger.skip_non_working_days),
            }

    return write_csv(TRIGGER_COLUMNS, rows())


@transaction.atomic
def import_triggers(user: User, text: str) -> ImportReport:
    """Create triggers (empty id) or update those whose id is given; plans, gammes and equipment must exist."""
    check_model_permission(user, Action.ADD, Trigger)
    errors = CsvErrors()
    rows = read_csv(text, TRIGGER_COLUMNS, {"plan", "gamme", "kind"}, errors)
    plans = MaintenancePlan.objects.restrict(user)
    gammes = {gamme.code: gamme for gamme in Gamme.objects.restrict(user)}
    types = {equipment_type.name: equipment_type for equipment_type in EquipmentType.objects.restrict(user)}
    report = ImportReport()
    for line, row in rows:
        known_errors = len(errors.by_place)
        trigger = _trigger_for(user, row, line, errors)
        if trigger is None:
            continue
        plan = plans.filter(pk=row["plan"]).first() if row["plan"].isdigit() else None
        if plan is None:
            errors.add(line, "plan", _("No maintenance plan %(value)s.") % {"value": row["plan"]})
            continue
        trigger.plan = plan
        if row["gamme"] not in gammes:
            errors.add(line, "gamme", _("No gamme with the code %(value)s.") % {"value": row["gamme"]})
        trigger.gamme = gammes.get(row["gamme"])  # type: ignore[assignment]
        code = row.get("equipment", "")
        trigger.equipment = Equipment.objects.restrict(user).filter(site=plan.site_id, code=code).first()
        if code and trigger.equipment is None:
            errors.add(line, "equipment", _("No equipment %(code)s on the plan's site.") % {"code": code})
        point_name = row.get("point", "")
        trigger.point = (
            Point.objects.filter(device__equipment=trigger.equipment, name=point_name).first() if point_name else None
        )
        if point_name and trigger.point is None:
            errors.add(line, "point", _("No point %(name)s on the equipment's devices.") % {"name": point_name})
        type_name = row.get("equipment_type", "")
        trigger.equipment_type = types.get(type_name)
        if type_name and trigger.equipment_type is None:
            errors.add(line, "equipment_type", _("No equipment type named %(name)s.") % {"name": type_name})
        for name in TRIGGER_COLUMNS:
            if name not in TRIGGER_REFERENCES and name in row:
                setattr(trigger, name, cell_value(Trigger, name, row[name], line, errors))
        if len(errors.by_place) > known_errors or trigger.gamme is None:
            continue
        creating = trigger.pk is None
        try:
            with transaction.atomic():
                services.save_trigger(user, trigger)
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        report.created += creating
        report.updated += not creating
    errors.raise_if_any()
    return report


def _trigger_for(user: User, row: dict[str, str], line: int, errors: CsvErrors) -> Trigger | None:
    """The trigger a row updates (its id), or a new one; None when the id names no visible trigger."""
    if not row.get("id"):
        return Trigger()
    found = Trigger.objects.restrict(user, Action.CHANGE).filter(pk=row["id"]).first() if row["id"].isdigit() else None
    if found is None:
        errors.add(line, "id", _("No trigger %(value)s to update.") % {"value": row["id"]})
    return found
