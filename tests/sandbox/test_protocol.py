"""Frames and the parent's distrust of what workers send back."""

from __future__ import annotations

import json

import pytest
from openelm import Walker
from openelm.sandbox.protocol import FRAME_PREFIX, FrameDecoder, ProtocolError, encode_frame
from openelm.sandbox.results import check_result


def test_frames_survive_arbitrary_splits():
    frames = [({"type": "eval", "ids": [1, 2]}, b"\xff\x00src"), ({"type": "x"}, b"")]
    data = b"".join(encode_frame(h, p) for h, p in frames)
    decoder = FrameDecoder(1 << 20)
    got = []
    for i in range(len(data)):
        got += decoder.feed(data[i : i + 1])
    assert got == frames and decoder.pending_bytes == 0


@pytest.mark.parametrize(
    "frame, message",
    [
        (FRAME_PREFIX.pack(1 << 30, 0), "exceeds"),
        (FRAME_PREFIX.pack(3, 0) + b"{{{", "not JSON"),
        (FRAME_PREFIX.pack(2, 0) + b"[]", "not a JSON object"),
        (FRAME_PREFIX.pack(200_000, 0) + b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
    ids=["oversized", "garbage", "not-object", "deep-nesting"],
)
def test_hostile_frames_are_protocol_errors(frame, message):
    with pytest.raises(ProtocolError, match=message):
        FrameDecoder(1 << 20).feed(frame)


WALKER = Walker(
    [(0.0, 0.0), (10.0, 0.0), (5.0, 8.0)], [(0, 1, 0.0, 0.0), (1, 2, 5.0, 0.25), (2, 0, 0.0, 0.0)]
)


def honest_answer(**changes):
    height, width, mass = WALKER.descriptors()
    sim = {
        "valid": True,
        "fitness": 1.5,
        "height": height,
        "width": width,
        "mass": mass,
        "joints": 3,
        "muscles": 1,
        "steps": 960,
        "error": None,
    }
    answer = {
        "type": "result",
        "id": 0,
        "status": "ok",
        "error": None,
        "line": 0,
        "col": 0,
        "interp_steps": 40,
        "output": "",
        "walker": WALKER.to_json(),
        "sim": sim,
    }
    for key, value in changes.items():
        if key.startswith("sim_"):
            sim[key[4:]] = value
        else:
            answer[key] = value
    return answer


def test_honest_answer_is_accepted():
    result = check_result(honest_answer(), {})
    assert (result.status, result.fitness, result.joints, result.muscles, result.sim_steps) == (
        "ok",
        1.5,
        3,
        1,
        960,
    )
    assert Walker.from_json(result.walker_json) == WALKER


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "escaped"},
        {"status": "timeout"},
        {"line": -1},
        {"interp_steps": True},
        {"error": 5},
        {"walker": "{not json"},
        {"walker": None},
        {"sim_height": 99.0},
        {"sim_mass": float("nan")},
        {"sim_joints": 4},
        {"sim_muscles": 0},
        {"sim_fitness": float("inf")},
        {"sim_fitness": -1.0},
        {"sim_valid": "yes"},
        {
            "walker": json.dumps(
                {
                    "joints": [[0, 0], [0, 0]],
                    "connections": [{"a": 0, "b": 1, "amplitude": 0, "phase": 0}],
                }
            )
        },
    ],
    ids=lambda c: ",".join(c),
)
def test_lying_answers_are_protocol_errors(changes):
    with pytest.raises(ProtocolError):
        check_result(honest_answer(**changes), {})


def test_diverged_simulation_becomes_invalid_walker_with_sim_error():
    result = check_result(
        honest_answer(sim_valid=False, sim_fitness=0.0, sim_error="simulation diverged: NaN"), {}
    )
    assert result.status == "invalid_walker"
    assert result.sim_error == result.error == "simulation diverged: NaN"
    assert result.fitness is None and result.walker_json is not None


def test_long_text_is_clipped():
    result = check_result(
        honest_answer(status="runtime", error="x" * 10**6, output="y" * 10**6), {}
    )
    assert len(result.error) == 2000 and len(result.output) == 1 << 16


def test_walker_caps_apply_to_revalidation():
    with pytest.raises(ProtocolError, match="fails validation"):
        check_result(honest_answer(), {"max_joints": 2})
