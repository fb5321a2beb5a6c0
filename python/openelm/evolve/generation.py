"""Turning an iteration's plans into children: one batched language-model
call for the plans that are prompts; finished children pass through."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from openelm.evolve.config import ModelConfig
from openelm.evolve.operators import Child, PromptPlan

if TYPE_CHECKING:
    # Only for annotations: importing openelm.llm loads torch.
    from openelm.llm import Completion


class Completer(Protocol):
    """Writes `make_walker` bodies; the same prompts and seed give the same completions.

    Completion i of a call draws from (seed, i). A completer whose
    `complete` also takes `first_index` (completion i then draws from
    (seed, first_index + i)) can be split across Ray generator actors.
    """

    identity: dict[str, str]

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[Completion]: ...


class LanguageModelCompleter:
    """A `Completer` backed by `openelm.llm`: the embedded SmolLM2, a local
    checkpoint or a model in the Hugging Face cache."""

    def __init__(self, config: ModelConfig) -> None:
        # Imported here: torch and transformers load only when a run needs a model.
        from openelm.llm import Generator, load_language_model

        self.config = config
        language_model = load_language_model(config.model, device=config.device, dtype=config.dtype)
        self.identity = language_model.identity.to_dict()
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
    in one call seeded with `seed`."""
    prompts = [plan for plan in plans if isinstance(plan, PromptPlan)]
    generation_seconds = 0.0
    completions: Sequence[Completion] = ()
    if prompts:
        if completer is None:
            raise ValueError("these plans need a language model, and none is loaded")
        started = time.perf_counter()
        completions = completer.complete([plan.prompt for plan in prompts], seed=seed)
        generation_seconds = time.perf_counter() - started
    written = iter(completions)
    children: list[Child] = []
    for plan in plans:
        if isinstance(plan, Child):
            children.append(plan)
            continue
        completion = next(written)
        children.append(
            plan.child(
                completion.text,
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                stopped=completion.stopped,
            )
        )
    return GeneratedBatch(iteration, tuple(children), generation_seconds)
