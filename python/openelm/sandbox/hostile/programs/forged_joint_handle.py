# attack: integers passed as joint handles
# expect: runtime
def make_walker():
    wc = walker_creator()
    wc.add_joint(0.0, 0.0)
    wc.add_joint(10.0, 0.0)
    wc.add_muscle(0, 1)
    return wc.get_walker()
