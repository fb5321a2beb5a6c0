"""Rendering walkers from files: frame counts, pixels where the trajectory
says, colours by connection kind and muscle phase, identical bytes, MP4,
PNG filmstrips, and error paths."""

import math
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from openelm import SimConfig, simulate
from openelm.render import RenderError, RenderOptions, Subject, render_subjects
from openelm.render.frames import JOINT, MUSCLE_BASE, MUSCLE_SHADES, PALETTE, SPRING, TRAIL
from openelm.render.scene import Camera
from PIL import Image

from tests.render.conftest import INVALID_WALKER, WALKER, run_cli, square_walker

SEEDS = Path(__file__).resolve().parents[2] / "python" / "openelm" / "seeds"


def rgb_of(index: int) -> tuple[int, int, int]:
    return tuple(PALETTE[3 * index : 3 * index + 3])


def colours_near(image: Image.Image, point: np.ndarray) -> set[tuple[int, int, int]]:
    """The colours of the 3x3 pixels around `point` (lines 2-3 px wide may
    sit half a pixel to either side of the exact position)."""
    x, y = round(point[0]), round(point[1])
    return {image.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}


def render(tmp_path, name="w.gif", **options):
    out = tmp_path / name
    render_subjects([Subject(WALKER, "test")], out, RenderOptions(**options))
    return out


def test_gif_has_one_frame_per_recorded_step_and_the_requested_size(tmp_path):
    out = render(tmp_path, seconds=2.0, fps=30, size=(320, 240))
    with Image.open(out) as gif:
        # 1 s settle + 2 s scored, every 2 steps, plus the dropped pose.
        assert gif.n_frames == 3 * 30 + 1
        assert gif.size == (320, 240)
        assert gif.info["duration"] == 30  # ms; GIF delays are whole centiseconds, 1/30 s → 3 cs


def test_joints_are_drawn_where_the_trajectory_puts_them(tmp_path):
    out = render(tmp_path, seconds=1.0, fps=10, follow=False, trail=False)
    trajectory = simulate(WALKER, SimConfig(seconds=1.0), record_every=6).trajectory
    camera = Camera.fitting(trajectory, 480, 320)
    centre_x = float(trajectory[0].astype(np.float64).mean(axis=0)[0])
    joint_rgb = rgb_of(JOINT)
    with Image.open(out) as gif:
        for frame in (0, 7, 19):
            gif.seek(frame)
            rgb = gif.convert("RGB")
            pixels = camera.to_pixels(trajectory[frame].astype(np.float64), centre_x)
            # The camera stays put, so a fast walker may leave the frame.
            inside = [(x, y) for x, y in pixels if 0 <= x < 480 and 0 <= y < 320]
            assert inside, f"every joint left the frame by frame {frame}"
            for x, y in inside:
                assert rgb.getpixel((round(x), round(y))) == joint_rgb, (
                    f"no joint at ({x:.0f}, {y:.0f}) in frame {frame}"
                )
            # And the frame is not blank: a joint is a small fraction of it.
            colours = rgb.getcolors(maxcolors=256)
            assert len(colours) > 4


# The same square with gentle muscles in four phases: it keeps its shape, so
# no two connections' midpoints come near each other.
BRACED_SQUARE = square_walker(3.0, (0.0, 0.25, 0.5, 0.75))


def test_springs_are_drawn_plain_and_muscles_in_the_colour_of_their_phase(tmp_path):
    out = tmp_path / "braced.gif"
    render_subjects(
        [Subject(BRACED_SQUARE, "braced")],
        out,
        RenderOptions(seconds=3.0, fps=10, follow=False, trail=False),
    )
    record_every = 6
    trajectory = simulate(
        BRACED_SQUARE, SimConfig(seconds=3.0), record_every=record_every
    ).trajectory.astype(np.float64)
    camera = Camera.fitting(trajectory, 480, 320)
    centre_x = float(trajectory[0].mean(axis=0)[0])
    springs = [(a, b) for a, b, amplitude, _ in BRACED_SQUARE.connections if amplitude == 0]
    muscles = [
        (a, b, phase) for a, b, amplitude, phase in BRACED_SQUARE.connections if amplitude != 0
    ]
    seen_shades = set()
    with Image.open(out) as gif:
        for frame in (5, 13, 22, 31):
            gif.seek(frame)
            rgb = gif.convert("RGB")
            pixels = camera.to_pixels(trajectory[frame], centre_x)
            # Midpoints of springs (the outline) and of muscles (the spokes)
            # are far from every other line, so each shows its own colour.
            for a, b in springs:
                near = colours_near(rgb, (pixels[a] + pixels[b]) / 2)
                assert rgb_of(SPRING) in near, f"spring {a}-{b} in frame {frame}"
            # The oscillator turns at 3 rad/s; a muscle's colour is its
            # current cycle (oscillator + own phase) on the hue wheel.
            seconds = frame * record_every / 60
            for a, b, phase in muscles:
                cycle = (3 * seconds / (2 * math.pi) + phase) % 1.0
                shade = MUSCLE_BASE + int(cycle * MUSCLE_SHADES)
                near = colours_near(rgb, (pixels[a] + pixels[b]) / 2)
                assert rgb_of(shade) in near, f"muscle {a}-{b} in frame {frame}"
                assert rgb_of(SPRING) not in near, (
                    f"muscle {a}-{b} drawn like a spring in frame {frame}"
                )
                seen_shades.add(shade)
    assert len(seen_shades) >= 4, "muscle colours should change with phase and time"


def test_the_trail_follows_the_centre_of_mass(tmp_path):
    with_trail = render(tmp_path, "trail.gif", seconds=2.0, fps=10, follow=False, trail=True)
    without = render(tmp_path, "plain.gif", seconds=2.0, fps=10, follow=False, trail=False)
    trajectory = simulate(WALKER, SimConfig(seconds=2.0), record_every=6).trajectory.astype(
        np.float64
    )
    camera = Camera.fitting(trajectory, 480, 320)
    centre_of_mass = camera.to_pixels(trajectory.mean(axis=1), float(trajectory[0].mean(axis=0)[0]))
    last = len(trajectory) - 1
    with Image.open(with_trail) as a, Image.open(without) as b:
        a.seek(last)
        b.seek(last)
        drawn, plain = np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB"))
    changed = np.argwhere((drawn != plain).any(axis=2))
    assert len(changed) > 20, "no trail drawn"
    assert all(tuple(drawn[y, x]) == rgb_of(TRAIL) for y, x in changed)
    # Every changed pixel lies on the polyline through the recorded centres of mass.
    assert distance_to_polyline(changed[:, ::-1].astype(np.float64), centre_of_mass).max() < 1.5


def distance_to_polyline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Each point's distance to the nearest segment between consecutive vertices."""
    start, end = vertices[:-1], vertices[1:]
    direction = end - start
    length_sq = np.maximum((direction**2).sum(axis=1), 1e-12)
    along = ((points[:, None, :] - start[None]) * direction[None]).sum(axis=2) / length_sq
    nearest = start[None] + np.clip(along, 0, 1)[..., None] * direction[None]
    return np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1)


def test_rendering_twice_gives_identical_bytes(tmp_path):
    first = render(tmp_path, "a.gif", seconds=2.0)
    second = render(tmp_path, "b.gif", seconds=2.0)
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) > 10_000


def test_mp4_opens_with_the_expected_frame_count(tmp_path):
    out = render(tmp_path, "w.mp4", format="mp4", seconds=2.0, fps=20)
    frames = iio.imread(out)
    assert frames.shape == (3 * 20 + 1, 320, 480, 3)


def test_png_is_a_filmstrip_of_evenly_spaced_animation_frames(tmp_path):
    strip_path = render(tmp_path, "w.png", format="png", seconds=2.0, fps=10, filmstrip_frames=6)
    gif_path = render(tmp_path, "w.gif", seconds=2.0, fps=10)
    with Image.open(strip_path) as strip, Image.open(gif_path) as gif:
        assert strip.size == (6 * 480, 320)
        # 31 frames (3 s every 6 steps), six of them evenly spaced: 0, 6, 12, 18, 24, 30.
        for tile, frame in enumerate((0, 6, 12, 18, 24, 30)):
            gif.seek(frame)
            expected = np.asarray(gif.convert("RGB"))
            shown = np.asarray(strip.convert("RGB").crop((tile * 480, 0, (tile + 1) * 480, 320)))
            assert np.array_equal(shown, expected), f"filmstrip tile {tile} is not frame {frame}"


def test_several_walkers_render_as_a_grid(tmp_path):
    out = tmp_path / "grid.gif"
    subjects = [Subject(WALKER, f"#{k}") for k in range(3)]
    render_subjects(subjects, out, RenderOptions(seconds=1.0, fps=10, size=(200, 150)))
    with Image.open(out) as gif:
        assert gif.size == (400, 300)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"fps": 7}, "--fps must divide 60"),
        ({"size": (10, 10)}, "--size must be between"),
        ({"format": "mp4", "size": (481, 320)}, "even width and height"),
        ({"seconds": 0.0}, "--seconds must be in"),
    ],
)
def test_bad_options_are_refused(tmp_path, options, message):
    with pytest.raises(RenderError, match=message):
        render(tmp_path, **options)


def test_invalid_walker_is_refused_with_its_reason(tmp_path):
    with pytest.raises(RenderError, match="connects joint 0 to itself"):
        render_subjects([Subject(INVALID_WALKER, "bad")], tmp_path / "x.gif", RenderOptions())


def test_cli_renders_a_genome_through_the_sandbox(tmp_path):
    out = tmp_path / "square.gif"
    done = run_cli(
        "render", str(SEEDS / "square.py"), "--out", str(out), "--seconds", "1", "--fps", "10"
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as gif:
        assert gif.n_frames == 21


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["missing.json", "--out", "x.gif"], 2, "file not found"),
        (["{walker}", "--out", "x.avi"], 2, "cannot tell the format"),
        (["{walker}", "--out", "x.gif", "--size", "big"], 2, "is not WxH"),
        (["{walker}", "--out", "x.gif", "--fps", "7"], 2, "--fps must divide 60"),
        (["{walker}", "best", "--out", "x.gif"], 2, "only applies to a run directory"),
        (["{invalid}", "--out", "x.gif"], 1, "connects joint 0 to itself"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, code, message):
    walker = tmp_path / "w.json"
    walker.write_text(WALKER.to_json())
    invalid = tmp_path / "invalid.json"
    invalid.write_text(INVALID_WALKER.to_json())
    args = [a.format(walker=walker, invalid=invalid) for a in args]
    done = run_cli("render", *args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_terrain_is_drawn(tmp_path):
    from openelm.render.frames import GROUND_LINE

    options = {"seconds": 1.0, "fps": 10, "follow": False, "trail": False}
    flat, wall = (render(tmp_path, f"{t}.gif", terrain=t, **options) for t in ("flat", "left-wall"))
    trajectory = simulate(WALKER, SimConfig(seconds=1.0), record_every=6).trajectory
    camera = Camera.fitting(trajectory, 480, 320)
    centre_x = float(trajectory[0].astype(np.float64).mean(axis=0)[0])
    # The wall's face stands 0.05 m left of the body, from the ground up.
    face_x = float(trajectory[0][:, 0].min()) - 0.05
    x, y = camera.to_pixels(np.array([face_x, 0.3]), centre_x)
    line = rgb_of(GROUND_LINE)
    with Image.open(wall) as image:
        assert line in colours_near(image.convert("RGB"), np.array([x, y]))
    with Image.open(flat) as image:
        assert line not in colours_near(image.convert("RGB"), np.array([x, y]))


def test_a_replay_that_differs_from_the_stored_fitness_warns(tmp_path):
    from openelm.render.animate import ReplayMismatchWarning

    stored = Subject(WALKER, "elite 7", fitness=123.0)
    with pytest.warns(ReplayMismatchWarning, match=r"elite 7: replayed fitness .* stored 123"):
        render_subjects([stored], tmp_path / "x.png", RenderOptions(seconds=1.0))
    replayed = simulate(WALKER, SimConfig(seconds=1.0)).fitness
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ReplayMismatchWarning)
        render_subjects(
            [Subject(WALKER, "same", fitness=replayed)],
            tmp_path / "y.png",
            RenderOptions(seconds=1.0),
        )
