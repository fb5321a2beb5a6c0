//! The lowered program: a tree whose names are already resolved to slots,
//! whose attribute and keyword names are interned symbols, and whose nodes
//! carry byte offsets for error positions.

use std::rc::Rc;

use super::value::Value;

/// An interned identifier (attribute, keyword, parameter or method name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sym(pub u32);

macro_rules! well_known_symbols {
    ($($name:ident = $text:literal,)*) => {
        /// Names the runtime dispatches on, interned first so their symbols
        /// are constants.
        pub const WELL_KNOWN: &[&str] = &[$($text,)*];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        enum WellKnownIndex { $($name,)* }
        pub mod sym {
            use super::Sym;
            $(pub const $name: Sym = Sym(super::WellKnownIndex::$name as u32);)*
        }
        /// The symbol of a well-known name, without any table.
        pub fn well_known(name: &str) -> Option<Sym> {
            match name {
                $($text => Some(sym::$name),)*
                _ => None,
            }
        }
    };
}

well_known_symbols! {
    INIT = "__init__",
    // list, dict, set, str and tuple methods
    APPEND = "append", EXTEND = "extend", POP = "pop", INSERT = "insert",
    INDEX = "index", COUNT = "count", COPY = "copy", SORT = "sort",
    REVERSE = "reverse", REMOVE = "remove", CLEAR = "clear", GET = "get",
    ITEMS = "items", KEYS = "keys", VALUES = "values", SETDEFAULT = "setdefault",
    UPDATE = "update", ADD = "add", DISCARD = "discard", UNION = "union",
    INTERSECTION = "intersection", DIFFERENCE = "difference",
    ISSUBSET = "issubset", JOIN = "join", SPLIT = "split", STRIP = "strip",
    LSTRIP = "lstrip", RSTRIP = "rstrip", UPPER = "upper", LOWER = "lower",
    REPLACE = "replace", STARTSWITH = "startswith", ENDSWITH = "endswith",
    FORMAT = "format", FIND = "find", ISDIGIT = "isdigit", ISALPHA = "isalpha",
    // keyword arguments of builtins
    KEY = "key", DEFAULT = "default", START = "start", SEP = "sep", END = "end",
    AMPLITUDE = "amplitude", PHASE = "phase", IS_DISTANCE = "is_distance",
    // the math module
    PI = "pi", E = "e", TAU = "tau", INF = "inf", NAN = "nan",
    SIN = "sin", COS = "cos", TAN = "tan", ASIN = "asin", ACOS = "acos",
    ATAN = "atan", ATAN2 = "atan2", SINH = "sinh", COSH = "cosh", TANH = "tanh",
    SQRT = "sqrt", EXP = "exp", LOG = "log", LOG2 = "log2", LOG10 = "log10",
    POW = "pow", FLOOR = "floor", CEIL = "ceil", FABS = "fabs", HYPOT = "hypot",
    RADIANS = "radians", DEGREES = "degrees", ISNAN = "isnan", ISINF = "isinf",
    ISFINITE = "isfinite", COPYSIGN = "copysign", FMOD = "fmod", TRUNC = "trunc",
    // the walker API
    WALKER_CREATOR = "walker_creator", ADD_JOINT = "add_joint",
    ADD_MUSCLE = "add_muscle", ADD_CONNECTION = "add_connection",
    GET_WALKER = "get_walker",
    // exception attributes
    ARGS = "args",
}

/// Offset in bytes from the start of the source.
pub type Pos = u32;

pub struct Program {
    pub module: Code,
    /// Every `def`, `lambda` and class body, indexed by `FuncIndex`.
    pub functions: Vec<FuncCode>,
    /// Names interned beyond `WELL_KNOWN`; symbol `WELL_KNOWN.len() + i`
    /// is `symbols[i]`.
    pub symbols: Vec<Rc<str>>,
    pub globals: Vec<GlobalSlot>,
    /// Global slot of the entry function, if the module binds that name.
    pub entry: Option<u32>,
}

impl Program {
    pub fn name(&self, s: Sym) -> &str {
        let i = s.0 as usize;
        match WELL_KNOWN.get(i) {
            Some(name) => name,
            None => &self.symbols[i - WELL_KNOWN.len()],
        }
    }

    /// How many symbols the program has (well-known ones included).
    pub fn symbol_count(&self) -> usize {
        WELL_KNOWN.len() + self.symbols.len()
    }

    /// The symbol of a name the program mentions, if any.
    pub fn lookup(&self, name: &str) -> Option<Sym> {
        well_known(name).or_else(|| {
            let i = self.symbols.iter().position(|s| **s == *name)?;
            Some(Sym((WELL_KNOWN.len() + i) as u32))
        })
    }
}

pub struct GlobalSlot {
    pub name: Sym,
    /// The builtin a module-level name shadows: what it reads as before the
    /// module binds it.
    pub builtin: Option<Value>,
}

/// A frame's layout and its statements.
pub struct Code {
    pub n_slots: u32,
    /// Slots captured by inner functions; they hold a cell, made fresh on
    /// entry (wrapping the argument for parameters).
    pub cell_slots: Vec<u32>,
    pub body: Vec<Stmt>,
}

pub type FuncIndex = u32;

pub struct FuncCode {
    pub name: Rc<str>,
    /// Positional-or-keyword parameters, in slots 0..params.len().
    pub params: Vec<Sym>,
    /// How many trailing `params` have defaults.
    pub n_defaults: u32,
    pub vararg: Option<u32>,
    /// Keyword-only parameters: name, slot, and the index of its default in
    /// the function object's `kw_defaults` when it has one.
    pub kwonly: Vec<(Sym, u32, Option<u32>)>,
    pub kwarg: Option<u32>,
    /// Where each free variable comes from in the defining frame.
    pub captures: Vec<Capture>,
    pub code: Code,
    /// For class bodies: the names the body binds and their slots, which
    /// become the class's attributes.
    pub class_attrs: Vec<(Sym, u32)>,
}

#[derive(Clone, Copy, Debug)]
pub enum Capture {
    /// A cell in a slot of the defining frame.
    Slot(u32),
    /// A free variable of the defining function.
    Free(u32),
}

pub struct Stmt {
    pub at: Pos,
    pub kind: StmtKind,
}

pub enum StmtKind {
    Expr(Expr),
    Assign(Vec<Target>, Expr),
    AugAssign(Target, BinOp, Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    While(Expr, Vec<Stmt>, Vec<Stmt>),
    For(Target, Expr, Vec<Stmt>, Vec<Stmt>),
    Return(Option<Expr>),
    Break,
    Continue,
    Raise(Option<Expr>),
    Try(Box<Try>),
    Assert(Expr, Option<Expr>),
    /// `def`/`class`: bind a new function object (or, for a class, run its
    /// body) to the target.
    Def(Target, FuncIndex, Vec<Expr>, Vec<Expr>),
    Class(Target, FuncIndex, Rc<str>),
    Delete(Vec<Target>),
}

pub struct Try {
    pub body: Vec<Stmt>,
    pub handlers: Vec<Handler>,
    pub orelse: Vec<Stmt>,
    pub finally: Vec<Stmt>,
}

pub struct Handler {
    pub at: Pos,
    /// None for a bare `except:`.
    pub kind: Option<Expr>,
    pub name: Option<Target>,
    pub body: Vec<Stmt>,
}

pub enum Target {
    Local(u32),
    Cell(u32),
    Global(u32),
    Attr(Expr, Sym),
    Item(Expr, Expr),
    /// Tuple/list unpacking; `star` is the index of a starred target.
    Unpack(Vec<Target>, Option<usize>, Pos),
}

pub struct Expr {
    pub at: Pos,
    pub kind: ExprKind,
}

pub enum ExprKind {
    Const(Value),
    /// Slot reads carry the name for "referenced before assignment" errors.
    Local(u32, Sym),
    Cell(u32, Sym),
    Free(u32, Sym),
    Global(u32),
    /// A name bound nowhere: raises NameError when evaluated.
    Undefined(Sym),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a and b and ...` / `a or b or ...`, flat so that long chains do
    /// not nest.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Args),
    /// `obj.name(args)`, dispatched without making a bound method.
    CallMethod(Box<Expr>, Sym, Args),
    Attr(Box<Expr>, Sym),
    Item(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    List(Vec<Element>),
    Tuple(Vec<Element>),
    Set(Vec<Element>),
    /// Entries; a `None` key is a `**mapping` spread.
    Dict(Vec<(Option<Expr>, Expr)>),
    Comprehension(Box<Comprehension>),
    Lambda(FuncIndex, Vec<Expr>, Vec<Expr>),
    FString(Vec<FPart>),
}

pub enum Element {
    One(Expr),
    Star(Expr),
}

pub struct Args {
    pub positional: Vec<Element>,
    pub keywords: Vec<Keyword>,
}

pub enum Keyword {
    Named(Sym, Expr),
    Spread(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
}

pub struct Comprehension {
    pub kind: CompKind,
    pub generators: Vec<Generator>,
    /// The element, or the key of a dict comprehension.
    pub element: Expr,
    pub value: Option<Expr>,
    /// Comprehension variables captured by inner lambdas: fresh cells each run.
    pub cell_slots: Vec<u32>,
}

pub struct Generator {
    pub target: Target,
    pub iter: Expr,
    pub conditions: Vec<Expr>,
}

pub enum FPart {
    Literal(Rc<str>),
    Field(Box<Field>),
}

pub struct Field {
    pub expr: Expr,
    pub conversion: Conversion,
    pub spec: Option<Vec<FPart>>,
    /// `f"{x=}"`: the text printed before the value.
    pub debug: Option<Rc<str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    None,
    Str,
    Repr,
}
