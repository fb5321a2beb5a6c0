"""Built-in lockdown probes: fixed attacks a worker runs on itself, by name.

They show that the lockdown holds in a real worker (tests and
`openelm sandbox-check`). The parent can only pick a name from `PROBES`;
it never sends code. A probe either reports `allowed` (the attack worked:
the sandbox is broken), reports `refused` with the error it got, or the
kernel kills the worker (SIGSYS), which the pool reports as `killed`.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

# Somewhere a successful escape would leave a trace rather than do harm.
_PROBE_PATH = "/tmp/openelm-sandbox-probe"


def _open_read() -> str:
    fd = os.open("/etc/passwd", os.O_RDONLY)
    os.close(fd)
    return "opened /etc/passwd"


def _create_file() -> str:
    fd = os.open(_PROBE_PATH, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    return f"created {_PROBE_PATH}"


def _socket() -> str:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    return "made a TCP socket"


def _fork() -> str:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return f"forked child {pid}"


def _exec() -> str:
    # Allowed, this replaces the worker, which the parent sees as a clean
    # exit instead of an answer: still reported as an escape.
    os.execv("/bin/true", ["/bin/true"])
    return "exec returned"


def _signal_parent() -> str:
    os.kill(os.getppid(), 0)
    return f"signalled parent {os.getppid()}"


def _thread() -> str:
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()
    return "started a thread"


def _huge_allocation() -> str:
    block = bytearray(4 << 30)
    return f"allocated {len(block)} bytes"


@dataclass(frozen=True)
class Probe:
    name: str
    attack: str
    run: Callable[[], str]


PROBES: dict[str, Probe] = {
    probe.name: probe
    for probe in (
        Probe("open_read", "os.open('/etc/passwd')", _open_read),
        Probe("create_file", f"os.open('{_PROBE_PATH}', O_CREAT)", _create_file),
        Probe("socket", "socket.socket(AF_INET, SOCK_STREAM)", _socket),
        Probe("fork", "os.fork()", _fork),
        Probe("exec", "os.execv('/bin/true')", _exec),
        Probe("signal_parent", "os.kill(os.getppid(), 0)", _signal_parent),
        Probe("thread", "threading.Thread(...).start()", _thread),
        Probe("huge_allocation", "bytearray(4 GiB)", _huge_allocation),
    )
}


def run_probe(name: str) -> tuple[str, str]:
    """Runs one probe in this process: ("allowed" | "refused", detail)."""
    probe = PROBES[name]
    try:
        return "allowed", probe.run()
    except (OSError, RuntimeError, MemoryError) as e:
        return "refused", f"{type(e).__name__}: {e}"
