"""Inchworm (our design): a chain of tall box segments. In every segment the
diagonal muscle and the bottom muscle beat a quarter cycle apart, so each box
leans forward as its base shortens and straightens as the base lengthens;
each segment beats a tenth of a cycle after the one before it. Written with a small class, as genomes
sometimes are."""

from walker import walker_creator


class Body:
    def __init__(self, wc, height):
        self.wc = wc
        self.height = height
        self.columns = []

    def add_column(self, x):
        bottom = self.wc.add_joint(x, 0.5)
        top = self.wc.add_joint(x, 0.5 + self.height)
        self.wc.add_muscle(bottom, top)
        self.columns.append((bottom, top))

    def link(self, index, amplitude, phase):
        (b0, t0), (b1, t1) = self.columns[index], self.columns[index + 1]
        self.wc.add_muscle(b0, b1, amplitude=amplitude / 2, phase=phase + 0.5)
        self.wc.add_muscle(t0, t1)
        self.wc.add_muscle(b0, t1, amplitude=amplitude, phase=phase + 0.25)


def make_walker():
    wc = walker_creator()
    body = Body(wc, 4.0)
    segments = 5
    for k in range(segments + 1):
        body.add_column(3.0 * k)
    for k in range(segments):
        body.link(k, amplitude=10.0, phase=0.1 * k)
    return wc.get_walker()
