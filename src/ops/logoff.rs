//! Logging sessions off one host: resolve what the command line named, refuse the console,
//! record each logoff in the audit log, ask logind to end each session, wait until each is really
//! gone, escalate to SIGKILL after the deadline, and report what became of every session — also
//! when the run is interrupted or the host stops answering half-way. Transport-agnostic: the host
//! may be this one or one reached over ssh.

use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::audit;
use crate::backend::{self, Asked, Backend, Delivery, Listing};
pub use crate::backend::{Choice, Chosen, NoLogindWhy};
use crate::error::{Error, Result, exit};
use crate::fleet::each;
use crate::session::{self, Proc, Selector, Session, StateFilter, Unresolved};
use crate::stop::{Halt, Stop, after, both};
use crate::transport::{self, Target};

/// How long to wait after SIGKILL before declaring a session stuck.
pub(crate) const KILL_GRACE: Duration = Duration::from_secs(5);

/// Sessions whose processes are listed at once (`/whatif`), within the bus's limit on pending
/// replies.
const IN_FLIGHT: usize = 32;

/// After an interruption, how long checking which sessions are still there may take.
const CHECK_BOUND: Duration = Duration::from_secs(2);

const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

/// `/msg`, `/delay`: what each target session is told first, and how long it is given.
#[derive(Clone)]
pub struct Warning {
    pub delay: Duration,
    /// What is shown with this much time left (`None`: the logoff was cancelled): the text in
    /// the admin's language, then in each language logoff speaks, by catalog tag, for the
    /// sessions whose language the host can tell.
    pub text: Rc<dyn Fn(Option<Duration>) -> Notice>,
}

impl std::fmt::Debug for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warning")
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

/// A warning's text: in the admin's language, and by catalog tag (`es`, `zh-CN`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub translations: Vec<(&'static str, String)>,
}

/// Times left at which a warning is shown again (and once at the start).
const REMINDERS: [Duration; 6] = [
    Duration::from_secs(600),
    Duration::from_secs(300),
    Duration::from_secs(120),
    Duration::from_secs(60),
    Duration::from_secs(30),
    Duration::from_secs(10),
];

/// What to do on each host.
#[derive(Debug, Clone)]
pub struct Request {
    pub selector: Selector,
    pub force_console: bool,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Whether ssh may prompt on the terminal (one host only).
    pub prompts: bool,
    /// The caller, as the audit log names them ([`audit::caller`], looked up once per run).
    pub who: String,
    /// `/whatif`: resolve everything as a real run would, end nothing.
    pub whatif: bool,
    /// `/idle`, `/disconnected`: which of the selected sessions count.
    pub filter: StateFilter,
    /// After a confirmation: only these sessions (host label, session ID) may be ended, even
    /// if the selector now finds others.
    pub confirmed: Option<Vec<(String, String)>>,
    /// Tell the sessions first, and wait.
    pub warning: Option<Warning>,
    /// `--backend`.
    pub backend: Choice,
}

/// How the target session was found (for `/v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    ById,
    ByName(String),
    Current,
    OfUser(String),
    /// Picked by `/idle` or `/disconnected`.
    ByState(StateFilter),
}

/// Progress, for `/v` and the fleet display.
#[derive(Debug, Clone)]
pub enum Event {
    Connecting {
        host: String,
    },
    Connected {
        host: String,
        elapsed: Duration,
    },
    /// The host is answered by logoff's agent there (this `version` of logoff).
    Agent {
        host: String,
        version: String,
    },
    /// Which backend the host is asked through, and why.
    Backend {
        host: String,
        chosen: Chosen,
    },
    Resolved {
        host: String,
        session: Session,
        found: Found,
    },
    /// The selected sessions exist, but none passes `/idle` or `/disconnected`.
    NoneMatching {
        host: String,
        filter: StateFilter,
    },
    /// A session was shown the warning (`reached`), or could not be (no terminal or display
    /// logoff could reach, or the host would not run the notice).
    Warned {
        host: String,
        session: Session,
        reached: bool,
        left: Duration,
    },
    NoSessions {
        host: String,
        user: String,
    },
    /// `logind`: asked of logind (or elogind); else the processes are signalled here.
    Requesting {
        host: String,
        session: Session,
        logind: bool,
    },
    /// A closing session (leader gone): its processes get SIGTERM at once.
    Signalling {
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

/// What became of one target session.
#[derive(Debug)]
pub enum Outcome {
    /// Gone, with all its processes, after logoff asked.
    Ended,
    /// Gone before logoff could ask (another run ended it meanwhile).
    AlreadyGone,
    /// Not ended: a console session without `/force`, or logind refused.
    Refused(Error),
    /// Still there after the timeout and SIGKILL, with these processes.
    Left(Vec<Proc>),
    /// Asked to end, then the run was interrupted or the host stopped answering before it was
    /// seen gone: `Some(true)` when it was seen still there afterwards, `None` when unknown.
    Unconfirmed { still_there: Option<bool> },
    /// Never asked: the run stopped before its turn.
    NotAsked,
    /// `/whatif`: a real run would ask for it to end; these are its processes now.
    WouldEnd(Vec<Proc>),
}

impl Outcome {
    pub(crate) fn is_gone(&self) -> bool {
        matches!(self, Outcome::Ended | Outcome::AlreadyGone)
    }

    fn exit_code(&self) -> u8 {
        match self {
            Outcome::Ended | Outcome::AlreadyGone | Outcome::WouldEnd(_) => exit::OK,
            Outcome::Refused(e) => e.exit_code(),
            Outcome::Left(_) => exit::TIMED_OUT,
            // Only with a host error, whose code comes first.
            Outcome::Unconfirmed { .. } | Outcome::NotAsked => exit::UNREACHABLE,
        }
    }
}

/// What happened on one host.
#[derive(Debug)]
pub struct HostResult {
    pub host: String,
    /// Every target session, in the order they were found, with what became of it.
    pub sessions: Vec<(Session, Outcome)>,
    /// What stopped the work on this host (connecting, resolving, the host or bus failing,
    /// an interruption); the sessions say how far it got.
    pub error: Option<Error>,
    /// `/user:` matched no session here: the not-found error, should no host match any.
    pub unmatched: Option<Error>,
    /// With a warning: for each warned session (by ID), whether the first notice reached it.
    pub warned: Vec<(String, bool)>,
    pub elapsed: Duration,
}

impl HostResult {
    /// The sessions that are gone.
    pub fn ended(&self) -> impl Iterator<Item = &Session> {
        self.sessions
            .iter()
            .filter(|(_, o)| o.is_gone())
            .map(|(s, _)| s)
    }

    /// Whether every target session is gone (or, with `/whatif`, would be asked to end) and
    /// nothing failed.
    pub fn ok(&self) -> bool {
        self.error.is_none()
            && self
                .sessions
                .iter()
                .all(|(_, o)| o.is_gone() || matches!(o, Outcome::WouldEnd(_)))
    }

    /// The documented rule: the host's own failure if there is one, else that of the first
    /// session that was not ended, else 0.
    pub fn exit_code(&self) -> u8 {
        if let Some(e) = &self.error {
            return e.exit_code();
        }
        self.sessions
            .iter()
            .map(|(_, o)| o.exit_code())
            .find(|c| *c != exit::OK)
            .unwrap_or(exit::OK)
    }
}

/// Connects to `target` and carries out `req` there. Always returns, within the connect
/// timeout, the timeout and the kill grace (and one unanswered call at most), or at once after
/// an interruption.
pub async fn run_host(
    target: &Target,
    req: &Request,
    stop: &Stop,
    events: &dyn Fn(Event),
) -> HostResult {
    let start = Instant::now();
    let mut result = HostResult {
        host: target.label(),
        sessions: Vec::new(),
        error: None,
        unmatched: None,
        warned: Vec::new(),
        elapsed: Duration::ZERO,
    };
    // Interrupted before its turn: nothing is started, nobody is contacted.
    if stop.signal().is_some() {
        result.error = Some(transport::interrupted(stop));
        return result;
    }
    if matches!(target, Target::Ssh { .. }) {
        events(Event::Connecting {
            host: result.host.clone(),
        });
    }
    let connect = backend::connect(target, req.connect_timeout, req.prompts, req.backend, stop);
    let host = match connect.await {
        Ok(host) => host,
        Err(e) => {
            result.error = Some(e);
            result.elapsed = start.elapsed();
            return result;
        }
    };
    if host.remote() {
        events(Event::Connected {
            host: result.host.clone(),
            elapsed: start.elapsed(),
        });
    }
    if let Some(version) = host.agent() {
        events(Event::Agent {
            host: result.host.clone(),
            version: crate::i18n::clean(version),
        });
    }
    events(Event::Backend {
        host: result.host.clone(),
        chosen: host.chosen.clone(),
    });
    let backend = host.backend(req.connect_timeout, stop);
    let mut run = HostRun {
        backend: backend.as_ref(),
        logind: host.chosen == Chosen::Logind,
        host: result.host.clone(),
        req,
        events,
        stop,
        start,
        results: Vec::new(),
        unmatched: None,
        warned: Vec::new(),
    };
    if let Err(e) = run.go().await {
        run.settle(&e).await;
        result.error = Some(e);
    }
    result.sessions = run.results;
    result.unmatched = run.unmatched;
    result.warned = run.warned;
    drop(backend);
    host.close().await;
    result.elapsed = start.elapsed();
    result
}

/// One host's logoff once connected.
struct HostRun<'a> {
    backend: &'a dyn Backend,
    /// Whether logind decides (and refuses); else the host's process permissions do.
    logind: bool,
    host: String,
    req: &'a Request,
    events: &'a dyn Fn(Event),
    stop: &'a Stop,
    start: Instant,
    results: Vec<(Session, Outcome)>,
    unmatched: Option<Error>,
    warned: Vec<(String, bool)>,
}

impl HostRun<'_> {
    fn event(&self, e: Event) {
        (self.events)(e)
    }

    /// The audit record's word for a refusal, naming who refused.
    fn refused(&self) -> &'static str {
        if self.logind {
            "refused by logind"
        } else {
            "refused (not the caller's, and the caller is not root)"
        }
    }

    fn audit(&self, severity: u8, s: &Session, result: &str) {
        audit::session(severity, &self.req.who, s, &self.host, result);
    }

    fn set(&mut self, id: &str, outcome: Outcome) {
        if let Some(slot) = self.results.iter_mut().find(|(s, _)| s.id == id) {
            slot.1 = outcome;
        }
    }

    async fn go(&mut self) -> Result<()> {
        let backend = self.backend;
        // Not early with a warning: its delay would leave the subscription unread all that
        // time while other sessions come and go.
        let (mut targets, own) = if self.req.whatif || self.req.warning.is_some() {
            self.targets().await?
        } else {
            // The subscription goes out with the first reads: a round trip saved. A failure
            // shows below, when it is made again before anything is ended.
            both(self.targets(), backend.watch()).await.0?
        };
        // What the admin confirmed, and nothing that turned up since.
        if let Some(yes) = &self.req.confirmed {
            targets.retain(|s| yes.iter().any(|(h, id)| *h == self.host && *id == s.id));
        }
        let mut todo = Vec::new();
        for s in targets {
            // The original's rule: never log a user off the console, unless overridden.
            if s.is_console() && !self.req.force_console {
                if !self.req.whatif {
                    self.audit(audit::WARNING, &s, "console session refused (no /force)");
                }
                let e = Error::Console {
                    session: Box::new(s.clone()),
                    host: self.host.clone(),
                };
                self.results.push((s, Outcome::Refused(e)));
            } else {
                self.results.push((s.clone(), Outcome::NotAsked));
                todo.push(s);
            }
        }
        if todo.is_empty() {
            return Ok(());
        }
        if self.req.whatif {
            let procs = each(&todo, IN_FLIGHT, |s| self.backend.processes(s)).await;
            for (s, procs) in todo.iter().zip(procs) {
                self.set(&s.id, Outcome::WouldEnd(procs));
            }
            return Ok(());
        }
        if let Some(w) = self.req.warning.clone() {
            self.warn(&todo, &w).await?;
        }
        // Our own session ends last, so the others are seen to end first.
        let batches = match own.and_then(|own| todo.iter().position(|s| s.id == own)) {
            Some(i) => {
                let me = todo.remove(i);
                vec![todo, vec![me]]
            }
            None => vec![todo],
        };
        // One subscription, made before anything is ended, serves every batch.
        self.backend.watch().await?;
        for batch in batches {
            self.end(batch).await?;
        }
        Ok(())
    }

    /// Tells `sessions` they will be logged off, again at each reminder, and waits out the
    /// delay. Interrupted: tells them it is cancelled, and ends nothing.
    async fn warn(&mut self, sessions: &[Session], w: &Warning) -> Result<()> {
        let deadline = Instant::now() + w.delay;
        let mut left = w.delay;
        let mut first = true;
        loop {
            let next = REMINDERS.iter().copied().find(|r| *r < left);
            let shown = left - next.unwrap_or(Duration::ZERO);
            let reached = self
                .backend
                .notify(sessions, &(w.text)(Some(left)), shown, false)
                .await;
            let reached = match reached {
                Ok(r) => r,
                Err(Error::Interrupted { .. }) => return Err(self.cancel(sessions, w).await),
                Err(e) => return Err(e),
            };
            if first {
                for (s, r) in sessions.iter().zip(&reached) {
                    let ok = *r == Delivery::Reached;
                    let how = if ok {
                        "shown"
                    } else {
                        "not shown: no terminal or display reached"
                    };
                    let what = format!("warned, logoff in {} s ({how})", left.as_secs());
                    self.audit(audit::NOTICE, s, &what);
                    self.warned.push((s.id.clone(), ok));
                    self.event(Event::Warned {
                        host: self.host.clone(),
                        session: s.clone(),
                        reached: ok,
                        // What is really left once the notice is out: the countdown follows it.
                        left: deadline.saturating_duration_since(Instant::now()),
                    });
                }
                first = false;
            }
            let until = next.map_or(deadline, |n| deadline - n);
            let waited = self.stop.bounded(until, std::future::pending::<()>());
            if let Err(Halt::Interrupted) = waited.await {
                return Err(self.cancel(sessions, w).await);
            }
            match next {
                Some(n) => left = n,
                None => return Ok(()),
            }
        }
    }

    /// The run was interrupted during the delay: the warned sessions are told, nothing ends.
    async fn cancel(&mut self, sessions: &[Session], w: &Warning) -> Error {
        let told = self
            .backend
            .notify(sessions, &(w.text)(None), Duration::from_secs(30), true)
            .await
            .map_or(0, |r| r.iter().filter(|d| **d == Delivery::Reached).count());
        for s in sessions {
            self.audit(audit::NOTICE, s, "logoff cancelled during the warning");
        }
        Error::Cancelled {
            host: self.host.clone(),
            signal: self.stop.signal().unwrap_or("SIGINT"),
            told,
            warned: sessions.len(),
        }
    }

    /// The sessions the selector names on this host, and the caller's own session among them
    /// (which ends last).
    async fn targets(&mut self) -> Result<(Vec<Session>, Option<String>)> {
        let host = self.host.clone();
        let selector = self.req.selector.clone();
        match &selector {
            Selector::Session(arg) => {
                // IDs win over names, and an ID is read alone: only a name needs the list.
                if let Some(s) = self.backend.session(arg).await? {
                    self.event(Event::Resolved {
                        host,
                        session: s.clone(),
                        found: Found::ById,
                    });
                    return Ok((vec![s], None));
                }
                let listing = self.backend.sessions().await?;
                self.by_name(&listing, arg).await
            }
            Selector::Current => {
                let s = self
                    .backend
                    .current_session()
                    .await?
                    .ok_or(Error::NoCurrentSession)?;
                self.event(Event::Resolved {
                    host,
                    session: s.clone(),
                    found: Found::Current,
                });
                Ok((vec![s], None))
            }
            Selector::User(user) => {
                // Our own session is read with the list (one round trip; it is kept).
                let (listing, _) = both(self.backend.sessions(), self.backend.own_session()).await;
                let (mine, own) = self.of_user(&listing?, user).await?;
                Ok((self.by_state(mine).await?, own))
            }
            Selector::All => {
                let (listing, own) =
                    both(self.backend.sessions(), self.backend.own_session()).await;
                let (listing, own) = (listing?, own?);
                // The session that carries our connection is never ended.
                let carrier = self.backend.carrier().await?;
                let mut all = listing.sessions;
                // Neither the connection's own session nor the caller's: a sweep is about
                // other people's sessions (a reattached tmux's closing session is the admin's).
                all.retain(|s| Some(&s.id) != carrier.as_ref() && Some(&s.id) != own.as_ref());
                Ok((self.by_state(all).await?, own))
            }
        }
    }

    /// Those of `sessions` that pass `/idle` and `/disconnected` (all of them without either).
    /// With `/disconnected`, the host is asked which xrdp desktops have lost their RDP client.
    async fn by_state(&mut self, sessions: Vec<Session>) -> Result<Vec<Session>> {
        let filter = self.req.filter;
        if filter.is_empty() || sessions.is_empty() {
            return Ok(sessions);
        }
        let mut detached = Vec::new();
        if filter.disconnected {
            let desktops: Vec<Session> = sessions
                .iter()
                .filter(|s| s.is_rdp_desktop() && !s.is_closing())
                .cloned()
                .collect();
            if !desktops.is_empty() {
                let gone = self.backend.detached(&desktops).await?;
                detached = desktops
                    .into_iter()
                    .zip(gone)
                    .filter(|(_, g)| *g == Some(true))
                    .map(|(s, _)| s.id)
                    .collect();
            }
        }
        let picked = session::by_state(&sessions, &filter, session::now_us(), &detached);
        if picked.is_empty() {
            self.event(Event::NoneMatching {
                host: self.host.clone(),
                filter,
            });
        }
        for s in &picked {
            self.event(Event::Resolved {
                host: self.host.clone(),
                session: s.clone(),
                found: Found::ByState(filter),
            });
        }
        Ok(picked)
    }

    /// The one session named `arg` (by ID among those listed, or by name).
    async fn by_name(
        &mut self,
        listing: &Listing,
        arg: &str,
    ) -> Result<(Vec<Session>, Option<String>)> {
        let all = &listing.sessions;
        let host = self.host.clone();
        match session::resolve(all, arg) {
            Ok(s) => {
                let found = if s.id == *arg {
                    Found::ById
                } else {
                    Found::ByName(arg.to_owned())
                };
                self.event(Event::Resolved {
                    host,
                    session: s.clone(),
                    found,
                });
                Ok((vec![s], None))
            }
            Err(Unresolved::NotFound) => {
                // Listed, then gone before we could read it: another run just ended it.
                if let Some(s) = listing.vanished.iter().find(|s| s.id == *arg) {
                    self.event(Event::AlreadyGone {
                        host,
                        session: s.clone(),
                    });
                    self.results.push((s.clone(), Outcome::AlreadyGone));
                    return Ok((Vec::new(), None));
                }
                // Our own connection's session is not one to offer.
                let carrier = self.backend.carrier().await?;
                let candidates = all
                    .iter()
                    .filter(|s| !s.is_closing() && Some(&s.id) != carrier.as_ref())
                    .cloned()
                    .collect();
                Err(Error::NotFound {
                    session: arg.to_owned(),
                    host,
                    candidates,
                })
            }
            Err(Unresolved::Ambiguous(candidates)) => Err(Error::Ambiguous {
                name: arg.to_owned(),
                host,
                candidates,
            }),
        }
    }

    /// Every session of `user` but the one that carries our connection, and the caller's own
    /// session (which ends last).
    async fn of_user(
        &mut self,
        listing: &Listing,
        user: &str,
    ) -> Result<(Vec<Session>, Option<String>)> {
        let all = &listing.sessions;
        let host = self.host.clone();
        let user = user.to_owned();
        let own = self.backend.own_session().await?;
        let carrier = self.backend.carrier().await?;
        let mut mine = session::of_user(all, &user);
        // The session that carries our connection is never ended.
        mine.retain(|s| Some(&s.id) != carrier.as_ref());
        if mine.is_empty() {
            self.event(Event::NoSessions {
                host: host.clone(),
                user: user.clone(),
            });
            let no_user = self.backend.user_exists(&user).await? == Some(false);
            self.unmatched = Some(if no_user {
                Error::NoSuchUser {
                    user: user.clone(),
                    host,
                }
            } else {
                Error::NoUserSession {
                    user: user.clone(),
                    host,
                }
            });
        }
        // With /idle or /disconnected, by_state says which of them count.
        if self.req.filter.is_empty() {
            for s in &mine {
                self.event(Event::Resolved {
                    host: self.host.clone(),
                    session: s.clone(),
                    found: Found::OfUser(user.clone()),
                });
            }
        }
        Ok((mine, own))
    }

    /// Ends `batch`, waits for it, escalates; every session's outcome is recorded as it is
    /// known. An error leaves the sessions it interrupted `Unconfirmed` or `NotAsked`.
    async fn end(&mut self, batch: Vec<Session>) -> Result<()> {
        let host = self.host.clone();
        let mut asked = Vec::new();
        for s in batch {
            self.event(Event::Requesting {
                host: host.clone(),
                session: s.clone(),
                logind: self.logind,
            });
            // Recorded before logind is asked: a run that dies now still leaves a trace.
            self.audit(audit::NOTICE, &s, "requested");
            self.set(&s.id, Outcome::Unconfirmed { still_there: None });
            match self.backend.terminate(&s).await {
                Ok(Asked::Requested) => {
                    // TerminateSession does nothing for a session whose leader is gone.
                    if s.is_closing() {
                        self.event(Event::Signalling {
                            host: host.clone(),
                            session: s.clone(),
                        });
                        if !self.kill(&s, SIGTERM).await? {
                            continue;
                        }
                    }
                    asked.push(s);
                }
                Ok(Asked::AlreadyGone) => {
                    self.audit(audit::NOTICE, &s, "already ended");
                    self.event(Event::AlreadyGone {
                        host: host.clone(),
                        session: s.clone(),
                    });
                    self.set(&s.id, Outcome::AlreadyGone);
                }
                Err(e @ Error::AccessDenied { .. }) => {
                    self.audit(audit::WARNING, &s, self.refused());
                    self.set(&s.id, Outcome::Refused(e));
                }
                Err(e) => return Err(e),
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
        let left = self
            .backend
            .wait_gone(&ids, after(self.req.timeout))
            .await?;
        // Those gone are told now: a failure in the escalation below does not make them unknown.
        self.ended(&asked, &left);
        let mut stubborn = Vec::new();
        for s in asked.into_iter().filter(|s| left.contains(&s.id)) {
            let procs = self.backend.processes(&s).await;
            self.event(Event::Escalating {
                host: host.clone(),
                session: s.clone(),
                procs,
            });
            if self.kill(&s, SIGKILL).await? {
                stubborn.push(s);
            }
        }
        if stubborn.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = stubborn.iter().map(|s| s.id.clone()).collect();
        let left = self.backend.wait_gone(&ids, after(KILL_GRACE)).await?;
        self.ended(&stubborn, &left);
        for s in stubborn.iter().filter(|s| left.contains(&s.id)) {
            let procs = self.backend.processes(s).await;
            self.audit(audit::WARNING, s, "still present after SIGKILL");
            self.set(&s.id, Outcome::Left(procs));
        }
        Ok(())
    }

    /// Records every session of `asked` that is not in `left` as ended.
    fn ended(&mut self, asked: &[Session], left: &[String]) {
        for s in asked.iter().filter(|s| !left.contains(&s.id)) {
            self.audit(audit::NOTICE, s, "logged off");
            self.event(Event::Ended {
                host: self.host.clone(),
                session: s.clone(),
                elapsed: self.start.elapsed(),
            });
            self.set(&s.id, Outcome::Ended);
        }
    }

    /// Sends `signal` to every process of `s`; whether it is still to be waited for (a refusal
    /// is that session's outcome, a session already gone is recorded as such).
    async fn kill(&mut self, s: &Session, signal: i32) -> Result<bool> {
        match self.backend.kill(s, signal).await {
            Ok(Asked::Requested) => Ok(true),
            Ok(Asked::AlreadyGone) => {
                self.ended(std::slice::from_ref(s), &[]);
                Ok(false)
            }
            Err(e @ Error::AccessDenied { .. }) => {
                self.audit(audit::WARNING, s, self.refused());
                self.set(&s.id, Outcome::Refused(e));
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// After `e` stopped the run: what became of each session that was asked to end, checked
    /// once more if the host may still answer (after an interruption; not when the bus or the
    /// connection is what failed), and recorded in the audit log either way.
    async fn settle(&mut self, e: &Error) {
        let answers = !matches!(e, Error::NoAnswer { .. } | Error::Unreachable { .. });
        let pending: Vec<Session> = self
            .results
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Unconfirmed { .. }))
            .map(|(s, _)| s.clone())
            .collect();
        let ids: Vec<String> = pending.iter().map(|s| s.id.clone()).collect();
        let seen = match answers {
            true => self
                .backend
                .recheck(&ids, CHECK_BOUND)
                .await
                .unwrap_or_default(),
            false => Vec::new(),
        };
        for (i, s) in pending.into_iter().enumerate() {
            let still_there = seen.get(i).copied().flatten();
            if still_there == Some(false) {
                self.audit(audit::NOTICE, &s, "logged off");
                self.set(&s.id, Outcome::Ended);
                continue;
            }
            let what = match still_there {
                Some(_) => format!("{e}; the session is still there"),
                None => format!("{e}; whether the session ended is unknown"),
            };
            self.audit(audit::WARNING, &s, &what);
            self.set(&s.id, Outcome::Unconfirmed { still_there });
        }
    }
}
