"""Every module of `openelm` and `openelm_cli` imports on its own.

An import cycle hides when some other module happens to be imported first,
so each module is imported alone, in a process that has imported nothing of
openelm. The processes are forked from a forkserver that has preloaded the
slow third-party packages (torch, transformers): a child starts in
milliseconds instead of seconds, and still holds no openelm module when it
imports the one under test (the child checks that before importing).
"""

from __future__ import annotations

import importlib
import importlib.util
import multiprocessing
import os
import sys
import traceback
from pathlib import Path

import pytest

PACKAGES = ("openelm", "openelm_cli")
# Genome files are data for the interpreter, not modules.
DATA_PACKAGES = ("openelm.seeds.",)
PRELOADED = [
    "matplotlib.figure",
    "numpy",
    "torch",
    "transformers.cache_utils",
    "transformers.modeling_utils",
    "transformers.tokenization_utils_base",
]


def _package_modules(package: str) -> list[str]:
    """Dotted names of every module file under `package`, found on disk
    without importing anything."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations, package
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not all(part.isidentifier() for part in parts):
            continue
        if not (path.parent / "__init__.py").is_file():
            continue  # a folder of data files, not a package
        name = ".".join((package, *parts))
        if not name.startswith(DATA_PACKAGES):
            names.append(name)
    return names


def _import_alone(name: str) -> str | None:
    """Runs in the child: imports `name`; the failure as text, or None."""
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in PACKAGES)
    if loaded:
        return f"the child was not fresh: {loaded} already imported"
    try:
        importlib.import_module(name)
    except BaseException:
        return traceback.format_exc()
    return None


MODULES = [name for package in PACKAGES for name in _package_modules(package)]


def test_the_module_list_is_complete() -> None:
    assert "openelm.store" in MODULES and "openelm.records" in MODULES
    assert "openelm.evolve.operators.base" in MODULES
    assert "openelm_cli.commands.show" in MODULES
    assert not any(name.startswith("openelm.seeds.") for name in MODULES)


def test_every_module_imports_on_its_own() -> None:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    workers = min(4, os.cpu_count() or 1)
    # One task per child: each module gets a process of its own.
    with context.Pool(workers, maxtasksperchild=1) as pool:
        outcomes = pool.map(_import_alone, MODULES, chunksize=1)
    failures = {name: error for name, error in zip(MODULES, outcomes) if error is not None}
    if failures:
        pytest.fail(
            "\n\n".join(
                f"import {name} on its own failed:\n{error}" for name, error in failures.items()
            )
        )


def test_the_records_module_is_a_leaf() -> None:
    source = (Path(importlib.util.find_spec("openelm.records").origin or "")).read_text()  # type: ignore[union-attr]
    imported = {
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("from openelm", "import openelm"))
    }
    # Only the compiled extension (it imports no Python module of openelm),
    # for the simulation defaults.
    assert imported <= {"openelm._sodarace"}


def test_the_store_depends_only_on_leaf_modules() -> None:
    source = Path(importlib.util.find_spec("openelm.store").origin or "").read_text()  # type: ignore[union-attr]
    imported = {
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("from openelm", "import openelm"))
    }
    assert imported == {"openelm.errors", "openelm.records"}


@pytest.mark.parametrize("package", ["openelm.evolve", "openelm.render"])
def test_lazy_package_names_resolve(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        _ = module.no_such_name
