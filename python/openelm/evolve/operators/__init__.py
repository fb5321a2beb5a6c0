"""Mutation operators. Each one turns parent elites into either a finished
`Child` (the random operator) or a `PromptPlan` whose completion becomes
the child's `make_walker` (the language-model operators).

Operators draw only from the generator they are handed, so a plan depends
on (parents, that generator) and nothing else.
"""

from __future__ import annotations

from openelm.evolve.config import MutationConfig
from openelm.evolve.operators.base import Child, MutationOperator, PromptPlan
from openelm.evolve.operators.language_model import (
    CommitMessageOperator,
    CrossoverOperator,
    ModificationPromptOperator,
)
from openelm.evolve.operators.random_numbers import RandomNumbersOperator
from openelm.evolve.operators.target import CellGeometry, TargetOperator

__all__ = [
    "Child",
    "CommitMessageOperator",
    "CrossoverOperator",
    "ModificationPromptOperator",
    "MutationOperator",
    "PromptPlan",
    "RandomNumbersOperator",
    "TargetOperator",
    "build_operators",
]


def build_operators(config: MutationConfig, geometry: CellGeometry) -> dict[str, MutationOperator]:
    """The operators `config` can pick, by name; `target` aims at cells of `geometry`."""
    available: dict[str, MutationOperator] = {
        "prompt": ModificationPromptOperator(),
        "diff": CommitMessageOperator(),
        "crossover": CrossoverOperator(config.crossover_parents),
        "random": RandomNumbersOperator(rate=config.random_rate, sigma=config.random_sigma),
        "target": TargetOperator(geometry),
    }
    return {name: available[name] for name, _ in config.weights()}
