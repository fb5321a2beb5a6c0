# attack: make_walker returns an int
# expect: runtime
def make_walker():
    return 42
