"""Differential test: every benign genome (the seeds and a corpus covering
each supported feature) builds exactly the same walker, and prints exactly
the same text, under our interpreter and under CPython."""

from __future__ import annotations

import pytest
from openelm import interpret
from openelm.seeds import seed_names, seed_source

from .corpus import corpus
from .reference import run_reference

GENOMES = {f"seed_{name}": seed_source(name) for name in seed_names()} | corpus()


def test_corpus_is_large_enough() -> None:
    assert len(GENOMES) >= 50


@pytest.mark.parametrize("name", sorted(GENOMES))
def test_same_walker_as_cpython(name: str) -> None:
    source = GENOMES[name]
    expected, expected_output = run_reference(source)
    result = interpret(source)
    assert result.status == "ok", f"{result.status} at {result.line}:{result.col}: {result.error}"
    assert result.walker is not None
    assert result.walker.joints == expected.joints
    assert result.walker.connections == expected.connections
    assert result.output == expected_output
