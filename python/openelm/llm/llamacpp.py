"""The llama.cpp engine: a GGUF model in process, decoded in batches.

It loads the GGUF file as it is (the embedded SmolLM2's Q4_1 file loads in
a fraction of a second, with no conversion) through llama-cpp-python's
low-level API, and decodes many completions at once, as llama.cpp's
`batched` example does:

- every completion is a sequence of one context, and each decode step
  evaluates one new token of every running sequence in one `llama_decode`;
- a prompt is evaluated once: the first of its completions prefills it, and
  the others get a copy of its keys and values (`llama_memory_seq_cp`), so
  64 samples of one prompt cost one prefill;
- a completion stops as soon as its line starts at column 0 (the end of
  `make_walker`), at end-of-sequence or at `max_new_tokens`, and a waiting
  completion takes its sequence;
- each sequence has its own key/value stream (`kv_unified` off), so
  attention reads only its own tokens, whatever the others hold.

Sampling uses llama.cpp's sampler chain (top-k 50, top-p, temperature, then
a draw from a generator seeded per completion): a completion's text depends
only on the batch seed, its position in the batch and the prompts.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openelm.errors import OpenelmError
from openelm.llm.completion import (
    DEFAULT_TOP_K,
    Completion,
    GenerationStats,
    StopReason,
    body_after_healing,
    split_trailing_whitespace,
)
from openelm.llm.embedded import (
    EMBEDDED_MODEL_NAME,
    EmbeddedModelMissingError,
    default_cache_dir,
    file_sha256,
    find_embedded_gguf,
)
from openelm.llm.endpoint import request_seed
from openelm.records import DEFAULT_MAX_NEW_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P

EMBEDDED_ALIASES = frozenset({EMBEDDED_MODEL_NAME, "default"})
# Sequences decoded together. Each step reads the weights once whatever the
# rows, so wide batches are cheap tokens (bench/llm.py).
DEFAULT_MAX_SEQUENCES = 64
# Threads of llama.cpp's CPU backend; None: one per core this process may use.
DEFAULT_THREADS: int | None = None
# Tokens evaluated per llama_decode call at most (prefills are split).
DECODE_BATCH_TOKENS = 2048
# A sequence's key/value stream is sized for its prompt plus the new tokens,
# in steps of this many tokens.
_CONTEXT_STEP = 256


class LlamaCppModelError(OpenelmError):
    """The llama.cpp engine cannot run this model (not a GGUF file, or
    llama-cpp-python is not installed); a usage error."""

    exit_code = 2


def llamacpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def gguf_file_of(spec: str) -> Path | None:
    """The GGUF file `spec` names (the embedded model or a .gguf path), or None."""
    if spec in EMBEDDED_ALIASES:
        try:
            return find_embedded_gguf()
        except EmbeddedModelMissingError:
            return None
    path = Path(spec).expanduser()
    return path if path.suffix == ".gguf" and path.is_file() else None


def choose_engine(spec: str, engine: str, device: str) -> tuple[str, str]:
    """(engine to run `spec` on, why). `auto` takes llama.cpp for a GGUF model
    on a CPU without native bfloat16 when llama-cpp-python is installed, and
    transformers otherwise: on a CPU with native bfloat16 the transformers
    engine measured faster than llama.cpp's Q4_1 at every batch and workload,
    with as many valid children (docs/benchmarks.md, 2026-12-04)."""
    gguf = gguf_file_of(spec)
    if engine == "llamacpp":
        if gguf is None:
            raise LlamaCppModelError(
                f"engine llamacpp runs GGUF models (the embedded model or a .gguf file), not {spec!r}"
            )
        if not llamacpp_installed():
            raise LlamaCppModelError(
                "engine llamacpp needs llama-cpp-python (make test installs it; "
                "or: pip install llama-cpp-python)"
            )
        if device == "cuda":
            raise LlamaCppModelError(
                "engine llamacpp runs on the CPU here; use engine transformers"
            )
        return "llamacpp", "asked for"
    if engine == "transformers":
        return "transformers", "asked for"
    if device == "cuda":
        return "transformers", "the model runs on the GPU"
    if gguf is None:
        return "transformers", "not a GGUF model"
    if not llamacpp_installed():
        return (
            "transformers",
            "llama-cpp-python is not installed (the faster llama.cpp engine needs it)",
        )
    # Imported here: it loads torch, which a llama.cpp-only run never needs.
    from openelm.llm.transformers_compat import cpu_has_native_bfloat16

    if cpu_has_native_bfloat16():
        return (
            "transformers",
            "this CPU has native bfloat16, where the transformers engine is faster",
        )
    return "llamacpp", "a GGUF model on a CPU without native bfloat16"


def load_llamacpp_engine(spec: str, **options: Any) -> LlamaCppEngine:
    gguf = gguf_file_of(spec)
    if gguf is None:
        raise LlamaCppModelError(f"engine llamacpp runs GGUF models, not {spec!r}")
    name = EMBEDDED_MODEL_NAME if spec in EMBEDDED_ALIASES else gguf.stem
    source = "embedded" if spec in EMBEDDED_ALIASES else "gguf-file"
    return LlamaCppEngine(gguf, name=name, source=source, **options)


@dataclass
class _Row:
    """One completion being written."""

    index: int  # position in the batch
    prompt_id: int
    seed: int
    slot: int = -1
    position: int = 0  # where the next token goes
    pending: list[int] = field(default_factory=list)  # tokens to evaluate next
    generated: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    sampler: Any = None
    stopped: StopReason | None = None


class LlamaCppEngine:
    """A GGUF model and llama.cpp's CPU backend; `generate` samples bodies."""

    def __init__(
        self,
        gguf: Path,
        *,
        name: str,
        source: str,
        max_sequences: int = DEFAULT_MAX_SEQUENCES,
        threads: int | None = None,
        top_k: int = DEFAULT_TOP_K,
    ) -> None:
        import llama_cpp

        self._llama = llama_cpp
        _silence_llama_logs(llama_cpp)
        llama_cpp.llama_backend_init()
        params = llama_cpp.llama_model_default_params()
        self._model = llama_cpp.llama_model_load_from_file(str(gguf).encode(), params)
        if not self._model:
            raise LlamaCppModelError(f"llama.cpp could not load {gguf}")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.max_sequences = max_sequences
        self.threads = threads or DEFAULT_THREADS or len(os.sched_getaffinity(0))
        self.top_k = top_k
        self.context_train = int(llama_cpp.llama_model_n_ctx_train(self._model))
        self._add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab))
        self._pieces: dict[int, bytes] = {}
        self.quantisation = _file_type(llama_cpp, self._model)
        self.identity = {
            "name": name,
            "source": source,
            "path": str(gguf),
            # The file's digest, as the transformers engine records for the
            # embedded model (converted from this file): a run may resume on
            # either engine.
            "revision": "sha256:" + _gguf_digest(gguf),
            "dtype": self.quantisation,
            "device": "cpu",
            "engine": "llamacpp",
        }
        self.last_stats = GenerationStats()

    def close(self) -> None:
        if self._model:
            self._llama.llama_model_free(self._model)
            self._model = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # -- tokens ---------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 8
        tokens = (self._llama.llama_token * capacity)()
        count = self._llama.llama_tokenize(
            self._vocab, data, len(data), tokens, capacity, self._add_bos, False
        )
        if count < 0:
            raise ValueError("prompt too long to tokenize")
        return list(tokens[:count])

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is None:
            buffer = ctypes.create_string_buffer(64)
            length = self._llama.llama_token_to_piece(self._vocab, token, buffer, 64, 0, False)
            if length < 0:
                buffer = ctypes.create_string_buffer(-length)
                length = self._llama.llama_token_to_piece(
                    self._vocab, token, buffer, -length, 0, False
                )
            cached = buffer.raw[:length]
            self._pieces[token] = cached
        return cached

    # -- generation -----------------------------------------------------------

    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        temperature: float = DEFAULT_TEMPERATURE,
        top_p: float = DEFAULT_TOP_P,
        seed: int = 0,
        first_index: int = 0,
    ) -> list[Completion]:
        """One completion per prompt, in order; identical prompts share one
        prefill. Completion i draws from (seed, first_index + i). A prompt that leaves no room for `max_new_tokens` in the
        model's context comes back as CONTEXT_OVERFLOW."""
        started = time.perf_counter()
        if not prompts:
            return []
        prompt_ids: dict[str, int] = {}
        unique: list[tuple[list[int], str]] = []  # (tokens, healed text)
        rows: list[_Row] = []
        overflow: set[int] = set()
        for index, prompt in enumerate(prompts):
            if prompt not in prompt_ids:
                head, healed = split_trailing_whitespace(prompt)
                prompt_ids[prompt] = len(unique)
                unique.append((self.tokenize(head), healed))
            prompt_id = prompt_ids[prompt]
            if len(unique[prompt_id][0]) + max_new_tokens > self.context_train:
                overflow.add(index)
                continue
            rows.append(_Row(index, prompt_id, request_seed(seed, first_index + index)))
        if rows:
            longest = max(len(unique[row.prompt_id][0]) for row in rows)
            _Decoder(self, unique, max_new_tokens, longest, len(rows)).run(rows, temperature, top_p)
        stats = GenerationStats()
        completions: dict[int, Completion] = {
            index: Completion("", 0, 0, StopReason.CONTEXT_OVERFLOW) for index in overflow
        }
        for row in rows:
            tokens, healed = unique[row.prompt_id]
            assert row.stopped is not None
            text = row.text.decode("utf-8", errors="replace")
            completions[row.index] = Completion(
                text=body_after_healing(text, healed),
                prompt_tokens=len(tokens),
                completion_tokens=len(row.generated),
                stopped=row.stopped,
            )
            stats.prompt_tokens += len(tokens)
            stats.completion_tokens += len(row.generated)
            stats.completions += 1
        stats.prefill_tokens = sum(len(tokens) for tokens, _ in unique)
        stats.seconds = time.perf_counter() - started
        self.last_stats = stats
        return [completions[index] for index in range(len(prompts))]


class _Decoder:
    """One `generate` call's context and decode loop."""

    def __init__(
        self,
        engine: LlamaCppEngine,
        prompts: list[tuple[list[int], str]],
        max_new_tokens: int,
        longest_prompt: int,
        row_count: int,
    ) -> None:
        llama = engine._llama
        self.engine = engine
        self.llama = llama
        self.prompts = prompts
        self.max_new_tokens = max_new_tokens
        self.sequences = min(engine.max_sequences, row_count)
        per_sequence = -(-(longest_prompt + max_new_tokens + 1) // _CONTEXT_STEP) * _CONTEXT_STEP
        params = llama.llama_context_default_params()
        params.n_ctx = per_sequence * self.sequences
        params.n_batch = DECODE_BATCH_TOKENS
        params.n_ubatch = 512
        params.n_seq_max = self.sequences
        params.n_threads = engine.threads
        params.n_threads_batch = engine.threads
        params.kv_unified = False
        params.no_perf = True
        self.ctx = llama.llama_init_from_model(engine._model, params)
        if not self.ctx:
            raise LlamaCppModelError("llama.cpp could not create a context")
        self.memory = llama.llama_get_memory(self.ctx)
        self.batch = llama.llama_batch_init(DECODE_BATCH_TOKENS, 0, 1)

    def close(self) -> None:
        self.llama.llama_batch_free(self.batch)
        self.llama.llama_free(self.ctx)

    def run(self, rows: list[_Row], temperature: float, top_p: float) -> None:
        try:
            self._run(rows, temperature, top_p)
        finally:
            for row in rows:
                if row.sampler is not None:
                    self.llama.llama_sampler_free(row.sampler)
                    row.sampler = None
            self.close()

    def _sampler(self, seed: int, temperature: float, top_p: float) -> Any:
        llama = self.llama
        chain = llama.llama_sampler_chain_init(llama.llama_sampler_chain_default_params())
        if temperature == 0:
            llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_greedy())
            return chain
        llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_top_k(self.engine.top_k))
        llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_top_p(top_p, 1))
        llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_temp(temperature))
        llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_dist(seed))
        return chain

    def _run(self, rows: list[_Row], temperature: float, top_p: float) -> None:
        waiting = deque(sorted(rows, key=lambda row: (row.prompt_id, row.index)))
        free_slots = list(range(self.sequences - 1, -1, -1))
        active: list[_Row] = []
        # Rows that take their prompt from a row prefilling it now, by that row's slot.
        followers: dict[int, list[_Row]] = {}
        while waiting or active:
            self._admit(waiting, free_slots, active, followers)
            outputs = self._decode_step(active)
            finished: list[_Row] = []
            for row, output in outputs:
                for sharer in followers.pop(row.slot, []):
                    self._copy_prompt(row, sharer)
                    self._sample(sharer, output, temperature, top_p)
                    active.append(sharer)
                    if sharer.stopped is not None:
                        finished.append(sharer)
                self._sample(row, output, temperature, top_p)
                if row.stopped is not None:
                    finished.append(row)
            for row in finished:
                active.remove(row)
                self.llama.llama_memory_seq_rm(self.memory, row.slot, -1, -1)
                free_slots.append(row.slot)

    def _admit(
        self,
        waiting: deque[_Row],
        free_slots: list[int],
        active: list[_Row],
        followers: dict[int, list[_Row]],
    ) -> None:
        """Give free sequences to waiting rows: a row whose prompt another
        running row holds copies its keys and values and re-evaluates only
        the prompt's last token (for its logits); the first row of a new
        prompt prefills it, and the next rows of that prompt follow it."""
        prefilling: dict[int, _Row] = {
            row.prompt_id: row
            for row in active
            if row.pending and row.position < len(self.prompts[row.prompt_id][0])
        }
        budget = DECODE_BATCH_TOKENS - len(active)
        while waiting and free_slots:
            row = waiting[0]
            tokens = self.prompts[row.prompt_id][0]
            leader = prefilling.get(row.prompt_id)
            holder = next(
                (
                    other
                    for other in active
                    if other.prompt_id == row.prompt_id and other.position >= len(tokens)
                ),
                None,
            )
            if leader is not None:
                waiting.popleft()
                row.slot = free_slots.pop()
                followers.setdefault(leader.slot, []).append(row)
            elif holder is not None:
                if budget < 1:
                    return
                waiting.popleft()
                row.slot = free_slots.pop()
                self._copy_prompt(holder, row, keep=len(tokens) - 1)
                row.pending = [tokens[-1]]
                row.position = len(tokens) - 1
                active.append(row)
                budget -= 1
            else:
                if budget < min(len(tokens), 64) and active:
                    return
                waiting.popleft()
                row.slot = free_slots.pop()
                row.pending = list(tokens)
                active.append(row)
                prefilling[row.prompt_id] = row
                budget -= len(tokens)

    def _copy_prompt(self, source: _Row, target: _Row, keep: int | None = None) -> None:
        """`target`'s sequence gets `source`'s keys and values, cut to the
        first `keep` positions (default: the whole prompt)."""
        tokens = self.prompts[source.prompt_id][0]
        keep = len(tokens) if keep is None else keep
        llama = self.llama
        llama.llama_memory_seq_rm(self.memory, target.slot, -1, -1)
        # Across key/value streams llama.cpp copies whole sequences only.
        llama.llama_memory_seq_cp(self.memory, source.slot, target.slot, -1, -1)
        llama.llama_memory_seq_rm(self.memory, target.slot, keep, -1)
        target.position = keep

    def _decode_step(self, active: list[_Row]) -> list[tuple[_Row, int]]:
        """Evaluate the pending tokens of the active rows (prefills split to
        fit the batch); (row, output index) for each row whose last pending
        token was evaluated, so it samples next."""
        batch = self.batch
        count = 0
        outputs: list[tuple[_Row, int]] = []
        # Generating rows first (one token each), then prefills as room allows.
        for row in sorted(active, key=lambda row: len(row.pending)):
            if not row.pending:
                continue
            room = DECODE_BATCH_TOKENS - count
            if room <= 0:
                break
            take = row.pending[:room]
            for offset, token in enumerate(take):
                batch.token[count] = token
                batch.pos[count] = row.position + offset
                batch.n_seq_id[count] = 1
                batch.seq_id[count][0] = row.slot
                batch.logits[count] = 0
                count += 1
            row.pending = row.pending[len(take) :]
            row.position += len(take)
            if not row.pending:
                batch.logits[count - 1] = 1
                outputs.append((row, count - 1))
        batch.n_tokens = count
        status = self.llama.llama_decode(self.ctx, batch)
        if status != 0:
            raise LlamaCppModelError(f"llama.cpp failed to decode a batch (status {status})")
        return outputs

    def _sample(self, row: _Row, output: int, temperature: float, top_p: float) -> None:
        llama = self.llama
        if row.sampler is None:
            row.sampler = self._sampler(row.seed, temperature, top_p)
        token = int(llama.llama_sampler_sample(row.sampler, self.ctx, output))
        row.generated.append(token)
        if llama.llama_vocab_is_eog(self.engine._vocab, token):
            row.stopped = StopReason.EOS
            return
        start = len(row.text)
        row.text += self.engine.piece(token)
        if _starts_module_level_line(row.text, start):
            row.stopped = StopReason.SCOPE_END
        elif len(row.generated) >= self.max_new_tokens:
            row.stopped = StopReason.MAX_NEW_TOKENS
        else:
            row.pending = [token]


def _starts_module_level_line(text: bytearray, start: int) -> bool:
    """Whether a line whose first character is in the new bytes `text[start:]`
    starts at column 0: the body's end. A line is one that follows a
    newline; the text before the first newline ends the `def` line."""
    newline = text.find(b"\n", max(start - 1, 0))
    while newline >= 0:
        first = bytes(text[newline + 1 : newline + 2])
        if first and newline + 1 >= start and first not in (b" ", b"\t", b"\r", b"\n"):
            return True
        newline = text.find(b"\n", newline + 1)
    return False


def _silence_llama_logs(llama_cpp: Any) -> None:
    """llama.cpp logs every load to stderr; a run's console is the live view."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is None:
        _LOG_CALLBACK = llama_cpp.llama_log_callback(lambda level, text, data: None)
        llama_cpp.llama_log_set(_LOG_CALLBACK, ctypes.c_void_p(0))


_LOG_CALLBACK: Any = None


def _file_type(llama_cpp: Any, model: Any) -> str:
    """The weights' quantisation as the GGUF names it, e.g. Q4_1."""
    buffer = ctypes.create_string_buffer(128)
    length = llama_cpp.llama_model_desc(model, buffer, 128)
    description = buffer.raw[: max(length, 0)].decode("utf-8", errors="replace")
    # "llama 135M Q4_1": the last word is the file type.
    return description.split()[-1] if description else "unknown"


def _gguf_digest(gguf: Path) -> str:
    """The file's sha256, remembered in the cache by path, size and mtime
    (hashing 100 MB would take longer than loading the model)."""
    record_path = default_cache_dir() / "gguf-digests.json"
    try:
        records = json.loads(record_path.read_text())
    except (OSError, ValueError):
        records = {}
    stat = gguf.stat()
    key = f"{gguf.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    digest = records.get(key) if isinstance(records, dict) else None
    if not isinstance(digest, str):
        digest = file_sha256(gguf)
        records = {**(records if isinstance(records, dict) else {}), key: digest}
        try:
            record_path.parent.mkdir(parents=True, exist_ok=True)
            record_path.write_text(json.dumps(records, indent=1) + "\n")
        except OSError:
            pass  # a read-only cache only costs the hashing next time
    return digest
