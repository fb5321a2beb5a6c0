"""Every error path of the CLI: one line on stderr, the right exit code, no
traceback, and flags (not config fields) in messages about a field."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

import click
import pytest
from openelm.errors import ConfigFieldError, InputFileError, OpenelmError
from openelm.evolve import EvolveConfigError
from openelm_cli import errors
from openelm_cli.errors import LIBRARY_EXIT_CODES, exit_code_and_message

from tests.cli.conftest import Invoke, one_error_line


def test_every_library_class_named_in_the_exit_code_map_exists() -> None:
    for name in LIBRARY_EXIT_CODES:
        module, _, qualname = name.rpartition(".")
        cls = getattr(importlib.import_module(module), qualname)
        assert issubclass(cls, OpenelmError), name


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            EvolveConfigError("batch_size", "batch size must be at least 1, not 0"),
            2,
            "--batch-size: batch size must be at least 1, not 0",
        ),
        (
            EvolveConfigError(
                "mutation.mix_weights",
                "only used with mutation.operator mix",
                mentions=("mutation.operator",),
            ),
            2,
            "--mix: only used with --mutation mix",
        ),
        (
            ConfigFieldError("mutation.random_rate", "random rate must be in (0, 1]"),
            2,
            "random rate must be in (0, 1]",
        ),
        (InputFileError("file not found: x.json"), 2, "file not found: x.json"),
        (
            OpenelmError("no seed program makes a valid walker"),
            1,
            "no seed program makes a valid walker",
        ),
        (
            FileNotFoundError(2, "No such file or directory", "/a/b"),
            2,
            "/a/b: No such file or directory",
        ),
        (PermissionError(13, "Permission denied", "/root/x"), 2, "/root/x: Permission denied"),
        (OSError(28, "No space left on device"), 1, "No space left on device"),
        (sqlite3.DatabaseError("file is not a database"), 2, "not a readable run database"),
        (KeyboardInterrupt(), 130, "interrupted"),
        (click.UsageError("no such option: --x"), 2, "no such option: --x"),
        (RuntimeError("boom\nsecond line"), 1, "internal error: RuntimeError: boom second line"),
    ],
)
def test_each_kind_of_error_maps_to_one_line_and_a_code(
    error: BaseException, code: int, message: str
) -> None:
    got_code, got_message = exit_code_and_message(error)
    assert got_code == code
    assert message in got_message and "\n" not in got_message


def test_a_subclass_exits_as_its_nearest_listed_base() -> None:
    class NewUsageError(InputFileError):
        pass

    assert errors.library_exit_code(NewUsageError("x")) == 2


def test_an_unexpected_exception_is_one_line_not_a_traceback(
    openelm: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("openelm_cli.commands.show.run_summary", broken)
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setattr("openelm_cli.commands.show.RunStore.open", broken)
    result = openelm("show", str(run))
    assert result.exit_code == 1
    assert "internal error: RuntimeError: a bug" in one_error_line(result)


def test_unwritable_and_missing_paths_are_one_line(openelm: Invoke, tmp_path: Path) -> None:
    result = openelm("export", str(tmp_path / "nothing"), "--out", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2 and "no run directory" in one_error_line(result)
    result = openelm("report", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no run directory" in one_error_line(result)
    result = openelm("simulate", str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "file not found" in one_error_line(result)
    result = openelm("runs", "--root", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no runs directory" in one_error_line(result)


def test_corrupt_run_database_is_one_line_and_kept(openelm: Invoke, tmp_path: Path) -> None:
    garbage = b"SQLite format 3\x00" + b"\xff" * 4000
    (tmp_path / "run.db").write_bytes(garbage)
    for command in (
        ["show", str(tmp_path)],
        ["report", str(tmp_path), "--out", str(tmp_path / "r")],
    ):
        result = openelm(*command)
        assert result.exit_code == 2, command
        assert "not a readable run database" in one_error_line(result)
    assert (tmp_path / "run.db").read_bytes() == garbage


def test_unknown_flag_and_command_are_usage_errors(openelm: Invoke) -> None:
    result = openelm("evolve", "--bogus")
    assert result.exit_code == 2 and "--bogus" in one_error_line(result)
    result = openelm("frobnicate")
    assert result.exit_code == 2 and "frobnicate" in one_error_line(result)


def test_config_errors_name_the_flag(
    openelm: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for args, message in (
        (["--workers", "0"], "--workers: workers must be at least 1, not 0"),
        (["--iterations", "-1"], "--iterations: iterations must be >= 0, not -1"),
        (["--temperature", "-1"], "--temperature: temperature must be >= 0"),
        (["--sim-seconds", "0"], "--sim-seconds: simulated seconds must be in (0, 3600]"),
        (["--eval-timeout", "0"], "--eval-timeout: evaluation timeout must be positive"),
        (["--crossover-parents", "1"], "--crossover-parents: crossover needs at least 2 parents"),
        (["--mix", "prompt=1"], "--mix: mix weights are only used with --mutation mix"),
        (["--bins", "200"], "--bins: 8000000 cells is too many"),
        (["--seed", "-3"], "--seed: seed must be a non-negative integer"),
        (["--time-limit", "0"], "--time-limit: time limit must be positive"),
        (["--max-new-tokens", "0"], "--max-new-tokens: max new tokens must be at least 1"),
    ):
        result = openelm("evolve", *args, "--quiet")
        assert result.exit_code == 2, args
        assert message in one_error_line(result), args
    assert list(tmp_path.iterdir()) == []
