"""Turning an iteration's plans into children: one batched language-model
call for the plans that are prompts; finished children pass through.

The language model is a `Completer`. Three back it: the transformers engine
(`LanguageModelCompleter`), the llama.cpp engine (`LlamaCppCompleter`) and an
OpenAI-compatible server (`openelm.llm.endpoint.EndpointCompleter`);
`load_completer` picks one from the run's `ModelConfig`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from openelm.evolve.config import ModelConfig
from openelm.evolve.operators import Child, PromptPlan
from openelm.records import CompletionStop

if TYPE_CHECKING:
    # Only for annotations: importing the engines loads torch or llama.cpp.
    from openelm.llm.completion import Completion
    from openelm.llm.llamacpp import LlamaCppEngine


class Completer(Protocol):
    """Writes `make_walker` bodies, one `Completion` per prompt, in order.

    In process, the same prompts and seed give the same completions; a
    server's do if the server's sampling is deterministic. A prompt over
    the model's context comes back with `stopped` CONTEXT_OVERFLOW (never an
    exception); a backend that fails for good raises
    `openelm.llm.CompletionError`. `identity` names the model for the run
    store (the keys `name`, `source` and `revision` pin its weights).

    Completion i of a call draws from (seed, i). A completer whose
    `complete` also takes `first_index` (completion i then draws from
    (seed, first_index + i)) can be split across Ray generator actors; all
    three backends here do.
    """

    identity: dict[str, str]

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[Completion]: ...


NoteCallback = Callable[[str], None]


def load_completer(config: ModelConfig, on_note: NoteCallback | None = None) -> Completer:
    """The backend `config` asks for: its endpoint if it has one, else the
    model in process on the engine it names (`auto`: see `choose_engine`).
    `on_note` hears what was chosen and why."""
    note = on_note or (lambda _: None)
    if config.endpoint is not None:
        from openelm.llm.endpoint import connect_endpoints, endpoint_settings

        return connect_endpoints(endpoint_settings(config), on_note=note)
    from openelm.llm.llamacpp import choose_engine

    engine, reason = choose_engine(config.model, config.engine, config.device)
    note(f"engine {engine}: {reason}")
    if engine == "llamacpp":
        return LlamaCppCompleter(config)
    return LanguageModelCompleter(config)


class LanguageModelCompleter:
    """A `Completer` backed by the transformers engine: the embedded SmolLM2,
    a local checkpoint or a model in the Hugging Face cache, on CPU or GPU."""

    def __init__(self, config: ModelConfig) -> None:
        # Imported here: torch and transformers load only when a run needs a model.
        from openelm.llm import Generator, load_language_model

        self.config = config
        language_model = load_language_model(config.model, device=config.device, dtype=config.dtype)
        self.identity = {**language_model.identity.to_dict(), "engine": "transformers"}
        self._generator = Generator(language_model)

    def complete(
        self, prompts: Sequence[str], *, seed: int, first_index: int = 0
    ) -> list[Completion]:
        """`first_index`: where `prompts` start in their batch. Completion i
        draws from (seed, first_index + i), so a slice of a batch (on a Ray
        generator actor) gets what the whole batch's call would write."""
        if not prompts:
            return []
        # Requests asking for no sample only move the indices along.
        skipped = [(prompts[0], 0)] * first_index
        completions = self._generator.generate(
            skipped + [(prompt, 1) for prompt in prompts],
            max_new_tokens=self.config.max_new_tokens,
            temperature=self.config.temperature,
            top_p=self.config.top_p,
            seed=seed,
        )
        return [sample for (sample,) in completions[first_index:]]


class LlamaCppCompleter:
    """A `Completer` backed by the llama.cpp engine: a GGUF model (the
    embedded SmolLM2's own file) on the CPU, batched with shared prompts."""

    def __init__(self, config: ModelConfig) -> None:
        from openelm.llm.llamacpp import load_llamacpp_engine

        self.config = config
        self._engine: LlamaCppEngine = load_llamacpp_engine(config.model)
        self.identity = self._engine.identity

    def complete(
        self, prompts: Sequence[str], *, seed: int, first_index: int = 0
    ) -> list[Completion]:
        return self._engine.generate(
            prompts,
            max_new_tokens=self.config.max_new_tokens,
            temperature=self.config.temperature,
            top_p=self.config.top_p,
            seed=seed,
            first_index=first_index,
        )


@dataclass(frozen=True)
class GeneratedBatch:
    iteration: int
    children: tuple[Child, ...]
    generation_seconds: float  # time spent in the language model

    @property
    def prompt_tokens(self) -> int:
        return sum(child.prompt_tokens for child in self.children)

    @property
    def completion_tokens(self) -> int:
        return sum(child.completion_tokens for child in self.children)


def realize_plans(
    plans: Sequence[PromptPlan | Child], completer: Completer | None, *, iteration: int, seed: int
) -> GeneratedBatch:
    """The children of `plans`, in plan order; every prompt goes to the model
    in one call seeded with `seed`. A prompt over the model's context is
    sent again shorter (crossover drops its weakest parent) while it can
    be; one that never fits becomes an empty child whose `stopped` says why."""
    started = time.perf_counter()
    written = _complete_fitting(plans, completer, seed)
    generation_seconds = time.perf_counter() - started if written else 0.0
    children: list[Child] = []
    for index, plan in enumerate(plans):
        if isinstance(plan, Child):
            children.append(plan)
            continue
        sent, completion = written[index]
        children.append(
            sent.child(
                completion.text,
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                stopped=completion.stopped,
            )
        )
    return GeneratedBatch(iteration, tuple(children), generation_seconds)


def _complete_fitting(
    plans: Sequence[PromptPlan | Child], completer: Completer | None, seed: int
) -> dict[int, tuple[PromptPlan, Completion]]:
    """{plan index: (the plan whose prompt was answered, its completion)}."""
    pending = {index: plan for index, plan in enumerate(plans) if isinstance(plan, PromptPlan)}
    if pending and completer is None:
        raise ValueError("these plans need a language model, and none is loaded")
    written: dict[int, tuple[PromptPlan, Completion]] = {}
    round_seed = seed
    while pending:
        assert completer is not None
        completions = completer.complete(
            [plan.prompt for plan in pending.values()], seed=round_seed
        )
        retry: dict[int, PromptPlan] = {}
        for (index, plan), completion in zip(pending.items(), completions):
            if completion.stopped is CompletionStop.CONTEXT_OVERFLOW and plan.shorter is not None:
                retry[index] = plan.shorter
            else:
                written[index] = (plan, completion)
        pending = retry
        # Shortened prompts sample afresh, still determined by the batch seed.
        round_seed = (round_seed * 1_000_003 + 1) % 2**31
    return written
