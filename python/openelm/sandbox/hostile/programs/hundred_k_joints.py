# attack: 100,000 joints
# expect: limit
def make_walker():
    wc = walker_creator()
    for i in range(100000):
        wc.add_joint(i * 0.2, 0.0)
    return wc.get_walker()
