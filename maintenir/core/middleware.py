from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenir.core.context import ChangeContext, change_context
from maintenir.core.login import pending_step


class RequestContextMiddleware:
    """Gives every request an id and makes the acting user known to the change log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = ChangeContext(get_user=lambda: getattr(request, "user", None))
        request.id = context.request_id  # type: ignore[attr-defined]
        with change_context(context):
            response = self.get_response(request)
        response["X-Request-ID"] = str(context.request_id)
        return response


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every response: scripts only from the application's own files, so
    that even markup slipped into a page or a file cannot run; styles allow the templates' style attributes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.MAINTENIR_CONTENT_SECURITY_POLICY)
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body (other than file uploads, checked per kind) over DATA_UPLOAD_MAX_MEMORY_SIZE with
    a 413 saying the limit, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not (request.content_type or "").startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                message = _("The request body is too large (%(size)s bytes); the limit is %(limit)s bytes.") % {
                    "size": length,
                    "limit": limit,
                }
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=413)
                return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecondFactorMiddleware:
    """A logged-in user who has a second factor gives its code before any page; one whose role requires a second
    factor and has none sets one up first. The API refuses such a session (see SessionAuth); bearer tokens are a
    second secret already and are not concerned."""

    # The pages that stay open meanwhile: the two steps themselves, logging out, choosing the language.
    OPEN = frozenset({"login", "login-code", "logout", "account-two-factor", "set_language"})
    # Under /api/, the one page for people.
    API_PAGES = frozenset({"openapi-view"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse], *args: Any) -> HttpResponse | None:
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in self.OPEN or (request.path.startswith("/api/") and name not in self.API_PAGES):
            return None
        step = pending_step(request)
        if not step:
            return None
        target = reverse("login-code" if step == "code" else "account-two-factor")
        return redirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
