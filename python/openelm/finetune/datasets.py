"""Fine-tuning datasets built from run stores: (prompt, completion) examples.

Four kinds, each read through the store's public API:

- `accepted`: every language-model child that entered the archive (a new
  niche or an improvement), with the exact prompt its operator sent and the
  `make_walker` body the model wrote (the paper's fine-tuning on accepted
  diffs, Fig. 11);
- `elites`: every valid program whose fitness is at least `threshold` times
  the best in its niche (the paper's Stage 2), as "API doc + the program's
  head + `def make_walker():`" followed by its body;
- `targeted`: parent -> child pairs, the prompt giving the parent, its
  measured descriptors and the child's, so a model learns how code maps to
  the niche it lands in;
- `structural`: `targeted` pairs across lineages. Every elite of every run
  is the child of the nearest elite (in descriptor space scaled by the
  archive's ranges) with another joint count, usually from another run and
  seed program; the completion carries the child's imports and helpers
  inside `make_walker`, so it runs after any parent's head. This is data
  that changes a body's structure, which numeric mutation never does.

Niches are per run (runs may use different grids). Programs are deduplicated
by source across all runs; the dataset's hash covers every example in order,
so the same runs and arguments always give the same hash.
"""

from __future__ import annotations

import ast
import hashlib
import json
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from openelm.errors import OpenelmError
from openelm.evolve.genome_source import ENTRY_DEF, split_genome
from openelm.evolve.prompts import WALKER_API_DOC, targeted_prompt
from openelm.store import ProgramRecord, RunStore, RunStoreError

DatasetKind = Literal["accepted", "elites", "targeted", "structural"]
DATASET_KINDS: tuple[DatasetKind, ...] = ("accepted", "elites", "targeted", "structural")
DEFAULT_DATASET: DatasetKind = "accepted"
DEFAULT_THRESHOLD = 0.5
# Fewer than this and a fine-tune only memorises a handful of programs.
MIN_EXAMPLES = 8
# Tokens per training example (prompt cut from the left, completion kept).
# Long enough that prompts are whole: generation gives a model the whole
# prompt, and one trained on cut prompts answers the whole one like the base
# model. A `structural` example from a square parent is about 900 prompt and
# 360 completion tokens; trained at 768 (the last ~400 prompt tokens), the
# tuned model gave its trained first word p = 0.80 on the cut prompt and
# 0.21 on the whole one (docs/science.md). Batches are padded to their
# longest row, so short examples cost no more; long ones cost what they are.
DEFAULT_MAX_LENGTH = 2048


_STRUCTURAL_HINT = (
    " (structural pairs elites of different joint counts: give runs from different"
    " seed programs, e.g. --seed-program square and --seed-program radial)"
)


class DatasetError(OpenelmError):
    """A run is missing or unreadable, or yields too few examples."""

    exit_code = 2


@dataclass(frozen=True)
class Example:
    """One training example: the model reads `prompt` and learns to write `completion`."""

    prompt: str
    completion: str
    run: str  # the run directory it came from
    program_id: int
    fitness: float | None
    descriptors: tuple[float, float, float] | None


@dataclass(frozen=True)
class Dataset:
    kind: DatasetKind
    threshold: float | None  # only for `elites`
    runs: tuple[str, ...]
    examples: tuple[Example, ...]

    @property
    def sha256(self) -> str:
        """Hash of the kind, threshold and every (prompt, completion) in order."""
        digest = hashlib.sha256(f"{self.kind}\0{self.threshold}\0".encode())
        for example in self.examples:
            for text in (example.prompt, example.completion):
                encoded = text.encode("utf-8", "surrogatepass")
                digest.update(len(encoded).to_bytes(8, "little") + encoded)
        return digest.hexdigest()


def build_dataset(
    run_dirs: Sequence[str | Path],
    kind: DatasetKind = DEFAULT_DATASET,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_examples: int = 1,
) -> Dataset:
    """The `kind` dataset of `run_dirs`; DatasetError for a missing run or
    fewer than `min_examples` examples."""
    if kind not in DATASET_KINDS:
        raise DatasetError(f"dataset must be one of {', '.join(DATASET_KINDS)}, not {kind!r}")
    if not 0.0 <= threshold <= 1.0:
        raise DatasetError(f"threshold must be between 0 and 1, not {threshold}")
    if not run_dirs:
        raise DatasetError("give at least one run directory")
    runs = [str(Path(run_dir).resolve()) for run_dir in run_dirs]
    with ExitStack() as stack:
        stores = [
            (run, stack.enter_context(_open_store(run_dir))) for run, run_dir in zip(runs, run_dirs)
        ]
        examples: list[Example] = []
        seen: set[tuple[str, str]] = set()
        for example in _BUILDERS[kind](stores, threshold):
            key = (example.prompt, example.completion)
            if key not in seen:
                seen.add(key)
                examples.append(example)
    dataset = Dataset(kind, threshold if kind == "elites" else None, tuple(runs), tuple(examples))
    if len(examples) < min_examples:
        raise DatasetError(
            f"the {kind} dataset of {', '.join(str(run) for run in run_dirs)} has "
            f"{len(examples)} examples; at least {min_examples} are needed"
            + (_STRUCTURAL_HINT if kind == "structural" else "")
        )
    return dataset


def accepted_examples(
    store: RunStore, run: str, threshold: float = DEFAULT_THRESHOLD
) -> list[Example]:
    """Children that took a cell (new or improved) and have a stored prompt."""
    pairs = store.prompt_pairs()
    accepted = sorted({event.program_id for event in store.archive_events()} & pairs.keys())
    programs = {program.id: program for program in store.programs(accepted)}
    return [
        Example(
            pairs[program_id].prompt,
            _with_newline(pairs[program_id].completion),
            run,
            program_id,
            programs[program_id].fitness,
            programs[program_id].descriptors,
        )
        for program_id in accepted
    ]


def elite_examples(
    store: RunStore, run: str, threshold: float = DEFAULT_THRESHOLD
) -> list[Example]:
    """Valid programs with fitness >= threshold x the best of their niche, best first."""
    valid = [program for program in store.programs() if _is_valid(program)]
    best_in_cell: dict[int, float] = {}
    for program in valid:
        assert program.cell is not None and program.fitness is not None
        best_in_cell[program.cell] = max(best_in_cell.get(program.cell, 0.0), program.fitness)
    chosen = [
        program
        for program in valid
        if program.fitness is not None
        and program.cell is not None
        and program.fitness >= threshold * best_in_cell[program.cell]
    ]
    chosen.sort(key=lambda program: (-(program.fitness or 0.0), program.id))
    examples = []
    for program in chosen:
        head, body = program_prompt_parts(program.source)
        examples.append(
            Example(
                WALKER_API_DOC + "\n" + head,
                body,
                run,
                program.id,
                program.fitness,
                program.descriptors,
            )
        )
    return examples


def targeted_examples(
    store: RunStore, run: str, threshold: float = DEFAULT_THRESHOLD
) -> list[Example]:
    """Every valid child of a valid parent, its prompt naming both programs' descriptors."""
    programs = {program.id: program for program in store.programs()}
    examples = []
    for child in programs.values():
        if not child.parent_ids or not _is_valid(child):
            continue
        # A crossover child is built on its last (best) parent.
        parent = programs.get(child.parent_ids[-1])
        if parent is None or not _is_valid(parent) or parent.source == child.source:
            continue
        head, body = program_prompt_parts(child.source)
        examples.append(_targeted_example(parent, child, head, body, run))
    return examples


def structural_examples(stores: Sequence[tuple[str, RunStore]]) -> list[Example]:
    """Every elite of every run as the child of the nearest elite with another
    joint count; ties go to the earlier run, then the lower program id."""
    pool: list[tuple[str, ProgramRecord]] = []
    scaled: list[list[float]] = []
    for run, store in stores:
        spans = [high - low for low, high in store.config.archive.ranges]
        ids = sorted(elite.program_id for elite in store.elites())
        for program in store.programs(ids):
            if _is_valid(program) and program.joints is not None:
                assert program.descriptors is not None
                pool.append((run, program))
                scaled.append([value / span for value, span in zip(program.descriptors, spans)])
    if not pool:
        return []
    joints = np.array([program.joints for _, program in pool])
    points = np.array(scaled, dtype=np.float64)
    examples = []
    for index, (run, child) in enumerate(pool):
        distance = np.sum((points - points[index]) ** 2, axis=1)
        distance[joints == joints[index]] = np.inf
        nearest = int(np.argmin(distance))  # the first of equals: pool order
        if not np.isfinite(distance[nearest]):
            continue
        _, parent = pool[nearest]
        body = self_contained_body(child.source)
        if body is None:
            continue
        # The parent's head, as the `target` operator assembles a child.
        head = split_genome(parent.source).prefix + ENTRY_DEF
        examples.append(_targeted_example(parent, child, head, body, run))
    return examples


def _targeted_example(
    parent: ProgramRecord, child: ProgramRecord, head: str, body: str, run: str
) -> Example:
    """The `target` prompt from `parent` towards `child`'s descriptors, ending
    with `head`; `body` is what the model learns to write."""
    assert parent.descriptors is not None and child.descriptors is not None
    assert parent.joints is not None and child.joints is not None
    return Example(
        targeted_prompt(
            parent.source,
            (parent.joints, parent.descriptors),
            (child.joints, child.descriptors),
            head,
        ),
        body,
        run,
        child.id,
        child.fitness,
        child.descriptors,
    )


def self_contained_body(source: str) -> str | None:
    """The `make_walker` body with the module's imports, helpers and constants
    moved inside it (the module's and the helpers' docstrings dropped, to keep
    the completion short), so the body runs after any program's head, as the
    `target` operator assembles it; None when code follows `make_walker` or
    the head does not parse."""
    parts = split_genome(source)
    if parts.suffix.strip():
        return None
    try:
        module = ast.parse(parts.prefix)
    except SyntaxError:
        return None
    lines = parts.prefix.splitlines(keepends=True)
    kept: list[str] = []
    for node in module.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring or a bare literal
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        assert node.end_lineno is not None
        skipped = _docstring_lines(node)
        text = "".join(
            line
            for number, line in enumerate(lines[first - 1 : node.end_lineno], start=first)
            if number not in skipped
        )
        kept.append(textwrap.indent(text, "    "))
    body = parts.make_walker.partition("\n")[2]
    return _with_newline("\n".join(kept) + ("\n" if kept else "") + body)


def _docstring_lines(node: ast.stmt) -> range:
    """The line numbers of a function's or class's docstring, when it has one
    and a statement after it (a body of only a docstring keeps it)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return range(0)
    if len(node.body) < 2 or ast.get_docstring(node, clean=False) is None:
        return range(0)
    docstring = node.body[0]
    assert docstring.end_lineno is not None
    return range(docstring.lineno, docstring.end_lineno + 1)


def program_prompt_parts(source: str) -> tuple[str, str]:
    """(everything up to and including the `def make_walker` line, the rest):
    the body is what a model writes after the operators' prompts."""
    parts = split_genome(source)
    def_line, _, body = parts.make_walker.partition("\n")
    return parts.prefix + def_line + "\n", body + parts.suffix


def write_jsonl(dataset: Dataset, out: str | Path) -> int:
    """Writes one JSON object per example (prompt, completion, kind, run,
    program_id, fitness, descriptors); written beside `out`, then renamed."""
    out = Path(out)
    if out.is_dir():
        raise DatasetError(f"{out} is a directory; give a file name such as dataset.jsonl")
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for example in dataset.examples:
                line: dict[str, Any] = {"kind": dataset.kind, **asdict(example)}
                if example.descriptors is not None:
                    line["descriptors"] = dict(
                        zip(("height", "width", "mass"), example.descriptors)
                    )
                handle.write(json.dumps(line) + "\n")
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DatasetError(f"cannot write {out}: {error.strerror or error}") from None
    return len(dataset.examples)


@contextmanager
def _open_store(run_dir: str | Path) -> Iterator[RunStore]:
    try:
        store = RunStore.open(run_dir, read_only=True)
    except RunStoreError as error:
        raise DatasetError(str(error)) from None
    with store:
        yield store


def _is_valid(program: ProgramRecord) -> bool:
    return (
        program.status == "ok"
        and program.fitness is not None
        and program.cell is not None
        and program.descriptors is not None
    )


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


_RunBuilder = Callable[[RunStore, str, float], Iterable[Example]]
_Builder = Callable[[Sequence[tuple[str, RunStore]], float], Iterable[Example]]


def _run_by_run(builder: _RunBuilder) -> _Builder:
    """A builder that reads one run at a time, applied to every run in order."""

    def build(stores: Sequence[tuple[str, RunStore]], threshold: float) -> Iterable[Example]:
        return (example for run, store in stores for example in builder(store, run, threshold))

    return build


_BUILDERS: dict[DatasetKind, _Builder] = {
    "accepted": _run_by_run(accepted_examples),
    "elites": _run_by_run(elite_examples),
    "targeted": _run_by_run(targeted_examples),
    # Pairs across runs, so it reads them all at once; it has no threshold.
    "structural": lambda stores, _threshold: structural_examples(stores),
}
