# attack: a legal body so large and fast that the simulation runs away
# expect: invalid_walker
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(-1000.0, 0.0)
    b = wc.add_joint(1000.0, 0.0)
    c = wc.add_joint(0.0, 1000.0)
    wc.add_muscle(a, b, 10.0, 0.0)
    wc.add_muscle(b, c, 10.0, 0.5)
    wc.add_muscle(c, a, 10.0, 0.25)
    return wc.get_walker()
