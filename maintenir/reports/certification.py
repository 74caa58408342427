"""The certification documents: the livret de certification and the parchemin, generated from the records.

"Un parchemin est attribué au candidat ayant obtenu le titre complet ou le CCS. Un livret de
certification est remis au candidat en réussite partielle." Both carry the issuing authority of the
regulation version in force for the title.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.certification import services
from maintenir.certification.models import Candidate, Decision, Title
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_permission
from maintenir.reports.services import render_pdf


def livret_context(user: User, candidate: Candidate, title: Title) -> dict[str, Any]:
    """Every CCP obtained for the title, with its date, session and centre, and what is still missing."""
    check_permission(user, Action.VIEW, candidate)
    standing = services.standing(candidate, title)
    return {
        "candidate": candidate,
        "title": title,
        "standing": standing,
        "regulation": standing.version.regulation,
        "lines": list(services.livret(candidate, title)),
        "generated_at": timezone.now(),
    }


def livret(user: User, candidate: Candidate, title: Title) -> bytes:
    return render_pdf("reports/livret.html", livret_context(user, candidate, title))


def parchemin_context(user: User, decision: Decision) -> dict[str, Any]:
    """The title or CCS granted by `decision`."""
    check_permission(user, Action.VIEW, decision)
    registration = decision.registration
    if not (decision.title_granted or decision.ccs_granted):
        raise ValidationError({"decision": _("A parchemin is given for a title or a CCS granted.")})
    session = registration.session
    return {
        "candidate": registration.candidate,
        "decision": decision,
        "session": session,
        "version": session.version,
        "regulation": session.version.regulation,
        "ccps": list(session.version.ccps.all()) if decision.title_granted else [],
        "generated_at": timezone.now(),
    }


def parchemin(user: User, decision: Decision) -> bytes:
    return render_pdf("reports/parchemin.html", parchemin_context(user, decision))
