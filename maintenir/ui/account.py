"""The second step of the login (the one-time code) and the user's two-factor settings."""

import segno
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from maintenir.core import login
from maintenir.ui.forms import OneTimeCodeForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@sensitive_post_parameters("code")
@login_required
def login_code(request: HttpRequest) -> HttpResponse:
    """After the password, the code of the user's authenticator app; wrong codes count as failed logins."""
    if login.pending_step(request) != "code" or login.confirmed_device(request.user) is None:  # type: ignore[arg-type]
        return redirect(_next_url(request))
    credentials = {"username": request.user.get_username()}
    if login.is_locked(request, credentials):
        return login.lockout_response(request)
    form = OneTimeCodeForm(request.POST or None)
    if form.is_valid():
        if login.verify_code(request, form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("This code is not valid. Check your device's time and try the current code."))
    return render(request, "registration/login_code.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("code")
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the second factor (scan the QR code or type the secret, then confirm with a code), or remove it."""
    user = request.user
    device = login.confirmed_device(user)  # type: ignore[arg-type]
    form = OneTimeCodeForm(request.POST or None)
    if device is not None:
        if form.is_valid():
            if login.remove_second_factor(request, form.cleaned_data["code"]):
                messages.success(request, _("Two-factor authentication is removed."))
                return redirect("account-two-factor")
            form.add_error("code", _("This code is not valid."))
        return render(request, "ui/two_factor.html", {"device": device, "form": form})
    enrolling = login.enrolment_device(user)  # type: ignore[arg-type]
    if form.is_valid():
        if login.confirm_enrolment(request, form.cleaned_data["code"]):
            messages.success(request, _("Two-factor authentication is on: the login will ask for a code."))
            return redirect(_next_url(request) if REDIRECT_FIELD_NAME in request.GET else "account-two-factor")
        form.add_error("code", _("This code is not valid. Check your device's time and try the current code."))
    context = {
        "form": form,
        "qr": segno.make(enrolling.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": login.secret_of(enrolling),
        "required": login.second_factor_required(user),  # type: ignore[arg-type]
        "next": request.GET.get(REDIRECT_FIELD_NAME, ""),
    }
    return render(request, "ui/two_factor_enrol.html", context)
