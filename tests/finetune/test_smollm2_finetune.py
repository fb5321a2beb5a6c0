"""The real embedded SmolLM2-135M fine-tuned for a few steps with the
default LoRA settings, then loaded through --model and asked to write."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from openelm.finetune import build_dataset
from openelm.finetune.training import TrainingSettings, finetune
from openelm.llm import Generator, load_language_model
from openelm.llm.embedded import EMBEDDED_MODEL_NAME


@pytest.mark.slow
def test_embedded_smollm2_finetunes_loads_and_generates(random_run: Path, tmp_path: Path) -> None:
    dataset = build_dataset([random_run], "elites", threshold=0.8)
    out = tmp_path / "smollm2-tuned"
    settings = replace(TrainingSettings(), max_steps=2, batch_size=2, max_length=128, device="cpu")
    outcome = finetune(dataset, out, settings)
    assert outcome.finished and outcome.final_loss is not None
    card = json.loads((out / "openelm.json").read_text())
    assert card["base_model"] == EMBEDDED_MODEL_NAME and card["base_revision"].startswith("sha256:")
    model = load_language_model(str(out), device="cpu")
    assert model.identity.finetuned_from.startswith(f"lora fine-tune of {EMBEDDED_MODEL_NAME}")
    prompt = dataset.examples[0].prompt
    ((sample,),) = Generator(model).generate([(prompt, 1)], max_new_tokens=24, seed=1)
    assert sample.completion_tokens > 0 and sample.text.strip()


def test_the_default_length_keeps_the_parents_make_walker(random_run: Path) -> None:
    # With SmolLM2's own tokenizer: the window must hold the part of a
    # `targeted` prompt the model learns from (the parent's make_walker, its
    # measured line, the instruction) and the whole completion. At the old
    # 256 it held only the child's head.
    from openelm.finetune.training import tokenize_examples

    tokenizer = load_language_model(EMBEDDED_MODEL_NAME, device="cpu").tokenizer
    dataset = build_dataset([random_run], "targeted")
    rows = tokenize_examples(dataset, tokenizer, TrainingSettings().max_length)
    assert len(rows) == len(dataset.examples) >= 8
    for example, row in zip(dataset.examples, rows):
        kept = [token for token, label in zip(row["input_ids"], row["labels"]) if label < 0]
        kept_prompt = tokenizer.decode(kept)
        parent_body = example.prompt[: example.prompt.index("# The walker above has")]
        parent_make_walker = parent_body[parent_body.rindex("def make_walker():") :]
        assert parent_make_walker.strip() in kept_prompt
        assert row["labels"][-1] == tokenizer.eos_token_id  # the completion is whole


def test_training_examples_are_tokenized_as_generation_sees_the_prompt(random_run: Path) -> None:
    # Generation heals the prompt's trailing '\n' (the model writes '\n    '
    # itself); a model trained on a bare '\n' then '    ...' would be asked,
    # at generation, to continue a prompt it never saw end that way.
    from openelm.finetune.training import tokenize_examples
    from openelm.llm.healing import decoded_vocabulary, heal_prompt

    model = load_language_model(EMBEDDED_MODEL_NAME, device="cpu")
    tokenizer = model.tokenizer
    vocabulary = decoded_vocabulary(tokenizer, model.model.config.vocab_size)
    dataset = build_dataset([random_run], "targeted")
    rows = tokenize_examples(dataset, tokenizer, max_length=100_000)
    for example, row in zip(dataset.examples[:20], rows):
        healed = heal_prompt(tokenizer(example.prompt)["input_ids"], vocabulary)
        assert healed.healed_text == "\n"
        prompt_length = row["labels"].count(-100)
        assert row["input_ids"][:prompt_length] == healed.token_ids
        assert healed.first_token_ids is not None
        assert row["input_ids"][prompt_length] in healed.first_token_ids
        assert tokenizer.decode(row["input_ids"][prompt_length:-1]) == "\n" + example.completion
