"""The walker model through Python: construction, JSON, and every validation
rule with its message."""

import json
import math

import pytest
from openelm import InvalidWalkerError, Walker

TRIANGLE_JOINTS = [(0.0, 0.0), (4.0, 0.0), (2.0, 3.0)]
TRIANGLE_CONNECTIONS = [(0, 1, 0.0, 0.0), (1, 2, 3.0, 0.25), (2, 0, 0.0, 0.0)]


def triangle(joints=None, connections=None):
    return Walker(
        joints if joints is not None else TRIANGLE_JOINTS,
        connections if connections is not None else TRIANGLE_CONNECTIONS,
    )


def test_valid_walker_passes_and_reports_its_shape():
    walker = triangle()
    walker.validate()
    assert len(walker) == 3
    assert walker.muscle_count == 1
    assert walker.joints == TRIANGLE_JOINTS
    assert walker.connections == TRIANGLE_CONNECTIONS
    height, width, mass = walker.descriptors()
    assert (height, width) == (3.0, 4.0)
    assert mass == pytest.approx(3 + 0.5 * (4 + 2 * math.hypot(2, 3)))


def test_json_round_trip_is_lossless():
    walker = triangle(joints=[(0.1 + 0.2, 1e-300), (4.0, 0.0), (2.0, math.pi)])
    text = walker.to_json()
    assert Walker.from_json(text) == walker
    data = json.loads(text)
    assert data["joints"][0] == [0.1 + 0.2, 1e-300]
    assert data["connections"][1] == {"a": 1, "b": 2, "amplitude": 3.0, "phase": 0.25}


def test_malformed_json_is_a_value_error():
    with pytest.raises(ValueError, match="malformed walker JSON"):
        Walker.from_json('{"joints": [[0, 0]]}')


@pytest.mark.parametrize(
    "joints, connections, message",
    [
        ([], [], "empty walker: no joints"),
        (TRIANGLE_JOINTS, [], "walker has no connections"),
        (
            TRIANGLE_JOINTS,
            [(0, 3, 0.0, 0.0)],
            "connection 0 refers to joint 3, but there are only 3 joints",
        ),
        (
            TRIANGLE_JOINTS,
            [(0, 1, 0.0, 0.0), (2, 2, 0.0, 0.0)],
            "connection 1 connects joint 2 to itself",
        ),
        (
            [(0.0, 0.0), (math.nan, 1.0), (2.0, 3.0)],
            TRIANGLE_CONNECTIONS,
            "joint 1 has a NaN or infinite coordinate",
        ),
        (
            [(0.0, 0.0), (1.0, math.inf), (2.0, 3.0)],
            TRIANGLE_CONNECTIONS,
            "joint 1 has a NaN or infinite coordinate",
        ),
        (
            TRIANGLE_JOINTS,
            [(0, 1, math.nan, 0.0)],
            "connection 0 has a NaN or infinite amplitude or phase",
        ),
        (
            TRIANGLE_JOINTS,
            [(0, 1, 1.0, math.inf)],
            "connection 0 has a NaN or infinite amplitude or phase",
        ),
        (
            [(0.0, 0.0), (1000.5, 0.0)],
            [(0, 1, 0.0, 0.0)],
            "joint 1 coordinate 1000.5 is outside [-1000, 1000]",
        ),
        (TRIANGLE_JOINTS, [(0, 1, 10.5, 0.0)], "connection 0 amplitude 10.5 is outside [0, 10]"),
        (TRIANGLE_JOINTS, [(0, 1, -0.1, 0.0)], "connection 0 amplitude -0.1 is outside [0, 10]"),
        (
            [(0.0, 0.0), (0.01, 0.0)],
            [(0, 1, 0.0, 0.0)],
            "joints 0 and 1 are 0.0100 apart (min 0.0136)",
        ),
    ],
    ids=[
        "empty",
        "no-connections",
        "dangling-index",
        "self-connection",
        "nan-coordinate",
        "inf-coordinate",
        "nan-amplitude",
        "inf-phase",
        "coordinate-bound",
        "amplitude-high",
        "amplitude-negative",
        "joints-too-close",
    ],
)
def test_each_rule_rejects_with_its_reason(joints, connections, message):
    with pytest.raises(InvalidWalkerError) as excinfo:
        Walker(joints, connections).validate()
    assert str(excinfo.value) == message


def test_a_joint_in_more_than_ten_connections_is_rejected():
    hub = [(0.0, 0.0)] + [
        (math.cos(k / 11 * 2 * math.pi) * 5, math.sin(k / 11 * 2 * math.pi) * 5) for k in range(11)
    ]
    spokes = [(0, k, 0.0, 0.0) for k in range(1, 12)]
    with pytest.raises(InvalidWalkerError, match=r"^joint 0 is in 11 connections \(max 10\)$"):
        Walker(hub, spokes).validate()
    Walker(hub, spokes[:10]).validate()


def test_caps_are_configurable_and_checked_before_the_rest():
    # 300 joints all at the same point: only the cap may fire, and it must
    # fire before the O(n²) distance check would.
    crowd = [(0.0, 0.0)] * 300
    with pytest.raises(InvalidWalkerError, match=r"^too many joints: 300 \(max 256\)$"):
        Walker(crowd, [(0, 1, 0.0, 0.0)]).validate()
    with pytest.raises(InvalidWalkerError, match=r"^too many joints: 3 \(max 2\)$"):
        triangle().validate(max_joints=2)
    many = [(0, 1, 0.0, 0.0)] * 1025
    with pytest.raises(InvalidWalkerError, match=r"^too many connections: 1025 \(max 1024\)$"):
        Walker(TRIANGLE_JOINTS, many).validate()
    with pytest.raises(InvalidWalkerError, match=r"^too many connections: 3 \(max 2\)$"):
        triangle().validate(max_connections=2)


def test_invalid_walker_error_is_a_value_error():
    assert issubclass(InvalidWalkerError, ValueError)
