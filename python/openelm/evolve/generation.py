"""Turning mutation plans into child sources: one batched language-model
call per iteration for the plans that carry a prompt."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from openelm.evolve.config import ModelConfig
from openelm.evolve.operators import MutationPlan


@dataclass(frozen=True)
class CompletionText:
    text: str  # the body of the new make_walker
    prompt_tokens: int
    completion_tokens: int


class Completer(Protocol):
    """Writes `make_walker` bodies; the same prompts and seed give the same texts."""

    identity: dict[str, str]

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[CompletionText]: ...


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

    def complete(self, prompts: Sequence[str], *, seed: int) -> list[CompletionText]:
        completions = self._generator.generate(
            [(prompt, 1) for prompt in prompts],
            max_new_tokens=self.config.max_new_tokens,
            temperature=self.config.temperature,
            top_p=self.config.top_p,
            seed=seed,
        )
        return [
            CompletionText(sample.text, sample.prompt_tokens, sample.completion_tokens)
            for (sample,) in completions
        ]


@dataclass(frozen=True)
class Child:
    operator: str
    parent_ids: tuple[int, ...]
    source: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt: str | None = None  # None for children made without the model
    completion: str | None = None


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
    plans: Sequence[MutationPlan], completer: Completer | None, *, iteration: int, seed: int
) -> GeneratedBatch:
    """The children of `plans`, in plan order; every prompt goes to the model
    in one call seeded with `seed`."""
    prompted = [index for index, plan in enumerate(plans) if plan.prompt is not None]
    completions: dict[int, CompletionText] = {}
    generation_seconds = 0.0
    if prompted:
        if completer is None:
            raise ValueError("these plans need a language model, and none is loaded")
        started = time.perf_counter()
        texts = completer.complete([plans[index].prompt or "" for index in prompted], seed=seed)
        generation_seconds = time.perf_counter() - started
        completions = dict(zip(prompted, texts))
    children: list[Child] = []
    for index, plan in enumerate(plans):
        completion = completions.get(index)
        if completion is None:
            assert plan.child_source is not None
            children.append(Child(plan.operator, plan.parent_ids, plan.child_source))
        else:
            children.append(
                Child(
                    plan.operator,
                    plan.parent_ids,
                    plan.child_from_completion(completion.text),
                    completion.prompt_tokens,
                    completion.completion_tokens,
                    plan.prompt,
                    completion.text,
                )
            )
    return GeneratedBatch(iteration, tuple(children), generation_seconds)
