//! A real pseudo-terminal for interactive tests: the child runs as a
//! session leader with the pty as its controlling terminal (so the kernel
//! sends it SIGWINCH on resize), and the test reads and writes the master
//! side, checks its terminal modes and changes its window size.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process on a pty and everything it printed so far.
pub struct PtyChild {
    master: std::fs::File,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of `output` `expect` has consumed.
    consumed: usize,
}

impl PtyChild {
    /// Spawns `command` on a new pty of `rows` x `cols`.
    pub fn spawn(command: &mut Command, rows: u16, cols: u16) -> Self {
        let (master, slave) = open_pty(rows, cols);
        let slave_fd = slave.as_raw_fd();
        let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup pty slave"));
        command
            .stdin(stdio(&slave))
            .stdout(stdio(&slave))
            .stderr(stdio(&slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(slave_fd, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("spawning on a pty");
        drop(slave);
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().expect("dup pty master");
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.lock().unwrap().extend_from_slice(&buffer[..n]),
                }
            }
        });
        PtyChild {
            master,
            child,
            output,
            consumed: 0,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Types `bytes` on the terminal.
    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("writing to the pty");
        self.master.flush().expect("flushing the pty");
    }

    /// Waits until the output after the last match contains `needle`;
    /// panics with everything printed so far after `timeout`.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let output = self.output.lock().unwrap();
                let text = String::from_utf8_lossy(&output[self.consumed..]).into_owned();
                if let Some(at) = text.find(needle) {
                    let matched = text[..at + needle.len()].to_string();
                    self.consumed += matched.len();
                    return matched;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {needle:?}; output so far: {:?}",
                    self.all_output()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the child printed so far.
    pub fn all_output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// The terminal's current local modes (`c_lflag`): raw mode clears
    /// ICANON and ECHO.
    pub fn local_modes(&self) -> libc::tcflag_t {
        termios(self.master.as_raw_fd()).c_lflag
    }

    /// Changes the window size; the kernel signals the foreground process
    /// group with SIGWINCH.
    pub fn resize(&self, rows: u16, cols: u16) {
        set_size(self.master.as_raw_fd(), rows, cols);
    }

    /// Sends `signal` to the child.
    pub fn kill(&self, signal: i32) {
        // SAFETY: signalling a child we own by pid.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// Waits for the child to exit.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for the child") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the child did not exit; output: {:?}", self.all_output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PtyChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The terminal modes a fresh pty starts with, for comparison.
pub fn cooked_modes(flags: libc::tcflag_t) -> bool {
    flags & libc::ICANON != 0 && flags & libc::ECHO != 0
}

fn open_pty(rows: u16, cols: u16) -> (OwnedFd, OwnedFd) {
    let mut master: RawFd = -1;
    let mut slave: RawFd = -1;
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills the two descriptors; the name and termios
    // arguments may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

fn termios(fd: RawFd) -> libc::termios {
    // SAFETY: plain data filled by tcgetattr.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is an open pty master.
    let rc = unsafe { libc::tcgetattr(fd, &mut termios) };
    assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
    termios
}

fn set_size(fd: RawFd, rows: u16, cols: u16) {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads a winsize.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &size) };
    assert_eq!(rc, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
}
