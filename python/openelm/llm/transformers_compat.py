"""Every touch of a private or version-specific transformers (or torch) API.

The engine needs a few things transformers offers no public, stable way to
do: switching a loaded model's attention function per forward pass, giving
the model a cache whose storage we own, reading a prefilled `DynamicCache`'s
tensors, saving a model that came from a GGUF file. Each is done here, once,
with a comment saying what it relies on, so that a transformers upgrade has
one file to check. The rest of `openelm.llm` uses only public APIs.

Checked against transformers 5.24 (the pin and the declared floor).

What stays our own rather than transformers' generation utilities, and why:
- Sampling (`sampling.py`): `TopPLogitsWarper` sorts the whole vocabulary
  every step, which is what taking the nucleus inside the top-k avoids, and
  `generate()` draws from torch's global generator, so a completion's tokens
  would depend on its batch neighbours; ours has one stream per completion.
- Stopping (`stopping.py`, `decode.py`): `StoppingCriteria` work on the whole
  `input_ids` tensor of a `generate()` batch; our rows leave and join the
  batch one by one, so the checks are per row on Python ints, and the
  column-0 dedent rule has no transformers equivalent.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

import torch
from transformers import AttentionInterface, DynamicCache, PreTrainedModel
from transformers.cache_utils import Cache, CacheLayerMixin


def forward_cache_argument(model: PreTrainedModel) -> str:
    """The name of the model forward's cache argument.

    Relies on: transformers 5 renamed `past_key_values` to `cache` in the
    models' forward signatures (older models and remote code keep the old
    name), so the signature is read instead of assuming one.
    """
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


# -- attention ---------------------------------------------------------------

# Keyword arguments the attention interface may pass that our decode attention
# does not implement; any of them set means the model needs what we lack.
_UNSUPPORTED_ATTENTION_FEATURES = ("sliding_window", "softcap", "s_aux")


# Our attention for one decode step, in plain tensors: (layer index, query
# [rows, q_heads, 1, head_dim], key and value as the cache layer returned
# them, the softmax scaling, our state) -> [rows, q_heads, head_dim].
LayerAttention = Callable[
    [int, torch.Tensor, torch.Tensor, torch.Tensor, float, object], torch.Tensor
]


def register_attention(name: str, attention: LayerAttention, state_argument: str) -> None:
    """Make `attention` selectable as attention implementation `name`.

    Relies on the `AttentionInterface` calling convention of transformers 5:
    the function gets the attention module (whose `layer_idx` says which layer
    it is), query/key/value as [batch, heads, length, head_dim], the mask, and
    keyword arguments, among them `scaling` and every unknown keyword argument
    given to the model's forward (`state_argument` carries our state that way);
    it returns ([batch, length, q_heads, head_dim], attention weights or None),
    as `attention` itself returns its output.
    """

    def adapter(
        module: torch.nn.Module,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        attention_mask: torch.Tensor | None,
        dropout: float = 0.0,
        scaling: float | None = None,
        **kwargs: object,
    ) -> tuple[torch.Tensor, None]:
        unsupported = [f for f in _UNSUPPORTED_ATTENTION_FEATURES if kwargs.get(f) is not None]
        if unsupported:
            raise NotImplementedError(f"{name} attention does not support {', '.join(unsupported)}")
        rows, query_heads, query_length, head_dim = query.shape
        layer_index = module.layer_idx
        assert isinstance(layer_index, int)
        scale = scaling if scaling is not None else head_dim**-0.5
        output = attention(layer_index, query, key, value, scale, kwargs[state_argument])
        return output.reshape(rows, query_length, query_heads, head_dim), None

    AttentionInterface.register(name, adapter)


@contextmanager
def attention_implementation(model: PreTrainedModel, name: str) -> Iterator[None]:
    """Run the model's attention through implementation `name` inside the block.

    Relies on: the models look up `config._attn_implementation` (private) in
    `ALL_ATTENTION_FUNCTIONS` on every forward pass, so setting it switches
    the attention for the next passes. The public `set_attn_implementation`
    walks every submodule and re-validates; called twice per decode step it
    would cost more than it should, and it changes the same attribute.
    """
    config = model.config
    previous = config._attn_implementation
    config._attn_implementation = name
    try:
        yield
    finally:
        config._attn_implementation = previous


# -- caches --------------------------------------------------------------------


class LayerStorage(Protocol):
    """Where one layer's decode keys/values live (see `kv_cache.DecodeCache`)."""

    def update(
        self, layer_index: int, key_states: torch.Tensor, value_states: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]: ...

    @property
    def span(self) -> int: ...

    @property
    def capacity(self) -> int: ...


class _StorageLayer(CacheLayerMixin):
    """A cache layer that hands `update` to our storage.

    Relies on the `CacheLayerMixin` contract of transformers 5.x: `update`
    stores the step's states and returns the keys/values attention reads;
    `get_mask_sizes`, `get_seq_length`, `get_max_length` describe the filled
    length; `is_sliding`, `is_initialized` and `device` are read by `Cache`.
    """

    is_sliding = False

    def __init__(self, storage: LayerStorage, layer_index: int, device: torch.device) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._storage = storage
        self._layer_index = layer_index
        self.device = device
        self.is_initialized = True

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        raise AssertionError("a storage layer is built initialised")

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: object, **kwargs: object
    ) -> tuple[torch.Tensor, torch.Tensor]:
        self.keys, self.values = self._storage.update(self._layer_index, key_states, value_states)
        return self.keys, self.values

    def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
        return self._storage.span, 0

    def get_seq_length(self) -> int:
        return self._storage.span - 1

    def get_max_length(self) -> int:
        return self._storage.capacity


def storage_cache(storage: LayerStorage, num_layers: int, device: torch.device) -> Cache:
    """A transformers `Cache` whose layers write into `storage`.

    Relies on: `Cache(layers=...)` accepting prebuilt layer objects (5.x).
    """
    layers: list[CacheLayerMixin] = [
        _StorageLayer(storage, index, device) for index in range(num_layers)
    ]
    return Cache(layers=layers)  # type: ignore[arg-type]  # the union's other members are unused


def dynamic_cache_keys_values(cache: DynamicCache) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Each layer's (keys, values), [batch, kv_heads, length, head_dim], after a forward pass.

    Relies on: `DynamicCache.layers[i].keys/.values` (transformers 5.x; 4.x
    had `key_cache`/`value_cache` lists).
    """
    pairs = []
    for layer in cache.layers:
        keys, values = getattr(layer, "keys", None), getattr(layer, "values", None)
        assert isinstance(keys, torch.Tensor) and isinstance(values, torch.Tensor)
        pairs.append((keys, values))
    return pairs


def dynamic_cache_of(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> DynamicCache:
    """A `DynamicCache` holding each layer's (keys, values), [batch, kv_heads,
    length, head_dim], as the past of the next forward pass.

    Relies on: `DynamicCache.update(keys, values, layer_index)` on an empty
    cache adding the layer and taking the tensors as its contents (5.x).
    """
    cache = DynamicCache()
    for layer_index, (keys, values) in enumerate(layers):
        cache.update(keys, values, layer_index)
    return cache


# -- loading -------------------------------------------------------------------


def plain_copy_of_gguf_model(
    gguf_model: PreTrainedModel, build: Callable[[object], PreTrainedModel]
) -> PreTrainedModel:
    """A model without GGUF provenance holding `gguf_model`'s dequantised weights.

    Relies on: a GGUF-loaded model carries `config.quantization_config`, and
    `save_pretrained` refuses such a model; the weights themselves are plain
    tensors, so a model built from the config without that field (on the
    meta device, `build`) can take them over with `assign=True`.
    """
    config = gguf_model.config
    del config.quantization_config
    with torch.device("meta"):
        plain_model = build(config)
    plain_model.load_state_dict(gguf_model.state_dict(), strict=True, assign=True)
    plain_model.tie_weights()
    return plain_model


@contextmanager
def peft_wrapping() -> Iterator[None]:
    """Around wrapping a model in peft (`get_peft_model`, `PeftModel.from_pretrained`).

    Relies on: peft (0.21) reads `model.is_gradient_checkpointing`, which
    transformers 5 deprecated with a FutureWarning on every read; the warning
    is about peft's code, not the user's, so it is silenced here and nowhere
    else.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning
        )
        yield


# -- torch ---------------------------------------------------------------------


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX).

    Relies on: torch reports CPU features only through the private
    `torch._C._cpu._get_cpu_capability`; without it, assume no native bfloat16.
    """
    cpu_capability = getattr(torch._C._cpu, "_get_cpu_capability", None)
    if cpu_capability is None:
        return False
    features = cpu_capability()
    return bool(features.get("avx512_bf16") or features.get("amx_bf16"))
