"""The processes `maintenir serve` runs beside its web workers (periodic tasks, the demo's devices) and their
shutdown: every one of them is stopped with the server, and stops by itself if the server dies first."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


def exit_now(code: int | str | None = 0) -> None:
    """Leave once the work is finished and the logs written, without the interpreter's teardown: for a process
    that has loaded the whole application it costs seconds of CPU, and nothing of it is needed on the way out."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


class ParentWatch:
    """Whether the process that started this one still runs (a killed server leaves no orphan working)."""

    def __init__(self) -> None:
        self.parent = os.getppid()

    def parent_alive(self) -> bool:
        return os.getppid() == self.parent

    @staticmethod
    def add_argument(parser: ArgumentParser) -> None:
        """The companion commands' `--stop-with-parent`, which `maintenir serve` passes them."""
        parser.add_argument(
            "--stop-with-parent", action="store_true", help="also stop when the process that started this one ends"
        )

    @classmethod
    def if_asked(cls, options: dict[str, Any]) -> "ParentWatch | None":
        return cls() if options["stop_with_parent"] else None


def stop_on_signals(stop: threading.Event) -> None:
    """Set `stop` on SIGTERM and Ctrl-C (SIGINT): the current task ends, nothing new starts."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())


@dataclass
class Companions:
    """`maintenir` commands run as processes of their own beside the server, owned by the process that started
    them: the web workers forked later inherit this object but must never stop them."""

    commands: Sequence[Sequence[str]]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owner: int = 0
    stopping_since: float | None = None

    def start(self) -> None:
        self.owner = os.getpid()
        for command in self.commands:
            # Only `maintenir` commands of this installation, given by the server's own code.
            self.processes.append(subprocess.Popen([sys.executable, "-m", "maintenir", *command]))  # noqa: S603

    def terminate(self) -> None:
        """Ask each to stop (SIGTERM), without waiting."""
        if os.getpid() != self.owner:
            return
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()

    def stop(self, grace: float = 4.0) -> None:
        """Ask each to stop, and kill what still runs `grace` seconds after it was first asked."""
        if os.getpid() != self.owner:
            return
        self.terminate()
        assert self.stopping_since is not None
        deadline = self.stopping_since + grace
        for process in self.processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.0f s: killed", process.args, grace)
                process.kill()
                process.wait()
