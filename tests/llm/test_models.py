"""Model resolution, loading, identity and the embedded model's cache."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import huggingface_hub.constants
import pytest
import torch
from openelm.errors import OpenelmError
from openelm.llm import ModelNotFoundError, embedded, load_language_model, resolve_model
from openelm.llm.embedded import (
    SOURCE_RECORD_NAME,
    embedded_checkpoint_dir,
    ensure_embedded_checkpoint,
)


@pytest.fixture
def empty_hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the Hugging Face hub client at an empty cache."""
    hub = tmp_path / "hub"
    hub.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub))
    return hub


def test_unknown_model_error_says_what_was_tried(empty_hf_cache: Path) -> None:
    with pytest.raises(ModelNotFoundError) as raised:
        load_language_model("foo/bar")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("model 'foo/bar' not found:")
    for tried in (
        "not the embedded model",
        "not a local directory",
        "not in the Hugging Face cache (offline)",
    ):
        assert tried in message
    assert isinstance(raised.value, OpenelmError)
    assert raised.value.exit_code == 2


def test_directory_without_config_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"has no config\.json"):
        resolve_model(str(tmp_path))


def test_local_directory_identity(tiny_model_dir: Path) -> None:
    model = load_language_model(str(tiny_model_dir), device="cpu", dtype="float32")
    identity = model.identity.to_dict()
    config_hash = hashlib.sha256((tiny_model_dir / "config.json").read_bytes()).hexdigest()
    assert identity == {
        "name": tiny_model_dir.name,
        "source": "local-directory",
        "path": str(tiny_model_dir.resolve()),
        "revision": f"sha256:{config_hash}",
        "dtype": "float32",
        "device": "cpu",
    }
    assert model.model.dtype == torch.float32
    assert not model.model.training


def test_dtype_option_is_applied(tiny_model_dir: Path) -> None:
    model = load_language_model(str(tiny_model_dir), device="cpu", dtype="bfloat16")
    assert model.model.dtype == torch.bfloat16
    assert model.identity.dtype == "bfloat16"


def test_model_id_found_in_hugging_face_cache(empty_hf_cache: Path, tiny_model_dir: Path) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = empty_hf_cache / "models--openelm-test--tiny"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    model = load_language_model("openelm-test/tiny", device="cpu", dtype="float32")
    assert model.identity.source == "huggingface-cache"
    assert model.identity.name == "openelm-test/tiny"
    assert model.identity.revision == f"git:{commit}"


@pytest.mark.parametrize(("option", "value"), [("device", "tpu"), ("dtype", "int8")])
def test_bad_options_are_rejected(tiny_model_dir: Path, option: str, value: str) -> None:
    with pytest.raises(ValueError, match=option):
        load_language_model(str(tiny_model_dir), **{option: value})


def test_cache_dir_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENELM_CACHE_DIR", str(tmp_path))
    assert embedded_checkpoint_dir() == tmp_path / "models" / "smollm2-135m"
    assert (
        embedded_checkpoint_dir(tmp_path / "other")
        == tmp_path / "other" / "models" / "smollm2-135m"
    )


def _fake_writer(calls: list[Path], *, fail: bool = False):
    """Stands in for the 20-35 s GGUF conversion."""

    def write(gguf: Path, out_dir: Path) -> None:
        calls.append(out_dir)
        (out_dir / "config.json").write_text("{}")
        if fail:
            raise KeyboardInterrupt  # like a conversion killed halfway

    return write


def test_killed_conversion_leaves_no_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(embedded, "_write_checkpoint", _fake_writer(calls, fail=True))
    with pytest.raises(KeyboardInterrupt):
        ensure_embedded_checkpoint(tmp_path)
    models_dir = tmp_path / "models"
    assert len(calls) == 1
    assert calls[0].parent == models_dir
    assert list(models_dir.iterdir()) == []


def test_conversion_renames_into_place_and_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(embedded, "_write_checkpoint", _fake_writer(calls))
    # What a process killed mid-conversion leaves behind (no process has that pid).
    abandoned = tmp_path / "models" / ".smollm2-135m.partial-999999999-x"
    abandoned.mkdir(parents=True)
    first = ensure_embedded_checkpoint(tmp_path)
    assert first.path == embedded_checkpoint_dir(tmp_path)
    assert (first.path / SOURCE_RECORD_NAME).is_file()
    assert (
        first.revision
        == "sha256:" + hashlib.sha256(embedded.find_embedded_gguf().read_bytes()).hexdigest()
    )
    assert not abandoned.exists()
    assert sorted(path.name for path in (tmp_path / "models").iterdir()) == ["smollm2-135m"]
    second = ensure_embedded_checkpoint(tmp_path)
    assert second == first
    assert len(calls) == 1


def test_checkpoint_without_source_record_is_reconverted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(embedded, "_write_checkpoint", _fake_writer(calls))
    stale = embedded_checkpoint_dir(tmp_path)
    stale.mkdir(parents=True)
    (stale / "model.safetensors").write_text("half written")
    checkpoint = ensure_embedded_checkpoint(tmp_path)
    assert len(calls) == 1
    assert not (checkpoint.path / "model.safetensors").exists()
    assert (checkpoint.path / SOURCE_RECORD_NAME).is_file()


def test_embedded_model_loads_warm_from_cache(
    embedded_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_conversion(gguf: Path, out_dir: Path) -> None:
        raise AssertionError("the cached checkpoint should have been reused")

    monkeypatch.setattr(embedded, "_write_checkpoint", no_conversion)
    started = time.perf_counter()
    model = load_language_model("default", cache_dir=embedded_cache_dir, device="cpu")
    seconds = time.perf_counter() - started
    assert seconds < 5.0
    assert model.identity.name == "smollm2-135m"
    assert model.identity.source == "embedded"
    assert model.identity.revision.startswith("sha256:")
    assert Path(model.identity.path) == embedded_checkpoint_dir(embedded_cache_dir)
    assert os.path.isfile(Path(model.identity.path) / "model.safetensors")
