from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from maintenir.core.context import ChangeContext, change_context


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
