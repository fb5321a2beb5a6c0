"""From walkers to frames: simulate with a recorded trajectory, lay the tiles
out, and hand the frames to a writer."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from openelm._sodarace import STEPS_PER_SECOND, SimConfig, SimResult, Walker, simulate
from openelm.errors import OpenelmError
from openelm.render.frames import GROUND_LINE, PALETTE, Body, draw_tile, new_tile
from openelm.render.scene import Camera
from openelm.render.writers import FORMATS, write_frames


class RenderError(OpenelmError):
    """A walker can't be rendered, or the options are inconsistent."""

    exit_code = 1


class RenderOptionsError(RenderError):
    """A render option is out of range: a usage error."""

    exit_code = 2


class ReplayMismatchWarning(UserWarning):
    """A stored elite's replayed fitness differs from its stored one."""


@dataclass(frozen=True)
class Subject:
    """One walker to draw. `fitness` is the stored score when it comes from a
    run; otherwise the rendered simulation's own score is shown."""

    walker: Walker
    label: str
    fitness: float | None = None


@dataclass(frozen=True)
class RenderOptions:
    format: str = "gif"
    seconds: float = SimConfig().seconds
    terrain: str = SimConfig().terrain
    fps: int = 30
    size: tuple[int, int] = (480, 320)
    follow: bool = True
    trail: bool = True
    filmstrip_frames: int = 8

    def check(self) -> None:
        if self.format not in FORMATS:
            raise RenderOptionsError(
                f"unknown format {self.format!r} (choose from {', '.join(FORMATS)})"
            )
        if self.fps < 1 or STEPS_PER_SECOND % self.fps:
            raise RenderOptionsError(
                f"--fps must divide {STEPS_PER_SECOND} (the simulation's steps per second), got {self.fps}"
            )
        width, height = self.size
        if not (64 <= width <= 4096 and 64 <= height <= 4096):
            raise RenderOptionsError(
                f"--size must be between 64x64 and 4096x4096, got {width}x{height}"
            )
        if self.format == "mp4" and (width % 2 or height % 2):
            raise RenderOptionsError(f"mp4 needs an even width and height, got {width}x{height}")
        if not (0 < self.seconds <= 600):
            raise RenderOptionsError(f"--seconds must be in (0, 600], got {self.seconds}")


@dataclass(frozen=True)
class _Track:
    """A subject's simulated motion, ready to draw."""

    subject: Subject
    body: Body
    trajectory: np.ndarray  # (frames, joints, 2) metres
    centre_of_mass: np.ndarray  # (frames, 2)
    settle_frame: int  # the frame where the scored window starts
    fitness: float
    camera: Camera
    terrain: list[tuple[float, float, float, float]]  # segments, metres


def record(walker: Walker, config: SimConfig, *, fps: int) -> SimResult:
    """The scoring simulation of `walker` with a pose recorded every frame:
    the same call the scorer makes (same `config`), plus `record_every` =
    steps per frame. Its fitness is the stored score."""
    return simulate(walker, config, record_every=STEPS_PER_SECOND // fps)


def _track(subject: Subject, options: RenderOptions) -> _Track:
    config = SimConfig(seconds=options.seconds, terrain=options.terrain)
    result = record(subject.walker, config, fps=options.fps)
    if not result.valid or result.trajectory is None:
        raise RenderError(f"cannot render {subject.label}: {result.error}")
    if subject.fitness is not None and result.fitness != subject.fitness:
        # An elite scored by an older simulator (or under other settings)
        # replays differently: say so, and show the stored score.
        warnings.warn(
            ReplayMismatchWarning(
                f"{subject.label}: replayed fitness {result.fitness:.4f} m differs from the "
                f"stored {subject.fitness:.4f} m (scored by another simulator version or settings)"
            ),
            stacklevel=2,
        )
    trajectory = result.trajectory
    centre_of_mass = trajectory.mean(axis=1, dtype=np.float64)
    settle_frame = min(result.settle_steps // result.record_every, len(trajectory) - 1)
    width, height = options.size
    return _Track(
        subject=subject,
        body=Body.of(subject.walker.connections),
        trajectory=trajectory.astype(np.float64),
        centre_of_mass=centre_of_mass,
        settle_frame=settle_frame,
        fitness=result.fitness if subject.fitness is None else subject.fitness,
        camera=Camera.fitting(trajectory, width, height),
        terrain=result.terrain,
    )


def _draw(track: _Track, frame: int, options: RenderOptions, tile: Image.Image) -> None:
    time_s = frame * (STEPS_PER_SECOND // options.fps) / STEPS_PER_SECOND
    centre_x = track.centre_of_mass[frame if options.follow else 0, 0]
    trail = track.centre_of_mass[: frame + 1] if options.trail else None
    if frame < track.settle_frame:
        progress = "settling"
    else:
        # The fitness measure itself, so far: |Δx| of the centre of mass.
        distance = abs(track.centre_of_mass[frame, 0] - track.centre_of_mass[track.settle_frame, 0])
        progress = f"dist={distance:.2f}m"
    caption = f"t={time_s:5.2f}s  {progress}  {track.subject.label}  fitness={track.fitness:.2f}m"
    draw_tile(
        tile,
        track.camera,
        track.body,
        track.trajectory[frame],
        centre_x,
        time_s,
        trail,
        caption,
        track.terrain,
    )


def render_subjects(subjects: list[Subject], out: str | Path, options: RenderOptions) -> Path:
    """Renders one walker, or several as a grid, to `out` in `options.format`."""
    options.check()
    if not subjects:
        raise RenderError("nothing to render")
    tracks = [_track(subject, options) for subject in subjects]
    frame_count = len(tracks[0].trajectory)
    columns = math.ceil(math.sqrt(len(tracks)))
    rows = math.ceil(len(tracks) / columns)
    width, height = options.size
    if options.format == "png":
        count = max(1, min(options.filmstrip_frames, frame_count))
        chosen = np.linspace(0, frame_count - 1, count).round().astype(int).tolist()
    else:
        chosen = range(frame_count)
    frames = []
    for frame in chosen:
        if len(tracks) == 1:
            canvas = new_tile(tracks[0].camera)
            _draw(tracks[0], frame, options, canvas)
        else:
            canvas = Image.new("P", (columns * width, rows * height), 0)
            canvas.putpalette(PALETTE)
            for index, track in enumerate(tracks):
                tile = new_tile(track.camera)
                _draw(track, frame, options, tile)
                canvas.paste(tile, ((index % columns) * width, (index // columns) * height))
            _draw_dividers(canvas, columns, rows, width, height)
        frames.append(canvas)
    return write_frames(frames, Path(out), options.format, options.fps)


def _draw_dividers(canvas: Image.Image, columns: int, rows: int, width: int, height: int) -> None:
    """1-px lines between grid tiles, so that one tile's ground doesn't run
    into the next."""
    draw = ImageDraw.Draw(canvas)
    for column in range(1, columns):
        draw.line((column * width, 0, column * width, canvas.height), fill=GROUND_LINE)
    for row in range(1, rows):
        draw.line((0, row * height, canvas.width, row * height), fill=GROUND_LINE)
