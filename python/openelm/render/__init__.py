"""Rendering walkers (animations and filmstrips) and runs (HTML reports).

Frames are drawn from the trajectory of the very simulation that scores a
walker, so what you see is what was scored. See docs/render.md.
"""

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
