"""Forms of the work-request and work-order pages; choices are always limited to what the user may see."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment, Site
from maintenir.assets.services import descendants
from maintenir.certification.models import ActivityType
from maintenir.core.choices import Role
from maintenir.core.files import validate_photo
from maintenir.core.models import User
from maintenir.core.widgets import DateInput, DateTimeInput
from maintenir.devices.models import Point
from maintenir.people.choices import SkillLevel
from maintenir.people.models import HabilitationType, Skill
from maintenir.stores.models import Location, Part
from maintenir.workorders import qualifications
from maintenir.workorders.choices import DowntimeCause, Energy, Priority, WorkOrderType
from maintenir.workorders.models import (
    OUT_OF_RANGE,
    SYMPTOM_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ChecklistStep,
    CommissioningCheck,
    DetectionMethod,
    FailureCause,
    FailureMechanism,
    FailureMode,
    Remedy,
    WorkOrder,
    WorkRequest,
)
from maintenir.workorders.templatetags.workorder_tags import expected_range

# Phones show a numeric keypad; localized fields accept "12,5" in French.
DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
DATE_INPUT = DateInput()
DATETIME_INPUT = DateTimeInput()


def decimal_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, localize=True, widget=DECIMAL_INPUT, **kwargs)


def float_field(name: str, **kwargs: Any) -> forms.FloatField:
    """A form field for a float model field of a commissioning check, with its label and help text."""
    model_field = CommissioningCheck._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    kwargs.setdefault("required", False)
    return forms.FloatField(
        label=capfirst(model_field.verbose_name),
        help_text=model_field.help_text,
        localize=True,
        widget=DECIMAL_INPUT,
        **kwargs,
    )


def technicians(user: User) -> Any:
    return User.objects.restrict(user).filter(role=Role.TECHNICIAN, is_active=True)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several images in one input; each is checked as an image."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("validators", [validate_photo])
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


# --- Work requests ---------------------------------------------------------------------------


class WorkRequestForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)
    equipment = forms.ModelChoiceField(queryset=Equipment.objects.none(), label=_("Equipment"), required=False)
    symptom = forms.CharField(
        label=_("What is wrong?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=SYMPTOM_MAX_LENGTH
    )
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    equipment_stopped = forms.BooleanField(
        label=_("Equipment stopped"),
        required=False,
        help_text=WorkRequest._meta.get_field("equipment_stopped").help_text,
    )
    photos = MultipleImageField(label=_("Photos"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.restrict(user)  # type: ignore[attr-defined]
        self.fields["equipment"].queryset = Equipment.objects.restrict(user).select_related("site")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The reporter may pick only the equipment: its site follows.
        if not data.get("site") and data.get("equipment"):
            data["site"] = data["equipment"].site
        if not data.get("site") and "site" not in self.errors:
            self.add_error("site", _("Choose the site or the equipment."))
        return data


class RequestForm(forms.Form):
    """Base of the forms of a manager's decision on a request."""

    def __init__(self, *args: Any, user: User, work_request: WorkRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.work_request = work_request


class ApproveRequestForm(RequestForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    work_type = forms.ChoiceField(label=_("Type"), choices=WorkOrderType.choices, initial=WorkOrderType.CORRECTIVE)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)
    assignees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Assignees"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With assignees the order is planned at once."),
    )
    # Shown once the approval is refused with warnings (services.assignment_warnings), to confirm it knowingly.
    accept_warnings = forms.BooleanField(label=_("Approve even so"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("priority", self.work_request.urgency)
        self.initial.setdefault("title", self.work_request.symptom.splitlines()[0][:200])
        self.fields["assignees"].queryset = technicians(self.user)  # type: ignore[attr-defined]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if "accept_warnings" in self.errors:
            self.fields["accept_warnings"].widget = forms.CheckboxInput()


REASON = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RejectForm(RequestForm):
    reason = REASON


# --- Work orders: descriptive fields ---------------------------------------------------------


class WorkOrderForm(forms.ModelForm):
    class Meta:
        model = WorkOrder
        fields = [
            "site",
            "equipment",
            "work_type",
            "title",
            "description",
            "priority",
            "due_date",
            "estimated_hours",
            "follow_up_of",
        ]
        widgets = {"due_date": DATE_INPUT, "estimated_hours": DECIMAL_INPUT, "follow_up_of": forms.HiddenInput}
        localized_fields = ["estimated_hours"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.restrict(user)  # type: ignore[attr-defined]
        self.fields["equipment"].queryset = Equipment.objects.restrict(user).select_related("site")  # type: ignore[attr-defined]
        self.fields["description"].validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
        if self.instance.pk:
            # What an order follows up is set when it is raised, never edited.
            del self.fields["follow_up_of"]
        else:
            steps = ChecklistStep.objects.restrict(user).filter(OUT_OF_RANGE).select_related("work_order")
            self.fields["follow_up_of"].queryset = steps  # type: ignore[attr-defined]


# --- Work orders: actions on one order -------------------------------------------------------


class OrderForm(forms.Form):
    """Base of the forms posted to an order's actions; an action without input uses it as is."""

    def __init__(self, *args: Any, user: User, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.order = order


class ReasonForm(OrderForm):
    reason = REASON


class AssignForm(OrderForm):
    assignees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), label=_("Assignees"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignees"]
        people = list(technicians(self.user))
        field.queryset = technicians(self.user)  # type: ignore[attr-defined]
        # Each choice says whether the person qualifies for the order's requirements.
        lacking = qualifications.lacking_by_person(self.order, people)
        field.label_from_instance = lambda person: qualification_label(person, lacking.get(person.pk, []))  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["assignees"] = [person.pk for person in self.order.assignees.all()]


def qualification_label(person: User, lacking: list[str]) -> str:
    if not lacking:
        return str(person)
    return _("%(person)s — lacks: %(missing)s") % {"person": person, "missing": "; ".join(lacking)}


class PlanForm(AssignForm):
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=DATETIME_INPUT)


class StepAddForm(OrderForm):
    instruction = forms.CharField(
        label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX_LENGTH
    )
    requires_measurement = forms.BooleanField(label=_("Measurement required"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    expected_min = decimal_field(_("Expected minimum"), required=False)
    expected_max = decimal_field(_("Expected maximum"), required=False)


class LockoutStepAddForm(OrderForm):
    isolation_point = forms.CharField(
        label=_("Isolation point"), max_length=200, help_text=_("e.g. Q12 main switch of press P-200.")
    )
    energy = forms.ChoiceField(label=_("Energy"), choices=Energy.choices, initial=Energy.ELECTRICAL)
    action = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX_LENGTH)


class StepForm(forms.Form):
    is_done = forms.BooleanField(label=_("Done"), required=False)
    measured_value = decimal_field(_("Measured value"), required=False, max_digits=14, decimal_places=4)
    remark = forms.CharField(
        label=_("Remark"), required=False, widget=forms.Textarea(attrs={"rows": 1}), max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args: Any, step: ChecklistStep, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"is_done": step.is_done, "measured_value": step.measured_value, "remark": step.remark}
        )
        kwargs.setdefault("prefix", f"step-{step.pk}")
        super().__init__(*args, **kwargs)
        self.step = step
        value = self.fields["measured_value"]
        if step.unit:
            value.label = f"{value.label} ({step.unit})"
        expected = expected_range(step)
        if expected:
            value.help_text = _("Expected: %(range)s") % {"range": expected}


class TimeForm(OrderForm):
    hours = decimal_field(_("Hours"), max_digits=5, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PartForm(OrderForm):
    description = forms.CharField(label=_("Part"), max_length=200)
    quantity = decimal_field(_("Quantity"), max_digits=10, decimal_places=2, initial=1)
    unit_cost = decimal_field(_("Unit cost"), max_digits=10, decimal_places=2, required=False)


class StockPartForm(OrderForm):
    """A part from stock and where it is taken from, among what the user may see."""

    part = forms.ModelChoiceField(queryset=Part.objects.none(), label=_("Part"))
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("From"))
    quantity = decimal_field(_("Quantity"), max_digits=12, decimal_places=3, initial=1, min_value=Decimal("0.001"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = Part.objects.restrict(self.user)  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.restrict(self.user)  # type: ignore[attr-defined]


class IssuePartForm(StockPartForm):
    instead_of = forms.ModelChoiceField(
        queryset=Part.objects.none(),
        label=_("Instead of"),
        required=False,
        help_text=_("The part the work called for, when you fit an equivalent."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instead_of"].queryset = self.fields["part"].queryset  # type: ignore[attr-defined]


class FailureForm(OrderForm):
    """ISO 14224 coding: active entries only, plus the order's current entry if it was retired since."""

    CODED_LISTS = {
        "failure_mode": FailureMode,
        "failure_mechanism": FailureMechanism,
        "failure_cause": FailureCause,
        "remedy": Remedy,
        "detection_method": DetectionMethod,
    }

    failure_mode = forms.ModelChoiceField(queryset=FailureMode.objects.none(), label=_("Failure mode"), required=False)
    failure_mechanism = forms.ModelChoiceField(
        queryset=FailureMechanism.objects.none(), label=_("Failure mechanism"), required=False
    )
    failure_cause = forms.ModelChoiceField(
        queryset=FailureCause.objects.none(), label=_("Failure cause"), required=False
    )
    remedy = forms.ModelChoiceField(queryset=Remedy.objects.none(), label=_("Remedy"), required=False)
    detection_method = forms.ModelChoiceField(
        queryset=DetectionMethod.objects.none(), label=_("Detection method"), required=False
    )
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, model in self.CODED_LISTS.items():
            current = getattr(self.order, f"{name}_id")
            field = self.fields[name]
            field.queryset = model.objects.restrict(self.user).filter(Q(is_active=True) | Q(pk=current))  # type: ignore[attr-defined]
            self.initial.setdefault(name, current)
        self.initial.setdefault("findings", self.order.findings)


class CheckForm(OrderForm):
    """A commissioning check: the points offered are those of the devices of the order's equipment and below."""

    name = forms.CharField(
        label=_("Check"), max_length=200, help_text=CommissioningCheck._meta.get_field("name").help_text
    )
    point = forms.ModelChoiceField(queryset=Point.objects.none(), label=_("Point read"))
    command_point = forms.ModelChoiceField(
        queryset=Point.objects.none(),
        label=_("Point commanded"),
        required=False,
        help_text=CommissioningCheck._meta.get_field("command_point").help_text,
    )
    command_value = float_field("command_value")
    expected_value = float_field("expected_value")
    tolerance = float_field("tolerance", initial=0, required=True)
    expected_min = float_field("expected_min")
    expected_max = float_field("expected_max")
    timeout = float_field("timeout", initial=5, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        equipment = [self.order.equipment, *descendants(self.order.equipment)] if self.order.equipment else []
        points = Point.objects.restrict(self.user).filter(device__equipment__in=equipment).select_related("device")
        self.fields["point"].queryset = points  # type: ignore[attr-defined]
        self.fields["command_point"].queryset = points.filter(writable=True)  # type: ignore[attr-defined]


class SignOffForm(OrderForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    reservations = forms.CharField(
        label=_("Reservations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required while a commissioning check has not passed: what is accepted with reservations, and why."
        ),
    )
    # Filled by the signature pad as a PNG data URL; a few hundred kB at most.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Reservations (réserves) are about commissioning checks.
        if self.order.work_type != WorkOrderType.INSTALLATION:
            del self.fields["reservations"]


class TechnicianSignOffForm(SignOffForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("name", str(self.user))


class DowntimeForm(OrderForm):
    cause = forms.ChoiceField(label=_("Cause"), choices=DowntimeCause.choices, initial=DowntimeCause.FAILURE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


# --- Requirements ----------------------------------------------------------------------------


class RequirementFields(forms.Form):
    """A requirement's fields: one of a skill (with its minimum level), a habilitation, a CCP."""

    skill = forms.ModelChoiceField(queryset=Skill.objects.none(), label=_("Skill"), required=False)
    min_level = forms.TypedChoiceField(
        label=_("Minimum level"), choices=[("", "—"), *SkillLevel.choices], coerce=int, empty_value=None, required=False
    )
    habilitation_type = forms.ModelChoiceField(
        queryset=HabilitationType.objects.none(), label=_("Habilitation"), required=False
    )
    ccp = forms.ModelChoiceField(queryset=ActivityType.objects.none(), label=_("CCP"), required=False)

    def set_choices(self, user: User) -> None:
        self.fields["skill"].queryset = Skill.objects.restrict(user)  # type: ignore[attr-defined]
        self.fields["habilitation_type"].queryset = HabilitationType.objects.restrict(user)  # type: ignore[attr-defined]
        self.fields["ccp"].queryset = ActivityType.objects.restrict(user).select_related("version__title")  # type: ignore[attr-defined]
        self.fields["ccp"].label_from_instance = lambda ccp: f"{ccp.version.title} — {ccp}"  # type: ignore[attr-defined]


class OrderRequirementForm(OrderForm, RequirementFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(self.user)


class RequirementForm(RequirementFields):
    """A requirement of a work type (with `work_type`) or of a gamme step (without)."""

    work_type = forms.ChoiceField(label=_("Type"), choices=WorkOrderType.choices)

    def __init__(self, *args: Any, user: User, with_work_type: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(user)
        if not with_work_type:
            del self.fields["work_type"]
