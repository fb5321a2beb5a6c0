"""The decode loop: continuous batching of completions.

Up to `max_batch_rows` completions are decoded together. Each forward pass
feeds every row its latest token and, while the batch is small enough for
the extra tokens to cost little, a draft of the tokens likely to follow
(`drafting.py`); the row keeps its sampled tokens up to the first that
differs from the draft. Sampling decides each token exactly as it would one
token per pass (`sampling.py`), so drafts change the speed, not the text
(in bfloat16 a pass over several tokens rounds a little differently, which
can tip a near-tie: docs/backends.md).
A completion leaves the batch as soon as it ends (end of
`make_walker`'s body, end-of-sequence, or its token budget); while requests
wait, a waiting completion takes its row at once, so the batch stays full.
When none wait, finished rows stay in the batch (their outputs ignored)
until a quarter of it is finished, and are then dropped in one copy. The
loop ends when every completion has ended.

Prompts are prefilled only when their first completion joins the batch,
several at a time, and each prompt only once. A prompt with at least
`_SHARED_PROMPT_MIN_ROWS` completions is shared by its rows; one with fewer
is copied into each of its rows (see `kv_cache.py`).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from openelm.llm.attention import DECODE_CACHE_ARGUMENT, shared_prompt_attention_enabled
from openelm.llm.drafting import PromptIndex, PromptLookupDrafter
from openelm.llm.healing import HealedPrompt
from openelm.llm.kv_cache import DecodeCache, PromptState
from openelm.llm.prefill import prefill_prompts, shared_prefix_length
from openelm.llm.sampling import RowStream, row_stream, sample_tokens
from openelm.llm.stopping import ScopeEndDetector, StopReason
from openelm.llm.transformers_compat import forward_cache_argument

# Finished rows are dropped once they are this share of the batch: dropping
# copies the generated cache, so not for every single row.
_COMPACT_WHEN_FINISHED_SHARE = 0.25
# Prompt tokens (padding included) per prefill forward pass: bounds the
# activations' memory. 2048 prefilled `bench/llm.py`'s 32 distinct prompts
# about 1 s faster in a script (Intel Xeon), but the bench itself did not
# show it (docs/benchmarks.md), so this stays.
_PREFILL_TOKEN_BUDGET = 4096
# Completions of one prompt from which its rows read one shared copy of it
# rather than a private copy each: a shared prompt saves reading it once per
# row but costs attention a small matmul of its own per layer.
_SHARED_PROMPT_MIN_ROWS = 4
# Tokens fed per forward pass, all rows together, up to which rows add
# drafts. A pass reads every row's cache once however many tokens it feeds,
# but its matmuls grow with the tokens (bfloat16 on 2 cores: about 2x from
# one token per row to 64 in all). On the 32 distinct prompts of
# `bench/llm.py` (Intel Xeon) budgets of 64 and 128 decoded alike and no
# budget (8 per row always) about 10 % slower.
_DRAFT_STEP_TOKEN_BUDGET = 64


@dataclass(frozen=True)
class SamplingSettings:
    max_new_tokens: int
    temperature: float
    top_p: float
    top_k: int
    seed: int
    max_draft_tokens: int  # per row and forward pass; 0 feeds one token at a time


@dataclass
class DecodeRow:
    """One completion: which request and sample it is, its prompt, its tokens so far."""

    request_index: int
    sample_index: int
    prompt_id: int
    token_ids: list[int] = field(default_factory=list)
    stopped: StopReason | None = None


class DecodeLoop:
    """Generates a set of rows to completion with one model."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        prompts: list[HealedPrompt],
        settings: SamplingSettings,
        max_batch_rows: int,
        newline_ids: frozenset[int],
        eos_ids: frozenset[int],
    ) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self._prompts = prompts
        self._settings = settings
        self._max_batch_rows = max_batch_rows
        self._newline_ids = newline_ids
        self._eos_ids = eos_ids
        self._cache_argument = forward_cache_argument(model)
        self.prefill_tokens = 0
        self.drafted_tokens = 0  # draft tokens fed
        self.accepted_draft_tokens = 0  # of which the rows kept
        # Prefilled prompts whose completions have not all joined the batch yet.
        self._prompt_states: dict[int, PromptState] = {}
        self._prompt_indexes: dict[int, PromptIndex] = {}
        self._cache: DecodeCache | None = None
        self._max_rows = 0
        self._shared_prompt_ids: set[int] = set()
        self._private_prompt_capacity = 0  # the longest prompt copied into rows
        # Parallel to the cache's rows:
        self._batch: list[DecodeRow] = []
        self._streams: list[RowStream] = []
        self._detectors: list[ScopeEndDetector] = []
        self._drafters: list[PromptLookupDrafter] = []
        # What each row feeds in the next forward pass: its latest token, then its draft.
        self._fed: list[list[int]] = []

    def run(self, rows: list[DecodeRow]) -> None:
        """Fill every row's `token_ids` and `stopped`; rows of one prompt should be adjacent."""
        pending = deque(rows)
        not_joined = Counter(row.prompt_id for row in rows)
        self._max_rows = min(self._max_batch_rows, len(rows))
        self._shared_prompt_ids = {
            prompt_id for prompt_id, count in not_joined.items() if count >= _SHARED_PROMPT_MIN_ROWS
        }
        self._private_prompt_capacity = max(
            (
                len(self._prompts[prompt_id].token_ids)
                for prompt_id in not_joined
                if prompt_id not in self._shared_prompt_ids
            ),
            default=0,
        )
        while True:
            self._admit(pending, not_joined)
            live = [index for index, row in enumerate(self._batch) if row.stopped is None]
            if not live:
                return
            if len(live) < len(self._batch) and self._should_compact(len(live)):
                self._keep(live)
                live = list(range(len(live)))
            self._decode_step(live)

    def _decode_step(self, live: list[int]) -> None:
        """One forward pass: every live row feeds its latest token and draft,
        and takes its drawn tokens as far as they agree with the draft."""
        self._draft(live)
        logits = self._forward()  # [rows, step tokens, vocab]
        counts = [len(self._fed[index]) for index in live]
        positions = [
            (index, offset) for index, count in zip(live, counts) for offset in range(count)
        ]
        row_index, offset_index = zip(*positions, strict=True)
        drawn = self._sample(logits[list(row_index), list(offset_index)], live, counts).tolist()
        kept = [1] * len(self._batch)  # finished rows keep their one token, unread
        start = 0
        for index, count in zip(live, counts):
            kept[index] = self._take_verified(index, drawn[start : start + count])
            start += count
        cache = self._cache
        assert cache is not None
        cache.end_step(kept)

    def _admit(self, pending: deque[DecodeRow], not_joined: Counter[int]) -> None:
        """Start waiting rows in free batch rows, drawing each one's first token."""
        while pending:
            free = next(
                (index for index, row in enumerate(self._batch) if row.stopped is not None), None
            )
            if free is None and len(self._batch) < self._max_rows:
                free = len(self._batch)
            if free is None:
                return
            row = pending.popleft()
            if row.prompt_id not in self._prompt_states:
                self._prefill_upcoming(row.prompt_id, pending)
            state = self._prompt_states[row.prompt_id]
            not_joined[row.prompt_id] -= 1
            if not_joined[row.prompt_id] == 0:
                del self._prompt_states[row.prompt_id]
            cache = self._cache
            assert cache is not None
            cache.start_row(
                free, row.prompt_id, state, shared=row.prompt_id in self._shared_prompt_ids
            )
            stream = row_stream(
                self._settings.seed, row.request_index, row.sample_index, self._model.device
            )
            detector = ScopeEndDetector(self._tokenizer, self._newline_ids, state.token_ids[-1])
            drafter = PromptLookupDrafter(self._prompt_indexes[row.prompt_id])
            if free == len(self._batch):
                self._batch.append(row)
                self._streams.append(stream)
                self._detectors.append(detector)
                self._drafters.append(drafter)
                self._fed.append([])
            else:
                self._fed[free] = []
                self._batch[free] = row
                self._streams[free] = stream
                self._detectors[free] = detector
                self._drafters[free] = drafter
            first = self._sample(state.next_token_logits[None], [free], [1])
            self._take_verified(free, [int(first)])

    def _prefill_upcoming(self, prompt_id: int, pending: deque[DecodeRow]) -> None:
        """Prefill `prompt_id` together with the next waiting prompts that fit the budget."""
        batch_ids = [prompt_id]
        for row in pending:
            if len(batch_ids) == self._max_batch_rows:
                break
            if row.prompt_id in batch_ids or row.prompt_id in self._prompt_states:
                continue
            if self._prefill_tokens([*batch_ids, row.prompt_id]) > _PREFILL_TOKEN_BUDGET:
                break
            batch_ids.append(row.prompt_id)
        prompts = [self._prompts[index] for index in batch_ids]
        token_lists = [prompt.token_ids for prompt in prompts]
        prefix_length = shared_prefix_length(token_lists)
        states = prefill_prompts(
            self._model,
            token_lists,
            [prompt.first_token_ids for prompt in prompts],
            prefix_length=prefix_length,
        )
        self.prefill_tokens += prefix_length + sum(
            len(token_ids) - prefix_length for token_ids in token_lists
        )
        self._prompt_states.update(zip(batch_ids, states))
        for prompt_id, prompt in zip(batch_ids, prompts, strict=True):
            self._prompt_indexes.setdefault(prompt_id, PromptIndex(prompt.token_ids))
        if self._cache is None:
            self._cache = self._new_cache(states[0])

    def _prefill_tokens(self, prompt_ids: list[int]) -> int:
        """Tokens that one prefill pass over `prompt_ids` runs, padding included."""
        token_lists = [self._prompts[prompt_id].token_ids for prompt_id in prompt_ids]
        shared = shared_prefix_length(token_lists)
        longest_rest = max(len(token_ids) for token_ids in token_lists) - shared
        return shared + longest_rest * len(token_lists)

    def _new_cache(self, example: PromptState) -> DecodeCache:
        keys, _ = example.layer_keys_values[0]
        kv_heads, head_dim, _ = keys.shape
        return DecodeCache(
            num_layers=len(example.layer_keys_values),
            max_rows=self._max_rows,
            max_new_tokens=self._settings.max_new_tokens,
            max_step_tokens=1 + self._settings.max_draft_tokens,
            private_prompt_capacity=self._private_prompt_capacity,
            kv_heads=kv_heads,
            head_dim=head_dim,
            dtype=keys.dtype,
            device=keys.device,
        )

    def _sample(self, logits: torch.Tensor, rows: list[int], counts: list[int]) -> torch.Tensor:
        """The tokens of `counts[i]` consecutive positions of each batch row `rows[i]`."""
        return sample_tokens(
            logits,
            temperature=self._settings.temperature,
            top_p=self._settings.top_p,
            top_k=self._settings.top_k,
            streams=[self._streams[index] for index in rows],
            counts=counts,
        )

    def _draft(self, live: list[int]) -> None:
        """Give each live row a draft to feed after its latest token, within the step's budget."""
        # Every row of the batch, finished or not, is fed the longest row's count.
        per_row = max(
            0,
            min(self._settings.max_draft_tokens, _DRAFT_STEP_TOKEN_BUDGET // len(self._batch) - 1),
        )
        for index in live:
            # A row never drafts past its token budget: its last token is drawn, not fed.
            room = self._settings.max_new_tokens - len(self._batch[index].token_ids) - 1
            draft = self._drafters[index].propose(min(per_row, room))
            self._fed[index].extend(draft)  # it held only its latest token
            self.drafted_tokens += len(draft)

    def _take_verified(self, index: int, drawn: list[int]) -> int:
        """Append the tokens batch row `index` drew at its fed positions, up to
        the first that differs from its draft or ends the row; return how many
        of its fed tokens it keeps (one per token taken)."""
        fed = self._fed[index]
        taken = 0
        for token in drawn:
            taken += 1
            self._take_token(index, token)
            agrees = taken < len(fed) and fed[taken] == token
            if not agrees or self._batch[index].stopped is not None:
                break
        self.accepted_draft_tokens += taken - 1
        self._streams[index].advance(taken)
        fed[:] = [drawn[taken - 1]]
        return taken

    def _take_token(self, index: int, token: int) -> None:
        """Append a drawn token to batch row `index` and decide whether the row is done."""
        row = self._batch[index]
        row.token_ids.append(token)
        self._drafters[index].extend(token)
        if token in self._eos_ids:
            row.stopped = StopReason.EOS
        elif self._detectors[index].feed(token):
            row.stopped = StopReason.SCOPE_END
        elif len(row.token_ids) == self._settings.max_new_tokens:
            row.stopped = StopReason.MAX_NEW_TOKENS

    def _should_compact(self, live_count: int) -> bool:
        cache = self._cache
        assert cache is not None
        finished = len(self._batch) - live_count
        # A finished row keeps storing tokens; it must go before its buffer is full.
        full = max(cache.row_length) + cache.max_step_tokens >= cache.capacity
        return full or finished >= _COMPACT_WHEN_FINISHED_SHARE * len(self._batch)

    def _keep(self, rows: list[int]) -> None:
        assert self._cache is not None
        self._cache.keep_rows(rows)
        self._batch = [self._batch[index] for index in rows]
        self._streams = [self._streams[index] for index in rows]
        self._detectors = [self._detectors[index] for index in rows]
        self._drafters = [self._drafters[index] for index in rows]
        self._fed = [self._fed[index] for index in rows]

    def _forward(self) -> torch.Tensor:
        """Feed each row its tokens (padded with its last one to the longest);
        return the logits after each, [rows, step tokens, vocab]. The caller
        ends the step, saying what each row keeps."""
        cache = self._cache
        assert cache is not None
        device = self._model.device
        step = max(len(fed) for fed in self._fed)
        first_positions = torch.tensor(
            [
                len(self._prompts[prompt_id].token_ids) + cache.generated_length(row)
                for row, prompt_id in enumerate(cache.row_prompt)
            ],
            device=device,
        )
        input_ids = [fed + fed[-1:] * (step - len(fed)) for fed in self._fed]
        cache.begin_step(step)
        with shared_prompt_attention_enabled(self._model):
            output = self._model(
                input_ids=torch.tensor(input_ids, device=device),
                position_ids=first_positions[:, None] + torch.arange(step, device=device),
                use_cache=True,
                **{self._cache_argument: cache.transformers_cache, DECODE_CACHE_ARGUMENT: cache},
            )
        logits: torch.Tensor = output.logits
        return logits
