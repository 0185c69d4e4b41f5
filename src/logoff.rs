//! Logging sessions off one host: resolve what the command line named, refuse the console,
//! ask logind to end each session, wait until each is really gone, escalate to SIGKILL after the
//! deadline, and report. Transport-agnostic: the host may be this one or one reached over ssh.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::logind::{Logind, Removals, TerminateOutcome};
use crate::session::{self, Proc, Selector, Session, Unresolved};
use crate::syslog;
use crate::transport::{self, Bus, Target};

/// How long to wait after SIGKILL before declaring a session stuck.
pub const KILL_GRACE: Duration = Duration::from_secs(5);

/// What to do on each host.
#[derive(Debug, Clone)]
pub struct Request {
    pub selector: Selector,
    pub force_console: bool,
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

/// How the target session was found (for `/v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    ById,
    ByName(String),
    Current,
    OfUser(String),
}

/// Progress, for `/v` and the fleet display. Owned so it can cross threads.
#[derive(Debug, Clone)]
pub enum Event {
    Connecting {
        host: String,
    },
    Connected {
        host: String,
        elapsed: Duration,
    },
    Resolved {
        host: String,
        session: Session,
        found: Found,
    },
    NoSessions {
        host: String,
        user: String,
    },
    Requesting {
        host: String,
        session: Session,
    },
    AlreadyGone {
        host: String,
        session: Session,
    },
    Waiting {
        host: String,
        count: usize,
        timeout: Duration,
    },
    Escalating {
        host: String,
        session: Session,
        procs: Vec<Proc>,
    },
    Ended {
        host: String,
        session: Session,
        elapsed: Duration,
    },
}

/// What happened on one host.
#[derive(Debug)]
pub struct HostResult {
    pub host: String,
    pub ended: Vec<Session>,
    pub elapsed: Duration,
    /// The first failure; sessions not affected by it may still have ended.
    pub error: Option<Error>,
}

fn deadline(d: Duration) -> Instant {
    let now = Instant::now();
    // A huge /timeout must not overflow: a year is forever here.
    now.checked_add(d)
        .unwrap_or(now + Duration::from_secs(365 * 86_400))
}

/// Connects to `target` and carries out `req` there.
pub async fn run_host(
    target: &Target,
    req: &Request,
    events: &(dyn Fn(Event) + Sync),
) -> HostResult {
    let start = Instant::now();
    let label = target.label();
    if matches!(target, Target::Ssh { .. }) {
        events(Event::Connecting {
            host: label.clone(),
        });
    }
    let bus = match transport::connect(target, req.connect_timeout).await {
        Ok(bus) => bus,
        Err(e) => {
            return HostResult {
                host: label,
                ended: vec![],
                elapsed: start.elapsed(),
                error: Some(e),
            };
        }
    };
    if bus.remote {
        events(Event::Connected {
            host: label.clone(),
            elapsed: start.elapsed(),
        });
    }
    let mut ended = Vec::new();
    let error = on_bus(&bus, req, events, &mut ended, start).await.err();
    bus.close().await;
    HostResult {
        host: label,
        ended,
        elapsed: start.elapsed(),
        error,
    }
}

async fn on_bus(
    bus: &Bus,
    req: &Request,
    events: &(dyn Fn(Event) + Sync),
    ended: &mut Vec<Session>,
    start: Instant,
) -> Result<()> {
    let host = bus.host.clone();
    let logind = Logind::new(bus);
    let all = logind.sessions().await?;
    let mut first_error: Option<Error> = None;
    // Our own session on that host: over ssh it carries the connection, so /user never ends
    // it; locally it is ended last, so the others are seen to end first.
    let own = match req.selector {
        Selector::User(_) => logind.own_session().await,
        _ => None,
    };

    let mut targets: Vec<Session> = match &req.selector {
        Selector::Session(arg) => {
            let s = session::resolve(&all, arg).map_err(|u| match u {
                Unresolved::NotFound => Error::NotFound {
                    session: arg.clone(),
                    host: host.clone(),
                    candidates: all.iter().filter(|s| !s.is_closing()).cloned().collect(),
                },
                Unresolved::Ambiguous(candidates) => Error::Ambiguous {
                    name: arg.clone(),
                    host: host.clone(),
                    candidates,
                },
                Unresolved::NotActive(s) => Error::NotActive {
                    name: arg.clone(),
                    host: host.clone(),
                    session: s,
                },
            })?;
            let found = if s.id == *arg {
                Found::ById
            } else {
                Found::ByName(arg.clone())
            };
            events(Event::Resolved {
                host: host.clone(),
                session: s.clone(),
                found,
            });
            vec![s]
        }
        Selector::Current => {
            let s = current(&logind, &all, bus.remote).await?;
            events(Event::Resolved {
                host: host.clone(),
                session: s.clone(),
                found: Found::Current,
            });
            vec![s]
        }
        Selector::User(user) => {
            let mut mine = session::of_user(&all, user);
            if bus.remote {
                mine.retain(|s| Some(&s.id) != own.as_ref());
            }
            if mine.is_empty() {
                events(Event::NoSessions {
                    host: host.clone(),
                    user: user.clone(),
                });
            }
            for s in &mine {
                events(Event::Resolved {
                    host: host.clone(),
                    session: s.clone(),
                    found: Found::OfUser(user.clone()),
                });
            }
            mine
        }
    };

    // The original's rule: never log a user off the console, unless explicitly overridden.
    if !req.force_console {
        targets.retain(|s| {
            if s.is_console() {
                first_error.get_or_insert_with(|| Error::Console {
                    session: Box::new(s.clone()),
                    host: host.clone(),
                });
                false
            } else {
                true
            }
        });
    }

    let batches = match own.and_then(|own| targets.iter().position(|s| s.id == own)) {
        Some(i) => {
            let me = targets.remove(i);
            vec![targets, vec![me]]
        }
        None => vec![targets],
    };
    // One subscription, made before anything is ended, serves every batch.
    let mut run = HostRun {
        removals: logind.watch_removals().await?,
        logind,
        host,
        req,
        events,
        start,
        who: syslog::caller(),
        ended,
        first_error,
    };
    for batch in batches {
        run.end_all(batch).await?;
    }
    run.first_error.map_or(Ok(()), Err)
}

/// One host's logoff once the targets are known: what every batch of it shares.
struct HostRun<'a> {
    logind: Logind<'a>,
    removals: Removals,
    host: String,
    req: &'a Request,
    events: &'a (dyn Fn(Event) + Sync),
    start: Instant,
    /// The caller, as the system log names them.
    who: String,
    ended: &'a mut Vec<Session>,
    /// The first failure; later sessions are still attempted.
    first_error: Option<Error>,
}

impl HostRun<'_> {
    fn event(&self, e: Event) {
        (self.events)(e)
    }

    fn log(&self, severity: u8, s: &Session, result: &str) {
        log(severity, &self.who, s, &self.host, result);
    }

    /// Ends `targets`, waits for them, escalates; records failures in `first_error`.
    async fn end_all(&mut self, targets: Vec<Session>) -> Result<()> {
        let host = self.host.clone();
        let mut asked = Vec::new();
        for s in targets {
            self.event(Event::Requesting {
                host: host.clone(),
                session: s.clone(),
            });
            match self.logind.terminate(&s).await {
                Ok(TerminateOutcome::Requested) => asked.push(s),
                Ok(TerminateOutcome::AlreadyGone) => {
                    self.event(Event::AlreadyGone {
                        host: host.clone(),
                        session: s.clone(),
                    });
                    self.ended.push(s);
                }
                Err(e) => {
                    self.log(syslog::WARNING, &s, "refused by logind");
                    self.first_error.get_or_insert(e);
                }
            }
        }
        if asked.is_empty() {
            return Ok(());
        }

        self.event(Event::Waiting {
            host: host.clone(),
            count: asked.len(),
            timeout: self.req.timeout,
        });
        let ids: Vec<String> = asked.iter().map(|s| s.id.clone()).collect();
        let mut left = self
            .logind
            .wait_gone(&mut self.removals, &ids, deadline(self.req.timeout))
            .await?;
        if !left.is_empty() {
            for s in asked.iter().filter(|s| left.contains(&s.id)) {
                let procs = self.logind.processes(s).await;
                self.event(Event::Escalating {
                    host: host.clone(),
                    session: s.clone(),
                    procs,
                });
                if let Err(e) = self.logind.kill(s).await {
                    self.first_error.get_or_insert(e);
                }
            }
            left = self
                .logind
                .wait_gone(&mut self.removals, &left, deadline(KILL_GRACE))
                .await?;
        }
        for s in asked {
            if left.contains(&s.id) {
                let procs = self.logind.processes(&s).await;
                self.log(syslog::WARNING, &s, "still present after SIGKILL");
                self.first_error.get_or_insert(Error::TimedOut {
                    session: Box::new(s),
                    host: host.clone(),
                    left: procs,
                });
            } else {
                self.log(syslog::NOTICE, &s, "logged off");
                self.event(Event::Ended {
                    host: host.clone(),
                    session: s.clone(),
                    elapsed: self.start.elapsed(),
                });
                self.ended.push(s);
            }
        }
        Ok(())
    }
}

fn log(severity: u8, who: &str, s: &Session, host: &str, result: &str) {
    syslog::record(
        severity,
        &format!(
            "{who} logoff of session {} (user {}, uid {}{}) on {host}: {result}",
            s.id,
            s.user,
            s.uid,
            if s.name().is_empty() {
                String::new()
            } else {
                format!(", {}", s.name())
            },
        ),
    );
}

/// The caller's own session: `$XDG_SESSION_ID` if logind knows it, else logind's answer for our
/// PID. There is no "current session" on another host.
async fn current(logind: &Logind<'_>, all: &[Session], remote: bool) -> Result<Session> {
    if remote {
        return Err(Error::NoCurrentSession);
    }
    let env_id = std::env::var("XDG_SESSION_ID")
        .ok()
        .filter(|s| !s.is_empty());
    if let Some(s) = env_id.and_then(|id| all.iter().find(|s| s.id == id)) {
        return Ok(s.clone());
    }
    let id = logind
        .session_of_pid(std::process::id())
        .await?
        .ok_or(Error::NoCurrentSession)?;
    all.iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or(Error::NoCurrentSession)
}
