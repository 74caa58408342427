"""The REST API: authentication, error mapping and one router per domain app."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationErrorContext
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from maintenir.api import (
    assets,
    certification,
    devices,
    people,
    planning,
    preventive,
    reliability,
    reports,
    safety,
    stores,
    stores_counts,
    stores_purchasing,
    stores_repairables,
    workorders,
)
from maintenir.api.auth import SessionAuth, TokenAuth, TooManyFailures
from maintenir.api.common import DocumentedSchema
from maintenir.core import login
from maintenir.core.services import TransitionError

logger = logging.getLogger(__name__)


class MaintenirAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> SchemaValidationError:
        """Name fields as clients send them: ["body", "title"], not ninja's ["body", "payload", "title"].

        Ninja puts the view argument holding a schema into `loc`; the domain errors have no such
        argument, so both kinds of 422 name a field the same way once it is dropped.
        """
        error = super().validation_error_from_error_contexts(error_contexts)
        schema_arguments = {
            name
            for context in error_contexts
            for name, field in context.model.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        }
        for item in error.errors:
            loc = tuple(item["loc"])
            if len(loc) > 1 and loc[1] in schema_arguments:
                item["loc"] = (loc[0], *loc[2:])
        return error

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation and the OpenAPI description are for API users (a session or a bearer token), unless
    MAINTENIR_PUBLIC_API_DOCS opens them: anonymous, the page sends to the login, the description answers 401."""

    @wraps(view)
    def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not settings.MAINTENIR_PUBLIC_API_DOCS:
            try:
                user = TokenAuth()(request) or SessionAuth()(request)
            except TooManyFailures:
                return login.lockout_response(request)
            if not user:
                if request.resolver_match and request.resolver_match.url_name == "openapi-view":
                    return redirect_to_login(request.get_full_path())
                return api.on_exception(request, AuthenticationError())
        return view(request, **kwargs)

    return guarded


api = MaintenirAPI(
    title="Maintenir API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=docs_access,
)
api.add_router("", assets.router)
api.add_router("", devices.router)
api.add_router("", stores.router)
api.add_router("", stores_purchasing.router)
api.add_router("", stores_counts.router)
api.add_router("", stores_repairables.router)
api.add_router("", workorders.router)
api.add_router("", preventive.router)
api.add_router("", reports.router)
api.add_router("", certification.router)
api.add_router("", reliability.router)
api.add_router("", people.router)
api.add_router("", planning.router)
api.add_router("", safety.router)


def validation_detail(error: ValidationError) -> list[dict[str, object]]:
    """Django validation errors in the shape of ninja's own 422s, each naming its field."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return [
        {
            "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field],
            "msg": message,
            "type": "value_error",
        }
        for field, messages in by_field.items()
        for message in messages
    ]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    # A refused transition is a conflict with the object's state, not bad input.
    status = 409 if isinstance(error, TransitionError) else 422
    return api.create_response(request, {"detail": validation_detail(error)}, status=status)


@api.exception_handler(TooManyFailures)
def on_too_many_failures(request: HttpRequest, error: TooManyFailures) -> HttpResponse:
    return login.lockout_response(request)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or _("Permission denied.")}, status=403)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, error: Exception) -> HttpResponse:
    # The traceback goes to the log, never to the client: it would show the code and data behind the API.
    logger.error("Unexpected error on %s %s", request.method, request.path, exc_info=error)
    return api.create_response(request, {"detail": _("Internal server error.")}, status=500)


def json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja refuses a method the path does not have with a plain-text body; the API answers JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return JsonResponse({"detail": _("Method not allowed.")}, status=405, headers={"Allow": response["Allow"]})
        return response

    return wrapped


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a path nothing serves: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
