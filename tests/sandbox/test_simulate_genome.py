"""`openelm simulate FILE.py`: a genome goes through the sandbox first."""

from __future__ import annotations

import json
import subprocess

from tests.sandbox.conftest import OPENELM, TRIANGLE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OPENELM, "simulate", *args], capture_output=True, text=True, timeout=120)


def test_genome_is_built_in_the_sandbox_and_simulated(tmp_path):
    path = tmp_path / "triangle.py"
    path.write_text(TRIANGLE)
    done = run(str(path), "--json", "--seconds", "5")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["valid"] and data["joints"] == 3 and data["muscles"] == 1 and data["steps"] == 360


def test_failing_genome_exits_1_naming_position_and_status(tmp_path):
    path = tmp_path / "escape.py"
    path.write_text("def make_walker():\n    x = ().__class__\n")
    done = run(str(path))
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert f"{path}:2:" in line and "forbidden" in line


def test_undecodable_genome_is_a_syntax_error_not_a_crash(tmp_path):
    path = tmp_path / "binary.py"
    path.write_bytes(b"\xff\xfe" + TRIANGLE.encode())
    done = run(str(path))
    assert done.returncode == 1
    assert "syntax" in done.stderr and "Traceback" not in done.stderr


def test_missing_genome_exits_2(tmp_path):
    done = run(str(tmp_path / "absent.py"))
    assert done.returncode == 2 and "file not found" in done.stderr
