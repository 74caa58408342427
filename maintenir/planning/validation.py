"""An independent check of a plan against its instance.

Written apart from the solvers on purpose: it shares nothing with them but the data classes and the
travel-time function, so a bug in their helpers cannot hide itself here.
"""

from collections import defaultdict

from maintenir.planning.instance import MINUTES_PER_DAY, Instance, Plan, Visit, travel_minutes


def validate(instance: Instance, plan: Plan) -> list[str]:
    """Every way the plan breaks the instance's rules, in words; an empty list means it is valid."""
    problems: list[str] = []
    orders = {order.id: order for order in instance.orders}
    technicians = {technician.id: technician for technician in instance.technicians}
    sites = {site.id: (site.latitude, site.longitude) for site in instance.sites}
    seen: set[int] = set()
    # (technician id, window start, window end) → its visits
    tours: dict[tuple[int, int, int], list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        label = f"order {visit.order_id}"
        order = orders.get(visit.order_id)
        technician = technicians.get(visit.technician_id)
        if order is None or technician is None:
            problems.append(f"{label}: unknown order or technician {visit.technician_id}")
            continue
        if visit.order_id in seen:
            problems.append(f"{label}: planned more than once")
        seen.add(visit.order_id)
        if visit.order_id in plan.unplaced:
            problems.append(f"{label}: both planned and listed as unplaced")
        if visit.end_minute - visit.start_minute != order.duration_minutes:
            problems.append(
                f"{label}: lasts {visit.end_minute - visit.start_minute} min instead of {order.duration_minutes}"
            )
        if visit.start_minute < order.release_minute:
            problems.append(f"{label}: starts at {visit.start_minute}, before its release at {order.release_minute}")
        if not 0 <= visit.day < instance.days:
            problems.append(f"{label}: day {visit.day} is outside the period of {instance.days} days")
        if visit.start_minute // MINUTES_PER_DAY != visit.day:
            problems.append(f"{label}: starts at {visit.start_minute}, not on day {visit.day}")
        for key in sorted(order.requirements):
            if key not in technician.qualifications:
                problems.append(f"{label}: technician {technician.id} does not hold {key}")
                continue
            last_day = technician.qualifications[key]
            if last_day is not None and visit.day > last_day:
                problems.append(f"{label}: {key} of technician {technician.id} expired after day {last_day}")
        shift = next(
            (
                (start, end)
                for day, start, end in technician.shifts
                if day == visit.day and start <= visit.start_minute and visit.end_minute <= end
            ),
            None,
        )
        if shift is None:
            problems.append(f"{label}: not within a working window of technician {technician.id}")
            continue
        tours[technician.id, *shift].append(visit)
    for (technician_id, start, end), visits in tours.items():
        technician = technicians[technician_id]
        visits.sort(key=lambda visit: visit.start_minute)
        place = technician.home
        free_at = start
        for n, visit in enumerate(visits):
            label = f"order {visit.order_id}"
            there = sites[orders[visit.order_id].site_id]
            needed = travel_minutes(place, there)
            if visit.start_minute < free_at:
                problems.append(f"{label}: overlaps the previous visit of technician {technician_id}")
            elif visit.start_minute - needed < free_at:
                problems.append(f"{label}: {needed} min of travel do not fit before it")
            if visit.travel_minutes != needed:
                problems.append(f"{label}: travel given as {visit.travel_minutes} min, {needed} needed")
            last = n == len(visits) - 1
            back = travel_minutes(there, technician.home) if last else 0
            if visit.return_minutes != back:
                problems.append(f"{label}: return given as {visit.return_minutes} min, {back} expected")
            if last and visit.end_minute + back > end:
                problems.append(f"{label}: technician {technician_id} is not back home by the end of the window")
            place = there
            free_at = visit.end_minute
    return problems
