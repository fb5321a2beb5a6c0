//! Attributes: `obj.name` on instances, classes, modules, exceptions and
//! builtin values, and setting and deleting instance attributes.

use super::super::error::ErrorKind;
use super::super::ir::*;
use super::super::value::*;
use super::{fatal, raise, Machine, Res, VALUE_BYTES};

/// Where `instance.name` was found. Reading an attribute and calling it
/// as a method must resolve it alike, and only a function found on the
/// class (not one stored on the instance) binds the instance as `self`.
pub(super) enum InstanceAttr {
    Own(Value),
    OfClass(Value),
    Missing,
}

/// The value bound to `name` in an instance's or a class's attributes.
fn find_attr(attrs: &[(Sym, Value)], name: Sym) -> Option<Value> {
    attrs
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
}

impl<'p> Machine<'p> {
    /// `name` on instance `id`: its own attributes first, then its class's.
    pub(super) fn instance_attr(&self, id: InstId, name: Sym) -> InstanceAttr {
        let inst = &self.heap.instances[id.0 as usize];
        if let Some(v) = find_attr(&inst.attrs, name) {
            return InstanceAttr::Own(v);
        }
        match self.class_attr(inst.class, name) {
            Some(v) => InstanceAttr::OfClass(v),
            None => InstanceAttr::Missing,
        }
    }

    /// The attribute `name` of class `class`, if the class defines one.
    pub(super) fn class_attr(&self, class: ClassId, name: Sym) -> Option<Value> {
        find_attr(&self.heap.classes[class.0 as usize].attrs, name)
    }

    pub fn get_attr(&mut self, obj: &Value, name: Sym) -> Res<Value> {
        match obj {
            Value::Instance(id) => match self.instance_attr(*id, name) {
                InstanceAttr::OfClass(Value::Func(func)) => {
                    self.new_method(obj.clone(), MethodTarget::Func(func))
                }
                InstanceAttr::Own(v) | InstanceAttr::OfClass(v) => Ok(v),
                InstanceAttr::Missing => self.no_attribute(obj, name),
            },
            Value::Class(id) => match self.class_attr(*id, name) {
                Some(v) => Ok(v),
                None => self.no_attribute(obj, name),
            },
            Value::Module(ModuleKind::Math) => match super::super::math::member_by_sym(name) {
                Some(v) => Ok(v),
                None => fatal(
                    ErrorKind::Unsupported,
                    format!(
                        "math.{} is not in the supported subset",
                        self.prog.name(name)
                    ),
                ),
            },
            Value::Module(ModuleKind::Walker) if name == sym::WALKER_CREATOR => {
                Ok(Value::Builtin(Builtin::WalkerCreator))
            }
            Value::Module(ModuleKind::Walker) if self.prog.name(name) == "query_cppn" => {
                Ok(Value::Builtin(Builtin::QueryCppn))
            }
            Value::Module(ModuleKind::Numpy) => {
                let attr = self.prog.name(name);
                match super::super::numpy::member(attr) {
                    Some(v) => Ok(v),
                    None => fatal(
                        ErrorKind::Unsupported,
                        super::super::numpy::unsupported_member(attr),
                    ),
                }
            }
            Value::Exception(id) if name == sym::ARGS => {
                let args = self.heap.exceptions[id.0 as usize].args.clone();
                self.new_tuple(args)
            }
            _ => {
                if self.has_native_method(obj, name) {
                    return self.new_method(obj.clone(), MethodTarget::Native(name));
                }
                self.no_attribute(obj, name)
            }
        }
    }

    pub fn no_attribute<T>(&self, obj: &Value, name: Sym) -> Res<T> {
        let attr = self.prog.name(name);
        if let Value::Array(_) = obj {
            let message = format!("numpy.ndarray.{attr} is not in the supported subset");
            return fatal(ErrorKind::Unsupported, message);
        }
        if super::super::builtins::is_unsupported_method(obj, attr) {
            let message = format!("{}.{attr}() is not supported", self.type_name(obj));
            return fatal(ErrorKind::Unsupported, message);
        }
        let message = match obj {
            Value::Module(ModuleKind::Walker) => format!("module has no attribute '{attr}'"),
            _ => format!("'{}' object has no attribute '{attr}'", self.type_name(obj)),
        };
        raise(ExcKind::AttributeError, message)
    }

    pub(super) fn set_attr(&mut self, obj: &Value, name: Sym, value: Value) -> Res<()> {
        let attrs = match obj {
            Value::Instance(id) => &mut self.heap.instances[id.0 as usize].attrs,
            Value::Class(id) => &mut self.heap.classes[id.0 as usize].attrs,
            _ => {
                let message = format!(
                    "'{}' object attribute '{}' cannot be set",
                    self.type_name(obj),
                    self.prog.name(name)
                );
                return raise(ExcKind::AttributeError, message);
            }
        };
        match attrs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => {
                attrs.push((name, value));
                self.charge(VALUE_BYTES)?;
            }
        }
        Ok(())
    }

    pub(super) fn del_attr(&mut self, obj: &Value, name: Sym) -> Res<()> {
        let attrs = match obj {
            Value::Instance(id) => &mut self.heap.instances[id.0 as usize].attrs,
            Value::Class(id) => &mut self.heap.classes[id.0 as usize].attrs,
            _ => return self.no_attribute(obj, name),
        };
        match attrs.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                attrs.remove(i);
                Ok(())
            }
            None => self.no_attribute(obj, name),
        }
    }
}
