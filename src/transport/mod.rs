//! The one connect step: the local system bus, or a remote host's system bus through
//! `ssh -xT -- HOST systemd-stdio-bridge` (what `loginctl -H` does; see [`ssh`]). Everything
//! after it is the same code for every transport: a D-Bus connection, and for ssh the reason
//! ssh gave should it break.

mod agent;
pub mod askpass;
mod guard;
mod ssh;

pub(crate) use agent::{Agent, Lost};

use std::time::Duration;

use zbus::Connection;
use zruntime::SharedRuntime;

use crate::error::{BadHost, Error, Result};
use crate::stop::{Halt, Stop, after};
use ssh::{CLOSE_BOUND, SshProcess, connect_ssh, last_line};

/// Where the session host is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Local,
    /// A destination as ssh takes it (alias, `user@host`), with an optional port.
    Ssh {
        dest: String,
        port: Option<u16>,
        label: String,
    },
}

impl Target {
    /// The name used in messages and logs.
    pub fn label(&self) -> String {
        match self {
            Target::Local => local_hostname(),
            Target::Ssh { label, .. } => label.clone(),
        }
    }
}

impl Target {
    /// Where it leads, for telling duplicates apart: the same user, the same port, and the
    /// same host in any letter case (host names are case-insensitive; user names are not).
    pub(crate) fn destination(&self) -> Option<(String, String, Option<u16>)> {
        let Target::Ssh { dest, port, .. } = self else {
            return None;
        };
        let (user, host) = dest.rsplit_once('@').unwrap_or(("", dest));
        Some((user.to_owned(), host.to_ascii_lowercase(), *port))
    }
}

pub(crate) fn local_hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Checks a `/server:` name and splits off a `:port` (as `loginctl -H host:port` accepts).
/// Refused before anything runs: a leading `-` (ssh would read an option), whitespace or control
/// characters (never part of a host name, often an injection attempt), an empty host, a bad port.
pub(crate) fn parse_host(raw: &str) -> Result<Target> {
    let bad = |why| Error::BadHost {
        host: raw.to_owned(),
        why,
    };
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(BadHost::Whitespace));
    }
    if raw.starts_with('-') {
        return Err(bad(BadHost::LeadingDash));
    }
    // `[v6addr]:port`, `host:port`; a bare IPv6 address (several colons) has no port.
    let (dest, port) = if let Some(rest) = raw.strip_prefix('[').or_else(|| {
        raw.split_once("@[").map(|(_, r)| r) // user@[v6]:port
    }) {
        let (addr, after) = rest.split_once(']').ok_or_else(|| bad(BadHost::Empty))?;
        let user = raw
            .split_once("@[")
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(bad(BadHost::BadPort)),
        };
        (format!("{user}{addr}"), port)
    } else if raw.matches(':').count() == 1 {
        let (h, p) = raw.split_once(':').unwrap_or((raw, ""));
        (h.to_owned(), Some(p))
    } else {
        (raw.to_owned(), None)
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(bad(BadHost::BadPort)),
        },
    };
    let host_part = dest.rsplit_once('@').map_or(dest.as_str(), |(_, h)| h);
    if host_part.is_empty() || dest.ends_with('@') {
        return Err(bad(BadHost::Empty));
    }
    if host_part.starts_with('-') {
        return Err(bad(BadHost::LeadingDash));
    }
    Ok(Target::Ssh {
        dest,
        port,
        label: raw.to_owned(),
    })
}

/// A live connection to one host's system bus.
pub(crate) struct Bus {
    pub conn: Connection,
    pub host: String,
    pub remote: bool,
    ssh: Option<SshProcess>,
}

impl Bus {
    /// The reason ssh gave, if it gave one (the connection broke under us).
    pub(crate) fn ssh_reason(&self) -> Option<String> {
        self.ssh
            .as_ref()
            .map(|s| last_line(&s.stderr_text()))
            .filter(|r| !r.is_empty())
    }

    /// Ends the connection, and ssh with everything it started.
    pub(crate) async fn close(mut self) {
        let rt = SharedRuntime::current().ok();
        let close = self.conn.clone().close();
        match &rt {
            Some(rt) => {
                let _ = rt.timeout(CLOSE_BOUND, close).await;
            }
            None => drop(close),
        }
        if let Some(mut s) = self.ssh.take() {
            s.finish().await;
        }
    }
}

/// What answers on a host: its system bus, or (over ssh, where the host has no bridge or no
/// bus) logoff's agent there.
#[allow(clippy::large_enum_variant)] // returned once per host and unpacked at once
pub(crate) enum Reached {
    Bus(Bus),
    Agent(Box<Agent>),
}

/// Connects to `target` within `timeout`, unless `stop` interrupts: the local system bus, or
/// over ssh the host's bus through its bridge (unless `bridge` is false) or its agent, started
/// with `agent` (its arguments). `prompts`: whether ssh may ask on the terminal (a password, a
/// new host key); never for several hosts at once, whose prompts would interleave on one
/// terminal.
pub(crate) async fn connect(
    target: &Target,
    timeout: Duration,
    prompts: bool,
    bridge: bool,
    agent: &str,
    stop: &Stop,
) -> Result<Reached> {
    match target {
        Target::Local => connect_local(timeout, stop).await.map(Reached::Bus),
        Target::Ssh { dest, port, label } => {
            connect_ssh(dest, *port, label, timeout, prompts, bridge, agent, stop).await
        }
    }
}

async fn connect_local(timeout: Duration, stop: &Stop) -> Result<Bus> {
    let host = local_hostname();
    let build = zbus::connection::Builder::system().build();
    let conn = match stop.bounded(after(timeout), build).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            return Err(Error::NoBus {
                host,
                reason: zbus_reason(&e),
            });
        }
        Err(Halt::TimedOut) => {
            return Err(Error::NoAnswer {
                host,
                secs: timeout.as_secs_f64(),
            });
        }
        Err(Halt::Interrupted) => return Err(interrupted(stop)),
    };
    Ok(Bus {
        conn,
        host,
        remote: false,
        ssh: None,
    })
}

/// The error of a run that `stop` interrupted.
pub fn interrupted(stop: &Stop) -> Error {
    Error::Interrupted {
        signal: stop.signal().unwrap_or("SIGINT"),
    }
}

/// The text of a zbus error without its Rust type decoration.
pub(crate) fn zbus_reason(e: &zbus::Error) -> String {
    match e {
        zbus::Error::InputOutput(io) => io.to_string(),
        zbus::Error::MethodError(_, Some(msg), _) => msg.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(dest: &str, port: Option<u16>) -> Target {
        Target::Ssh {
            dest: dest.into(),
            port,
            label: String::new(),
        }
    }

    fn parsed(raw: &str) -> Target {
        match parse_host(raw).unwrap() {
            Target::Ssh { dest, port, .. } => ssh(&dest, port),
            t => t,
        }
    }

    fn why(raw: &str) -> BadHost {
        match parse_host(raw) {
            Err(Error::BadHost { why, host }) => {
                assert_eq!(host, raw);
                why
            }
            other => panic!("{raw:?} -> {other:?}"),
        }
    }

    #[test]
    fn accepted_hosts() {
        assert_eq!(parsed("server1"), ssh("server1", None));
        assert_eq!(parsed("alice@server1"), ssh("alice@server1", None));
        assert_eq!(parsed("server1:2222"), ssh("server1", Some(2222)));
        assert_eq!(parsed("bob@10.0.0.1:22"), ssh("bob@10.0.0.1", Some(22)));
        assert_eq!(parsed("fe80::1"), ssh("fe80::1", None));
        assert_eq!(parsed("[fe80::1]:2200"), ssh("fe80::1", Some(2200)));
        assert_eq!(parsed("root@[::1]:22"), ssh("root@::1", Some(22)));
        assert_eq!(parsed("[::1]"), ssh("::1", None));
    }

    #[test]
    fn refused_hosts() {
        assert_eq!(why("-oProxyCommand=touch /tmp/x"), BadHost::Whitespace);
        assert_eq!(why("-oProxyCommand=id"), BadHost::LeadingDash);
        assert_eq!(why("-p22"), BadHost::LeadingDash);
        assert_eq!(why("alice@-oProxyCommand=id"), BadHost::LeadingDash);
        assert_eq!(why("a b"), BadHost::Whitespace);
        assert_eq!(why("a\tb"), BadHost::Whitespace);
        assert_eq!(why("a\nb"), BadHost::Whitespace);
        assert_eq!(why("a\u{7}"), BadHost::Whitespace);
        assert_eq!(why("server:0"), BadHost::BadPort);
        assert_eq!(why("server:99999"), BadHost::BadPort);
        assert_eq!(why("server:x"), BadHost::BadPort);
        assert_eq!(why("server:"), BadHost::BadPort);
        assert_eq!(why("server:+22"), BadHost::BadPort);
        assert_eq!(why("[::1]x"), BadHost::BadPort);
        assert_eq!(why("alice@"), BadHost::Empty);
        assert_eq!(why(":22"), BadHost::Empty);
        assert_eq!(why("[::1"), BadHost::Empty);
    }
}
