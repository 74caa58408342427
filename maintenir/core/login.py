"""Protection of the logins: throttling with django-axes, the second factor (TOTP) with django-otp.

Axes counts every failed login (password, second-factor code or API token) with its address and locks the
account and the address; the functions here are the rules it is configured with (see the settings).
"""

import datetime
from base64 import b32encode
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from maintenir.core.models import User

# The credentials of a failed API call: no account, only the address is counted.
BEARER_TOKEN = "bearer_token"


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind MAINTENIR_PROXY_COUNT proxies the one the outermost
    appended to X-Forwarded-For (each proxy appends the address it was connected from)."""
    count = settings.MAINTENIR_PROXY_COUNT
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_parameters(request: HttpRequest | None, credentials: dict[str, Any] | None) -> list[str]:
    """Each account and each address is locked on its own; a bad API token names no account."""
    if credentials and BEARER_TOKEN in credentials:
        return ["ip_address"]
    return ["username", "ip_address"]


def recorded_failures(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """The failures still on record for the request's account or address, whichever has more."""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    username = get_client_username(request, credentials or getattr(request, "axes_credentials", None))
    filters = [Q(ip_address=address)] + ([Q(username=username)] if username else [])
    return max(
        AccessAttempt.objects.filter(condition).aggregate(total=Sum("failures_since_start"))["total"] or 0
        for condition in filters
    )


def lockout_duration(request: HttpRequest | None) -> datetime.timedelta:
    """The lock after the failure limit, doubled by every failure past it (attempts during the lock included),
    up to the maximum: a script that keeps trying waits longer and longer, a person who waits starts afresh."""
    base = datetime.timedelta(minutes=settings.MAINTENIR_LOGIN_LOCKOUT_MINUTES)
    longest = datetime.timedelta(minutes=settings.MAINTENIR_LOGIN_LOCKOUT_MAX_MINUTES)
    if request is None:
        return base
    past_limit = recorded_failures(request) - settings.AXES_FAILURE_LIMIT
    return min(base * 2 ** min(max(past_limit, 0), 20), longest)


def locked_until(request: HttpRequest) -> datetime.datetime:
    """When the lock the request just ran into ends (every failed attempt starts it again)."""
    attempted = getattr(request, "axes_attempt_time", None) or timezone.now()
    return attempted + lockout_duration(request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The login page saying the account is locked and until when (429); whoever was half logged in (the second
    factor not given yet) is logged out. Under /api/, the same in JSON."""
    until = locked_until(request)
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    if request.path.startswith("/api/"):
        message = ngettext(
            "Too many failed authentication attempts from this address: try again in %(minutes)s minute.",
            "Too many failed authentication attempts from this address: try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": str(minutes * 60)})
    if request.user.is_authenticated:
        logout(request)
    response = render(
        request,
        "registration/login.html",
        {"form": None, "locked_minutes": minutes, "locked_until": until},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def is_locked(request: HttpRequest, credentials: dict[str, Any]) -> bool:
    AxesProxyHandler.update_request(request)
    # So that the lock's duration is reckoned for this account, which is not in the request's form.
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return not AxesProxyHandler.is_allowed(request, credentials)


def record_failure(request: HttpRequest, credentials: dict[str, Any], sender: object) -> bool:
    """Count a failed attempt as a failed login; whether the account or address is now locked."""
    user_login_failed.send(sender=sender, credentials=credentials, request=request)
    return bool(getattr(request, "axes_locked_out", False))


# Second factor.


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def second_factor_required(user: User) -> bool:
    return user.role in settings.MAINTENIR_REQUIRE_2FA


# What the logged-in user must still do before using the site, kept in their session from the login on:
# "code" (give their second factor), "enrol" (their role requires one and they have none), "" (nothing).
SECOND_FACTOR_STEP = "maintenir_second_factor"


def step_after_password(user: User) -> str:
    if confirmed_device(user) is not None:
        return "code"
    return "enrol" if second_factor_required(user) else ""


def pending_step(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated:
        return ""
    if SECOND_FACTOR_STEP not in request.session:
        # A session opened before second factors existed.
        request.session[SECOND_FACTOR_STEP] = step_after_password(user)
    return str(request.session[SECOND_FACTOR_STEP])


def remember_step(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SECOND_FACTOR_STEP] = step_after_password(user)


def connect_signals() -> None:
    user_logged_in.connect(remember_step, dispatch_uid="maintenir-second-factor-step")


def verify_code(request: HttpRequest, code: str) -> bool:
    """Check the logged-in user's code against their confirmed device; a wrong code counts as a failed login."""
    user = request.user
    device = match_token(user, code.strip())
    if device is None or not device.confirmed:
        record_failure(request, {"username": user.get_username()}, sender=verify_code)
        return False
    otp_login(request, device)
    request.session[SECOND_FACTOR_STEP] = ""
    return True


def enrolment_device(user: User) -> TOTPDevice:
    """The user's device being set up (not confirmed yet), created with a new secret if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Maintenir", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed."""
    return b32encode(device.bin_key).decode().rstrip("=")


def confirm_enrolment(request: HttpRequest, code: str) -> bool:
    """Confirm the device being set up with a code from the app; the session counts as verified."""
    device = enrolment_device(request.user)  # type: ignore[arg-type]
    if not device.verify_token(code.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    request.session[SECOND_FACTOR_STEP] = ""
    return True


def remove_second_factor(request: HttpRequest, code: str) -> bool:
    """Remove the user's second factor, on a valid code from it; a role that requires one must enrol again."""
    user = request.user
    device = confirmed_device(user)  # type: ignore[arg-type]
    if device is None or not device.verify_token(code.strip()):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    request.session[SECOND_FACTOR_STEP] = step_after_password(user)  # type: ignore[arg-type]
    return True
