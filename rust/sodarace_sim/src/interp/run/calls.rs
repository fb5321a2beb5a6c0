//! Calls: arguments are pushed where the callee's frame starts, then bound
//! to parameters (defaults, `*args`, `**kwargs`, keyword matching);
//! method calls on instances, classes and builtin values; and creating
//! instances of genome classes.

use super::super::ir::*;
use super::super::limits::{STACK_RED_ZONE, STACK_SEGMENT};
use super::super::value::*;
use super::attributes::InstanceAttr;
use super::{raise, type_error, Flow, Frame, Machine, Res, OBJECT_BYTES};

/// Keyword arguments as (name, value) pairs in the order the call wrote
/// them; binding matches them to parameters by name.
type Kwargs = Vec<(Sym, Value)>;

impl<'p> Machine<'p> {
    fn push_args(&mut self, f: Frame, args: &'p Args) -> Res<Kwargs> {
        for el in &args.positional {
            match el {
                Element::One(e) => {
                    let v = self.eval(f, e)?;
                    self.stack.push(v);
                }
                Element::Star(e) => {
                    let v = self.eval(f, e)?;
                    let items = self.collect_iterable(&v)?;
                    self.stack.extend(items);
                }
            }
        }
        let mut kwargs = Vec::new();
        for k in &args.keywords {
            match k {
                Keyword::Named(name, e) => {
                    let v = self.eval(f, e)?;
                    kwargs.push((*name, v));
                }
                Keyword::Spread(e) => {
                    let v = self.eval(f, e)?;
                    self.spread_kwargs(&v, &mut kwargs)?;
                }
            }
        }
        Ok(kwargs)
    }

    /// `f(**d)`: a key can only match a parameter if its name occurs in the
    /// program, so keys are looked up among the interned symbols.
    fn spread_kwargs(&mut self, mapping: &Value, kwargs: &mut Kwargs) -> Res<()> {
        let Value::Dict(id) = mapping else {
            return type_error(format!(
                "argument after ** must be a mapping, not {}",
                self.type_name(mapping)
            ));
        };
        for (key, value) in self.dict_entries(*id) {
            let Value::Str(name) = &key else {
                return type_error("keywords must be strings");
            };
            let sym = match self.prog.lookup(name) {
                Some(s) => s,
                None => {
                    let known = self.dynamic_names.iter().position(|n| n == name);
                    let index = known.unwrap_or_else(|| {
                        self.dynamic_names.push(name.clone());
                        self.dynamic_names.len() - 1
                    });
                    Sym((self.prog.symbol_count() + index) as u32)
                }
            };
            kwargs.push((sym, value));
        }
        Ok(())
    }

    /// The text of a symbol, including keyword names made at run time.
    pub fn sym_name(&self, s: Sym) -> &str {
        match (s.0 as usize).checked_sub(self.prog.symbol_count()) {
            Some(i) => &self.dynamic_names[i],
            None => self.prog.name(s),
        }
    }

    pub fn call_with_args(&mut self, f: Frame, callee: Value, args: &'p Args) -> Res<Value> {
        let start = self.stack.len();
        let kwargs = self.push_args_from(f, start, args)?;
        self.call_value(callee, start, kwargs)
    }

    /// `push_args` for a call whose frame starts at `start`: if evaluating
    /// an argument fails, the arguments already pushed are dropped, so
    /// the stack is back at `start` whatever happens.
    fn push_args_from(&mut self, f: Frame, start: usize, args: &'p Args) -> Res<Kwargs> {
        let kwargs = self.push_args(f, args);
        if kwargs.is_err() {
            self.stack.truncate(start);
        }
        kwargs
    }

    /// Calls `callee` with the positional arguments in `stack[start..]`.
    /// The stack is back at `start` afterwards, whatever happens.
    pub fn call_value(&mut self, callee: Value, start: usize, kwargs: Kwargs) -> Res<Value> {
        match callee {
            Value::Func(id) => self.call_function(id, start, kwargs),
            Value::Method(id) => {
                let method = &self.heap.methods[id.0 as usize];
                let receiver = method.receiver.clone();
                match method.target {
                    MethodTarget::Func(func) => {
                        self.stack.insert(start, receiver);
                        self.call_function(func, start, kwargs)
                    }
                    MethodTarget::Native(name) => self.with_args_from(start, |m, args| {
                        m.call_native_method(&receiver, name, args, &kwargs)
                    }),
                }
            }
            Value::Builtin(b) => {
                self.with_args_from(start, |m, args| m.call_builtin(b, args, &kwargs))
            }
            Value::Class(id) => self.instantiate(id, start, kwargs),
            Value::ExcType(kind) => {
                let args: Vec<Value> = self.stack.drain(start..).collect();
                if !kwargs.is_empty() {
                    return type_error(format!("{}() takes no keyword arguments", kind.name()));
                }
                self.new_exception(ExcObj {
                    kind,
                    args,
                    at: None,
                })
            }
            other => {
                self.stack.truncate(start);
                type_error(format!(
                    "'{}' object is not callable",
                    self.type_name(&other)
                ))
            }
        }
    }

    /// Runs native code on the arguments in `stack[start..]`, moved into
    /// a pooled vector so that a native call allocates nothing once the
    /// pool is warm.
    fn with_args_from(
        &mut self,
        start: usize,
        call: impl FnOnce(&mut Self, &[Value]) -> Res<Value>,
    ) -> Res<Value> {
        let mut args = self.arg_pool.pop().unwrap_or_default();
        args.extend(self.stack.drain(start..));
        let result = call(self, &args);
        args.clear();
        if self.arg_pool.len() < 16 {
            self.arg_pool.push(args);
        }
        result
    }

    pub(super) fn call_method(
        &mut self,
        f: Frame,
        receiver: Value,
        name: Sym,
        args: &'p Args,
    ) -> Res<Value> {
        match &receiver {
            Value::Instance(id) => match self.instance_attr(*id, name) {
                InstanceAttr::OfClass(Value::Func(func)) => {
                    let start = self.stack.len();
                    self.stack.push(receiver.clone());
                    let kwargs = self.push_args_from(f, start, args)?;
                    self.call_function(func, start, kwargs)
                }
                InstanceAttr::Own(callee) | InstanceAttr::OfClass(callee) => {
                    self.call_with_args(f, callee, args)
                }
                InstanceAttr::Missing => {
                    let message = format!(
                        "'{}' object has no attribute '{}'",
                        self.type_name(&receiver),
                        self.prog.name(name)
                    );
                    raise(ExcKind::AttributeError, message)
                }
            },
            Value::Class(_) | Value::Module(_) | Value::Exception(_) => {
                let callee = self.get_attr(&receiver, name)?;
                self.call_with_args(f, callee, args)
            }
            _ => {
                let start = self.stack.len();
                let kwargs = self.push_args_from(f, start, args)?;
                self.with_args_from(start, |m, args| {
                    m.call_native_method(&receiver, name, args, &kwargs)
                })
            }
        }
    }

    pub fn call_function(&mut self, id: FuncId, start: usize, kwargs: Kwargs) -> Res<Value> {
        let result = self.enter_function(id, start, kwargs);
        self.stack.truncate(start);
        result
    }

    fn enter_function(&mut self, id: FuncId, start: usize, kwargs: Kwargs) -> Res<Value> {
        self.tick()?;
        let code = &self.prog.functions[self.heap.funcs[id.0 as usize].code as usize];
        self.bind_params(id, code, start, kwargs)?;
        self.make_cells(start, &code.code.cell_slots)?;
        self.enter()?;
        let frame = Frame {
            base: start,
            func: Some(id),
        };
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.exec_block(frame, &code.code.body)
        });
        self.depth -= 1;
        match result? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::None),
        }
    }

    fn bind_params(
        &mut self,
        id: FuncId,
        code: &'p FuncCode,
        start: usize,
        kwargs: Kwargs,
    ) -> Res<()> {
        let name = &code.name;
        let n_pos = self.stack.len() - start;
        let n_params = code.params.len();
        let mut extra = Vec::new();
        if n_pos > n_params {
            if code.vararg.is_none() {
                let message = format!(
                    "{name}() takes {n_params} positional arguments but {n_pos} were given"
                );
                return type_error(message);
            }
            extra = self.stack.drain(start + n_params..).collect();
        }
        self.stack
            .resize(start + code.code.n_slots as usize, Value::Unbound);
        let mut kwarg_dict = None;
        for (key, value) in kwargs {
            let slot = if let Some(i) = code.params.iter().position(|p| *p == key) {
                Some(i as u32)
            } else {
                code.kwonly.iter().find(|k| k.0 == key).map(|k| k.1)
            };
            match slot {
                Some(s) => {
                    let cell = &mut self.stack[start + s as usize];
                    if !matches!(cell, Value::Unbound) {
                        let message = format!(
                            "{name}() got multiple values for argument '{}'",
                            self.sym_name(key)
                        );
                        return type_error(message);
                    }
                    *cell = value;
                }
                None => {
                    if code.kwarg.is_none() {
                        let message = format!(
                            "{name}() got an unexpected keyword argument '{}'",
                            self.sym_name(key)
                        );
                        return type_error(message);
                    }
                    let dict = match &kwarg_dict {
                        Some(d) => d,
                        None => kwarg_dict.insert(self.new_dict()?),
                    }
                    .clone();
                    let key = Value::str(self.sym_name(key));
                    self.dict_set(&dict, key, value)?;
                }
            }
        }
        let first_default = n_params - code.n_defaults as usize;
        for i in n_pos.min(n_params)..n_params {
            if matches!(self.stack[start + i], Value::Unbound) {
                if i < first_default {
                    let message = format!(
                        "{name}() missing required positional argument: '{}'",
                        self.prog.name(code.params[i])
                    );
                    return type_error(message);
                }
                self.stack[start + i] =
                    self.heap.funcs[id.0 as usize].defaults[i - first_default].clone();
            }
        }
        for &(key, slot, default) in &code.kwonly {
            if matches!(self.stack[start + slot as usize], Value::Unbound) {
                match default {
                    Some(d) => {
                        self.stack[start + slot as usize] =
                            self.heap.funcs[id.0 as usize].kw_defaults[d as usize].clone()
                    }
                    None => {
                        let message = format!(
                            "{name}() missing required keyword-only argument: '{}'",
                            self.prog.name(key)
                        );
                        return type_error(message);
                    }
                }
            }
        }
        if let Some(slot) = code.vararg {
            self.stack[start + slot as usize] = self.new_tuple(extra)?;
        }
        if let Some(slot) = code.kwarg {
            self.stack[start + slot as usize] = match kwarg_dict {
                Some(d) => d,
                None => self.new_dict()?,
            };
        }
        Ok(())
    }

    fn instantiate(&mut self, class: ClassId, start: usize, kwargs: Kwargs) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.instances.push(InstanceObj {
            class,
            attrs: Vec::new(),
        });
        let instance = Value::Instance(InstId(self.heap.instances.len() as u32 - 1));
        match self.class_attr(class, sym::INIT) {
            Some(Value::Func(func)) => {
                self.stack.insert(start, instance.clone());
                match self.call_function(func, start, kwargs)? {
                    Value::None => Ok(instance),
                    other => type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&other)
                    )),
                }
            }
            _ => {
                let given = self.stack.len() - start;
                self.stack.truncate(start);
                if given > 0 || !kwargs.is_empty() {
                    let name = self.heap.classes[class.0 as usize].name.clone();
                    return type_error(format!("{name}() takes no arguments"));
                }
                Ok(instance)
            }
        }
    }
}
