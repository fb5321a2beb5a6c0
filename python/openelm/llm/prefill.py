"""Prefill: run prompts through the model once and keep their keys/values.

Several prompts go through in one forward pass. The head they all share
(the API block and instructions that every prompt of a generation starts
with) is run once, for the first of them, and its keys/values stand in as
the past of every prompt; the rest of each prompt is left-padded to the
longest rest (so that every prompt's last token sits in the last column,
where the next token's logits come from), with an attention mask over the
padding and positions counted from each prompt's first real token. The
padding is cut off again before the keys/values are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import DynamicCache, PreTrainedModel

from openelm.llm.kv_cache import PromptState
from openelm.llm.transformers_compat import (
    dynamic_cache_keys_values,
    dynamic_cache_of,
    forward_cache_argument,
)

# The shortest shared head worth a forward pass of its own: below it the
# saving does not pay for the extra pass.
MIN_SHARED_PREFIX = 32


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens at the head of every prompt that prefill runs once for all of
    them: their common prefix, leaving each prompt at least its last token
    (whose logits are needed); 0 when that is under `MIN_SHARED_PREFIX` or
    there is only one prompt."""
    if len(prompts) < 2:
        return 0
    first = prompts[0]
    length = min(len(token_ids) for token_ids in prompts) - 1
    for token_ids in prompts[1:]:
        length = next(
            (index for index in range(length) if token_ids[index] != first[index]), length
        )
    return length if length >= MIN_SHARED_PREFIX else 0


def prefill_prompts(
    model: PreTrainedModel,
    prompts: list[list[int]],
    first_token_ids: list[list[int] | None],
    *,
    prefix_length: int,
) -> list[PromptState]:
    """Prefill `prompts` (token ids) in one batch, running their first
    `prefix_length` tokens (`shared_prefix_length(prompts)`, or 0) once for
    all. `first_token_ids[i]`, when not None, restricts prompt i's first
    generated token to those ids (token healing): all other logits are set to
    -inf."""
    device = model.device
    cache = _prefix_cache(model, prompts[0][:prefix_length], len(prompts))
    rests = [token_ids[prefix_length:] for token_ids in prompts]
    longest = max(len(token_ids) for token_ids in rests)
    # Pad with the rest's own first token: any id works under the mask.
    input_ids = torch.tensor(
        [[token_ids[0]] * (longest - len(token_ids)) + token_ids for token_ids in rests],
        device=device,
    )
    attention_mask = None
    position_ids = None
    if any(len(token_ids) != longest for token_ids in rests):
        attention_mask = torch.tensor(
            [
                [1] * prefix_length + [0] * (longest - len(token_ids)) + [1] * len(token_ids)
                for token_ids in rests
            ],
            device=device,
        )
        position_ids = (attention_mask.cumsum(dim=-1) - 1)[:, prefix_length:].clamp(min=0)
    output = model(
        input_ids=input_ids,
        attention_mask=attention_mask,
        position_ids=position_ids,
        use_cache=True,
        logits_to_keep=1,
        **{forward_cache_argument(model): cache},
    )
    layers = dynamic_cache_keys_values(cache)
    states = []
    for index, token_ids in enumerate(prompts):
        # The shared head, then this prompt's rest without its padding.
        kept = torch.cat(
            [
                torch.arange(prefix_length, device=device),
                torch.arange(prefix_length + longest - len(rests[index]), prefix_length + longest),
            ]
        )
        layer_keys_values = [
            (
                # [kv_heads, head_dim, length]
                keys[index].index_select(-2, kept).transpose(-1, -2).contiguous(),
                values[index].index_select(-2, kept),  # [kv_heads, length, head_dim]
            )
            for keys, values in layers
        ]
        states.append(
            PromptState(
                token_ids=token_ids,
                layer_keys_values=layer_keys_values,
                next_token_logits=_first_token_logits(
                    output.logits[index, -1], first_token_ids[index]
                ),
            )
        )
    return states


def _prefix_cache(model: PreTrainedModel, prefix: list[int], batch_size: int) -> DynamicCache:
    """A cache holding `prefix`'s keys/values for each of `batch_size` prompts
    (empty when there is no prefix)."""
    if not prefix:
        return DynamicCache()
    cache = DynamicCache()
    model(
        input_ids=torch.tensor([prefix], device=model.device),
        use_cache=True,
        logits_to_keep=1,
        **{forward_cache_argument(model): cache},
    )
    return dynamic_cache_of(
        [
            (keys.expand(batch_size, -1, -1, -1), values.expand(batch_size, -1, -1, -1))
            for keys, values in dynamic_cache_keys_values(cache)
        ]
    )


def _first_token_logits(logits: torch.Tensor, allowed: list[int] | None) -> torch.Tensor:
    """`logits` with every id outside `allowed` (when given) set to -inf."""
    if allowed is None:
        return logits
    allowed_tensor = torch.tensor(allowed, device=logits.device)
    return torch.full_like(logits, float("-inf")).index_copy(
        0, allowed_tensor, logits[allowed_tensor]
    )
