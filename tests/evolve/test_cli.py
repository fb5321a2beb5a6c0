"""`openelm evolve/runs/show/export` from the command line: output, JSON
keys and the error paths (one line, exit 2, nothing lost)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openelm_cli.main import cli

RUN = [
    "--mutation",
    "random",
    "--seed-program",
    "square",
    "--batch-size",
    "6",
    "--sim-seconds",
    "4",
    "--workers",
    "2",
]
SUMMARY_KEYS = {
    "run_dir",
    "iterations",
    "evaluations",
    "niches_filled",
    "niches_total",
    "qd_score",
    "max_fitness",
    "valid_fraction",
    "tokens_generated",
    "tokens_per_second",
    "evaluations_per_second",
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`openelm ARGS` in-process through click's CliRunner."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def test_evolve_json_show_runs_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "runs" / "first"
    code, out, err = _run(
        capsys,
        "evolve",
        *RUN,
        "--iterations",
        "3",
        "--seed",
        "2",
        "--run-dir",
        str(run_dir),
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["run_dir"] == str(run_dir)
    assert summary["iterations"] == 3 and summary["evaluations"] == 1 + 3 * 6
    assert summary["niches_total"] == 12**3

    code, out, err = _run(capsys, "show", str(run_dir), "--json")
    assert code == 0, err
    assert json.loads(out) == summary

    code, out, err = _run(capsys, "show", str(run_dir))
    assert code == 0 and "QD score" in out and "top elites" in out

    code, out, err = _run(capsys, "runs", "--root", str(tmp_path / "runs"))
    assert code == 0, err
    assert "first" in out and f"{summary['niches_filled']}/1728" in out

    dataset = tmp_path / "elites.jsonl"
    code, out, err = _run(capsys, "export", str(run_dir), "--out", str(dataset))
    assert code == 0, err
    rows = [json.loads(line) for line in dataset.read_text().splitlines()]
    assert len(rows) == summary["niches_filled"]
    assert set(rows[0]) == {
        "id",
        "source",
        "fitness",
        "cell",
        "descriptors",
        "operator",
        "iteration",
        "parent_ids",
    }
    assert rows[0]["fitness"] == summary["max_fitness"]
    assert [row["fitness"] for row in rows] == sorted(
        (row["fitness"] for row in rows), reverse=True
    )
    assert "def make_walker" in rows[0]["source"]

    # Resuming with a flag that defines the run is refused; the budget may change.
    code, out, err = _run(capsys, "evolve", "--resume", str(run_dir), "--bins", "10")
    assert code == 2
    assert "cannot resume with archive.bins" in _one_error_line(err)
    code, out, err = _run(
        capsys, "evolve", "--resume", str(run_dir), "--iterations", "4", "--quiet", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["iterations"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mutation", "mix", "--mix", "prompt=0.7,diff=0.7"], "sum to 1"),
        (["--mix", "prompt=1"], "only used with --mutation mix"),
        (["--batch-size", "0"], "batch size must be at least 1"),
        (["--height-range", "5,1"], "height range"),
        (["--bins", "0"], "bins"),
        (
            ["--mutation", "target", "--hybrid", "-1"],
            "--hybrid: hybrid random iterations must be >= 0",
        ),
        (["--mutation", "random", "--hybrid", "3"], "--hybrid: a hybrid runs random children"),
        (["--top-p", "0"], "top-p"),
        (["--seed-program", "no_such_seed"], "unknown seed program 'no_such_seed'"),
        (["--seed-program", "missing.py"], "file not found: missing.py"),
        (["--mutation", "walk"], "Invalid value for '--mutation'"),
        (["--run-dir", "a", "--resume", "b"], "not both"),
        (
            ["--model", "/nonexistent/model-dir", "--mutation", "prompt"],
            "model '/nonexistent/model-dir' not found",
        ),
    ],
)
def test_bad_flags_exit_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(capsys, "evolve", *args, "--quiet")
    assert code == 2
    assert message in _one_error_line(err)
    assert not (tmp_path / "runs").exists()  # nothing half-made


def test_missing_and_corrupt_runs_exit_2_and_keep_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "evolve", "--resume", str(tmp_path / "nothing"))
    assert code == 2 and "no run directory" in _one_error_line(err)
    code, _, err = _run(capsys, "show", str(tmp_path))
    assert code == 2 and "run.db is missing" in _one_error_line(err)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    garbage = b"SQLite format 3\x00" + b"\xff" * 4000
    (corrupt / "run.db").write_bytes(garbage)
    for command in (
        ["evolve", "--resume", str(corrupt)],
        ["show", str(corrupt)],
        ["export", str(corrupt), "--out", str(tmp_path / "x.jsonl")],
    ):
        code, _, err = _run(capsys, *command)
        assert code == 2, command
        assert "not a readable run database" in _one_error_line(err)
    assert (corrupt / "run.db").read_bytes() == garbage
    code, out, err = _run(capsys, "runs", "--root", str(tmp_path))
    assert code == 0 and "unreadable" in out


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("evolve", "runs", "show", "export"):
        code, out, _ = _run(capsys, command, "--help")
        assert code == 0 and "Examples:" in out, command


def test_cvt_flags_start_a_cvt_run_and_resume_refuses_other_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "cvt"
    common = ["--seed-program", "square", "--batch-size", "4", "--workers", "2", "--quiet"]
    args = ["--mutation", "random", "--seed", "2", "--iterations", "1", *common]
    code, _out, err = _run(
        capsys, "evolve", *args, "--archive", "cvt", "--cells", "8", "--run-dir", str(run_dir)
    )
    assert code == 0, err
    code, out, _err = _run(capsys, "show", str(run_dir), "--json")
    summary = json.loads(out)
    assert summary["archive"] == "cvt" and summary["niches_total"] == 8
    assert {"qd_score", "coverage", "norm_qd_score"} <= summary.keys()
    code, _out, err = _run(capsys, "evolve", "--resume", str(run_dir), "--cells", "9", "--quiet")
    assert code == 2
    assert "--cells" in _one_error_line(err)


def test_terrain_and_simulator_version_are_recorded_and_guard_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from openelm import SIMULATOR_VERSION
    from openelm.store import DB_NAME

    run_dir = tmp_path / "walls"
    args = ["--mutation", "random", "--seed", "3", "--iterations", "1", "--quiet"]
    common = ["--seed-program", "square", "--batch-size", "4", "--workers", "2"]
    code, _out, err = _run(
        capsys, "evolve", *args, *common, "--terrain", "left-wall", "--run-dir", str(run_dir)
    )
    assert code == 0, err
    code, out, _err = _run(capsys, "show", str(run_dir), "--json")
    assert json.loads(out)["simulator_version"] == SIMULATOR_VERSION
    code, out, _err = _run(capsys, "show", str(run_dir))
    assert "simulator version" in out

    code, _out, err = _run(capsys, "evolve", "--resume", str(run_dir), "--terrain", "flat")
    assert code == 2
    assert "--terrain" in _one_error_line(err)

    code, _out, err = _run(capsys, "evolve", *args, *common, "--terrain", "hilly")
    assert code == 2
    assert "left-wall" in err and "Traceback" not in err

    with sqlite3.connect(run_dir / DB_NAME) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'simulator_version'")
    code, _out, err = _run(capsys, "evolve", "--resume", str(run_dir), "--iterations", "2")
    assert code == 2
    line = _one_error_line(err)
    assert "simulator version 1" in line and f"version {SIMULATOR_VERSION}" in line
    assert "start a new run" in line
