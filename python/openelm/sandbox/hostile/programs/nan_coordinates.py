# attack: float('nan') joint coordinates
# expect: invalid_walker
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(float('nan'), 0.0)
    b = wc.add_joint(10.0, 0.0)
    wc.add_muscle(a, b)
    return wc.get_walker()
