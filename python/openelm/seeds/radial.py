"""Radial seed: joints on a circle around a centre joint, a ring of springs,
and a muscle from the centre to every rim joint whose amplitude and phase
grow with its index, so a wave travels round the rim twice a cycle."""

import math

from walker import walker_creator


def make_circle(wc, cx, cy, radius, num_points):
    """Adds `num_points` joints evenly on a circle, joined in a ring."""
    joints = []
    for i in range(num_points):
        angle = 2 * math.pi * i / num_points
        joints.append(wc.add_joint(cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    for i in range(num_points):
        wc.add_muscle(joints[i], joints[(i + 1) % num_points])
    return joints


def make_walker():
    wc = walker_creator()
    num_points = 7
    centre = wc.add_joint(8, 8)
    rim = make_circle(wc, 8, 8, 6, num_points)
    for i, joint in enumerate(rim):
        amplitude = 4.0 + 2.0 * i / (num_points - 1)
        phase = 2 * i / num_points
        wc.add_muscle(centre, joint, amplitude=amplitude, phase=phase)
    return wc.get_walker()
