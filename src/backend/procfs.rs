//! A session's processes as the kernel knows them, and ending them without a race: what the
//! backend for hosts without logind is built on, and what makes "gone" true on elogind, which
//! drops a session after one SIGTERM whatever its processes do.
//!
//! Members are found by the kernel's audit session ID (set at login by pam_loginuid, inherited
//! by every child, and unchangeable by the user: it survives setsid and daemonizing), else by
//! POSIX session and controlling terminal. Each is signalled through a pidfd opened after its
//! start time was read and checked again once the pidfd is held, so a PID that was reused in
//! between is never signalled. SIGKILL passes repeat until a whole pass finds no member: a
//! session that keeps forking still ends with no survivor.

use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use rustix::process::{Pid, PidfdFlags, Signal, pidfd_open, pidfd_send_signal};

use crate::error::Result;
use crate::session::Proc;
use crate::stop::{Halt, Stop, after};
use crate::transport::interrupted;

/// What a session's processes get first: systemd's order for a scope, SIGTERM, SIGCONT (a
/// stopped process gets it) and SIGHUP (an interactive shell ignores SIGTERM).
pub(crate) const ENDING: &[Signal] = &[Signal::TERM, Signal::CONT, Signal::HUP];

/// How long SIGKILL passes may go on (the kill grace's wait then looks at what is left).
const KILL_PASSES: Duration = Duration::from_secs(2);

/// How often a wait looks again whether a session's processes are gone.
const POLL: Duration = Duration::from_millis(20);

/// This process, which is never signalled.
pub(crate) fn own_pid() -> i32 {
    std::process::id() as i32
}

/// `/proc/PID/sessionid` of a process with no audit session.
const NO_AUDIT: u32 = u32::MAX;

/// What makes a process a member of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Members {
    /// Every process with this audit session ID.
    Audit(u32),
    /// The POSIX session `sid`, and every process whose controlling terminal is `tty`.
    Posix { sid: i32, tty: Option<u64> },
    /// Every process in this cgroup (elogind's own cgroup for the session: a path below the
    /// cgroup2 mount), and those with the audit session ID if there is one.
    Cgroup { dir: String, audit: Option<u32> },
}

/// One process, as a pass saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub pid: i32,
    pub sid: i32,
    pub tty: u64,
    /// Clock ticks after boot: with the PID, names one process for good.
    pub start: u64,
    pub zombie: bool,
    pub audit: Option<u32>,
}

/// `/proc/PID/stat`'s fields after the command name: state, ppid, pgrp, session, tty_nr, ...,
/// starttime (the 22nd field).
fn parse_stat(pid: i32, stat: &[u8]) -> Option<Seen> {
    // The command name is any bytes, `)` and spaces included: the fields follow its last `)`.
    let end = stat.iter().rposition(|b| *b == b')')?;
    let rest = std::str::from_utf8(stat.get(end + 2..)?).ok()?;
    let f: Vec<&str> = rest.split(' ').collect();
    Some(Seen {
        pid,
        zombie: matches!(f.first()?.as_bytes().first(), Some(b'Z' | b'X')),
        sid: f.get(3)?.parse().ok()?,
        tty: f.get(4)?.parse::<i64>().ok()? as u64,
        start: f.get(19)?.parse().ok()?,
        audit: None,
    })
}

/// The kernel's view of `pid` now; `None` once it is gone.
pub(crate) fn look(pid: i32, with_audit: bool) -> Option<Seen> {
    let stat = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    let mut seen = parse_stat(pid, &stat)?;
    if with_audit {
        seen.audit = audit_session(pid);
    }
    Some(seen)
}

/// When this machine booted, in microseconds since the epoch.
pub(crate) fn boot_us() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let secs: u64 = stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(secs * 1_000_000)
}

/// When `p` started, in microseconds since the epoch, given [`boot_us`].
pub(crate) fn started_us(p: &Seen, boot_us: u64) -> u64 {
    let hz = rustix::param::clock_ticks_per_second().max(1);
    boot_us + p.start * 1_000_000 / hz
}

/// `pid`'s audit session ID, if it has one.
pub(crate) fn audit_session(pid: i32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/sessionid")).ok()?;
    s.trim().parse().ok().filter(|id| *id != NO_AUDIT)
}

/// Every PID in /proc now.
pub(crate) fn pids() -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// The command line of `pid` (its name in brackets for a kernel thread or when unreadable).
pub(crate) fn command(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if !args.is_empty() {
        return args.join(" ");
    }
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    format!("[{}]", comm.trim_end())
}

/// The PIDs in the cgroup at `dir` and below.
fn cgroup_pids(dir: &str) -> Vec<i32> {
    let mut out = Vec::new();
    let mut todo = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = todo.pop() {
        if let Ok(procs) = std::fs::read_to_string(d.join("cgroup.procs")) {
            out.extend(procs.lines().filter_map(|l| l.parse::<i32>().ok()));
        }
        if let Ok(entries) = std::fs::read_dir(&d) {
            todo.extend(
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path()),
            );
        }
    }
    out
}

impl Members {
    fn audit(&self) -> Option<u32> {
        match self {
            Members::Audit(id) => Some(*id),
            Members::Cgroup { audit, .. } => *audit,
            Members::Posix { .. } => None,
        }
    }

    pub(crate) fn holds(&self, p: &Seen) -> bool {
        match self {
            Members::Audit(id) => p.audit == Some(*id),
            Members::Posix { sid, tty } => p.sid == *sid || (tty.is_some() && Some(p.tty) == *tty),
            // Cgroup members are found from the cgroup itself, in `scan`.
            Members::Cgroup { audit, .. } => audit.is_some() && p.audit == *audit,
        }
    }

    /// The live (not zombie) members now, but `except` (our own process).
    pub(crate) fn scan(&self, except: i32) -> Vec<Seen> {
        let with_audit = self.audit().is_some();
        let mut out: Vec<Seen> = pids()
            .into_iter()
            .filter(|pid| *pid != except)
            .filter_map(|pid| look(pid, with_audit))
            .filter(|p| !p.zombie && self.holds(p))
            .collect();
        if let Members::Cgroup { dir, .. } = self {
            for pid in cgroup_pids(dir) {
                if pid != except && !out.iter().any(|p| p.pid == pid) {
                    out.extend(look(pid, false).filter(|p| !p.zombie));
                }
            }
        }
        out
    }

    /// Sends `signals` to every member, each through a pidfd checked against the start time it
    /// was seen with. The members it found, and those that refused (EPERM: not ours to signal).
    pub(crate) fn signal(&self, signals: &[Signal], except: i32) -> Pass {
        let found = self.scan(except);
        let mut refused = Vec::new();
        for p in &found {
            match pidfd_of(p) {
                Some(fd) => {
                    for sig in signals {
                        if let Err(e) = pidfd_send_signal(&fd, *sig) {
                            if e == rustix::io::Errno::PERM {
                                refused.push(p.pid);
                            }
                            break;
                        }
                    }
                }
                None => continue,
            }
        }
        Pass { found, refused }
    }

    /// The live members now, but `except`, with their command lines.
    pub(crate) fn procs(&self, except: i32) -> Vec<Proc> {
        self.scan(except)
            .into_iter()
            .map(|p| Proc {
                pid: p.pid as u32,
                cmd: command(p.pid),
            })
            .collect()
    }

    /// [`Members::kill_all`] on a thread of its own, bounded: the passes stop well before the
    /// wait for them does, so a pass that did not come back (a thread that could not start, a
    /// scan stuck on a hung mount) is `None`, never taken for "no member left".
    pub(crate) async fn kill_bounded(&self, stop: &Stop) -> Result<Option<Pass>> {
        let (members, me) = (self.clone(), own_pid());
        let pass = stop
            .blocking(after(KILL_PASSES * 2), move || {
                members.kill_all(me, after(KILL_PASSES))
            })
            .await;
        match pass {
            None if stop.signal().is_some() => Err(interrupted(stop)),
            pass => Ok(pass),
        }
    }

    /// SIGKILL passes (and `cgroup.kill` where the session has a cgroup and we may write it)
    /// until a whole pass finds no member, or `until`. The members the last pass found.
    pub(crate) fn kill_all(&self, except: i32, until: Instant) -> Pass {
        // Not the cgroup we are in ourselves (ending our own session): that would end us too.
        let whole = match self {
            Members::Cgroup { dir, .. } => {
                let ours = cgroup_of(except).unwrap_or_default();
                let inside = ours == *dir || ours.starts_with(&format!("{dir}/"));
                (!inside).then_some(dir)
            }
            _ => None,
        };
        loop {
            if let Some(dir) = whole {
                let _ = std::fs::write(format!("{dir}/cgroup.kill"), "1");
            }
            let pass = self.signal(&[Signal::KILL], except);
            // Only members we may not signal are left: more passes would change nothing.
            let stuck = pass.found.iter().all(|p| pass.refused.contains(&p.pid));
            if pass.found.is_empty() || stuck || Instant::now() >= until {
                return pass;
            }
            // Those just killed may not have exited yet: give the kernel a moment.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Looks again every [`POLL`] until `done` says so or `deadline` passes; interruptible.
pub(crate) async fn poll_until(
    stop: &Stop,
    deadline: Instant,
    mut done: impl FnMut() -> Result<bool>,
) -> Result<()> {
    while !done()? && Instant::now() < deadline {
        let nap = stop.bounded(
            (Instant::now() + POLL).min(deadline),
            std::future::pending::<()>(),
        );
        if let Err(Halt::Interrupted) = nap.await {
            return Err(interrupted(stop));
        }
    }
    Ok(())
}

/// What one signalling pass found.
#[derive(Debug, Default)]
pub(crate) struct Pass {
    pub found: Vec<Seen>,
    pub refused: Vec<i32>,
}

/// A pidfd for the process `p` names, only if it is still that process (same start time).
fn pidfd_of(p: &Seen) -> Option<OwnedFd> {
    let fd = pidfd_open(Pid::from_raw(p.pid)?, PidfdFlags::empty()).ok()?;
    // Held now: the PID cannot be reused while we look.
    let now = look(p.pid, false)?;
    (now.start == p.start).then_some(fd)
}

/// The cgroup2 mount point here, if there is one (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified`
/// on hybrid systems).
pub(crate) fn cgroup2_root() -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mounts.lines().find_map(|l| {
        let (left, right) = l.split_once(" - ")?;
        (right.split(' ').next() == Some("cgroup2"))
            .then(|| left.split(' ').nth(4).map(str::to_owned))?
    })
}

/// The cgroup2 directory of `pid`, if it is not the root.
pub(crate) fn cgroup_of(pid: i32) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let path = text.lines().find_map(|l| l.strip_prefix("0::"))?;
    if path == "/" || path.is_empty() || path.contains("..") {
        return None;
    }
    Some(format!("{}{path}", cgroup2_root()?))
}

/// The device number of a terminal line (`pts/3`), as `/proc/PID/stat` gives a controlling tty.
pub(crate) fn tty_device(line: &str) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    if line.is_empty() || line.contains("..") || line.starts_with('/') || line.starts_with(':') {
        return None;
    }
    let dev = std::fs::metadata(format!("/dev/{line}")).ok()?.rdev();
    // The kernel's encoding in the stat file: minor's low 8 bits, major, minor's high bits.
    let (major, minor) = (rustix::fs::major(dev) as u64, rustix::fs::minor(dev) as u64);
    Some((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names_are_read() {
        let line =
            b"4242 (a) (b\xff c) S 1 4242 4240 34816 4242 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0";
        let s = parse_stat(4242, line).unwrap();
        assert_eq!(
            (s.sid, s.tty, s.start, s.zombie),
            (4240, 34816, 987654, false)
        );
        let z = parse_stat(1, b"1 (x) Z 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 0").unwrap();
        assert!(z.zombie);
        assert!(parse_stat(1, b"garbage").is_none());
        assert!(parse_stat(1, b"1 (x)").is_none());
        assert!(parse_stat(1, b"1 (x)x").is_none());
    }

    #[test]
    fn our_own_process_is_seen_and_never_a_member_of_a_scan_that_excludes_it() {
        let me = std::process::id() as i32;
        let seen = look(me, true).unwrap();
        assert!(!seen.zombie);
        let sid = seen.sid;
        let members = Members::Posix { sid, tty: None };
        assert!(members.scan(0).iter().any(|p| p.pid == me));
        assert!(!members.scan(me).iter().any(|p| p.pid == me));
    }

    #[test]
    fn a_forking_tree_is_killed_to_the_last_process() {
        use std::process::Command;
        // A new POSIX session that forks children that fork again.
        let mut child = Command::new("setsid")
            .args([
                "sh",
                "-c",
                "for i in 1 2 3 4 5; do (sleep 60 & sleep 60) & done; sleep 60",
            ])
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let until = Instant::now() + Duration::from_secs(5);
        let sid = loop {
            let s = look(pid, false).map(|s| s.sid);
            if s == Some(pid) || Instant::now() > until {
                break pid;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let members = Members::Posix { sid, tty: None };
        while members.scan(0).len() < 11 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(members.scan(0).len() >= 11);
        let pass = members.kill_all(0, Instant::now() + Duration::from_secs(5));
        let _ = child.wait();
        assert!(pass.found.is_empty(), "left: {:?}", pass.found);
        assert!(members.scan(0).is_empty());
    }
}
