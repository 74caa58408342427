"""The demo's spare-parts lists and repairables: the press, the conveyor and the air-handling unit each with a
critical spare short, and a variable-speed drive (échange standard) whose serial went from the conveyor to the
repairer and on to the pick-and-place, while another unit of it is at the repairer now."""

from decimal import Decimal
from typing import Any

from maintenir.assets.choices import Technology
from maintenir.assets.models import Equipment, EquipmentType
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.stores import fits, repairables
from maintenir.stores import models as stores
from maintenir.stores import services as stock

D = Decimal
# (reference, description, manufacturer, manufacturer reference, technology, category, repairable)
FIT_PARTS = (
    (
        "JNT-VER-PR01",
        "Kit joints vérin principal presse HPX 250",
        "Schuler",
        "HPX250-DS-KIT",
        Technology.HYDRAULIC,
        "Joints",
        False,
    ),
    (
        "FLT-HYD-10",
        "Élément filtrant retour 10 µm",
        "Hydac",
        "0160 R 010 BN4HC",
        Technology.HYDRAULIC,
        "Filtres",
        False,
    ),
    (
        "PMP-A10VSO-45",
        "Pompe à pistons axiaux A10VSO 45",
        "Bosch Rexroth",
        "R902401917",
        Technology.HYDRAULIC,
        "Pompes",
        False,
    ),
    (
        "MOT-1LE1-4KW",
        "Moteur asynchrone 4 kW 1500 tr/min B3",
        "Siemens",
        "1LE1003-1AB42-2AA4",
        Technology.ELECTRICAL,
        "Moteurs",
        False,
    ),
    (
        "VAR-ATV320-4KW",
        "Variateur Altivar Machine ATV320 4 kW",
        "Schneider Electric",
        "ATV320U40N4C",
        Technology.ELECTRICAL,
        "Variateurs",
        True,
    ),
    ("FLT-F7-592", "Filtre à poches F7 592×592×600", "Camfil", "Hi-Flo XLT7", Technology.MECHANICAL, "Filtres", False),
    ("CRR-SPA-1250", "Courroie trapézoïdale SPA 1250", "Gates", "SPA1250", Technology.MECHANICAL, "Courroies", False),
)
# (equipment code or None, equipment type name or None, part, quantity, minimum to keep when critical)
FITS = (
    ("PR-01", None, "JNT-VER-PR01", "1", "1"),
    (None, "Presse hydraulique", "FLT-HYD-10", "2", None),
    ("PR-01-GH", None, "PMP-A10VSO-45", "1", "1"),
    ("L1-CONV-01", None, "MOT-1LE1-4KW", "1", "1"),
    ("L1-CONV-01", None, "RLT-6205-SKF", "4", "2"),
    ("L1-CONV-01", None, "VAR-ATV320-4KW", "1", "1"),
    ("L1-PP-01", None, "VAR-ATV320-4KW", "1", None),
    ("CVC-CTA-01", None, "FLT-F7-592", "4", "4"),
    ("CVC-CTA-01", None, "CRR-SPA-1250", "2", None),
)
# (location, part, quantity, unit cost): what there is of them.
FIT_STOCK = (
    ("plant", "FLT-HYD-10", "4", "38.50"),
    ("central", "PMP-A10VSO-45", "1", "2450.00"),
    ("central", "FLT-F7-592", "2", "46.00"),
    ("central", "CRR-SPA-1250", "2", "14.20"),
)
DRIVE_COST = D("1180.00")


def create_where_used(manager: User, users: dict[str, User], where: dict[str, stores.Location]) -> None:
    """Spare-parts lists with their critical spares, and the drives' round trips."""
    parts: dict[str, stores.Part] = {
        part.reference: part for part in stores.Part.objects.filter(reference__in=[row[2] for row in FITS])
    }
    fields = ("reference", "description", "manufacturer", "manufacturer_reference", "technology", "category")
    for *spec, repairable in FIT_PARTS:
        part = stores.Part(**dict(zip(fields, spec, strict=True)), is_repairable=repairable)
        parts[part.reference] = save_restricted(manager, part)  # type: ignore[assignment]
    equipment = {item.code: item for item in Equipment.objects.filter(code__in=[row[0] for row in FITS if row[0]])}
    for code, type_name, reference, quantity, minimum in FITS:
        fits.add_fit(
            manager,
            stores.PartFit(
                part=parts[reference],
                equipment=equipment[code] if code else None,
                equipment_type=EquipmentType.objects.get(name=type_name) if type_name else None,
                quantity=D(quantity),
                critical=minimum is not None,
                minimum_stock=D(minimum or 0),
            ),
        )
    for place, reference, quantity, cost in FIT_STOCK:
        stock.receive(manager, parts[reference], where[place], D(quantity), D(cost), reference="Stock initial")
    _drive_round_trips(manager, users["tech"], parts["VAR-ATV320-4KW"], where["central"], equipment)


def _drive_round_trips(
    manager: User, tech: User, drive: stores.Part, central: stores.Location, equipment: dict[str, Any]
) -> None:
    conveyor, picker = equipment["L1-CONV-01"], equipment["L1-PP-01"]
    first, second, third = (
        repairables.receive(manager, drive, serial, central, DRIVE_COST, reference="CF-2024-0412")
        for serial in ("8B1934000123", "8B1934000456", "8B2011000789")
    )
    repairables.fit(tech, first, conveyor, work_order="Mise en service ligne 1")
    repairables.fit(tech, third, picker, work_order="Mise en service ligne 1")
    repairables.remove(tech, first, failed=True, note="Défaut OCF (surintensité) au démarrage")
    repairables.fit(tech, second, conveyor, work_order="Dépannage convoyeur")
    repairables.send_for_repair(manager, first, repairer_name="Schneider Electric Services", reference="RMA-77120")
    repairables.return_from_repair(manager, first, central, D("380.00"), reference="RMA-77120")
    repairables.remove(tech, third, failed=True, note="Afficheur éteint, plus de communication")
    repairables.fit(tech, first, picker, work_order="Dépannage manipulateur")
    repairables.send_for_repair(manager, third, repairer_name="Schneider Electric Services", reference="RMA-78004")
