//! The local terminal during interactive sessions (`run -it`, `exec -it`,
//! `attach`): raw mode that is undone when its guard drops (on success,
//! error, panic or a proxied signal alike), the window size, and podman's
//! detach keys (`ctrl-p,ctrl-q`) recognised in the input stream.

use std::io::IsTerminal;

/// The terminal size in character cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSize {
    pub rows: u16,
    pub cols: u16,
}

/// True when standard input is a terminal.
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

#[cfg(unix)]
mod imp {
    use super::WindowSize;
    use std::io;
    use std::os::fd::RawFd;

    /// Raw mode on one terminal; the previous settings come back on drop.
    pub struct RawMode {
        fd: RawFd,
        saved: libc::termios,
    }

    impl RawMode {
        /// Puts standard input's terminal in raw mode (as `cfmakeraw`, which
        /// is what podman's `term.SetRawTerminal` does).
        pub fn enable_stdin() -> io::Result<RawMode> {
            let fd = libc::STDIN_FILENO;
            // SAFETY: termios is plain data; tcgetattr fills it or fails.
            let mut saved: libc::termios = unsafe { std::mem::zeroed() };
            // SAFETY: fd is a valid descriptor number and saved is writable.
            if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
                return Err(io::Error::last_os_error());
            }
            let mut raw = saved;
            // SAFETY: raw is an initialised termios.
            unsafe { libc::cfmakeraw(&mut raw) };
            // SAFETY: raw is an initialised termios for this fd.
            if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &raw) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(RawMode { fd, saved })
        }
    }

    impl Drop for RawMode {
        fn drop(&mut self) {
            // SAFETY: restores the settings read from the same fd.
            unsafe {
                libc::tcsetattr(self.fd, libc::TCSANOW, &self.saved);
            }
        }
    }

    /// Reads one line from the terminal on stdin with echo off (a
    /// password); fails with ENOTTY when stdin is not a terminal.
    pub fn read_hidden_line() -> io::Result<String> {
        let fd = libc::STDIN_FILENO;
        // SAFETY: termios is plain data; tcgetattr fills it or fails.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is a valid descriptor number and saved is writable.
        if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ICANON;
        // SAFETY: quiet is an initialised termios for this fd.
        if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut line = String::new();
        let read = io::stdin().read_line(&mut line);
        // SAFETY: restores the settings read from the same fd.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
        read?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }

    /// The size of the terminal on stdout (else stdin), if either is one.
    pub fn window_size() -> Option<WindowSize> {
        [libc::STDOUT_FILENO, libc::STDIN_FILENO]
            .into_iter()
            .find_map(|fd| {
                // SAFETY: winsize is plain data filled by the ioctl.
                let mut size: libc::winsize = unsafe { std::mem::zeroed() };
                // SAFETY: TIOCGWINSZ writes a winsize into the pointer.
                let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) } == 0;
                (ok && size.ws_row > 0 && size.ws_col > 0).then_some(WindowSize {
                    rows: size.ws_row,
                    cols: size.ws_col,
                })
            })
    }
}

#[cfg(not(unix))]
mod imp {
    use super::WindowSize;
    use std::io;

    /// Raw mode is not implemented for this host's console yet; the session
    /// still works line by line.
    pub struct RawMode;

    impl RawMode {
        pub fn enable_stdin() -> io::Result<RawMode> {
            Ok(RawMode)
        }
    }

    pub fn window_size() -> Option<WindowSize> {
        None
    }

    /// Reads one line from stdin (echo control is not implemented here).
    pub fn read_hidden_line() -> io::Result<String> {
        let mut line = String::new();
        io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

pub use imp::{read_hidden_line, window_size, RawMode};

/// podman's detach key sequence: what the user types to leave an attached
/// session without stopping the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachKeys(Vec<u8>);

impl DetachKeys {
    /// Parses podman's spelling: a single character, or comma separated
    /// `ctrl-<x>` / characters (`ctrl-p,ctrl-q`). An empty string disables
    /// detaching.
    pub fn parse(spec: &str) -> Result<DetachKeys, String> {
        let mut keys = Vec::new();
        if spec.is_empty() {
            return Ok(DetachKeys(keys));
        }
        for part in spec.split(',') {
            let lower = part.to_ascii_lowercase();
            let key = match lower.strip_prefix("ctrl-") {
                Some(rest) if rest.len() == 1 => match rest.as_bytes()[0] {
                    c @ b'a'..=b'z' => c - b'a' + 1,
                    b'@' => 0,
                    b'[' => 27,
                    b'\\' => 28,
                    b']' => 29,
                    b'^' => 30,
                    b'_' => 31,
                    _ => return Err(format!("invalid detach keys: unknown character: '{part}'")),
                },
                _ if part.len() == 1 && part.as_bytes()[0].is_ascii_alphabetic() => {
                    part.as_bytes()[0]
                }
                _ => return Err(format!("invalid detach keys: unknown character: '{part}'")),
            };
            keys.push(key);
        }
        Ok(DetachKeys(keys))
    }
}

/// Finds the detach sequence in a stream of input chunks. Bytes that might
/// start the sequence are held back until the sequence completes (then they
/// are dropped) or breaks (then they are passed on), like podman's
/// `CopyDetachable`.
#[derive(Debug)]
pub struct DetachScanner {
    keys: Vec<u8>,
    matched: usize,
}

impl DetachScanner {
    pub fn new(keys: &DetachKeys) -> Self {
        DetachScanner {
            keys: keys.0.clone(),
            matched: 0,
        }
    }

    /// Appends the bytes of `input` to forward to `out`; returns true when
    /// the detach sequence completed (the rest of `input` is dropped).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool {
        if self.keys.is_empty() {
            out.extend_from_slice(input);
            return false;
        }
        for &byte in input {
            if byte == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    self.matched = 0;
                    return true;
                }
                continue;
            }
            // A broken sequence: release what was held, then look at this
            // byte afresh (it may start a new sequence).
            out.extend_from_slice(&self.keys[..self.matched]);
            self.matched = 0;
            if byte == self.keys[0] {
                self.matched = 1;
                if self.keys.len() == 1 {
                    self.matched = 0;
                    return true;
                }
            } else {
                out.push(byte);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_podman_detach_keys() {
        assert_eq!(DetachKeys::parse("ctrl-p,ctrl-q").unwrap().0, vec![16, 17]);
        assert_eq!(DetachKeys::parse("a").unwrap().0, b"a".to_vec());
        assert_eq!(
            DetachKeys::parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_")
                .unwrap()
                .0,
            vec![0, 27, 28, 29, 30, 31]
        );
        assert!(DetachKeys::parse("").unwrap().0.is_empty());
        assert!(DetachKeys::parse("ctrl-1").is_err());
        assert!(DetachKeys::parse("ab").is_err());
    }

    #[test]
    fn scanner_holds_partial_sequences() {
        let keys = DetachKeys::parse("ctrl-p,ctrl-q").unwrap();
        let mut scanner = DetachScanner::new(&keys);
        let mut out = Vec::new();
        assert!(!scanner.feed(b"ab\x10", &mut out));
        assert_eq!(out, b"ab");
        // The held ctrl-p is released when the sequence breaks.
        assert!(!scanner.feed(b"c", &mut out));
        assert_eq!(out, b"ab\x10c");
        out.clear();
        // ctrl-p ctrl-p ctrl-q: the first one is passed on, then detach.
        assert!(scanner.feed(b"x\x10\x10\x11rest", &mut out));
        assert_eq!(out, b"x\x10");
    }

    #[test]
    fn empty_keys_pass_everything() {
        let mut scanner = DetachScanner::new(&DetachKeys::parse("").unwrap());
        let mut out = Vec::new();
        assert!(!scanner.feed(b"\x10\x11", &mut out));
        assert_eq!(out, b"\x10\x11");
    }
}
