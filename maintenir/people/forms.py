from typing import Any

from django import forms

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.core.models import User
from maintenir.core.widgets import DateInput
from maintenir.people.models import (
    TECHNICIAN_ROLES,
    Absence,
    Habilitation,
    HabilitationType,
    Skill,
    Team,
    Technician,
    TechnicianSkill,
)
from maintenir.workorders.forms import DATETIME_INPUT

# The browser's time picker, which reads and writes 24-hour times whatever the page's language.
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TechnicianForm(RestrictedChoicesForm):
    choice_select_related = {Technician: ("user",)}

    class Meta:
        model = Technician
        fields = [
            "user",
            "team",
            "is_trainee",
            "technical_referent",
            "phone",
            "home_base",
            "home_latitude",
            "home_longitude",
            "work_start",
            "work_end",
            "working_days",
        ]
        widgets = {"work_start": TIME_INPUT, "work_end": TIME_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A profile stays with its account.
            del self.fields["user"]
            referents = self.fields["technical_referent"]
            referents.queryset = referents.queryset.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]
        else:
            self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                is_active=True, role__in=TECHNICIAN_ROLES, technician__isnull=True
            )


class TechnicianSkillForm(RestrictedChoicesForm):
    class Meta:
        model = TechnicianSkill
        fields = ["skill", "level"]


class HabilitationForm(RestrictedChoicesForm):
    class Meta:
        model = Habilitation
        fields = ["habilitation_type", "granted_on", "expires_on", "granted_by", "note"]
        widgets = {"granted_on": DateInput(), "expires_on": DateInput()}


class AbsenceForm(RestrictedChoicesForm):
    class Meta:
        model = Absence
        fields = ["starts_at", "ends_at", "reason", "note"]
        widgets = {"starts_at": DATETIME_INPUT, "ends_at": DATETIME_INPUT}


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description"]


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = ["code", "name", "technology", "service_lot"]


class HabilitationTypeForm(forms.ModelForm):
    class Meta:
        model = HabilitationType
        fields = ["code", "name", "name_fr", "category", "description"]
