"""Stop detection, trimming, token healing and sampling, without a model."""

from __future__ import annotations

import pytest
import torch
from openelm.llm.healing import decoded_vocabulary, heal_prompt
from openelm.llm.sampling import RowStream, row_stream, sample_tokens
from openelm.llm.stopping import ScopeEndDetector, newline_token_ids, trim_to_function_body

from tests.tiny_llama import WALKER_PROMPT, build_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer()


@pytest.fixture(scope="module")
def vocabulary(tokenizer) -> list[str]:
    return decoded_vocabulary(tokenizer, len(tokenizer))


def _first_stop(tokenizer, vocabulary: list[str], prompt: str, completion: str) -> str | None:
    """Feed the completion's tokens after the (healed) prompt, as generation
    would; return the text generated up to and including the token that
    ended the scope (None if none did)."""
    healed = heal_prompt(tokenizer(prompt)["input_ids"], vocabulary)
    prompt_ids = healed.token_ids
    detector = ScopeEndDetector(tokenizer, newline_token_ids(vocabulary), prompt_ids[-1])
    full_ids = tokenizer(prompt + completion)["input_ids"]
    assert full_ids[: len(prompt_ids)] == prompt_ids
    fed: list[int] = []
    for token in full_ids[len(prompt_ids) :]:
        fed.append(token)
        if detector.feed(token):
            return tokenizer.decode(fed).removeprefix(healed.healed_text)
    return None


def test_dedent_to_column_zero_stops(tokenizer, vocabulary) -> None:
    completion = (
        "    wc = walker_creator()\n\n    return wc.get_walker()\n\n\nprint(make_walker())\n"
    )
    stopped_at = _first_stop(tokenizer, vocabulary, "def make_walker():\n", completion)
    assert stopped_at is not None
    body, _, module_level = stopped_at.rpartition("\n")
    assert body == "    wc = walker_creator()\n\n    return wc.get_walker()\n\n"
    assert module_level and "print(make_walker())".startswith(module_level)


def test_indented_and_blank_lines_do_not_stop(tokenizer, vocabulary) -> None:
    completion = "    for i in range(3):\n        x = i\n\n    \n    return wc.get_walker()"
    assert _first_stop(tokenizer, vocabulary, "def make_walker():\n", completion) is None


def test_prompt_ending_mid_line_does_not_stop_on_its_continuation(tokenizer, vocabulary) -> None:
    assert _first_stop(tokenizer, vocabulary, "def make_walker", "():\n    return 1") is None


def test_trim_keeps_only_the_body() -> None:
    text = "    a = 1\n\n    return a\n\n\ndef other():\n    pass\n"
    assert trim_to_function_body(text) == "    a = 1\n\n    return a\n"
    assert trim_to_function_body("print(1)\n") == ""
    assert trim_to_function_body("    return 1") == "    return 1\n"
    trimmed = trim_to_function_body("    x = 1\n# note\n    y = 2\n")
    assert all(not line or line[0].isspace() for line in trimmed.splitlines())


def test_trailing_newline_is_healed(tokenizer, vocabulary) -> None:
    token_ids = tokenizer(WALKER_PROMPT)["input_ids"]
    healed = heal_prompt(token_ids, vocabulary)
    assert healed.token_ids == token_ids[:-1]
    assert healed.healed_text == "\n"
    assert healed.first_token_ids is not None
    assert all(vocabulary[token].startswith("\n") for token in healed.first_token_ids)
    # The indented continuation the model should be free to pick:
    indent = tokenizer(WALKER_PROMPT + "    wc")["input_ids"][len(token_ids) - 1]
    assert indent in healed.first_token_ids


def test_prompt_not_ending_in_whitespace_is_left_alone(tokenizer, vocabulary) -> None:
    token_ids = tokenizer("def make_walker():")["input_ids"]
    healed = heal_prompt(token_ids, vocabulary)
    assert (
        healed.token_ids == token_ids
        and healed.first_token_ids is None
        and healed.healed_text == ""
    )


def _streams(seed: int, rows: int) -> list[RowStream]:
    return [row_stream(seed, 0, row, torch.device("cpu")) for row in range(rows)]


def _sample(logits: torch.Tensor, streams: list[RowStream], **settings: float) -> torch.Tensor:
    """One position of each stream's completion per row of `logits`."""
    return sample_tokens(logits, streams=streams, counts=[1] * len(streams), **settings)


def test_sampling_is_reproducible_per_row() -> None:
    logits = torch.randn(6, 100, generator=torch.Generator().manual_seed(0))
    settings = dict(temperature=1.0, top_p=0.9, top_k=50)
    first = _sample(logits, _streams(7, 6), **settings)
    again = _sample(logits, _streams(7, 6), **settings)
    assert torch.equal(first, again)
    # A row's draw does not depend on the other rows of the batch.
    alone = _sample(logits[3:4], _streams(7, 6)[3:4], **settings)
    assert int(alone) == int(first[3])


def test_a_position_is_drawn_alike_however_many_positions_a_pass_decides() -> None:
    logits = torch.randn(5, 100, generator=torch.Generator().manual_seed(1))
    settings = dict(temperature=1.0, top_p=0.95, top_k=50)
    one_by_one = []
    [stream] = _streams(3, 1)
    for position in range(5):
        one_by_one.append(int(_sample(logits[position : position + 1], [stream], **settings)))
        stream.advance(1)
    # Three positions in one pass, of which two are kept, then the other three.
    [stream] = _streams(3, 1)
    first_pass = sample_tokens(logits[:3], streams=[stream], counts=[3], **settings)
    stream.advance(2)
    second_pass = sample_tokens(logits[2:], streams=[stream], counts=[3], **settings)
    assert [*first_pass.tolist()[:2], *second_pass.tolist()] == one_by_one
    assert len(set(one_by_one)) > 1


def test_sampling_respects_top_k_top_p_and_greedy() -> None:
    logits = torch.tensor([[5.0, 4.0, 3.0, -1.0, -2.0]]).repeat(200, 1)
    top_two = _sample(logits, _streams(1, 200), temperature=1.0, top_p=1.0, top_k=2)
    assert set(top_two.tolist()) == {0, 1}
    nucleus = _sample(logits, _streams(2, 200), temperature=1.0, top_p=0.5, top_k=5)
    assert set(nucleus.tolist()) == {0}  # token 0 alone holds > 50% of the mass
    greedy = _sample(logits[:1], _streams(3, 1), temperature=0.0, top_p=1.0, top_k=5)
    assert int(greedy) == 0


def test_sampling_follows_the_distribution() -> None:
    logits = torch.log(torch.tensor([[0.6, 0.3, 0.1]])).repeat(4000, 1)
    drawn = _sample(logits, _streams(4, 4000), temperature=1.0, top_p=1.0, top_k=3)
    shares = torch.bincount(drawn, minlength=3).float() / 4000
    assert torch.allclose(shares, torch.tensor([0.6, 0.3, 0.1]), atol=0.03)
