"""The demo's preventive work with its spare parts: gammes that expect parts, and today's annual service of the
heat pump, whose bearings are reserved from the central store while its contactor coil is missing, with the
original coil that replaces it in Julien's van."""

import datetime
from decimal import Decimal

from django.utils import timezone

from maintenir.core.context import acting_as
from maintenir.core.models import User
from maintenir.preventive import services as preventive
from maintenir.preventive.models import Gamme, PreventiveOrder
from maintenir.stores.models import Part
from maintenir.workorders import services as workorders

# (gamme, part, quantity, note): what each gamme's work is expected to use.
GAMME_PARTS = (
    ("pac-annuel", "RLT-6205-SKF", "2", "Paliers du moteur de ventilateur de l'unité extérieure"),
    ("pac-annuel", "BOB-LXD1B7-C", "1", "Bobine du contacteur du compresseur, changée à chaque entretien annuel"),
    ("presse-vibration", "RLT-6205-FAG", "2", "Roulements du moteur de la pompe, si la vibration l'exige"),
)
SERVICE_STARTS_AT = datetime.time(14, 0)


def start_preventive_work_with_parts(manager: User, technician: User) -> None:
    """Give the gammes their expected parts, generate what is due, and plan today's heat pump service for the
    technician, who starts it: the plan reserves its parts, the missing coil is recorded as short."""
    with acting_as(manager):
        for code in dict.fromkeys(code for code, *_rest in GAMME_PARTS):
            gamme = Gamme.objects.get(code=code)
            for _code, reference, quantity, note in (row for row in GAMME_PARTS if row[0] == code):
                preventive.add_gamme_part(
                    manager, gamme, Part.objects.get(reference=reference), Decimal(quantity), note
                )
        # The build's own run right after this one then finds nothing more to create.
        preventive.generate()
        origin = PreventiveOrder.objects.select_related("work_order").get(trigger__gamme__code="pac-annuel")
        starts_at = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), SERVICE_STARTS_AT))
        order = workorders.plan_work_order(manager, origin.work_order, [technician], planned_start=starts_at)
    with acting_as(technician):
        workorders.start_work_order(technician, order)
