//! `.containerignore` / `.dockerignore` patterns with podman's semantics
//! (containers/storage `fileutils.PatternMatcher`, as podman's remote build
//! applies it to the context it sends): every pattern is checked against
//! the path relative to the context, in order, and the last one that
//! matches decides (`!` patterns re-include). A pattern that matches a
//! directory matches everything below it. `*` and `?` stop at `/`, `**`
//! crosses directories, `[...]` is a character class and `\` escapes.
//!
//! One deliberate difference: a leading `/` is dropped (as Docker and
//! buildah do when they read the file), where podman's remote client would
//! keep it and so never match; buildah on the server drops those files
//! from the build either way, berth just does not send them.

use std::fmt;

/// A pattern that cannot be compiled, worded like Go's errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("illegal exclusion pattern: \"!\"")]
    BareExclusion,
    #[error("syntax error in pattern")]
    Syntax { pattern: String },
}

/// One compiled pattern.
#[derive(Clone, PartialEq, Eq)]
struct Pattern {
    text: String,
    tokens: Vec<Token>,
    exclusion: bool,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", if self.exclusion { "!" } else { "" }, self.text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// One literal character.
    Literal(char),
    /// `?`: any character but `/`.
    AnyChar,
    /// `*`: any run of characters without `/`.
    Star,
    /// `**` followed by more pattern: any prefix ending in `/`, or nothing.
    AnyDirs,
    /// `**` at the end: anything.
    AnyTail,
    /// `[...]`: ranges and single characters, possibly negated.
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

/// An ordered list of patterns; see the module docs for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternMatcher {
    patterns: Vec<Pattern>,
}

impl PatternMatcher {
    /// Compiles `patterns` (blank ones are skipped).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        let mut compiled = Vec::with_capacity(patterns.len());
        for raw in patterns {
            let trimmed = raw.as_ref().trim();
            if trimmed.is_empty() {
                continue;
            }
            let mut text = clean_path(trimmed);
            let mut exclusion = false;
            if let Some(rest) = text.strip_prefix('!') {
                if rest.is_empty() {
                    return Err(PatternError::BareExclusion);
                }
                exclusion = true;
                text = clean_path(rest);
            }
            let text = text.trim_start_matches('/').to_string();
            let tokens = compile(&text).ok_or_else(|| PatternError::Syntax {
                pattern: raw.as_ref().to_string(),
            })?;
            compiled.push(Pattern {
                text,
                tokens,
                exclusion,
            });
        }
        Ok(PatternMatcher { patterns: compiled })
    }

    /// True when nothing can ever be excluded.
    pub fn is_empty(&self) -> bool {
        self.patterns.iter().all(|p| p.exclusion)
    }

    /// Whether `path` (relative, `/`-separated) is excluded: the last
    /// matching pattern decides.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for pattern in &self.patterns {
            if matches_with_subpaths(&pattern.tokens, path) {
                excluded = !pattern.exclusion;
            }
        }
        excluded
    }
}

/// The lines of an ignore file as podman reads them: empty lines and lines
/// starting with `#` are skipped, the rest kept as written.
pub fn parse_ignore_file(text: &str) -> Vec<String> {
    text.split('\n')
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Turns a pattern into tokens, or `None` for a syntax error (a trailing
/// `\`, an unterminated or empty class).
fn compile(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                tokens.push(if i >= chars.len() {
                    Token::AnyTail
                } else {
                    Token::AnyDirs
                });
            }
            '*' => {
                tokens.push(Token::Star);
                i += 1;
            }
            '?' => {
                tokens.push(Token::AnyChar);
                i += 1;
            }
            '\\' => {
                let escaped = *chars.get(i + 1)?;
                tokens.push(Token::Literal(escaped));
                i += 2;
            }
            '[' => {
                let (token, next) = compile_class(&chars, i + 1)?;
                tokens.push(token);
                i = next;
            }
            other => {
                tokens.push(Token::Literal(other));
                i += 1;
            }
        }
    }
    Some(tokens)
}

/// A `[...]` class starting after the `[`; returns it and the index after `]`.
fn compile_class(chars: &[char], mut i: usize) -> Option<(Token, usize)> {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !items.is_empty() {
            return Some((Token::Class { negated, items }, i + 1));
        }
        let low = if c == '\\' {
            i += 1;
            *chars.get(i)?
        } else {
            c
        };
        i += 1;
        let mut high = low;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
            high = if chars[i + 1] == '\\' {
                i += 1;
                *chars.get(i + 1)?
            } else {
                chars[i + 1]
            };
            i += 2;
            if high < low {
                return None;
            }
        }
        items.push((low, high));
    }
}

/// The pattern followed by `(/.*)?`, anchored at both ends.
fn matches_with_subpaths(tokens: &[Token], path: &str) -> bool {
    let chars: Vec<char> = path.chars().collect();
    match_here(tokens, &chars, true)
}

/// Backtracking match of `tokens` against `text`; with `subpaths`, the
/// text may go on with `/...` after the pattern ends.
fn match_here(tokens: &[Token], text: &[char], subpaths: bool) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return text.is_empty() || (subpaths && text[0] == '/');
    };
    match token {
        Token::Literal(c) => text.first() == Some(c) && match_here(rest, &text[1..], subpaths),
        Token::AnyChar => {
            text.first().is_some_and(|c| *c != '/') && match_here(rest, &text[1..], subpaths)
        }
        Token::Class { negated, items } => {
            text.first().is_some_and(|c| {
                let inside = items.iter().any(|(low, high)| (low..=high).contains(&c));
                inside != *negated
            }) && match_here(rest, &text[1..], subpaths)
        }
        Token::Star => {
            let run = text.iter().take_while(|c| **c != '/').count();
            (0..=run).any(|n| match_here(rest, &text[n..], subpaths))
        }
        Token::AnyTail => true,
        Token::AnyDirs => {
            // Nothing, or any prefix that ends with '/'.
            match_here(rest, text, subpaths)
                || (0..text.len())
                    .filter(|i| text[*i] == '/')
                    .any(|i| match_here(rest, &text[i + 1..], subpaths))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(patterns: &[&str], path: &str) -> bool {
        PatternMatcher::new(patterns).unwrap().excludes(path)
    }

    #[test]
    fn plain_names_match_the_path_and_everything_below() {
        assert!(excluded(&["foo"], "foo"));
        assert!(excluded(&["foo"], "foo/bar/baz"));
        assert!(!excluded(&["foo"], "foobar"));
        assert!(!excluded(&["foo"], "x/foo"));
        assert!(excluded(&["foo/"], "foo/x"));
        assert!(excluded(&["./foo"], "foo"));
        assert!(excluded(&["/foo"], "foo"));
    }

    #[test]
    fn stars_stay_within_one_directory() {
        assert!(excluded(&["*.txt"], "a.txt"));
        assert!(!excluded(&["*.txt"], "d/a.txt"));
        assert!(excluded(&["*/*.txt"], "d/a.txt"));
        assert!(excluded(&["d/*"], "d/a/b"));
        assert!(excluded(&["a?c"], "abc"));
        assert!(!excluded(&["a?c"], "a/c"));
    }

    #[test]
    fn double_stars_cross_directories() {
        assert!(excluded(&["**/*.txt"], "a.txt"));
        assert!(excluded(&["**/*.txt"], "x/y/a.txt"));
        assert!(excluded(&["**"], "anything/at/all"));
        assert!(excluded(&["a/**/b"], "a/b"));
        assert!(excluded(&["a/**/b"], "a/x/y/b"));
        assert!(!excluded(&["a/**/b"], "a/x/yb"));
        assert!(excluded(&["a**"], "a/x"));
    }

    #[test]
    fn the_last_matching_pattern_decides() {
        let patterns = ["*.md", "!README.md"];
        assert!(excluded(&patterns, "CHANGES.md"));
        assert!(!excluded(&patterns, "README.md"));
        let patterns = ["docs", "!docs/keep", "docs/keep/secret"];
        assert!(excluded(&patterns, "docs/x"));
        assert!(!excluded(&patterns, "docs/keep/y"));
        assert!(excluded(&patterns, "docs/keep/secret"));
        assert!(!excluded(&["!x", "x"], "y"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(excluded(&["file[0-9]"], "file7"));
        assert!(!excluded(&["file[0-9]"], "filex"));
        assert!(excluded(&["file[^0-9]"], "filex"));
        // Like podman's regexp, `!` in a class is a character, not a negation.
        assert!(excluded(&["file[!0-9]"], "file!"));
        assert!(!excluded(&["file[!0-9]"], "filex"));
        assert!(excluded(&["a\\*b"], "a*b"));
        assert!(!excluded(&["a\\*b"], "axb"));
        assert!(excluded(&["a.b"], "a.b"));
        assert!(!excluded(&["a.b"], "axb"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert_eq!(
            PatternMatcher::new(&["!"]).unwrap_err(),
            PatternError::BareExclusion
        );
        assert!(PatternMatcher::new(&["a\\"]).is_err());
        assert!(PatternMatcher::new(&["[abc"]).is_err());
        assert!(PatternMatcher::new(&["  ", ""]).unwrap().is_empty());
    }

    #[test]
    fn ignore_files_skip_comments_and_blank_lines() {
        assert_eq!(
            parse_ignore_file("# c\n\nfoo\n  bar\n"),
            vec!["foo".to_string(), "  bar".to_string()]
        );
    }

    #[test]
    fn paths_are_cleaned_like_go() {
        assert_eq!(clean_path("a/./b/../c/"), "a/c");
        assert_eq!(clean_path("/../a"), "/a");
        assert_eq!(clean_path("../a"), "../a");
        assert_eq!(clean_path("./"), ".");
        assert_eq!(clean_path(""), ".");
    }
}
