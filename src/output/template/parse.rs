//! The template parser: turns lexer tokens into a tree of nodes with Go's
//! grammar (pipelines, commands, control structures, `define`/`block`/
//! `template`, variable scoping) and its error messages
//! (`template: NAME:LINE: ...`).

use std::collections::BTreeMap;
use std::fmt;

use super::lex::{lex, Item, ItemType};
use super::TemplateError;

/// How deeply parentheses and control structures may nest. Go has no such
/// limit (its stacks grow); berth's must not overflow on hostile input.
const MAX_NESTING: usize = 200;

/// A parsed template: its main tree and the ones it defines.
#[derive(Debug, Clone)]
pub struct Trees {
    pub root: Vec<Node>,
    pub defined: BTreeMap<String, Vec<Node>>,
}

/// A node of the template body.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Break {
        pos: usize,
    },
    Continue {
        pos: usize,
    },
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
}

/// The common shape of `if`, `range` and `with`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// A pipeline with optional variable declarations: `$x := a | b c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

/// One command of a pipeline: a function or value and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand inside a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `.A.B`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.A.B` (the first ident is the variable name, with its `$`).
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        value: bool,
    },
    Number(Number),
    String {
        pos: usize,
        quoted: String,
        text: String,
    },
    /// A function name.
    Identifier {
        pos: usize,
        name: String,
    },
    /// A parenthesized pipeline.
    Pipe(Box<Pipe>),
    /// `(x).A.B`
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
}

/// A numeric constant with the interpretations Go allows for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub pos: usize,
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    /// Go's `Node.String()`, used as the context of execution errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for ident in idents {
                    write!(f, ".{ident}")?;
                }
                Ok(())
            }
            Arg::Variable { idents, .. } => write!(f, "{}", idents.join(".")),
            Arg::Dot { .. } => write!(f, "."),
            Arg::Nil { .. } => write!(f, "nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number(n) => write!(f, "{}", n.text),
            Arg::String { quoted, .. } => write!(f, "{quoted}"),
            Arg::Identifier { name, .. } => write!(f, "{name}"),
            Arg::Pipe(pipe) => write!(f, "{pipe}"),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(pipe) = node.as_ref() {
                    write!(f, "({pipe})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            if let Arg::Pipe(pipe) = arg {
                write!(f, "({pipe})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} := ", self.decl.join(", "))?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{cmd}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, nodes: &[Node]| -> fmt::Result {
            for node in nodes {
                write!(f, "{node}")?;
            }
            Ok(())
        };
        let branch = |f: &mut fmt::Formatter<'_>, name: &str, b: &Branch| -> fmt::Result {
            write!(f, "{{{{{name} {}}}}}", b.pipe)?;
            list(f, &b.list)?;
            if let Some(else_list) = &b.else_list {
                write!(f, "{{{{else}}}}")?;
                list(f, else_list)?;
            }
            write!(f, "{{{{end}}}}")
        };
        match self {
            Node::Text(text) => write!(f, "{text}"),
            Node::Action(pipe) => write!(f, "{{{{{pipe}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::Range(b) => branch(f, "range", b),
            Node::With(b) => branch(f, "with", b),
            Node::Break { .. } => write!(f, "{{{{break}}}}"),
            Node::Continue { .. } => write!(f, "{{{{continue}}}}"),
            Node::Template { name, pipe, .. } => {
                write!(f, "{{{{template {}", super::gofmt::quote(name))?;
                if let Some(pipe) = pipe {
                    write!(f, " {pipe}")?;
                }
                write!(f, "}}}}")
            }
        }
    }
}

/// What ends a list of nodes: `{{end}}`, `{{else}}` (possibly `else if`/`else with`).
enum ListEnd {
    End,
    Else,
}

type PResult<T> = Result<T, TemplateError>;

/// Parses `text` as the template called `name`.
pub fn parse(name: &str, text: &str) -> PResult<Trees> {
    let mut parser = Parser {
        name: name.to_string(),
        items: lex(text),
        next_item: 0,
        token: [None, None, None],
        peek_count: 0,
        vars: vec!["$".to_string()],
        action_line: 0,
        range_depth: 0,
        nesting: 0,
        defined: BTreeMap::new(),
    };
    let root = parser.parse_top()?;
    Ok(Trees {
        root,
        defined: parser.defined,
    })
}

struct Parser {
    name: String,
    items: Vec<Item>,
    next_item: usize,
    token: [Option<Item>; 3],
    peek_count: usize,
    vars: Vec<String>,
    action_line: usize,
    range_depth: usize,
    nesting: usize,
    defined: BTreeMap<String, Vec<Node>>,
}

impl Parser {
    fn lex_next(&mut self) -> Item {
        match self.items.get(self.next_item) {
            Some(item) => {
                self.next_item += 1;
                item.clone()
            }
            // The lexer stops after Eof or an error; repeat the last item.
            None => self.items.last().cloned().unwrap_or(Item {
                typ: ItemType::Eof,
                pos: 0,
                val: String::new(),
                line: 1,
            }),
        }
    }

    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = Some(self.lex_next());
        }
        self.token[self.peek_count]
            .clone()
            .unwrap_or_else(|| self.lex_next())
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = Some(t1);
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = Some(t1);
        self.token[2] = Some(t2);
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            if let Some(item) = &self.token[self.peek_count - 1] {
                return item.clone();
            }
        }
        self.peek_count = 1;
        let item = self.lex_next();
        self.token[0] = Some(item.clone());
        item
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let token = self.next();
            if token.typ != ItemType::Space {
                return token;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let token = self.next_non_space();
        self.backup();
        token
    }

    fn error(&self, message: impl Into<String>) -> TemplateError {
        TemplateError::Parse {
            name: self.name.clone(),
            line: self.token[0].as_ref().map_or(1, |t| t.line),
            message: message.into(),
        }
    }

    fn unexpected(&self, token: &Item, context: &str) -> TemplateError {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(" in action started at {}:{}", self.name, self.action_line);
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.error(format!("{token}{extra}"));
        }
        self.error(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error("max expression depth exceeded"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::Node(node) => root.push(node),
                Parsed::End => return Err(self.error("unexpected {{end}}")),
                Parsed::Else => return Err(self.error("unexpected {{else}}")),
            }
        }
        // An Error item stops the lexer; report it.
        if let Some(item) = self.items.last() {
            if item.typ == ItemType::Error {
                let item = item.clone();
                return Err(self.unexpected(&item, "input"));
            }
        }
        Ok(root)
    }

    fn add_definition(&mut self, name: String, list: Vec<Node>) -> PResult<()> {
        match self.defined.get(&name) {
            Some(existing) if !is_empty_tree(existing) && !is_empty_tree(&list) => {
                Err(self.error(format!(
                    "template: multiple definition of template {}",
                    super::gofmt::quote(&name)
                )))
            }
            Some(existing) if !is_empty_tree(existing) => Ok(()),
            _ => {
                self.defined.insert(name, list);
                Ok(())
            }
        }
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let token = self.next_non_space();
        if token.typ != ItemType::String && token.typ != ItemType::RawString {
            return Err(self.unexpected(&token, CONTEXT));
        }
        let name = self.unquote(&token.val)?;
        self.expect(ItemType::RightDelim, CONTEXT)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let ListEnd::Else = end {
            return Err(self.error(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_definition(name, list)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(node) => list.push(node),
                Parsed::End => return Ok((list, ListEnd::End)),
                Parsed::Else => return Ok((list, ListEnd::Else)),
            }
        }
        if let Some(item) = self.items.last() {
            if item.typ == ItemType::Error {
                let item = item.clone();
                return Err(self.unexpected(&item, "input"));
            }
        }
        Err(self.error("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(token.val))),
            ItemType::LeftDelim => {
                self.action_line = token.line;
                let result = self.action();
                self.action_line = 0;
                result
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break => return self.break_control(token.pos).map(Parsed::Node),
            ItemType::Continue => return self.continue_control(token.pos).map(Parsed::Node),
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.branch_control(BranchKind::If).map(Parsed::Node),
            ItemType::Range => return self.branch_control(BranchKind::Range).map(Parsed::Node),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => return self.branch_control(BranchKind::With).map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn break_control(&mut self, pos: usize) -> PResult<Node> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, "{{break}}"));
        }
        if self.range_depth == 0 {
            return Err(self.error("{{break}} outside {{range}}"));
        }
        Ok(Node::Break { pos })
    }

    fn continue_control(&mut self, pos: usize) -> PResult<Node> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, "{{continue}}"));
        }
        if self.range_depth == 0 {
            return Err(self.error("{{continue}} outside {{range}}"));
        }
        Ok(Node::Continue { pos })
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If {
            // "{{else if ...": the if is consumed by the enclosing branch.
            return Ok(Parsed::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Variable declarations.
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            self.next();
            let token_after_variable = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                pipe.is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.vars.push(v.val);
            } else if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.vars.push(v.val);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue;
                        }
                        _ => return Err(self.error("range can only initialize variables")),
                    }
                }
                return Err(self.error(format!("too many declarations in {context}")));
            } else if token_after_variable.typ == ItemType::Space {
                self.backup3(v, token_after_variable);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.error(format!("missing value for {context}")));
        }
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number(_)
                        | Arg::String { .. }
                )
            ) {
                return Err(self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn branch_control(&mut self, kind: BranchKind) -> PResult<Node> {
        self.enter()?;
        let saved_vars = self.vars.len();
        let result = self.branch_body(kind);
        self.vars.truncate(saved_vars);
        self.leave();
        let branch = result?;
        Ok(match kind {
            BranchKind::If => Node::If(branch),
            BranchKind::Range => Node::Range(branch),
            BranchKind::With => Node::With(branch),
        })
    }

    fn branch_body(&mut self, kind: BranchKind) -> PResult<Branch> {
        let context = kind.name();
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if kind == BranchKind::Range {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if kind == BranchKind::Range {
            self.range_depth -= 1;
        }
        let (list, end) = listed?;
        let else_list = match end {
            ListEnd::End => None,
            ListEnd::Else => {
                if kind == BranchKind::If && self.peek().typ == ItemType::If {
                    self.next();
                    Some(vec![self.branch_control(BranchKind::If)?])
                } else {
                    let (else_list, end) = self.item_list()?;
                    if let ListEnd::Else = end {
                        return Err(self.error("expected end; found {{else}}"));
                    }
                    Some(else_list)
                }
            }
        };
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;
        self.enter()?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_range_depth = std::mem::replace(&mut self.range_depth, 0);
        let listed = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range_depth;
        self.leave();
        let (list, end) = listed?;
        if let ListEnd::Else = end {
            return Err(self.error(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_definition(name.clone(), list)?;
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe,
        })
    }

    fn template_name(&mut self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => self.unquote(&token.val),
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.error("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().typ == ItemType::Field {
            let field = self.next().val;
            fields.push(field[1..].to_string());
        }
        Ok(Some(match node {
            // Like Go, a field or variable chain is placed at its first
            // extra field.
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number(_)
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                let text = match &node {
                    Arg::String { quoted, .. } => quoted.clone(),
                    other => other.to_string(),
                };
                return Err(self.error(format!(
                    "unexpected . after term {}",
                    super::gofmt::quote(&text)
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !super::funcs::is_function(&token.val) {
                    return Err(self.error(format!(
                        "function {} not defined",
                        super::gofmt::quote(&token.val)
                    )));
                }
                Arg::Identifier {
                    pos: token.pos,
                    name: token.val,
                }
            }
            ItemType::Dot => Arg::Dot { pos: token.pos },
            ItemType::Nil => Arg::Nil { pos: token.pos },
            ItemType::Variable => self.use_var(token.pos, &token.val)?,
            ItemType::Field => Arg::Field {
                pos: token.pos,
                idents: vec![token.val[1..].to_string()],
            },
            ItemType::Bool => Arg::Bool {
                pos: token.pos,
                value: token.val == "true",
            },
            ItemType::CharConstant | ItemType::Number => {
                let number = parse_number(token.pos, &token.val, token.typ)
                    .map_err(|message| self.error(message))?;
                Arg::Number(number)
            }
            ItemType::Complex => {
                return Err(self.error(format!(
                    "complex constants are not supported: {}",
                    token.val
                )))
            }
            ItemType::LeftParen => {
                self.enter()?;
                let pipe = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.leave();
                Arg::Pipe(Box::new(pipe?))
            }
            ItemType::String | ItemType::RawString => {
                let text = self.unquote(&token.val)?;
                Arg::String {
                    pos: token.pos,
                    quoted: token.val,
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn use_var(&self, pos: usize, name: &str) -> PResult<Arg> {
        let idents: Vec<String> = name.split('.').map(str::to_string).collect();
        if self.vars.iter().any(|v| *v == idents[0]) {
            return Ok(Arg::Variable { pos, idents });
        }
        Err(self.error(format!(
            "undefined variable {}",
            super::gofmt::quote(&idents[0])
        )))
    }

    fn unquote(&self, quoted: &str) -> PResult<String> {
        unquote(quoted).ok_or_else(|| self.error("invalid syntax"))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BranchKind {
    If,
    Range,
    With,
}

impl BranchKind {
    fn name(self) -> &'static str {
        match self {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        }
    }
}

fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(text) => text.trim().is_empty(),
        _ => false,
    })
}

/// Go's `strconv.Unquote` for "..." and `...` strings; invalid UTF-8 made
/// by `\x` escapes is replaced by U+FFFD.
pub fn unquote(quoted: &str) -> Option<String> {
    if quoted.len() < 2 {
        return None;
    }
    if let Some(raw) = quoted.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return Some(raw.replace('\r', ""));
    }
    let body = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut bytes = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        let (c, multibyte, tail) = unquote_char(rest, '"')?;
        if rest.starts_with('\n') {
            return None;
        }
        push_unquoted(&mut bytes, c, multibyte);
        rest = tail;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn push_unquoted(bytes: &mut Vec<u8>, c: u32, multibyte: bool) {
    if c < 0x80 || !multibyte {
        bytes.push(c as u8);
    } else {
        let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
        let mut buf = [0; 4];
        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
}

/// Go's `strconv.UnquoteChar`: the value, whether it is a multibyte rune
/// (rather than a byte), and the rest of the input.
fn unquote_char(s: &str, quote: char) -> Option<(u32, bool, &str)> {
    let c = s.chars().next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if !c.is_ascii() {
        return Some((c as u32, true, &s[c.len_utf8()..]));
    }
    if c != '\\' {
        return Some((c as u32, false, &s[1..]));
    }
    let b = s.as_bytes();
    if b.len() <= 1 {
        return None;
    }
    let e = b[1];
    let s = &s[2..];
    let value = match e {
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'n' => 10,
        b'r' => 13,
        b't' => 9,
        b'v' => 11,
        b'x' | b'u' | b'U' => {
            let n = match e {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = s.get(..n)?;
            let v = u32::from_str_radix(hex, 16).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            if e == b'x' {
                return Some((v, false, &s[n..]));
            }
            char::from_u32(v)?;
            return Some((v, true, &s[n..]));
        }
        b'0'..=b'7' => {
            let digits = s.get(..2)?;
            let mut v = u32::from(e - b'0');
            for d in digits.bytes() {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            if v > 255 {
                return None;
            }
            return Some((v, false, &s[2..]));
        }
        b'\\' => u32::from(b'\\'),
        b'\'' | b'"' => {
            if char::from(e) != quote {
                return None;
            }
            u32::from(e)
        }
        _ => return None,
    };
    Some((value, false, s))
}

/// Go's `parse.newNumber` for number and character constants.
fn parse_number(pos: usize, text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        pos,
        text: text.to_string(),
        int: None,
        uint: None,
        float: None,
    };
    if typ == ItemType::CharConstant {
        let inner = &text[1..];
        let (c, _, tail) = unquote_char(inner, '\'').ok_or("invalid syntax")?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        n.int = Some(c.into());
        n.uint = Some(c.into());
        n.float = Some(c.into());
        return Ok(n);
    }
    if text.ends_with('i') {
        return Err(format!("complex constants are not supported: {text}"));
    }
    n.uint = parse_go_uint(text);
    n.int = parse_go_int(text);
    if n.int == Some(0) {
        n.uint = Some(0);
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", super::gofmt::quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && f >= 0.0 && f < u64::MAX as f64 {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            super::gofmt::quote(text)
        ));
    }
    Ok(n)
}

/// Splits a Go integer literal into (negative, radix, digits), checking the
/// placement of underscores like `strconv` does for base 0.
fn go_int_parts(text: &str) -> Option<(bool, u32, String)> {
    let (negative, body) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    Some((negative, radix, digits))
}

/// Underscores may only separate digits (or follow a base prefix).
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let mut prev_digit = prefixed;
    let mut prev_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return false;
            }
            prev_underscore = true;
            prev_digit = false;
        } else {
            prev_underscore = false;
            prev_digit = true;
        }
    }
    !prev_underscore
}

fn parse_go_uint(text: &str) -> Option<u64> {
    let (negative, radix, digits) = go_int_parts(text)?;
    if negative || text.starts_with('+') {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, radix, digits) = go_int_parts(text)?;
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with("0x") || unsigned.contains("inf") || unsigned.contains("nan") {
        return None;
    }
    if lower.contains('_') {
        let mantissa = unsigned.split('e').next().unwrap_or("");
        for part in mantissa.split('.') {
            if !underscores_ok(part, false) {
                return None;
            }
        }
    }
    let cleaned: String = lower.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("t", text).unwrap_err().to_string()
    }

    #[test]
    fn parses_and_prints_back() {
        let trees = parse(
            "t",
            "a{{if .X}}b{{else if .Y}}c{{else}}d{{end}}{{range $i, $v := .L}}{{$v}}{{end}}",
        )
        .unwrap();
        let text: String = trees.root.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            "a{{if .X}}b{{else}}{{if .Y}}c{{else}}d{{end}}{{end}}{{range $i, $v := .L}}{{$v}}{{end}}"
        );
    }

    #[test]
    fn parse_errors_are_go_worded() {
        assert_eq!(
            err("{{foo}}"),
            "template: t:1: function \"foo\" not defined"
        );
        assert_eq!(err("{{.ID"), "template: t:1: unclosed action");
        assert_eq!(err("{{end}}"), "template: t:1: unexpected {{end}}");
        assert_eq!(err("{{if .X}}"), "template: t:1: unexpected EOF");
        assert_eq!(err("{{$x}}"), "template: t:1: undefined variable \"$x\"");
        assert_eq!(err("{{}}"), "template: t:1: missing value for command");
        assert_eq!(
            err("{{.X | 3}}"),
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(
            err("{{break}}"),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            err("{{\"a\".X}}"),
            "template: t:1: unexpected . after term \"\\\"a\\\"\""
        );
        assert_eq!(
            err("a\n{{.X\n"),
            "template: t:3: unclosed action started at t:2"
        );
        assert_eq!(err("{{(1}}"), "template: t:1: unclosed left paren");
        assert_eq!(
            err("{{range $a, $b, $c := .}}{{end}}"),
            "template: t:1: too many declarations in range"
        );
    }

    #[test]
    fn numbers() {
        let n = parse_number(0, "0x1F", ItemType::Number).unwrap();
        assert_eq!((n.int, n.uint), (Some(31), Some(31)));
        let n = parse_number(0, "-1.5", ItemType::Number).unwrap();
        assert_eq!((n.int, n.float), (None, Some(-1.5)));
        let n = parse_number(0, "1e3", ItemType::Number).unwrap();
        assert_eq!((n.int, n.float), (Some(1000), Some(1000.0)));
        let n = parse_number(0, "'a'", ItemType::CharConstant).unwrap();
        assert_eq!(n.int, Some(97));
        assert!(parse_number(0, "99999999999999999999", ItemType::Number).is_err());
    }

    #[test]
    fn unquotes_like_strconv() {
        assert_eq!(unquote(r#""a\tb\u00e9\x41""#).as_deref(), Some("a\tbéA"));
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        assert_eq!(unquote(r#""\q""#), None);
    }
}
