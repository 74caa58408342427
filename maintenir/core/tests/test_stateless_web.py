"""Two web servers on one PostgreSQL database, as on two machines behind a load balancer: a user logged in on one
is logged in on the other, and what one process puts in the cache (an import's progress) the other reads. Nothing
a page needs stays in a process or on a machine's disk.

This test belongs to the suite's PostgreSQL pass (SQLite is one machine's database); it makes a database of its own
on the test server and drops it afterwards."""

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

from maintenir.core.tests import soak

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="runs in the PostgreSQL pass of the suite: an SQLite database lives on one machine",
    ),
]


def maintenir(arguments: list[str], environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "maintenir", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture
def environment(database: str, tmp_path: Path) -> dict[str, str]:
    # Each "machine" has a data directory of its own: nothing shared but the database and the secret key.
    return {
        **os.environ,
        "MAINTENIR_DATABASE_URL": database,
        "MAINTENIR_DATA_DIR": str(tmp_path / "first"),
        "MAINTENIR_SECRET_KEY": "une-clé-partagée-par-toutes-les-machines-0123456789",
    }


@pytest.fixture
def servers(environment: dict[str, str], tmp_path: Path) -> Iterator[list[str]]:
    maintenir(["migrate", "--no-input"], environment)
    maintenir(["createuser", "dupont", "--role", "manager", "--password", "Un-mot-de-passe-42"], environment)
    processes, urls = [], []
    for machine in ("first", "second"):
        port = soak.free_port()
        log = tmp_path / f"{machine}.log"
        process = soak.start(
            ["serve", "--port", str(port), "--no-migrate", "--workers", "1"],
            {**environment, "MAINTENIR_DATA_DIR": str(tmp_path / machine)},
            log,
        )
        processes.append(process)
        urls.append(f"http://127.0.0.1:{port}")
        soak.wait_until_serving(process, f"{urls[-1]}/login/", log, timeout=90)
    try:
        yield urls
    finally:
        for process in processes:
            soak.kill_session(process)


def test_a_session_opened_on_one_server_is_open_on_the_other(servers: list[str]) -> None:
    first, second = servers
    cookies = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    with opener.open(f"{first}/login/", timeout=30) as response:
        token = soak.CSRF_FIELD.search(response.read().decode())
    assert token is not None
    form = {"username": "dupont", "password": "Un-mot-de-passe-42", "csrfmiddlewaretoken": token.group(1)}
    with opener.open(f"{first}/login/", data=urllib.parse.urlencode(form).encode(), timeout=30) as response:
        assert not response.geturl().rstrip("/").endswith("/login")

    with opener.open(f"{second}/orders/", timeout=30) as response:
        assert response.status == 200
        assert "/login" not in response.geturl()


def test_what_one_process_caches_another_reads(environment: dict[str, str], tmp_path: Path) -> None:
    maintenir(["createcachetable"], environment)  # as `maintenir migrate` does
    write = "from django.core.cache import cache; cache.set('progress', {'percent': 40}, 60)"
    maintenir(["shell", "--no-imports", "-c", write], environment)
    read = "from django.core.cache import cache; print(cache.get('progress'))"
    elsewhere = {**environment, "MAINTENIR_DATA_DIR": str(tmp_path / "second")}
    assert maintenir(["shell", "--no-imports", "-c", read], elsewhere).strip() == "{'percent': 40}"


def test_the_deployment_check_warns_of_a_secret_key_kept_on_one_machine(environment: dict[str, str]) -> None:
    unshared = {name: value for name, value in environment.items() if name != "MAINTENIR_SECRET_KEY"}
    assert "maintenir.W001" in maintenir(["check", "--deploy", "--fail-level", "CRITICAL"], unshared)
    assert "maintenir.W001" not in maintenir(["check", "--deploy", "--fail-level", "CRITICAL"], environment)
