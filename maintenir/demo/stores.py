"""The demo's stores: the catalogue, its equivalences, suppliers, locations and opening stock."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from maintenir.assets.choices import Technology
from maintenir.assets.models import Site
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.demo.stores_fits import create_where_used
from maintenir.demo.stores_purchasing import create_purchasing
from maintenir.stores import counts
from maintenir.stores import models as stores
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind

PART_FIELDS = ("reference", "description", "manufacturer", "manufacturer_reference", "technology", "category")
DEMO_PARTS = (
    ("RLT-6205-SKF", "Roulement à billes 6205-2RS 25×52×15", "SKF", "6205-2RSH", Technology.MECHANICAL, "Roulements"),
    (
        "RLT-6205-FAG",
        "Roulement à billes 6205-2RS 25×52×15",
        "Schaeffler FAG",
        "6205-2RSR",
        Technology.MECHANICAL,
        "Roulements",
    ),
    ("RLT-6205-NTN", "Roulement à billes 6205-2RS 25×52×15", "NTN-SNR", "6205LLU", Technology.MECHANICAL, "Roulements"),
    (
        "VER-DNC-32-100",
        "Vérin ISO 15552 Ø32 course 100 (obsolète)",
        "Festo",
        "DNC-32-100-PPV-A",
        Technology.PNEUMATIC,
        "Vérins",
    ),
    (
        "VER-DSBC-32-100",
        "Vérin ISO 15552 Ø32 course 100",
        "Festo",
        "DSBC-32-100-PPVA-N3",
        Technology.PNEUMATIC,
        "Vérins",
    ),
    (
        "BOB-LXD1B7",
        "Bobine de contacteur 24 V CA pour LC1D09…D38",
        "Schneider Electric",
        "LXD1B7",
        Technology.ELECTRICAL,
        "Bobines",
    ),
    (
        "BOB-LXD1B7-C",
        "Bobine compatible 24 V CA pour LC1D09…D38",
        "Elecsys",
        "EC-LXD1B7",
        Technology.ELECTRICAL,
        "Bobines",
    ),
)
# (supplier, its reference, part, price, minimum order, lead time in days)
DEMO_SUPPLIES = (
    ("Rexel Lyon Gerland", "SCH-LXD1B7", "BOB-LXD1B7", "38.90", "1", 2),
    ("Rexel Lyon Gerland", "ELX-EC-LXD1B7", "BOB-LXD1B7-C", "24.50", "5", 5),
    ("Festo France", "1376659", "VER-DSBC-32-100", "189.00", "1", 7),
    ("Roulements Rhône-Alpes", "SKF6205-2RSH", "RLT-6205-SKF", "9.80", "10", 3),
    ("Roulements Rhône-Alpes", "FAG6205-2RSR", "RLT-6205-FAG", "8.60", "10", 3),
)
# (location, part, quantity, unit cost): the opening stock.
DEMO_STOCK = (
    ("central", "RLT-6205-SKF", "8", "9.80"),
    ("central", "VER-DSBC-32-100", "2", "189.00"),
    ("central", "BOB-LXD1B7", "4", "38.90"),
    ("plant", "RLT-6205-FAG", "2", "8.60"),
    ("plant", "VER-DNC-32-100", "1", "165.00"),
    ("plant", "BOB-LXD1B7-C", "3", "24.50"),
    ("tech", "RLT-6205-NTN", "2", "8.90"),
    ("tech", "BOB-LXD1B7", "1", "38.90"),
    ("ines", "RLT-6205-SKF", "1", "9.80"),
)


def create_stores(manager: User, users: dict[str, User]) -> None:
    """The central store in Lyon, the Saint-Étienne plant's store, two vans, and a catalogue whose
    equivalences are those of a real workshop: one bearing from three makers, a cylinder and the model
    that superseded it, a contactor coil and its compatible replacement."""

    def save(instance: Any) -> Any:
        return save_restricted(manager, instance)

    plant = Site.objects.get(code="usine-saint-etienne")
    central = save(stores.Location(code="magasin-lyon", name="Magasin central Lyon", kind=LocationKind.CENTRAL_STORE))
    plant_store = save(
        stores.Location(
            code="magasin-saint-etienne",
            name="Magasin usine Saint-Étienne",
            kind=LocationKind.SITE_STORE,
            site=plant,
        )
    )
    vans = {
        username: save(
            stores.Location(code=f"vehicule-{username}", name=name, kind=LocationKind.VAN, technician=users[username])
        )
        for username, name in (("tech", "Véhicule Julien (GE-418-LB)"), ("ines", "Véhicule Inès (GF-207-RT)"))
    }
    parts = {spec[0]: save(stores.Part(**dict(zip(PART_FIELDS, spec, strict=True)))) for spec in DEMO_PARTS}
    for first, second in (
        ("RLT-6205-SKF", "RLT-6205-FAG"),
        ("RLT-6205-SKF", "RLT-6205-NTN"),
        ("RLT-6205-FAG", "RLT-6205-NTN"),
    ):
        save(stores.Interchangeability(part=parts[first], replacement=parts[second], mutual=True))
    save(
        stores.Interchangeability(
            part=parts["BOB-LXD1B7"],
            replacement=parts["BOB-LXD1B7-C"],
            mutual=True,
            condition="Même tension (24 V CA), à visser sur la même carcasse LC1D09 à D38",
        )
    )
    old_cylinder = parts["VER-DNC-32-100"]
    old_cylinder.superseded_by = parts["VER-DSBC-32-100"]
    save(old_cylinder)
    for name, reference, part, price, minimum, days in DEMO_SUPPLIES:
        supplier = stores.Supplier.objects.filter(name=name).first() or save(stores.Supplier(name=name))
        save(
            stores.SupplierPart(
                supplier=supplier,
                part=parts[part],
                supplier_reference=reference,
                price=Decimal(price),
                minimum_order=Decimal(minimum),
                lead_time_days=days,
            )
        )
    where = {"central": central, "plant": plant_store, **vans}
    for place, part, quantity, cost in DEMO_STOCK:
        stock.receive(manager, parts[part], where[place], Decimal(quantity), Decimal(cost), reference="Stock initial")
    create_purchasing(manager, where, parts)
    # The plant store's next cycle count: its two parts counted longest ago.
    counts.plan(manager, plant_store, timezone.localdate() + datetime.timedelta(days=3), lines=2)
    create_where_used(manager, users, where)
