"""Drawing one frame of a walker tile with Pillow, on a fixed palette.

A fixed palette makes frames exact and cheap: every pixel is an index chosen
here, so the same trajectory always gives the same bytes, and GIF encoding
needs no colour quantisation.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from openelm._sodarace import MUSCLE_RATE
from openelm.render.scene import Camera

SKY, GROUND, GROUND_LINE, TICK, SPRING, JOINT, TRAIL, TEXT = range(8)
MUSCLE_BASE = 8
MUSCLE_SHADES = 24
"""Muscle colours: a hue wheel indexed by the muscle's current oscillator phase."""

_BASE_COLOURS = [
    (250, 250, 246),  # sky
    (228, 221, 204),  # ground
    (92, 82, 62),  # ground line
    (120, 120, 120),  # ticks and their labels
    (72, 76, 92),  # passive springs
    (24, 24, 24),  # joints
    (160, 160, 160),  # centre-of-mass trail: grey, so it never reads as a muscle
    (0, 0, 0),  # caption
]


def _palette() -> list[int]:
    colours = list(_BASE_COLOURS)
    for shade in range(MUSCLE_SHADES):
        r, g, b = colorsys.hsv_to_rgb(shade / MUSCLE_SHADES, 0.85, 0.9)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
    colours += [(0, 0, 0)] * (256 - len(colours))
    return [channel for colour in colours for channel in colour]


PALETTE = _palette()
FONT = ImageFont.load_default()
TICK_SPACINGS_M = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)


@dataclass(frozen=True)
class Body:
    """The connections of a walker, split the way they are drawn."""

    springs: np.ndarray  # (n, 2) joint indices
    muscles: np.ndarray  # (m, 2) joint indices
    muscle_phases: np.ndarray  # (m,) cycles

    @classmethod
    def of(cls, connections: list[tuple[int, int, float, float]]) -> Body:
        springs = [(a, b) for a, b, amplitude, _ in connections if amplitude == 0.0]
        muscles = [(a, b) for a, b, amplitude, _ in connections if amplitude != 0.0]
        phases = [phase for _, _, amplitude, phase in connections if amplitude != 0.0]
        return cls(
            np.array(springs, dtype=np.int64).reshape(-1, 2),
            np.array(muscles, dtype=np.int64).reshape(-1, 2),
            np.array(phases, dtype=np.float64),
        )


def new_tile(camera: Camera) -> Image.Image:
    image = Image.new("P", (camera.width, camera.height), SKY)
    image.putpalette(PALETTE)
    return image


def tick_spacing(camera: Camera) -> float:
    """The smallest round spacing that keeps ticks at least 48 px apart."""
    return next((s for s in TICK_SPACINGS_M if s * camera.scale >= 48), TICK_SPACINGS_M[-1])


def draw_tile(
    image: Image.Image,
    camera: Camera,
    body: Body,
    pose: np.ndarray,
    centre_x: float,
    time_s: float,
    trail: np.ndarray | None,
    caption: str,
    terrain: Sequence[tuple[float, float, float, float]] = (),
) -> None:
    """Draws ground, ticks, terrain, trail, springs, muscles, joints and caption.
    `terrain` is the simulation's segments (x0, y0, x1, y1) in metres."""
    draw = ImageDraw.Draw(image)
    ground_y = camera.ground_y
    draw.rectangle((0, ground_y, camera.width, camera.height), fill=GROUND)
    draw.line((0, ground_y, camera.width, ground_y), fill=GROUND_LINE, width=2)
    if terrain:
        ends = camera.to_pixels(np.asarray(terrain, dtype=np.float64).reshape(-1, 2, 2), centre_x)
        for (x0, y0), (x1, y1) in ends.tolist():
            draw.line((x0, y0, x1, y1), fill=GROUND_LINE, width=2)

    spacing = tick_spacing(camera)
    half_span = camera.width / 2 / camera.scale
    first = math.ceil((centre_x - half_span) / spacing)
    last = math.floor((centre_x + half_span) / spacing)
    for k in range(first, last + 1):
        x = (k * spacing - centre_x) * camera.scale + camera.width / 2
        draw.line((x, ground_y, x, ground_y + 6), fill=TICK)
        draw.text((x + 2, ground_y + 6), f"{k * spacing:g}m", fill=TICK, font=FONT)

    if trail is not None and len(trail) > 1:
        draw.line(
            [tuple(p) for p in camera.to_pixels(trail, centre_x).tolist()], fill=TRAIL, width=1
        )

    pixels = camera.to_pixels(pose, centre_x)
    for a, b in body.springs:
        draw.line((*pixels[a], *pixels[b]), fill=SPRING, width=2)
    if len(body.muscles):
        cycle = (MUSCLE_RATE * time_s / (2 * math.pi) + body.muscle_phases) % 1.0
        shades = MUSCLE_BASE + (cycle * MUSCLE_SHADES).astype(np.int64) % MUSCLE_SHADES
        for (a, b), shade in zip(body.muscles, shades.tolist()):
            draw.line((*pixels[a], *pixels[b]), fill=shade, width=3)
    for x, y in pixels.tolist():
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=JOINT)
    draw.text((6, camera.height - 16), caption, fill=TEXT, font=FONT)
