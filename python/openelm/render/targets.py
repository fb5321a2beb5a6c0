"""What `openelm render TARGET [ELITE]` points at: a walker file, a genome,
or elites of a stored run."""

from __future__ import annotations

import re
from pathlib import Path

from openelm._sodarace import SimConfig, Walker
from openelm.errors import InputFileError
from openelm.evolve.archive import GridArchive
from openelm.render.animate import RenderError, Subject
from openelm.store import RunStore
from openelm.walker_files import load_walker

ELITE_FORMS = "a program id, 'best', a cell 'h,w,m' or 'top:K'"


def resolve_target(
    target: str, elite: str | None, *, timeout_s: float = 5.0, allow_unsandboxed: bool = False
) -> tuple[list[Subject], SimConfig | None]:
    """The walkers to draw, and the simulation config the run scored them
    with (None for files: use the default)."""
    path = Path(target)
    if path.is_dir():
        return _run_subjects(path, elite or "best")
    if elite is not None:
        raise InputFileError(
            f"ELITE ({elite!r}) only applies to a run directory, and {target} is a file"
        )
    walker = load_walker(path, timeout_s=timeout_s, allow_unsandboxed=allow_unsandboxed)
    return [Subject(walker=walker, label=path.name)], None


def _run_subjects(run_dir: Path, elite: str) -> tuple[list[Subject], SimConfig]:
    with RunStore.open(run_dir, read_only=True) as store:
        elites = sorted(store.elites(), key=lambda e: (-e.fitness, e.program_id))
        if not elites:
            raise RenderError(f"{run_dir} has no elites yet")
        if elite == "best":
            chosen = [elites[0].program_id]
        elif match := re.fullmatch(r"top:(\d+)", elite):
            count = int(match.group(1))
            if not 1 <= count <= 64:
                raise InputFileError(f"top:K needs 1 <= K <= 64, got {count}")
            chosen = [e.program_id for e in elites[:count]]
        elif match := re.fullmatch(r"(\d+),(\d+),(\d+)", elite):
            wanted = tuple(int(g) for g in match.groups())
            if store.config.archive.kind == "cvt":
                raise InputFileError(
                    f"{run_dir} has a CVT archive, whose cells have no h,w,m bins: "
                    "pick an elite by program id, 'best' or 'top:K'"
                )
            bins = store.config.archive.bins
            if any(index >= count for index, count in zip(wanted, bins)):
                raise InputFileError(
                    f"cell {elite} is outside the {'x'.join(map(str, bins))} archive of {run_dir}"
                )
            archive = GridArchive(store.config.archive)
            in_cell = [e for e in elites if archive.cell_coordinates(e.cell) == wanted]
            if not in_cell:
                raise RenderError(f"cell {elite} of {run_dir} is empty")
            chosen = [in_cell[0].program_id]
        elif elite.isdigit():
            chosen = [int(elite)]
        else:
            raise InputFileError(f"bad ELITE {elite!r}: use {ELITE_FORMS}")
        programs = {p.id: p for p in store.programs(chosen)}
        sim = store.config.evaluation.sim
    subjects = []
    for program_id in chosen:
        program = programs.get(program_id)
        if program is None:
            raise RenderError(f"{run_dir} has no program {program_id}")
        if program.walker_json is None:
            raise RenderError(
                f"program {program_id} of {run_dir} built no walker ({program.status}: {program.error})"
            )
        subjects.append(
            Subject(
                walker=Walker.from_json(program.walker_json),
                label=f"#{program_id}",
                fitness=program.fitness,
            )
        )
    return subjects, sim
