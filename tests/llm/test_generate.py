"""The generation engine, on a tiny random Llama (and one test on the real SmolLM2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from openelm.llm import (
    Completion,
    Generator,
    LanguageModel,
    StopReason,
    decode,
    load_language_model,
)
from openelm.llm.prefill import MIN_SHARED_PREFIX, shared_prefix_length

from tests.tiny_llama import WALKER_PROMPT

SHORT_PROMPT = "import math\n\n\ndef make_walker():\n"
MIDDLE_PROMPT = "def make_walker():\n    wc = walker_creator()\n    return wc.get_walker()\n\n\ndef make_walker():\n"


def test_batched_greedy_equals_unbatched(tiny_model: LanguageModel) -> None:
    # Three prompt lengths, more rows than the batch holds: exercises left
    # padding in prefill, attention over two shared prompts and a private
    # one, rows of different lengths, and finished rows handing their slot over.
    shared = decode._SHARED_PROMPT_MIN_ROWS
    requests = [(WALKER_PROMPT, shared), (SHORT_PROMPT, 2), (MIDDLE_PROMPT, shared)]
    batched = Generator(tiny_model, max_batch_rows=5).generate(
        requests, max_new_tokens=40, temperature=0.0
    )
    _assert_each_as_alone(tiny_model, requests, batched)


def _assert_each_as_alone(
    model: LanguageModel, requests: list[tuple[str, int]], batched: list[list[Completion]]
) -> None:
    """Every greedy completion of a batch equals its prompt's completion decoded alone."""
    for (prompt, count), completions in zip(requests, batched):
        alone = Generator(model, max_batch_rows=1).generate(
            [(prompt, 1)], max_new_tokens=40, temperature=0.0
        )
        assert len(completions) == count
        for completion in completions:
            assert completion == alone[0][0]


def test_prompts_with_a_common_head_prefill_it_once_and_decode_as_alone(
    tiny_model: LanguageModel,
) -> None:
    # The API comment block heads every prompt, as in evolve. One prompt has
    # enough rows to be shared, the others are copied into their rows, and
    # one batch holds both kinds.
    api_head = WALKER_PROMPT.split("import math")[0]
    prompts = [api_head + SHORT_PROMPT, api_head + MIDDLE_PROMPT, WALKER_PROMPT]
    requests = [(prompts[0], 1), (prompts[1], decode._SHARED_PROMPT_MIN_ROWS), (prompts[2], 2)]
    generator = Generator(tiny_model, max_batch_rows=5)
    batched = generator.generate(requests, max_new_tokens=40, temperature=0.0)

    token_lists = [tiny_model.tokenizer(prompt)["input_ids"] for prompt in prompts]
    head = shared_prefix_length(token_lists)
    assert head >= MIN_SHARED_PREFIX
    prompt_lengths = [completions[0].prompt_tokens for completions in batched]
    assert generator.last_stats.prefill_tokens == sum(prompt_lengths) - 2 * head
    _assert_each_as_alone(tiny_model, requests, batched)


def test_shared_prompt_attention_matches_plain_forward(tiny_model: LanguageModel) -> None:
    """The engine's greedy tokens are the ones a plain full forward pass picks."""
    model, tokenizer = tiny_model.model, tiny_model.tokenizer
    generator = Generator(tiny_model)
    [[completion]] = generator.generate([(WALKER_PROMPT, 1)], max_new_tokens=12, temperature=0.0)
    assert completion.stopped is StopReason.MAX_NEW_TOKENS  # a random model does not dedent
    token_ids = tokenizer(WALKER_PROMPT)["input_ids"][:-1]  # the trailing newline is healed
    healed = set(decode_vocabulary_newline_starts(tiny_model))
    for step in range(12):
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([token_ids])).logits[0, -1]
        if step == 0:
            mask = torch.full_like(logits, float("-inf"))
            mask[sorted(healed)] = 0.0
            logits = logits + mask
        token_ids.append(int(logits.argmax()))
    plain_text = tokenizer.decode(token_ids[-12:]).removeprefix("\n")
    assert completion.text == plain_text.rstrip() + "\n"


def decode_vocabulary_newline_starts(model: LanguageModel) -> Iterator[int]:
    for token_id in range(len(model.tokenizer)):
        if model.tokenizer.decode([token_id]).startswith("\n"):
            yield token_id


def test_same_seed_same_texts(tiny_model: LanguageModel) -> None:
    requests = [(WALKER_PROMPT, 4), (SHORT_PROMPT, 2)]
    first = Generator(tiny_model).generate(requests, max_new_tokens=30, seed=11)
    again = Generator(tiny_model, max_batch_rows=3).generate(requests, max_new_tokens=30, seed=11)
    other = Generator(tiny_model).generate(requests, max_new_tokens=30, seed=12)
    texts = [[completion.text for completion in request] for request in first]
    assert texts == [[completion.text for completion in request] for request in again]
    assert texts != [[completion.text for completion in request] for request in other]
    assert len(set(texts[0])) > 1  # samples of one prompt differ


class _Script:
    """Stands in for a row's random stream: the tokens the row will draw, by position."""

    def __init__(self, token_ids: list[int]) -> None:
        self.token_ids = token_ids
        self.decided = 0

    def token(self, position: int) -> int:
        return self.token_ids[min(position, len(self.token_ids) - 1)]

    def advance(self, count: int) -> None:
        self.decided += count


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tiny_model: LanguageModel):
    """Make row (request r, sample s) draw `scripts[(r, s)]` token by token,
    and record the batch size of every decode forward pass."""
    scripts: dict[tuple[int, int], list[int]] = {}
    forward_rows: list[int] = []

    def script_for(
        seed: int, request_index: int, sample_index: int, device: torch.device
    ) -> _Script:
        return _Script(scripts[(request_index, sample_index)])

    def draw(
        logits: torch.Tensor, *, streams: list[_Script], counts: list[int], **settings: object
    ) -> torch.Tensor:
        assert logits.shape[0] == sum(counts)
        return torch.tensor(
            [
                script.token(script.decided + offset)
                for script, count in zip(streams, counts)
                for offset in range(count)
            ]
        )

    original_forward = decode.DecodeLoop._forward

    def counting_forward(self: decode.DecodeLoop) -> torch.Tensor:
        logits = original_forward(self)
        forward_rows.append(logits.shape[0])
        return logits

    monkeypatch.setattr(decode, "row_stream", script_for)
    monkeypatch.setattr(decode, "sample_tokens", draw)
    monkeypatch.setattr(decode.DecodeLoop, "_forward", counting_forward)
    return scripts, forward_rows


def _tokens(model: LanguageModel, text: str) -> list[int]:
    """Token ids of a completion `text` as generated after WALKER_PROMPT
    (whose healed newline is the completion's first character)."""
    prompt_ids = model.tokenizer(WALKER_PROMPT)["input_ids"][:-1]
    full_ids = model.tokenizer(WALKER_PROMPT + text)["input_ids"]
    assert full_ids[: len(prompt_ids)] == prompt_ids
    return full_ids[len(prompt_ids) :]


@pytest.mark.parametrize("max_draft_tokens", [0, 8])
def test_rows_stop_at_dedent_eos_or_budget_and_leave_the_batch(
    scripted, tiny_model: LanguageModel, max_draft_tokens: int
) -> None:
    scripts, forward_rows = scripted
    eos = tiny_model.tokenizer.eos_token_id
    body = "    wc = walker_creator()\n    return wc.get_walker()\n"
    dedent = _tokens(tiny_model, body + "\n\nprint(make_walker())\n    x = 1\n")
    endless = _tokens(tiny_model, "    x = 1\n" * 40)
    ends_with_eos = [*_tokens(tiny_model, "    return 1"), eos, eos]
    scripts.update({(0, 0): dedent, (0, 1): endless, (0, 2): ends_with_eos, (0, 3): dedent})
    max_new_tokens = 60
    generator = Generator(tiny_model, max_draft_tokens=max_draft_tokens)
    [completions] = generator.generate([(WALKER_PROMPT, 4)], max_new_tokens=max_new_tokens)

    by_dedent, by_budget, by_eos, _ = completions
    assert by_dedent.stopped is StopReason.SCOPE_END
    assert by_dedent.text == body
    # The row stopped at the first token that puts a character at column 0.
    stop_index = next(
        index
        for index in range(len(dedent))
        if re.search(r"\n\S", tiny_model.tokenizer.decode(dedent[: index + 1]))
    )
    assert by_dedent.completion_tokens == stop_index + 1
    assert by_budget.stopped is StopReason.MAX_NEW_TOKENS
    assert by_budget.completion_tokens == max_new_tokens
    assert all(line.startswith("    x = 1") for line in by_budget.text.splitlines())
    assert by_eos.stopped is StopReason.EOS
    assert by_eos.text == "    return 1\n"
    assert by_eos.completion_tokens == len(ends_with_eos) - 1

    # Finished rows stop costing compute: the batch shrinks, and the loop
    # ends with the last row (each forward feeds the latest drawn token).
    assert forward_rows[0] == 4
    assert forward_rows[-1] == 1
    assert forward_rows == sorted(forward_rows, reverse=True)
    if max_draft_tokens == 0:
        assert len(forward_rows) == max_new_tokens - 1
    else:  # the endless row repeats itself, so its drafts are taken
        assert len(forward_rows) < (max_new_tokens - 1) // 2


def test_token_counts_add_up(scripted, tiny_model: LanguageModel) -> None:
    scripts, _ = scripted
    scripts.update(
        {
            (0, 0): _tokens(tiny_model, "    a = 1\nb"),
            (0, 1): _tokens(tiny_model, "    a = 2\n    b = 3\nc"),
        }
    )
    scripts.update({(1, 0): _tokens(tiny_model, "    c = 4\nd")})
    generator = Generator(tiny_model)
    requests = [(WALKER_PROMPT, 2), (WALKER_PROMPT, 1)]  # the same prompt twice: prefilled once
    completions = generator.generate(requests, max_new_tokens=20)
    prompt_tokens = len(tiny_model.tokenizer(WALKER_PROMPT)["input_ids"]) - 1  # healed newline
    flat = [completion for request in completions for completion in request]
    assert [completion.text for completion in flat] == [
        "    a = 1\n",
        "    a = 2\n    b = 3\n",
        "    c = 4\n",
    ]
    assert all(completion.prompt_tokens == prompt_tokens for completion in flat)
    assert [completion.completion_tokens for completion in flat] == [
        len(scripts[(0, 0)]),
        len(scripts[(0, 1)]),
        len(scripts[(1, 0)]),
    ]
    stats = generator.last_stats
    assert stats.prompt_tokens == 3 * prompt_tokens
    assert stats.prefill_tokens == prompt_tokens
    assert stats.completion_tokens == sum(completion.completion_tokens for completion in flat)
    assert stats.completions == 3
    assert stats.seconds > 0
    generator.generate(requests, max_new_tokens=20)
    assert generator.total_stats.completion_tokens == 2 * stats.completion_tokens


def test_drafts_change_the_passes_not_the_texts(scripted, tiny_model: LanguageModel) -> None:
    # Rows that repeat themselves: their own earlier tokens draft what comes next.
    scripts, forward_rows = scripted
    repeating = _tokens(tiny_model, "    x = 1\n" * 40)
    varied = _tokens(tiny_model, "".join(f"    v{i} = {i * 7}\n" for i in range(30)))
    scripts.update({(0, 0): repeating, (1, 0): varied})
    requests = [(WALKER_PROMPT, 1), (SHORT_PROMPT, 1)]
    one_by_one = Generator(tiny_model, max_draft_tokens=0)
    expected = one_by_one.generate(requests, max_new_tokens=60)
    passes_one_by_one = len(forward_rows)
    assert one_by_one.last_stats.drafted_tokens == 0

    forward_rows.clear()
    drafting = Generator(tiny_model, max_draft_tokens=6)
    assert drafting.generate(requests, max_new_tokens=60) == expected
    stats = drafting.last_stats
    assert 0 < stats.accepted_draft_tokens <= stats.drafted_tokens
    # Every pass keeps one token per live row plus the accepted drafts.
    assert len(forward_rows) < passes_one_by_one
    assert stats.completion_tokens == 120


def test_drafting_keeps_sampled_texts(tiny_model: LanguageModel) -> None:
    # The real sampler: each position is decided by the same draw whether or
    # not it was drafted (tiny-model logits match to float32 rounding).
    requests = [(WALKER_PROMPT, 3), (SHORT_PROMPT, 2)]
    settings = dict(max_new_tokens=40, temperature=0.8, seed=5)
    plain = Generator(tiny_model, max_draft_tokens=0).generate(requests, **settings)
    drafting = Generator(tiny_model, max_draft_tokens=8)
    assert drafting.generate(requests, **settings) == plain
    assert drafting.last_stats.drafted_tokens > 0


def test_invalid_arguments_are_rejected(tiny_model: LanguageModel) -> None:
    generator = Generator(tiny_model)
    with pytest.raises(ValueError, match="max_new_tokens"):
        generator.generate([(WALKER_PROMPT, 1)], max_new_tokens=0)
    with pytest.raises(ValueError, match="top_p"):
        generator.generate([(WALKER_PROMPT, 1)], top_p=0.0)
    with pytest.raises(ValueError, match="empty"):
        generator.generate([("", 1)])
    with pytest.raises(ValueError, match="max_draft_tokens"):
        Generator(tiny_model, max_draft_tokens=-1)
    assert generator.generate([(WALKER_PROMPT, 0)]) == [[]]


def test_embedded_smollm2_writes_a_make_walker_body(embedded_cache_dir: Path) -> None:
    model = load_language_model(cache_dir=embedded_cache_dir, device="cpu")
    generator = Generator(model)
    [completions] = generator.generate([(WALKER_PROMPT, 3)], max_new_tokens=96, seed=3)
    assert len(completions) == 3
    for completion in completions:
        assert completion.prompt_tokens > 100
        assert 0 < completion.completion_tokens <= 96
        lines = completion.text.splitlines()
        assert lines, completion
        assert all(not line or line[0].isspace() for line in lines)  # the body only
    # SmolLM2 writes code: most samples mention the walker API.
    assert sum("wc" in completion.text for completion in completions) >= 2
    assert generator.last_stats.completion_tokens == sum(
        completion.completion_tokens for completion in completions
    )
    # A child copies its prompt's code: the prompt-lookup drafts are taken.
    assert generator.last_stats.accepted_draft_tokens > 0
