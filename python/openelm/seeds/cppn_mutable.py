"""CPPN-mutable seed: the same idea as CPPN-fixed, but the grid layout and
the neighbour loop live inside make_walker, so mutations may change them
too."""

import math

from walker import walker_creator


def query_cppn(x0, y0, x1, y1):
    """Returns (connect, amplitude, phase) for a pair of grid points."""
    mid_x = (x0 + x1) / 2.0
    mid_y = (y0 + y1) / 2.0
    connect = abs(x1 - x0) + abs(y1 - y0) <= 2
    amplitude = 0.0 if y0 == y1 == 0 else 8.0 + 5.0 * math.sin(mid_x)
    phase = mid_x / 4.0 + 0.5 * mid_y
    return connect, min(amplitude, 10.0), phase


def make_walker():
    wc = walker_creator()
    columns, rows, spacing = 5, 3, 3.0
    grid = []
    for i in range(columns):
        grid.append([wc.add_joint(i * spacing, j * spacing) for j in range(rows)])
    for i in range(columns):
        for j in range(rows):
            for di, dj in [(1, 0), (0, 1), (1, 1), (1, -1)]:
                ni, nj = i + di, j + dj
                if not (0 <= ni < columns and 0 <= nj < rows):
                    continue
                connect, amplitude, phase = query_cppn(i, j, ni, nj)
                if connect:
                    wc.add_muscle(grid[i][j], grid[ni][nj], amplitude=amplitude, phase=phase)
    return wc.get_walker()
