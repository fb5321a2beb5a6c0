# attack: two functions calling each other forever
# expect: limit
def ping(n):
    return pong(n + 1)


def pong(n):
    return ping(n + 1)


def make_walker():
    ping(0)
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
