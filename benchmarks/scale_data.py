"""The scale benchmark's data: the demo's company grown to a national maintenance company's history.

On top of the demo (its users log in: manager, tech, client-a), FLEET_ORGANISATIONS more client organisations,
SITES sites shared among all of them, EQUIPMENT equipment, TECHNICIANS technicians and POINTS measured points
(on devices that are not polled). Work orders spread over ten years: 1 % open (the most recent), the rest done,
closed or (1 %) cancelled; half corrective, the rest preventive, improvement and commissioning work, priorities
mostly normal; every order has one assignee among the technicians and a line in the change log, one in five
comes from a work request, a corrective order stops its equipment half the time, and half of the finished
orders have hours booked. Orders are a function of their number, so the history grows in place: `grow` to
10 000 orders, measure, `grow` to ten million, measure again.

Readings go backwards from now, one every READING_SECONDS per point over the points: a larger run has a
longer history. They go in through the fastest path there is: on PostgreSQL an `INSERT … SELECT` over
`generate_series` in the server, elsewhere (and for every other table) `maintenir.core.bulk`, which streams
the binary COPY on PostgreSQL and runs executemany in one transaction per chunk on SQLite.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.choices import ChangeAction, Role
from maintenir.core.models import ObjectChange, Organisation, User
from maintenir.demo.services import build_demo
from maintenir.devices import partitions
from maintenir.devices.choices import Protocol, Quality
from maintenir.devices.models import Device, Point, Reading
from maintenir.reliability import monthly
from maintenir.workorders.choices import (
    DowntimeCause,
    Priority,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.models import Downtime, FailureMode, TimeEntry, WorkOrder, WorkRequest

FLEET_ORGANISATIONS = 8
SITES = 120
EQUIPMENT = 6_000
TECHNICIANS = 200
POINTS = 2_000
POINTS_PER_DEVICE = 4
READING_SECONDS = 60
CHUNK = 100_000
YEARS = 10
# The word a search looks for: in the title of one order in ORDERS_PER_SEARCH_HIT.
SEARCH_WORD = "roulement"
ORDERS_PER_SEARCH_HIT = 50
TITLES = [
    "Remplacement du roulement côté accouplement",
    "Fuite d'huile sur le vérin de serrage",
    "Contrôle réglementaire de l'installation électrique",
    "Nettoyage des filtres de la centrale de traitement d'air",
    "Défaut de communication du variateur",
    "Vérification des détecteurs de fumée",
    "Graissage des paliers",
    "Remplacement de la courroie du ventilateur",
    "Alarme température haute chambre froide",
    "Réglage des capteurs de position",
    "Remplacement de l'éclairage du parking",
    "Visite préventive de la chaudière",
    "Vibration anormale du moteur",
    "Mise en service de la pompe à chaleur",
    "Porte sectionnelle bloquée en position ouverte",
    "Analyse d'huile du réducteur",
    "Amélioration du capotage de sécurité",
    "Calibration du débitmètre",
    "Remplacement du contacteur de puissance",
    "Inspection thermographique du TGBT",
]
SYMPTOMS = ["Bruit anormal", "Machine à l'arrêt", "Fuite visible", "Alarme au tableau", "Ne démarre plus"]
# Half corrective, then the preventive, improvement and commissioning work, in tenths.
TYPES = [WorkOrderType.CORRECTIVE] * 5 + [
    WorkOrderType.PREVENTIVE_SYSTEMATIC,
    WorkOrderType.PREVENTIVE_SYSTEMATIC,
    WorkOrderType.PREVENTIVE_CONDITIONAL,
    WorkOrderType.IMPROVEMENT,
    WorkOrderType.INSTALLATION,
]
PRIORITIES = [Priority.URGENT] + [Priority.HIGH] * 4 + [Priority.NORMAL] * 12 + [Priority.LOW] * 3
OPEN = [
    WorkOrderStatus.REQUESTED,
    WorkOrderStatus.APPROVED,
    WorkOrderStatus.PLANNED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.ON_HOLD,
]


@dataclass
class Fleet:
    """What the orders and readings refer to, and what the benchmark's requests need."""

    now: datetime.datetime
    equipment: list[tuple[int, int]]  # (equipment id, its site id)
    technicians: list[int]
    requesters: list[int]
    manager: int
    failure_modes: list[int]
    points: list[int]
    equipment_with_points: int
    orders: int = 0
    readings: int = 0
    order_ids: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _mix(n: int) -> int:
    """A well-spread 32-bit number from an order's number (Knuth's multiplicative hash)."""
    return (n * 2654435761) % 2**32


def create_fleet() -> Fleet:
    """The demo, then the organisations, sites, equipment, technicians and points of the company."""
    build_demo()
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        organisations = list(Organisation.objects.values_list("pk", flat=True))
        organisations += [
            Organisation.objects.create(name=f"Client {n}", code=f"client-{n}").pk for n in range(FLEET_ORGANISATIONS)
        ]
        site_ids = bulk.reserve_ids(Site, SITES)
        bulk.insert(
            Site,
            [
                {
                    "id": pk,
                    "organisation_id": organisations[n % len(organisations)],
                    "code": f"s{n}",
                    "name": f"Site {n}",
                }
                for n, pk in enumerate(site_ids)
            ],
        )
        types = list(EquipmentType.objects.values_list("pk", flat=True))
        equipment_ids = bulk.reserve_ids(Equipment, EQUIPMENT)
        equipment = [(pk, site_ids[n % SITES]) for n, pk in enumerate(equipment_ids)]
        bulk.insert(
            Equipment,
            [
                {
                    "id": pk,
                    "site_id": site,
                    "code": f"EQ-{n:05d}",
                    "name": f"Équipement {n}",
                    "equipment_type_id": types[n % len(types)],
                    "serial_number": f"SN{n * 7919:09d}",
                }
                for n, (pk, site) in enumerate(equipment)
            ],
        )
        technician_ids = bulk.reserve_ids(User, TECHNICIANS)
        bulk.insert(
            User,
            [
                {
                    "id": pk,
                    "username": f"technician-{n}",
                    "password": "!",  # no login
                    "first_name": "Technicien",
                    "last_name": str(n),
                    "role": Role.TECHNICIAN,
                    "is_active": True,
                    "date_joined": now,
                }
                for n, pk in enumerate(technician_ids)
            ],
        )
        # The demo's technicians have their share of the history, so that their home pages show it.
        technicians = [
            *User.objects.filter(role=Role.TECHNICIAN, username__in=["tech", "ines", "lea", "thomas"]).values_list(
                "pk", flat=True
            ),
            *technician_ids,
        ]
        devices = bulk.reserve_ids(Device, POINTS // POINTS_PER_DEVICE)
        bulk.insert(
            Device,
            [
                {
                    "id": pk,
                    "equipment_id": equipment_ids[n],
                    "name": f"Passerelle {n}",
                    "protocol": Protocol.MQTT,
                    "host": "127.0.0.1",
                    "port": 1883,
                    "is_enabled": False,
                }
                for n, pk in enumerate(devices)
            ],
        )
        point_ids = bulk.reserve_ids(Point, len(devices) * POINTS_PER_DEVICE)
        bulk.insert(
            Point,
            [
                {
                    "id": pk,
                    "device_id": devices[n // POINTS_PER_DEVICE],
                    "name": f"p{n % POINTS_PER_DEVICE}",
                    "address": f"bench/{n}",
                    "unit": "°C",
                }
                for n, pk in enumerate(point_ids)
            ],
        )
    return Fleet(
        now=now,
        equipment=equipment,
        technicians=technicians,
        requesters=list(
            User.objects.filter(role__in=[Role.OPERATOR, Role.CLIENT]).order_by("pk").values_list("pk", flat=True)
        ),
        manager=User.objects.get(username="manager").pk,
        failure_modes=list(FailureMode.objects.values_list("pk", flat=True)),
        points=point_ids,
        equipment_with_points=equipment_ids[0],
    )


def grow(fleet: Fleet, orders: int, readings: int) -> None:
    """Add orders and readings until the fleet has `orders` and `readings` (beyond the demo's)."""
    for first in range(fleet.orders, orders, CHUNK):
        with transaction.atomic():
            _add_orders(fleet, first, min(first + CHUNK, orders))
    fleet.orders = max(fleet.orders, orders)
    if readings > fleet.readings:
        _add_readings(fleet, fleet.readings, readings)
        fleet.readings = readings


def _add_orders(fleet: Fleet, first: int, last: int) -> None:
    ids = bulk.reserve_ids(WorkOrder, last - first)
    fleet.order_ids += ids[:: max(1, len(ids) // 100)]
    span = YEARS * 365 * 86400
    order_type = ContentType.objects.get_for_model(WorkOrder).pk
    orders, requests, downtimes, entries, assignees, changes = [], [], [], [], [], []
    for n, pk in enumerate(ids, start=first):
        mixed = _mix(n)
        equipment, site = fleet.equipment[mixed % len(fleet.equipment)]
        work_type = TYPES[n % 10]
        is_open = n % 100 == 0
        if is_open:
            # The work in hand is recent.
            created = fleet.now - datetime.timedelta(seconds=mixed % (60 * 86400))
            status = OPEN[(n // 100) % len(OPEN)]
        else:
            created = fleet.now - datetime.timedelta(seconds=mixed % span)
            status = WorkOrderStatus.CANCELLED if n % 100 == 1 else WorkOrderStatus.CLOSED
        finished = status in (WorkOrderStatus.CLOSED, WorkOrderStatus.DONE)
        started = created + datetime.timedelta(hours=mixed % 48)
        completed = started + datetime.timedelta(hours=1 + mixed % 7)
        title = TITLES[n % len(TITLES)] if n % ORDERS_PER_SEARCH_HIT else TITLES[0]
        if n % ORDERS_PER_SEARCH_HIT and SEARCH_WORD in title.lower():
            title = TITLES[1]
        orders.append(
            {
                "id": pk,
                "created": created,
                "last_updated": completed if finished else created,
                "site_id": site,
                "equipment_id": equipment,
                "work_type": work_type,
                "title": f"{title} {n}",
                "priority": PRIORITIES[(mixed >> 8) % len(PRIORITIES)],
                "status": status,
                "due_date": (created + datetime.timedelta(days=7)).date(),
                "estimated_hours": 1 + mixed % 8,
                "started_at": started if finished or status == WorkOrderStatus.IN_PROGRESS else None,
                "completed_at": completed if finished else None,
                "closed_at": completed if status == WorkOrderStatus.CLOSED else None,
                "findings": "Réparé et remis en service." if finished else "",
                "failure_mode_id": fleet.failure_modes[n % len(fleet.failure_modes)]
                if work_type == WorkOrderType.CORRECTIVE and fleet.failure_modes
                else None,
            }
        )
        technician = fleet.technicians[(mixed >> 4) % len(fleet.technicians)]
        assignees.append({"workorder_id": pk, "user_id": technician})
        changes.append(
            {
                "time": created,
                "user_id": fleet.manager,
                "user_name": "manager",
                "action": ChangeAction.CREATE,
                "object_type_id": order_type,
                "object_id": pk,
                "object_repr": f"OT-{pk:06d} — {title}"[:200],
                "postchange_data": {"title": title, "status": status, "site": site},
            }
        )
        if n % 5 == 0:
            requests.append(
                {
                    "created": created,
                    "last_updated": created,
                    "site_id": site,
                    "equipment_id": equipment,
                    "symptom": SYMPTOMS[n % len(SYMPTOMS)],
                    "status": WorkRequestStatus.APPROVED,
                    "reported_by_id": fleet.requesters[n % len(fleet.requesters)] if fleet.requesters else None,
                    "decided_by_id": fleet.manager,
                    "decided_at": created,
                    "work_order_id": pk,
                }
            )
        if work_type == WorkOrderType.CORRECTIVE and finished and n % 2 == 0:
            downtimes.append(
                {
                    "created": created,
                    "last_updated": completed,
                    "equipment_id": equipment,
                    "work_order_id": pk,
                    "cause": DowntimeCause.FAILURE,
                    "started_at": created,
                    "ended_at": completed,
                }
            )
        if finished and n % 2 == 1:
            entries.append(
                {
                    "created": completed,
                    "last_updated": completed,
                    "work_order_id": pk,
                    "technician_id": technician,
                    "date": completed.date(),
                    "hours": 1 + mixed % 4,
                }
            )
    bulk.insert(WorkOrder, orders)
    bulk.insert(WorkOrder.assignees.through, assignees)
    bulk.insert(ObjectChange, changes)
    bulk.insert(WorkRequest, requests)
    bulk.insert(Downtime, downtimes)
    bulk.insert(TimeEntry, entries)


def _add_readings(fleet: Fleet, first: int, last: int) -> None:
    """The readings numbered `first` to `last`, going back from now: number k is point k % points's reading
    number k // points."""
    points = fleet.points
    if partitions.partitioned():
        # Each day has its partition, as when the readings came in day by day.
        oldest = fleet.now - datetime.timedelta(seconds=(last // len(points)) * READING_SECONDS)
        for day in range((fleet.now - oldest).days + 2):
            partitions.create_partition((oldest + datetime.timedelta(days=day)).astimezone(datetime.UTC).date())
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Reading._meta.db_table)
        for start in range(first, last, CHUNK * 10):
            end = min(start + CHUNK * 10, last)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (point_id, time, value, quality) "  # noqa: S608
                    "SELECT (%s::bigint[])[1 + k %% %s], %s - make_interval(secs => (k / %s) * %s), "
                    "20 + 5 * sin(k / 1000.0), %s FROM generate_series(%s::bigint, %s::bigint - 1) AS k",
                    [points, len(points), fleet.now, len(points), READING_SECONDS, Quality.GOOD, start, end],
                )
        return
    for start in range(first, last, CHUNK):
        end = min(start + CHUNK, last)
        rows = [
            (
                points[k % len(points)],
                fleet.now - datetime.timedelta(seconds=(k // len(points)) * READING_SECONDS),
                20.0,
                Quality.GOOD,
            )
            for k in range(start, end)
        ]
        with transaction.atomic():
            bulk.insert_rows(Reading, ["point_id", "time", "value", "quality"], rows)


def analyse() -> list[str]:
    """The tables' statistics, as autovacuum or `PRAGMA optimize` would leave them after such a load, then the
    precomputed figures brought up to date; returns the names of the refresh functions called."""
    with connection.cursor() as cursor:
        # PostgreSQL reads a covering index alone only once vacuum has marked the pages all-visible.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # The orders were written in bulk, beside the transactions that keep the monthly figures: bring them up to date.
    monthly.refresh()
    return ["maintenir.reliability.monthly.refresh"]
