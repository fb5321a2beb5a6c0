"""The prompts the language-model operators send. Every prompt ends with
`def make_walker():` and a newline, so the completion is the body of a new
`make_walker` (the generator stops at the end of that function's scope).
"""

from __future__ import annotations

from collections.abc import Sequence

from openelm.evolve.genome_source import ENTRY_DEF

# The walker API as a comment block: what a small model needs to write a
# genome that the interpreter accepts and the validator passes. This layout
# (one call per line, the return line spelled out) quadrupled SmolLM2-135M's
# valid children under the prompt operator against a prose version (8 vs 2
# of 48 from square, radial and galloper); see docs/evolve.md.
WALKER_API_DOC = """\
# Sodarace walker API. A walker is joints connected by springs and muscles.
#   wc = walker_creator()       starts an empty walker
#   j = wc.add_joint(x, y)      adds a joint at (x, y) and returns it
#   wc.add_muscle(j0, j1)       connects two joints with a passive spring
#   wc.add_muscle(j0, j1, False, amplitude, phase)
#                               connects them with a muscle: amplitude in (0, 10],
#                               phase in cycles
#   return wc.get_walker()      the last line of make_walker()
# A joint takes part in at most 10 connections. `import math` is available.
# Fitness is how far the walker travels along x on flat ground.
"""

PROMPT_INSTRUCTION = "# Create a new walker by modifying the starting function above.\n"

# The ELM paper's diff-model commit messages and their probabilities.
COMMIT_MESSAGES: tuple[tuple[str, float], ...] = (
    ("Changed make_walker function.", 0.4),
    ("Changed parameters in make_walker function.", 0.3),
    ("Small change to make_walker function.", 0.3),
)

CROSSOVER_INSTRUCTION = "# Create a new walker that combines ideas from the walkers above.\n"

# The niche-targeted prompt (the `target` operator, and the `targeted` and
# `structural` fine-tuning datasets, which teach a model to follow it): the
# parent's joint count and measured descriptors, then the ones the child
# should have. The joint count names the structure to write: without it a
# `structural` pair's prompt did not say which of several lineages near the
# target descriptors was the answer, and the fine-tuned model blended them
# (docs/science.md).
MEASURED_LINE = (
    "# The walker above has {0} joints, height {1:.1f}, width {2:.1f} and mass {3:.1f}.\n"
)
TARGET_INSTRUCTION = (
    "# Create a new walker with {0} joints, height {1:.1f}, width {2:.1f} and mass {3:.1f}.\n"
)


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def modification_prompt(parent_source: str) -> str:
    """API doc, the parent, the instruction, then `def make_walker():`."""
    return (
        WALKER_API_DOC + "\n" + _with_newline(parent_source) + "\n" + PROMPT_INSTRUCTION + ENTRY_DEF
    )


def commit_prompt(parent_source: str, commit_message: str, parent_prefix: str) -> str:
    """The paper's diff form, rewritten so a plain code model can follow it:
    the file before a commit, the commit message, then the file after the
    commit with its unchanged head (everything before `make_walker`)
    already written. The model writes the new `make_walker`."""
    return (
        WALKER_API_DOC
        + "\n# File walker.py before the commit:\n"
        + _with_newline(parent_source)
        + f"\n# Commit message: {commit_message}\n"
        + "# File walker.py after the commit:\n"
        + parent_prefix
        + ENTRY_DEF
    )


def targeted_prompt(
    parent_source: str,
    parent_shape: tuple[int, Sequence[float]],
    target_shape: tuple[int, Sequence[float]],
    child_head: str,
) -> str:
    """API doc, the parent, its joint count and measured height, width and
    mass (`parent_shape`), the target's (`target_shape`), then the child's
    head (up to and including `def make_walker():`)."""
    parent_joints, parent_descriptors = parent_shape
    target_joints, target_descriptors = target_shape
    return (
        WALKER_API_DOC
        + "\n"
        + _with_newline(parent_source)
        + MEASURED_LINE.format(parent_joints, *parent_descriptors)
        + "\n"
        + TARGET_INSTRUCTION.format(target_joints, *target_descriptors)
        + child_head
    )


def crossover_prompt(parent_sources: Sequence[str]) -> str:
    """Language-model crossover (LMX): several parents, numbered, then a new one."""
    parts = [WALKER_API_DOC]
    for number, source in enumerate(parent_sources, start=1):
        parts.append(f"\n# Walker {number}:\n{_with_newline(source)}")
    parts.append(f"\n# Walker {len(parent_sources) + 1}:\n{CROSSOVER_INSTRUCTION}{ENTRY_DEF}")
    return "".join(parts)
