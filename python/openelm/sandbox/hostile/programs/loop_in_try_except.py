# attack: an infinite loop inside try/except Exception, retried forever
# expect: limit
def make_walker():
    while True:
        try:
            while True:
                pass
        except Exception:
            pass
