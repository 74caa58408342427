from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
