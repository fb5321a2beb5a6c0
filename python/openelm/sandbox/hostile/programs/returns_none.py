# attack: make_walker returns nothing
# expect: runtime
def make_walker():
    wc = walker_creator()
    wc.add_joint(0.0, 0.0)
