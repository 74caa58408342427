"""The stores' data from CSV or Excel files, all or nothing: the catalogue, functional equivalences, opening
stock and supplier prices (`maintenir import parts|equivalences|stock|suppliers FILE`, and the stores import
page).

Every row is checked before anything is kept, in one transaction; the errors name the file, the line and the
column (and the sheet of a workbook). Parts are named by internal reference, locations by code, suppliers by name.
Headers are the column names below or the fields' labels, in English or French.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maintenir.core.choices import Action, Role
from maintenir.core.csvio import CsvErrors, ImportReport, cell_value
from maintenir.core.models import User
from maintenir.core.services import check_model_permission
from maintenir.core.tables import Progress, counted, field_aliases, no_progress, read_table
from maintenir.stores import services
from maintenir.stores.models import Interchangeability, Location, Part, StockMovement, Supplier, SupplierPart

Source = File | Path

PART_COLUMNS = [
    *("reference", "description", "manufacturer", "manufacturer_reference", "unit", "category"),
    *("technology", "criticality", "barcode", "superseded_by"),
]
# Written as they are: the rest go through their model field.
PART_FIELDS = [name for name in PART_COLUMNS if name != "superseded_by"]
PART_REQUIRED = {"reference", "description"}
EQUIVALENCE_COLUMNS = ["part", "replacement", "mutual", "condition"]
EQUIVALENCE_REQUIRED = {"part", "replacement"}
OPTIONS = ("mutual", "condition")
STOCK_COLUMNS = ["location", "part", "quantity", "unit_cost"]
STOCK_REQUIRED = set(STOCK_COLUMNS)
SUPPLIER_COLUMNS = ["supplier", "part", "supplier_reference", "price", "minimum_order", "lead_time_days"]
SUPPLIER_REQUIRED = {"supplier", "part", "supplier_reference", "price"}
OFFER_FIELDS = ("supplier_reference", "price", "minimum_order", "lead_time_days")


def _visible(model: type[models.Model], user: User | None) -> models.QuerySet:
    """What the importing user may see; everything for the command line, which acts for the company."""
    manager: Any = model._default_manager
    return manager.all() if user is None else manager.restrict(user)


def _require(user: User | None, *permissions: tuple[str, type[models.Model]]) -> None:
    for action, model in permissions if user is not None else ():
        check_model_permission(user, action, model)


def _read(source: Source, model: type[models.Model], columns: list[str], required: set[str]) -> Any:
    return read_table(source, columns, required, field_aliases(model, columns))


def _named(found: dict[str, Any], row: dict[str, str], column: str, line: int, errors: CsvErrors, missing: str) -> Any:
    """The object a cell names, or None with the error on that cell."""
    value = row.get(column, "")
    if not value:
        errors.add(line, column, _("This field cannot be blank."))
    elif value not in found:
        errors.add(line, column, missing % {"name": value})
    return found.get(value)


def _count(report: ImportReport, obj: models.Model, before: dict[str, Any] | None) -> None:
    if before is None:
        report.created += 1
    elif obj.changelog_data() != before:  # type: ignore[attr-defined]
        report.updated += 1
    else:
        report.unchanged += 1


@transaction.atomic
def import_parts(user: User | None, source: Source, progress: Progress = no_progress) -> ImportReport:
    """Create or update the company's catalogue entries by internal reference; `superseded_by` names another
    part by its reference, in the file or already in the catalogue."""
    _require(user, (Action.ADD, Part), (Action.CHANGE, Part))
    rows, errors = _read(source, Part, PART_COLUMNS, PART_REQUIRED)
    catalogue = {part.reference: part for part in Part.objects.filter(owner=None)}
    report = ImportReport()
    saved: list[tuple[int, Part, str]] = []
    seen: dict[str, int] = {}
    for line, row in counted(rows, _("checking"), progress):
        values = {name: cell_value(Part, name, row.get(name, ""), line, errors) for name in PART_FIELDS}
        if values["reference"] in seen:
            errors.add(line, "reference", _("Already given on line %(line)d.") % {"line": seen[values["reference"]]})
            continue
        seen[values["reference"]] = line
        part = catalogue.get(values["reference"]) or Part()
        before = part.changelog_data() if part.pk else None
        for name, value in values.items():
            setattr(part, name, value)
        try:
            part.full_clean(exclude=["superseded_by", "photo"], validate_unique=part.pk is None)
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        _count(report, part, before)
        part.save()
        catalogue[part.reference] = part
        saved.append((line, part, row.get("superseded_by", "")))
    for line, part, successor in saved:
        if successor and successor not in catalogue:
            errors.add(line, "superseded_by", _("No part %(reference)s.") % {"reference": successor})
        elif successor and catalogue[successor].pk == part.pk:
            errors.add(line, "superseded_by", _("A part cannot supersede itself."))
        elif (successor and catalogue[successor].pk) != (part.superseded_by_id or ""):
            part.superseded_by = catalogue[successor] if successor else None
            part.save(update_fields=["superseded_by", "last_updated"])
    # Raising undoes the whole import, rows already saved included.
    errors.raise_if_any()
    return report


NO_PART = gettext_lazy("No part %(name)s.")


@transaction.atomic
def import_equivalences(user: User | None, source: Source, progress: Progress = no_progress) -> ImportReport:
    """Create or update functional equivalences: `replacement` may be fitted where `part` is needed, both ways
    when `mutual` is 1, under `condition`. Supersessions are the catalogue's `superseded_by` column."""
    _require(user, (Action.ADD, Interchangeability), (Action.CHANGE, Interchangeability))
    rows, errors = _read(source, Interchangeability, EQUIVALENCE_COLUMNS, EQUIVALENCE_REQUIRED)
    parts = {part.reference: part for part in _visible(Part, user)}
    links = {(link.part_id, link.replacement_id): link for link in _visible(Interchangeability, user)}
    seen: dict[tuple[int, int], int] = {}
    report = ImportReport()
    for line, row in counted(rows, _("checking"), progress):
        part = _named(parts, row, "part", line, errors, str(NO_PART))
        replacement = _named(parts, row, "replacement", line, errors, str(NO_PART))
        values = {name: cell_value(Interchangeability, name, row.get(name, ""), line, errors) for name in OPTIONS}
        if part is None or replacement is None:
            continue
        key = (part.pk, replacement.pk)
        if key in seen:
            errors.add(line, "replacement", _("Already given on line %(line)d.") % {"line": seen[key]})
            continue
        seen[key] = line
        if replacement.owner_id not in (None, part.owner_id):
            errors.add(line, "replacement", _("A client's own part replaces only that client's parts."))
            continue
        link = links.get(key) or Interchangeability(part=part, replacement=replacement)
        before = link.changelog_data() if link.pk else None
        link.mutual, link.condition = values["mutual"], values["condition"]
        try:
            link.full_clean()
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        _count(report, link, before)
        link.save()
    errors.raise_if_any()
    return report


def _decimal(row: dict[str, str], column: str, line: int, errors: CsvErrors, model: type[models.Model]) -> Any:
    """A required number of the row, None (with the error) when empty, not a number or more digits than its
    field keeps."""
    if not row.get(column):
        errors.add(line, column, _("This field cannot be blank."))
        return None
    value = cell_value(model, column, row[column], line, errors)
    if value is None:
        return None
    try:
        model._meta.get_field(column).run_validators(value)  # type: ignore[union-attr]
    except ValidationError as error:
        errors.add(line, column, error.messages)
        return None
    return value


@dataclass
class _Opening:
    line: int
    part: Part
    location: Location
    quantity: Decimal
    unit_cost: Decimal


@transaction.atomic
def import_opening_stock(user: User, source: Source, progress: Progress = no_progress) -> ImportReport:
    """Receive each row's quantity of a part into a location at its unit cost, as the stock the books open with
    (movements referenced "Opening stock").

    A part that already has movements at a location is refused there: its stock has been opened, and is
    corrected by a count or an adjustment, which say why. So importing the same file twice is refused too.
    """
    _require(user, (Action.ADD, StockMovement), (Action.CHANGE, Part))
    rows, errors = _read(source, StockMovement, STOCK_COLUMNS, STOCK_REQUIRED)
    parts = {part.reference: part for part in _visible(Part, user)}
    locations = {location.code: location for location in _visible(Location, user)}
    checked: list[_Opening] = []
    seen: dict[tuple[int, int], int] = {}
    for line, row in counted(rows, _("checking"), progress):
        location = _named(locations, row, "location", line, errors, _("No stock location with code %(name)s."))
        part = _named(parts, row, "part", line, errors, str(NO_PART))
        quantity = _decimal(row, "quantity", line, errors, StockMovement)
        unit_cost = _decimal(row, "unit_cost", line, errors, StockMovement)
        if quantity is not None and quantity <= 0:
            errors.add(line, "quantity", _("The quantity must be more than zero."))
        if unit_cost is not None and unit_cost < 0:
            errors.add(line, "unit_cost", _("A price cannot be negative."))
        if part is None or location is None:
            continue
        if (part.pk, location.pk) in seen:
            errors.add(line, "part", _("Already given on line %(line)d.") % {"line": seen[part.pk, location.pk]})
        seen[part.pk, location.pk] = line
        checked.append(_Opening(line, part, location, quantity, unit_cost))
    _refuse_opened(checked, errors)
    errors.raise_if_any()
    for opening in counted(checked, _("writing"), progress):
        try:
            services.receive(
                user, opening.part, opening.location, opening.quantity, opening.unit_cost, reference=_("Opening stock")
            )
        except ValidationError as error:
            errors.add_validation(opening.line, error)
    errors.raise_if_any()
    return ImportReport(created=len(checked))


def _refuse_opened(checked: list[_Opening], errors: CsvErrors) -> None:
    """An error on each row whose part already has movements at its location."""
    wanted = {(opening.part.pk, opening.location.pk) for opening in checked}
    part_ids = sorted({part_id for part_id, _location_id in wanted})
    opened: set[tuple[int, int]] = set()
    # In slices: a database bounds how many values one query may carry.
    for start in range(0, len(part_ids), 500):
        moved = StockMovement.objects.filter(part_id__in=part_ids[start : start + 500])
        opened.update(moved.values_list("part_id", "location_id").distinct())
    for opening in checked:
        if (opening.part.pk, opening.location.pk) in opened:
            errors.add(
                opening.line,
                "part",
                _("%(part)s already has stock movements at %(location)s: correct it with a count.")
                % {"part": opening.part.reference, "location": opening.location.code},
            )


@transaction.atomic
def import_supplier_prices(user: User | None, source: Source, progress: Progress = no_progress) -> ImportReport:
    """Create or update what each supplier sells a part as (reference, price, minimum order, lead time), by
    supplier name and part reference; a supplier not yet known is created with its name."""
    _require(user, (Action.ADD, Supplier), (Action.ADD, SupplierPart), (Action.CHANGE, SupplierPart))
    rows, errors = _read(source, SupplierPart, SUPPLIER_COLUMNS, SUPPLIER_REQUIRED)
    parts = {part.reference: part for part in _visible(Part, user)}
    suppliers = {supplier.name: supplier for supplier in _visible(Supplier, user)}
    offers = {(offer.supplier_id, offer.part_id): offer for offer in _visible(SupplierPart, user)}
    seen: dict[tuple[int, int], int] = {}
    report = ImportReport()
    for line, row in counted(rows, _("checking"), progress):
        part = _named(parts, row, "part", line, errors, str(NO_PART))
        supplier = _supplier(suppliers, row.get("supplier", ""), line, errors)
        values = {name: cell_value(SupplierPart, name, row.get(name, ""), line, errors) for name in OFFER_FIELDS}
        if part is None or supplier is None:
            continue
        key = (supplier.pk, part.pk)
        if key in seen:
            errors.add(line, "part", _("Already given on line %(line)d.") % {"line": seen[key]})
            continue
        seen[key] = line
        offer = offers.get(key) or SupplierPart(supplier=supplier, part=part)
        before = offer.changelog_data() if offer.pk else None
        for name, value in values.items():
            setattr(offer, name, value)
        try:
            offer.full_clean()
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        _count(report, offer, before)
        offer.save()
    errors.raise_if_any()
    return report


def _supplier(suppliers: dict[str, Supplier], name: str, line: int, errors: CsvErrors) -> Supplier | None:
    if name in suppliers:
        return suppliers[name]
    supplier = Supplier(name=name)
    try:
        supplier.full_clean()
    except ValidationError as error:
        errors.add_validation(line, error, {"name": "supplier"})
        return None
    supplier.save()
    suppliers[name] = supplier
    return supplier


@dataclass(frozen=True)
class ImportKind:
    label: Any
    columns: list[str]
    required: set[str]
    importer: Callable[..., ImportReport]


KINDS = {
    "parts": ImportKind(gettext_lazy("Parts catalogue"), PART_COLUMNS, PART_REQUIRED, import_parts),
    "equivalences": ImportKind(
        gettext_lazy("Functional equivalences"), EQUIVALENCE_COLUMNS, EQUIVALENCE_REQUIRED, import_equivalences
    ),
    "stock": ImportKind(gettext_lazy("Opening stock"), STOCK_COLUMNS, STOCK_REQUIRED, import_opening_stock),
    "suppliers": ImportKind(
        gettext_lazy("Supplier prices"), SUPPLIER_COLUMNS, SUPPLIER_REQUIRED, import_supplier_prices
    ),
}


def _command_user(username: str | None) -> User:
    """Who the command line's stock movements are recorded as: `--user`, or else the first administrator."""
    users = User.objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else users.filter(models.Q(role=Role.ADMINISTRATOR) | models.Q(is_superuser=True)).order_by("pk").first()
    )
    if user is None:
        raise ValidationError(
            _("No active user named %(name)s.") % {"name": username}
            if username
            else _("There is no administrator: name the user the stock is received by with --user.")
        )
    return user


def run(path: Path, options: dict[str, Any], progress: Any) -> dict[str, int]:
    """`maintenir import KIND FILE`: the command line acts for the company; stock movements need a user."""
    kind = KINDS[options["kind"]]
    needs_user = options["kind"] == "stock" or options.get("user")
    user = _command_user(options.get("user")) if needs_user else None
    try:
        report = kind.importer(user, path, progress)
    except PermissionDenied as error:
        raise ValidationError(str(error)) from error
    return dataclasses.asdict(report)
