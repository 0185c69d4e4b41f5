//! Hosts without logind (containers with sshd, WSL, minimal VMs, sysvinit and OpenRC boxes):
//! a session is a login record (`utmp`, type USER_PROCESS) whose leader is alive, and its
//! processes are found in /proc (see [`procfs`](super::procfs)).
//!
//! Its ID is the kernel's audit session ID where login set one (what logind would call it),
//! else its leader's POSIX session ID; its name is its terminal line. Nobody but root may end
//! another user's session: checked here before anything is signalled, since no logind or
//! polkit stands between us and the kernel (which still refuses what we may not signal).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::time::{Duration, Instant};

use rustix::process::Signal;

use super::procfs::{self, Members};
use super::utmp::{self, USER_PROCESS};
use super::{Asked, Backend, Delivery, Listing, Reply};
use crate::error::{Error, Result};
use crate::ops::logoff::Notice;
use crate::session::{Proc, Session, State};
use crate::stop::Stop;
use crate::sys::user_id;

/// How long a user lookup may take (NSS may ask a directory server).
const LOOKUP_BOUND: Duration = Duration::from_secs(5);

/// What is known of a listed session: how to find its members once its leader is gone, and
/// its login record.
#[derive(Debug, Clone)]
struct Tracked {
    members: Members,
    leader: i32,
    line: String,
}

/// The login records and /proc of this host (for a run here, or for the agent serving a run on
/// another host, which sees its own session as the connection's).
pub(crate) struct ProcHost<'a> {
    host: String,
    stop: &'a Stop,
    me: i32,
    uid: u32,
    root: bool,
    known: RefCell<HashMap<String, Tracked>>,
    utmp: String,
    wtmp: String,
}

impl<'a> ProcHost<'a> {
    pub(crate) fn new(host: String, stop: &'a Stop) -> Self {
        ProcHost {
            host,
            stop,
            me: procfs::own_pid(),
            uid: rustix::process::getuid().as_raw(),
            root: rustix::process::geteuid().is_root(),
            known: RefCell::new(HashMap::new()),
            utmp: utmp::UTMP.into(),
            wtmp: utmp::WTMP.into(),
        }
    }

    /// Every live login session, read now.
    fn list(&self) -> Result<Vec<Session>> {
        let records = utmp::read(&self.utmp).map_err(|e| Error::NoRecords {
            host: self.host.clone(),
            reason: e.to_string(),
        })?;
        // An audit session that PID 1 already has (a container started from someone's login)
        // is everybody's: it cannot tell sessions apart.
        let inherited = procfs::audit_session(1);
        let init_sid = procfs::look(1, false).map(|p| p.sid);
        let boot = procfs::boot_us();
        let vt = std::fs::read_to_string("/sys/class/tty/tty0/active").unwrap_or_default();
        let mut out: Vec<Session> = Vec::new();
        let mut known = self.known.borrow_mut();
        for r in records
            .into_iter()
            .filter(|r| r.kind == USER_PROCESS && r.pid > 0)
        {
            let Some(leader) = procfs::look(r.pid, true).filter(|l| !l.zombie) else {
                continue; // a stale record: its session is over
            };
            // A stale record whose PID was given to another process since (a container
            // restarted with its /run kept): that process started after the record was written.
            // Nor is PID 1's session, or none, anybody's login.
            let reused = boot.is_some_and(|b| {
                r.time_us > 0 && procfs::started_us(&leader, b) > r.time_us + 2_000_000
            });
            if reused || leader.sid <= 0 || Some(leader.sid) == init_sid {
                continue;
            }
            let (id, members) = match leader.audit.filter(|a| Some(*a) != inherited) {
                Some(a) => (a.to_string(), Members::Audit(a)),
                None => (
                    leader.sid.to_string(),
                    Members::Posix {
                        sid: leader.sid,
                        tty: procfs::tty_device(&r.line),
                    },
                ),
            };
            if out.iter().any(|s| s.id == id) {
                continue; // a second record of one session (a terminal multiplexer's window)
            }
            known.insert(
                id.clone(),
                Tracked {
                    members,
                    leader: r.pid,
                    line: r.line.clone(),
                },
            );
            out.push(session(id, r, vt.trim()));
        }
        Ok(out)
    }

    /// What is known of session `id`, listing again if it is new to us.
    fn tracked(&self, id: &str) -> Result<Option<Tracked>> {
        if let Some(t) = self.known.borrow().get(id) {
            return Ok(Some(t.clone()));
        }
        self.list()?;
        Ok(self.known.borrow().get(id).cloned())
    }

    /// Refuses a session of another user unless we are root: the rule logind's polkit policy
    /// applies, checked before anything is signalled.
    fn permit(&self, s: &Session) -> Result<()> {
        if self.root || s.uid == Some(self.uid) {
            return Ok(());
        }
        Err(Error::AccessDenied {
            session: Box::new(s.clone()),
            host: self.host.clone(),
            reason: "only root may end another user's session".into(),
        })
    }

    /// Our own session here: the one whose members include this process.
    fn own(&self) -> Result<Option<String>> {
        self.list()?;
        Ok(self.own_listed())
    }

    /// Our own session among those last listed.
    fn own_listed(&self) -> Option<String> {
        let me = procfs::look(self.me, true)?;
        let known = self.known.borrow();
        // An audit session is exact; a POSIX session or terminal match is the fallback.
        let mut ids: Vec<(&String, &Tracked)> = known.iter().collect();
        ids.sort_by_key(|(_, t)| !matches!(t.members, Members::Audit(_)));
        ids.into_iter()
            .find(|(_, t)| t.members.holds(&me))
            .map(|(id, _)| id.clone())
    }

    /// Marks the login record of a session whose processes are all gone dead, as its login
    /// program would have had it lived. Best effort: the session is over either way.
    fn bury(&self, t: &Tracked) {
        let _ = utmp::mark_dead(&self.utmp, &self.wtmp, t.leader, &t.line);
    }

    /// Whether session `id` still has a process (or its record still a live leader).
    fn alive(&self, id: &str) -> Result<bool> {
        let Some(t) = self.tracked(id)? else {
            return Ok(false);
        };
        if t.members.scan(self.me).is_empty() {
            self.bury(&t);
            return Ok(false);
        }
        Ok(true)
    }

    async fn wait_gone(&self, ids: &[String], deadline: Instant) -> Result<Vec<String>> {
        let mut left: Vec<String> = ids.to_vec();
        procfs::poll_until(self.stop, deadline, || {
            let mut still = Vec::new();
            for id in left.drain(..) {
                if self.alive(&id)? {
                    still.push(id);
                }
            }
            left = still;
            Ok(left.is_empty())
        })
        .await?;
        Ok(left)
    }

    /// Sends `signals` to every member of `s`, or (SIGKILL) kills them in passes until none is
    /// left or the bound passes.
    async fn signal(&self, s: &Session, kill: bool) -> Result<Asked> {
        self.permit(s)?;
        let Some(t) = self.tracked(&s.id)? else {
            return Ok(Asked::AlreadyGone);
        };
        let (members, me) = (t.members.clone(), self.me);
        // Our own session: its terminal hangs up on us as it ends.
        if procfs::look(me, true).is_some_and(|p| members.holds(&p)) {
            self.stop.expect_ending();
        }
        let pass = if kill {
            match members.kill_bounded(self.stop).await? {
                Some(p) => p,
                None => return Ok(Asked::Requested),
            }
        } else {
            members.signal(procfs::ENDING, me)
        };
        if pass.found.is_empty() {
            self.bury(&t);
            return Ok(Asked::AlreadyGone);
        }
        Ok(Asked::Requested)
    }

    fn processes(&self, s: &Session) -> Vec<Proc> {
        let Ok(Some(t)) = self.tracked(&s.id) else {
            return Vec::new();
        };
        t.members.procs(self.me)
    }

    /// Writes the notice on each session's terminal, as write(1) does: never blocking on a
    /// terminal that does not read (Ctrl-S), never becoming its controlling process.
    fn notify(&self, sessions: &[Session], notice: &Notice) -> Vec<Delivery> {
        let text = format!("\r\n\x07{}\r\n", notice.text.replace('\n', "\r\n"));
        sessions
            .iter()
            .map(|s| {
                let Some(line) = s.tty.as_deref().filter(|l| safe_line(l)) else {
                    return Delivery::Unreached;
                };
                let open = std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
                    .open(format!("/dev/{line}"));
                match open.and_then(|mut f| f.write_all(text.as_bytes())) {
                    Ok(()) => Delivery::Reached,
                    Err(_) => Delivery::Unreached,
                }
            })
            .collect()
    }
}

/// A terminal line we may write to: `pts/N` or `ttyN`.
fn safe_line(line: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    line.strip_prefix("pts/").is_some_and(digits) || line.strip_prefix("tty").is_some_and(digits)
}

/// The session a login record describes.
fn session(id: String, r: utmp::Record, active_vt: &str) -> Session {
    let display = r.line.starts_with(':').then(|| r.line.clone());
    // A text console (`tty1`) is a seat's: the Windows console session, refused by default.
    let console = r.line == "console"
        || r.line
            .strip_prefix("tty")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty());
    let active = !console || r.line == active_vt;
    // When the terminal was last typed at, as `w` tells idleness.
    let idle_since = (display.is_none())
        .then(|| std::fs::metadata(format!("/dev/{}", r.line)).ok())
        .flatten()
        .filter(|_| safe_line(&r.line))
        .and_then(|m| u64::try_from(m.atime()).ok())
        .map(|secs| secs * 1_000_000);
    Session {
        id,
        uid: user_id(&r.user),
        seat: console.then(|| "seat0".to_owned()),
        tty: display.is_none().then(|| r.line.clone()),
        kind: Some(if display.is_some() { "x11" } else { "tty" }.to_owned()),
        display,
        state: if active { State::Active } else { State::Online },
        active,
        scope: None,
        class: Some("user".into()),
        service: None,
        remote_host: Some(r.host.clone()).filter(|h| !h.is_empty() && !h.starts_with(':')),
        since: Some(r.time_us).filter(|t| *t > 0),
        idle_since,
        leader: u32::try_from(r.pid).ok(),
        user: r.user,
    }
}

impl Backend for ProcHost<'_> {
    fn sessions(&self) -> Reply<'_, Listing> {
        Box::pin(async {
            Ok(Listing {
                sessions: self.list()?,
                vanished: Vec::new(),
            })
        })
    }

    fn session<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Session>> {
        Box::pin(async move { Ok(self.list()?.into_iter().find(|s| s.id == id)) })
    }

    fn current_session(&self) -> Reply<'_, Option<Session>> {
        Box::pin(async {
            let all = self.list()?;
            let Some(id) = self.own_listed() else {
                return Ok(None);
            };
            Ok(all.into_iter().find(|s| s.id == id))
        })
    }

    fn own_session(&self) -> Reply<'_, Option<String>> {
        Box::pin(async { self.own() })
    }

    fn carrier(&self) -> Reply<'_, Option<String>> {
        Box::pin(async { Ok(None) })
    }

    fn user_exists<'a>(&'a self, user: &'a str) -> Reply<'a, Option<bool>> {
        Box::pin(async move { Ok(super::local_user_exists(user, LOOKUP_BOUND, self.stop).await) })
    }

    fn watch(&self) -> Reply<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn terminate<'a>(&'a self, s: &'a Session) -> Reply<'a, Asked> {
        Box::pin(self.signal(s, false))
    }

    fn kill<'a>(&'a self, s: &'a Session, signal: i32) -> Reply<'a, Asked> {
        Box::pin(self.signal(s, signal == Signal::KILL.as_raw()))
    }

    fn wait_gone<'a>(&'a self, ids: &'a [String], deadline: Instant) -> Reply<'a, Vec<String>> {
        Box::pin(ProcHost::wait_gone(self, ids, deadline))
    }

    fn detached<'a>(&'a self, sessions: &'a [Session]) -> Reply<'a, Vec<Option<bool>>> {
        Box::pin(async move { Ok(vec![None; sessions.len()]) })
    }

    fn notify<'a>(
        &'a self,
        sessions: &'a [Session],
        notice: &'a Notice,
        _shown: Duration,
        _after_stop: bool,
    ) -> Reply<'a, Vec<Delivery>> {
        Box::pin(async move { Ok(ProcHost::notify(self, sessions, notice)) })
    }

    fn recheck<'a>(&'a self, ids: &'a [String], _bound: Duration) -> Reply<'a, Vec<Option<bool>>> {
        Box::pin(async move { Ok(ids.iter().map(|id| self.alive(id).ok()).collect()) })
    }

    fn processes<'a>(
        &'a self,
        s: &'a Session,
    ) -> std::pin::Pin<Box<dyn Future<Output = Vec<Proc>> + 'a>> {
        Box::pin(async move { ProcHost::processes(self, s) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_terminal_lines_are_written_to() {
        assert!(safe_line("pts/3"));
        assert!(safe_line("tty2"));
        for bad in [
            "pts/../sda",
            "pts/",
            "tty",
            "ttyS0x",
            ":0",
            "console/x",
            "/dev/pts/1",
        ] {
            assert!(!safe_line(bad), "{bad}");
        }
    }

    fn record(line: &str, host: &str) -> utmp::Record {
        utmp::Record {
            kind: USER_PROCESS,
            pid: 10,
            line: line.into(),
            user: "root".into(),
            host: host.into(),
            time_us: 5,
        }
    }

    #[test]
    fn records_become_sessions_as_logind_would_show_them() {
        let s = session("42".into(), record("pts/3", "10.0.0.9"), "tty1");
        assert_eq!(s.tty.as_deref(), Some("pts/3"));
        assert_eq!((s.seat, s.state, s.uid), (None, State::Active, Some(0)));
        assert_eq!(s.remote_host.as_deref(), Some("10.0.0.9"));
        let c = session("43".into(), record("tty2", ""), "tty1");
        assert!(c.is_console());
        assert_eq!(c.state, State::Online);
        let x = session("44".into(), record(":0", ":0"), "tty1");
        assert_eq!(
            (x.display.as_deref(), x.tty, x.remote_host),
            (Some(":0"), None, None)
        );
    }
}
