"""Key/value caches for the decode loop.

Each unique prompt is prefilled once (`PromptState`). A prompt that many
rows sample from is *shared*: the decode batch keeps one copy of its
keys/values for all of them, and attention reads it once per step instead of
once per row (see `attention.py`); at 32 samples of a ~400-token prompt that
is most of the attention's memory traffic. A prompt with few rows is
*private*: its keys/values are copied into the front of each of its rows'
own buffers when the row starts, so that the rows of many different prompts
(the `prompt`/`diff`/`crossover` operators' workload, one child per parent)
attend in one batched matmul per layer rather than one small matmul per
prompt.

Each row's own part is preallocated for `rows x (longest private prompt +
max_new_tokens + max_step_tokens - 1)` and written in place; transformers' `DynamicCache`
concatenates instead, copying the whole cache every step, which cost more
than the matmuls at 32 rows on CPU.
Rows have their own lengths, so a finished row's slot can take a new
completion (of any prompt) while the others carry on. A step feeds each row
the same number of tokens (its latest, then a draft, then padding; see
`drafting.py`), and each row keeps as many of them as it accepted.

Layouts, chosen for CPU matmul speed on strided views: generated keys are
stored transposed, [rows, kv_heads, head_dim, capacity], so scores are
`query @ keys[..., :length]`; values are [rows, kv_heads, capacity, head_dim].
Prompt keys are [kv_heads, head_dim, prompt_len], values [kv_heads,
prompt_len, head_dim].
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers.cache_utils import Cache

from openelm.llm.transformers_compat import storage_cache


@dataclass
class PromptState:
    """A prompt after prefill: its token ids, every layer's keys/values (in
    the prompt layouts above) and the logits after its last token, from which
    each sample's first token is drawn."""

    token_ids: list[int]
    layer_keys_values: list[tuple[torch.Tensor, torch.Tensor]]
    next_token_logits: torch.Tensor  # [vocab]


@dataclass(frozen=True)
class RowGroup:
    """The rows of the batch that continue prompt `prompt_id`: a slice when
    they are contiguous, else an index tensor."""

    prompt_id: int
    rows: slice | torch.Tensor


@dataclass(frozen=True)
class _LayerBuffers:
    """One layer's per-row keys (transposed) and values, sized for the batch's capacity."""

    keys: torch.Tensor  # [max_rows, kv_heads, head_dim, capacity]
    values: torch.Tensor  # [max_rows, kv_heads, capacity, head_dim]


class DecodeCache:
    """The cache of the decode batch: shared prompts, and per row its private
    prompt (if any) followed by its generated tokens. The batch is rows
    `0..row_count-1` of buffers sized for `max_rows`; `begin_step`/`end_step`
    bracket each forward pass. The model sees it through `transformers_cache`,
    whose layers call `update`."""

    def __init__(
        self,
        *,
        num_layers: int,
        max_rows: int,
        max_new_tokens: int,
        max_step_tokens: int,
        private_prompt_capacity: int,
        kv_heads: int,
        head_dim: int,
        dtype: torch.dtype,
        device: torch.device,
    ) -> None:
        # A step may write `max_step_tokens` positions past a row's last one.
        capacity = private_prompt_capacity + max_new_tokens + max_step_tokens - 1
        self.layers = [
            _LayerBuffers(
                torch.zeros((max_rows, kv_heads, head_dim, capacity), dtype=dtype, device=device),
                torch.zeros((max_rows, kv_heads, capacity, head_dim), dtype=dtype, device=device),
            )
            for _ in range(num_layers)
        ]
        self.capacity = capacity
        self.max_step_tokens = max_step_tokens
        self.transformers_cache: Cache = storage_cache(self, num_layers, device)
        self.device = device
        self.max_rows = max_rows
        self.row_prompt: list[int] = []  # prompt id of each row
        self.row_length: list[int] = []  # tokens stored per row: private prompt + generated
        self.row_private_length: list[int] = []  # private prompt tokens per row (0: shared)
        self.prompts: dict[int, PromptState] = {}  # the shared prompts in use
        self.groups: list[RowGroup] = []  # rows of each shared prompt
        self.private_rows: slice | torch.Tensor | None = None  # rows with a private prompt
        # Per step, from begin_step:
        self.lengths = torch.zeros(0, dtype=torch.long, device=device)
        self.step_tokens = 1  # tokens fed per row this step
        self.uniform_length: int | None = None  # set when every row has the same length
        self.span = 0  # positions in use: longest row, plus this step's tokens
        self.width = 0  # positions attention reads: `span`, or the whole buffer
        self.generated_bias: torch.Tensor | None = (
            None  # [rows, 1, 1, step_tokens, width]: -inf where a query may not look
        )

    @property
    def row_count(self) -> int:
        return len(self.row_prompt)

    def update(
        self, layer_index: int, key_states: torch.Tensor, value_states: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store this step's keys/values ([rows, kv_heads, step_tokens,
        head_dim]) of one layer from each row's length on; return the filled
        keys (transposed) and values."""
        buffers = self.layers[layer_index]
        rows, width, step = self.row_count, self.width, self.step_tokens
        keys, values = buffers.keys[:rows], buffers.values[:rows]
        if self.uniform_length is not None:
            start = self.uniform_length
            keys[..., start : start + step] = key_states.transpose(2, 3)
            values[:, :, start : start + step] = value_states
        else:
            row_index = torch.arange(rows, device=self.device)[:, None]
            positions = self.lengths[:, None] + torch.arange(step, device=self.device)
            # Both index tensors broadcast to [rows, step], which leads the result.
            keys[row_index, :, :, positions] = key_states.permute(0, 2, 1, 3)
            values[row_index, :, positions] = value_states.permute(0, 2, 1, 3)
        return keys[..., :width], values[:, :, :width]

    def generated_length(self, row: int) -> int:
        return self.row_length[row] - self.row_private_length[row]

    def start_row(self, row: int, prompt_id: int, state: PromptState, *, shared: bool) -> None:
        """Begin a new completion of `prompt_id` in `row` (`row_count` appends
        one): reading the prompt's one shared copy, or a private copy put in
        front of the row's generated tokens."""
        private_length = 0 if shared else len(state.token_ids)
        if private_length > self.capacity - 1:
            raise RuntimeError("private prompt longer than the decode cache was sized for")
        if row == self.row_count:
            if row == self.max_rows:
                raise RuntimeError("decode cache is full")
            self.row_prompt.append(prompt_id)
            self.row_length.append(private_length)
            self.row_private_length.append(private_length)
        else:
            self.row_prompt[row] = prompt_id
            self.row_length[row] = private_length
            self.row_private_length[row] = private_length
        if shared:
            self.prompts[prompt_id] = state
        else:
            for layer, (prompt_keys, prompt_values) in zip(self.layers, state.layer_keys_values):
                layer.keys[row, :, :, :private_length] = prompt_keys
                layer.values[row, :, :private_length] = prompt_values
        self._forget_unused_prompts()

    def keep_rows(self, rows: list[int]) -> None:
        """Keep only `rows`, moved to the front in this order: finished rows
        stop costing compute."""
        filled = max((self.row_length[row] for row in rows), default=0)
        index = torch.tensor(rows, dtype=torch.long, device=self.device)
        for layer in self.layers:
            layer.keys[: len(rows), ..., :filled] = layer.keys[..., :filled].index_select(0, index)
            layer.values[: len(rows), :, :filled] = layer.values[:, :, :filled].index_select(
                0, index
            )
        self.row_prompt = [self.row_prompt[row] for row in rows]
        self.row_length = [self.row_length[row] for row in rows]
        self.row_private_length = [self.row_private_length[row] for row in rows]
        self._forget_unused_prompts()

    def begin_step(self, step_tokens: int) -> None:
        """Work out where this step's `step_tokens` tokens go in each row and
        what each of them may attend to: its row up to itself."""
        longest = max(self.row_length)
        if longest + step_tokens > self.capacity:
            raise RuntimeError("decode step runs past the cache's capacity")
        self.step_tokens = step_tokens
        self.span = longest + step_tokens
        # CPU matmuls copy a strided operand first, which a slice narrower than
        # the buffer is (bfloat16: 2.4x the cost of a contiguous one, measured);
        # from half the capacity on, reading the whole buffer, masked, is cheaper.
        self.width = self.capacity if 2 * self.span >= self.capacity else self.span
        self.lengths = torch.tensor(self.row_length, dtype=torch.long, device=self.device)
        self.uniform_length = longest if min(self.row_length) == longest else None
        self.generated_bias = None
        if self.uniform_length is None or self.width > self.span or step_tokens > 1:
            # Query j of a row sees the row's positions up to its length + j.
            last_visible = self.lengths[:, None] + torch.arange(step_tokens, device=self.device)
            beyond = torch.arange(self.width, device=self.device) > last_visible[:, :, None]
            bias = torch.zeros(beyond.shape, device=self.device).masked_fill(beyond, float("-inf"))
            self.generated_bias = bias[:, None, None]
        self.groups, self.private_rows = self._row_groups()

    def end_step(self, kept: list[int]) -> None:
        """Each row keeps the first `kept[row]` of the tokens it was fed."""
        self.row_length = [length + count for length, count in zip(self.row_length, kept)]

    def _row_groups(self) -> tuple[list[RowGroup], slice | torch.Tensor | None]:
        """The rows of each shared prompt, and the rows holding a private one."""
        rows_of: dict[int, list[int]] = {}
        private: list[int] = []
        for row, prompt_id in enumerate(self.row_prompt):
            if prompt_id in self.prompts:
                rows_of.setdefault(prompt_id, []).append(row)
            else:
                private.append(row)
        groups = [RowGroup(prompt_id, self._selector(rows)) for prompt_id, rows in rows_of.items()]
        return groups, self._selector(private) if private else None

    def _selector(self, rows: list[int]) -> slice | torch.Tensor:
        """`rows` as a slice when they are contiguous, else as an index tensor."""
        if rows[-1] - rows[0] + 1 == len(rows):
            return slice(rows[0], rows[-1] + 1)
        return torch.tensor(rows, dtype=torch.long, device=self.device)

    def _forget_unused_prompts(self) -> None:
        """Drop shared prompts that no row reads any more."""
        used = set(self.row_prompt)
        for prompt_id in [prompt_id for prompt_id in self.prompts if prompt_id not in used]:
            del self.prompts[prompt_id]
