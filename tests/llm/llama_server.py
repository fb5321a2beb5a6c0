"""A real llama.cpp server for the endpoint tests: llama-cpp-python's
`llama_cpp.server` on 127.0.0.1, serving the embedded model's own GGUF file.

The tests need llama-cpp-python[server] (`make test` installs it). Without
it they skip, unless OPENELM_REQUIRE_LLAMACPP is set (as `make test` sets
it), so that a missing install fails instead of hiding.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

SERVED_NAME = "smollm2"
REQUIRE_ENV = "OPENELM_REQUIRE_LLAMACPP"


def require_llama_cpp_server() -> None:
    """Skip (or fail, under `make test`) when llama_cpp.server cannot run."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as error:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"llama-cpp-python[server] is required here: {error}")
        pytest.skip(f"llama-cpp-python[server] is not installed ({error})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LlamaServer:
    """One `python -m llama_cpp.server` process; `url` is its /v1 base URL."""

    def __init__(
        self,
        gguf: Path,
        log_dir: Path,
        *,
        port: int | None = None,
        api_key: str | None = None,
        n_ctx: int = 2048,
    ) -> None:
        self.gguf = gguf
        self.port = port or free_port()
        self.api_key = api_key
        self.n_ctx = n_ctx
        self.log_path = log_dir / f"llama-server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 60.0) -> LlamaServer:
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.gguf),
            "--model_alias",
            SERVED_NAME,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            # One thread: llama.cpp's threads spin while they wait for each
            # other, and on a busy 2-core machine two threads run slower than one.
            "--n_threads",
            "1",
            "--verbose",
            "false",
        ]
        if self.api_key is not None:
            command += ["--api_key", self.api_key]
        # The server gets no key of ours from the environment.
        environment = {
            name: value for name, value in os.environ.items() if "KEY" not in name.upper()
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log_path.read_text()[-2000:]}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/v1/models", timeout=1.0)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not start in {timeout_s} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=30)
        self.process = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
