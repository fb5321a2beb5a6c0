"""Cutting a genome's source around its `make_walker` and putting children together.

A language model writes only the body of a new `make_walker`; the child is
the parent's source with that function swapped in, so the parent's imports
and helpers come along and the child is a complete genome.

`make_walker` is found by lines, with the same rule the generator uses to end
a completion: the function runs from its `def` at column 0 to the line before
the next non-blank line at column 0. Parents in the archive all ran, so they
have such a `def`; a source without one keeps all its text and gets the new
function appended (a later `def` wins in Python).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

ENTRY_DEF = "def make_walker():\n"
_ENTRY_PREFIX = "def make_walker("


@dataclass(frozen=True)
class GenomeParts:
    """`prefix + make_walker + suffix == source` (up to a final newline)."""

    prefix: str  # imports, helpers and anything else before make_walker
    make_walker: str  # the def line and its body
    suffix: str  # whatever follows the function


def split_genome(source: str) -> GenomeParts:
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = [index for index, line in enumerate(lines) if line.startswith(_ENTRY_PREFIX)]
    if not starts:
        text = "".join(lines)
        return GenomeParts(prefix=text + ("\n" if text else ""), make_walker="", suffix="")
    start = starts[-1]
    end = start + 1
    while end < len(lines) and not (lines[end].strip() and not lines[end][0].isspace()):
        end += 1
    # Blank lines between the body and what follows belong to the suffix.
    body_end = end
    while body_end > start + 1 and not lines[body_end - 1].strip():
        body_end -= 1
    return GenomeParts(
        prefix="".join(lines[:start]),
        make_walker="".join(lines[start:body_end]),
        suffix="".join(lines[body_end:]),
    )


def assemble_child(prefix: str, body: str, suffix: str = "") -> str:
    """A genome from the text before `make_walker`, a new body and the text after."""
    if prefix and not prefix.endswith("\n"):
        prefix += "\n"
    if body and not body.endswith("\n"):
        body += "\n"
    return prefix + ENTRY_DEF + body + suffix


def missing_definitions(base_source: str, other_sources: Sequence[str]) -> str:
    """Top-level imports, functions and classes of `other_sources` that
    `base_source` lacks, as source text (first definition of a name wins).

    A crossover child is built on one parent but its new `make_walker` may
    call a helper it saw in another; this carries such helpers over. A
    source CPython cannot parse contributes nothing.
    """
    known = set(_definition_keys(base_source))
    pieces: list[str] = []
    for source in other_sources:
        for key, text in _definition_keys(source).items():
            if key not in known:
                known.add(key)
                pieces.append(text)
    return "".join(pieces)


def _definition_keys(source: str) -> dict[str, str]:
    """{key: source text} of top-level imports (keyed by their text) and
    function/class definitions (keyed by name), make_walker excluded."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    lines = source.splitlines(keepends=True)
    definitions: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name != "make_walker":
            first_line = min(
                [node.lineno, *(decorator.lineno for decorator in node.decorator_list)]
            )
            text = "".join(lines[first_line - 1 : node.end_lineno]).rstrip("\n") + "\n\n"
            definitions.setdefault(f"def {node.name}", text)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            text = "".join(lines[node.lineno - 1 : node.end_lineno]).rstrip("\n") + "\n"
            definitions.setdefault(f"import {text.strip()}", text)
    return definitions
