"""The language-model engine: load a causal LM and sample `make_walker` bodies.

    from openelm.llm import Generator, load_language_model

    model = load_language_model()  # embedded SmolLM2-135M-Instruct
    generator = Generator(model)
    [[completion, *_]] = generator.generate([(prompt, 64)], seed=1)
    completion.text, completion.stopped, generator.last_stats

`prompt` ends with `def make_walker():\\n`; each completion is the body that
follows, cut where the function's scope ends.
"""

from openelm.llm.embedded import CACHE_DIR_ENV, EMBEDDED_MODEL_NAME, default_cache_dir
from openelm.llm.generate import (
    DEFAULT_MAX_BATCH_ROWS,
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_K,
    DEFAULT_TOP_P,
    Completion,
    GenerationRequest,
    GenerationStats,
    Generator,
)
from openelm.llm.models import (
    LanguageModel,
    ModelIdentity,
    ModelNotFoundError,
    ResolvedModel,
    load_language_model,
    resolve_model,
)
from openelm.llm.stopping import StopReason, trim_to_function_body
from openelm.records import DEVICE_OPTIONS, DTYPE_OPTIONS

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
