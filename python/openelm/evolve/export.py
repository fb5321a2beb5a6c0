"""Exporting the archive as JSON lines: one elite per line, a fine-tuning
dataset of programs with their scores."""

from __future__ import annotations

import json
from pathlib import Path

from openelm.errors import OpenelmError
from openelm.evolve.archive import build_archive
from openelm.records import DESCRIPTOR_NAMES
from openelm.store import RunStore


class ExportError(OpenelmError):
    exit_code = 2


def export_archive(store: RunStore, out: str | Path) -> int:
    """Writes the archive's elites, best first, to `out`; returns how many.

    Each line holds id, source, fitness, cell (bin indices over height,
    width, mass), descriptors, operator, iteration and parent_ids. The file
    is written beside `out` and renamed into place, so a failed export never
    leaves half a file.
    """
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"{out} is a directory; give a file name such as archive.jsonl")
    archive = build_archive(store.config.archive, store.centroids)
    elites = sorted(store.elites(), key=lambda elite: (-elite.fitness, elite.program_id))
    records = {
        record.id: record for record in store.programs([elite.program_id for elite in elites])
    }
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for elite in elites:
                record = records[elite.program_id]
                line = {
                    "id": elite.program_id,
                    "source": elite.source,
                    "fitness": elite.fitness,
                    "cell": list(archive.cell_coordinates(elite.cell)),
                    "descriptors": dict(zip(DESCRIPTOR_NAMES, elite.descriptors)),
                    "operator": record.operator,
                    "iteration": record.iteration,
                    "parent_ids": list(record.parent_ids),
                }
                handle.write(json.dumps(line) + "\n")
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {error.strerror or error}") from None
    return len(elites)
