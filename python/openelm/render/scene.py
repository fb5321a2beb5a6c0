"""The camera: maps world metres to pixels for one tile of an animation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GROUND_MARGIN_PX = 44  # room below the ground line for tick labels and the caption
MIN_SCALE, MAX_SCALE = 20.0, 400.0  # pixels per metre


@dataclass(frozen=True)
class Camera:
    width: int
    height: int
    scale: float
    """Pixels per metre."""

    @classmethod
    def fitting(cls, trajectory: np.ndarray, width: int, height: int) -> Camera:
        """A scale at which the body's first pose fills about 40 % of the tile."""
        first = trajectory[0]
        extent_x = float(np.ptp(first[:, 0])) or 0.1
        extent_y = float(np.ptp(first[:, 1])) or 0.1
        usable_height = height - GROUND_MARGIN_PX
        scale = min(0.4 * width / extent_x, 0.6 * usable_height / extent_y)
        return cls(width, height, float(np.clip(scale, MIN_SCALE, MAX_SCALE)))

    @property
    def ground_y(self) -> int:
        return self.height - GROUND_MARGIN_PX

    def to_pixels(self, points: np.ndarray, centre_x: float) -> np.ndarray:
        """World (…, 2) → pixel (…, 2) floats, with `centre_x` at the tile's middle."""
        pixels = np.empty(points.shape, dtype=np.float64)
        pixels[..., 0] = (points[..., 0] - centre_x) * self.scale + self.width / 2
        pixels[..., 1] = self.ground_y - points[..., 1] * self.scale
        return pixels
