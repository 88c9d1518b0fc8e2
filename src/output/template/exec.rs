//! Template execution: walks the parsed tree over a [`Value`], with Go's
//! semantics for fields, variables, pipelines, control structures, function
//! calls and argument checking, and Go's execution error messages
//! (`template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`).

use std::borrow::Cow;

use super::funcs::{self, Param, Signature};
use super::gofmt;
use super::parse::{Arg, Branch, Command, Node, Pipe, Trees};
use super::value::Value;
use super::TemplateError;

/// How deeply template calls and nested structures may recurse at run time
/// (Go allows 100000 template calls; berth stays well inside its stack).
const MAX_EXEC_DEPTH: usize = 300;

type Val<'d> = Cow<'d, Value>;
type EResult<T> = Result<T, TemplateError>;

/// The node being executed, for error messages.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Command(&'t Command),
    Arg(&'t Arg),
}

/// Control flow out of a node.
enum Flow {
    Normal,
    Break,
    Continue,
}

pub struct Exec<'t, 'o> {
    /// The top-level template's name (Go's `ParseName`).
    pub parse_name: &'t str,
    /// The full template text, to turn positions into line:column.
    pub text: &'t str,
    pub trees: &'t Trees,
    pub out: &'o mut String,
    /// Resolve `.Field` case-insensitively when there is no exact match.
    pub fold_field_case: bool,
}

struct State<'t, 'd, 'o> {
    exec: Exec<'t, 'o>,
    /// The name of the template being executed.
    name: &'t str,
    vars: Vec<(String, Val<'d>)>,
    at: At<'t>,
    depth: usize,
}

impl<'t, 'o> Exec<'t, 'o> {
    /// Executes the main tree with `data` as dot and `$`.
    pub fn run(self, data: &Value) -> EResult<()> {
        let name = self.parse_name;
        let trees = self.trees;
        let mut state = State {
            exec: self,
            name,
            vars: vec![("$".to_string(), Cow::Borrowed(data))],
            at: At::None,
            depth: 0,
        };
        state.walk_list(&Cow::Borrowed(data), &trees.root)?;
        Ok(())
    }
}

impl<'t, 'd, 'o> State<'t, 'd, 'o> {
    fn at(&mut self, at: At<'t>) {
        self.at = at;
    }

    fn error(&self, message: impl Into<String>) -> TemplateError {
        let message = message.into();
        let (pos, context) = match self.at {
            At::None => {
                return TemplateError::Exec {
                    name: self.name.to_string(),
                    location: None,
                    message,
                }
            }
            At::Node(node) => (node_pos(node), node.to_string()),
            At::Pipe(pipe) => (pipe.pos, pipe.to_string()),
            At::Command(cmd) => (cmd.pos, cmd.to_string()),
            At::Arg(arg) => (arg.pos(), arg.to_string()),
        };
        let text = self.exec.text.get(..pos).unwrap_or(self.exec.text);
        let line = 1 + text.matches('\n').count();
        let column = match text.rfind('\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        TemplateError::Exec {
            name: self.name.to_string(),
            location: Some(super::ExecLocation {
                parse_name: self.exec.parse_name.to_string(),
                line,
                column,
                context,
            }),
            message,
        }
    }

    fn walk_list(&mut self, dot: &Val<'d>, nodes: &'t [Node]) -> EResult<Flow> {
        for node in nodes {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> EResult<T>) -> EResult<T> {
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.error(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn walk(&mut self, dot: &Val<'d>, node: &'t Node) -> EResult<Flow> {
        self.at(At::Node(node));
        match node {
            Node::Text(text) => self.exec.out.push_str(text),
            Node::Action(pipe) => {
                let value = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(At::Node(node));
                    match value.as_ref() {
                        Value::Nil => self.exec.out.push_str("<no value>"),
                        Value::String(s) => self.exec.out.push_str(s),
                        other => self
                            .exec
                            .out
                            .push_str(&gofmt::sprint(std::slice::from_ref(other))),
                    }
                }
            }
            Node::If(branch) => return self.nested(|s| s.walk_if_or_with(dot, branch, false)),
            Node::With(branch) => return self.nested(|s| s.walk_if_or_with(dot, branch, true)),
            Node::Range(branch) => return self.nested(|s| s.walk_range(dot, node, branch)),
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
            Node::Template { name, pipe, .. } => {
                return self.nested(|s| s.walk_template(dot, name, pipe.as_ref()))
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, dot: &Val<'d>, branch: &'t Branch, with: bool) -> EResult<Flow> {
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, &branch.pipe)?;
        let flow = if value.is_true() {
            if with {
                self.walk_list(&value, &branch.list)?
            } else {
                self.walk_list(dot, &branch.list)?
            }
        } else if let Some(else_list) = &branch.else_list {
            self.walk_list(dot, else_list)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Val<'d>, node: &'t Node, branch: &'t Branch) -> EResult<Flow> {
        self.at(At::Node(node));
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, &branch.pipe)?;
        let decls = branch.pipe.decl.len();
        let elements: Vec<(Value, Val<'d>)> = match value {
            Cow::Borrowed(Value::List(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), Cow::Borrowed(v)))
                .collect(),
            Cow::Borrowed(Value::Map(map)) => map
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), Cow::Borrowed(v)))
                .collect(),
            Cow::Owned(Value::List(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), Cow::Owned(v)))
                .collect(),
            Cow::Owned(Value::Map(map)) => map
                .into_iter()
                .map(|(k, v)| (Value::String(k), Cow::Owned(v)))
                .collect(),
            nil if nil.is_nil() => Vec::new(),
            other => {
                return Err(self.error(format!(
                    "range can't iterate over {}",
                    gofmt::sprint(std::slice::from_ref(other.as_ref()))
                )))
            }
        };
        if elements.is_empty() {
            let flow = match &branch.else_list {
                Some(else_list) => self.walk_list(dot, else_list)?,
                None => Flow::Normal,
            };
            self.vars.truncate(mark);
            // Like Go: a break in the else list ends this range statement,
            // a continue goes on to the enclosing range's next element.
            return Ok(match flow {
                Flow::Continue => Flow::Continue,
                Flow::Break | Flow::Normal => Flow::Normal,
            });
        }
        let after_decl = self.vars.len();
        for (index, elem) in elements {
            let len = self.vars.len();
            if decls > 0 {
                self.vars[len - 1].1 = elem.clone();
            }
            if decls > 1 {
                self.vars[len - 2].1 = Cow::Owned(index);
            }
            let flow = self.walk_list(&elem, &branch.list)?;
            self.vars.truncate(after_decl);
            if let Flow::Break = flow {
                break;
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn walk_template(
        &mut self,
        dot: &Val<'d>,
        name: &'t str,
        pipe: Option<&'t Pipe>,
    ) -> EResult<Flow> {
        let trees = self.exec.trees;
        let body: &'t [Node] = match trees.defined.get(name) {
            Some(body) => body,
            None if name == self.exec.parse_name => &trees.root,
            None => return Err(self.error(format!("template {} not defined", gofmt::quote(name)))),
        };
        let new_dot = match pipe {
            Some(pipe) => self.eval_pipeline(dot, pipe)?,
            None => Cow::Owned(Value::Nil),
        };
        let saved_vars =
            std::mem::replace(&mut self.vars, vec![("$".to_string(), new_dot.clone())]);
        let saved_name = std::mem::replace(&mut self.name, name);
        let result = self.walk_list(&new_dot, body);
        self.vars = saved_vars;
        self.name = saved_name;
        result?;
        Ok(Flow::Normal)
    }

    fn eval_pipeline(&mut self, dot: &Val<'d>, pipe: &'t Pipe) -> EResult<Val<'d>> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Val<'d>> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Cow::Owned(Value::Nil));
        for var in &pipe.decl {
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|(name, _)| name == var) {
                    Some(slot) => slot.1 = value.clone(),
                    None => return Err(self.error(format!("undefined variable: {var}"))),
                }
            } else {
                self.vars.push((var.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'t [Arg], final_value: &Option<Val<'d>>) -> EResult<()> {
        if args.len() > 1 || final_value.is_some() {
            return Err(self.error(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Val<'d>,
        cmd: &'t Command,
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at(At::Arg(first));
                return self.eval_field_chain(dot, dot.clone(), idents, &cmd.args, final_value);
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, final_value);
            }
            Arg::Identifier { name, .. } => {
                self.at(At::Arg(first));
                return self.eval_function(dot, name, At::Command(cmd), &cmd.args, final_value);
            }
            Arg::Pipe(pipe) => {
                self.not_a_function(&cmd.args, &final_value)?;
                return self.nested(|s| s.eval_pipeline(dot, pipe));
            }
            Arg::Variable { idents, .. } => {
                return self.eval_variable(dot, first, idents, &cmd.args, final_value);
            }
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &final_value)?;
        Ok(Cow::Owned(match first {
            Arg::Bool { value, .. } => Value::Bool(*value),
            Arg::Dot { .. } => return Ok(dot.clone()),
            Arg::Nil { .. } => return Err(self.error("nil is not a command")),
            Arg::Number(_) => self.ideal_constant(first)?,
            Arg::String { text, .. } => Value::String(text.clone()),
            _ => {
                return Err(self.error(format!(
                    "can't evaluate command {}",
                    gofmt::quote(&first.to_string())
                )))
            }
        }))
    }

    fn ideal_constant(&mut self, arg: &'t Arg) -> EResult<Value> {
        self.at(At::Arg(arg));
        let Arg::Number(n) = arg else {
            return Ok(Value::Nil);
        };
        let text = &n.text;
        let is_hex_int = text.len() > 2
            && (text.starts_with("0x") || text.starts_with("0X"))
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if let Some(f) = n.float {
            if !is_hex_int && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Ok(Value::Float(f));
            }
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        if n.uint.is_some() {
            return Err(self.error(format!("{text} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_chain(
        &mut self,
        dot: &Val<'d>,
        chain: &'t Arg,
        node: &'t Arg,
        fields: &'t [String],
        args: &'t [Arg],
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        self.at(At::Arg(chain));
        if let Arg::Nil { .. } = node {
            return Err(self.error(format!("indirection through explicit nil in {chain}")));
        }
        // Like Go, errors in the field chain are reported at the chain's
        // first node.
        let receiver = self.eval_arg(dot, Param::Reflect, node)?;
        self.eval_field_chain(dot, receiver, fields, args, final_value)
    }

    fn eval_variable(
        &mut self,
        dot: &Val<'d>,
        arg: &'t Arg,
        idents: &'t [String],
        args: &'t [Arg],
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        self.at(At::Arg(arg));
        let name = &idents[0];
        let value = match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => v.clone(),
            None => return Err(self.error(format!("undefined variable: {name}"))),
        };
        if idents.len() == 1 {
            self.not_a_function(args, &final_value)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, &idents[1..], args, final_value)
    }

    fn eval_field_chain(
        &mut self,
        _dot: &Val<'d>,
        mut receiver: Val<'d>,
        idents: &'t [String],
        args: &'t [Arg],
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(ident, &[], &None, receiver)?;
        }
        self.eval_field(&idents[n - 1], args, &final_value, receiver)
    }

    fn eval_field(
        &mut self,
        field: &str,
        args: &'t [Arg],
        final_value: &Option<Val<'d>>,
        receiver: Val<'d>,
    ) -> EResult<Val<'d>> {
        let has_args = args.len() > 1 || final_value.is_some();
        let fold_case = self.exec.fold_field_case;
        match receiver {
            Cow::Borrowed(Value::Nil | Value::NilMap) | Cow::Owned(Value::Nil | Value::NilMap) => {
                if has_args {
                    return Err(self.error(format!("{field} is not a method but has arguments")));
                }
                Ok(Cow::Owned(Value::Nil))
            }
            Cow::Borrowed(Value::Struct(s)) => match s.field(field).or_else(|| {
                fold_case
                    .then(|| s.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(field)))
                    .flatten()
                    .map(|(_, v)| v)
            }) {
                Some(v) if !has_args => Ok(Cow::Borrowed(v)),
                Some(_) => Err(self.error(format!(
                    "{field} has arguments but cannot be invoked as function"
                ))),
                None => Err(self.error(format!("can't evaluate field {field} in type {}", s.name))),
            },
            Cow::Owned(Value::Struct(mut s)) => {
                let name = s.name.clone();
                let exact = s.fields.iter().position(|(n, _)| n == field);
                let position = exact.or_else(|| {
                    fold_case
                        .then(|| {
                            s.fields
                                .iter()
                                .position(|(n, _)| n.eq_ignore_ascii_case(field))
                        })
                        .flatten()
                });
                match position.map(|i| s.fields.swap_remove(i)) {
                    Some((_, v)) if !has_args => Ok(Cow::Owned(v)),
                    Some(_) => Err(self.error(format!(
                        "{field} has arguments but cannot be invoked as function"
                    ))),
                    None => Err(self.error(format!("can't evaluate field {field} in type {name}"))),
                }
            }
            Cow::Borrowed(Value::Map(map)) => {
                if has_args {
                    return Err(self.error(format!("{field} is not a method but has arguments")));
                }
                let found = map.get(field).or_else(|| {
                    fold_case
                        .then(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)))
                        .flatten()
                        .map(|(_, v)| v)
                });
                Ok(found.map_or(Cow::Owned(Value::Nil), Cow::Borrowed))
            }
            Cow::Owned(Value::Map(mut map)) => {
                if has_args {
                    return Err(self.error(format!("{field} is not a method but has arguments")));
                }
                let key = match map.contains_key(field) {
                    true => Some(field.to_string()),
                    false if fold_case => {
                        map.keys().find(|k| k.eq_ignore_ascii_case(field)).cloned()
                    }
                    false => None,
                };
                Ok(Cow::Owned(
                    key.and_then(|k| map.remove(&k)).unwrap_or(Value::Nil),
                ))
            }
            other => Err(self.error(format!(
                "can't evaluate field {field} in type {}",
                other.type_name()
            ))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val<'d>,
        name: &str,
        call_node: At<'t>,
        args: &'t [Arg],
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        let Some(signature) = funcs::signature(name) else {
            return Err(self.error(format!("{} is not a defined function", gofmt::quote(name))));
        };
        self.eval_call(dot, name, signature, call_node, args, final_value)
    }

    fn eval_call(
        &mut self,
        dot: &Val<'d>,
        name: &str,
        signature: Signature,
        call_node: At<'t>,
        args: &'t [Arg],
        final_value: Option<Val<'d>>,
    ) -> EResult<Val<'d>> {
        let args = &args[1..];
        let num_in = args.len() + usize::from(final_value.is_some());
        let num_fixed = signature.fixed.len();
        if signature.variadic.is_some() {
            if num_in < num_fixed {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least {num_fixed} got {}",
                    args.len()
                )));
            }
        } else if num_in != signature.num_in() {
            return Err(self.error(format!(
                "wrong number of args for {name}: want {} got {num_in}",
                signature.num_in()
            )));
        }
        let param = |i: usize| -> Param {
            signature
                .fixed
                .get(i)
                .copied()
                .or(signature.variadic)
                .unwrap_or(Param::Any)
        };
        if name == "and" || name == "or" {
            let mut last: Val<'d> = Cow::Owned(Value::Nil);
            for arg in args {
                let v = self.eval_arg(dot, Param::Reflect, arg)?;
                if v.is_true() == (name == "or") {
                    return Ok(v);
                }
                last = v;
            }
            if let Some(v) = final_value {
                last = v;
            }
            return Ok(last);
        }
        let mut values: Vec<Value> = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            let v = self.eval_arg(dot, param(i), arg)?;
            values.push(v.into_owned());
        }
        if let Some(v) = final_value {
            let p = param(args.len());
            let v = self.validate_type(v, p)?;
            values.push(v.into_owned());
        }
        match funcs::call(name, &values) {
            Ok(v) => Ok(Cow::Owned(v)),
            Err(message) => {
                self.at(call_node);
                Err(self.error(format!("error calling {name}: {message}")))
            }
        }
    }

    fn validate_type(&self, value: Val<'d>, param: Param) -> EResult<Val<'d>> {
        let ok = match (param, value.as_ref()) {
            (Param::Reflect | Param::Any, _) => true,
            (Param::StringList, Value::Nil | Value::NilList) => true,
            (_, Value::Nil) => {
                return Err(self.error(format!("invalid value; expected {}", param.go_type())))
            }
            (Param::String, Value::String(_)) => true,
            (Param::Int, Value::Int(_)) => true,
            (Param::StringList, Value::List(items)) => {
                items.iter().all(|i| matches!(i, Value::String(_)))
            }
            _ => false,
        };
        if !ok {
            return Err(self.error(format!(
                "wrong type for value; expected {}; got {}",
                param.go_type(),
                value.type_name()
            )));
        }
        Ok(value)
    }

    fn eval_arg(&mut self, dot: &Val<'d>, param: Param, arg: &'t Arg) -> EResult<Val<'d>> {
        self.at(At::Arg(arg));
        match arg {
            Arg::Dot { .. } => return self.validate_type(dot.clone(), param),
            Arg::Nil { .. } => {
                return match param {
                    Param::Reflect | Param::Any | Param::StringList => Ok(Cow::Owned(Value::Nil)),
                    _ => Err(self.error(format!("cannot assign nil to {}", param.go_type()))),
                }
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    idents,
                    std::slice::from_ref(arg),
                    None,
                )?;
                return self.validate_type(v, param);
            }
            Arg::Variable { idents, .. } => {
                let v = self.eval_variable(dot, arg, idents, &[], None)?;
                return self.validate_type(v, param);
            }
            Arg::Pipe(pipe) => {
                let v = self.nested(|s| s.eval_pipeline(dot, pipe))?;
                return self.validate_type(v, param);
            }
            Arg::Identifier { name, .. } => {
                let v =
                    self.eval_function(dot, name, At::Arg(arg), std::slice::from_ref(arg), None)?;
                return self.validate_type(v, param);
            }
            Arg::Chain { node, fields, .. } => {
                let v = self.eval_chain(dot, arg, node, fields, &[], None)?;
                return self.validate_type(v, param);
            }
            _ => {}
        }
        Ok(Cow::Owned(match (param, arg) {
            (Param::String, Arg::String { text, .. }) => Value::String(text.clone()),
            (Param::String, _) => return Err(self.error(format!("expected string; found {arg}"))),
            (Param::Int, Arg::Number(n)) if n.int.is_some() => Value::Int(n.int.unwrap_or(0)),
            (Param::Int, _) => return Err(self.error(format!("expected integer; found {arg}"))),
            (Param::Reflect | Param::Any, Arg::Bool { value, .. }) => Value::Bool(*value),
            (Param::Reflect | Param::Any, Arg::Number(_)) => self.ideal_constant(arg)?,
            (Param::Reflect | Param::Any, Arg::String { text, .. }) => Value::String(text.clone()),
            _ => {
                return Err(self.error(format!(
                    "can't handle {arg} for arg of type {}",
                    param.go_type()
                )))
            }
        }))
    }
}

fn node_pos(node: &Node) -> usize {
    match node {
        Node::Text(_) => 0,
        Node::Action(pipe) => pipe.pos,
        Node::If(b) | Node::Range(b) | Node::With(b) => b.pipe.pos,
        Node::Break { pos } | Node::Continue { pos } | Node::Template { pos, .. } => *pos,
    }
}
