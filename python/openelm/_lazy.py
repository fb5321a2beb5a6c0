"""Lazy package exports: a package `__init__` imports its public names under
`if TYPE_CHECKING:` (what type checkers read), and at run time each name's
module is imported on first use, so importing the package loads nothing
heavy (and nothing that needs the store).

The home of each name is read from those very import statements, so a
package names where a name lives once; the package's `__all__` lists the
names it exports.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from functools import cache
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose namespace is `namespace`."""

    @cache
    def homes() -> dict[str, str]:
        source = namespace["__spec__"].loader.get_source(package)
        if source is None:
            # Only an install stripped of its .py files gets here.
            raise ImportError(f"{package}: its source is not installed, so its exports are unknown")
        return _type_checking_imports(source)

    def __getattr__(name: str) -> Any:
        home = homes().get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *homes()])

    return __getattr__, __dir__


def _type_checking_imports(source: str) -> dict[str, str]:
    """{name: module} for each `from module import name` in the top-level
    `if TYPE_CHECKING:` blocks of module source `source`."""
    homes: dict[str, str] = {}
    for statement in ast.parse(source).body:
        if not (isinstance(statement, ast.If) and _is_type_checking(statement.test)):
            continue
        for node in statement.body:
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                homes.update((alias.asname or alias.name, node.module) for alias in node.names)
    return homes


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
