"""`openelm finetune` on the command line: a working run with its progress
output, and every error path (one line, exit 2, nothing written)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openelm_cli.main import main

from tests.evolve.conftest import run_openelm


def _finetune(args: list[str]) -> int:
    return main(["finetune", *args])


def test_cli_finetunes_and_show_names_the_model(
    tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tuned"
    result = run_openelm(
        [
            "finetune",
            str(random_run),
            "--out",
            str(out),
            "--dataset",
            "elites",
            "--base",
            str(tiny_model_dir),
            "--max-steps",
            "2",
            "--seed",
            "4",
            "--device",
            "cpu",
        ],
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "fine-tuning" in result.stdout and "loss" in result.stdout
    assert f"wrote {out}: 2 steps" in result.stdout
    assert (out / "openelm.json").is_file()
    evolved = run_openelm(
        [
            "evolve",
            "--mutation",
            "prompt",
            "--iterations",
            "1",
            "--batch-size",
            "2",
            "--model",
            str(out),
            "--max-new-tokens",
            "8",
            "--run-dir",
            str(tmp_path / "run"),
            "--seed",
            "1",
        ],
        cwd=tmp_path,
        timeout=300,
    )
    assert evolved.returncode == 0, evolved.stderr
    shown = run_openelm(["show", str(tmp_path / "run")], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "tuned" in shown.stdout and "lora fine-tune of" in shown.stdout


def _assert_one_line_error(capsys: pytest.CaptureFixture[str], text: str) -> None:
    err = capsys.readouterr().err.strip()
    assert text in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_missing_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _finetune([str(tmp_path / "nope"), "--out", str(tmp_path / "m")]) == 2
    _assert_one_line_error(capsys, "no run directory")
    assert not (tmp_path / "m").exists()


def test_too_few_examples(
    capsys: pytest.CaptureFixture[str], random_run: Path, tmp_path: Path
) -> None:
    # A model-free run has no accepted language-model children.
    assert _finetune([str(random_run), "--out", str(tmp_path / "m")]) == 2
    _assert_one_line_error(capsys, "has 0 examples; at least 8 are needed")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_out(
    capsys: pytest.CaptureFixture[str], tiny_model_dir: Path, random_run: Path, tmp_path: Path
) -> None:
    args = [str(random_run), "--dataset", "elites"]
    assert _finetune([*args, "--out", str(tmp_path / "missing" / "m")]) == 2
    _assert_one_line_error(capsys, "is not a directory")
    (tmp_path / "exists").mkdir()
    assert _finetune([*args, "--out", str(tmp_path / "exists")]) == 2
    _assert_one_line_error(capsys, "already exists")
    # /proc refuses new directories even to root.
    assert _finetune([*args, "--out", "/proc/openelm-model", "--base", str(tiny_model_dir)]) == 2
    _assert_one_line_error(capsys, "cannot write /proc/openelm-model")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root may write anywhere
            assert _finetune([*args, "--out", str(locked / "m")]) == 2
            _assert_one_line_error(capsys, "is not writable")
    finally:
        locked.chmod(0o700)


def test_base_model_not_found(
    capsys: pytest.CaptureFixture[str], random_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m"
    code = _finetune(
        [str(random_run), "--dataset", "elites", "--out", str(out), "--base", "no/such-model"]
    )
    assert code == 2
    _assert_one_line_error(capsys, "base model 'no/such-model' not found")
    assert list(tmp_path.iterdir()) == []
