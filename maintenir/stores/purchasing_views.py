"""Purchasing pages: reorder suggestions, purchase requests and orders, suppliers and reorder rules.

The company's staff read them, its managers act on them; a client's user gets 403 (or 404 for an object).
Sending an order and its PDF are served by the reports app, which lays the document out.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_model_permission, save_restricted
from maintenir.stores import exports, purchasing, reorder
from maintenir.stores.choices import PurchaseOrderStatus, PurchaseRequestStatus
from maintenir.stores.models import (
    Location,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    ReorderRule,
    Supplier,
    SupplierPart,
)
from maintenir.stores.purchasing_forms import (
    PurchaseOrderFilterSet,
    PurchaseRequestFilterSet,
    ReceiveForm,
    ReorderRuleForm,
    SupplierFilterSet,
    SupplierForm,
    SupplierPartForm,
)
from maintenir.ui.exports import export_response
from maintenir.ui.views_helpers import (
    add_errors,
    can,
    can_add,
    filtered_list,
    form_page,
    get_visible,
    may,
    show_refusal,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(value) for value in request.POST.getlist(name) if value.isdigit()]


# --- Reorder ---------------------------------------------------------------------------------


def _drafted(orders: list[Any]) -> str:
    return ngettext("%(count)d purchase order drafted.", "%(count)d purchase orders drafted.", len(orders)) % {
        "count": len(orders)
    }


@login_required
def reorder_page(request: HttpRequest) -> HttpResponse:
    """What to reorder now; a manager picks proposals and requests them, or orders them at once."""
    user = _user(request)
    check_model_permission(user, Action.VIEW, PurchaseRequest)
    if request.method == "POST":
        check_model_permission(user, Action.ADD, PurchaseRequest)
        proposals = reorder.proposals_for(_ids(request, "rule"))
        try:
            with transaction.atomic():
                created = purchasing.create_requests(user, proposals)
                orders = purchasing.order_requests(user, created) if request.POST.get("order") and created else []
        except ValidationError as error:
            show_refusal(request, error)
            return redirect("purchasing-reorder")
        if orders:
            messages.success(request, _drafted(orders))
            return redirect("purchaseorder-list")
        count = len(created)
        requested = ngettext("%(count)d purchase request created.", "%(count)d purchase requests created.", count)
        messages.success(request, requested % {"count": count})
        return redirect("purchaserequest-list")
    proposals = reorder.reorder_proposals()
    if download := export_response(request, proposals, exports.REORDER_PROPOSALS):
        return download
    context = {"proposals": proposals, "can_request": can_add(user, PurchaseRequest)}
    return render(request, "stores/reorder.html", context)


# --- Requests --------------------------------------------------------------------------------


@login_required
def purchaserequest_list(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.VIEW, PurchaseRequest)
    rows = PurchaseRequest.objects.select_related("part", "location", "supplier", "order_line__order")
    context = {"can_order": can_add(request.user, PurchaseOrder), "requested": PurchaseRequestStatus.REQUESTED}
    return filtered_list(
        request,
        rows,
        PurchaseRequestFilterSet,
        "stores/purchaserequest_list.html",
        context,
        defaults={"status": PurchaseRequestStatus.REQUESTED},
        export=exports.PURCHASE_REQUESTS,
    )


@login_required
@require_POST
def purchaserequest_order(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    check_model_permission(user, Action.ADD, PurchaseOrder)
    requests = PurchaseRequest.objects.restrict(user, Action.CHANGE).filter(pk__in=_ids(request, "request"))
    try:
        orders = purchasing.order_requests(user, requests)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("purchaserequest-list")
    messages.success(request, _drafted(orders))
    return redirect("purchaseorder-list")


@login_required
@require_POST
def purchaserequest_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    purchase_request = get_visible(request, PurchaseRequest.objects.all(), pk, Action.CHANGE)
    try:
        purchasing.cancel_request(request.user, purchase_request)
    except ValidationError as error:
        show_refusal(request, error)
    return redirect("purchaserequest-list")


# --- Orders ----------------------------------------------------------------------------------


@login_required
def purchaseorder_list(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.VIEW, PurchaseOrder)
    return filtered_list(
        request,
        PurchaseOrder.objects.select_related("supplier"),
        PurchaseOrderFilterSet,
        "stores/purchaseorder_list.html",
        export=exports.PURCHASE_ORDERS,
    )


@login_required
def purchaseorder_detail(request: HttpRequest, pk: int, receive_form: Any = None, line_pk: int = 0) -> HttpResponse:
    order = get_visible(request, PurchaseOrder.objects.select_related("supplier", "created_by", "sent_by"), pk)
    lines = order.lines.select_related("part", "location")
    receiving = order.status in {PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED}
    context = {
        "order": order,
        "lines": [
            (line, receive_form if line.pk == line_pk else ReceiveForm(prefix=f"line-{line.pk}")) for line in lines
        ],
        "can_change": can(request.user, Action.CHANGE, order),
        "receiving": receiving,
        "draft": order.status == PurchaseOrderStatus.DRAFT,
        "cancellable": order.status in {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT},
    }
    return render(request, "stores/purchaseorder_detail.html", context, status=400 if receive_form else 200)


@login_required
@require_POST
def purchaseorder_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Goods of one line in: a part of what was ordered, at the delivery's cost."""
    line = get_visible(request, PurchaseOrderLine.objects.select_related("order"), pk)
    get_visible(request, PurchaseOrder.objects.all(), line.order_id, Action.CHANGE)
    form = ReceiveForm(request.POST, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            purchasing.receive_line(
                request.user,
                line,
                form.cleaned_data["quantity"],
                form.cleaned_data["unit_cost"],
                form.cleaned_data["reference"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Received."))
            return redirect(line.order)
    return purchaseorder_detail(request, line.order_id, form, line.pk)


@login_required
@require_POST
def purchaseorder_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible(request, PurchaseOrder.objects.all(), pk, Action.CHANGE)
    try:
        purchasing.cancel_order(request.user, order)
    except ValidationError as error:
        show_refusal(request, error)
    return redirect(order)


# --- Suppliers -------------------------------------------------------------------------------


@login_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.VIEW, Supplier)
    context = {"can_add": can_add(request.user, Supplier)}
    return filtered_list(
        request,
        Supplier.objects.all(),
        SupplierFilterSet,
        "stores/supplier_list.html",
        context,
        export=exports.SUPPLIERS,
    )


@login_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_visible(request, Supplier.objects.all(), pk)
    context = {
        "supplier": supplier,
        "offers": supplier.parts.select_related("part").order_by("part__reference"),
        "orders": supplier.purchase_orders.all()[:20],
        "can_change": can(request.user, Action.CHANGE, supplier),
    }
    return render(request, "stores/supplier_detail.html", context)


@login_required
def supplier_add(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.ADD, Supplier)
    return _supplier_form(request, Supplier())


@login_required
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _supplier_form(request, get_visible(request, Supplier.objects.all(), pk, Action.CHANGE))


def _supplier_form(request: HttpRequest, supplier: Supplier) -> HttpResponse:
    form = SupplierForm(request.POST or None, instance=supplier, user=request.user)
    title = _("Edit %(name)s") % {"name": supplier.name} if supplier.pk else _("Add a supplier")
    back = supplier.get_absolute_url() if supplier.pk else reverse("supplier-list")
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "stores/purchasing_form.html",
        {"title": title, "back": back},
    )


@login_required
def supplierpart_add(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_visible(request, Supplier.objects.all(), pk, Action.CHANGE)
    return _supplierpart_form(request, SupplierPart(supplier=supplier))


@login_required
def supplierpart_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_visible(request, SupplierPart.objects.select_related("supplier"), pk, Action.CHANGE)
    return _supplierpart_form(request, offer)


def _supplierpart_form(request: HttpRequest, offer: SupplierPart) -> HttpResponse:
    form = SupplierPartForm(request.POST or None, instance=offer, user=request.user)

    def save(form: SupplierPartForm) -> Supplier:
        save_restricted(request.user, form.instance)
        return offer.supplier

    title = _("A part sold by %(supplier)s") % {"supplier": offer.supplier}
    context = {"title": title, "back": offer.supplier.get_absolute_url()}
    return form_page(request, form, save, "stores/purchasing_form.html", context)


# --- Reorder rules (on the part's page) ------------------------------------------------------


def part_purchasing(user: User, part: Part) -> dict[str, Any]:
    """What the part's page shows of purchasing to the company's staff: on order per location and the rules."""
    if not may(user, Action.VIEW, ReorderRule):
        return {}
    rules = part.reorder_rules.select_related("location")
    ordered = purchasing.on_order([part.pk])
    return {
        "purchasing": True,
        "reorder_rules": [
            (
                rule,
                reorder.suggest_reorder_point(part.pk, rule.location_id),
                ordered.get((part.pk, rule.location_id), Decimal(0)),
            )
            for rule in rules
        ],
        "can_add_rule": may(user, Action.ADD, ReorderRule) and part.owner_id is None,
    }


@login_required
def reorderrule_add(request: HttpRequest, pk: int) -> HttpResponse:
    check_model_permission(request.user, Action.ADD, ReorderRule)
    part = get_visible(request, Part.objects.all(), pk)
    return _rule_form(request, ReorderRule(part=part))


@login_required
def reorderrule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_visible(request, ReorderRule.objects.select_related("part", "location"), pk, Action.CHANGE)
    return _rule_form(request, rule)


def _rule_form(request: HttpRequest, rule: ReorderRule) -> HttpResponse:
    part = rule.part
    form = ReorderRuleForm(request.POST or None, instance=rule, user=request.user)

    def save(form: ReorderRuleForm) -> Part:
        save_restricted(request.user, form.instance)
        return part

    # Suggestions for the company's locations that keep the part, so the manager can pick the figures.
    where = Location.objects.restrict(request.user).filter(owner__isnull=True, balances__part=part).distinct()
    if rule.location_id:
        where = Location.objects.filter(pk=rule.location_id)
    context = {
        "title": _("Reorder rule of %(part)s") % {"part": part.reference},
        "back": part.get_absolute_url(),
        "suggestions": [(location, reorder.suggest_reorder_point(part.pk, location.pk)) for location in where],
    }
    return form_page(request, form, save, "stores/purchasing_form.html", context)
