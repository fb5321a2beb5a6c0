"""The evolve option table: typed options become config overrides, the same
for new and resumed runs; --help shows the library's defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from openelm.evolve import EvolveConfig, new_config
from openelm.evolve.config import BudgetConfig, flatten_config
from openelm_cli.config_options import OptionTable, option
from openelm_cli.evolve_options import EVOLVE_OPTIONS

from tests.cli.conftest import Invoke

DEFAULTS = flatten_config(EvolveConfig(seed=0, seed_programs=()))


def overrides_for(*args: str) -> dict[str, Any]:
    """The overrides `evolve ARGS` would pass to start_run and resume_run."""
    captured: dict[str, Any] = {}

    @click.command()
    @EVOLVE_OPTIONS.options
    @click.pass_context
    def probe(ctx: click.Context, **values: Any) -> None:
        captured.update(EVOLVE_OPTIONS.overrides(ctx, values))

    probe.main(list(args), standalone_mode=False)
    return captured


def test_only_typed_options_become_overrides() -> None:
    assert overrides_for() == {}
    assert overrides_for("--top-p", "0.5", "--bins", "4,5,6") == {
        "model.top_p": 0.5,
        "archive.bins": (4, 5, 6),
    }
    # Typing the default is still typing it: on resume it is compared.
    assert overrides_for("--batch-size", "32") == {"batch_size": 32}
    assert overrides_for("--allow-unsandboxed") == {"evaluation.allow_unsandboxed": True}


def test_a_budget_option_replaces_the_whole_budget() -> None:
    assert overrides_for("--evaluations", "500") == {
        "budget.iterations": None,
        "budget.evaluations": 500,
        "budget.time_limit_s": None,
    }
    config = new_config(overrides_for("--evaluations", "500"))
    assert config.budget == BudgetConfig(iterations=None, evaluations=500)
    assert new_config({}).budget == BudgetConfig()


def test_new_config_draws_a_seed_and_starts_from_the_default_seed() -> None:
    config = new_config(overrides_for("--mutation", "random", "--seed-program", "radial"))
    assert config.mutation.operator == "random"
    assert [program.name for program in config.seed_programs] == ["radial"]
    assert 0 <= config.seed < 2**31
    assert [program.name for program in new_config({}).seed_programs] == ["square"]
    assert new_config({"seed": 7}).seed == 7
    with pytest.raises(ValueError, match=r"unknown config field 'model\.nope'"):
        new_config({"model.nope": 1})


def test_new_and_resumed_runs_get_the_same_overrides(
    openelm: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Stop(Exception):
        pass

    def fake_start(config: EvolveConfig, *_: Any, **__: Any) -> None:
        calls.append(
            (
                "start",
                {"model.top_p": config.model.top_p, "budget.iterations": config.budget.iterations},
            )
        )
        raise Stop

    def fake_resume(_: Path, overrides: dict[str, Any], **__: Any) -> None:
        calls.append(("resume", overrides))
        raise Stop

    monkeypatch.setattr("openelm_cli.commands.evolve.start_run", fake_start)
    monkeypatch.setattr("openelm_cli.commands.evolve.resume_run", fake_resume)
    monkeypatch.chdir(tmp_path)
    args = ["--top-p", "0.5", "--iterations", "3", "--quiet"]
    # The group turns the fake's exception into a one-line internal error.
    assert openelm("evolve", *args).exit_code == 1
    assert openelm("evolve", "--resume", "somewhere", *args).exit_code == 1
    assert calls[0][1] == {"model.top_p": 0.5, "budget.iterations": 3}
    assert calls[1][1] == {
        "model.top_p": 0.5,
        "budget.iterations": 3,
        "budget.evaluations": None,
        "budget.time_limit_s": None,
    }


def test_help_shows_the_library_defaults(openelm: Invoke) -> None:
    result = openelm("evolve", "--help")
    assert result.exit_code == 0
    help_text = " ".join(result.stdout.split())
    for flag, shown in (
        ("--batch-size", DEFAULTS["batch_size"]),
        ("--temperature", DEFAULTS["model.temperature"]),
        ("--top-p", DEFAULTS["model.top_p"]),
        ("--sim-seconds", DEFAULTS["evaluation.sim.seconds"]),
        ("--eval-timeout", DEFAULTS["evaluation.timeout_s"]),
        ("--bins", DEFAULTS["archive.bins"][0]),
        ("--model", DEFAULTS["model.model"]),
    ):
        assert f"[default: {shown}]" in help_text.split(flag, 1)[1], flag
    assert f"[default: {DEFAULTS['budget.iterations']} if no budget is given]" in help_text


def test_every_row_names_a_real_field_and_a_unique_flag() -> None:
    assert all(row.path in DEFAULTS for row in EVOLVE_OPTIONS.rows)
    flags = [row.flag for row in EVOLVE_OPTIONS.rows]
    assert len(flags) == len(set(flags))
    assert EVOLVE_OPTIONS.flag_for("mutation.mix_weights") == "--mix"
    with pytest.raises(ValueError, match=r"unknown config fields: model\.nope"):
        OptionTable(DEFAULTS, option("model.nope", "--nope"))


@pytest.mark.parametrize(
    "command", ["evolve", "runs", "show", "export", "simulate", "render", "report", "sandbox-check"]
)
def test_every_help_shows_examples(openelm: Invoke, command: str) -> None:
    result = openelm(command, "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout, command
    assert f"openelm {command}" in result.stdout
