//! ssh's prompts (a password, a new host key) asked on logoff's own terminal.
//!
//! ssh runs `$SSH_ASKPASS` for every prompt; logoff sets it to itself, in helper mode. The
//! helper hands the prompt over a private socket to the logoff that started ssh, which asks on
//! the terminal. So that logoff knows when somebody is typing, and leaves that time out of the
//! connect bound; ssh runs in a process group of its own and never touches the terminal.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::UnixStream as StdStream;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use futures_io::AsyncRead;
use rustix::fs::{Mode, OFlags};
use rustix::termios::{LocalModes, OptionalActions, Termios};
use zruntime::net::unix::{UnixListener, UnixStream};
use zruntime::{AsyncIo, Shared, SharedRuntime};

use crate::i18n::clean;

/// Set for the helper: where the logoff that started ssh listens.
pub const SOCKET_ENV: &str = "LOGOFF_ASKPASS_SOCKET";

/// How long one prompt may wait for its answer: sshd gives up on a login after 120 s by default
/// (`LoginGraceTime`), and an unattended prompt must not hold the command forever.
pub(crate) const REPLY_BOUND: Duration = Duration::from_secs(120);

/// Longest prompt or answer taken.
const MAX_TEXT: usize = 16 * 1024;

/// What the helper asks for (the first byte it sends).
const LINE: u8 = b't';
const CONFIRM: u8 = b'c';
const NOTICE: u8 = b'n';

/// Helper mode (ssh ran `logoff PROMPT` as its askpass): the answer typed at the other end, or
/// `None` when there is none (cancelled, nobody listening): ssh then takes the prompt as refused.
pub fn helper(socket: &OsStr, prompt: &OsStr) -> Option<Vec<u8>> {
    let mut s = StdStream::connect(socket).ok()?;
    // ssh says what it wants: a yes/no confirmation, a notice to show while it waits ("touch
    // your security key", then it kills us), or else a line to type.
    let kind = match std::env::var_os("SSH_ASKPASS_PROMPT") {
        Some(v) if v == "confirm" => CONFIRM,
        Some(v) if v == "none" => NOTICE,
        _ => LINE,
    };
    s.write_all(&[kind]).ok()?;
    s.write_all(&prompt.as_bytes()[..prompt.len().min(MAX_TEXT)])
        .ok()?;
    s.shutdown(std::net::Shutdown::Write).ok()?;
    if kind == NOTICE {
        return Some(Vec::new());
    }
    let mut reply = Vec::new();
    s.take(MAX_TEXT as u64 + 1).read_to_end(&mut reply).ok()?;
    reply.strip_prefix(b"+").map(<[u8]>::to_vec)
}

/// The listening end, in a directory of its own that only this user can enter.
pub(crate) struct Prompter {
    dir: PathBuf,
    listener: UnixListener<Shared>,
}

impl Prompter {
    pub fn new(rt: &SharedRuntime) -> io::Result<Self> {
        // $XDG_RUNTIME_DIR only if it is ours: after `su`, it is still the other user's.
        let euid = rustix::process::geteuid().as_raw();
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| {
                use std::os::unix::fs::MetadataExt;
                std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir() && m.uid() == euid)
            })
            .unwrap_or_else(std::env::temp_dir);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut tries = 0u32;
        let dir = loop {
            let dir = base.join(format!(
                "logoff-askpass-{}-{:x}",
                std::process::id(),
                nanos.wrapping_add(tries.wrapping_mul(0x9e37_79b9))
            ));
            // mkdir never follows a planted symlink and fails on an existing name: the
            // directory is ours, with mode 0700, or we try another name.
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => break dir,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
                Err(e) => return Err(e),
            }
        };
        match UnixListener::bind(rt, dir.join("s")) {
            Ok(listener) => Ok(Prompter { dir, listener }),
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                Err(e)
            }
        }
    }

    /// The environment that makes ssh ask through us, and only through us.
    pub fn env(&self) -> io::Result<[(&'static str, std::ffi::OsString); 3]> {
        Ok([
            ("SSH_ASKPASS", std::env::current_exe()?.into_os_string()),
            ("SSH_ASKPASS_REQUIRE", "force".into()),
            (SOCKET_ENV, self.dir.join("s").into_os_string()),
        ])
    }

    /// The next prompt ssh wants answered.
    pub async fn next(&self) -> io::Result<Prompt> {
        let (mut stream, _) = self.listener.accept().await?;
        let mut text = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n =
                std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_read(cx, &mut buf))
                    .await?;
            if n == 0 || text.len() > MAX_TEXT {
                break;
            }
            text.extend_from_slice(&buf[..n]);
        }
        let kind = text.first().copied().unwrap_or(LINE);
        let text = String::from_utf8_lossy(text.get(1..).unwrap_or_default()).into_owned();
        Ok(Prompt { stream, text, kind })
    }
}

impl Drop for Prompter {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join("s"));
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// One prompt from ssh, waiting for its answer.
pub(crate) struct Prompt {
    stream: UnixStream<Shared>,
    text: String,
    kind: u8,
}

impl Prompt {
    /// Asks on the terminal and passes the answer on. Without a terminal, or on end of input
    /// (Ctrl-D), ssh gets no answer, which it takes as a refusal.
    pub async fn answer(self, rt: &SharedRuntime) {
        if self.kind == NOTICE {
            let _ = show(rt, &self.text).await;
            return;
        }
        let confirm = self.kind == CONFIRM;
        let reply = match ask(rt, &self.text, confirm).await {
            Ok(Some(line)) if !confirm => Some(line),
            Ok(Some(line)) => {
                let said = String::from_utf8_lossy(&line).trim().to_ascii_lowercase();
                ["yes", "y"].contains(&said.as_str()).then(Vec::new)
            }
            _ => None,
        };
        if let Some(mut line) = reply {
            line.insert(0, b'+');
            let _ = write_all(&mut &self.stream, &line).await;
        }
    }
}

/// Writes all of `buf` to a non-blocking writer.
async fn write_all(
    w: &mut (impl futures_io::AsyncWrite + Unpin),
    mut buf: &[u8],
) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *w).poll_write(cx, buf)).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
    }
    Ok(())
}

/// Puts the terminal's settings back however the prompt ends (Ctrl-C included).
struct Restore<'a> {
    tty: &'a File,
    saved: Termios,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        // Flush: half-typed input (a password cut short by Ctrl-C or the bound) must not reach
        // the shell that reads the terminal next.
        let _ = rustix::termios::tcsetattr(self.tty, OptionalActions::Flush, &self.saved);
    }
}

/// The controlling terminal, for prompts.
fn terminal(rt: &SharedRuntime) -> io::Result<AsyncIo<File, Shared>> {
    let fd = rustix::fs::open(
        "/dev/tty",
        OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    AsyncIo::new_nonblocking(rt, File::from(fd))
}

/// `text` as shown on the terminal: line by line, safely (it may come from the host).
fn shown(text: &str) -> String {
    text.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Shows a notice of ssh's (it waits for a security key to be touched).
async fn show(rt: &SharedRuntime, notice: &str) -> io::Result<()> {
    let tty = terminal(rt)?;
    write_all(&mut &tty, format!("{}\n", shown(notice)).as_bytes()).await
}

/// Shows `prompt` on the controlling terminal and reads one line, hidden unless it is a
/// question (a yes/no confirmation, which is harmless and easier to get right when seen).
/// `None` on end of input.
async fn ask(rt: &SharedRuntime, prompt: &str, confirm: bool) -> io::Result<Option<Vec<u8>>> {
    let tty = terminal(rt)?;
    // ssh's host-key question, and its retry ("Please type 'yes', 'no' or the fingerprint").
    let visible = confirm || prompt.contains("(yes/no") || prompt.contains("'yes'");
    let saved = rustix::termios::tcgetattr(tty.get_ref())?;
    let _restore = Restore {
        tty: tty.get_ref(),
        saved: saved.clone(),
    };
    if !visible {
        let mut quiet = saved;
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ECHONL);
        rustix::termios::tcsetattr(tty.get_ref(), OptionalActions::Flush, &quiet)?;
    }
    write_all(&mut &tty, shown(prompt).as_bytes()).await?;
    let mut line = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = tty.read_with(|mut t| t.read(&mut buf)).await?;
        if n == 0 {
            return Ok(None);
        }
        line.extend_from_slice(&buf[..n]);
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            return Ok(Some(line));
        }
        if line.len() > MAX_TEXT {
            return Ok(None);
        }
    }
}
