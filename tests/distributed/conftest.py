"""One real Ray instance for the whole session (4 logical CPUs on
127.0.0.1, started by this process with `ray.init`), shared by every test:
in-process runs use this connection, `openelm` child processes join it at
its GCS address. Ray stops with the session; it ends only what it started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from openelm.records import EvolveConfig

from tests.evolve.conftest import make_config
from tests.tiny_llama import build_tiny_model_dir

ray = pytest.importorskip("ray")

# Logical CPUs: room for two generators and two evaluators at once. Ray
# schedules by these numbers; the machine's 2 cores are shared.
CLUSTER_CPUS = 4


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    ray.init(
        address="local",
        num_cpus=CLUSTER_CPUS,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


def small_config(**kwargs: object) -> EvolveConfig:
    """tests.evolve's small run with one sandbox worker per evaluator actor."""
    config = make_config(**kwargs)  # type: ignore[arg-type]
    return replace(config, evaluation=replace(config.evaluation, workers=1))


def actor_pids(class_name: str) -> list[int]:
    """Processes of live actors of `class_name` on this machine (Ray titles
    them `ray::ClassName` or `ray::ClassName.method`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if title.split(".")[0] == f"ray::{class_name}":
            pids.append(int(entry.name))
    return sorted(pids)


def free_cpus() -> float:
    return float(ray.available_resources().get("CPU", 0.0))


__all__ = ["CLUSTER_CPUS", "actor_pids", "free_cpus", "os", "small_config"]
