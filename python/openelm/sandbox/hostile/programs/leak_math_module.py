# attack: mutate the shared math module; a later run must not see it
# expect: ok
# repeat: 8
import math


def make_walker():
    if math.pi != 3.141592653589793:
        raise ValueError("math.pi leaked from an earlier genome")
    try:
        math.pi = 3.0
    except Exception:
        pass
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
