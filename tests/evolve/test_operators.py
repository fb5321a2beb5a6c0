"""Operators, prompts and child assembly, without a model."""

from __future__ import annotations

import ast
import re
from collections import Counter

import numpy as np
import pytest
from openelm.evolve.archive import ArchiveSnapshot
from openelm.evolve.genome_source import assemble_child, missing_definitions, split_genome
from openelm.evolve.operators import (
    CommitMessageOperator,
    CrossoverOperator,
    ModificationPromptOperator,
    RandomNumbersOperator,
)
from openelm.evolve.operators.random_numbers import number_literals
from openelm.evolve.prompts import COMMIT_MESSAGES, PROMPT_INSTRUCTION, WALKER_API_DOC
from openelm.records import Elite

# The operators other than `target` do not look at the archive.
NO_ARCHIVE = ArchiveSnapshot(())

GENOME = '''import math


def make_square(wc, x0, y0, x1, y1):
    """Corners."""
    a = wc.add_joint(x0, y0)
    b = wc.add_joint(x1, y1)
    return a, b


def make_walker():
    wc = walker_creator()
    a, b = make_square(wc, 0, 0, 1.5, 2.0)
    for i in range(3):
        wc.add_joint(0.5 * i, 3.25)
    wc.add_muscle(a, b, amplitude=0.0, phase=0.0)
    return wc.get_walker()


SCALE = 2
'''

OTHER = """def make_circle(wc, cx, cy, r, n):
    return [wc.add_joint(cx + r * math.cos(k), cy) for k in range(n)]


def make_square(wc):
    return None


def make_walker():
    wc = walker_creator()
    make_circle(wc, 0.0, 0.0, 1.0, 5)
    return wc.get_walker()
"""


def parent(program_id: int, source: str, fitness: float) -> Elite:
    """An archive elite as selection hands it to an operator (cell and descriptors unused)."""
    return Elite(program_id, 0, fitness, (1.0, 1.0, 1.0), source, joints=2)


def test_split_finds_make_walker_and_keeps_everything_else() -> None:
    parts = split_genome(GENOME)
    assert parts.prefix + parts.make_walker + parts.suffix == GENOME
    assert parts.make_walker.startswith("def make_walker():\n")
    assert parts.make_walker.rstrip().endswith("return wc.get_walker()")
    assert "def make_square" in parts.prefix
    assert parts.suffix.strip() == "SCALE = 2"


def test_a_source_without_make_walker_gets_one_appended() -> None:
    parts = split_genome("x = 1")
    assert parts.make_walker == ""
    child = assemble_child(parts.prefix, "    return 1\n", parts.suffix)
    assert child == "x = 1\n\ndef make_walker():\n    return 1\n"


def test_prompt_operator_follows_the_elm_layout_and_builds_a_complete_child() -> None:
    plan = ModificationPromptOperator().plan(
        [parent(7, GENOME, 1.0)], np.random.default_rng(0), NO_ARCHIVE
    )
    assert plan.prompt is not None
    assert plan.prompt.startswith(WALKER_API_DOC)
    assert plan.prompt.endswith(GENOME + "\n" + PROMPT_INSTRUCTION + "def make_walker():\n")
    assert plan.parent_ids == (7,)
    child = plan.child_from_completion("    wc = walker_creator()\n    return wc.get_walker()\n")
    tree = ast.parse(child)
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert names == [
        "make_square",
        "make_walker",
    ]  # the parent's helper came along, one make_walker
    assert child.startswith("import math\n")
    assert child.rstrip().endswith("SCALE = 2")


def test_diff_operator_draws_commit_messages_40_30_30() -> None:
    operator = CommitMessageOperator()
    drawn: Counter[str] = Counter()
    for index in range(3000):
        plan = operator.plan([parent(1, GENOME, 1.0)], np.random.default_rng(index), NO_ARCHIVE)
        assert plan.prompt is not None
        message = next(
            line for line in plan.prompt.splitlines() if line.startswith("# Commit message: ")
        )
        drawn[message.removeprefix("# Commit message: ")] += 1
    for message, probability in COMMIT_MESSAGES:
        assert abs(drawn[message] / 3000 - probability) < 0.035, drawn


def test_diff_prompt_prefills_the_unchanged_head_of_the_file() -> None:
    plan = CommitMessageOperator().plan(
        [parent(1, GENOME, 1.0)], np.random.default_rng(0), NO_ARCHIVE
    )
    assert plan.prompt is not None
    before, after = plan.prompt.split("# File walker.py after the commit:\n")
    assert GENOME in before
    assert after == split_genome(GENOME).prefix + "def make_walker():\n"


def test_crossover_orders_parents_by_fitness_and_carries_missing_helpers() -> None:
    operator = CrossoverOperator(3)
    parents = [
        parent(1, OTHER, 0.2),
        parent(2, GENOME, 0.9),
        parent(3, "def make_walker():\n    pass\n", 0.5),
    ]
    plan = operator.plan(parents, np.random.default_rng(0), NO_ARCHIVE)
    assert plan.parent_ids == (1, 3, 2)  # ascending fitness: the best is next to the completion
    assert plan.prompt is not None
    assert plan.prompt.index("# Walker 1:\n" + OTHER) < plan.prompt.index("# Walker 3:\n" + GENOME)
    assert plan.prompt.endswith(
        "# Walker 4:\n# Create a new walker that combines ideas from the walkers above.\ndef make_walker():\n"
    )
    child = plan.child_from_completion("    wc = walker_creator()\n    return wc.get_walker()\n")
    tree = ast.parse(child)
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    # Built on the best parent; make_circle carried over, its make_square kept (first wins).
    assert names == ["make_square", "make_circle", "make_walker"]
    assert "def make_square(wc, x0, y0, x1, y1)" in child


def test_missing_definitions_ignores_unparseable_sources() -> None:
    assert missing_definitions(GENOME, ["def broken(:\n"]) == ""


# A number, or a negative one in the brackets the operator adds; not digits inside names.
_NUMBER = re.compile(r"\(-[0-9][0-9.]*(?:e[-+]?[0-9]+)?\)|(?<![\w.])[0-9][0-9.]*(?:e[-+]?[0-9]+)?")


def test_random_operator_changes_only_numeric_literals() -> None:
    operator = RandomNumbersOperator(rate=1.0, sigma=0.5)
    child = operator.mutate(GENOME, np.random.default_rng(3))
    ast.parse(child)
    assert child != GENOME
    # Names, strings, comments and layout are untouched.
    assert _NUMBER.sub("N", child) == _NUMBER.sub("N", GENOME)
    assert len(number_literals(child)) == len(number_literals(GENOME))


def test_random_operator_keeps_ints_ints_and_counts_non_negative() -> None:
    operator = RandomNumbersOperator(rate=1.0, sigma=3.0)
    for index in range(200):
        child = operator.mutate(
            "for i in range(3):\n    x = 0.5 * i\n", np.random.default_rng(index)
        )
        values = [literal.value for literal in number_literals(child)]
        assert isinstance(values[0], int) and values[0] >= 0
        assert isinstance(values[-1], float)


def test_random_operator_moves_at_least_one_literal_and_is_seeded() -> None:
    operator = RandomNumbersOperator(rate=0.01, sigma=0.25)
    for index in range(50):
        child = operator.mutate(GENOME, np.random.default_rng(index))
        assert child != GENOME
        assert child == operator.mutate(GENOME, np.random.default_rng(index))


def test_random_operator_leaves_a_source_without_numbers_alone() -> None:
    source = "def make_walker():\n    return walker_creator().get_walker()\n"
    assert (
        RandomNumbersOperator(rate=1.0, sigma=0.5).mutate(source, np.random.default_rng(0))
        == source
    )


@pytest.mark.parametrize("text", ["0x1F", "1j", "1_000"])
def test_random_operator_literal_kinds(text: str) -> None:
    literals = number_literals(f"x = {text}\n")
    assert [literal.value for literal in literals] == ([1000] if text == "1_000" else [])
