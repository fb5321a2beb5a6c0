# attack: a joint handle from another walker_creator
# expect: runtime
def make_walker():
    other = walker_creator()
    stranger = other.add_joint(50.0, 50.0)
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    wc.add_muscle(a, b)
    wc.add_muscle(a, stranger)
    return wc.get_walker()
