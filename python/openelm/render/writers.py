"""Writing frames: GIF (Pillow), MP4 (imageio + the ffmpeg that the
imageio-ffmpeg wheel carries) and PNG filmstrips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from openelm.errors import OpenelmError

FORMATS = ("gif", "mp4", "png")


class RenderWriteError(OpenelmError):
    """The output file could not be written."""

    exit_code = 1


class UnknownFormatError(OpenelmError):
    """The output format can't be told from the name: a usage error."""

    exit_code = 2


def format_for(path: Path, explicit: str | None) -> str:
    """The format named by `--format`, else by the file's extension."""
    if explicit:
        return explicit.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise UnknownFormatError(
        f"cannot tell the format of {path}: use a .gif, .mp4 or .png name, or --format"
    )


def write_frames(frames: list[Image.Image], path: Path, fmt: str, fps: int) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "gif":
            # Palette frames go straight to LZW; no quantisation, no optimiser
            # passes, so the bytes depend only on the frames.
            # GIF stores frame delays in centiseconds, so 30 fps plays as 30 ms.
            delay_ms = 10 * max(1, round(100 / fps))
            frames[0].save(
                path,
                save_all=True,
                append_images=frames[1:],
                duration=delay_ms,
                loop=0,
                optimize=False,
            )
        elif fmt == "png":
            strip = Image.new("RGB", (frames[0].width * len(frames), frames[0].height))
            for index, frame in enumerate(frames):
                strip.paste(frame.convert("RGB"), (index * frame.width, 0))
            strip.save(path, optimize=False)
        else:
            _write_mp4(frames, path, fps)
    except OSError as error:
        raise RenderWriteError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def _write_mp4(frames: list[Image.Image], path: Path, fps: int) -> None:
    import imageio.v2 as imageio  # imported here: only MP4 output needs ffmpeg

    writer = imageio.get_writer(
        path,
        fps=fps,
        codec="libx264",
        macro_block_size=2,
        ffmpeg_params=["-pix_fmt", "yuv420p", "-threads", "1"],
        ffmpeg_log_level="error",
    )
    with writer:
        for frame in frames:
            writer.append_data(np.asarray(frame.convert("RGB")))
