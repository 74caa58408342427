"""Helpers of the soak tests, which start the real `maintenir` server in a process of its own and log in to it
from several clients at once, as people do, then stop it as an operator does (SIGTERM)."""

import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def start(arguments: Sequence[str], environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`maintenir ARGUMENTS` in a session of its own (so that nothing it leaves can outlive the test)."""
    output = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "maintenir", *arguments],
        env={**os.environ, **environment},
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_serving(
    process: subprocess.Popen[bytes], url: str | urllib.request.Request, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    address = url.full_url if isinstance(url, urllib.request.Request) else url
    raise AssertionError(f"nothing answered at {address} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@dataclass
class Logins:
    durations: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.durations, n=20)[-1] if len(self.durations) > 1 else 0.0


def log_in(base_url: str, username: str, password: str, timeout: float) -> str | None:
    """Open the login page, post the form and land on the home page; None, or what went wrong."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        with opener.open(f"{base_url}/login/", timeout=timeout) as response:
            token = CSRF_FIELD.search(response.read().decode())
        if token is None:
            return "no CSRF token on the login page"
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        with opener.open(f"{base_url}/login/", data=form, timeout=timeout) as response:
            landed = response.geturl()
            if response.status != 200 or landed.rstrip("/").endswith("/login"):
                return f"{username}: {response.status} at {landed}"
    except urllib.error.HTTPError as error:
        return f"{username}: HTTP {error.code}"
    except (OSError, urllib.error.URLError) as error:
        return f"{username}: {error}"
    return None


def log_in_many(
    base_url: str, usernames: Sequence[str], password: str, total: int, clients: int, timeout: float = 15.0
) -> Logins:
    """`total` logins spread over `usernames`, from `clients` concurrent clients."""
    results = Logins()

    def one(index: int) -> None:
        started = time.monotonic()
        failure = log_in(base_url, usernames[index % len(usernames)], password, timeout)
        results.durations.append(time.monotonic() - started)
        if failure is not None:
            results.failures.append(failure)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(total)))
    return results


def process_tree(root: int) -> set[int]:
    """The process and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name, in parentheses, may hold spaces: the fields after it are fixed.
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = {root}, [root]
    while pending:
        for child in children.get(pending.pop(), []):
            tree.add(child)
            pending.append(child)
    return tree


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def stop(process: subprocess.Popen[bytes], within: float) -> tuple[float, set[int]]:
    """SIGTERM the server as an operator does; how long until its whole tree was gone, and what was left."""
    tree = process_tree(process.pid)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    deadline = started + within
    while time.monotonic() < deadline:
        process.poll()  # reaps the server itself; its children are reaped by it, or by init once orphaned
        left = alive(tree)
        if not left:
            return time.monotonic() - started, set()
        time.sleep(0.1)
    return time.monotonic() - started, alive(tree)


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """Whatever the test's outcome, nothing it started is left running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


# Periodic tasks as often as every few seconds, so that several runs fall within the soak.
FREQUENT_TASKS = {"MAINTENIR_PREVENTIVE_EVERY": "5", "MAINTENIR_READINGS_COMPACT_EVERY": "7"}
SERVER_ERRORS = re.compile(r'HTTP/1\.[01]" 5\d\d |Traceback|database is locked')


def slowest(log: Path, count: int = 8) -> str:
    timed = [
        (int(match.group(1)), line)
        for line in log.read_text(errors="replace").splitlines()
        if (match := re.search(r" (\d+)ms$", line))
    ]
    return "\n".join(line for _, line in sorted(timed, reverse=True)[:count])


def soak(
    process: subprocess.Popen[bytes], base_url: str, log: Path, readings: Callable[[], int], ready_within: float
) -> None:
    """The soak the issue asks of the real server: 200 logins from 8 clients as three users while the periodic
    tasks and the live devices run, with no error and no time-out; then SIGTERM, and every process of the
    server gone within 10 s."""
    wait_until_serving(process, f"{base_url}/login/", log, ready_within)
    before = readings()
    logins = log_in_many(base_url, ["manager", "tech", "client-a"], "demo", total=200, clients=8)
    stored = readings() - before
    print(f"200 logins: {len(logins.failures)} failed, p95 {logins.p95:.2f} s, {stored} readings stored meanwhile")
    print(f"the slowest requests:\n{slowest(log)}")
    assert logins.failures == [], f"{logins.failures[:10]}; the slowest requests:\n{slowest(log)}"
    took, left = stop(process, within=10)
    print(f"stopped in {took:.1f} s")
    assert not left, f"still running {took:.0f} s after SIGTERM: {sorted(left)}"
    output = log.read_text(errors="replace")
    assert not SERVER_ERRORS.search(output), SERVER_ERRORS.search(output)
    assert output.count("periodic task generate-preventive-work") >= 2, output[-3000:]
    assert "periodic task compact-readings" in output
    assert stored > 0, "the live devices stored no reading during the soak"
