"""The devices' test fixtures: the independent peers (module-scoped: each starts once per test module that
uses it), and a technician at work on an equipment."""

from collections.abc import Callable
from typing import Any

import pytest

from maintenir.devices.tests.independent_peers import knxd_peer, o6_peer, pymodbustcp_peer
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import WorkOrderFactory

__all__ = ["at_work", "knxd_peer", "o6_peer", "pymodbustcp_peer"]


@pytest.fixture
def at_work(db: None) -> Callable[..., WorkOrder]:
    """Assign someone to a work order on the equipment (in progress unless told): a technician writes
    parameter sets to the devices of the equipment they are at work on."""

    def assign(user: Any, equipment: Any, status: str = WorkOrderStatus.IN_PROGRESS) -> WorkOrder:
        order = WorkOrderFactory(equipment=equipment, status=status)
        order.assignees.add(user)
        return order

    return assign
