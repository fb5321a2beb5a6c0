"""Galloper (our design): a braced box body on two legs. Each foot hangs
from two body joints by two muscles whose phases differ, so the foot traces
a loop (the upper muscle leads by an eighth of a cycle); the front leg runs half a cycle behind the back leg."""

from walker import walker_creator


def make_leg(wc, upper, lower, foot_x, foot_y, amplitude, phase, lag):
    """A foot held by muscles from two body joints; returns the foot."""
    foot = wc.add_joint(foot_x, foot_y)
    wc.add_muscle(lower, foot, amplitude=amplitude, phase=phase)
    wc.add_muscle(upper, foot, amplitude=amplitude, phase=phase + lag)
    return foot


def make_walker():
    wc = walker_creator()
    back = wc.add_joint(2, 6)
    front = wc.add_joint(12, 6)
    back_top = wc.add_joint(4, 9)
    front_top = wc.add_joint(10, 9)
    body = [back, front, front_top, back_top]
    for k in range(4):
        wc.add_muscle(body[k], body[(k + 1) % 4])
    wc.add_muscle(back, front_top)
    wc.add_muscle(front, back_top)
    make_leg(wc, back_top, back, 2, 2, 10.0, 0.0, -0.125)
    make_leg(wc, front_top, front, 11, 2, 10.0, 0.5, -0.125)
    return wc.get_walker()
