"""`openelm sandbox-check`: tables, JSON and exit codes 0/1/2/3 (3 is in
test_unsandboxed.py, where the lockdown can be made to fail)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from click.testing import CliRunner
from openelm_cli.main import cli

from tests.sandbox.conftest import OPENELM, TRIANGLE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPENELM, "sandbox-check", *args], capture_output=True, text=True, timeout=300
    )


def run_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`openelm sandbox-check ARGS` through click's CliRunner."""
    result = CliRunner().invoke(cli, ["sandbox-check", *args], catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def genomes(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(TRIANGLE)
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\n" + TRIANGLE)
    return good, bad


def test_ok_genome_exits_0_with_a_table(genomes):
    good, _ = genomes
    done = run(str(good))
    assert done.returncode == 0, done.stderr
    for label in ("status", "joints", "muscles", "steps", "fitness", "ok"):
        assert label in done.stdout


def test_json_lists_each_file_with_exactly_the_documented_keys(genomes):
    good, bad = genomes
    done = run(str(good), str(bad), "--json")
    assert done.returncode == 1
    rows = json.loads(done.stdout)
    assert [set(row) for row in rows] == [
        {
            "file",
            "status",
            "error",
            "line",
            "col",
            "joints",
            "muscles",
            "steps",
            "fitness",
            "warnings",
        }
    ] * 2
    assert rows[0]["status"] == "ok" and rows[0]["joints"] == 3 and rows[0]["fitness"] >= 0
    assert rows[1]["status"] == "forbidden" and (rows[1]["line"], rows[1]["col"]) == (1, 8)
    assert rows[1]["fitness"] is None


def test_return_wc_is_reported_as_a_warning_in_table_and_json(tmp_path):
    genome = tmp_path / "returns_wc.py"
    genome.write_text(TRIANGLE.replace("return wc.get_walker()", "return wc"))
    warning = "make_walker returned the walker_creator; read as wc.get_walker()"
    # Wide enough that the message column holds the warning on one line.
    wide = {**os.environ, "COLUMNS": "240"}
    table = subprocess.run(
        [OPENELM, "sandbox-check", str(genome), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=wide,
    )
    assert table.returncode == 0, table.stderr
    assert f"warning: {warning}" in table.stdout
    rows = json.loads(run_in_process(str(genome), "--workers", "1", "--json").stdout)
    assert (rows[0]["status"], rows[0]["warnings"]) == ("ok", [warning])


@pytest.mark.parametrize(
    "args, expected",
    [
        (["/nonexistent/genome.py"], "file not found"),
        (["--timeout", "0"], "--timeout"),
        (["--workers", "0"], "--workers"),
        (["--bogus"], "--bogus"),
    ],
    ids=["missing-file", "zero-timeout", "zero-workers", "unknown-flag"],
)
def test_usage_errors_exit_2_with_one_line(args, expected):
    done = run_in_process(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_battery_passes_with_lockdown_active():
    done = run("--json")
    assert done.returncode == 0, done.stdout[-3000:]
    report = json.loads(done.stdout)
    assert report["lockdown_active"] is True
    assert report["escaped"] == 0 and report["mismatched"] == 0
    assert all(w["seccomp"].endswith("2") for w in report["workers"])
    assert all(p["contained"] for p in report["probes"])
    assert len(report["battery"]) >= 40


def test_battery_table_shows_attacks_and_outcomes():
    done = run()
    assert done.returncode == 0, done.stdout[-3000:]
    for text in (
        "Seccomp: 2",
        "lockdown probes",
        "hostile battery",
        "import os",
        "killed",
        "refused",
        "lockdown active",
    ):
        assert text in done.stdout


def test_help_shows_examples():
    done = run_in_process("--help")
    assert (
        done.returncode == 0
        and "Examples:" in done.stdout
        and "openelm sandbox-check genome.py" in done.stdout
    )
