# attack: grow a mutable default argument; every run must start from a fresh default
# expect: ok
# repeat: 8
def seen(runs=[]):
    runs.append(1)
    return len(runs)


def make_walker():
    if seen() != 1:
        raise ValueError('state leaked from an earlier run')
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
