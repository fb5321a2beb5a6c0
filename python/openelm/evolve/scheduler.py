"""Ask and tell for one iteration.

`ask` picks operators and parents from an archive snapshot (the emitter) and
has the language model write the children; `tell` files the evaluated
children into the archive, in batch order, and returns the records the
store writes. Neither keeps random state between calls: each iteration's
draws come from (run seed, iteration).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from openelm.evolve.archive import Archive, ArchiveSnapshot
from openelm.evolve.config import EvolveConfig
from openelm.evolve.emitter import MutationEmitter
from openelm.evolve.generation import Completer, GeneratedBatch, realize_plans
from openelm.evolve.operators import Child, build_operators
from openelm.evolve.rng import generation_seed
from openelm.records import ArchiveEvent, Funnel, Placement, ProgramRecord, ProgramStatus
from openelm.sandbox import EvalResult

SEED_OPERATOR = "seed"


@dataclass(frozen=True)
class TellResult:
    programs: tuple[ProgramRecord, ...]
    events: tuple[ArchiveEvent, ...]
    funnel: Funnel
    new_cells: int
    improved_cells: int


class Scheduler:
    def __init__(self, config: EvolveConfig, archive: Archive, completer: Completer | None) -> None:
        self.config = config
        self.archive = archive
        self.completer = completer
        self.emitter = MutationEmitter(
            build_operators(config.mutation, archive), config.mutation.weights()
        )
        # A hybrid's iterations between the model's batches: `random` alone,
        # with the run's own random-operator settings.
        random_only = replace(config.mutation, operator="random", mix_weights=())
        self.random_emitter = MutationEmitter(
            build_operators(random_only, archive), random_only.weights()
        )

    def ask(self, iteration: int, snapshot: ArchiveSnapshot, count: int) -> GeneratedBatch:
        """`count` children for `iteration`, bred from the elites in `snapshot`
        (by `random` alone when the run is a hybrid and this is not one of
        the model's iterations)."""
        emitter = (
            self.emitter
            if self.config.mutation.is_model_iteration(iteration)
            else self.random_emitter
        )
        plans = emitter.ask(snapshot, count, run_seed=self.config.seed, iteration=iteration)
        return realize_plans(
            plans,
            self.completer,
            iteration=iteration,
            seed=generation_seed(self.config.seed, iteration),
        )

    def tell(
        self,
        iteration: int,
        children: Sequence[Child],
        results: Sequence[EvalResult],
        first_program_id: int,
    ) -> TellResult:
        """Insert each valid child into the archive (strictly better wins) and
        build the records of this iteration; program ids count up from
        `first_program_id` in batch order."""
        if len(children) != len(results):
            raise ValueError(f"{len(children)} children but {len(results)} results")
        programs: list[ProgramRecord] = []
        events: list[ArchiveEvent] = []
        new_cells = improved_cells = 0
        for batch_index, (child, result) in enumerate(zip(children, results)):
            program_id = first_program_id + batch_index
            cell: int | None = None
            descriptors: tuple[float, float, float] | None = None
            if (
                result.status == "ok"
                and result.fitness is not None
                and math.isfinite(result.fitness)
            ):
                assert (
                    result.height is not None
                    and result.width is not None
                    and result.mass is not None
                )
                descriptors = (result.height, result.width, result.mass)
                insertion = self.archive.add(
                    program_id, result.fitness, descriptors, child.source, result.joints
                )
                cell = insertion.cell
                if insertion.entered and insertion.cell is not None:
                    replaced = insertion.replaced
                    replaced_id = None if replaced is None else replaced.program_id
                    events.append(ArchiveEvent(iteration, insertion.cell, program_id, replaced_id))
                    new_cells += insertion.placement is Placement.NEW_CELL
                    improved_cells += insertion.placement is Placement.IMPROVED
            failed = result.status != "ok"
            has_walker = result.walker_json is not None
            programs.append(
                ProgramRecord(
                    id=program_id,
                    iteration=iteration,
                    batch_index=batch_index,
                    operator=child.operator,
                    parent_ids=child.parent_ids,
                    source=child.source,
                    source_hash=hashlib.sha256(
                        child.source.encode("utf-8", "surrogatepass")
                    ).hexdigest(),
                    prompt_tokens=child.prompt_tokens,
                    completion_tokens=child.completion_tokens,
                    status=ProgramStatus(result.status),
                    error=result.error,
                    # The pool reports 0:0 when a failure has no position.
                    error_line=(result.line or None) if failed else None,
                    error_col=(result.col or None) if failed else None,
                    fitness=result.fitness,
                    descriptors=descriptors,
                    joints=result.joints if has_walker else None,
                    muscles=result.muscles if has_walker else None,
                    cell=cell,
                    walker_json=result.walker_json,
                    prompt=child.prompt,
                    completion=child.completion,
                    stopped=child.stopped,
                    warnings=result.warnings,
                    target_cell=child.target_cell,
                )
            )
        funnel = Funnel.of(programs)
        return TellResult(tuple(programs), tuple(events), funnel, new_cells, improved_cells)
