//! The walker API, implemented natively: `walker_creator()`, `add_joint`,
//! `add_muscle` (alias `add_connection`), `get_walker`, and OpenELM's
//! `query_cppn` helper.
//!
//! `add_muscle` accepts both signatures found in the wild:
//! - OpenELM: `add_muscle(j0, j1, amplitude=0.0, phase=0.0)`;
//! - paper: `add_muscle(j0, j1, is_distance, amplitude, phase)`, recognised
//!   by a bool third positional argument (or an `is_distance=` keyword).
//!   With `is_distance` true the connection is a passive spring: amplitude
//!   and phase are recorded as 0.0 whatever was passed.
//!
//! Joint and connection caps are enforced as they are added, so a genome
//! adding 100k joints fails at the first one past the cap.

use super::error::ErrorKind;
use super::ir::{sym, BinOp, Sym};
use super::run::{fatal, raise, type_error, Machine, Res, OBJECT_BYTES, VALUE_BYTES};
use super::value::*;
use crate::walker::{Connection, Walker};

impl Machine<'_> {
    pub fn new_creator(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        if !args.is_empty() || !kwargs.is_empty() {
            return type_error("walker_creator() takes no arguments");
        }
        self.charge(OBJECT_BYTES)?;
        self.heap.creators.push(CreatorObj::default());
        Ok(Value::Creator(CreatorId(
            self.heap.creators.len() as u32 - 1,
        )))
    }

    pub fn creator_has_method(name: Sym) -> bool {
        matches!(
            name,
            sym::ADD_JOINT | sym::ADD_MUSCLE | sym::ADD_CONNECTION | sym::GET_WALKER
        )
    }

    pub fn call_creator(
        &mut self,
        id: CreatorId,
        name: Sym,
        args: &[Value],
        kwargs: &[(Sym, Value)],
    ) -> Res<Value> {
        match name {
            sym::ADD_JOINT => self.add_joint(id, args, kwargs),
            sym::ADD_MUSCLE | sym::ADD_CONNECTION => self.add_muscle(id, args, kwargs),
            sym::GET_WALKER => {
                if !args.is_empty() || !kwargs.is_empty() {
                    return type_error("get_walker() takes no arguments");
                }
                let creator = &self.heap.creators[id.0 as usize];
                let walker = Walker {
                    joints: creator.joints.clone(),
                    connections: creator.connections.clone(),
                };
                self.charge(
                    OBJECT_BYTES + (walker.joints.len() + walker.connections.len()) * VALUE_BYTES,
                )?;
                self.heap.walkers.push(WalkerObj {
                    walker,
                    at: self.pos,
                });
                Ok(Value::Walker(WalkerId(self.heap.walkers.len() as u32 - 1)))
            }
            _ => raise(
                ExcKind::AttributeError,
                format!(
                    "'walker_creator' object has no attribute '{}'",
                    self.prog.name(name)
                ),
            ),
        }
    }

    fn add_joint(&mut self, id: CreatorId, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        if args.len() != 2 || !kwargs.is_empty() {
            return type_error(format!(
                "add_joint() takes 2 positional arguments (x, y) but {} were given",
                args.len()
            ));
        }
        let x = self.float_arg("add_joint", &args[0])?;
        let y = self.float_arg("add_joint", &args[1])?;
        let max = self.walker_limits.max_joints;
        let creator = &mut self.heap.creators[id.0 as usize];
        if creator.joints.len() >= max {
            return fatal(ErrorKind::Limit, format!("too many joints (max {max})"));
        }
        creator.joints.push([x, y]);
        let index = creator.joints.len() as u32 - 1;
        self.charge(2 * VALUE_BYTES)?;
        Ok(Value::Joint(id, index))
    }

    fn joint_index(&self, id: CreatorId, v: &Value) -> Res<u32> {
        match v {
            Value::Joint(owner, index) if *owner == id => Ok(*index),
            Value::Joint(..) => {
                type_error("foreign joint handle: the joint belongs to another walker_creator")
            }
            other => type_error(format!(
                "foreign joint handle: expected a joint from add_joint(), got {}",
                self.type_name(other)
            )),
        }
    }

    fn add_muscle(&mut self, id: CreatorId, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        if args.len() < 2 {
            return type_error("add_muscle() needs two joints");
        }
        let a = self.joint_index(id, &args[0])?;
        let b = self.joint_index(id, &args[1])?;
        let rest = &args[2..];
        let paper_form = matches!(rest.first(), Some(Value::Bool(_)));
        let names: &[Sym] = if paper_form {
            &[sym::IS_DISTANCE, sym::AMPLITUDE, sym::PHASE]
        } else {
            &[sym::AMPLITUDE, sym::PHASE]
        };
        if rest.len() > names.len() {
            return type_error(format!(
                "add_muscle() takes at most {} arguments ({} given)",
                names.len() + 2,
                args.len()
            ));
        }
        let mut is_distance: Option<Value> = None;
        let mut amplitude: Option<Value> = None;
        let mut phase: Option<Value> = None;
        let given = rest
            .iter()
            .cloned()
            .zip(names.iter().copied())
            .chain(kwargs.iter().map(|(n, v)| (v.clone(), *n)));
        for (value, name) in given {
            let slot = match name {
                sym::IS_DISTANCE => &mut is_distance,
                sym::AMPLITUDE => &mut amplitude,
                sym::PHASE => &mut phase,
                other => {
                    return type_error(format!(
                        "add_muscle() got an unexpected keyword argument '{}'",
                        self.sym_name(other)
                    ));
                }
            };
            if slot.replace(value).is_some() {
                return type_error(format!(
                    "add_muscle() got multiple values for argument '{}'",
                    self.prog.name(name)
                ));
            }
        }
        let spring = match &is_distance {
            Some(v) => self.truthy(v)?,
            None => false,
        };
        let number = |v: Option<Value>| match v {
            Some(v) => self.float_arg("add_muscle", &v),
            None => Ok(0.0),
        };
        let (amplitude, phase) = (number(amplitude)?, number(phase)?);
        let (amplitude, phase) = if spring {
            (0.0, 0.0)
        } else {
            (amplitude, phase)
        };
        let max = self.walker_limits.max_connections;
        let creator = &mut self.heap.creators[id.0 as usize];
        if creator.connections.len() >= max {
            return fatal(
                ErrorKind::Limit,
                format!("too many connections (max {max})"),
            );
        }
        creator.connections.push(Connection {
            a,
            b,
            amplitude,
            phase,
        });
        self.charge(4 * VALUE_BYTES)?;
        Ok(Value::None)
    }
}

/// The parameters of `query_cppn`, in OpenELM's order and names.
const QUERY_CPPN_PARAMS: [&str; 7] = [
    "wc",
    "xgrid",
    "ygrid",
    "scale",
    "connect_func",
    "amp_func",
    "phase_func",
];

impl Machine<'_> {
    /// `query_cppn(wc, xgrid, ygrid, scale, connect_func, amp_func,
    /// phase_func)`, the helper OpenELM's walker package exports (the ELM
    /// paper's CPPN seeds use it). It behaves as OpenELM's does:
    ///
    /// 1. adds an `xgrid` × `ygrid` grid of joints, x outer and y inner,
    ///    joint (x, y) at (x * scale, y * scale);
    /// 2. visits every pair (x1, y1) → (x2, y2) with x2 ≥ x1 and y2 ≥ y1,
    ///    in loop order x1, y1, x2, y2, skipping the pairs where
    ///    x1 == y1 and x2 == y2 (OpenELM's test, as written: it does not
    ///    skip (1, 0) → (1, 0), so off-diagonal joints get self-links, which
    ///    validation drops with a warning);
    /// 3. for each pair calls `connect_func(x1, y1, x2, y2)`, and when that
    ///    is true `amp_func` then `phase_func` with the same arguments, and
    ///    adds the muscle with that amplitude and phase;
    /// 4. returns the dict from (x, y) to joint.
    ///
    /// Every joint, pair and callback is metered like genome code.
    pub fn query_cppn(&mut self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<Value> {
        let [wc, xgrid, ygrid, scale, connect, amp, phase] = self.query_cppn_args(args, kwargs)?;
        let Value::Creator(id) = wc else {
            return type_error(format!(
                "query_cppn() needs a walker_creator, got {}",
                self.type_name(&wc)
            ));
        };
        let (xgrid, ygrid) = (self.grid_size(&xgrid)?, self.grid_size(&ygrid)?);
        let joints = self.new_dict()?;
        let mut handles = Vec::new();
        for x in 0..xgrid {
            for y in 0..ygrid {
                self.tick()?;
                let jx = self.binary(BinOp::Mul, Value::Int(x), scale.clone())?;
                let jy = self.binary(BinOp::Mul, Value::Int(y), scale.clone())?;
                let joint = self.add_joint(id, &[jx, jy], &[])?;
                let key = self.new_tuple(vec![Value::Int(x), Value::Int(y)])?;
                self.dict_set(&joints, key, joint.clone())?;
                handles.push(joint);
            }
        }
        let at = |x: i64, y: i64| handles[(x * ygrid + y) as usize].clone();
        for x1 in 0..xgrid {
            for y1 in 0..ygrid {
                for x2 in x1..xgrid {
                    for y2 in y1..ygrid {
                        self.tick()?;
                        if x1 == y1 && x2 == y2 {
                            continue;
                        }
                        let coords = [x1, y1, x2, y2].map(Value::Int);
                        let linked = self.call_callable(&connect, &coords)?;
                        if !self.truthy(&linked)? {
                            continue;
                        }
                        let amplitude = self.call_callable(&amp, &coords)?;
                        let phase = self.call_callable(&phase, &coords)?;
                        let kwargs = [(sym::AMPLITUDE, amplitude), (sym::PHASE, phase)];
                        self.add_muscle(id, &[at(x1, y1), at(x2, y2)], &kwargs)?;
                    }
                }
            }
        }
        Ok(joints)
    }

    fn query_cppn_args(&self, args: &[Value], kwargs: &[(Sym, Value)]) -> Res<[Value; 7]> {
        if args.len() > QUERY_CPPN_PARAMS.len() {
            return type_error(format!(
                "query_cppn() takes 7 positional arguments but {} were given",
                args.len()
            ));
        }
        let mut slots: [Option<Value>; 7] = std::array::from_fn(|i| args.get(i).cloned());
        for (name, value) in kwargs {
            let name = self.sym_name(*name);
            let Some(i) = QUERY_CPPN_PARAMS.iter().position(|p| *p == name) else {
                return type_error(format!(
                    "query_cppn() got an unexpected keyword argument '{name}'"
                ));
            };
            if slots[i].replace(value.clone()).is_some() {
                return type_error(format!(
                    "query_cppn() got multiple values for argument '{name}'"
                ));
            }
        }
        let mut out: [Value; 7] = std::array::from_fn(|_| Value::None);
        for (i, slot) in slots.into_iter().enumerate() {
            match slot {
                Some(v) => out[i] = v,
                None => {
                    return type_error(format!(
                        "query_cppn() missing required argument: '{}'",
                        QUERY_CPPN_PARAMS[i]
                    ))
                }
            }
        }
        Ok(out)
    }

    /// A grid size, read as `range()` reads it (a negative one is empty).
    fn grid_size(&self, v: &Value) -> Res<i64> {
        match v {
            Value::Int(i) => Ok((*i).max(0)),
            Value::Bool(b) => Ok(*b as i64),
            _ => type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_name(v)
            )),
        }
    }
}
