# attack: a body held together only by muscles from a joint to itself
# expect: invalid_walker
# (Self-connections are dropped with a warning, so nothing is left.)
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    wc.add_joint(10.0, 0.0)
    wc.add_muscle(a, a)
    wc.add_muscle(a, a, 5.0, 0.5)
    return wc.get_walker()
