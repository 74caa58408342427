"""Two technicians take the last unit at the same moment, each in a transaction of their own.

Runs in the PostgreSQL pass of the suite: SQLite serialises every writer, so it cannot show the race.
"""

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.stores import services as stock
from maintenir.stores.models import StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the PostgreSQL pass of the suite: SQLite allows one writer at a time, so there is no race",
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_technicians_issuing_the_last_unit_one_gets_a_conflict() -> None:
    manager = UserFactory(role=Role.MANAGER)
    technicians = [UserFactory(role=Role.TECHNICIAN) for _ in range(2)]
    part = PartFactory(reference="BOB-LC1D-24V")
    store = LocationFactory(name="Saint-Étienne plant store")
    stock.receive(manager, part, store, Decimal(1), Decimal("21.90"))
    # Both wait here until the other is ready, then issue at once.
    start = threading.Barrier(len(technicians))
    outcomes: dict[str, str] = {}

    def take(technician: Any) -> None:
        try:
            start.wait()
            stock.issue(technician, part, store, Decimal(1), reference=technician.username)
            outcomes[technician.username] = "issued"
        except stock.StockConflict as conflict:
            outcomes[technician.username] = " ".join(conflict.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(technician,)) for technician in technicians]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values())[-1] == "issued"
    assert sorted(outcomes.values())[0] == ("Only 0 of BOB-LC1D-24V available at Saint-Étienne plant store; 1 asked.")
    assert StockBalance.objects.get(part=part, location=store).on_hand == 0
    assert StockMovement.objects.filter(part=part, kind="issue").count() == 1
