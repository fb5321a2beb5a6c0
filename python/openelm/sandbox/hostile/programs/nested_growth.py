# attack: allocate 16 KB on every step, keeping it all alive
# expect: limit
def make_walker():
    x = []
    while True:
        x = [x] * 2000
