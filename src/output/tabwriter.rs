//! Go's `text/tabwriter`, as podman uses it to align tables: cells end at
//! `\t`, a column is as wide as its widest cell plus padding (at least
//! `min_width`), the last cell of a line is not padded, and a line without
//! tabs ends the current block of aligned lines. podman's settings are
//! [`TabWriter::podman`]: min width 12, tab width 2, padding 2, spaces,
//! escape characters (`0xff`) stripped.

use std::io::{self, Write};

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// Size in bytes.
    size: usize,
    /// Width in characters.
    width: usize,
    /// Terminated by a tab.
    htab: bool,
}

/// The escape byte: text between two of them is passed through unchanged
/// (and with podman's settings the escape bytes are removed).
const ESCAPE: u8 = 0xff;

/// A writer that aligns tab-separated cells into columns.
pub struct TabWriter<W: Write> {
    output: W,
    min_width: usize,
    padding: usize,
    pad_char: u8,
    strip_escape: bool,
    buf: Vec<u8>,
    pos: usize,
    cell: Cell,
    in_escape: bool,
    lines: Vec<Vec<Cell>>,
    widths: Vec<usize>,
}

impl<W: Write> TabWriter<W> {
    /// podman's table writer: `tabwriter.NewWriter(w, 12, 2, 2, ' ',
    /// tabwriter.StripEscape)`.
    pub fn podman(output: W) -> Self {
        Self::new(output, 12, 2, b' ', true)
    }

    /// A writer with the given minimal cell width, padding and padding
    /// character (tab width only matters for tab padding, which berth does
    /// not use).
    pub fn new(
        output: W,
        min_width: usize,
        padding: usize,
        pad_char: u8,
        strip_escape: bool,
    ) -> Self {
        TabWriter {
            output,
            min_width,
            padding,
            pad_char,
            strip_escape,
            buf: Vec::new(),
            pos: 0,
            cell: Cell::default(),
            in_escape: false,
            lines: vec![Vec::new()],
            widths: Vec::new(),
        }
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.output
    }

    /// Consumes the writer (without flushing) and returns the wrapped one.
    pub fn into_inner(self) -> W {
        self.output
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.cell = Cell::default();
        self.in_escape = false;
        self.lines.clear();
        self.lines.push(Vec::new());
        self.widths.clear();
    }

    fn append(&mut self, text: &[u8]) {
        self.buf.extend_from_slice(text);
        self.cell.size += text.len();
    }

    fn update_width(&mut self) {
        self.cell.width += char_count(&self.buf[self.pos..]);
        self.pos = self.buf.len();
    }

    fn end_escape(&mut self) {
        self.update_width();
        if !self.strip_escape {
            self.cell.width -= 2;
        }
        self.pos = self.buf.len();
        self.in_escape = false;
    }

    fn terminate_cell(&mut self, htab: bool) -> usize {
        self.cell.htab = htab;
        let cell = std::mem::take(&mut self.cell);
        let line = self.lines.last_mut().expect("tabwriter always has a line");
        line.push(cell);
        line.len()
    }

    fn write_padding(&mut self, text_width: usize, cell_width: usize) -> io::Result<()> {
        let n = cell_width.saturating_sub(text_width);
        let pad = vec![self.pad_char; n];
        self.output.write_all(&pad)
    }

    fn write_lines(&mut self, mut pos: usize, line0: usize, line1: usize) -> io::Result<usize> {
        for i in line0..line1 {
            let line = self.lines[i].clone();
            for (j, c) in line.iter().enumerate() {
                if c.size == 0 {
                    if j < self.widths.len() {
                        self.write_padding(c.width, self.widths[j])?;
                    }
                } else {
                    self.output.write_all(&self.buf[pos..pos + c.size])?;
                    pos += c.size;
                    if j < self.widths.len() {
                        self.write_padding(c.width, self.widths[j])?;
                    }
                }
            }
            if i + 1 == self.lines.len() {
                // The last, incomplete line: its pending cell.
                let end = pos + self.cell.size;
                self.output.write_all(&self.buf[pos..end])?;
                pos = end;
            } else {
                self.output.write_all(b"\n")?;
            }
        }
        Ok(pos)
    }

    fn format(&mut self, mut pos: usize, mut line0: usize, line1: usize) -> io::Result<usize> {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // Cell exists in this column: a new block of lines starts.
            pos = self.write_lines(pos, line0, this)?;
            line0 = this;
            let mut width = self.min_width;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                let c = line[column];
                width = width.max(c.width + self.padding);
                this += 1;
            }
            self.widths.push(width);
            pos = self.format(pos, line0, this)?;
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(pos, line0, line1)
    }

    fn flush_internal(&mut self) -> io::Result<()> {
        if self.cell.size > 0 {
            if self.in_escape {
                self.end_escape();
            }
            self.terminate_cell(false);
        }
        let result = self.format(0, 0, self.lines.len());
        self.reset();
        result.map(|_| ())
    }
}

fn char_count(bytes: &[u8]) -> usize {
    // Like Go's utf8.RuneCount: each invalid byte counts as one.
    let mut count = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                count += s.chars().count();
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                count += std::str::from_utf8(&rest[..valid]).map_or(0, |s| s.chars().count());
                let bad = e.error_len().unwrap_or(rest.len() - valid).max(1);
                count += bad;
                rest = &rest[valid + bad..];
            }
        }
    }
    count
}

impl<W: Write> Write for TabWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = 0;
        for (i, &ch) in buf.iter().enumerate() {
            if !self.in_escape {
                match ch {
                    b'\t' | b'\x0b' | b'\n' | b'\x0c' => {
                        self.append(&buf[n..i]);
                        self.update_width();
                        n = i + 1;
                        let ncells = self.terminate_cell(ch == b'\t');
                        if ch == b'\n' || ch == b'\x0c' {
                            self.lines.push(Vec::new());
                            if ch == b'\x0c' || ncells == 1 {
                                // A line without cells ends the block.
                                self.flush_internal()?;
                            }
                        }
                    }
                    ESCAPE => {
                        self.append(&buf[n..i]);
                        self.update_width();
                        n = i;
                        if self.strip_escape {
                            n += 1;
                        }
                        self.in_escape = true;
                    }
                    _ => {}
                }
            } else if ch == ESCAPE {
                let j = if self.strip_escape { i } else { i + 1 };
                self.append(&buf[n..j]);
                n = i + 1;
                self.end_escape();
            }
        }
        self.append(&buf[n..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_internal()?;
        self.output.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> String {
        let mut w = TabWriter::podman(Vec::new());
        w.write_all(text.as_bytes()).unwrap();
        w.flush().unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn aligns_like_podman_ps() {
        let text = "CONTAINER ID\tIMAGE\tNAMES\n22be8422b7d9\tlocalhost/busybox:test\tsleeper\n";
        assert_eq!(
            table(text),
            "CONTAINER ID  IMAGE                   NAMES\n22be8422b7d9  localhost/busybox:test  sleeper\n"
        );
    }

    #[test]
    fn min_width_and_unpadded_last_cell() {
        assert_eq!(
            table("A\tB\nccc\tdddd\n"),
            "A           B\nccc         dddd\n"
        );
        assert_eq!(table("é\tx\n"), "é           x\n");
    }

    #[test]
    fn a_line_without_tabs_ends_the_block() {
        assert_eq!(
            table("a\tb\nplain\nlonger cell\tc\n"),
            "a           b\nplain\nlonger cell  c\n"
        );
    }

    #[test]
    fn empty_cells_and_trailing_text() {
        assert_eq!(
            table("a\t\tc\n\t\t\n"),
            "a                       c\n                        \n"
        );
        assert_eq!(table("x\ty"), "x           y");
    }
}
