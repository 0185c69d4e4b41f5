//! The audit trail: every logoff (who asked, which session, whose, where, the result) goes to the
//! system log of the machine `logoff` runs on, under facility authpriv like other login tools.
//! A machine without a log socket loses the record, never the logoff.

use std::os::unix::net::UnixDatagram;

const AUTHPRIV: u8 = 10;
pub const NOTICE: u8 = 5;
pub const WARNING: u8 = 4;

/// The user running `logoff`, as the log should name them: login name (uid).
pub fn caller() -> String {
    let uid = rustix::process::getuid().as_raw();
    let name = std::fs::read_to_string("/etc/passwd").ok().and_then(|p| {
        p.lines().find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id: u32 = f.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_owned())
        })
    });
    match name {
        Some(n) => format!("{n} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// Sends one record to /dev/log (RFC 3164 framing, as syslog(3) does).
pub fn record(severity: u8, message: &str) {
    let Ok(sock) = UnixDatagram::unbound() else {
        return;
    };
    let pri = AUTHPRIV * 8 + severity;
    let line = format!(
        "<{pri}>logoff[{}]: {}",
        std::process::id(),
        message.replace('\n', " ")
    );
    let _ = sock.send_to(line.as_bytes(), "/dev/log");
}
