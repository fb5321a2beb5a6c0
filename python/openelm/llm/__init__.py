"""The language-model backends: load a model and sample `make_walker` bodies.

    from openelm.llm import Generator, load_language_model

    model = load_language_model()  # embedded SmolLM2-135M-Instruct
    generator = Generator(model)
    [[completion, *_]] = generator.generate([(prompt, 64)], seed=1)
    completion.text, completion.stopped, generator.last_stats

`prompt` ends with `def make_walker():\\n`; each completion is the body that
follows, cut where the function's scope ends.

Three backends return the same `Completion`: the transformers engine
(`generate.py` and the modules it names), the llama.cpp engine
(`llamacpp.py`) and an OpenAI-compatible server (`endpoint.py`). The names
below load on first use, so a run that talks to a server never imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openelm._lazy import lazy_exports

# Where each public name lives: type checkers read these imports, and so
# does `lazy_exports`, which imports a name's module on first use.
if TYPE_CHECKING:
    from openelm.llm.completion import (
        DEFAULT_TOP_K,
        Completion,
        CompletionError,
        GenerationStats,
        StopReason,
        trim_to_function_body,
    )
    from openelm.llm.embedded import CACHE_DIR_ENV, EMBEDDED_MODEL_NAME, default_cache_dir
    from openelm.llm.generate import DEFAULT_MAX_BATCH_ROWS, GenerationRequest, Generator
    from openelm.llm.models import (
        LanguageModel,
        ModelIdentity,
        ModelNotFoundError,
        ResolvedModel,
        load_language_model,
        resolve_model,
    )
    from openelm.records import (
        DEFAULT_MAX_NEW_TOKENS,
        DEFAULT_TEMPERATURE,
        DEFAULT_TOP_P,
        DEVICE_OPTIONS,
        DTYPE_OPTIONS,
    )

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_MAX_BATCH_ROWS",
    "DEFAULT_MAX_NEW_TOKENS",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_TOP_K",
    "DEFAULT_TOP_P",
    "DEVICE_OPTIONS",
    "DTYPE_OPTIONS",
    "EMBEDDED_MODEL_NAME",
    "Completion",
    "CompletionError",
    "GenerationRequest",
    "GenerationStats",
    "Generator",
    "LanguageModel",
    "ModelIdentity",
    "ModelNotFoundError",
    "ResolvedModel",
    "StopReason",
    "default_cache_dir",
    "load_language_model",
    "resolve_model",
    "trim_to_function_body",
]

__getattr__, __dir__ = lazy_exports(__name__, globals())
