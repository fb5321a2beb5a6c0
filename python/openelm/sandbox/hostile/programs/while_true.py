# attack: an infinite loop
# expect: limit
def make_walker():
    while True:
        pass
