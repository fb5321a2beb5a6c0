"""CPPN-fixed seed: a fixed helper lays out a grid of joints and offers
every pair of neighbours to three small functions, which decide whether
to connect them, the muscle's amplitude and its phase. Mutations are meant
to change only those three functions."""

import math

from walker import walker_creator


def should_connect(x0, y0, x1, y1):
    return abs(x1 - x0) + abs(y1 - y0) <= 2


def muscle_amplitude(x0, y0, x1, y1):
    return min(10.0, 8.0 + 2.0 * abs(math.cos(y0 + x1)))


def muscle_phase(x0, y0, x1, y1):
    return 0.25 * (y0 + y1) + x0 / 4.0


def make_grid_walker(wc, columns, rows, spacing):
    """Fixed: joints on a grid; each neighbouring pair (across, up and the
    two diagonals) is offered to the functions above."""
    joints = {}
    for i in range(columns):
        for j in range(rows):
            joints[(i, j)] = wc.add_joint(i * spacing, j * spacing)
    for (i, j), joint in joints.items():
        for di, dj in ((1, 0), (0, 1), (1, 1), (1, -1)):
            other = (i + di, j + dj)
            if other not in joints or not should_connect(i, j, other[0], other[1]):
                continue
            amplitude = muscle_amplitude(i, j, other[0], other[1])
            phase = muscle_phase(i, j, other[0], other[1])
            wc.add_muscle(joint, joints[other], amplitude=amplitude, phase=phase)


def make_walker():
    wc = walker_creator()
    make_grid_walker(wc, 6, 4, 3.0)
    return wc.get_walker()
