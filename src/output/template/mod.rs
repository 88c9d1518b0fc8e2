//! Go's `text/template`, implemented for berth's `--format` option.
//!
//! [`Template::parse`] accepts Go's template language: text and `{{ }}`
//! actions, field chains (`.A.B`), `.`, variables (`$x := ...`, `$x = ...`,
//! `$`), pipelines with `|`, parentheses, `if`/`else if`/`else`, `range`
//! (arrays and maps, `$i, $v :=`, `else`, `break`, `continue`), `with`,
//! `define`/`template`/`block`, comments, trim markers, string, raw string,
//! number, character, bool and nil constants. [`Template::execute`] runs it
//! over any `serde::Serialize` data (see [`value`] for how Rust data maps to
//! Go values) with Go's builtins and podman's extra functions
//! (`json upper lower join split title truncate pad`). Values print like
//! Go's `fmt` `%v`; errors read like Go's (`template: ps:1:13: executing
//! "ps" at <.Foo>: can't evaluate field Foo in type containers.psReporter`).
//!
//! Not supported: method calls on values (podman's Go types have a few,
//! e.g. `.Created.Unix`), complex numbers, hexadecimal floats, and function
//! values for `call`.

mod exec;
mod funcs;
pub(crate) mod gofmt;
mod lex;
mod parse;
pub mod value;

use serde::Serialize;

pub use value::{Value, ValueError};

/// A parse or execution error, worded like Go's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// The template text is malformed.
    #[error("template: {name}:{line}: {message}")]
    Parse {
        name: String,
        line: usize,
        message: String,
    },
    /// Executing the template failed at some node.
    #[error("{}", exec_message(name, location.as_ref(), message))]
    Exec {
        /// The template being executed (a `define`d one or the main one).
        name: String,
        location: Option<ExecLocation>,
        message: String,
    },
    /// The data could not be converted to template values.
    #[error(transparent)]
    Data(#[from] ValueError),
}

/// Where an execution error happened.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecLocation {
    /// The name of the top-level template.
    pub parse_name: String,
    pub line: usize,
    /// Byte offset within the line, counted from 0 as Go does.
    pub column: usize,
    /// The node being executed, printed back as template text.
    pub context: String,
}

fn exec_message(name: &str, location: Option<&ExecLocation>, message: &str) -> String {
    match location {
        None => format!("template: {name}: {message}"),
        Some(at) => format!(
            "template: {}:{}:{}: executing {} at <{}>: {message}",
            at.parse_name,
            at.line,
            at.column,
            gofmt::quote(name),
            at.context
        ),
    }
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    text: String,
    trees: parse::Trees,
    fold_field_case: bool,
}

impl Template {
    /// Parses `text` as a template called `name` (the name appears in error
    /// messages; podman uses the command's name, e.g. `ps`).
    pub fn parse(name: &str, text: &str) -> Result<Template, TemplateError> {
        let trees = parse::parse(name, text)?;
        Ok(Template {
            name: name.to_string(),
            text: text.to_string(),
            trees,
            fold_field_case: false,
        })
    }

    /// Lets `.Field` find a struct field or map key that differs only in
    /// ASCII case when there is no exact match. A bridge for data taken
    /// straight from podman's API, whose JSON keys are the Go fields' JSON
    /// names (`host.arch`) while templates use the Go names (`.Host.Arch`).
    /// Go itself has no such fallback; `index` stays exact.
    pub fn fold_field_case(mut self, fold: bool) -> Self {
        self.fold_field_case = fold;
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the template over `data` and returns what it printed.
    pub fn execute<T: Serialize + ?Sized>(&self, data: &T) -> Result<String, TemplateError> {
        let value = Value::from_serialize(data)?;
        let mut out = String::new();
        self.execute_value(&value, &mut out)?;
        Ok(out)
    }

    /// Runs the template over `data`, appending to `out`. On an error, `out`
    /// holds what was printed before it, as Go's streaming writer would.
    pub fn execute_value(&self, data: &Value, out: &mut String) -> Result<(), TemplateError> {
        exec::Exec {
            parse_name: &self.name,
            text: &self.text,
            trees: &self.trees,
            out,
            fold_field_case: self.fold_field_case,
        }
        .run(data)
    }
}

#[cfg(test)]
mod tests;
