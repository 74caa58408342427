import io
from typing import Any

from django.core.management import call_command

from maintenir.demo.services import DEMO_USERS


def test_demo_command_prints_logins_then_reuses_the_data(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    first = out.getvalue()
    assert "Demo data created" in first
    assert "every password is 'demo' (demo only" in first
    for spec in DEMO_USERS:
        assert f"  {spec.username} " in first
    assert "--port 8123" in first
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "reuses the data" in out.getvalue()
