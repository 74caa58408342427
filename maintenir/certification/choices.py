from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    """What became of a title version at the end of its validity."""

    ACTIVE = "active", _("Active")
    EXTENDED = "extended", _("Extended")
    REVISED = "revised", _("Revised")
    CLOSED = "closed", _("Closed")


class PracticeFile(models.TextChoices):
    DP = "dp", _("Dossier professionnel (DP)")
    DSPP = "dspp", _("Dossier de synthèse de pratique professionnelle (DSPP)")


class CcpEvaluators(models.TextChoices):
    """Who evaluates a candidate for one CCP outside a title session."""

    JURY = "jury", _("A jury of professionals")
    PAIR = "pair", _("A pair: one professional and one trainer of the specialty")


class CapitalisationWindow(models.TextChoices):
    TITLE_VALIDITY = "title_validity", _("Within the title's validity")
    FROM_FIRST_CCP = "from_first_ccp", _("A number of years from the first CCP obtained")


class FinalInterview(models.TextChoices):
    """Whether the last CCP session ends with an interview before the title is granted."""

    REQUIRED = "required", _("A final interview closes the last CCP session")
    JURY_MAY_CALL = "jury_may_call", _("The jury may call the candidate to a new interview")


class PathKind(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous training")
    VAE = "vae", _("VAE (validation of prior experience)")
    DISCONTINUOUS = "discontinuous", _("Discontinuous training or partial success")
    EXPERIENCE = "experience", _("Directly, on experience in the trade (CCS only)")


class CcsRoute(models.TextChoices):
    """How a CCS is prepared without a training path: the path kind the regulation opens to it."""

    VAE = PathKind.VAE.value, _("By VAE")
    EXPERIENCE = PathKind.EXPERIENCE.value, _("Directly, on experience in the trade")


class Admissibility(models.TextChoices):
    PENDING = "pending", _("Pending")
    ADMISSIBLE = "admissible", _("Admissible")
    REFUSED = "refused", _("Not admissible")


class SessionKind(models.TextChoices):
    TITLE = "title", _("Title session")
    CCP = "ccp", _("CCP session")
    CCS = "ccs", _("CCS session")


class MemberProfile(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional of the trade")
    TRAINER = "trainer", _("Trainer of the specialty")


class ElementKind(models.TextChoices):
    PRACTICAL = "practical", _("Practical exercise (mise en situation professionnelle)")
    PROJECT = "project", _("Presentation of a project made before the session")
    TECHNICAL_INTERVIEW = "technical_interview", _("Technical interview")
    QUESTIONNAIRE = "questionnaire", _("Professional questionnaire")
    PRODUCTIONS = "productions", _("Questioning on productions")
    IN_TRAINING = "in_training", _("In-training evaluation results")
    PRACTICE_FILE = "practice_file", _("Practice file (DP or DSPP)")
    FINAL_INTERVIEW = "final_interview", _("Interview with the jury")


class Document(models.TextChoices):
    PARCHEMIN_TITLE = "parchemin_title", _("Parchemin of the title")
    PARCHEMIN_CCS = "parchemin_ccs", _("Parchemin of the CCS")
    LIVRET = "livret", _("Livret de certification")
