"""Improvement proposals: the argument pre-filled from data, the manager's decision, the improvement
work order, and the effect measured by the same KPIs before and after the work."""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.assets.models import Equipment
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission, save_restricted
from maintenir.reliability.choices import EffectStage, ParetoBy, ProposalStatus
from maintenir.reliability.models import ImprovementProposal
from maintenir.reliability.services import Figures, Period, pareto, totals
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.models import FailureMode, WorkOrder

ARGUMENT_MONTHS = 12
TOP_MODES = 3
P = ProposalStatus
# Which statuses each decision starts from.
ALLOWED_FROM = {
    "approve": frozenset({P.PROPOSED}),
    "reject": frozenset({P.PROPOSED}),
    "carry_out": frozenset({P.APPROVED}),
}


def argument_for(equipment: Equipment, today: datetime.date | None = None) -> str:
    """The case for an improvement, from the equipment's last twelve months."""
    period = Period.last_months(ARGUMENT_MONTHS, today)
    scope = Equipment.objects.filter(pk=equipment.pk)
    figures = totals(scope, period)
    modes = pareto(scope, period, ParetoBy.FAILURE_MODE, limit=TOP_MODES + 1)[:TOP_MODES]
    lines = [
        _(
            "From %(first)s to %(last)s, %(equipment)s failed %(failures)d times and was down %(downtime).1f h "
            "(%(repair).1f h for repairs); its maintenance cost %(cost).2f."
        )
        % {
            "first": period.first_day,
            "last": period.last_day,
            "equipment": equipment,
            "failures": figures.failures,
            "downtime": figures.downtime_hours,
            "repair": figures.repair_hours,
            "cost": figures.cost,
        }
    ]
    if figures.mtbf is not None:
        lines.append(
            _("MTBF %(mtbf).1f h, MTTR %(mttr).2f h, availability %(availability).1f %%.")
            % {"mtbf": figures.mtbf, "mttr": figures.mttr, "availability": (figures.availability or 0) * 100}
        )
    if modes:
        lines.append(
            _("Top failure modes: %(modes)s.") % {"modes": "; ".join(f"{bar.label} ({bar.value:.0f})" for bar in modes)}
        )
    return "\n".join(lines)


@transaction.atomic
def propose(
    user: User,
    equipment: Equipment,
    *,
    title: str,
    modification: str,
    cost: Decimal,
    expected_gain: Decimal,
    failure_mode: FailureMode | None = None,
    argument: str = "",
    **fields: Any,
) -> ImprovementProposal:
    """A new proposal; without an argument of the author's, the one computed from data."""
    check_permission(user, Action.VIEW, equipment)
    proposal = ImprovementProposal(
        equipment=equipment,
        failure_mode=failure_mode,
        title=title,
        modification=modification,
        cost=cost,
        expected_gain=expected_gain,
        argument=argument or argument_for(equipment),
        proposed_by=user,
        **fields,
    )
    save_restricted(user, proposal)
    return proposal


def _decide(user: User, proposal: ImprovementProposal, decision: str) -> None:
    if not user.is_manager:
        raise PermissionDenied(_("Only a maintenance manager may decide on a proposal."))
    check_permission(user, Action.CHANGE, proposal)
    if proposal.status not in ALLOWED_FROM[decision]:
        raise TransitionError(
            _("This proposal is %(status)s: it cannot be %(decision)s.")
            % {"status": proposal.get_status_display().lower(), "decision": DECISIONS[decision]}
        )


DECISIONS = {"approve": _("approved"), "reject": _("rejected"), "carry_out": _("carried out")}


@transaction.atomic
def approve(user: User, proposal: ImprovementProposal, note: str = "") -> ImprovementProposal:
    _decide(user, proposal, "approve")
    return _record_decision(user, proposal, P.APPROVED, note)


@transaction.atomic
def reject(user: User, proposal: ImprovementProposal, reason: str) -> ImprovementProposal:
    _decide(user, proposal, "reject")
    if not reason.strip():
        raise TransitionError({"reason": _("Say why the proposal is rejected.")})
    return _record_decision(user, proposal, P.REJECTED, reason)


def _record_decision(user: User, proposal: ImprovementProposal, status: str, note: str) -> ImprovementProposal:
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    return save_restricted(user, proposal)  # type: ignore[return-value]


@transaction.atomic
def carry_out(user: User, proposal: ImprovementProposal) -> ImprovementProposal:
    """Raise the improvement work order that carries the approved modification out."""
    _decide(user, proposal, "carry_out")
    check_model_permission(user, Action.ADD, WorkOrder)
    order = workorders.create_work_order(
        user,
        WorkOrder(
            site=proposal.equipment.site,
            equipment=proposal.equipment,
            work_type=WorkOrderType.IMPROVEMENT,
            title=proposal.title,
            description=proposal.modification,
        ),
    )
    proposal.work_order = order
    proposal.status = P.CARRIED_OUT
    return save_restricted(user, proposal)  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class Effect:
    """The KPIs of the same length of time before and after the improvement work was done."""

    before_period: Period
    after_period: Period
    before: Figures
    after: Figures
    complete: bool  # the period after has fully elapsed


def effect(proposal: ImprovementProposal, now: datetime.datetime | None = None) -> Effect | None:
    """None until the improvement work order is done."""
    measured_on = proposal.effect_measured_on
    if measured_on is None:
        return None
    now = now or timezone.now()
    length = datetime.timedelta(days=proposal.measure_after_days)
    done = measured_on - length
    before, after = Period(done - length, done), Period(done, measured_on)
    scope = Equipment.objects.filter(pk=proposal.equipment_id)
    complete = proposal.effect_stage(now) == EffectStage.MEASURED
    return Effect(before, after, totals(scope, before, now), totals(scope, after, now), complete)
