"""Rendering walkers: frame counts, pixels where the trajectory says,
identical bytes, MP4, and error paths."""

import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from openelm import Walker, simulate
from openelm.render import RenderError, RenderOptions, Subject, render_subjects
from openelm.render.frames import JOINT, PALETTE
from openelm.render.scene import Camera

OPENELM = str(Path(sys.executable).with_name("openelm"))
SEEDS = Path(__file__).resolve().parents[2] / "python" / "openelm" / "seeds"

# A square that walks (feet a quarter cycle apart), as in the simulator tests.
WALKER = Walker(
    [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (5.0, 5.0)],
    [(0, 1, 0, 0), (1, 2, 0, 0), (2, 3, 0, 0), (3, 0, 0, 0), (4, 0, 10, 0), (4, 1, 10, 0.25), (4, 2, 10, 0.25), (4, 3, 10, 0.75)],
)


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
        assert gif.info["duration"] == 30  # centiseconds: 30 fps → 3 cs


def test_joints_are_drawn_where_the_trajectory_puts_them(tmp_path):
    out = render(tmp_path, seconds=1.0, fps=10, follow=False, trail=False)
    trajectory = simulate(WALKER, seconds=1.0, record_every=6).trajectory
    camera = Camera.fitting(trajectory, 480, 320)
    centre_x = float(trajectory[0].astype(np.float64).mean(axis=0)[0])
    joint_rgb = tuple(PALETTE[3 * JOINT : 3 * JOINT + 3])
    with Image.open(out) as gif:
        for frame in (0, 7, 19):
            gif.seek(frame)
            rgb = gif.convert("RGB")
            for x, y in camera.to_pixels(trajectory[frame].astype(np.float64), centre_x):
                assert rgb.getpixel((round(x), round(y))) == joint_rgb, f"no joint at ({x:.0f}, {y:.0f}) in frame {frame}"
            # And the frame is not blank: a joint is a small fraction of it.
            colours = rgb.getcolors(maxcolors=256)
            assert len(colours) > 4


def test_rendering_twice_gives_identical_bytes(tmp_path):
    first = render(tmp_path, "a.gif", seconds=2.0)
    second = render(tmp_path, "b.gif", seconds=2.0)
    assert first.read_bytes() == second.read_bytes()


def test_mp4_opens_with_the_expected_frame_count(tmp_path):
    out = render(tmp_path, "w.mp4", format="mp4", seconds=2.0, fps=20)
    frames = iio.imread(out)
    assert frames.shape == (3 * 20 + 1, 320, 480, 3)


def test_png_is_a_filmstrip_of_evenly_spaced_frames(tmp_path):
    out = render(tmp_path, "w.png", format="png", seconds=2.0, filmstrip_frames=6)
    with Image.open(out) as strip:
        assert strip.size == (6 * 480, 320)


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
    bad = Walker([(0.0, 0.0), (1.0, 0.0)], [(0, 0, 0.0, 0.0)])
    with pytest.raises(RenderError, match="connects joint 0 to itself"):
        render_subjects([Subject(bad, "bad")], tmp_path / "x.gif", RenderOptions())


def run(*args):
    return subprocess.run([OPENELM, *args], capture_output=True, text=True, timeout=120)


def test_cli_renders_a_genome_through_the_sandbox(tmp_path):
    out = tmp_path / "square.gif"
    done = run("render", str(SEEDS / "square.py"), "--out", str(out), "--seconds", "1", "--fps", "10")
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
    invalid.write_text(Walker([(0.0, 0.0), (1.0, 0.0)], [(0, 0, 0.0, 0.0)]).to_json())
    args = [a.format(walker=walker, invalid=invalid) for a in args]
    done = subprocess.run([OPENELM, "render", *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
