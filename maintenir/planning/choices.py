from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchPlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISCARDED = "discarded", _("Discarded")


class Solver(models.TextChoices):
    OPTIMISER = "optimiser", _("Optimiser (CP-SAT)")
    GREEDY = "greedy", _("Greedy (earliest due date, first qualified technician)")
