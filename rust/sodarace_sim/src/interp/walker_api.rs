//! The walker API, implemented natively: `walker_creator()`, `add_joint`,
//! `add_muscle` (alias `add_connection`) and `get_walker`.
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
use super::ir::{sym, Sym};
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
