"""Decode-step attention over shared prompts plus per-row tokens.

In a decode step each row's queries (its latest token, then any draft
tokens, see `drafting.py`) attend to its prompt and to its own generated
tokens up to themselves. A shared prompt (stored once in `DecodeCache` for all the
rows sampling from it) is not copied into every row: the scores over it come
from one matmul per prompt with all of its rows' queries stacked, the scores
over the rows' own tokens from a batched matmul, and a single softmax runs
over both, so the result equals ordinary attention over the concatenation.
A private prompt sits in front of its row's generated tokens, so its rows
need only the batched matmul: many different prompts cost one matmul per
layer, not a Python loop over prompts.

The function plugs into transformers' attention interface under its own
name (through `transformers_compat`); `shared_prompt_attention_enabled`
selects it for the decode loop only, so prefill and any other use of the
model keep their usual attention.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from transformers import PreTrainedModel

from openelm.llm.kv_cache import DecodeCache
from openelm.llm.transformers_compat import attention_implementation, register_attention

SHARED_PROMPT_ATTENTION = "openelm_shared_prompt"
# The model's forward passes unknown keyword arguments down to attention;
# this one carries the decode cache holding the shared prompts.
DECODE_CACHE_ARGUMENT = "openelm_decode_cache"


def shared_prompt_attention(
    layer_index: int,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    scale: float,
    state: object,
) -> torch.Tensor:
    """Attention for this step's tokens; returns [rows, step_tokens, q_heads, head_dim].

    query: [rows, q_heads, step_tokens, head_dim]; key/value: the rows' own tokens
    (private prompt, then generated) as `DecodeCache` stores them (keys
    transposed). There is no
    attention mask: transformers builds none for an attention it does not
    know; the cache supplies the mask of rows shorter than the longest and of
    each step token's later ones.
    """
    cache = state
    assert isinstance(cache, DecodeCache)
    rows, query_heads, step, head_dim = query.shape
    kv_heads = value.shape[1]
    group = query_heads // kv_heads  # query heads per key/value head (grouped-query attention)
    queries_per_head = group * step  # one kv head's queries, ordered (query head, token)

    # Scaling the few queries is cheaper than scaling the scores.
    queries = query.reshape(rows, kv_heads, queries_per_head, head_dim) * scale
    own_scores = torch.matmul(queries, key).float()  # [rows, kv_heads, queries_per_head, width]
    if cache.generated_bias is not None:
        width = own_scores.shape[-1]
        own_scores = (
            own_scores.view(rows, kv_heads, group, step, width) + cache.generated_bias
        ).view(rows, kv_heads, queries_per_head, width)
    one_group_only = len(cache.groups) == 1 and cache.private_rows is None
    output = (
        None if one_group_only else query.new_empty((rows, kv_heads, queries_per_head, head_dim))
    )
    if cache.private_rows is not None:
        probs = torch.softmax(own_scores[cache.private_rows], dim=-1).to(value.dtype)
        private_output = torch.matmul(probs, value[cache.private_rows])
        if not cache.groups:  # every row holds its prompt itself
            return _tokens_first(private_output, step)
        assert output is not None
        output[cache.private_rows] = private_output
    for row_group in cache.groups:
        prompt_keys, prompt_values = cache.prompts[row_group.prompt_id].layer_keys_values[
            layer_index
        ]
        prompt_length = prompt_values.shape[-2]
        group_queries = queries[row_group.rows]
        count = group_queries.shape[0]
        # All of this prompt's queries against its keys in one matmul:
        # [kv_heads, count * queries_per_head, head_dim] @ [kv_heads, head_dim, prompt_length].
        stacked = group_queries.transpose(0, 1).reshape(
            kv_heads, count * queries_per_head, head_dim
        )
        prompt_scores = torch.matmul(stacked, prompt_keys).float()
        prompt_scores = prompt_scores.view(
            kv_heads, count, queries_per_head, prompt_length
        ).transpose(0, 1)
        scores = torch.cat([prompt_scores, own_scores[row_group.rows]], dim=-1)
        probs = torch.softmax(scores, dim=-1).to(value.dtype)
        prompt_probs, own_probs = torch.split(probs, [prompt_length, cache.width], dim=-1)
        from_prompt = torch.matmul(
            prompt_probs.transpose(0, 1).reshape(kv_heads, count * queries_per_head, prompt_length),
            prompt_values,
        ).view(kv_heads, count, queries_per_head, head_dim)
        group_output = from_prompt.transpose(0, 1) + torch.matmul(own_probs, value[row_group.rows])
        if output is None:
            output = group_output
        else:
            output[row_group.rows] = group_output
    assert output is not None
    return _tokens_first(output, step)


def _tokens_first(output: torch.Tensor, step: int) -> torch.Tensor:
    """[rows, kv_heads, group * step, head_dim] as [rows, step, q_heads, head_dim]."""
    rows, kv_heads, queries_per_head, head_dim = output.shape
    group = queries_per_head // step
    by_head = output.view(rows, kv_heads, group, step, head_dim)
    return by_head.permute(0, 3, 1, 2, 4).reshape(rows, step, kv_heads * group, head_dim)


register_attention(SHARED_PROMPT_ATTENTION, shared_prompt_attention, DECODE_CACHE_ARGUMENT)


@contextmanager
def shared_prompt_attention_enabled(model: PreTrainedModel) -> Iterator[None]:
    """Run the model's attention through `shared_prompt_attention` inside the block."""
    with attention_implementation(model, SHARED_PROMPT_ATTENTION):
        yield
