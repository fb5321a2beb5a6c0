# attack: attribute dunder on the walker API object
# expect: forbidden
def make_walker():
    wc = walker_creator()
    d = wc.__dict__
    return wc.get_walker()
