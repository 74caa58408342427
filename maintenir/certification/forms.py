from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.certification.models import (
    ActivityType,
    Candidate,
    Ccs,
    Centre,
    Correspondence,
    Decision,
    EvaluationElement,
    ExperiencePeriod,
    JuryMember,
    Path,
    Registration,
    Session,
    TitleVersion,
)
from maintenir.certification.services import linkable_accounts
from maintenir.core.widgets import DateInput


class CandidateForm(RestrictedChoicesForm):
    class Meta:
        model = Candidate
        fields = ["first_name", "last_name", "email", "user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = linkable_accounts()  # type: ignore[attr-defined]


class PathForm(RestrictedChoicesForm):
    choice_select_related = {TitleVersion: ("title",)}

    class Meta:
        model = Path
        fields = ["kind", "version", "ccs", "started_on"]
        widgets = {"started_on": DateInput()}


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = ExperiencePeriod
        fields = ["employer", "job", "started_on", "ended_on", "related"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}


class AdmissibilityForm(forms.Form):
    admissible = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Admissible")), ("0", _("Not admissible"))],
        coerce=lambda value: value == "1",
    )
    on = forms.DateField(label=_("Notified on"), widget=DateInput())


class SessionForm(RestrictedChoicesForm):
    class Meta:
        model = Session
        fields = ["kind", "version", "ccp", "ccs", "centre", "date"]
        widgets = {"date": DateInput()}


class JuryMemberForm(forms.ModelForm):
    class Meta:
        model = JuryMember
        fields = ["name", "profile", "years_in_trade", "years_out_of_trade", "approved", "approval_reference"]


class RegistrationForm(RestrictedChoicesForm):
    class Meta:
        model = Registration
        fields = ["candidate", "path"]


class ElementForm(forms.ModelForm):
    class Meta:
        model = EvaluationElement
        fields = ["kind", "ccp", "result"]

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ccp"].queryset = session.version.ccps.all()  # type: ignore[attr-defined]


class DecisionForm(forms.ModelForm):
    ccps = forms.ModelMultipleChoiceField(
        label=_("CCPs granted"),
        queryset=ActivityType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Decision
        fields = ["title_granted", "ccps", "ccs_granted", "notes"]

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ccps = session.version.ccps.all()
        self.fields["ccps"].queryset = ccps.filter(pk=session.ccp_id) if session.ccp_id else ccps  # type: ignore[attr-defined]


# --- The referential, kept by administrators -------------------------------------------------------


class VersionForm(forms.ModelForm):
    class Meta:
        model = TitleVersion
        fields = ["name", "valid_from", "valid_until", "status", "regulation"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class RevisionForm(forms.ModelForm):
    """The version that revises another: same title, and the other is marked revised."""

    class Meta:
        model = TitleVersion
        fields = ["name", "valid_from", "valid_until", "regulation"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class ClosureForm(forms.Form):
    valid_until = forms.DateField(
        label=_("End of validity"), widget=DateInput(), help_text=_("The closing date the order sets.")
    )


class CcpForm(forms.ModelForm):
    class Meta:
        model = ActivityType
        fields = ["position", "name"]


class CorrespondenceForm(forms.ModelForm):
    """A correspondence into a CCP of `version`, from CCPs of the version it revises (all of them needed)."""

    class Meta:
        model = Correspondence
        fields = ["new_ccp", "old_ccps"]
        widgets = {"old_ccps": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, version: TitleVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_ccp"].queryset = version.ccps.all()  # type: ignore[attr-defined]
        revised = ActivityType.objects.filter(version_id=version.revises_id).select_related("version")
        self.fields["old_ccps"].queryset = revised  # type: ignore[attr-defined]


class CcsForm(forms.ModelForm):
    class Meta:
        model = Ccs
        fields = ["name"]


class CentreForm(forms.ModelForm):
    class Meta:
        model = Centre
        fields = ["name", "approval_number", "city"]
