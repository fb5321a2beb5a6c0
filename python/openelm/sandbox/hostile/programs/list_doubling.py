# attack: a list extended with itself until memory runs out
# expect: limit
def make_walker():
    items = [1]
    while True:
        items = items + items
