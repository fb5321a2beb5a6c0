# attack: not Python
# expect: syntax
def make_walker(:
    return
