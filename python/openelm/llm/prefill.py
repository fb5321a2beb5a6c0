"""Prefill: run prompts through the model once and keep their keys/values.

Several prompts go through in one forward pass, left-padded to the longest
(so that every prompt's last token sits in the last column, where the next
token's logits come from) with an attention mask over the padding and
positions counted from each prompt's first real token. The padding is cut
off again before the keys/values are kept.
"""

from __future__ import annotations

import torch
from transformers import DynamicCache, PreTrainedModel

from openelm.llm.kv_cache import PromptState
from openelm.llm.transformers_compat import dynamic_cache_keys_values, forward_cache_argument


def prefill_prompts(
    model: PreTrainedModel,
    prompts: list[list[int]],
    first_token_ids: list[list[int] | None],
) -> list[PromptState]:
    """Prefill `prompts` (token ids) in one batch. `first_token_ids[i]`, when
    not None, restricts prompt i's first generated token to those ids (token
    healing): all other logits are set to -inf."""
    device = model.device
    longest = max(len(token_ids) for token_ids in prompts)
    # Pad with the prompt's own first token: any id works under the mask.
    input_ids = torch.tensor(
        [[token_ids[0]] * (longest - len(token_ids)) + token_ids for token_ids in prompts],
        device=device,
    )
    padded = any(len(token_ids) != longest for token_ids in prompts)
    attention_mask = None
    position_ids = None
    if padded:
        attention_mask = torch.tensor(
            [[0] * (longest - len(token_ids)) + [1] * len(token_ids) for token_ids in prompts],
            device=device,
        )
        position_ids = (attention_mask.cumsum(dim=-1) - 1).clamp(min=0)
    cache = DynamicCache()
    output = model(
        input_ids=input_ids,
        attention_mask=attention_mask,
        position_ids=position_ids,
        use_cache=True,
        logits_to_keep=1,
        **{forward_cache_argument(model): cache},
    )
    states = []
    for index, token_ids in enumerate(prompts):
        start = longest - len(token_ids)
        layer_keys_values = [
            (
                keys[index, :, start:]
                .transpose(-1, -2)
                .contiguous(),  # [kv_heads, head_dim, length]
                values[index, :, start:].contiguous(),  # [kv_heads, length, head_dim]
            )
            for keys, values in dynamic_cache_keys_values(cache)
        ]
        logits = output.logits[index, -1]
        allowed = first_token_ids[index]
        if allowed is not None:
            allowed_tensor = torch.tensor(allowed, device=device)
            logits = torch.full_like(logits, float("-inf")).index_copy(
                0, allowed_tensor, logits[allowed_tensor]
            )
        states.append(
            PromptState(
                token_ids=token_ids, layer_keys_values=layer_keys_values, next_token_logits=logits
            )
        )
    return states
