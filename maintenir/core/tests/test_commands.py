import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from maintenir.core.choices import Role
from maintenir.core.models import User
from maintenir.core.services import user_for_token


def test_token_prints_a_working_token_on_its_last_line(technician: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "tech", "--description", "CI", stdout=out, stderr=err)
    key = out.getvalue().strip().splitlines()[-1]
    assert user_for_token(key) == technician
    assert "Bearer" in err.getvalue()


def test_token_for_an_unknown_user_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_createuser_with_role_and_organisation(org_a: Any) -> None:
    out = io.StringIO()
    call_command(
        "createuser",
        "karim",
        "--role",
        "operator",
        "--organisation",
        "client-a",
        "--password",
        "a-long-password",
        stdout=out,
    )
    user = User.objects.get(username="karim")
    assert (user.role, user.organisation) == (Role.OPERATOR, org_a)
    assert user.check_password("a-long-password")
    assert "Created karim" in out.getvalue()


def test_createuser_with_an_unknown_organisation_creates_nothing(org_a: Any) -> None:
    with pytest.raises(CommandError, match="'no-such-client'"):
        call_command(
            "createuser", "karim", "--role", "client", "--organisation", "no-such-client", "--password", "x" * 12
        )
    assert not User.objects.filter(username="karim").exists()


def test_client_user_without_organisation_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="organisation"):
        call_command("createuser", "karim", "--role", "client", "--password", "x" * 12)
    assert not User.objects.exists()


COMMANDS = ["serve", "demo", "migrate", "createuser", "token", "worker", "generate", "bench", "poll", "ingest"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["maintenir", command, "--help"]).execute()
    assert exit_info.value.code == 0
    assert f"usage: maintenir {command}" in capsys.readouterr().out


def test_the_maintenir_entry_point_lists_the_commands(tmp_path: Path) -> None:
    """The installed `maintenir` script (next to this interpreter) runs with Maintenir's settings."""
    script = Path(sys.executable).with_name("maintenir")
    env = {**os.environ, "MAINTENIR_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([script, "help"], env=env, capture_output=True, text=True, timeout=60, check=True)
    for command in ("serve", "demo", "createuser", "token", "migrate"):
        assert f"    {command}\n" in result.stdout


def test_the_periodic_tasks_resolve_in_a_fresh_process(tmp_path: Path) -> None:
    """The server runs the schedule without Celery's autodiscovery: every task must import by its name."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from maintenir.core.periodic import task_for\n"
        "print([task_for(entry).name for entry in settings.CELERY_BEAT_SCHEDULE.values()])\n"
    )
    env = {**os.environ, "MAINTENIR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "maintenir.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "generate_due_work_orders" in result.stdout
