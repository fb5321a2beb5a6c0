# attack: getattr((), '__class__')
# expect: forbidden
def make_walker():
    cls = getattr((), '__cl' + 'ass__')
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
