"""Rendering walkers (animations and filmstrips) and runs (HTML reports).

Frames are drawn from the trajectory of the very simulation that scores a
walker, so what you see is what was scored. See docs/render.md.

The names below are loaded on first use (PEP 562): drawing a walker file
never loads the run store or the evolve package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openelm._lazy import lazy_exports

# Where each public name lives: type checkers read these imports, and so
# does `lazy_exports`, which imports a name's module on first use.
if TYPE_CHECKING:
    from openelm.render.animate import (
        RenderError,
        RenderOptions,
        RenderOptionsError,
        Subject,
        record,
        render_subjects,
    )
    from openelm.render.targets import resolve_target

__all__ = [
    "RenderError",
    "RenderOptions",
    "RenderOptionsError",
    "Subject",
    "record",
    "render_subjects",
    "resolve_target",
]


__getattr__, __dir__ = lazy_exports(__name__, globals())
