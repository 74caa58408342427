"""Building blocks for thin, tenancy-safe page views; every app's `views.py` uses these.

- `get_visible(request, queryset, pk, action)`: the object if the user may see it (else 404 —
  another client's object does not exist for them), then 403 if they may not take `action` on it.
- `can(user, action, obj)` / `can_add(user, model)` / `may(user, action, model)`: booleans for showing or
  hiding buttons and sections.
- `require_add(user, model)`: 403 unless the user's role may create this kind of object.
- `filtered_list(request, queryset, filterset_class, template, context)`: a restricted, filtered,
  paginated list page, with default filter values if given; the template gets `filterset`, `page`
  (a `ui.pagination.Page`: capped count, keyset cursors for deep pages), `object_list`, `filtered`, and
  renders `ui/includes/filter_form.html` + `ui/includes/pagination.html`.
- `form_page(request, form, save, template, context)`: validate a bound form, call the service
  `save(form)`, redirect to the saved object; service ValidationErrors land on the form's fields.
  A POST with bad input renders the form again and writes nothing.
- `add_errors(form, error)`: put a service's ValidationError on the matching form fields.
- `add_row_errors(form, rows, prefix, error)`: the same for a form and its formset's rows, from errors
  named "<prefix>.N.field" (the N-th row).
"""

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission
from maintenir.ui.exports import Export, export_response
from maintenir.ui.pagination import PAGE_PARAMS, paginate

PAGE_SIZE = 25
# Query parameters that are not filters (they do not open the filter panel).
NON_FILTER_PARAMS = frozenset({"q", "export", *PAGE_PARAMS})


def get_visible(request: HttpRequest, queryset: QuerySet, pk: Any, action: str = Action.VIEW) -> Any:
    """The object `pk` among those the user may see (404 otherwise), checked for `action` (403)."""
    obj = get_object_or_404(queryset.restrict(request.user, Action.VIEW), pk=pk)  # type: ignore[attr-defined]
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied
    return obj


def can(user: Any, action: str, obj: Model) -> bool:
    """Whether `user` may take `action` on this very object."""
    manager = type(obj)._default_manager
    return bool(manager.restrict(user, action).filter(pk=obj.pk).exists())  # type: ignore[attr-defined]


def may(user: Any, action: str, model: type[Model]) -> bool:
    """Whether the user's role may take `action` on this kind of object at all."""
    try:
        check_model_permission(user, action, model)
    except PermissionDenied:
        return False
    return True


def can_add(user: Any, model: type[Model]) -> bool:
    """Whether the user's role may create this kind of object (for "Add" buttons)."""
    return may(user, Action.ADD, model)


def require_add(user: Any, model: type[Model]) -> None:
    check_model_permission(user, Action.ADD, model)


def checkbox_multiple_choices(form: forms.Form) -> None:
    """Show multiple-choice fields as checkboxes: a <select multiple> is unusable on a phone."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.SelectMultiple):
            field.widget = forms.CheckboxSelectMultiple(choices=field.widget.choices)


def filtered_list(
    request: HttpRequest,
    queryset: QuerySet,
    filterset_class: type[django_filters.FilterSet],
    template: str,
    context: dict[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
    hidden_filters: tuple[str, ...] = (),
    defaults: dict[str, str] | None = None,
    export: Export | None = None,
) -> HttpResponse:
    """A list page of `queryset` restricted to what the user may see, filtered and paginated.

    Pass the queryset with its select_related/prefetch_related already applied, so the page
    does a fixed number of queries whatever its length. `hidden_filters` still filter (from
    links such as "?parent=12") but are not offered as a menu, e.g. one listing every equipment.
    `defaults` are filter values that apply unless the query string gives another. With `export`, the
    filtered rows download as CSV or Excel (`?export=csv|xlsx`, see `ui.exports`).
    """
    visible = queryset.restrict(request.user, Action.VIEW)  # type: ignore[attr-defined]
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    filterset = filterset_class(data or None, queryset=visible, request=request)
    checkbox_multiple_choices(filterset.form)
    for name in hidden_filters:
        filterset.form.fields[name].widget = forms.HiddenInput()
    # A filter value the form refuses shows its error over no rows, rather than every row unfiltered.
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else visible.none()
    if export is not None and (download := export_response(request, rows, export)):
        return download
    page = paginate(request, rows, page_size)
    filtered = any(value for key, value in request.GET.items() if key not in NON_FILTER_PARAMS)
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "object_list": page.object_list,
            "filtered": filtered,
            **(context or {}),
        },
    )


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: on its field when the form has it, else to the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def show_refusal(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of an action posted from a page without a form of its own, as a message on the
    page it goes back to."""
    messages.error(request, " ".join(error.messages))


def add_row_errors(form: forms.BaseForm, rows: Sequence[forms.BaseForm], prefix: str, error: ValidationError) -> None:
    """Errors named "<prefix>.N.field" go next to that field of the N-th row shown; the others to `form`."""
    for name, messages_ in error.message_dict.items():
        if name.startswith(f"{prefix}."):
            _prefix, position, field = name.split(".", 2)
            rows[int(position) - 1].add_error(field, messages_)
        else:
            add_errors(form, ValidationError({name: messages_}))


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[Any], Any],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render `form`; on a valid POST call `save(form)` (a service, one transaction) and redirect to the result.

    `form` is bound on POST and unbound on GET. A PermissionDenied raised by the service becomes a 403.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(saved)
    return render(request, template, {"form": form, **(context or {})})
