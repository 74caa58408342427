"""The demo's purchasing: a year of consumption from the central store, reorder rules, a bearing under its
reorder point, and a purchase order of coils sent to the supplier and partly received."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.core.mail import get_connection
from django.utils import timezone

from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.reports.purchase_orders import purchase_order_pdf
from maintenir.stores import models as stores
from maintenir.stores import purchasing
from maintenir.stores import services as stock

# (part, mean units issued a day, batch received when the shelf runs out, unit cost of the batches)
CONSUMPTION = (
    ("RLT-6205-SKF", 0.12, 10, ("9.80", "9.95", "10.10")),
    ("BOB-LXD1B7", 0.035, 4, ("38.90", "39.40")),
)
# (location, part, reorder point, order up to); the central store also refills the vans and the plant's store,
# so it keeps more bearings than its own issues suggest.
RULES = (
    ("central", "RLT-6205-SKF", "8", "24"),
    ("central", "BOB-LXD1B7", "2", "6"),
    ("plant", "RLT-6205-FAG", "1", "4"),
    ("plant", "BOB-LXD1B7-C", "1", "5"),
)
SUPPLIER_EMAILS = {
    "Rexel Lyon Gerland": "commandes.lyon@rexel.example",
    "Festo France": "service.commandes@festo.example",
    "Roulements Rhône-Alpes": "achats@roulements-rhone-alpes.example",
}


def _dated(movement: stores.StockMovement, moment: datetime.datetime) -> None:
    # The ledger is append-only; only the demo writes its history in the past.
    stores.StockMovement.objects.filter(pk=movement.pk).update(created=moment)


def _consume(manager: User, part: stores.Part, store: stores.Location, spec: tuple[Any, ...]) -> None:
    """A year of issues to work orders on working days, the shelf refilled by a batch when it runs out."""
    _reference, rate, batch, costs = spec
    chance = random.Random(f"demo-{part.reference}")  # noqa: S311 (demo history, not security)
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    on_hand = stock.available(part, store)
    for days_ago in range(365, 0, -1):
        day = today - datetime.timedelta(days=days_ago)
        # Issues of 1⅓ units on average, on working days only, make `rate` units a calendar day.
        if day.weekday() >= 5 or chance.random() >= rate * 7 / 5 * 3 / 4:
            continue
        quantity = Decimal(chance.choice((1, 1, 2)))
        # Refilled before the last unit goes: the store is never found empty.
        if on_hand - quantity < 1:
            receipt = stock.receive(
                manager, part, store, Decimal(batch), Decimal(chance.choice(costs)), reference=f"BL-{day:%y%m%d}"
            )
            _dated(receipt, day - datetime.timedelta(hours=2))
            on_hand += batch
        issue = stock.issue(manager, part, store, quantity, reference=f"OT-{day:%y%m%d}")
        _dated(issue, day + datetime.timedelta(hours=chance.randint(0, 6)))
        on_hand -= quantity


def create_purchasing(manager: User, where: dict[str, stores.Location], parts: dict[str, stores.Part]) -> None:
    for name, email in SUPPLIER_EMAILS.items():
        supplier = stores.Supplier.objects.get(name=name)
        supplier.email = email
        save_restricted(manager, supplier)
    # The opening stock was there before the year of consumption began.
    opening = timezone.now() - datetime.timedelta(days=400)
    stores.StockMovement.objects.filter(reference="Stock initial").update(created=opening)
    for spec in CONSUMPTION:
        _consume(manager, parts[spec[0]], where["central"], spec)
    for place, part, point, maximum in RULES:
        rule = stores.ReorderRule(
            part=parts[part], location=where[place], reorder_point=Decimal(point), maximum=Decimal(maximum)
        )
        save_restricted(manager, rule)
    # The coils were ordered last week; half of them came in yesterday.
    coils = purchasing.request_part(
        manager, parts["BOB-LXD1B7-C"], where["plant"], Decimal(5), "Stock de l'usine bas avant l'arrêt technique"
    )
    [order] = purchasing.order_requests(manager, [coils])
    purchasing.send_order(
        manager,
        order,
        lambda order: purchase_order_pdf(manager, order),
        "Livraison au magasin de l'usine de Saint-Étienne, quai 2.",
        # The demo's suppliers are fictitious: their e-mail goes nowhere.
        connection=get_connection("django.core.mail.backends.dummy.EmailBackend"),
    )
    purchasing.receive_line(manager, order.lines.get(), Decimal(2), reference="BL-REX-20481")
