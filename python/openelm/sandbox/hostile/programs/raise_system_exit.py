# attack: raise SystemExit
# expect: runtime
def make_walker():
    raise SystemExit(0)
