"""Login throttling (a lock per account and per address that grows while someone keeps trying) and the second
factor (TOTP): enrolment, the code after the password, and its enforcement for the roles that require it."""

import datetime
import time
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "secret-password"


def log_in(username: str, password: str, address: str = "127.0.0.1", client: Client | None = None) -> Any:
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(times: int, username: str = "manager", address: str = "127.0.0.1") -> Any:
    response = None
    for _ in range(times):
        response = log_in(username, "wrong", address)
    return response


def minutes_pass(minutes: float) -> None:
    """The clock moves on: the recorded attempts become that much older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and response.url == "/"


def test_after_five_wrong_passwords_the_right_one_is_refused_and_the_page_says_for_how_long(manager: Any) -> None:
    for _ in range(4):
        assert log_in("manager", "wrong").status_code == 200
    locked = log_in("manager", "wrong")
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    assert locked.templates[0].name == "registration/login.html"

    refused = log_in("manager", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_the_lock_expires(manager: Any) -> None:
    fail(5)
    minutes_pass(16)
    assert logged_in(log_in("manager", PASSWORD))


def test_attempts_during_the_lock_make_it_longer(manager: Any) -> None:
    fail(5)
    minutes_pass(14)
    # Even the right password, tried during the lock, counts as a failure and doubles it.
    assert "locked for 30 minutes" in log_in("manager", PASSWORD).content.decode()
    assert "locked for 60 minutes" in fail(1).content.decode()
    minutes_pass(59)
    assert log_in("manager", PASSWORD).status_code == 429
    minutes_pass(121)
    assert logged_in(log_in("manager", PASSWORD))


def test_the_account_is_locked_whatever_the_address(manager: Any, technician: Any) -> None:
    for number in range(5):
        fail(1, address=f"192.0.2.{number}")
    assert log_in("manager", PASSWORD, address="198.51.100.7").status_code == 429
    # Another account from those addresses is not concerned.
    assert logged_in(log_in("tech", PASSWORD, address="192.0.2.0"))


def test_the_address_is_locked_whatever_the_account(manager: Any, technician: Any) -> None:
    for name in ("alice", "bob", "carol", "dave", "tech"):
        fail(1, username=name, address="203.0.113.9")
    assert log_in("manager", PASSWORD, address="203.0.113.9").status_code == 429
    assert logged_in(log_in("manager", PASSWORD, address="198.51.100.7"))


def test_failed_attempts_are_logged_with_the_address_for_the_administrators(
    manager: Any, administrator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fail(2, address="203.0.113.9")
    assert 'login failure by {username: "manager", ip_address: "203.0.113.9"' in caplog.text
    assert "wrong" not in caplog.text
    assert AccessFailureLog.objects.filter(username="manager", ip_address="203.0.113.9", locked_out=False).count() == 2
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "203.0.113.9" in page.content.decode()


def test_the_lockout_page_is_in_french(manager: Any) -> None:
    fail(4)
    response = Client().post(
        "/login/", {"username": "manager", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="fr", REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "verrouillée pendant 15 minutes" in html


# Second factor.


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings: Any) -> None:
    # django-otp makes the device wait 1 s, then 2, 4… after each wrong code; the tests do not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code(device: TOTPDevice, later: int = 0) -> str:
    """The code the user's app shows now (or `later` periods of 30 s on: a code is accepted only once)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=later):06d}"


def enrol(client: Client) -> TOTPDevice:
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(confirmed=False)
    assert page.context["secret"] in html
    assert client.post("/account/two-factor/", {"code": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_enrolment_then_the_login_asks_for_the_code_after_the_password(technician: Any) -> None:
    client = Client()
    client.force_login(technician)
    device = enrol(client)
    client.post("/logout/")

    after_password = log_in("tech", PASSWORD, client=client)
    assert logged_in(after_password)
    home = client.get("/")
    assert home.status_code == 302
    assert home.url == "/login/code/?next=%2F"
    assert client.get("/api/sites").status_code == 401

    wrong = client.post("/login/code/?next=/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "This code is not valid" in wrong.content.decode()
    right = client.post("/login/code/?next=/", {"code": code(device, later=1), "next": "/"})
    assert right.status_code == 302
    assert right.url == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/sites").status_code == 200


def test_wrong_codes_count_as_failed_logins(technician: Any) -> None:
    client = Client()
    client.force_login(technician)
    enrol(client)
    client.post("/logout/")
    log_in("tech", PASSWORD, client=client)
    for _ in range(4):
        assert client.post("/login/code/", {"code": "000000"}).status_code == 200
    locked = client.post("/login/code/", {"code": "000000"})
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    # Logged out, and the password alone does not get back in.
    assert client.get("/").status_code == 302
    assert log_in("tech", PASSWORD, client=client).status_code == 429


def test_removing_the_second_factor_needs_a_current_code(technician: Any) -> None:
    client = Client()
    client.force_login(technician)
    device = enrol(client)
    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.post("/account/two-factor/", {"code": code(device, later=1)}).status_code == 302
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("role_fixture", ["manager", "administrator"])
def test_managers_must_enrol_before_anything_else_when_required(
    settings: Any, role_fixture: str, request: pytest.FixtureRequest, technician: Any
) -> None:
    settings.MAINTENIR_REQUIRE_2FA = ["administrator", "manager"]
    user = request.getfixturevalue(role_fixture)
    client = Client()
    assert logged_in(log_in(user.username, PASSWORD, client=client))
    for path in ("/", reverse("workorder-list"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/account/two-factor/?next="), path
    assert client.get("/api/sites").status_code == 401
    orders = reverse("workorder-list")
    page = client.get(f"/account/two-factor/?next={orders}")
    assert "Your role requires two-factor authentication" in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    done = client.post(f"/account/two-factor/?next={orders}", {"code": code(device)})
    assert done.url == orders
    assert client.get("/").status_code == 200

    # A technician is not concerned.
    other = Client()
    assert logged_in(log_in("tech", PASSWORD, client=other))
    assert other.get("/").status_code == 200


def test_the_codes_are_the_ones_an_authenticator_app_computes(technician: Any) -> None:
    """The secret shown is the RFC 6238 key: the code computed from it by hand is accepted."""
    import base64
    import hashlib
    import hmac
    import struct

    client = Client()
    client.force_login(technician)
    page = client.get("/account/two-factor/")
    secret = page.context["secret"]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    assert client.post("/account/two-factor/", {"code": f"{value:06d}"}).status_code == 302
    assert TOTPDevice.objects.get(user=technician).confirmed


def test_behind_a_proxy_the_clients_address_is_locked_not_the_proxys(settings: Any, manager: Any) -> None:
    settings.MAINTENIR_PROXY_COUNT = 1
    for name in ("alice", "bob", "carol", "dave", "erin"):
        # What the client sends in the header itself is not believed: the proxy appends the real address.
        Client().post(
            "/login/", {"username": name, "password": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{len(name)}, 203.0.113.9"
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    from_the_attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert (
        Client().post("/login/", {"username": "manager", "password": PASSWORD}, **from_the_attacker).status_code == 429
    )
    from_elsewhere = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert logged_in(Client().post("/login/", {"username": "manager", "password": PASSWORD}, **from_elsewhere))
