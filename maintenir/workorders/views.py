"""Work-request and work-order pages: thin views over `maintenir.workorders.services`.

Every object is looked up through `restrict()` (another client's object is a 404);
the services decide who may do what (PermissionDenied is a 403) and refuse bad
transitions (ValidationError: the page shows why, nothing is written).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maintenir.assets.models import Equipment
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.files import serve_upload
from maintenir.core.models import User
from maintenir.core.services import TransitionError
from maintenir.stores import services as stock
from maintenir.stores.models import Part
from maintenir.ui.views_helpers import add_errors, can_add, filtered_list, form_page, get_visible, may, require_add
from maintenir.workorders import commissioning, oncall, qualifications, services
from maintenir.workorders import forms as wo_forms
from maintenir.workorders.choices import (
    CHECK_EDITABLE_STATUSES,
    EXECUTION_STATUSES,
    LOCKOUT_STATUSES,
    OPEN_STATUSES,
    ListedOrders,
    SignOffRole,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.choices import WorkOrderStatus as S
from maintenir.workorders.filtersets import WorkOrderFilterSet, WorkRequestFilterSet
from maintenir.workorders.models import (
    ChecklistStep,
    CommissioningCheck,
    LockoutStep,
    OnCallCall,
    PartReservation,
    WorkOrder,
    WorkOrderRequirement,
    WorkRequest,
    WorkRequestPhoto,
    WorkTypeRequirement,
)
from maintenir.workorders.signals import parts_expected

CHANGES_SHOWN = 50
CALLS_SHOWN = 200


def field_errors(form: forms.BaseForm, error: ValidationError) -> list[str]:
    """Put a service's ValidationError on the form fields it names; return the messages about anything else."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    rest: list[str] = []
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            rest.extend(message for item in errors for message in item.messages)
    return rest


# --- Work requests ---------------------------------------------------------------------------


def request_queryset() -> QuerySet:
    return WorkRequest.objects.select_related("site", "equipment", "reported_by")


@login_required
def workrequest_list(request: HttpRequest) -> HttpResponse:
    # Counted per row shown, not grouped over every request: the page is read from the index on `created`.
    photos = WorkRequestPhoto.objects.filter(work_request=OuterRef("pk")).order_by().values("work_request")
    photo_count = Coalesce(Subquery(photos.annotate(n=Count("pk")).values("n")), 0)
    queryset = request_queryset().annotate(photo_count=photo_count).order_by("-created", "-pk")
    return filtered_list(request, queryset, WorkRequestFilterSet, "workorders/workrequest_list.html")


@login_required
def workrequest_add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {}
    # "Report a fault" from an equipment page arrives with ?equipment=<id>.
    equipment_id = request.GET.get("equipment", "")
    equipment = Equipment.objects.restrict(user).filter(pk=equipment_id).first() if equipment_id.isdigit() else None
    if equipment is not None:
        initial = {"equipment": equipment, "site": equipment.site_id}
    form = wo_forms.WorkRequestForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    return form_page(
        request,
        form,
        lambda form: services.submit_work_request(user, **form.cleaned_data),
        "workorders/workrequest_form.html",
    )


def request_page(request: HttpRequest, work_request: WorkRequest, bound: dict[str, forms.Form]) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {
        "object": work_request,
        "photos": work_request.photos.all(),
        "changes": changes_for(work_request)[:CHANGES_SHOWN],
    }
    if user.is_manager and work_request.status == WorkRequestStatus.SUBMITTED:
        context["approve_form"] = bound.get("approve") or wo_forms.ApproveRequestForm(
            user=user, work_request=work_request, prefix="approve"
        )
        context["reject_form"] = bound.get("reject") or wo_forms.RejectForm(
            user=user, work_request=work_request, prefix="reject"
        )
    # A refused decision shows its form again, with the reason, even once the request is decided.
    context.update({f"{prefix}_form": form for prefix, form in bound.items()})
    if work_request.work_order_id:
        context["work_order"] = WorkOrder.objects.restrict(user).filter(pk=work_request.work_order_id).first()
    return render(request, "workorders/workrequest_detail.html", context)


@login_required
def workrequest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return request_page(request, get_visible(request, request_queryset(), pk), {})


def decide(
    request: HttpRequest,
    pk: int,
    prefix: str,
    make_form: Callable[..., forms.Form],
    perform: Callable[[User, WorkRequest, dict[str, Any]], Any],
) -> HttpResponse:
    """POST a manager's decision on a request; redirect to what it produced, or show the form's errors."""
    user: User = request.user  # type: ignore[assignment]
    work_request = get_visible(request, request_queryset(), pk)
    form = make_form(request.POST, user=user, work_request=work_request, prefix=prefix)
    if form.is_valid():
        try:
            result = perform(user, work_request, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(result)
    return request_page(request, work_request, {prefix: form})


@login_required
@require_POST
def workrequest_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return decide(
        request,
        pk,
        "approve",
        wo_forms.ApproveRequestForm,
        lambda user, work_request, data: services.approve_work_request(user, work_request, **data),
    )


@login_required
@require_POST
def workrequest_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return decide(
        request,
        pk,
        "reject",
        wo_forms.RejectForm,
        lambda user, work_request, data: services.reject_work_request(user, work_request, data["reason"]),
    )


@login_required
def workrequest_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served through the tenancy check, never as public media files."""
    photo = get_visible(request, WorkRequestPhoto.objects.all(), pk)
    return serve_upload(photo.image)


# --- Work orders: list, create, edit ---------------------------------------------------------


@login_required
def workorder_list(request: HttpRequest) -> HttpResponse:
    orders = WorkOrder.objects.select_related("site", "equipment").prefetch_related("assignees", "supervisions__tutor")
    return filtered_list(
        request,
        orders,
        WorkOrderFilterSet,
        "workorders/workorder_list.html",
        {"can_add": can_add(request.user, WorkOrder)},
        # "Open" stays a filter for links such as the home page's; the page offers "Show" instead.
        hidden_filters=("is_open",),
        defaults={"listed": ListedOrders.UNFINISHED},
    )


@login_required
def workorder_add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_add(user, WorkOrder)
    # "Follow up" from a measurement out of its tolerance arrives with ?follow_up=<step id>.
    step_id = request.GET.get("follow_up", "")
    step = ChecklistStep.objects.restrict(user).filter(pk=step_id).first() if step_id.isdigit() else None
    initial = services.follow_up_fields(step) if step is not None and step.out_of_range else {}
    form = wo_forms.WorkOrderForm(request.POST or None, user=user, initial=initial)
    return form_page(
        request, form, lambda form: services.create_work_order(user, form.instance), "workorders/workorder_form.html"
    )


def editable(user: User, order: WorkOrder) -> bool:
    """Descriptive fields are the manager's, while the order is open (as `update_work_order` requires)."""
    return user.is_manager and order.status in OPEN_STATUSES


@login_required
def workorder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    order = get_visible(request, WorkOrder.objects.all(), pk)
    if not editable(user, order):
        raise PermissionDenied(_("Only a maintenance manager may edit an open work order."))
    form = wo_forms.WorkOrderForm(request.POST or None, instance=order, user=user)
    return form_page(
        request,
        form,
        lambda form: services.update_work_order(
            user, order, **{name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.fields}
        ),
        "workorders/workorder_form.html",
        {"object": order},
    )


# --- Work orders: actions --------------------------------------------------------------------

MANAGER, EXECUTOR, ANYONE = services.MANAGER, services.EXECUTOR, "anyone"


@dataclass(frozen=True)
class OrderAction:
    """One thing a user may do to an order from its pages: a form, a service call, who sees it and when.

    `statuses` and `who` come from the service's tables so that only usable buttons
    are shown; the service still refuses anything else.
    """

    name: str
    label: str | Promise
    perform: Callable[[User, WorkOrder, dict[str, Any]], object]
    statuses: frozenset[str]
    who: str
    done: str | Promise
    form_class: type[wo_forms.OrderForm] = wo_forms.OrderForm
    style: str = "btn"
    when: Callable[[WorkOrder], bool] = lambda order: True

    def allowed(self, user: User, order: WorkOrder) -> bool:
        if order.status not in self.statuses or not self.when(order):
            return False
        return self.who == ANYONE or services.may_act(user, order, self.who)


def has_no_sign_off(role: str) -> Callable[[WorkOrder], bool]:
    return lambda order: all(signed.role != role for signed in order.sign_offs.all())


def open_downtime(order: WorkOrder) -> Any:
    if order.equipment is None:
        return None
    return next((down for down in order.equipment.downtimes.all() if down.ended_at is None), None)


def end_open_downtime(user: User, order: WorkOrder, data: dict[str, Any]) -> object:
    downtime = open_downtime(order)
    if downtime is None:
        raise ValidationError(_("The equipment is not down."))
    return services.end_downtime(user, downtime)


ACTIVE = frozenset(S) - {S.CLOSED, S.CANCELLED}


def is_commissioning(order: WorkOrder) -> bool:
    return order.work_type == WorkOrderType.INSTALLATION


ACTIONS = {
    action.name: action
    for action in [
        OrderAction(
            "approve",
            gettext_lazy("Approve"),
            lambda user, order, data: services.approve_work_order(user, order),
            services.TRANSITIONS["approve"].allowed_from,
            services.TRANSITIONS["approve"].by,
            gettext_lazy("Work order approved."),
            style="btn btn-primary",
        ),
        OrderAction(
            "plan",
            gettext_lazy("Plan"),
            lambda user, order, data: services.plan_work_order(user, order, **data),
            services.TRANSITIONS["plan"].allowed_from,
            services.TRANSITIONS["plan"].by,
            gettext_lazy("Work order planned."),
            form_class=wo_forms.PlanForm,
            style="btn btn-primary",
        ),
        OrderAction(
            "assign",
            gettext_lazy("Reassign"),
            lambda user, order, data: services.assign_work_order(user, order, data["assignees"]),
            services.ASSIGNABLE_STATUSES - {S.APPROVED},
            MANAGER,
            gettext_lazy("Assignees saved."),
            form_class=wo_forms.AssignForm,
        ),
        OrderAction(
            "requirement-add",
            gettext_lazy("Add a requirement"),
            lambda user, order, data: services.save_requirement(user, WorkOrderRequirement(work_order=order, **data)),
            OPEN_STATUSES,
            MANAGER,
            gettext_lazy("Requirement added."),
            form_class=wo_forms.OrderRequirementForm,
        ),
        OrderAction(
            "start",
            gettext_lazy("Start"),
            lambda user, order, data: services.start_work_order(user, order),
            services.TRANSITIONS["start"].allowed_from,
            services.TRANSITIONS["start"].by,
            gettext_lazy("Work started."),
            style="btn btn-primary btn-big",
        ),
        OrderAction(
            "hold",
            gettext_lazy("Put on hold"),
            lambda user, order, data: services.hold_work_order(user, order, data["reason"]),
            services.TRANSITIONS["hold"].allowed_from,
            services.TRANSITIONS["hold"].by,
            gettext_lazy("Work on hold."),
            form_class=wo_forms.ReasonForm,
        ),
        OrderAction(
            "resume",
            gettext_lazy("Resume"),
            lambda user, order, data: services.resume_work_order(user, order),
            services.TRANSITIONS["resume"].allowed_from,
            services.TRANSITIONS["resume"].by,
            gettext_lazy("Work resumed."),
            style="btn btn-primary btn-big",
        ),
        OrderAction(
            "complete",
            gettext_lazy("Complete"),
            lambda user, order, data: services.complete_work_order(user, order),
            services.TRANSITIONS["complete"].allowed_from,
            services.TRANSITIONS["complete"].by,
            gettext_lazy("Work order completed."),
            style="btn btn-primary btn-big",
        ),
        OrderAction(
            "close",
            gettext_lazy("Close"),
            lambda user, order, data: services.close_work_order(user, order),
            services.TRANSITIONS["close"].allowed_from,
            services.TRANSITIONS["close"].by,
            gettext_lazy("Work order closed."),
            style="btn btn-primary",
        ),
        OrderAction(
            "cancel",
            gettext_lazy("Cancel the order"),
            lambda user, order, data: services.cancel_work_order(user, order, data["reason"]),
            services.TRANSITIONS["cancel"].allowed_from,
            services.TRANSITIONS["cancel"].by,
            gettext_lazy("Work order cancelled."),
            form_class=wo_forms.ReasonForm,
            style="btn btn-danger",
        ),
        OrderAction(
            "step-add",
            gettext_lazy("Add the step"),
            lambda user, order, data: services.add_step(user, order, **data),
            frozenset(OPEN_STATUSES),
            MANAGER,
            gettext_lazy("Checklist step added."),
            form_class=wo_forms.StepAddForm,
        ),
        OrderAction(
            "lockout-add",
            gettext_lazy("Add the isolation"),
            lambda user, order, data: services.add_lockout_step(user, order, **data),
            frozenset(OPEN_STATUSES),
            MANAGER,
            gettext_lazy("Lockout step added."),
            form_class=wo_forms.LockoutStepAddForm,
        ),
        OrderAction(
            "check-add",
            gettext_lazy("Add the check"),
            lambda user, order, data: commissioning.add_check(user, order, **data),
            CHECK_EDITABLE_STATUSES,
            EXECUTOR,
            gettext_lazy("Commissioning check added."),
            form_class=wo_forms.CheckForm,
            # Once signed off, the checks are what the report says.
            when=lambda order: is_commissioning(order) and not order.sign_offs.all(),
        ),
        OrderAction(
            "time",
            gettext_lazy("Log time"),
            lambda user, order, data: services.log_time(user, order, **data),
            EXECUTION_STATUSES,
            EXECUTOR,
            gettext_lazy("Time logged."),
            form_class=wo_forms.TimeForm,
        ),
        OrderAction(
            "part",
            gettext_lazy("Add the part"),
            lambda user, order, data: services.add_part(user, order, **data),
            EXECUTION_STATUSES,
            EXECUTOR,
            gettext_lazy("Part added."),
            form_class=wo_forms.PartForm,
        ),
        OrderAction(
            "reserve",
            gettext_lazy("Reserve the part"),
            lambda user, order, data: services.reserve_part(user, order, **data),
            services.RESERVABLE_STATUSES,
            EXECUTOR,
            gettext_lazy("Part reserved."),
            form_class=wo_forms.StockPartForm,
        ),
        OrderAction(
            "issue",
            gettext_lazy("Take the part from stock"),
            lambda user, order, data: services.issue_part(user, order, **data),
            EXECUTION_STATUSES,
            EXECUTOR,
            gettext_lazy("Part taken from stock."),
            form_class=wo_forms.IssuePartForm,
        ),
        OrderAction(
            "failure",
            gettext_lazy("Save the failure coding"),
            lambda user, order, data: services.code_failure(user, order, **data),
            EXECUTION_STATUSES,
            EXECUTOR,
            gettext_lazy("Failure coding saved."),
            form_class=wo_forms.FailureForm,
        ),
        OrderAction(
            "downtime-start",
            gettext_lazy("Equipment stopped"),
            lambda user, order, data: services.start_downtime(user, order.equipment, work_order=order, **data),  # type: ignore[arg-type]
            EXECUTION_STATUSES,
            EXECUTOR,
            gettext_lazy("Downtime started: the equipment is down."),
            form_class=wo_forms.DowntimeForm,
            style="btn btn-danger",
            when=lambda order: order.equipment is not None and open_downtime(order) is None,
        ),
        OrderAction(
            "downtime-end",
            gettext_lazy("Equipment restarted"),
            end_open_downtime,
            EXECUTION_STATUSES | {S.DONE},
            EXECUTOR,
            gettext_lazy("Downtime ended: the equipment is back in service."),
            style="btn btn-primary",
            when=lambda order: open_downtime(order) is not None,
        ),
        OrderAction(
            "signoff-technician",
            gettext_lazy("Sign off as technician"),
            lambda user, order, data: services.sign_off(user, order, SignOffRole.TECHNICIAN, **data),
            services.SIGN_OFF_STATUSES[SignOffRole.TECHNICIAN],
            EXECUTOR,
            gettext_lazy("Technician sign-off recorded."),
            form_class=wo_forms.TechnicianSignOffForm,
            when=has_no_sign_off(SignOffRole.TECHNICIAN),
        ),
        OrderAction(
            "signoff-client",
            gettext_lazy("Sign off as client"),
            lambda user, order, data: services.sign_off(user, order, SignOffRole.CLIENT, **data),
            services.SIGN_OFF_STATUSES[SignOffRole.CLIENT],
            ANYONE,
            gettext_lazy("Client sign-off recorded."),
            form_class=wo_forms.SignOffForm,
            when=has_no_sign_off(SignOffRole.CLIENT),
        ),
    ]
}
TRANSITIONS = ("approve", "plan", "assign", "start", "hold", "resume", "complete", "close", "cancel")
PAGES = {"detail": "workorders/workorder_detail.html", "execute": "workorders/workorder_execute.html"}


def order_queryset() -> QuerySet:
    return WorkOrder.objects.select_related(
        "site",
        "equipment",
        "requested_by",
        "failure_mode",
        "failure_mechanism",
        "failure_cause",
        "remedy",
        "detection_method",
        "follow_up_of__work_order",
    ).prefetch_related("assignees", "supervisions__tutor", "sign_offs", "equipment__downtimes")


def reservations_section(user: User, order: WorkOrder) -> list[dict[str, Any]]:
    """The parts still reserved for the order, each with where it (or an equivalent) is available nearest."""
    reservations = PartReservation.objects.restrict(user).filter(work_order=order, quantity__gt=0)
    return [
        {
            "reservation": reservation,
            "offers": stock.offers(user, reservation.part, technician=user, site=order.site)
            if order.status in EXECUTION_STATUSES
            else [],
        }
        for reservation in reservations.select_related("part", "location")
    ]


def expected_parts_section(user: User, order: WorkOrder) -> list[dict[str, Any]]:
    """The parts the order is expected to use (a preventive order's gamme), with what planning reserved of
    each; while the work is open, where a part short (or an equivalent of it) is available nearest."""
    expected: list[dict[str, Any]] = []
    for _receiver, items in parts_expected.send(sender=WorkOrder, user=user, order=order):
        expected.extend(cast(list[dict[str, Any]], items))
    open_work = order.status in services.RESERVABLE_STATUSES
    for item in expected:
        item["offers"] = (
            stock.offers(user, item["part"], technician=user, site=order.site) if open_work and item["short"] else []
        )
    return expected


def scanned_issue(user: User, order: WorkOrder, part_id: str) -> dict[str, Any]:
    """The issue form's values for a scanned part: where it is nearest (its reservation first) and, when it
    is an equivalent of a part reserved for the order, the part it stands in for."""
    part = Part.objects.restrict(user).filter(pk=part_id).first() if part_id.isdigit() else None
    if part is None:
        return {}
    initial: dict[str, Any] = {"part": part.pk}
    reservations = list(
        PartReservation.objects.restrict(user).filter(work_order=order, quantity__gt=0).select_related("part")
    )
    own = next((reservation for reservation in reservations if reservation.part_id == part.pk), None)
    if own is not None:
        initial["location"] = own.location_id
    else:
        nearest = [offer for offer in stock.offers(user, part, technician=user, site=order.site) if offer.part == part]
        if nearest:
            initial["location"] = nearest[0].location.pk
        replaced = next((r.part for r in reservations if part.pk in stock.equivalents(r.part)), None)
        if replaced is not None:
            initial["instead_of"] = replaced.pk
    return initial


def order_page(
    request: HttpRequest, order: WorkOrder, page: str, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """An order's detail or execution page; `bound` holds forms to show again with their errors."""
    user: User = request.user  # type: ignore[assignment]
    bound = bound or {}
    page_url = reverse(f"workorder-{page}", args=[order.pk])
    # A part scanned for this order (see stores' part-scan) comes chosen in the "take from stock" form.
    initial = {"issue": scanned_issue(user, order, request.GET.get("part", ""))}
    available = {
        name: {
            "name": name,
            # Posted to the page itself, back at the form: a refusal shows where the user is, under the same URL.
            "url": f"{page_url}#action-{name}",
            "label": action.label,
            "style": action.style,
            "form": bound.get(name)
            or action.form_class(user=user, order=order, prefix=name, initial=initial.get(name)),
        }
        for name, action in ACTIONS.items()
        if action.allowed(user, order)
    }
    steps = list(order.steps.select_related("done_by").prefetch_related("follow_ups"))
    # Steps are recorded on the execution page only; the detail page shows them.
    can_record = page == "execute" and "time" in available
    time_entries = list(order.time_entries.select_related("technician"))
    context = {
        "object": order,
        "order": order,
        # Template variables cannot contain "-": signoff-client is actions.signoff_client.
        "actions": {name.replace("-", "_"): value for name, value in available.items()},
        "transition_actions": [available[name] for name in TRANSITIONS if name in available],
        "steps": [
            step_item(
                user, step, (bound.get(f"step-{step.pk}") or wo_forms.StepForm(step=step)) if can_record else None
            )
            for step in steps
        ],
        "time_entries": time_entries,
        "total_hours": sum((entry.hours for entry in time_entries), Decimal(0)),
        "parts": order.parts.select_related("instead_of"),
        "reservations": reservations_section(user, order),
        "expected_parts": expected_parts_section(user, order),
        "downtimes": order.downtimes.select_related("equipment"),
        "open_downtime": open_downtime(order),
        "transitions": order.transitions.select_related("user"),
        "work_request": WorkRequest.objects.restrict(user).filter(work_order=order).first(),
        "problems": services.completion_problems(order) if order.status == S.IN_PROGRESS else {},
        "can_edit": editable(user, order),
        "changes": changes_for(order)[:CHANGES_SHOWN],
        "commissioning": commissioning_section(user, order, page) if is_commissioning(order) else None,
        "assignees": order.assignee_labels(),
        "qualifications": qualifications_section(user, order),
        "lockout_steps": list(order.lockout_steps.select_related("confirmed_by", "released_by")),
        "can_lock_out": order.status in LOCKOUT_STATUSES and services.may_act(user, order, services.EXECUTOR),
        "error_summary": error_summary(bound),
    }
    return render(request, PAGES[page], context)


@dataclass(frozen=True)
class FormError:
    label: str
    message: str
    anchor: str


def error_summary(bound: dict[str, forms.Form]) -> list[FormError]:
    """Every error of the forms shown again, each linking to its field (or its form) lower on the page."""
    summary: list[FormError] = []
    for name, form in bound.items():
        for field, errors in form.errors.items():
            if field in form.fields and not form[field].is_hidden:
                label, anchor = str(form[field].label), form[field].auto_id
            else:
                label, anchor = "", f"action-{name}"
            summary.extend(FormError(label, str(message), anchor) for message in errors)
    return summary


def step_item(user: User, step: ChecklistStep, form: forms.Form | None) -> dict[str, Any]:
    """A checklist step as its row shows it: with its form when it is recorded here, and for a measurement
    out of its tolerance the orders following it up, or the offer to raise one."""
    return {
        "step": step,
        "form": form,
        "follow_ups": list(step.follow_ups.all()) if step.out_of_range else [],
        "can_follow_up": step.out_of_range and can_add(user, WorkOrder),
    }


def qualifications_section(user: User, order: WorkOrder) -> dict[str, Any] | None:
    """The order's requirements and what each assignee lacks, for the maintenance company's staff only."""
    if not may(user, Action.VIEW, WorkOrderRequirement):
        return None
    assignees = list(order.assignees.all())
    lacking = qualifications.lacking_by_person(order, assignees)
    return {
        "warnings": services.assignment_warnings(order),
        "own": WorkOrderRequirement.objects.restrict(user)
        .filter(work_order=order)
        .select_related(*qualifications.RELATED),
        "by_type": WorkTypeRequirement.objects.restrict(user)
        .filter(work_type=order.work_type)
        .select_related(*qualifications.RELATED),
        "lacking": [(person, lacking[person.pk]) for person in assignees if lacking[person.pk]],
        "can_change": user.is_manager and order.status in OPEN_STATUSES,
    }


def commissioning_section(user: User, order: WorkOrder, page: str, errors: list[str] | None = None) -> dict[str, Any]:
    """The commissioning checks of an order with their last results, and whether this user may run them."""
    return {
        "checks": list(commissioning.checks_of(order)),
        "can_run": commissioning.may_run(user, order),
        "can_edit": commissioning.may_edit_checks(user, order),
        "page": page,
        "errors": errors or [],
        "signed": commissioning.signed_off(order),
    }


@login_required
def workorder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        return perform_action(request, pk, request.POST.get("action", ""), "detail")
    return order_page(request, get_visible(request, order_queryset(), pk), "detail")


@login_required
def workorder_execute(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        return perform_action(request, pk, request.POST.get("action", ""), "execute")
    return order_page(request, get_visible(request, order_queryset(), pk), "execute")


def page_of(request: HttpRequest) -> str:
    page = request.GET.get("page", "detail")
    return page if page in PAGES else "detail"


@login_required
@require_POST
def workorder_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """POST one action to its own URL (`?page=` names the page to come back to)."""
    return perform_action(request, pk, name, page_of(request))


def perform_action(request: HttpRequest, pk: int, name: str, page: str) -> HttpResponse:
    """One action: on success a message and back to the page; otherwise the page again, with the values
    entered and each error beside its field, listed at the top too."""
    user: User = request.user  # type: ignore[assignment]
    order = get_visible(request, order_queryset(), pk)
    action = ACTIONS.get(name)
    if action is None:
        return HttpResponseBadRequest(_("This action does not exist."))
    form = action.form_class(request.POST, user=user, order=order, prefix=name)
    if form.is_valid():
        try:
            action.perform(user, order, form.cleaned_data)
        except ValidationError as error:
            # What is missing (e.g. the completion problems) goes to the top of the page.
            for text in field_errors(form, error):
                messages.error(request, text)
            # The service may have touched the instance before refusing; show what is stored.
            order = get_visible(request, order_queryset(), pk)
        else:
            messages.success(request, str(action.done))
            return redirect(reverse(f"workorder-{page}", args=[order.pk]))
    return order_page(request, order, page, {name: form})


@login_required
@require_POST
def workorder_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one checklist step; with htmx only its row is sent back, flagged when out of range."""
    user: User = request.user  # type: ignore[assignment]
    step = get_visible(request, ChecklistStep.objects.select_related("work_order", "done_by"), pk)
    form = wo_forms.StepForm(request.POST, step=step)
    if form.is_valid():
        try:
            services.record_step(user, step, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
            step.refresh_from_db()
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("Step %(position)s saved.") % {"position": step.position})
                return redirect("workorder-execute", step.work_order_id)
            form = wo_forms.StepForm(step=step)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "workorders/includes/step_row.html", {"item": step_item(user, step, form)})
    order = get_visible(request, order_queryset(), step.work_order_id)
    return order_page(request, order, "execute", {form.prefix or "": form})


LOCKOUT_TRANSITIONS = {
    "confirm": (services.confirm_lockout_step, gettext_lazy("Isolation %(position)s confirmed.")),
    "release": (services.release_lockout_step, gettext_lazy("Isolation %(position)s released.")),
}


@login_required
@require_POST
def workorder_lockout(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    """Confirm or release one isolation; with htmx only its row comes back, saying why when refused."""
    user: User = request.user  # type: ignore[assignment]
    step = get_visible(request, LockoutStep.objects.select_related("work_order", "confirmed_by", "released_by"), pk)
    perform, done = LOCKOUT_TRANSITIONS[transition]
    errors: list[str] = []
    try:
        step = perform(user, step)
    except ValidationError as error:
        errors = list(error.messages)
    except PermissionDenied as error:
        if not request.htmx:  # type: ignore[attr-defined]
            raise
        errors = [str(error)]
    if request.htmx:  # type: ignore[attr-defined]
        context = {"lockout_step": step, "can_lock_out": True, "errors": errors}
        return render(request, "workorders/includes/lockout_row.html", context)
    for text in errors:
        messages.error(request, text)
    if not errors:
        messages.success(request, str(done) % {"position": step.position})
    return redirect(reverse(f"workorder-{page_of(request)}", args=[step.work_order_id]) + "#lockout")


@login_required
def on_call_calls(request: HttpRequest) -> HttpResponse:
    """The log of on-call calls: who was called about which urgent request, and what became of the call."""
    calls = OnCallCall.objects.restrict(request.user).select_related(
        "work_request__site", "work_request__equipment", "technician__user", "team"
    )
    return render(request, "workorders/on_call_calls.html", {"calls": calls[:CALLS_SHOWN]})


@login_required
@require_POST
def on_call_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """The technician called takes the request, from their home page."""
    call = get_visible(request, OnCallCall.objects.select_related("technician", "work_request"), pk)
    try:
        oncall.acknowledge_call(request.user, call)  # type: ignore[arg-type]
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("Call acknowledged: %(request)s is yours.") % {"request": call.work_request.reference}
        )
    return redirect("home")


# --- Commissioning checks --------------------------------------------------------------------


def after_run(request: HttpRequest, order_pk: int, run: Callable[[User], object]) -> HttpResponse:
    """Run checks, then show the checks again: the section alone for htmx, else the whole page."""
    user: User = request.user  # type: ignore[assignment]
    page = page_of(request)
    errors: list[str] = []
    try:
        run(user)
    except ValidationError as error:
        errors = list(error.messages)
    order = get_visible(request, order_queryset(), order_pk)
    if request.htmx:  # type: ignore[attr-defined]
        section = commissioning_section(user, order, page, errors)
        return render(
            request, "workorders/includes/commissioning_checks.html", {"order": order, "commissioning": section}
        )
    for text in errors:
        messages.error(request, text)
    if not errors:
        messages.success(request, _("Commissioning checks run: see their results."))
    return redirect(reverse(f"workorder-{page}", args=[order_pk]) + "#commissioning")


@login_required
@require_POST
def commissioning_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run one check live (writes its command to the device, then reads its point)."""
    checks = CommissioningCheck.objects.select_related("work_order", "point__device", "command_point__device")
    check = get_visible(request, checks, pk)
    return after_run(request, check.work_order_id, lambda user: commissioning.run_check(user, check))


@login_required
@require_POST
def commissioning_run_all(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible(request, WorkOrder.objects.all(), pk)
    return after_run(request, order.pk, lambda user: commissioning.run_all(user, order))


def checks_url(order: WorkOrder) -> str:
    return order.get_absolute_url() + "#commissioning"


@login_required
def commissioning_check_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a check (it must then run again); refused once the order is closed or signed off."""
    user: User = request.user  # type: ignore[assignment]
    check = get_visible(request, CommissioningCheck.objects.select_related("work_order"), pk)
    order = check.work_order
    initial = {name: getattr(check, name) for name in commissioning.CHECK_FIELDS}
    form = wo_forms.CheckForm(request.POST or None, user=user, order=order, prefix="check", initial=initial)
    try:
        if request.method != "POST":
            commissioning.require_editable(user, order)
        elif form.is_valid():
            commissioning.update_check(user, check, **form.cleaned_data)
            messages.success(request, _("Commissioning check saved: run it again."))
            return redirect(checks_url(order))
    except TransitionError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(checks_url(order))
    except ValidationError as error:
        add_errors(form, error)
    return render(request, "workorders/check_form.html", {"form": form, "check": check, "order": order})


@login_required
@require_POST
def commissioning_check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_visible(request, CommissioningCheck.objects.select_related("work_order"), pk)
    try:
        commissioning.delete_check(request.user, check)  # type: ignore[arg-type]
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Commissioning check deleted."))
    return redirect(checks_url(check.work_order))


@login_required
@require_POST
def workorder_requirement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_visible(request, WorkOrderRequirement.objects.select_related("work_order"), pk)
    try:
        services.delete_requirement(request.user, requirement)  # type: ignore[arg-type]
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Requirement removed."))
    return redirect(requirement.work_order.get_absolute_url() + "#requirements")


# --- Requirements of every order of a type ---------------------------------------------------


@login_required
def worktype_requirements(request: HttpRequest) -> HttpResponse:
    """The catalogue of what each work type requires; managers add and remove entries."""
    user: User = request.user  # type: ignore[assignment]
    if not may(user, Action.VIEW, WorkTypeRequirement):
        raise PermissionDenied
    if request.method == "POST":
        require_add(user, WorkTypeRequirement)
    can_change = can_add(user, WorkTypeRequirement)
    form = wo_forms.RequirementForm(request.POST or None, user=user) if can_change else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.save_requirement(user, WorkTypeRequirement(**form.cleaned_data))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Requirement added."))
            return redirect("worktype-requirements")
    rows = list(WorkTypeRequirement.objects.restrict(user).select_related(*qualifications.RELATED))
    by_type = {label: [row for row in rows if row.work_type == value] for value, label in WorkOrderType.choices}
    return render(
        request,
        "workorders/worktype_requirements.html",
        {"by_type": by_type, "form": form, "can_change": can_change},
    )


@login_required
@require_POST
def worktype_requirement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_visible(request, WorkTypeRequirement.objects.all(), pk)
    services.delete_requirement(request.user, requirement)  # type: ignore[arg-type]
    messages.success(request, _("Requirement removed."))
    return redirect("worktype-requirements")
