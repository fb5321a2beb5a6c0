"""The dataset builders over real run stores: thresholds, the operators'
own prompt format, descriptors in `targeted`, dedup, hashes, JSONL export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openelm import _sodarace as native
from openelm.evolve.genome_source import split_genome
from openelm.evolve.prompts import (
    MEASURED_LINE,
    TARGET_INSTRUCTION,
    WALKER_API_DOC,
    commit_prompt,
    modification_prompt,
)
from openelm.finetune import DatasetError, build_dataset, write_jsonl
from openelm.finetune.datasets import program_prompt_parts, self_contained_body
from openelm.store import RunStore
from openelm_cli.main import main


def _programs(run: Path) -> dict[int, object]:
    with RunStore.open(run, read_only=True) as store:
        return {program.id: program for program in store.programs()}


@pytest.mark.parametrize("threshold", [0.5, 0.8, 1.0])
def test_elites_keep_programs_at_threshold_of_their_niche_best(
    random_run: Path, threshold: float
) -> None:
    dataset = build_dataset([random_run], "elites", threshold=threshold)
    programs = _programs(random_run)
    valid = [p for p in programs.values() if p.status == "ok"]  # type: ignore[attr-defined]
    best = {}
    for program in valid:
        best[program.cell] = max(best.get(program.cell, 0.0), program.fitness)
    expected = {p.source for p in valid if p.fitness >= threshold * best[p.cell]}
    chosen = [programs[example.program_id] for example in dataset.examples]
    assert {p.source for p in chosen} == expected  # type: ignore[attr-defined]
    assert dataset.threshold == threshold
    if threshold == 1.0:
        with RunStore.open(random_run, read_only=True) as store:
            assert {p.source for p in chosen} == {e.source for e in store.elites()}  # type: ignore[attr-defined]
    for example in dataset.examples:
        program = programs[example.program_id]
        assert example.prompt.startswith(WALKER_API_DOC)
        assert example.prompt.endswith("def make_walker():\n")
        # prompt (less the API doc) + completion is the program itself.
        rebuilt = example.prompt.removeprefix(WALKER_API_DOC + "\n") + example.completion
        assert rebuilt.rstrip("\n") == program.source.rstrip("\n")  # type: ignore[attr-defined]


def test_thresholds_nest_and_are_reproducible(random_run: Path) -> None:
    half = build_dataset([random_run], "elites", threshold=0.5)
    most = build_dataset([random_run], "elites", threshold=0.8)
    assert len(most.examples) < len(half.examples)
    assert {e.program_id for e in most.examples} <= {e.program_id for e in half.examples}
    assert build_dataset([random_run], "elites", threshold=0.8).sha256 == most.sha256
    assert half.sha256 != most.sha256


def test_accepted_pairs_are_archive_entrants_in_the_operator_format(accepted_run: Path) -> None:
    dataset = build_dataset([accepted_run], "accepted")
    programs = _programs(accepted_run)
    with RunStore.open(accepted_run, read_only=True) as store:
        entrants = {event.program_id for event in store.archive_events()}
        pairs = store.prompt_pairs()
    children = [p for p in programs.values() if p.operator == "prompt"]  # type: ignore[attr-defined]
    assert set(pairs) == {p.id for p in children}  # every LM child keeps its prompt
    expected = sorted(entrants & set(pairs))
    assert len(expected) >= 8
    assert [example.program_id for example in dataset.examples] == expected
    for example in dataset.examples:
        child = programs[example.program_id]
        (parent_id,) = child.parent_ids  # type: ignore[attr-defined]
        assert example.prompt == modification_prompt(programs[parent_id].source)  # type: ignore[attr-defined]
        body = split_genome(child.source).make_walker.partition("\n")[2]  # type: ignore[attr-defined]
        assert example.completion.rstrip("\n") == body.rstrip("\n")


def test_accepted_is_empty_for_a_model_free_run(random_run: Path) -> None:
    with pytest.raises(DatasetError, match="0 examples; at least 8"):
        build_dataset([random_run], "accepted", min_examples=8)


def test_a_language_model_run_stores_each_prompt_and_completion(tiny_lm_run: Path) -> None:
    programs = _programs(tiny_lm_run)
    with RunStore.open(tiny_lm_run, read_only=True) as store:
        pairs = store.prompt_pairs()
    children = [p for p in programs.values() if p.iteration > 0]  # type: ignore[attr-defined]
    assert children and set(pairs) == {p.id for p in children}
    for child in children:
        pair = pairs[child.id]
        parent = programs[child.parent_ids[0]]
        if child.operator == "prompt":
            assert pair.prompt == modification_prompt(parent.source)
        else:
            message = pair.prompt.split("# Commit message: ")[1].split("\n")[0]
            prefix = split_genome(parent.source).prefix
            assert pair.prompt == commit_prompt(parent.source, message, prefix)
        assert child.source.split("def make_walker():\n", 1)[1].startswith(pair.completion[:10])


def test_targeted_prompts_name_parent_and_child_descriptors(random_run: Path) -> None:
    dataset = build_dataset([random_run], "targeted")
    programs = _programs(random_run)
    assert len(dataset.examples) > 20
    for example in dataset.examples:
        child = programs[example.program_id]
        parent = programs[child.parent_ids[-1]]  # type: ignore[attr-defined]
        assert child.status == "ok" and parent.status == "ok"  # type: ignore[attr-defined]
        assert parent.source in example.prompt  # type: ignore[attr-defined]
        assert MEASURED_LINE.format(parent.joints, *parent.descriptors) in example.prompt  # type: ignore[attr-defined]
        assert example.prompt.endswith(
            TARGET_INSTRUCTION.format(child.joints, *child.descriptors)  # type: ignore[attr-defined]
            + program_prompt_parts(child.source)[0]  # type: ignore[attr-defined]
        )
        assert example.descriptors == child.descriptors  # type: ignore[attr-defined]


def test_structural_pairs_cross_joint_counts_and_bodies_run_after_the_parents_head(
    random_run: Path, radial_run: Path
) -> None:
    dataset = build_dataset([random_run, radial_run], "structural")
    programs = {str(run.resolve()): _programs(run) for run in (random_run, radial_run)}
    with RunStore.open(random_run, read_only=True) as store:
        square_elites = len(store.elites())
    with RunStore.open(radial_run, read_only=True) as store:
        radial_elites = len(store.elites())
    # Every elite of both runs is a child once (joint counts differ across the runs).
    assert len(dataset.examples) == square_elites + radial_elites
    lineages = set()
    for example in dataset.examples:
        child = programs[example.run][example.program_id]
        # The instruction names the child's joint count, not the parent's.
        instruction = TARGET_INSTRUCTION.format(child.joints, *child.descriptors)  # type: ignore[attr-defined]
        head = example.prompt.rsplit(instruction, 1)[1]
        parent_source = example.prompt.removeprefix(WALKER_API_DOC + "\n").split(
            "\n# The walker above"
        )[0]
        parent = next(
            p
            for run in programs.values()
            for p in run.values()
            if p.source.rstrip("\n") == parent_source  # type: ignore[attr-defined]
        )
        assert parent.joints != child.joints  # type: ignore[attr-defined]
        assert head == split_genome(parent.source).prefix + "def make_walker():\n"  # type: ignore[attr-defined]
        lineages.add((parent.joints, child.joints))  # type: ignore[attr-defined]
        # The parent's head plus the completion is a program that builds the child's body.
        rebuilt = native.interpret(head + example.completion)
        assert rebuilt.status == "ok", rebuilt.error
        assert rebuilt.walker is not None
        assert rebuilt.walker.to_json() == child.walker_json  # type: ignore[attr-defined]
    assert {(5, 8), (8, 5)} <= lineages
    assert build_dataset([random_run, radial_run], "structural").sha256 == dataset.sha256


def test_structural_needs_more_than_one_joint_count(random_run: Path) -> None:
    with pytest.raises(DatasetError, match=r"0 examples; at least 8 .*different seed programs"):
        build_dataset([random_run], "structural", min_examples=8)


def test_self_contained_body_moves_helpers_inside_and_drops_the_docstrings() -> None:
    source = (
        '"""Doc."""\n\nimport math\n\nfrom walker import walker_creator\n\nSIZE = 3\n\n\n'
        'def helper(wc):\n    """Adds a joint,\n    at pi."""\n    return wc.add_joint(math.pi, SIZE)\n\n\n'
        "def make_walker():\n    wc = walker_creator()\n    helper(wc)\n    return wc.get_walker()\n"
    )
    assert self_contained_body(source) == (
        "    import math\n\n    from walker import walker_creator\n\n    SIZE = 3\n\n"
        "    def helper(wc):\n        return wc.add_joint(math.pi, SIZE)\n\n"
        "    wc = walker_creator()\n    helper(wc)\n    return wc.get_walker()\n"
    )
    assert self_contained_body(source + "\nprint(1)\n") is None  # code after make_walker


def test_runs_combine_without_duplicates(random_run: Path, accepted_run: Path) -> None:
    one = build_dataset([random_run], "elites")
    both = build_dataset([random_run, accepted_run], "elites")
    again = build_dataset([random_run, random_run], "elites")
    assert len(again.examples) == len(one.examples)  # the same programs twice count once
    assert len(both.examples) > len(one.examples)
    assert both.runs == (str(random_run.resolve()), str(accepted_run.resolve()))


def test_missing_run_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no run directory"):
        build_dataset([tmp_path / "nope"], "elites")


def test_export_writes_each_dataset_as_jsonl(
    random_run: Path, accepted_run: Path, tmp_path: Path
) -> None:
    for run, kind in ((accepted_run, "accepted"), (random_run, "elites"), (random_run, "targeted")):
        out = tmp_path / f"{kind}.jsonl"
        assert (
            main(["export", str(run), "--out", str(out), "--dataset", kind, "--threshold", "0.8"])
            == 0
        )
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        dataset = build_dataset([run], kind, threshold=0.8)  # type: ignore[arg-type]
        assert [(line["prompt"], line["completion"]) for line in lines] == [
            (e.prompt, e.completion) for e in dataset.examples
        ]
        assert all(line["kind"] == kind for line in lines)


def test_export_takes_several_runs_for_a_dataset_and_one_for_the_archive(
    random_run: Path, radial_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "structural.jsonl"
    runs = [str(random_run), str(radial_run)]
    assert main(["export", *runs, "--out", str(out), "--dataset", "structural"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == len(build_dataset([random_run, radial_run], "structural").examples)
    assert main(["export", *runs, "--out", str(tmp_path / "archive.jsonl")]) == 2
    assert "the archive is exported from one RUN_DIR" in capsys.readouterr().err
    assert not (tmp_path / "archive.jsonl").exists()


def test_write_jsonl_refuses_a_directory(random_run: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="is a directory"):
        write_jsonl(build_dataset([random_run], "elites"), tmp_path)
