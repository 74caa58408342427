"""API authentication: a bearer token, or the browser's Django session."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from maintenir.core import login
from maintenir.core.services import user_for_token


class TooManyFailures(Exception):
    """The address sent too many bad tokens: answered 429 with Retry-After."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            # The change log and the services read the acting user from the request.
            request.user = user
            return user
        # A valid token is never refused (it cannot be guessed); bad ones are counted per address, like failed
        # logins, and lock it.
        if login.record_failure(request, {login.BEARER_TOKEN: "********"}, sender=TokenAuth):
            raise TooManyFailures
        return None


class SessionAuth(APIKeyCookie):
    """Django's session, with CSRF enforced on unsafe methods.

    Unlike ninja's own SessionAuth, the CSRF check comes after the user is known,
    so an anonymous call is a 401 whatever its method.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        # A session whose second factor is still due is not a login yet.
        if not user.is_authenticated or login.pending_step(request):
            return None
        if self.csrf and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed."))
        return user
