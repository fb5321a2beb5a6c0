"""`openelm simulate` on walker JSON files: output and error paths, through
click's CliRunner; one subprocess smoke test runs the installed script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openelm_cli.main import cli

from tests.sim.conftest import square

OPENELM = str(Path(sys.executable).with_name("openelm"))


def run(*args):
    """`openelm ARGS` in-process, as a CompletedProcess."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def run_process(*args):
    return subprocess.run([OPENELM, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def walker_file(tmp_path):
    path = tmp_path / "walker.json"
    path.write_text(square([(10.0, 0.0), (10.0, 0.25), (10.0, 0.25), (10.0, 0.75)]).to_json())
    return path


def test_table_shows_fitness_descriptors_and_counts(walker_file):
    done = run_process("simulate", str(walker_file))
    assert done.returncode == 0, done.stderr
    for label in ("fitness", "height", "width", "mass", "joints", "muscles", "steps"):
        assert label in done.stdout


def test_json_output_has_exactly_the_documented_keys(walker_file):
    done = run("simulate", str(walker_file), "--json", "--seconds", "5")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {
        "valid",
        "fitness",
        "bone_stray",
        "terrain",
        "height",
        "width",
        "mass",
        "joints",
        "muscles",
        "steps",
        "error",
    }
    assert data["valid"] is True and data["error"] is None
    assert data["steps"] == 360 and data["joints"] == 5 and data["muscles"] == 4


def test_invalid_walker_exits_1_and_names_the_reason(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "joints": [[0, 0], [1, 0]],
                "connections": [{"a": 0, "b": 0, "amplitude": 0, "phase": 0}],
            }
        )
    )
    done = run("simulate", str(path))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("invalid walker: connection 0 connects joint 0 to itself")
    assert len(done.stderr.strip().splitlines()) == 1
    as_json = run("simulate", str(path), "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["valid"] is False


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "file not found"),
        ("{not json", "malformed walker JSON"),
        ('{"joints": []}', "malformed walker JSON"),
    ],
    ids=["missing", "not-json", "wrong-shape"],
)
def test_missing_or_malformed_file_exits_2_with_one_line(tmp_path, content, expected):
    path = tmp_path / "walker.json"
    if content is not None:
        path.write_text(content)
    done = run("simulate", str(path))
    assert done.returncode == 2
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_bad_flag_exits_2_with_one_line(walker_file):
    done = run("simulate", str(walker_file), "--seconds", "-3")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_terrain_changes_the_score_and_is_reported(walker_file):
    flat = json.loads(run("simulate", str(walker_file), "--json").stdout)
    walls = [
        json.loads(run("simulate", str(walker_file), "--json", "--terrain", name).stdout)
        for name in ("left-wall", "right-wall")
    ]
    assert flat["terrain"] == "flat" and walls[0]["terrain"] == "left-wall"
    # One wall is behind the way this walker drifts, the other blocks it.
    assert max(w["fitness"] for w in walls) > 0.5 * flat["fitness"]
    assert min(w["fitness"] for w in walls) < 0.05
    assert flat["bone_stray"] < 0.02


def test_unknown_terrain_exits_2_listing_the_valid_ones(walker_file):
    done = run("simulate", str(walker_file), "--terrain", "hilly")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    for name in ("flat", "left-wall", "right-wall", "tunnel", "bumpy"):
        assert name in done.stderr
