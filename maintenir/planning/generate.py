"""Random but realistic dispatch instances, for the benchmark and the property tests.

Sites and homes lie within about 30 km of a city centre. Technicians work 08:00–17:00 on weekdays
(the horizon starts on a Monday), minus absences: whole days, half days, and two-hour appointments
that split a day in two windows. They hold skills at a level (a level includes the ones below, so
the keys of every lower level are held too), electrical and height habilitations of which some
expire during the horizon, and CCPs. Orders last 30 to 240 minutes, need one skill at a level and
sometimes a habilitation or a CCP, have mixed priorities, due dates from a few already past to well
beyond the horizon, and a few carry an SLA deadline or are released later in the period.
"""

import math
import random

from maintenir.planning.instance import MINUTES_PER_DAY, Instance, Order, Point, Site, Technician

CENTRE = (45.76, 4.84)
RADIUS_KM = 30.0
SKILLS = 6
HABILITATIONS = ("B1V", "B2V", "BR", "BC", "H0V", "HEIGHT")
CCPS = 4
DURATIONS = (30, 45, 60, 90, 120, 180, 240)
DURATION_WEIGHTS = (10, 10, 20, 20, 20, 12, 8)
PRIORITY_WEIGHTS = (10, 25, 45, 20)
DAY_START = 8 * 60
DAY_END = 17 * 60


def _point(rng: random.Random) -> Point:
    # Uniform over the disc: the square root keeps the density even towards the edge.
    distance = RADIUS_KM * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    latitude = CENTRE[0] + distance * math.cos(angle) / 111.0
    longitude = CENTRE[1] + distance * math.sin(angle) / (111.0 * math.cos(math.radians(CENTRE[0])))
    return (round(latitude, 5), round(longitude, 5))


def _shifts(rng: random.Random, days: int) -> tuple[tuple[int, int, int], ...]:
    shifts: list[tuple[int, int, int]] = []
    for day in range(days):
        if day % 7 >= 5:
            continue
        base = day * MINUTES_PER_DAY
        draw = rng.random()
        if draw < 0.07:
            continue  # absent all day
        if draw < 0.10:
            shifts.append((day, base + 13 * 60, base + DAY_END))  # morning off
        elif draw < 0.13:
            shifts.append((day, base + DAY_START, base + 12 * 60))  # afternoon off
        elif draw < 0.16:
            # A two-hour appointment splits the day.
            shifts += [(day, base + DAY_START, base + 10 * 60), (day, base + 12 * 60, base + DAY_END)]
        else:
            shifts.append((day, base + DAY_START, base + DAY_END))
    return tuple(shifts)


def _qualifications(rng: random.Random, days: int) -> dict[str, int | None]:
    held: dict[str, int | None] = {}
    for skill in range(1, SKILLS + 1):
        level = rng.choices((0, 1, 2, 3), weights=(25, 30, 30, 15))[0]
        for n in range(1, level + 1):
            held[f"skill:{skill}:{n}"] = None
    for habilitation in HABILITATIONS:
        if rng.random() < 0.5:
            # One in five habilitations lapses during the horizon (its renewal is late).
            held[f"hab:{habilitation}"] = rng.randrange(max(1, days - 1)) if rng.random() < 0.2 else None
    for ccp in range(1, CCPS + 1):
        if rng.random() < 0.35:
            held[f"ccp:{ccp}"] = None
    return held


def _order(rng: random.Random, n: int, sites: int, days: int) -> Order:
    requirements = {f"skill:{rng.randint(1, SKILLS)}:{rng.choices((1, 2, 3), weights=(50, 35, 15))[0]}"}
    if rng.random() < 0.4:
        requirements.add(f"hab:{rng.choice(HABILITATIONS)}")
    if rng.random() < 0.15:
        requirements.add(f"ccp:{rng.randint(1, CCPS)}")
    horizon = days * MINUTES_PER_DAY
    # From a few already overdue to half the horizon again beyond its end, due at noon or at 17:00.
    due_day = math.floor(rng.uniform(-0.1, 1.5) * days)
    due = due_day * MINUTES_PER_DAY + rng.choice((12 * 60, DAY_END))
    release = 0 if rng.random() < 0.85 else rng.randrange(1, max(2, days)) * MINUTES_PER_DAY
    sla = None
    if rng.random() < 0.06:
        sla = min(horizon, release + DAY_START + rng.choice((4, 9, 33)) * 60)
    return Order(
        id=n,
        site_id=rng.randint(1, sites),
        duration_minutes=rng.choices(DURATIONS, weights=DURATION_WEIGHTS)[0],
        priority=rng.choices((1, 2, 3, 4), weights=PRIORITY_WEIGHTS)[0],
        due_minute=due,
        sla_minute=sla,
        requirements=frozenset(requirements),
        release_minute=release,
    )


def generate(orders: int, technicians: int, days: int, sites: int, seed: int) -> Instance:
    rng = random.Random(seed)  # noqa: S311 -- reproducible instances, not a secret
    return Instance(
        days=days,
        sites=tuple(Site(n, *_point(rng)) for n in range(1, sites + 1)),
        technicians=tuple(
            Technician(n, f"Technician {n}", _point(rng), _shifts(rng, days), _qualifications(rng, days))
            for n in range(1, technicians + 1)
        ),
        orders=tuple(_order(rng, n, sites, days) for n in range(1, orders + 1)),
    )
