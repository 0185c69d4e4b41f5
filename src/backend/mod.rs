//! What a verb needs from a session host, whatever keeps its sessions there. A backend is
//! chosen once per host, when it is reached: systemd-logind (or elogind) on the system bus
//! when the bus answers for it, else the host's login records and /proc.
//!
//! Every method is bounded in time and interruptible (see [`stop`](crate::stop)), and speaks in
//! the crate's own types: verbs never see D-Bus.

mod agent;
mod logind;
mod proc;
mod procfs;
mod utmp;

pub(crate) use logind::Delivery;

use std::future::Future;

use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::ops::logoff::Notice;
use crate::session::{Proc, Session};
use crate::stop::Stop;
use crate::stop::after;
use crate::sys::{UserLookup, user_exists};
use crate::transport::{self, Bus, Target};

/// A backend call in progress (boxed: verbs take `&dyn Backend`).
pub(crate) type Reply<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + 'a>>;

/// A session host's sessions, as the verbs use them.
pub(crate) trait Backend {
    /// Every session, and those listed but gone before they could be read, in a number of
    /// round trips that does not grow with the number of sessions.
    fn sessions(&self) -> Reply<'_, Listing>;

    /// The session with this ID, read without listing the others; `None` if there is none.
    fn session<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Session>>;

    /// The caller's current session, as the host sees the caller's process; `None` where
    /// there is none (always on another host).
    fn current_session(&self) -> Reply<'_, Option<Session>>;

    /// The caller's own session there, which a run ends last; `None` if none or unknown.
    fn own_session(&self) -> Reply<'_, Option<String>>;

    /// The session that carries the connection to the host (logoff's own ssh login), which
    /// is never ended nor offered; `None` locally.
    fn carrier(&self) -> Reply<'_, Option<String>>;

    /// Whether a user of that name exists there; `None` when the host cannot say.
    fn user_exists<'a>(&'a self, user: &'a str) -> Reply<'a, Option<bool>>;

    /// Starts watching for sessions to end; called once, before anything is ended.
    fn watch(&self) -> Reply<'_, ()>;

    /// Asks the host to end `s` (the host's access control decides whether we may).
    fn terminate<'a>(&'a self, s: &'a Session) -> Reply<'a, Asked>;

    /// Sends `signal` to every process of `s`.
    fn kill<'a>(&'a self, s: &'a Session, signal: i32) -> Reply<'a, Asked>;

    /// Waits until none of `ids` exists or `deadline` passes; those still there.
    fn wait_gone<'a>(&'a self, ids: &'a [String], deadline: Instant) -> Reply<'a, Vec<String>>;

    /// For each of `sessions` (xrdp desktops), whether its RDP client has gone away; `None`
    /// where the host cannot tell.
    fn detached<'a>(&'a self, sessions: &'a [Session]) -> Reply<'a, Vec<Option<bool>>>;

    /// Shows `text` in each of `sessions` (its terminals, its X display, for `shown` there),
    /// and says for each whether it reached the user. `after_stop`: even though the run was
    /// interrupted (to say that the logoff was cancelled), bounded all the same.
    fn notify<'a>(
        &'a self,
        sessions: &'a [Session],
        notice: &'a Notice,
        shown: Duration,
        after_stop: bool,
    ) -> Reply<'a, Vec<Delivery>>;

    /// Whether each of `ids` still exists, asked even after an interruption (the run's last
    /// look): `None` where the host did not say. At most `bound` in all when the host is stuck.
    fn recheck<'a>(&'a self, ids: &'a [String], bound: Duration) -> Reply<'a, Vec<Option<bool>>>;

    /// The processes left in `s` (empty if they cannot be listed).
    fn processes<'a>(&'a self, s: &'a Session) -> Pin<Box<dyn Future<Output = Vec<Proc>> + 'a>>;
}

/// Whether user `name` exists, as this machine's NSS says within `bound`; `None` when it
/// cannot say (a UID is given, the lookup failed or took too long).
async fn local_user_exists(name: &str, bound: Duration, stop: &Stop) -> Option<bool> {
    if name.parse::<u32>().is_ok() {
        return None;
    }
    let name = name.to_owned();
    match stop
        .blocking(after(bound), move || user_exists(&name))
        .await
    {
        Some(UserLookup::Exists) => Some(true),
        Some(UserLookup::NoSuchUser) => Some(false),
        Some(UserLookup::Unknown) | None => None,
    }
}

/// Which backend to use (`--backend`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Choice {
    /// logind where the bus answers for it, else login records and /proc.
    #[default]
    Auto,
    Logind,
    Proc,
}

/// The backend a host is asked through, and why (what `/v` says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Chosen {
    /// systemd-logind or elogind on the host's system bus.
    Logind,
    /// Login records and /proc: `why` the bus was not used.
    Proc { why: NoLogindWhy },
}

/// Why a host's sessions are read from its login records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoLogindWhy {
    /// `--backend=proc`.
    Asked,
    /// No system bus to connect to, in the system's words.
    NoBus(String),
    /// A bus, but nothing owns org.freedesktop.login1 there or can be started for it.
    NotOnBus,
    /// A bus that lists logind as one it can start, but failed to, in the bus's words.
    CannotStart(String),
}

/// A reached host: the link to it, and which backend speaks over it.
pub(crate) struct Host {
    link: Link,
    pub chosen: Chosen,
}

enum Link {
    Bus(Bus),
    /// logoff's agent on another host.
    Agent(Box<transport::Agent>),
    /// This host's own login records and /proc.
    Local(String),
}

impl Host {
    /// Whether the host is another one (reached over ssh).
    pub(crate) fn remote(&self) -> bool {
        match &self.link {
            Link::Bus(b) => b.remote,
            Link::Agent(_) => true,
            Link::Local(_) => false,
        }
    }

    /// The version of logoff answering as the agent on the host, if one does.
    pub(crate) fn agent(&self) -> Option<&str> {
        match &self.link {
            Link::Agent(a) => Some(&a.hello.version),
            _ => None,
        }
    }

    /// The backend for this host; `bound`: how long any one call may go unanswered.
    pub(crate) fn backend<'a>(&'a self, bound: Duration, stop: &'a Stop) -> Box<dyn Backend + 'a> {
        match &self.link {
            Link::Bus(bus) => Box::new(logind::Logind::new(bus, bound, stop)),
            Link::Agent(a) => Box::new(agent::AgentBackend::new(a, bound, stop)),
            Link::Local(host) => Box::new(proc::ProcHost::new(host.clone(), stop)),
        }
    }

    /// Ends the connection (and ssh with everything it started).
    pub(crate) async fn close(self) {
        match self.link {
            Link::Bus(bus) => bus.close().await,
            Link::Agent(a) => a.close().await,
            Link::Local(_) => {}
        }
    }
}

/// Reaches `target` within `timeout` and picks its backend by `choice` (see [`Choice`]).
pub(crate) async fn connect(
    target: &Target,
    timeout: Duration,
    prompts: bool,
    choice: Choice,
    stop: &Stop,
) -> Result<Host> {
    let local = || Link::Local(transport::local_hostname());
    if matches!(target, Target::Local) && choice == Choice::Proc {
        let why = NoLogindWhy::Asked;
        return Ok(Host {
            link: local(),
            chosen: Chosen::Proc { why },
        });
    }
    // Over ssh: the bridge where the host has one and a bus, else the agent (the only way to
    // the host's login records).
    let bridge = choice != Choice::Proc;
    let agent = crate::agent::command_line(choice, timeout);
    let bus = match transport::connect(target, timeout, prompts, bridge, &agent, stop).await {
        Ok(transport::Reached::Bus(bus)) => bus,
        Ok(transport::Reached::Agent(a)) => {
            let chosen = a.hello.backend.clone().unwrap_or(Chosen::Logind);
            return Ok(Host {
                link: Link::Agent(a),
                chosen,
            });
        }
        Err(Error::NoBus { reason, .. })
            if matches!(target, Target::Local) && choice == Choice::Auto =>
        {
            let why = NoLogindWhy::NoBus(reason);
            return Ok(Host {
                link: local(),
                chosen: Chosen::Proc { why },
            });
        }
        Err(e) => return Err(e),
    };
    if !bus.remote
        && choice == Choice::Auto
        && let logind::Serves::No(why) = logind::serves(&bus, timeout, stop).await
    {
        bus.close().await;
        return Ok(Host {
            link: local(),
            chosen: Chosen::Proc { why },
        });
    }
    Ok(Host {
        link: Link::Bus(bus),
        chosen: Chosen::Logind,
    })
}

/// What listing the sessions gave.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Listing {
    pub sessions: Vec<Session>,
    /// Listed, but gone before their properties could be read (ended meanwhile), with what
    /// the list said of them.
    pub vanished: Vec<Session>,
}

/// The answer to asking for a session to end or be signalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Asked {
    Requested,
    /// The host no longer knows the session: nothing left to do.
    AlreadyGone,
}
