"""What a deployment shows the outside: HTTPS-only cookies and HSTS behind an HTTPS proxy, and no server
version in the answers of `maintenir serve`."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from maintenir.core.tests import soak

SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
]


def settings_with(tmp_path: Path, **environment: str) -> dict[str, object]:
    """The settings as a fresh process reads them with these variables."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SETTINGS!r}}}))"
    )
    env = {**os.environ, "MAINTENIR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "maintenir.settings"}
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_behind_https_the_cookies_are_secure_and_browsers_keep_to_https(tmp_path: Path) -> None:
    assert settings_with(tmp_path, MAINTENIR_HTTPS="1") == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    assert settings_with(tmp_path, MAINTENIR_HTTPS="1", MAINTENIR_HSTS_SECONDS="600")["SECURE_HSTS_SECONDS"] == 600
    # Without it (a plain-HTTP test or demo install), none of that.
    assert settings_with(tmp_path) == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_serve_answers_without_a_server_version_and_with_hsts_behind_https(tmp_path: Path) -> None:
    port = soak.free_port()
    log = tmp_path / "serve.log"
    # On the embedded database of its own data directory, whichever database the suite runs on: the headers are
    # what is checked.
    environment = {"MAINTENIR_DATA_DIR": str(tmp_path), "MAINTENIR_HTTPS": "1", "MAINTENIR_DATABASE_URL": ""}
    server = soak.start(["serve", "--port", str(port), "--workers", "1"], environment, log)
    # As the HTTPS reverse proxy passes it on.
    request = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"})
    try:
        soak.wait_until_serving(server, request, log, timeout=120)
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = response.headers
    finally:
        soak.kill_session(server)
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "; Secure" in headers["Set-Cookie"]
    # Gunicorn names itself, without its version; nothing else tells what runs behind.
    assert headers.get_all("Server") == ["gunicorn"]
    assert "X-Powered-By" not in headers
