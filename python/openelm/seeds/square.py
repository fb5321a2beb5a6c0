"""Square seed: four corner joints around a centre joint. Springs form the
outline; spokes from the centre to three corners are muscles with different
amplitudes and phases, and the fourth spoke is a spring."""

from walker import walker_creator


def make_square(wc, x0, y0, x1, y1):
    """Adds the corners counter-clockwise from (x0, y0), joined by springs."""
    corners = [
        wc.add_joint(x0, y0),
        wc.add_joint(x1, y0),
        wc.add_joint(x1, y1),
        wc.add_joint(x0, y1),
    ]
    for k in range(len(corners)):
        wc.add_muscle(corners[k], corners[(k + 1) % len(corners)])
    return corners


def make_walker():
    wc = walker_creator()
    corners = make_square(wc, 0, 0, 10, 10)
    centre = wc.add_joint(5, 5)
    # The spoke to the first corner is a spring; the other three are
    # muscles of rising amplitude, the last half a cycle ahead of the others.
    wc.add_muscle(corners[0], centre)
    wc.add_muscle(corners[1], centre, False, 6.0, 0.5)
    wc.add_muscle(corners[2], centre, False, 8.0, 0.5)
    wc.add_muscle(corners[3], centre, False, 10.0, 0.0)
    return wc.get_walker()
