# attack: muscle amplitude 1000 (cap is 10)
# expect: invalid_walker
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    wc.add_muscle(a, b, 1000.0, 0.0)
    return wc.get_walker()
