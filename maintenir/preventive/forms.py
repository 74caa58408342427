from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.assets.models import Site
from maintenir.core.choices import STAFF_ROLES, Role
from maintenir.core.models import User
from maintenir.core.widgets import DateInput
from maintenir.preventive.models import Gamme, GammePart, GammeStep, MaintenancePlan, TrainingSession, Trigger
from maintenir.preventive.training import level_one_gammes

STEP_FIELDS = [
    "instruction",
    "level",
    "duration_minutes",
    "technology",
    "safety_notes",
    "unit",
    "expected_min",
    "expected_max",
]


class MaintenancePlanForm(RestrictedChoicesForm):
    class Meta:
        model = MaintenancePlan
        fields = ["site", "production_line", "name", "description"]


# The trigger form, one fieldset per part of the rule.
TRIGGER_GROUPS = (
    (_("What and where"), ("gamme", "equipment", "equipment_type", "kind", "priority", "is_active")),
    (_("Calendar"), ("interval", "interval_unit", "anchor", "start_date", "skip_non_working_days", "tolerance_days")),
    (_("Counter"), ("counter_kind", "counter_interval", "lead_percent")),
    (
        _("Measured value"),
        ("point", "operator", "threshold", "threshold_high", "hold_minutes", "horizon_days", "window_days"),
    ),
)


class TriggerForm(RestrictedChoicesForm):
    class Meta:
        model = Trigger
        fields = [name for _title, names in TRIGGER_GROUPS for name in names]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args: Any, plan: MaintenancePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        covered = self.fields["equipment"].queryset.filter(site=plan.site_id)  # type: ignore[attr-defined]
        if plan.production_line_id:
            covered = covered.filter(production_line=plan.production_line_id)
        self.fields["equipment"].queryset = covered  # type: ignore[attr-defined]
        self.fields["point"].queryset = (  # type: ignore[attr-defined]
            self.fields["point"].queryset.filter(device__equipment__in=covered).select_related("device")  # type: ignore[attr-defined]
        )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in TRIGGER_GROUPS]


class GammeForm(RestrictedChoicesForm):
    note = forms.CharField(
        label=_("What changed"), max_length=300, required=False, help_text=_("Kept with the new version of the steps.")
    )

    class Meta:
        model = Gamme
        fields = ["code", "name", "description", "equipment_type"]


class GammeStepForm(forms.ModelForm):
    class Meta:
        model = GammeStep
        fields = STEP_FIELDS
        widgets = {"instruction": forms.Textarea(attrs={"rows": 2}), "safety_notes": forms.Textarea(attrs={"rows": 1})}


GammeStepFormSet = forms.formset_factory(GammeStepForm, extra=2, can_delete=True)


class GammePartForm(RestrictedChoicesForm):
    """A spare part the gamme expects, offered among the parts the user sees."""

    class Meta:
        model = GammePart
        fields = ["part", "quantity", "note"]


GammePartFormSet = forms.formset_factory(GammePartForm, extra=2, can_delete=True)


class ForecastForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label=_("Site"))
    weeks = forms.IntegerField(min_value=1, max_value=52, initial=8, required=False, label=_("Weeks"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.restrict(user)  # type: ignore[attr-defined]


class TrainingSessionForm(RestrictedChoicesForm):
    """A training session; the choices offer level-1 gammes, operators and the maintenance team."""

    class Meta:
        model = TrainingSession
        fields = ["site", "topic", "date", "trainer", "gammes", "attendees", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        people = User.objects.restrict(user).filter(is_active=True)
        self.fields["trainer"].queryset = people.filter(role__in=STAFF_ROLES)  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = people.filter(role=Role.OPERATOR)  # type: ignore[attr-defined]
        self.fields["gammes"].queryset = level_one_gammes()  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial.setdefault("trainer", user.pk)
