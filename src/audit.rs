//! The audit trail: every logoff is recorded in the system log of the machine `logoff` runs on
//! (facility authpriv, like other login tools) *before* logind is asked, saying who asks for
//! which session of whom where, and again with the outcome. The record goes to `/dev/log`, else
//! to journald's native socket; if neither takes it, [`lost`] says so, and `main` tells the user
//! once: a record is never dropped silently.

use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::i18n::clean;
use crate::session::Session;

const AUTHPRIV: u8 = 10;
pub(crate) const NOTICE: u8 = 5;
pub(crate) const WARNING: u8 = 4;

/// Longest message sent: a record must fit any datagram socket (sudo-rs bounds its too).
const MAX_MESSAGE: usize = 2048;

const SYSLOG_SOCKET: &str = "/dev/log";
const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

static LOST: AtomicBool = AtomicBool::new(false);

/// Whether some record of this run could not be written anywhere.
pub fn lost() -> bool {
    LOST.load(Ordering::Relaxed)
}

/// The user running `logoff`, as the log names them: login name (uid), looked up through NSS
/// (which may block: see [`Stop::blocking`](crate::stop::Stop::blocking)).
pub fn caller() -> String {
    let uid = rustix::process::getuid().as_raw();
    match crate::sys::user_name(uid) {
        Some(n) => format!("{} (uid {uid})", clean(&n)),
        None => caller_uid(),
    }
}

/// The user running `logoff` when NSS could not name them.
pub fn caller_uid() -> String {
    format!("uid {}", rustix::process::getuid().as_raw())
}

/// Records `result` for the logoff of `s` on `host`, asked by `who`.
pub fn session(severity: u8, who: &str, s: &Session, host: &str, result: &str) {
    let name = s
        .name()
        .map(|n| format!(", {}", clean(n)))
        .unwrap_or_default();
    let uid = s
        .uid
        .map_or_else(|| "unknown".to_owned(), |u| u.to_string());
    record(
        severity,
        &format!(
            "{who} logoff of session {} (user {}, uid {}{name}) on {}: {result}",
            clean(&s.id),
            clean(&s.user),
            uid,
            clean(host),
        ),
    );
}

/// Sends one record; notes it as lost if no log socket takes it.
pub(crate) fn record(severity: u8, message: &str) {
    let mut message = clean(message);
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    if !(to_syslog(severity, &message) || to_journal(severity, &message)) {
        LOST.store(true, Ordering::Relaxed);
    }
}

/// Never blocks: a stalled log daemon with a full queue must not hold up the run (a record
/// that finds no room counts as not written, and the next socket is tried).
fn send(socket: &str, data: &[u8]) -> bool {
    UnixDatagram::unbound()
        .and_then(|s| {
            s.set_nonblocking(true)?;
            s.send_to(data, socket)
        })
        .is_ok()
}

/// RFC 3164 framing, as syslog(3) does.
fn to_syslog(severity: u8, message: &str) -> bool {
    let pri = AUTHPRIV * 8 + severity;
    let line = format!("<{pri}>logoff[{}]: {message}", std::process::id());
    send(SYSLOG_SOCKET, line.as_bytes())
}

/// journald's native protocol: one `FIELD=value` per line (the message has no newline).
fn to_journal(severity: u8, message: &str) -> bool {
    let entry = format!(
        "PRIORITY={severity}\nSYSLOG_FACILITY={AUTHPRIV}\nSYSLOG_IDENTIFIER=logoff\nSYSLOG_PID={}\nMESSAGE={message}\n",
        std::process::id()
    );
    send(JOURNAL_SOCKET, entry.as_bytes())
}
