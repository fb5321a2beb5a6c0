# attack: exit() to end the worker
# expect: forbidden
def make_walker():
    exit(0)
