//! Runtime values and the per-genome heap.
//!
//! Containers live in typed arenas owned by one `Heap` and are referred to
//! by index, so values are cheap to copy, reference cycles cannot leak and
//! dropping a deeply nested structure cannot overflow the stack: everything
//! is freed at once when the genome ends. Strings are immutable `Rc<str>`.

use std::rc::Rc;

use hashbrown::HashTable;

use super::ir::Sym;
use crate::walker::{Connection, Walker};

macro_rules! arena_ids {
    ($($name:ident),*) => {
        $(
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct $name(pub u32);
        )*
    };
}

arena_ids!(
    ListId, TupleId, DictId, SetId, RangeId, IterId, FuncId, MethodId, ClassId, InstId, ExcId,
    CellId, CreatorId, WalkerId, ArrayId
);

#[derive(Clone, Debug)]
pub enum Value {
    /// A local that has not been assigned yet (never visible to genomes).
    Unbound,
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(ListId),
    Tuple(TupleId),
    Dict(DictId),
    Set(SetId),
    Range(RangeId),
    Iter(IterId),
    Func(FuncId),
    Method(MethodId),
    Builtin(Builtin),
    Class(ClassId),
    Instance(InstId),
    ExcType(ExcKind),
    Exception(ExcId),
    Module(ModuleKind),
    Creator(CreatorId),
    /// A joint handle: the creator it belongs to and its index there.
    Joint(CreatorId, u32),
    Walker(WalkerId),
    /// The box of a captured variable (only ever stored in a frame slot).
    Cell(CellId),
    /// A numpy array (see `numpy.rs`).
    Array(ArrayId),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    Math,
    Walker,
    Numpy,
}

/// Builtin functions and types, the math module's functions and the walker
/// API's constructor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    // types, which are also constructors and `isinstance` targets
    Int,
    Float,
    Bool,
    Str,
    List,
    Tuple,
    Dict,
    Set,
    Range,
    // functions
    Len,
    Enumerate,
    Zip,
    Min,
    Max,
    Abs,
    Sum,
    Round,
    Sorted,
    Reversed,
    IsInstance,
    Print,
    Any,
    All,
    Map,
    Filter,
    Divmod,
    Pow,
    Repr,
    Chr,
    Ord,
    // math
    MathSin,
    MathCos,
    MathTan,
    MathAsin,
    MathAcos,
    MathAtan,
    MathAtan2,
    MathSinh,
    MathCosh,
    MathTanh,
    MathSqrt,
    MathExp,
    MathLog,
    MathLog2,
    MathLog10,
    MathPow,
    MathFloor,
    MathCeil,
    MathFabs,
    MathHypot,
    MathRadians,
    MathDegrees,
    MathIsnan,
    MathIsinf,
    MathIsfinite,
    MathCopysign,
    MathFmod,
    MathTrunc,
    // the numpy subset (numpy.rs)
    NpArray,
    NpZeros,
    NpOnes,
    NpLinspace,
    NpArange,
    NpSin,
    NpCos,
    NpTan,
    NpTanh,
    NpExp,
    NpSqrt,
    NpAbs,
    NpSign,
    // the walker API
    WalkerCreator,
    QueryCppn,
}

impl Builtin {
    /// The builtin a global name refers to when the genome does not bind it.
    pub fn from_name(name: &str) -> Option<Builtin> {
        use Builtin::*;
        Some(match name {
            "int" => Int,
            "float" => Float,
            "bool" => Bool,
            "str" => Str,
            "list" => List,
            "tuple" => Tuple,
            "dict" => Dict,
            "set" => Set,
            "range" => Range,
            "len" => Len,
            "enumerate" => Enumerate,
            "zip" => Zip,
            "min" => Min,
            "max" => Max,
            "abs" => Abs,
            "sum" => Sum,
            "round" => Round,
            "sorted" => Sorted,
            "reversed" => Reversed,
            "isinstance" => IsInstance,
            "print" => Print,
            "any" => Any,
            "all" => All,
            "map" => Map,
            "filter" => Filter,
            "divmod" => Divmod,
            "pow" => Pow,
            "repr" => Repr,
            "chr" => Chr,
            "ord" => Ord,
            "walker_creator" => WalkerCreator,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use Builtin::*;
        match self {
            Int => "int",
            Float => "float",
            Bool => "bool",
            Str => "str",
            List => "list",
            Tuple => "tuple",
            Dict => "dict",
            Set => "set",
            Range => "range",
            Len => "len",
            Enumerate => "enumerate",
            Zip => "zip",
            Min => "min",
            Max => "max",
            Abs => "abs",
            Sum => "sum",
            Round => "round",
            Sorted => "sorted",
            Reversed => "reversed",
            IsInstance => "isinstance",
            Print => "print",
            Any => "any",
            All => "all",
            Map => "map",
            Filter => "filter",
            Divmod => "divmod",
            Pow => "pow",
            Repr => "repr",
            Chr => "chr",
            Ord => "ord",
            MathSin => "sin",
            MathCos => "cos",
            MathTan => "tan",
            MathAsin => "asin",
            MathAcos => "acos",
            MathAtan => "atan",
            MathAtan2 => "atan2",
            MathSinh => "sinh",
            MathCosh => "cosh",
            MathTanh => "tanh",
            MathSqrt => "sqrt",
            MathExp => "exp",
            MathLog => "log",
            MathLog2 => "log2",
            MathLog10 => "log10",
            MathPow => "pow",
            MathFloor => "floor",
            MathCeil => "ceil",
            MathFabs => "fabs",
            MathHypot => "hypot",
            MathRadians => "radians",
            MathDegrees => "degrees",
            MathIsnan => "isnan",
            MathIsinf => "isinf",
            MathIsfinite => "isfinite",
            MathCopysign => "copysign",
            MathFmod => "fmod",
            MathTrunc => "trunc",
            NpArray => "array",
            NpZeros => "zeros",
            NpOnes => "ones",
            NpLinspace => "linspace",
            NpArange => "arange",
            NpSin => "sin",
            NpCos => "cos",
            NpTan => "tan",
            NpTanh => "tanh",
            NpExp => "exp",
            NpSqrt => "sqrt",
            NpAbs => "abs",
            NpSign => "sign",
            WalkerCreator => "walker_creator",
            QueryCppn => "query_cppn",
        }
    }

    pub fn is_numpy(self) -> bool {
        (Builtin::NpArray as u32..=Builtin::NpSign as u32).contains(&(self as u32))
    }

    pub fn is_type(self) -> bool {
        use Builtin::*;
        matches!(
            self,
            Int | Float | Bool | Str | List | Tuple | Dict | Set | Range
        )
    }
}

/// The builtin exception classes a genome can raise and catch, with
/// Python's hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExcKind {
    BaseException,
    Exception,
    ArithmeticError,
    LookupError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    ZeroDivisionError,
    OverflowError,
    AttributeError,
    AssertionError,
    RuntimeError,
    NotImplementedError,
    NameError,
    UnboundLocalError,
}

impl ExcKind {
    pub fn from_name(name: &str) -> Option<ExcKind> {
        use ExcKind::*;
        Some(match name {
            "BaseException" => BaseException,
            "Exception" => Exception,
            "ArithmeticError" => ArithmeticError,
            "LookupError" => LookupError,
            "ValueError" => ValueError,
            "TypeError" => TypeError,
            "KeyError" => KeyError,
            "IndexError" => IndexError,
            "ZeroDivisionError" => ZeroDivisionError,
            "OverflowError" => OverflowError,
            "AttributeError" => AttributeError,
            "AssertionError" => AssertionError,
            "RuntimeError" => RuntimeError,
            "NotImplementedError" => NotImplementedError,
            "NameError" => NameError,
            "UnboundLocalError" => UnboundLocalError,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use ExcKind::*;
        match self {
            BaseException => "BaseException",
            Exception => "Exception",
            ArithmeticError => "ArithmeticError",
            LookupError => "LookupError",
            ValueError => "ValueError",
            TypeError => "TypeError",
            KeyError => "KeyError",
            IndexError => "IndexError",
            ZeroDivisionError => "ZeroDivisionError",
            OverflowError => "OverflowError",
            AttributeError => "AttributeError",
            AssertionError => "AssertionError",
            RuntimeError => "RuntimeError",
            NotImplementedError => "NotImplementedError",
            NameError => "NameError",
            UnboundLocalError => "UnboundLocalError",
        }
    }

    fn parent(self) -> Option<ExcKind> {
        use ExcKind::*;
        match self {
            BaseException => None,
            Exception => Some(BaseException),
            ZeroDivisionError | OverflowError => Some(ArithmeticError),
            KeyError | IndexError => Some(LookupError),
            NotImplementedError => Some(RuntimeError),
            UnboundLocalError => Some(NameError),
            _ => Some(Exception),
        }
    }

    pub fn is_subclass_of(self, other: ExcKind) -> bool {
        let mut kind = Some(self);
        while let Some(k) = kind {
            if k == other {
                return true;
            }
            kind = k.parent();
        }
        false
    }
}

/// A raised exception: its class, its arguments and where it was raised.
#[derive(Clone, Debug)]
pub struct ExcObj {
    pub kind: ExcKind,
    pub args: Vec<Value>,
    pub at: Option<u32>,
}

/// A range. Its bounds are i128 because slicing a range can move them
/// past the i64 range while every element stays inside it (CPython's
/// `range(0, 2**63-1, 2**62)[:9]` is `range(0, 2**63, 2**62)`); `range()`
/// itself takes i64 arguments, and slices and reversals only ever select
/// elements of an existing range, so every element fits in an i64.
pub struct RangeObj {
    pub start: i128,
    pub stop: i128,
    pub step: i128,
}

impl RangeObj {
    /// The number of elements. At most 2⁶⁴ − 1 (a subset of an i64 range),
    /// so it fits a `usize` on the 64-bit targets the crate supports; it
    /// may exceed `i64::MAX`, where CPython's `len()` raises OverflowError.
    pub fn len(&self) -> usize {
        let (start, stop, step) = (self.start, self.stop, self.step);
        let n = if step > 0 && start < stop {
            (stop - start - 1) / step + 1
        } else if step < 0 && stop < start {
            (start - stop - 1) / -step + 1
        } else {
            0
        };
        n as usize
    }

    pub fn get(&self, index: usize) -> i64 {
        // An element of an i64 range by construction (see the type's doc).
        (self.start + index as i128 * self.step) as i64
    }

    /// The same elements in reverse order, for iterating: bounds that
    /// would not matter are normalised, since a one-element range may have
    /// any step (`range(0, 1, 2**62)[::2**62]`) and negating it could leave
    /// i128.
    pub fn reversed(&self) -> RangeObj {
        match self.len() {
            0 => RangeObj {
                start: 0,
                stop: 0,
                step: 1,
            },
            1 => RangeObj {
                start: self.start,
                stop: self.start + 1,
                step: 1,
            },
            // Two or more elements of an i64 range: |step| < 2⁶⁴.
            n => RangeObj {
                start: self.start + (n as i128 - 1) * self.step,
                stop: self.start - self.step,
                step: -self.step,
            },
        }
    }
}

/// The state of a lazy iteration (a `for` loop's, or an iterator value's).
#[derive(Clone, Debug)]
pub enum IterState {
    List(ListId, usize),
    Tuple(TupleId, usize),
    Str(Rc<str>, usize),
    Range {
        next: usize,
        range: RangeId,
    },
    Dict(DictId, usize, usize),
    Set(SetId, usize, usize),
    ListReversed(ListId, usize),
    Array(ArrayId, usize),
    /// The inner iteration and the next count (i128: it may pass i64::MAX
    /// once the last item is out).
    Enumerate(Box<IterState>, i128),
    Zip(Vec<IterState>),
    /// An iterator value: advancing it advances the shared state.
    Shared(IterId),
    Done,
}

pub struct FuncObj {
    pub code: u32,
    pub defaults: Vec<Value>,
    pub kw_defaults: Vec<Value>,
    pub closure: Vec<CellId>,
}

pub enum MethodTarget {
    Func(FuncId),
    Native(Sym),
}

pub struct MethodObj {
    pub receiver: Value,
    pub target: MethodTarget,
}

pub struct ClassObj {
    pub name: Rc<str>,
    pub attrs: Vec<(Sym, Value)>,
}

pub struct InstanceObj {
    pub class: ClassId,
    pub attrs: Vec<(Sym, Value)>,
}

/// A `walker_creator()` body under construction.
#[derive(Default)]
pub struct CreatorObj {
    pub joints: Vec<[f64; 2]>,
    pub connections: Vec<Connection>,
}

/// The value `get_walker()` returns, with where it was called.
pub struct WalkerObj {
    pub walker: Walker,
    pub at: u32,
}

/// An insertion-ordered hash table: the storage of dicts (key and value)
/// and sets (key only; the value is None). Hashes are computed by the
/// runtime (`ops::hash_key`), deterministically, and passed in.
#[derive(Default, Clone)]
pub struct Table {
    entries: Vec<Option<Entry>>,
    index: HashTable<u32>,
    live: usize,
}

#[derive(Clone)]
pub struct Entry {
    pub hash: u64,
    pub key: Value,
    pub value: Value,
}

impl Table {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn find(&self, hash: u64, mut same_key: impl FnMut(&Value) -> bool) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash, |&i| match &entries[i as usize] {
                Some(e) => e.hash == hash && same_key(&e.key),
                None => false,
            })
            .map(|&i| i as usize)
    }

    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i).and_then(|e| e.as_ref())
    }

    pub fn value_mut(&mut self, i: usize) -> Option<&mut Value> {
        self.entries
            .get_mut(i)
            .and_then(|e| e.as_mut())
            .map(|e| &mut e.value)
    }

    /// Adds a key known to be absent.
    pub fn push(&mut self, hash: u64, key: Value, value: Value) {
        let i = self.entries.len() as u32;
        self.entries.push(Some(Entry { hash, key, value }));
        let entries = &self.entries;
        self.index
            .insert_unique(hash, i, |&j| entry_hash(entries, j));
        self.live += 1;
    }

    pub fn remove_at(&mut self, i: usize) -> Option<Entry> {
        let entry = self.entries.get_mut(i)?.take()?;
        if let Ok(slot) = self.index.find_entry(entry.hash, |&j| j as usize == i) {
            slot.remove();
        }
        self.live -= 1;
        if self.live == 0 {
            self.entries.clear();
        }
        Some(entry)
    }

    /// Slot positions run from 0 to `capacity()`; removed ones read as None.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().flatten()
    }

    pub fn clear(&mut self) {
        *self = Table::default();
    }
}

fn entry_hash(entries: &[Option<Entry>], i: u32) -> u64 {
    entries[i as usize].as_ref().map_or(0, |e| e.hash)
}

/// Every object a genome creates. Arenas only grow during a run.
#[derive(Default)]
pub struct Heap {
    pub lists: Vec<Vec<Value>>,
    pub tuples: Vec<Box<[Value]>>,
    pub dicts: Vec<Table>,
    pub sets: Vec<Table>,
    pub ranges: Vec<RangeObj>,
    pub iters: Vec<IterState>,
    pub funcs: Vec<FuncObj>,
    pub methods: Vec<MethodObj>,
    pub classes: Vec<ClassObj>,
    pub instances: Vec<InstanceObj>,
    pub exceptions: Vec<ExcObj>,
    pub cells: Vec<Value>,
    pub creators: Vec<CreatorObj>,
    pub walkers: Vec<WalkerObj>,
    pub arrays: Vec<super::numpy::ArrayData>,
}
