# attack: count runs in a class attribute; every run must start from a fresh class
# expect: ok
# repeat: 8
class Counter:
    runs = 0


def make_walker():
    Counter.runs += 1
    if Counter.runs != 1:
        raise ValueError('state leaked from an earlier run')
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
