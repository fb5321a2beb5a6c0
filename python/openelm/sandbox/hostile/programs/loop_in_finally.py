# attack: an infinite loop in a finally block after a caught error
# expect: limit
def make_walker():
    try:
        raise ValueError("start")
    except ValueError:
        pass
    finally:
        while True:
            pass
