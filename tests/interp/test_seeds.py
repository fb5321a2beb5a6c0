"""The bundled seeds interpret to valid walkers that actually walk."""

from __future__ import annotations

import pytest
from openelm import interpret, simulate
from openelm.seeds import seed_names, seed_source

PAPER_SEEDS = {"square", "radial", "cppn_fixed", "cppn_mutable"}


def test_paper_seeds_and_our_own_are_bundled() -> None:
    names = set(seed_names())
    assert PAPER_SEEDS <= names
    assert len(names - PAPER_SEEDS) >= 2
    with pytest.raises(ValueError):
        seed_source("missing")


@pytest.mark.parametrize("name", seed_names())
def test_seed_walks(name: str) -> None:
    result = interpret(seed_source(name))
    assert result.status == "ok", result.error
    walker = result.walker
    assert walker is not None
    walker.validate()
    assert walker.muscle_count > 0
    xs = [x for x, _ in walker.joints]
    ys = [y for _, y in walker.joints]
    assert min(xs) >= 0 and max(xs) <= 20 and min(ys) >= 0 and max(ys) <= 20
    assert simulate(walker).fitness >= 0.3


@pytest.mark.parametrize("name", seed_names())
def test_seed_without_muscles_barely_moves(name: str) -> None:
    """The fitness comes from the muscles, not from falling over."""
    walker = interpret(seed_source(name)).walker
    assert walker is not None
    passive = type(walker)(walker.joints, [(a, b, 0.0, p) for a, b, _, p in walker.connections])
    assert simulate(passive).fitness < 0.3 * simulate(walker).fitness
