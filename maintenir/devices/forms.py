from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.devices import parameters
from maintenir.devices.models import POINT_SETTINGS, Device, ParameterEntry, ParameterSet, Point


class DeviceForm(RestrictedChoicesForm):
    class Meta:
        model = Device
        fields = [
            "equipment",
            "name",
            "protocol",
            "host",
            "port",
            "unit_id",
            "options",
            "is_enabled",
            "poll_interval",
            "timeout",
            "grace_period",
        ]


class PointForm(RestrictedChoicesForm):
    # The display name beside the name, though it comes last in the CSV columns.
    field_order = ["name", "display_name"]

    class Meta:
        model = Point
        fields = list(POINT_SETTINGS)


class ParameterSetForm(RestrictedChoicesForm):
    class Meta:
        model = ParameterSet
        fields = ["name", "site", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def writable_point_names(user: Any) -> list[str]:
    """The names of the writable points the user may see: what a parameter set's entries may name."""
    points = Point.objects.restrict(user).filter(writable=True)
    return list(points.order_by("name").values_list("name", flat=True).distinct())


class ParameterEntryForm(forms.Form):
    # capfirst keeps the label lazy: it is translated when shown, not in the language active at import.
    point_name = forms.ChoiceField(label=capfirst(ParameterEntry._meta.get_field("point_name").verbose_name))
    value = forms.FloatField(label=capfirst(ParameterEntry._meta.get_field("value").verbose_name))

    def __init__(self, *args: Any, point_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point_name"].choices = [("", "---------"), *((name, name) for name in point_names)]  # type: ignore[attr-defined]


ParameterEntryFormSet = forms.formset_factory(ParameterEntryForm, extra=3, can_delete=True)


class ApplyForm(forms.Form):
    devices = forms.ModelMultipleChoiceField(
        label=_("Devices"), queryset=Device.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    tutor = forms.ModelChoiceField(
        label=_("Tutor"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A trainee applies with their tutor, assigned with them to the open work order."),
    )

    def __init__(
        self, *args: Any, user: Any, parameter_set: ParameterSet, rights: parameters.WriteRights, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["devices"]
        # Only the devices that have the set's points: the others would be refused. A device the user may
        # not write to is not offered, but is still accepted here so that the service refuses it (403).
        devices = parameters.applicable_devices(
            parameter_set, Device.objects.restrict(user, Action.CHANGE).select_related("equipment")
        )
        field.queryset = devices  # type: ignore[attr-defined]
        field.label_from_instance = lambda device: f"{device.equipment.code} — {device.name}"  # type: ignore[attr-defined]
        field.choices = [(device.pk, field.label_from_instance(device)) for device in rights.devices(devices)]  # type: ignore[attr-defined]
        if rights.trainee:
            # Any active account is accepted here, so that the service says why one who is not their tutor is refused.
            tutor = self.fields["tutor"]
            tutor.queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
            tutor.required = True
            tutors = list(User.objects.filter(pk__in=rights.tutors()))
            tutor.choices = [("", "---------"), *((person.pk, str(person)) for person in tutors)]  # type: ignore[attr-defined]
            if len(tutors) == 1:
                tutor.initial = tutors[0].pk
        else:
            del self.fields["tutor"]
