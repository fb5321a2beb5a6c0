# attack: an infinite loop whose limit error a bare except tries to swallow
# expect: limit
def make_walker():
    while True:
        try:
            n = 0
            while True:
                n += 1
        except:
            continue
