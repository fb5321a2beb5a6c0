"""Benign genomes exercising every supported feature. Each defines
`compute()` returning numbers; `as_genome` appends a `make_walker()` that
prints them and turns them into a chain of joints and muscles, so any
difference in a value changes the walker or the output."""

from __future__ import annotations

WALKER_TAIL = """

def make_walker():
    wc = walker_creator()
    values = compute()
    print(values)
    previous = wc.add_joint(0, 0)
    for i, v in enumerate(values[:60]):
        v = float(v)
        joint = wc.add_joint(i + 1, v % 7.0)
        wc.add_muscle(previous, joint, amplitude=abs(v) % 10.0, phase=i / 8)
        previous = joint
    return wc.get_walker()
"""


def as_genome(compute_source: str) -> str:
    return "import math\n\n" + compute_source.strip("\n") + "\n" + WALKER_TAIL


PROGRAMS: dict[str, str] = {
    "int_arithmetic": """
def compute():
    return [7 // 2, -7 // 2, 7 % -3, -7 % 3, 2 ** 10, 2 ** -2, 7 / 4, 10 ** 15 % 97, 2 ** 62 // 3, -(3 ** 3)]
""",
    "float_arithmetic": """
def compute():
    a, b = 7.5, -2.0
    return [a // b, a % b, -a // 2, -a % 2, a / 3, a ** 0.5, 0.1 + 0.2, 1e300 * 1e-300, 2.0 ** 10, (-8.0) ** 3]
""",
    "comparisons": """
def compute():
    x = 5
    flags = [1 < x <= 5, 3 == 3.0, x != 5, 2 < 1 < 3, 'a' < 'b', [1, 2] < [1, 3], (1, 2) >= (1, 2), not x]
    return [float(f) for f in flags] + [x if x > 3 else -x]
""",
    "math_functions": """
def compute():
    x = 0.7
    return [math.sin(x), math.cos(x), math.tan(x), math.asin(0.5), math.acos(0.5), math.atan(x),
            math.atan2(1.0, -2.0), math.sqrt(2.0), math.exp(1.0), math.log(10.0), math.log(8, 2),
            math.log2(10.0), math.log10(2.0), math.pow(2.0, 0.5), math.hypot(3.0, 4.0),
            math.radians(90.0), math.degrees(1.0), math.floor(-2.5), math.ceil(2.1),
            math.fabs(-3.0), math.copysign(2.0, -0.0), math.fmod(7.5, 2.0), math.trunc(-2.7),
            math.sinh(0.5), math.cosh(0.5), math.tanh(0.5)]
""",
    "math_constants": """
from math import pi, tau, e, inf, isinf, isnan, isfinite, sin as s

def compute():
    return [pi, tau, e, s(pi / 6), float(isinf(inf)), float(isnan(inf - inf)), float(isfinite(1.0))]
""",
    "closures": """
def make_counter(start):
    count = [start]
    def step(by=1):
        count[0] += by
        return count[0]
    return step

def compute():
    c = make_counter(3)
    c()
    c(5)
    d = make_counter(10)
    return [c(), d(), c(by=2)]
""",
    "nested_scopes": """
def compute():
    scale = 2.5
    def outer(a):
        def inner(b):
            return a * scale + b
        return inner
    f = outer(4)
    return [f(1), f(2), outer(1)(0)]
""",
    "defaults_and_keywords": """
def shape(width, height=2.0, *extra, depth=1.0, **named):
    return width * height * depth + sum(extra) + len(named)

def compute():
    return [shape(1), shape(1, 3), shape(1, 3, 4, 5), shape(2, depth=0.5), shape(height=1, width=4, a=1, b=2)]
""",
    "mutable_default": """
def collect(x, into=[]):
    into.append(x)
    return len(into)

def compute():
    return [collect(1), collect(2), collect(3, []), collect(4)]
""",
    "lambdas_and_sorting": """
def compute():
    points = [(3, 1.5), (1, 2.5), (2, 0.5), (1, 1.0)]
    by_y = sorted(points, key=lambda p: p[1])
    desc = sorted(points, reverse=True)
    square = lambda v, k=2: v ** k
    return [p[0] for p in by_y] + [p[1] for p in desc] + [square(3), square(2, k=3)]
""",
    "class_basics": """
class Segment:
    def __init__(self, x0, y0, x1, y1):
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1

    def length(self):
        return math.sqrt((self.x1 - self.x0) ** 2 + (self.y1 - self.y0) ** 2)

    def scaled(self, k):
        return Segment(self.x0 * k, self.y0 * k, self.x1 * k, self.y1 * k)

def compute():
    s = Segment(0, 0, 3, 4)
    t = s.scaled(1.5)
    return [s.length(), t.length(), t.x1]
""",
    "class_attributes": """
class Leg:
    count = 0
    stiffness = 2.5

    def __init__(self, phase):
        self.phase = phase
        Leg.count += 1

    def shifted(self, by):
        self.phase = (self.phase + by) % 1.0
        return self.phase

def compute():
    legs = [Leg(i / 4) for i in range(4)]
    legs[0].stiffness = 9.0
    return [leg.shifted(0.6) for leg in legs] + [Leg.count, legs[0].stiffness, legs[1].stiffness]
""",
    "list_comprehensions": """
def compute():
    grid = [[i * j for j in range(4)] for i in range(3)]
    flat = [v for row in grid for v in row if v % 2 == 0]
    pairs = [(i, j) for i in range(4) for j in range(i) if (i + j) % 2]
    return flat + [a * 10 + b for a, b in pairs]
""",
    "dict_comprehensions": """
def compute():
    names = ['hip', 'knee', 'foot', 'toe']
    lengths = {name: len(name) * 1.5 for name in names if name != 'toe'}
    lengths['toe'] = 0.5
    inverted = {v: k for k, v in lengths.items()}
    return list(lengths.values()) + [len(inverted), lengths.get('ankle', -1.0)]
""",
    "set_operations": """
def compute():
    a = {1, 2, 3, 4}
    b = set([3, 4, 5])
    a.add(9)
    a.discard(1)
    return sorted(a | b) + sorted(a & b) + sorted(a - b) + sorted(a ^ b) + [len(a.union(b, [20])), float(3 in a)]
""",
    "generator_expressions": """
def compute():
    xs = [0.5 * i - 2.0 for i in range(9)]
    return [sum(x * x for x in xs), max(abs(x) for x in xs), min(x for x in xs if x > 0),
            float(any(x > 1.5 for x in xs)), float(all(x < 3 for x in xs))]
""",
    "fstrings": """
def compute():
    x = 3.14159
    n = 42
    text = f'{x:.2f}|{x:8.3f}|{n:04d}|{n:x}|{x:e}|{x!r}|{n:>5}|{0.25:.1%}|{x:g}|{1234567.891:,.2f}|{x=}'
    print(text)
    return [float(f'{x:.3f}'), float(f'{x * 2:.1f}'), len(text)]
""",
    "string_methods": """
def compute():
    s = '  Hip, Knee ,Foot  '
    parts = [p.strip().lower() for p in s.split(',')]
    joined = '-'.join(parts)
    print(joined, joined.upper(), joined.replace('-', '+'), s.strip().startswith('Hip'), 'foot' in joined)
    return [len(joined), joined.find('knee'), joined.count('o'), float(joined.endswith('foot')), len('a b  c'.split())]
""",
    "str_format": """
def compute():
    text = '{} has {:.2f} units and {:>4} legs, {!r}'.format('walker', 12.3456, 4, 'x')
    print(text)
    return [len(text), float('{0}{0}'.format(7))]
""",
    "try_except_flow": """
def risky(k):
    try:
        if k == 0:
            return 1 / k
        if k == 1:
            return [1, 2][5]
        if k == 2:
            return {'a': 1}['b']
        if k == 3:
            raise ValueError('three')
        return k * 1.5
    except ZeroDivisionError:
        return -1.0
    except LookupError as e:
        print('lookup:', e)
        return -2.0
    except (TypeError, ValueError) as e:
        print('value:', e)
        return -3.0
    finally:
        print('done', k)

def compute():
    return [risky(k) for k in range(5)]
""",
    "try_else_and_reraise": """
def compute():
    out = []
    for text in ['4', 'x', '2.5']:
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError as e:
                print(e)
                value = 0
        else:
            value *= 10
        out.append(value)
    try:
        try:
            raise KeyError('k')
        except KeyError:
            raise
    except LookupError as e:
        out.append(len(e.args))
    return out
""",
    "assertions_and_errors": """
def compute():
    out = []
    try:
        assert 1 > 2, 'bad order'
    except AssertionError as e:
        out.append(len(str(e)))
    try:
        int('12x')
    except ValueError as e:
        print(e)
        out.append(1)
    try:
        [].pop()
    except IndexError as e:
        print(e)
        out.append(2)
    try:
        math.sqrt(-1)
    except ValueError as e:
        print(e)
        out.append(3)
    return out
""",
    "slicing": """
def compute():
    xs = list(range(10))
    s = 'abcdefgh'
    print(xs[2:5], xs[::-2], xs[-3:], xs[:-7], s[1:6:2], s[::-1], (1, 2, 3, 4)[1:])
    ys = xs[:]
    ys[2:4] = [20, 30, 40]
    del ys[0]
    del ys[::3]
    return ys + xs[7:2:-2]
""",
    "unpacking": """
def compute():
    a, b = 1, 2
    a, b = b, a
    (c, d), e = (3, 4), 5
    first, *middle, last = range(6)
    *init, tail = [7, 8, 9]
    for x, (y, z) in [(1, (2, 3)), (4, (5, 6))]:
        a += x * y * z
    return [a, b, c, d, e, first, last, len(middle), len(init), tail]
""",
    "loops": """
def compute():
    out = []
    i = 0
    while True:
        i += 1
        if i % 3 == 0:
            continue
        if i > 10:
            break
        out.append(i)
    for k in range(5):
        if k == 7:
            break
    else:
        out.append(100)
    n = 0
    while n < 3:
        n += 1
    else:
        out.append(n)
    return out
""",
    "enumerate_zip_reversed": """
def compute():
    xs = [1.5, 2.5, 3.5]
    ys = ['a', 'bb', 'ccc']
    out = [i * x for i, x in enumerate(xs, 1)]
    out += [x * len(y) for x, y in zip(xs, ys)]
    out += list(reversed(xs))
    out += [len(list(zip(xs, range(10), 'ab')))]
    return out
""",
    "conversions": """
def compute():
    return [round(2.5), round(3.5), round(-2.5), round(2.675, 2), round(1234.5, -2), round(7, 1),
            abs(-4), abs(-4.5), int(7.9), int(-7.9), int('  42 '), int('ff', 16), float('1e3'),
            float(' -2.5 '), pow(2, 10), pow(2.0, -1), pow(3, 4, 5), divmod(17, 5)[0], divmod(-7.5, 2)[1],
            int(True), float(False) + 1]
""",
    "isinstance_checks": """
def compute():
    items = [1, 2.0, 'x', [1], (1,), {'a': 1}, {1}, True, None]
    kinds = [int, float, str, list, tuple, dict, set, bool]
    return [sum(1 for k in kinds if isinstance(item, k)) for item in items] + [float(isinstance(3, (str, float, int)))]
""",
    "map_filter_any_all": """
def compute():
    xs = [-2, -1, 0, 1, 2]
    squares = list(map(lambda v: v * v, xs))
    sums = list(map(lambda a, b: a + b, xs, squares))
    positive = list(filter(lambda v: v > 0, xs))
    truthy = list(filter(None, xs))
    return squares + sums + positive + truthy + [float(any(xs)), float(all(xs))]
""",
    "dict_methods": """
def compute():
    d = {'a': 1.0, 'b': 2.0}
    d.update({'c': 3.0})
    d.update([('d', 4.0)])
    d.setdefault('a', 100.0)
    d.setdefault('e', 5.0)
    removed = d.pop('b')
    missing = d.pop('zz', -1.0)
    del d['c']
    print(sorted(d.keys()), list(d.values()), d)
    return list(d.values()) + [removed, missing, len(d), float('e' in d), len(dict(x=1, y=2))]
""",
    "list_methods": """
def compute():
    xs = [5, 3, 8]
    xs.insert(1, 7)
    xs.extend([1, 9])
    xs.remove(8)
    ys = xs.copy()
    ys.reverse()
    xs.sort(reverse=True)
    position = xs.index(7)
    popped = xs.pop(0)
    return xs + ys + [position, popped, xs.count(1), len(ys)]
""",
    "recursion": """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def depth(tree):
    if not isinstance(tree, list):
        return 0
    return 1 + max([depth(t) for t in tree] + [0])

def compute():
    return [fib(k) for k in range(12)] + [depth([1, [2, [3, [4]]], []])]
""",
    "augmented_targets": """
class Box:
    def __init__(self):
        self.size = 1.5

def compute():
    xs = [1, 2, 3]
    xs[1] += 10
    xs[-1] *= 3
    d = {'k': 2}
    d['k'] **= 3
    b = Box()
    b.size -= 0.25
    b.size /= 2
    n = 17
    n //= 3
    n %= 4
    n <<= 2
    n |= 1
    return xs + [d['k'], b.size, n]
""",
    "module_constants": """
SPACING = 2.5
COUNT = 4
OFFSETS = [0.1 * k for k in range(COUNT)]

def position(i):
    return i * SPACING + OFFSETS[i % COUNT]

def compute():
    return [position(i) for i in range(6)]
""",
    "late_binding": """
def compute():
    late = [lambda: i for i in range(3)]
    early = [lambda i=i: i for i in range(3)]
    return [f() for f in late] + [f() for f in early]
""",
    "sorting_tuples": """
def compute():
    rows = [(2, 'b', 1.5), (1, 'z', 0.5), (2, 'a', 2.5), (1, 'a', 3.5)]
    rows.sort()
    by_name = sorted(rows, key=lambda r: (r[1], -r[0]))
    return [r[2] for r in rows] + [r[2] for r in by_name]
""",
    "min_max_variants": """
def compute():
    words = ['leg', 'torso', 'arm', 'hip']
    return [len(max(words, key=len)), len(min(words)), max(3, 7.5, 2), min([4, 1, 9]), max([], default=-1),
            min((abs(v - 2.2), v) for v in [1, 2, 3])[1]]
""",
    "strings_and_chars": """
def compute():
    word = 'walker'
    codes = [ord(c) for c in word]
    back = ''.join(chr(c + 1) for c in codes)
    print(back, word[0].upper() + word[1:], word * 2, repr(word))
    return codes + [len(back), float(word.isalpha()), float('123'.isdigit())]
""",
    "ranges": """
def compute():
    r = range(10, -5, -3)
    print(r, list(r), len(range(0, 100, 7)), range(5)[2], 7 in range(1, 10, 2), 8 in range(1, 10, 2))
    return list(r) + [len(range(3, 3)), sum(range(101))]
""",
    "membership": """
def compute():
    d = {'a': 1, (1, 2): 'pair'}
    return [float('a' in d), float((1, 2) in d), float(3 in [1, 2, 3]), float('lk' in 'walker'),
            float(2.0 in {1, 2}), float('x' not in d), float(None is None), float([] is not None)]
""",
    "floats_repr": """
def compute():
    xs = [1e-7, 123456789.123, 1 / 3, 2.5e16, 1e16, 0.1 * 3, -0.0, 100.0, 1e22, 5e-324]
    for x in xs:
        print(x, str(x), repr(x))
    return [x * 1e6 % 10 for x in xs[:4]]
""",
    "exceptions_detail": """
def compute():
    out = []
    for make in [lambda: {}['missing'], lambda: [][0], lambda: 1 // 0, lambda: int('q'), lambda: None + 1]:
        try:
            make()
        except Exception as e:
            print(type_name(e), e)
            out.append(len(str(e)))
    return out

def type_name(e):
    for name, kind in [('key', KeyError), ('index', IndexError), ('zero', ZeroDivisionError), ('value', ValueError), ('type', TypeError)]:
        if isinstance(e, kind):
            return name
    return 'other'
""",
    "instances_in_lists": """
class Node:
    def __init__(self, x, y, mass=1.0):
        self.x = x
        self.y = y
        self.mass = mass

    def moved(self, dx, dy):
        return Node(self.x + dx, self.y + dy, self.mass)

    def energy(self):
        return self.mass * (self.x ** 2 + self.y ** 2)

def compute():
    nodes = [Node(i, i * 0.5) for i in range(4)]
    nodes = [n.moved(1, -1) for n in nodes]
    heaviest = max(nodes, key=lambda n: n.energy())
    return [n.energy() for n in nodes] + [heaviest.x]
""",
    "grid_dict": """
def compute():
    grid = {}
    for i in range(4):
        for j in range(3):
            grid[(i, j)] = i * 3 + j
    out = []
    for (i, j), v in grid.items():
        if (i + 1, j) in grid and (i, j + 1) in grid:
            out.append(v + grid[(i + 1, j)] * 0.5)
    return out
""",
    "none_defaults": """
def describe(x, label=None, scale=None):
    if label is None:
        label = 'x'
    if scale is not None:
        x *= scale
    return len(label) + x

def compute():
    return [describe(1), describe(2, 'long'), describe(3, scale=1.5)]
""",
    "star_calls": """
def combine(a, b, c=0, **extra):
    return a * 100 + b * 10 + c + len(extra)

def compute():
    args = [1, 2]
    options = {'c': 3, 'd': 4}
    return [combine(*args), combine(*args, **options), combine(*[4, 5, 6]), combine(1, *[2], c=9)]
""",
    "sequence_operators": """
def compute():
    a = [1, 2] * 3
    b = a + [9]
    t = (0.5,) * 2 + (1.5,)
    s = 'ab' * 3 + 'c'
    a += (7, 8)
    return a + b + list(t) + [len(s)]
""",
    "bit_operations": """
def compute():
    x = 0b1011
    return [x & 6, x | 4, x ^ 15, x << 3, x >> 1, ~x, -x >> 1, 0x1F, 0o17, 1_000_000 % 977]
""",
    "while_search": """
def compute():
    target = 2.0
    lo, hi = 0.0, 2.0
    steps = 0
    while hi - lo > 1e-9 and not steps >= 200:
        mid = (lo + hi) / 2
        if mid * mid < target:
            lo = mid
        else:
            hi = mid
        steps += 1
    return [lo, hi, steps]
""",
    "int_edges": """
def compute():
    big = 9223372036854775807
    return [big // 3, -big // 7, big % 1000, *divmod(-big - 1, 10), pow(3, -1, 7), pow(5, 2**62, 1009),
            round(big, -18), big / 3, len(range(-big, big, 2**62)), range(0, big, 2**61)[1:9:3][-1],
            sum([big, 1, -2]), -1 << 63, int("-9_223_372_036_854_775_808"), int("0x7f", 0)]
""",
    "numpy_exact": """
import numpy as np


def compute():
    a = np.arange(-4, 5)
    x = np.linspace(-1.5, 2.5, 9)
    y = (a * 2 + 1) // 3 + np.sign(x) * np.abs(x) ** 2 - np.sqrt(np.abs(x))
    return y.tolist() + [float(v) for v in np.arange(0.5, 2, 0.25) % 0.75] + a[::-2].tolist()
""",
    "query_cppn_grid": """
import numpy as np
from openelm.environments.sodaracer.walker import query_cppn


def compute():
    return [1.0]


def make_walker():
    wc = walker_creator()

    def connect(x1, y1, x2, y2):
        same = x1 == x2 and y1 == y2
        return not same and abs(x1 - x2) + abs(y1 - y2) <= 2

    def amp(x1, y1, x2, y2):
        return min(10, abs(x1 - x2) * 3 + y2)

    def phase(x1, y1, x2, y2):
        print(x1, y1, x2, y2)
        return float(np.sign(x1 - y2)) / 3

    joints = query_cppn(wc, 4, 3, 1.25, connect, amp, phase)
    print(len(joints), sorted(joints)[-1])
    return wc.get_walker()
""",
    "paper_form_muscles": """
def compute():
    return [1.0]

def make_walker():
    wc = walker_creator()
    joints = [wc.add_joint(x, y) for x, y in [(0, 0), (4, 0), (4, 4), (0, 4)]]
    wc.add_muscle(joints[0], joints[1], False, 5.0, 0.25)
    wc.add_muscle(joints[1], joints[2], True, 9.0, 0.5)
    wc.add_connection(joints[2], joints[3], amplitude=3.0)
    wc.add_muscle(joints[3], joints[0], is_distance=False, amplitude=1.0, phase=0.75)
    wc.add_muscle(joints[0], joints[2], 2.0)
    wc.add_muscle(joints[1], joints[3], 2.0, 0.125)
    return wc.get_walker()
""",
}


def corpus() -> dict[str, str]:
    """Every program as a full genome. A program that defines its own
    make_walker (the last one) is used as written."""
    genomes = {}
    for name, body in PROGRAMS.items():
        if "def make_walker" in body:
            genomes[name] = "import math\n" + body
        else:
            genomes[name] = as_genome(body)
    return genomes
