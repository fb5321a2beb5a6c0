# attack: a doubly recursive function (2**60 calls)
# expect: limit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def make_walker():
    fib(60)
    wc = walker_creator()
    a = wc.add_joint(0.0, 0.0)
    b = wc.add_joint(10.0, 0.0)
    c = wc.add_joint(5.0, 8.0)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c, 5.0, 0.25)
    wc.add_muscle(c, a)
    return wc.get_walker()
