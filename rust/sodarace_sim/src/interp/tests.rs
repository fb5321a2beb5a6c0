//! End-to-end tests of `interpret`: the subset, the walker API, limits and
//! error classification with positions.

use super::*;

fn run(source: &str) -> Result<Genome, GenomeError> {
    interpret(source.as_bytes(), &InterpConfig::default())
}

fn run_with(source: &str, limits: InterpLimits) -> Result<Genome, GenomeError> {
    interpret(
        source.as_bytes(),
        &InterpConfig {
            limits,
            ..InterpConfig::default()
        },
    )
}

/// Wraps a body that prints things into a genome returning a triangle, and
/// returns what it printed.
fn printed(body: &str) -> String {
    let source = format!(
        "{body}\ndef make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n    b = wc.add_joint(1, 0)\n    wc.add_muscle(a, b)\n    return wc.get_walker()\n"
    );
    match run(&source) {
        Ok(g) => g.output,
        Err(e) => panic!("{body}\n=> {e}"),
    }
}

fn error(source: &str) -> GenomeError {
    run(source).expect_err(source)
}

const SQUARE: &str = "
def make_walker():
    wc = walker_creator()
    a = wc.add_joint(0, 0)
    b = wc.add_joint(10, 0)
    c = wc.add_joint(10, 10)
    d = wc.add_joint(0, 10)
    wc.add_muscle(a, b)
    wc.add_muscle(b, c)
    wc.add_muscle(c, d, False, 3.0, 0.5)
    wc.add_muscle(d, a, amplitude=2.0, phase=0.25)
    wc.add_muscle(a, c, True, 7.0, 0.5)
    return wc.get_walker()
";

#[test]
fn square_builds_with_both_muscle_forms() {
    let genome = run(SQUARE).unwrap();
    let w = &genome.walker;
    assert_eq!(
        w.joints,
        vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
    );
    assert_eq!(
        (w.connections[2].amplitude, w.connections[2].phase),
        (3.0, 0.5)
    );
    assert_eq!(
        (w.connections[3].amplitude, w.connections[3].phase),
        (2.0, 0.25)
    );
    // is_distance=True: a passive spring whatever the amplitude.
    assert_eq!(
        (w.connections[4].amplitude, w.connections[4].phase),
        (0.0, 0.0)
    );
    assert!(genome.steps > 10);
}

#[test]
fn interpretation_is_pure_and_parallel_safe() {
    let sources: Vec<&[u8]> = (0..64).map(|_| SQUARE.as_bytes()).collect();
    let results = interpret_many(&sources, &InterpConfig::default());
    let first = run(SQUARE).unwrap();
    assert!(results.iter().all(|r| r.as_ref().ok() == Some(&first)));
}

#[test]
fn accepted_import_forms() {
    for import in [
        "from walker import walker_creator",
        "from walker_creator import walker_creator",
        "from openelm import walker_creator",
        "import walker\nwalker_creator = walker.walker_creator",
        "import math, math as m\nfrom math import sin, pi",
        "",
    ] {
        let source = format!("{import}\n{SQUARE}");
        assert!(run(&source).is_ok(), "{import}");
    }
}

#[test]
fn arithmetic_and_numbers() {
    assert_eq!(
        printed("print(7 // 2, -7 // 2, 7 % -2, 2 ** 10, 2 ** -1, 7 / 2, 1e16, 0.1 + 0.2)"),
        "3 -4 -1 1024 0.5 3.5 1e+16 0.30000000000000004\n"
    );
    assert_eq!(
        printed("print(-7.5 // 2, -7.5 % 2, round(2.5), round(3.5), round(2.675, 2), abs(-3))"),
        "-4.0 0.5 2 4 2.67 3\n"
    );
    assert_eq!(
        printed("print(1 < 2.5 <= 3, 3 == 3.0, True + 1, 5 & 3, 1 << 4, ~5, divmod(-7, 2))"),
        "True True 2 1 16 -6 (-4, 1)\n"
    );
    assert_eq!(
        printed("print(int('12'), int(3.9), float('1.5'), str(1.0), bool([]), int(-2.5))"),
        "12 3 1.5 1.0 False -2\n"
    );
}

#[test]
fn strings_and_fstrings() {
    assert_eq!(printed("x = 3.14159\nprint(f'{x:.2f}|{x:8.3f}|{7:03d}|{x!r}|{\"s\":>4}|{x=}|{1234567:,}|{0.5:%}')"),
        "3.14|   3.142|007|3.14159|   s|x=3.14159|1,234,567|50.000000%\n");
    assert_eq!(printed("print('a,b,,c'.split(','), ' x y '.split(), '-'.join(['a', 'b']), 'abc'[::-1], 'AbC'.lower())"),
        "['a', 'b', '', 'c'] ['x', 'y'] a-b cba abc\n");
    assert_eq!(
        printed("print('{} and {:.1f}'.format('x', 2.25), repr(\"it's\"), 'ab' * 3, 'b' in 'abc')"),
        "x and 2.2 \"it's\" ababab True\n"
    );
    assert_eq!(
        printed("print(f'{1e-5} {1.5e300*1e10} {-0.0} {2.5:g} {1234.5:.2} {123:e}')"),
        "1e-05 inf -0.0 2.5 1.2e+03 1.230000e+02\n"
    );
}

#[test]
fn containers() {
    assert_eq!(printed("a = [3, 1, 2]\na.append(5)\na.sort()\nb = a[1:3]\na[0] = 9\nprint(a, b, a[-1], len(a), a.pop(), a.index(2))"),
        "[9, 2, 3] [2, 3] 5 4 5 1\n");
    assert_eq!(printed("d = {'a': 1}\nd['b'] = 2\nd.setdefault('c', 3)\nprint(d, d.get('z', 0), list(d.items()), 'a' in d, d.pop('a'))"),
        "{'b': 2, 'c': 3} 0 [('a', 1), ('b', 2), ('c', 3)] True 1\n");
    assert_eq!(printed("s = {1, 2}\ns.add(3)\ns.discard(1)\nprint(sorted(s), len(s | {7}), {1, 2} & {2}, set())"),
        "[2, 3] 3 {2} set()\n");
    assert_eq!(printed("t = (1, 2, 3)\na, *rest = t\nx, (y, z) = 1, (2, 3)\nprint(a, rest, x + y + z, t + (4,), t.count(2), (1,))"),
        "1 [2, 3] 6 (1, 2, 3, 4) 1 (1,)\n");
    assert_eq!(printed("print(list(range(10, 0, -3)), range(5)[1:3], list(reversed([1, 2])), 3 in range(0, 10, 3))"),
        "[10, 7, 4, 1] range(1, 3) [2, 1] True\n");
    assert_eq!(
        printed("a = [1]\nb = a\nb += [2]\nprint(a, a is b, [1] == [1], [1] is [1], None is None)"),
        "[1, 2] True True False True\n"
    );
}

#[test]
fn comprehensions_and_builtins() {
    assert_eq!(printed("print([x * x for x in range(5) if x % 2], {k: v for k, v in zip('ab', [1, 2])}, {x % 3 for x in range(9)})"),
        "[1, 9] {'a': 1, 'b': 2} {0, 1, 2}\n");
    assert_eq!(printed("print(sum(x for x in range(4)), [(i, j) for i in range(2) for j in range(i)], list(enumerate('ab', 1)))"),
        "6 [(1, 0)] [(1, 'a'), (2, 'b')]\n");
    assert_eq!(printed("w = ['bb', 'a', 'ccc']\nprint(sorted(w, key=len, reverse=True), max(w, key=len), min(3, 1, 2), any([0, 1]), all([]))"),
        "['ccc', 'bb', 'a'] ccc 1 True True\n");
    assert_eq!(printed("print(isinstance(1, int), isinstance(True, (float, int)), isinstance(1.0, int), list(map(abs, [-1, 2])), list(filter(None, [0, 1])))"),
        "True True False [1, 2] [1]\n");
    assert_eq!(
        printed("x = 5\nprint([x for x in range(2)], x)"),
        "[0, 1] 5\n"
    );
}

#[test]
fn functions_closures_and_classes() {
    assert_eq!(printed("def f(a, b=2, *args, c=3, **kw):\n    return (a, b, args, c, kw)\nprint(f(1), f(1, 5, 6, c=7, d=8), f(b=1, a=0))"),
        "(1, 2, (), 3, {}) (1, 5, (6,), 7, {'d': 8}) (0, 1, (), 3, {})\n");
    assert_eq!(printed("def counter():\n    n = [0]\n    def inc():\n        n[0] += 1\n        return n[0]\n    return inc\nc = counter()\nc()\nprint(c(), (lambda x, y=1: x + y)(2))"),
        "2 3\n");
    assert_eq!(
        printed("fs = [lambda: i for i in range(3)]\nprint([f() for f in fs])"),
        "[2, 2, 2]\n"
    );
    assert_eq!(
        printed("def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nprint(fact(10))"),
        "3628800\n"
    );
    assert_eq!(printed("class P:\n    scale = 2\n    def __init__(self, x):\n        self.x = x\n    def big(self):\n        return self.x * self.scale\np = P(4)\np.x += 1\nprint(p.big(), P.scale, isinstance(p, P))"),
        "10 2 True\n");
}

#[test]
fn exceptions_are_caught_by_hierarchy() {
    assert_eq!(printed("try:\n    [][1]\nexcept LookupError as e:\n    print('lookup', e)\nelse:\n    print('no')\nfinally:\n    print('done')"),
        "lookup list index out of range\ndone\n");
    assert_eq!(
        printed("try:\n    1 / 0\nexcept (ValueError, ArithmeticError):\n    print('arith')"),
        "arith\n"
    );
    assert_eq!(
        printed("try:\n    {}['k']\nexcept KeyError as e:\n    print(e)"),
        "'k'\n"
    );
    assert_eq!(
        printed(
            "try:\n    raise ValueError('bad', 2)\nexcept Exception as e:\n    print(e, e.args)"
        ),
        "('bad', 2) ('bad', 2)\n"
    );
    assert_eq!(
        printed(
            "def f():\n    try:\n        return 1\n    finally:\n        print('fin')\nprint(f())"
        ),
        "fin\n1\n"
    );
    assert_eq!(printed("try:\n    try:\n        int('x')\n    except ValueError:\n        raise\nexcept ValueError as e:\n    print(e)"),
        "invalid literal for int() with base 10: 'x'\n");
}

#[test]
fn uncaught_exceptions_are_runtime_errors_with_position() {
    let e = error("def make_walker():\n    x = 1\n    return x / 0\n");
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Runtime, 3, 12));
    assert_eq!(e.message, "ZeroDivisionError: division by zero");
    let e = error("def make_walker():\n    return undefined_helper()\n");
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Runtime, 2, 12));
    assert!(e
        .message
        .contains("NameError: name 'undefined_helper' is not defined"));
}

#[test]
fn contract_violations() {
    let e = error("def make_walker():\n    return 5\n");
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert_eq!(
        e.message,
        "make_walker must return wc.get_walker(), got int"
    );
    assert!(error("x = 1\n").message.contains("no make_walker()"));
    let e = error("def make_walker():\n    a = walker_creator()\n    b = walker_creator()\n    j = a.add_joint(0, 0)\n    k = b.add_joint(1, 1)\n    b.add_muscle(j, k)\n    return b.get_walker()\n");
    assert_eq!((e.kind, e.line), (ErrorKind::Runtime, 6));
    assert!(e.message.contains("foreign joint handle"), "{}", e.message);
    let e = error("def make_walker():\n    wc = walker_creator()\n    wc.add_muscle(wc.add_joint(0, 0), 3)\n    return wc.get_walker()\n");
    assert!(e.message.contains("foreign joint handle"));
    let e = error("def make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n    b = wc.add_joint(0.01, 0)\n    wc.add_muscle(a, b)\n    return wc.get_walker()\n");
    assert_eq!((e.kind, e.line), (ErrorKind::InvalidWalker, 6));
    let config = InterpConfig {
        entry: "build".into(),
        ..InterpConfig::default()
    };
    assert!(interpret(SQUARE.replace("make_walker", "build").as_bytes(), &config).is_ok());
}

const RETURNED_CREATOR: &str = "make_walker returned the walker_creator; read as wc.get_walker()";

#[test]
fn returning_the_creator_reads_as_get_walker_with_a_warning() {
    let strict = run(SQUARE).unwrap();
    let lenient = run(&SQUARE.replace("return wc.get_walker()", "return wc")).unwrap();
    assert_eq!(lenient.walker, strict.walker);
    assert_eq!(lenient.warnings, vec![RETURNED_CREATOR.to_string()]);
    assert!(strict.warnings.is_empty());
    // The leniency's line comes before validation's repairs.
    let self_link = "def make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n    b = wc.add_joint(4, 0)\n    wc.add_muscle(a, b)\n    wc.add_muscle(b, b)\n    return wc\n";
    assert_eq!(
        run(self_link).unwrap().warnings,
        vec![
            RETURNED_CREATOR.to_string(),
            "connection 1 connects joint 1 to itself: dropped".to_string()
        ]
    );
    // The warning names the configured entry point.
    let config = InterpConfig {
        entry: "build".into(),
        ..InterpConfig::default()
    };
    let source = SQUARE
        .replace("make_walker", "build")
        .replace("return wc.get_walker()", "return wc");
    let genome = interpret(source.as_bytes(), &config).unwrap();
    assert_eq!(
        genome.warnings,
        vec!["build returned the walker_creator; read as wc.get_walker()".to_string()]
    );
    // The body is still validated, and located at the return.
    let e = error("def make_walker():\n    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n    b = wc.add_joint(0.01, 0)\n    wc.add_muscle(a, b)\n    return wc\n");
    assert_eq!((e.kind, e.line), (ErrorKind::InvalidWalker, 6));
    // Only the creator itself is read leniently.
    let e = error("def make_walker():\n    wc = walker_creator()\n    return [wc]\n");
    assert_eq!(
        e.message,
        "make_walker must return wc.get_walker(), got list"
    );
    let e = error("def make_walker():\n    return walker_creator\n");
    assert!(e
        .message
        .starts_with("make_walker must return wc.get_walker(), got "));
}

#[test]
fn errors_are_classified() {
    assert_eq!(error("def f(:\n").kind, ErrorKind::Syntax);
    assert_eq!(error("import os\n").kind, ErrorKind::Forbidden);
    let e = error("x = 1\ny = x.__class__\n");
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Forbidden, 2, 7));
    let e = error("def make_walker():\n    x = 1\n    return x @ x\n");
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Unsupported, 3, 12));
    assert_eq!(error("x = 1j\n").kind, ErrorKind::Unsupported);
    assert_eq!(error("print(hash(1))\n").kind, ErrorKind::Unsupported);
    assert_eq!(
        error("class A(B):\n    pass\n").kind,
        ErrorKind::Unsupported
    );
    assert_eq!(error("x = 'a'.zfill(3)\n").kind, ErrorKind::Unsupported);
    assert_eq!(error("return 1\n").kind, ErrorKind::Syntax);
    assert_eq!(error("break\n").kind, ErrorKind::Syntax);
    let e = interpret(b"x = 1\n\xff\n", &InterpConfig::default()).unwrap_err();
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Syntax, 2, 1));
}

const FILLER: &str = "def make_walker():\n    return walker_creator().get_walker()\n";

fn limit_error(body: &str) -> GenomeError {
    let e = error(&format!("{body}\n{FILLER}"));
    assert_eq!(e.kind, ErrorKind::Limit, "{body}: {e}");
    e
}

#[test]
fn limits_fail_fast_before_allocating() {
    limit_error("x = [0] * 10**9");
    limit_error("x = 2 ** 10 ** 8");
    limit_error("x = 'a' * 10**9");
    limit_error("x = list(range(10**9))");
    limit_error("x = 9223372036854775807 + 1");
    limit_error("x = 10**30");
    limit_error("s = 'ab'\nwhile True:\n    s = s + s");
    limit_error("while True:\n    pass");
    limit_error("def f(n):\n    return f(n + 1)\nf(0)");
    let e = limit_error("x = [0] * 10**9");
    assert_eq!((e.line, e.col), (1, 5));
}

#[test]
fn repeating_an_empty_sequence_is_instant() {
    // Once a loop of 2⁶³ empty copies that no step limit interrupted.
    let body = "print(len([] * 9223372036854775807), len(() * 9223372036854775807))";
    assert_eq!(printed(body), "0 0\n");
}

#[test]
fn limits_cannot_be_caught() {
    for body in [
        "try:\n    while True:\n        pass\nexcept:\n    pass",
        "try:\n    x = [0] * 10**9\nexcept Exception:\n    pass",
        "def f():\n    return f()\ntry:\n    f()\nexcept BaseException:\n    pass",
        "try:\n    x = 2 ** 200\nexcept OverflowError:\n    pass",
        "try:\n    pass\nfinally:\n    while True:\n        pass",
    ] {
        limit_error(body);
    }
}

#[test]
fn joint_caps_apply_as_joints_are_added() {
    let e = error("def make_walker():\n    wc = walker_creator()\n    for i in range(100000):\n        wc.add_joint(i, 0)\n    return wc.get_walker()\n");
    assert_eq!((e.kind, e.line), (ErrorKind::Limit, 4));
    assert!(e.steps < 1000, "{}", e.steps);
}

#[test]
fn heap_and_step_limits_are_configurable() {
    let small = InterpLimits {
        max_steps: 50,
        ..InterpLimits::default()
    };
    let e = run_with("for i in range(100):\n    pass\n", small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.steps, 51);
    let small = InterpLimits {
        max_heap_bytes: 10_000,
        ..InterpLimits::default()
    };
    let e = run_with("x = [[i] for i in range(1000)]\n", small).unwrap_err();
    assert!(e.message.contains("heap"), "{e}");
    let tiny_source = InterpLimits {
        max_source_bytes: 10,
        ..InterpLimits::default()
    };
    assert_eq!(
        run_with(SQUARE, tiny_source).unwrap_err().kind,
        ErrorKind::Limit
    );
}

#[test]
fn print_output_is_capped() {
    let out = printed("for i in range(2000):\n    print('0123456789')");
    assert_eq!(out.len(), DEFAULT_MAX_OUTPUT_BYTES);
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    // Deeper than any stage's recursion could survive on a small stack.
    let deep = format!("x = {}1{}\n", "[".repeat(30_000), "]".repeat(30_000));
    let unclosed = format!("x = {}\n", "(".repeat(30_000));
    let unary = format!("x = {}1\n", "-".repeat(60_000));
    let chain = format!("x = {}1\n", "1 + ".repeat(15_000));
    let or_chain = format!("x = {}1\n", "0 or ".repeat(12_000));
    let elifs = format!(
        "x = 1\nif x == 0:\n    pass\n{}",
        "elif x == 0:\n    pass\n".repeat(5_000)
    );
    // A long flat `or` chain is fine: it runs, and the empty walker is invalid.
    let ran = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || run(&format!("{or_chain}{FILLER}")).unwrap_err().kind)
        .unwrap();
    assert_eq!(ran.join().unwrap(), ErrorKind::InvalidWalker);
    let sources = [deep, unclosed, unary, chain, elifs];
    let handles: Vec<_> = sources
        .into_iter()
        .map(|source| {
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || run(&source).unwrap_err().kind)
                .unwrap()
        })
        .collect();
    for h in handles {
        assert!(matches!(
            h.join().unwrap(),
            ErrorKind::Limit | ErrorKind::Syntax
        ));
    }
    limit_error("it = [1]\nfor i in range(5000):\n    it = enumerate(it)\nfor x in it:\n    pass");
    limit_error(
        "t = ValueError\nfor i in range(5000):\n    t = (t,)\ntry:\n    1 / 0\nexcept t:\n    pass",
    );
    let nested_values = "a = []\nfor i in range(5000):\n    a = [a]\nprint(a == a, str(a))";
    assert_eq!(limit_error(nested_values).kind, ErrorKind::Limit);
}
