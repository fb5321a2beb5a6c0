"""A run's summary as plain data, computed from its store alone; `openelm
evolve --json` and `openelm show --json` print exactly this."""

from __future__ import annotations

import math
from typing import Any

from openelm.evolve.archive import build_archive
from openelm.records import DESCRIPTOR_NAMES, Funnel
from openelm.store import RunStore

TOP_ELITES = 10


def mutation_label(store: RunStore) -> str:
    mutation = store.config.mutation
    if mutation.operator != "mix":
        return mutation.operator
    return "mix(" + ",".join(f"{name}={weight:g}" for name, weight in mutation.mix_weights) + ")"


def run_summary(store: RunStore, *, top: int = TOP_ELITES) -> dict[str, Any]:
    config = store.config
    history = store.iteration_metrics()
    mutations = [metrics for metrics in history if metrics.iteration > 0]
    funnel = sum((metrics.funnel for metrics in mutations), Funnel())
    wall = math.fsum(metrics.wall_seconds for metrics in mutations)
    generation = math.fsum(metrics.generation_seconds for metrics in mutations)
    tokens = sum(metrics.completion_tokens for metrics in history)
    last = history[-1] if history else None
    archive = build_archive(config.archive, store.centroids)
    elites = sorted(store.elites(), key=lambda elite: (-elite.fitness, elite.program_id))[:top]
    records = {
        record.id: record for record in store.programs([elite.program_id for elite in elites])
    }
    return {
        "run_dir": str(store.run_dir),
        "created_at": store.created_at,
        "simulator_version": store.simulator_version,
        "seed": config.seed,
        "mutation": mutation_label(store),
        "model": store.model_identity["name"] if store.model_identity else None,
        "model_origin": (store.model_identity or {}).get("finetuned_from") or None,
        "iterations": last.iteration if last else 0,
        "evaluations": last.evaluations if last else 0,
        "niches_filled": last.niches_filled if last else 0,
        "niches_total": config.archive.cell_count,
        "archive": config.archive.kind,
        "coverage": last.coverage if last else 0.0,
        "qd_score": last.qd_score if last else 0.0,
        "norm_qd_score": last.norm_qd_score if last else 0.0,
        "max_fitness": last.max_fitness if last else None,
        "mean_fitness": last.mean_fitness if last else None,
        "valid_fraction": funnel.valid_fraction,
        "funnel": funnel.to_dict(),
        "target_hit_rate": funnel.target_hit_rate,
        "tokens_generated": tokens,
        "tokens_per_second": tokens / generation if generation > 0 else 0.0,
        "evaluations_per_second": sum(m.programs for m in mutations) / wall if wall > 0 else 0.0,
        "llm_busy_fraction": generation / wall if wall > 0 and generation > 0 else None,
        "wall_seconds": wall,
        "lost_actors": sum(metrics.lost_actors for metrics in history),
        "top_elites": [
            {
                "id": elite.program_id,
                "fitness": elite.fitness,
                "cell": list(archive.cell_coordinates(elite.cell)),
                "descriptors": dict(zip(DESCRIPTOR_NAMES, elite.descriptors)),
                "operator": records[elite.program_id].operator,
                "iteration": records[elite.program_id].iteration,
            }
            for elite in elites
        ],
    }
