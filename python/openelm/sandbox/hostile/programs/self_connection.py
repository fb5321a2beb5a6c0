# attack: a muscle from a joint to itself
# expect: invalid_walker
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    wc.add_muscle(a, b)
    wc.add_muscle(a, a)
    return wc.get_walker()
