# attack: a string doubled until memory runs out
# expect: limit
def make_walker():
    s = 'x'
    while True:
        s = s + s
