"""Every list, home page and API list reads the big tables through indexes: their cost does not grow with history.

The query plans are PostgreSQL's (runs in the PostgreSQL pass of the suite): with tens of thousands of orders,
requests, changes and readings, a sequential scan of one of those tables, or a COUNT(*) over all of a list's
rows, would show in the plan of the queries a real request makes. The query counts hold on every database.
"""

import datetime
import random
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core import keyset
from maintenir.core.choices import Role
from maintenir.core.models import ObjectChange
from maintenir.core.tests.factories import UserFactory
from maintenir.devices.choices import Quality
from maintenir.devices.models import Reading
from maintenir.devices.tests.factories import PointFactory
from maintenir.workorders.choices import OPEN_STATUSES, WorkOrderStatus, WorkRequestStatus
from maintenir.workorders.models import WorkOrder, WorkRequest

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BIG_TABLES = ("workorders_workorder", "workorders_workrequest", "core_objectchange", "devices_reading")
SEQ_SCAN = re.compile(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b")
ORDERS, REQUESTS, CHANGES, READINGS = 30_000, 15_000, 30_000, 30_000


def fill(org: Any, technician: Any, orders: int, requests: int, changes: int, readings: int) -> dict[str, Any]:
    """A history: 1 % of the orders open, the rest closed, over four sites of `org` and one of another client."""
    rng = random.Random(19)
    sites: list[Any] = [SiteFactory(organisation=org) for _ in range(4)] + [SiteFactory()]
    equipment: list[Any] = [EquipmentFactory(site=site) for site in sites for _ in range(5)]
    today = timezone.localdate()
    open_statuses = sorted(OPEN_STATUSES)
    WorkOrder.objects.bulk_create(
        (
            WorkOrder(
                site_id=item.site_id,
                equipment=item,
                title=f"Order {number}",
                priority=rng.randint(1, 4),
                status=rng.choice(open_statuses) if rng.random() < 0.01 else WorkOrderStatus.CLOSED,
                due_date=None if rng.random() < 0.05 else today + datetime.timedelta(days=rng.randint(-1000, 30)),
            )
            for number, item in ((number, rng.choice(equipment)) for number in range(orders))
        ),
        batch_size=5000,
    )
    order_ids = list(WorkOrder.objects.values_list("pk", flat=True))
    through = WorkOrder.assignees.through
    through.objects.bulk_create(
        (through(workorder_id=pk, user_id=technician.pk) for pk in order_ids[:: max(1, len(order_ids) // 2000)]),
        batch_size=5000,
        ignore_conflicts=True,
    )
    WorkRequest.objects.bulk_create(
        (
            WorkRequest(
                site_id=item.site_id,
                equipment=item,
                symptom="Leak",
                status=WorkRequestStatus.SUBMITTED if rng.random() < 0.01 else WorkRequestStatus.APPROVED,
            )
            for item in rng.choices(equipment, k=requests)
        ),
        batch_size=5000,
    )
    order_type = ContentType.objects.get_for_model(WorkOrder)
    ObjectChange.objects.bulk_create(
        (
            ObjectChange(action="update", object_type=order_type, object_id=rng.choice(order_ids), object_repr="OT")
            for _ in range(changes)
        ),
        batch_size=5000,
    )
    point: Any = PointFactory(device__equipment=equipment[0])
    other_point: Any = PointFactory(device__equipment=equipment[1])
    start = timezone.now() - datetime.timedelta(days=30)
    Reading.objects.bulk_create(
        (
            Reading(
                point_id=point_id, time=start + datetime.timedelta(seconds=10 * number), value=1.0, quality=Quality.GOOD
            )
            for point_id in (point.pk, other_point.pk)
            for number in range(readings // 2)
        ),
        batch_size=5000,
    )
    if ON_POSTGRESQL:
        with connection.cursor() as cursor:
            # Rows written at once share one creation time; spread them as a history would.
            cursor.execute("UPDATE workorders_workrequest SET created = created - id * interval '1 minute'")
            cursor.execute("UPDATE core_objectchange SET time = time - id * interval '1 minute'")
            cursor.execute("ANALYZE")
    return {"sites": sites, "equipment": equipment, "point": point, "order": order_ids[len(order_ids) // 2]}


def deep_cursor() -> str:
    """The "Next" cursor of a page two thirds down the whole order list, as the page itself would make it."""
    queryset = WorkOrder.objects.all()
    columns = keyset.keys(queryset)
    assert columns is not None
    row = keyset.ordered(queryset, columns)[ORDERS * 2 // 3]
    return keyset.encode(columns, keyset.values(row, columns), backwards=False, n=800)


def plans(client: Client, url: str, query: dict[str, Any]) -> list[tuple[str, str]]:
    """(SQL, plan) of each SELECT the request makes."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, (url, query, response.status_code)
    found = []
    with connection.cursor() as cursor:
        for query_ in captured.captured_queries:
            sql = query_["sql"]
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN {sql}")
                found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return found


def full_count(sql: str) -> bool:
    """A COUNT(*) that is not over a LIMITed subquery."""
    return "COUNT(*)" in sql.upper() and "LIMIT" not in sql.upper()


NODE = re.compile(r"^(?P<indent>\s*(?:->\s+)?)(?P<name>[A-Za-z][A-Za-z ]*?)(?: on | using |  \(|$)")
ROWS = re.compile(r"rows=(\d+)")
# Nodes that pass rows on as they come: a LIMIT above them stops the scan below early.
STREAMING = ("Join", "Nested Loop", "Subquery Scan", "Result")


def whole_table_scans(plan: str) -> list[str]:
    """The sequential scans of a big table that read it all: not those a LIMIT stops once it has its rows.

    `SELECT COUNT(*) FROM (SELECT … LIMIT 10001)` reads 10,001 rows by a sequential scan when most rows match:
    as cheap at ten million rows as at thirty thousand.
    """
    lines = plan.splitlines()
    found = []
    for number, line in enumerate(lines):
        if not SEQ_SCAN.search(line):
            continue
        indent = len(NODE.match(line).group("indent"))  # type: ignore[union-attr]
        scanned = int(ROWS.search(line).group(1))  # type: ignore[union-attr]
        stopped = False
        for above in reversed(lines[:number]):
            node = NODE.match(above)
            if (
                node is None
                or len(node.group("indent")) >= indent
                or above.lstrip().startswith(("Filter", "Hash Cond"))
            ):
                continue
            indent = len(node.group("indent"))
            name = node.group("name").strip()
            if name == "Limit":
                stopped = int(ROWS.search(above).group(1)) <= scanned  # type: ignore[union-attr]
                break
            if not any(kind in name for kind in STREAMING):
                break
        if not stopped:
            found.append(line.strip())
    return found


@pytest.mark.skipif(not ON_POSTGRESQL, reason="runs in the PostgreSQL pass of the suite: the plans are PostgreSQL's")
@pytest.mark.django_db
def test_lists_and_home_pages_read_the_big_tables_through_indexes(org_a: Any) -> None:
    manager: Any = UserFactory(role=Role.MANAGER)
    technician: Any = UserFactory(role=Role.TECHNICIAN)
    client_user: Any = UserFactory(role=Role.CLIENT, organisation=org_a)
    world = fill(org_a, technician, ORDERS, REQUESTS, CHANGES, READINGS)
    site, equipment = world["sites"][0], world["equipment"][0]
    orders, requests, today = reverse("workorder-list"), reverse("workrequest-list"), timezone.localdate()
    deep = deep_cursor()
    lists: list[tuple[Any, str, dict[str, Any]]] = [
        (manager, orders, {}),
        (manager, orders, {"listed": "all"}),
        (manager, orders, {"listed": "finished"}),
        (manager, orders, {"listed": "all", "after": deep}),
        (manager, orders, {"site": site.pk}),
        (manager, orders, {"site": site.pk, "listed": "all"}),
        (manager, orders, {"equipment": equipment.pk, "listed": "all"}),
        (manager, orders, {"status": "in_progress"}),
        (manager, orders, {"priority": "1", "listed": "all"}),
        (manager, orders, {"overdue": "true"}),
        (manager, orders, {"assignee": technician.pk, "listed": "all"}),
        (manager, orders, {"due_before": today.isoformat()}),
        (client_user, orders, {}),
        (client_user, orders, {"listed": "all"}),
        (manager, requests, {}),
        (manager, requests, {"site": site.pk}),
        (manager, requests, {"status": "submitted"}),
        (client_user, requests, {}),
        (manager, "/api/work-orders", {"limit": 50}),
        (manager, "/api/work-orders", {"limit": 50, "status": ["closed"]}),
        (manager, "/api/work-orders", {"limit": 50, "cursor": deep}),
        (client_user, "/api/work-orders", {"limit": 50}),
        (manager, "/api/work-requests", {"limit": 50}),
        (manager, f"/api/work-orders/{world['order']}/changes", {}),
        (manager, f"/api/points/{world['point'].pk}/readings", {"limit": 50}),
    ]
    pages: list[tuple[Any, str, dict[str, Any]]] = [
        (manager, reverse("home"), {}),
        (technician, reverse("home"), {}),
        (client_user, reverse("home"), {}),
        (manager, reverse("planning-calendar"), {}),
        (technician, reverse("planning-my-day"), {}),
        (manager, reverse("workorder-detail", args=[world["order"]]), {}),
    ]
    failures = []
    for is_list, (user, url, query) in [(True, route) for route in lists] + [(False, route) for route in pages]:
        client = Client()
        client.force_login(user)
        for sql, plan in plans(client, url, query):
            if whole_table_scans(plan) or (is_list and full_count(sql)):
                failures.append(f"{user.role} {url} {query}\n{sql}\n{plan}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "name"),
    [(Role.MANAGER, "workorder-list"), (Role.MANAGER, "workrequest-list"), (Role.CLIENT, "workorder-list")],
)
def test_a_list_page_makes_as_many_queries_whatever_the_rows(org_a: Any, role: str, name: str) -> None:
    """The first page's queries are the same at 60 and 120 rows; a page after a cursor adds at most one query per
    range of the ordering it reads from (`keyset.ranges`), never one per row."""
    technician = UserFactory(role=Role.TECHNICIAN)
    client = Client()
    user: Any = UserFactory(role=role, organisation=org_a if role == Role.CLIENT else None)
    client.force_login(user)
    counts = []
    for _round in range(2):
        fill(org_a, technician, 60, 60, 10, 10)
        with CaptureQueriesContext(connection) as first_page:
            first = client.get(reverse(name), {"listed": "all"})
        with CaptureQueriesContext(connection) as next_page:
            following = client.get(reverse(name) + first.context["page"].next)
        assert following.status_code == 200
        assert len(next_page) <= len(first_page) + 2 * len(keyset.keys(WorkOrder.objects.all()) or ())
        counts.append(len(first_page))
    assert counts[0] == counts[1]
