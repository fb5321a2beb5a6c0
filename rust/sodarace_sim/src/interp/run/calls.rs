//! Calls: arguments are pushed where the callee's frame starts, then bound
//! to parameters (defaults, `*args`, `**kwargs`, keyword matching);
//! method calls on instances, classes and builtin values; and creating
//! instances of genome classes.

use super::super::ir::*;
use super::super::limits::{STACK_RED_ZONE, STACK_SEGMENT};
use super::super::value::*;
use super::{raise, type_error, Flow, Frame, Machine, Res, OBJECT_BYTES};

impl<'p> Machine<'p> {
    fn push_args(&mut self, f: Frame, args: &'p Args) -> Res<Vec<(Sym, Value)>> {
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
    fn spread_kwargs(&mut self, mapping: &Value, kwargs: &mut Vec<(Sym, Value)>) -> Res<()> {
        let Value::Dict(id) = mapping else {
            return type_error(format!(
                "argument after ** must be a mapping, not {}",
                self.type_name(mapping)
            ));
        };
        let entries: Vec<(Value, Value)> = self.heap.dicts[id.0 as usize]
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        for (key, value) in entries {
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
        match self.push_args(f, args) {
            Ok(kwargs) => self.call_value(callee, start, kwargs),
            Err(e) => {
                self.stack.truncate(start);
                Err(e)
            }
        }
    }

    /// Calls `callee` with the positional arguments in `stack[start..]`.
    /// The stack is back at `start` afterwards, whatever happens.
    pub fn call_value(
        &mut self,
        callee: Value,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
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
                    MethodTarget::Native(name) => {
                        let args = self.take_args(start);
                        let result = self.call_native_method(&receiver, name, &args, &kwargs);
                        self.recycle(args);
                        result
                    }
                }
            }
            Value::Builtin(b) => {
                let args = self.take_args(start);
                let result = self.call_builtin(b, &args, &kwargs);
                self.recycle(args);
                result
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

    fn take_args(&mut self, start: usize) -> Vec<Value> {
        let mut args = self.arg_pool.pop().unwrap_or_default();
        args.extend(self.stack.drain(start..));
        args
    }

    fn recycle(&mut self, mut args: Vec<Value>) {
        args.clear();
        if self.arg_pool.len() < 16 {
            self.arg_pool.push(args);
        }
    }

    pub(super) fn call_method(
        &mut self,
        f: Frame,
        receiver: Value,
        name: Sym,
        args: &'p Args,
    ) -> Res<Value> {
        match &receiver {
            Value::Instance(id) => {
                let inst = &self.heap.instances[id.0 as usize];
                if let Some((_, v)) = inst.attrs.iter().find(|(n, _)| *n == name) {
                    let callee = v.clone();
                    return self.call_with_args(f, callee, args);
                }
                let class = &self.heap.classes[inst.class.0 as usize];
                match class
                    .attrs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                {
                    Some(Value::Func(func)) => {
                        let start = self.stack.len();
                        self.stack.push(receiver.clone());
                        match self.push_args(f, args) {
                            Ok(kwargs) => self.call_function(func, start, kwargs),
                            Err(e) => {
                                self.stack.truncate(start);
                                Err(e)
                            }
                        }
                    }
                    Some(other) => self.call_with_args(f, other, args),
                    None => {
                        let message = format!(
                            "'{}' object has no attribute '{}'",
                            class.name,
                            self.prog.name(name)
                        );
                        raise(ExcKind::AttributeError, message)
                    }
                }
            }
            Value::Class(_) | Value::Module(_) | Value::Exception(_) => {
                let callee = self.get_attr(&receiver, name)?;
                self.call_with_args(f, callee, args)
            }
            _ => {
                let start = self.stack.len();
                let kwargs = match self.push_args(f, args) {
                    Ok(kwargs) => kwargs,
                    Err(e) => {
                        self.stack.truncate(start);
                        return Err(e);
                    }
                };
                let args = self.take_args(start);
                let result = self.call_native_method(&receiver, name, &args, &kwargs);
                self.recycle(args);
                result
            }
        }
    }

    pub fn call_function(
        &mut self,
        id: FuncId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        let result = self.enter_function(id, start, kwargs);
        self.stack.truncate(start);
        result
    }

    fn enter_function(
        &mut self,
        id: FuncId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
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
        kwargs: Vec<(Sym, Value)>,
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

    fn instantiate(
        &mut self,
        class: ClassId,
        start: usize,
        kwargs: Vec<(Sym, Value)>,
    ) -> Res<Value> {
        self.charge(OBJECT_BYTES)?;
        self.heap.instances.push(InstanceObj {
            class,
            attrs: Vec::new(),
        });
        let instance = Value::Instance(InstId(self.heap.instances.len() as u32 - 1));
        let init = self.heap.classes[class.0 as usize]
            .attrs
            .iter()
            .find(|(n, _)| *n == sym::INIT)
            .map(|(_, v)| v.clone());
        match init {
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
