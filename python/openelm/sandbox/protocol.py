"""The wire format between the pool and its workers.

Every message is one frame: two big-endian u32 lengths (header, payload),
a UTF-8 JSON object as header, then raw payload bytes. Genome sources travel
as payload so that bytes which are not UTF-8 (or contain NULs) reach the
interpreter unchanged; everything else is in the header.

The parent never unpickles or evaluates anything a worker sends: a
compromised worker can at most send a malformed or lying frame, which the
decoder and `results.check_result` turn into a `crashed` genome.
"""

from __future__ import annotations

import json
import struct
from typing import Any

FRAME_PREFIX = struct.Struct(">II")

# A worker's answer is a status, short messages, capped print output and one
# walker's JSON (at most a few thousand joints); anything bigger is hostile.
MAX_WORKER_FRAME_BYTES = 4 << 20
# Parent to worker: a batch of sources. The parent itself never builds one
# larger than this plus a single oversized source (see pool._take_chunk).
MAX_PARENT_FRAME_BYTES = 1 << 30


class ProtocolError(Exception):
    """A frame that breaks the format: too large, not JSON, not an object."""


def encode_frame(header: dict[str, Any], payload: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    return FRAME_PREFIX.pack(len(head), len(payload)) + head + payload


class FrameDecoder:
    """Incremental decoder: feed it whatever `read` returned, get whole frames."""

    def __init__(self, max_frame_bytes: int) -> None:
        self._max_frame_bytes = max_frame_bytes
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[dict[str, Any], bytes]]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= FRAME_PREFIX.size:
            head_len, payload_len = FRAME_PREFIX.unpack_from(self._buffer)
            total = FRAME_PREFIX.size + head_len + payload_len
            if head_len + payload_len > self._max_frame_bytes:
                raise ProtocolError(
                    f"frame of {head_len + payload_len} bytes exceeds {self._max_frame_bytes}"
                )
            if len(self._buffer) < total:
                break
            head = bytes(self._buffer[FRAME_PREFIX.size : FRAME_PREFIX.size + head_len])
            payload = bytes(self._buffer[FRAME_PREFIX.size + head_len : total])
            del self._buffer[:total]
            frames.append((_parse_header(head), payload))
        return frames

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer)


def _parse_header(head: bytes) -> dict[str, Any]:
    try:
        header = json.loads(head)
    # RecursionError: deeply nested JSON from a hostile worker.
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"frame header is not JSON: {type(e).__name__}") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header
