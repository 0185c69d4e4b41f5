//! What a verb needs from a session host, whatever keeps its sessions there. A backend is
//! chosen once per host, on the connection the transport made: systemd-logind (or elogind) on
//! the system bus today; hosts without logind (login records and /proc) plug in here.
//!
//! Every method is bounded in time and interruptible (see [`stop`](crate::stop)), and speaks in
//! the crate's own types: verbs never see D-Bus.

mod logind;

pub(crate) use logind::Delivery;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::ops::logoff::Notice;
use crate::session::{Proc, Session};
use crate::stop::Stop;
use crate::transport::Bus;

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

/// The backend for the host at the other end of `bus`.
pub fn open<'a>(bus: &'a Bus, bound: Duration, stop: &'a Stop) -> Box<dyn Backend + 'a> {
    Box::new(logind::Logind::new(bus, bound, stop))
}

/// What listing the sessions gave.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub sessions: Vec<Session>,
    /// Listed, but gone before their properties could be read (ended meanwhile), with what
    /// the list said of them.
    pub vanished: Vec<Session>,
}

/// The answer to asking for a session to end or be signalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    Requested,
    /// The host no longer knows the session: nothing left to do.
    AlreadyGone,
}
