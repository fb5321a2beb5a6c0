"""Decode attention over shared and private prompts equals plain attention."""

from __future__ import annotations

import pytest
import torch
from openelm.llm.attention import shared_prompt_attention
from openelm.llm.kv_cache import DecodeCache, PromptState

KV_HEADS, GROUP, HEAD_DIM = 2, 3, 8


def _prompt(length: int, generator: torch.Generator) -> PromptState:
    keys = torch.randn(KV_HEADS, length, HEAD_DIM, generator=generator)
    values = torch.randn(KV_HEADS, length, HEAD_DIM, generator=generator)
    return PromptState(
        token_ids=[0] * length,
        layer_keys_values=[(keys.transpose(-1, -2).contiguous(), values)],
        next_token_logits=torch.zeros(1),
    )


def _plain_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """One row: query [q_heads, head_dim], keys/values [kv_heads, length, head_dim]."""
    keys = keys.repeat_interleave(GROUP, dim=0)
    values = values.repeat_interleave(GROUP, dim=0)
    scores = torch.einsum("hd,hld->hl", query, keys) * HEAD_DIM**-0.5
    return torch.einsum("hl,hld->hd", torch.softmax(scores, dim=-1), values)


@pytest.mark.parametrize("with_private_rows", [True, False])
def test_shared_and_private_rows_attend_like_plain_attention(with_private_rows: bool) -> None:
    # Without private rows every row has the same length, and once the rows
    # span half the buffer attention reads all of it: the mask must hide the rest.
    generator = torch.Generator().manual_seed(0)
    shared, private = _prompt(9, generator), [_prompt(length, generator) for length in (5, 11, 7)]
    max_new_tokens = 12
    cache = DecodeCache(
        num_layers=1,
        max_rows=4,
        max_new_tokens=max_new_tokens,
        max_step_tokens=3,
        private_prompt_capacity=11 if with_private_rows else 0,
        kv_heads=KV_HEADS,
        head_dim=HEAD_DIM,
        dtype=torch.float32,
        device=torch.device("cpu"),
    )
    # Each row's keys/values as plain attention sees them: prompt, then generated.
    history: list[list[torch.Tensor]] = []

    def start(row: int, prompt_id: int, state: PromptState, *, shared: bool) -> None:
        cache.start_row(row, prompt_id, state, shared=shared)
        keys, values = state.layer_keys_values[0]
        entry = [keys.transpose(-1, -2), values]
        if row == len(history):
            history.append(entry)
        else:
            history[row] = entry

    start(0, 0, shared, shared=True)
    start(1, 1, private[0], shared=not with_private_rows)
    start(2, 0, shared, shared=True)
    start(3, 2, private[1], shared=not with_private_rows)
    for step in range(max_new_tokens // 2):
        if step == 2 and with_private_rows:  # a row restarts: rows now differ in length
            start(1, 3, private[2], shared=False)
        # Each step feeds every row one token or three (its latest and a
        # draft), and each row keeps a different number of them.
        step_tokens = 3 if step % 2 else 1
        cache.begin_step(step_tokens)
        rows = cache.row_count
        query = torch.randn(rows, KV_HEADS * GROUP, step_tokens, HEAD_DIM, generator=generator)
        new_keys = torch.randn(rows, KV_HEADS, step_tokens, HEAD_DIM, generator=generator)
        new_values = torch.randn(rows, KV_HEADS, step_tokens, HEAD_DIM, generator=generator)
        keys, values = cache.update(0, new_keys, new_values)
        output = shared_prompt_attention(0, query, keys, values, HEAD_DIM**-0.5, cache)
        kept = [1 + (row + step) % step_tokens for row in range(rows)]
        cache.end_step(kept)
        for row in range(rows):
            for token in range(step_tokens):
                # Token j sees the row's history and this step's tokens up to itself.
                expected = _plain_attention(
                    query[row, :, token],
                    torch.cat([history[row][0], new_keys[row, :, : token + 1]], dim=1),
                    torch.cat([history[row][1], new_values[row, :, : token + 1]], dim=1),
                )
                torch.testing.assert_close(output[row, token], expected, rtol=1e-5, atol=1e-5)
            history[row][0] = torch.cat([history[row][0], new_keys[row, :, : kept[row]]], dim=1)
            history[row][1] = torch.cat([history[row][1], new_values[row, :, : kept[row]]], dim=1)
