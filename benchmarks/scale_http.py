"""The scale benchmark's server and clients: gunicorn as `maintenir serve` runs it, and real HTTP from here.

The server is gunicorn with `maintenir serve`'s workers and threads (without its periodic tasks, whose work
would land in the middle of the timings), on the benchmark's settings, which add the baseline view
(`benchmarks.scale_urls`). Clients keep their connection open as a browser does and carry their session cookie;
API calls carry a bearer token.
"""

import contextlib
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# `maintenir serve`'s workers and threads per worker.
WORKERS = 2
THREADS = 4
STARTUP_SECONDS = 60
TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(log: Path) -> Iterator[int]:
    """Gunicorn serving Maintenir on a free port of 127.0.0.1, its messages appended to `log`; yields the port and
    stops the server afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        f"--bind=127.0.0.1:{port}",
        "--graceful-timeout=4",
        f"--timeout={TIMEOUT}",
        "--no-control-socket",
        "--log-level=warning",
        "maintenir.wsgi:application",
    ]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.scale_settings"}
    with log.open("a") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output)  # noqa: S603
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
            try:
                Client(port).get("/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One user agent: a kept-alive connection, the session's cookies, and optionally a bearer token."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str = "") -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/login/"
        for attempt in range(2):
            connection = self.connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.connection = connection
            try:
                connection.request(method, path, body or None, headers)
                response = connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server closed a kept-alive connection: once more on a new one.
                connection.close()
                self.connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            connection.close()
            self.connection = None
        return response.status, dict(response.headers), content

    def get(self, path: str) -> tuple[int, bytes]:
        status, _, content = self.request("GET", path)
        return status, content

    def log_in(self, username: str, password: str) -> None:
        status, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"no login form ({status})")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        status, _, _ = self.request("POST", "/login/", urlencode(form))
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    status: int = 0

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.samples)
        return {
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(_percentile(ordered, 0.95) * 1000, 1),
            "samples": len(ordered),
            "status": self.status,
        }


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_route(client: Client, path: str, samples: int, warm_up: int, budget: float) -> Timing:
    """`samples` timed GETs of `path` one after the other, after `warm_up` untimed ones (none for a single sample,
    one when it takes over a twentieth of the budget); fewer (at least five) when they take longer than `budget`
    seconds in all."""
    timing = Timing()
    for _ in range(min(warm_up, samples - 1)):
        started = time.perf_counter()
        client.get(path)
        if time.perf_counter() - started > budget / 20:
            break
    deadline = time.monotonic() + budget
    while len(timing.samples) < samples and (len(timing.samples) < min(5, samples) or time.monotonic() < deadline):
        started = time.perf_counter()
        status, _ = client.get(path)
        timing.samples.append(time.perf_counter() - started)
        timing.status = max(timing.status, status)
    return timing


def throughput(clients: list[Client], path: str, seconds: float) -> dict[str, Any]:
    """Each client (one thread each) requests `path` again and again for `seconds`: requests answered per second,
    p95 latency and the number of answers other than 200."""
    latencies: list[list[float]] = [[] for _ in clients]
    failures = [0] * len(clients)
    start = threading.Barrier(len(clients) + 1)
    stop = threading.Event()

    def work(index: int) -> None:
        start.wait()
        while not stop.is_set():
            began = time.perf_counter()
            try:
                status, _ = clients[index].get(path)
            except OSError:
                status = 0
            latencies[index].append(time.perf_counter() - began)
            failures[index] += status != 200

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(latency for own in latencies for latency in own)
    return {
        "requests_per_second": round(len(every) / elapsed, 1),
        "p95_ms": round(_percentile(every, 0.95) * 1000, 1) if every else None,
        "failures": sum(failures),
    }
