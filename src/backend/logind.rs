//! systemd-logind (or elogind) over D-Bus: list sessions, end one, wait until it is really gone.
//!
//! `TerminateSession` only queues the stop of the session's scope; the session is gone when
//! logind emits `SessionRemoved` (it does so once the scope and all its processes are gone). We
//! subscribe before asking, so the signal cannot be missed, and check once after subscribing in
//! case the session vanished in between.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::path::Path;

use rustix::process::Signal;
use std::pin::Pin;
use std::time::{Duration, Instant};

use zbus::export::futures_core::Stream;
use zbus::{Connection, DeserializeDict, MatchRule, MessageStream, OwnedObjectPath, Type};

use super::procfs::{self, Members};
use super::{Asked, Backend, Listing, Reply};
use crate::error::{Error, Result};
use crate::fleet::each;
use crate::ops::logoff::Notice;
use crate::session::{Proc, Session, State};
use crate::stop::{Halt, Stop, after};
use crate::transport::{Bus, interrupted, zbus_reason};

mod notice;

pub(crate) use notice::Delivery;

const DEST: &str = "org.freedesktop.login1";
const PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

/// Calls in flight at once on a connection: dbus-daemon refuses more than 128 pending replies
/// per connection on the system bus (`max_replies_per_connection`), and the run may have a few
/// calls of its own waiting (the carrier, a subscription).
const IN_FLIGHT: usize = 96;

/// How long each call may take to tell sessions a logoff was cancelled: the admin pressed
/// Ctrl-C and waits.
const CANCEL_BOUND: Duration = Duration::from_secs(2);

/// Signals a subscription holds until they are read.
const SIGNAL_QUEUE: std::num::NonZeroUsize = std::num::NonZeroUsize::new(4096).unwrap();

#[derive(Debug, Default, DeserializeDict, Type)]
#[zbus(signature = "a{sv}", rename_all = "PascalCase")]
struct Props {
    id: Option<String>,
    name: Option<String>,
    user: Option<(u32, OwnedObjectPath)>,
    seat: Option<(String, OwnedObjectPath)>,
    #[zbus(rename = "TTY")]
    tty: Option<String>,
    display: Option<String>,
    state: Option<String>,
    active: Option<bool>,
    scope: Option<String>,
    #[zbus(rename = "Type")]
    kind: Option<String>,
    class: Option<String>,
    service: Option<String>,
    remote_host: Option<String>,
    timestamp: Option<u64>,
    idle_hint: Option<bool>,
    idle_since_hint: Option<u64>,
    leader: Option<u32>,
}

impl From<Props> for Session {
    fn from(p: Props) -> Self {
        // logind gives "" for what a session does not have.
        let given = |v: Option<String>| v.filter(|v| !v.is_empty());
        Session {
            id: p.id.unwrap_or_default(),
            uid: p.user.as_ref().map(|u| u.0),
            user: p.name.unwrap_or_default(),
            seat: given(p.seat.map(|s| s.0)),
            tty: given(p.tty),
            display: given(p.display),
            state: State::parse(p.state.as_deref().unwrap_or_default()),
            active: p.active.unwrap_or(false),
            scope: given(p.scope),
            kind: given(p.kind),
            class: given(p.class),
            service: given(p.service),
            remote_host: given(p.remote_host),
            // logind's 0 is "not known".
            since: p.timestamp.filter(|t| *t > 0),
            idle_since: p
                .idle_since_hint
                .filter(|t| p.idle_hint == Some(true) && *t > 0),
            leader: p.leader.filter(|l| *l > 0),
        }
    }
}

/// logind on one host, through whatever transport reached it. Every call is bounded by the
/// connect timeout and interruptible; once one call went unanswered, the bus is taken for frozen
/// and every later call fails at once, so a run waits for at most one unanswered call.
pub(super) struct Logind<'a> {
    bus: &'a Bus,
    bound: Duration,
    stop: &'a Stop,
    frozen: Cell<bool>,
    /// Whether any call was answered (an error is an answer): see [`Logind::fail`].
    answered: Cell<bool>,
    /// The `SessionRemoved` subscription, once made (taken out while a wait uses it).
    removals: Cell<Option<MessageStream>>,
    /// `session/self`, read once: the listing and the carrier check both need it.
    own: OnceCell<Option<String>>,
    /// On elogind (this host, not booted with systemd): the processes of each session asked
    /// to end, found from its leader before asking. elogind drops a session after one SIGTERM
    /// (none with linger) whatever its processes do: it is gone only once they are.
    finish: Option<RefCell<HashMap<String, Members>>>,
    /// The session this process runs in, once asked to end, and its processes: logind keeps
    /// it while we live in it, so it is gone once every other process of it is (we go last).
    ending_own: RefCell<Option<(String, Members)>>,
}

/// What a D-Bus error from logind means for the user.
enum Refusal {
    NoSuchSession,
    AccessDenied(String),
    NoLogind,
    /// The bus could not start logind for us (activation failed or timed out).
    ActivationFailed(String),
    Other(String),
}

/// Why a call failed: the bus's answer, or no answer.
enum Fail {
    Dbus(zbus::Error),
    Halt(Halt),
}

/// The D-Bus error name and text of a method error reply, however zbus wrapped it.
fn error_name(e: &zbus::Error) -> Option<(String, String)> {
    use zbus::DBusError;
    match e {
        zbus::Error::MethodError(name, msg, _) => {
            Some((name.to_string(), msg.clone().unwrap_or_default()))
        }
        zbus::Error::FDO(f) => Some((
            f.name().to_string(),
            f.description().unwrap_or_default().to_owned(),
        )),
        _ => None,
    }
}

fn refusal(e: &zbus::Error) -> Refusal {
    if let Some((name, msg)) = error_name(e) {
        return match name.as_str() {
            // NoSessionForPID: the process is in no session (GetSessionByPID).
            "org.freedesktop.login1.NoSuchSession" | "org.freedesktop.login1.NoSessionForPID" => {
                Refusal::NoSuchSession
            }
            "org.freedesktop.DBus.Error.AccessDenied"
            | "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" => {
                Refusal::AccessDenied(msg)
            }
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner" => Refusal::NoLogind,
            // A path under /org/freedesktop/login1 that vanished while we asked about it.
            "org.freedesktop.DBus.Error.UnknownObject"
            | "org.freedesktop.DBus.Error.UnknownMethod" => Refusal::NoSuchSession,
            // The bus tried to start logind for us and could not (dbus-daemon's own spawn, or
            // systemd's activation of the unit; "timed out activating").
            n if n.starts_with("org.freedesktop.DBus.Error.Spawn.")
                || n.starts_with("org.freedesktop.systemd1.")
                || n == "org.freedesktop.DBus.Error.TimedOut"
                || n == "org.freedesktop.DBus.Error.TimeoutExpired" =>
            {
                Refusal::ActivationFailed(if msg.is_empty() { name.clone() } else { msg })
            }
            _ => Refusal::Other(format!("{name}: {msg}")),
        };
    }
    Refusal::Other(zbus_reason(e))
}

impl<'a> Logind<'a> {
    /// `bound`: how long any one call may go unanswered.
    pub(super) fn new(bus: &'a Bus, bound: Duration, stop: &'a Stop) -> Self {
        Logind {
            bus,
            bound,
            stop,
            frozen: Cell::new(false),
            answered: Cell::new(false),
            removals: Cell::new(None),
            own: OnceCell::new(),
            finish: (!bus.remote && !Path::new("/run/systemd/system").exists())
                .then(|| RefCell::new(HashMap::new())),
            ending_own: RefCell::new(None),
        }
    }

    /// The members of `s` kept for finishing it on elogind, if any are.
    fn members(&self, id: &str) -> Option<Members> {
        self.finish.as_ref()?.borrow().get(id).cloned()
    }

    /// On elogind: notes how to find the processes of `s` before it is asked to end. elogind
    /// gives each session a cgroup of its own, named by its ID.
    fn track(&self, s: &Session) {
        let (Some(finish), Some(leader)) = (&self.finish, s.leader) else {
            return;
        };
        if let Some(members) = session_members(leader as i32, &s.id) {
            finish.borrow_mut().insert(s.id.clone(), members);
        }
    }

    /// Before asking logind to end `s`, the session this process runs in: notes its members
    /// and takes the ending signals that will reach us for expected. Whether it is.
    async fn note_if_own(&self, s: &Session) -> bool {
        if self.bus.remote || self.own_session().await.as_deref() != Some(s.id.as_str()) {
            return false;
        }
        // Nothing to tell its processes by: logind's word alone (it will not see the session
        // gone while we live, so that run ends unconfirmed, never falsely).
        let Some(members) = session_members(procfs::own_pid(), &s.id) else {
            return false;
        };
        self.stop.expect_ending();
        *self.ending_own.borrow_mut() = Some((s.id.clone(), members));
        true
    }

    /// The members of our own session, if it is being ended and is `id`.
    fn own_members(&self, id: &str) -> Option<Members> {
        let own = self.ending_own.borrow();
        own.as_ref()
            .filter(|(o, _)| o == id)
            .map(|(_, m)| m.clone())
    }

    /// Sessions logind no longer waits for, told by their processes: elogind's dropped ones,
    /// our own. Those of `left` whose processes remain get SIGTERM, SIGCONT and SIGHUP (again:
    /// elogind with linger sends none), and are waited for until `deadline`; those still
    /// running then are returned.
    async fn finish(
        &self,
        mut left: Vec<(String, Members)>,
        deadline: Instant,
    ) -> Result<Vec<String>> {
        let me = procfs::own_pid();
        for (_, m) in &left {
            m.signal(procfs::ENDING, me);
        }
        procfs::poll_until(self.stop, deadline, || {
            left.retain(|(_, m)| !m.scan(me).is_empty());
            Ok(left.is_empty())
        })
        .await?;
        Ok(left.into_iter().map(|(id, _)| id).collect())
    }

    fn conn(&self) -> &Connection {
        &self.bus.conn
    }

    /// An error for a failure that is not about a particular session.
    fn general(&self, f: Fail) -> Error {
        let host = self.bus.host.clone();
        let e = match f {
            Fail::Halt(Halt::Interrupted) => return interrupted(self.stop),
            Fail::Halt(Halt::TimedOut) => {
                return Error::NoAnswer {
                    host,
                    secs: self.bound.as_secs_f64(),
                };
            }
            Fail::Dbus(e) => e,
        };
        match refusal(&e) {
            Refusal::NoLogind => Error::NoLogind { host },
            Refusal::ActivationFailed(reason) => Error::LogindFailed { host, reason },
            Refusal::AccessDenied(reason) | Refusal::Other(reason) => match e {
                // The transport died: say so in ssh's words when there are some.
                zbus::Error::InputOutput(_) => Error::Unreachable {
                    reason: self.bus.ssh_reason().unwrap_or(reason),
                    host,
                },
                _ => Error::Bus { host, reason },
            },
            Refusal::NoSuchSession => Error::Bus {
                host,
                reason: zbus_reason(&e),
            },
        }
    }

    /// One method call, bounded and interruptible.
    async fn call_at<B>(
        &self,
        dest: &str,
        path: &str,
        iface: &str,
        method: &str,
        body: &B,
    ) -> Result<zbus::Message, Fail>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        if self.frozen.get() {
            return Err(Fail::Halt(Halt::TimedOut));
        }
        let call = self
            .conn()
            .call_method(Some(dest), path, Some(iface), method, body);
        match self.stop.bounded(after(self.bound), call).await {
            Ok(r) => {
                self.answered.set(true);
                r.map_err(Fail::Dbus)
            }
            Err(h) => {
                if h == Halt::TimedOut {
                    self.frozen.set(true);
                }
                Err(Fail::Halt(h))
            }
        }
    }

    async fn call<B>(&self, method: &str, body: &B) -> Result<zbus::Message, Fail>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        self.call_at(DEST, PATH, MANAGER, method, body).await
    }

    /// An error for a failure that is not about a particular session. An unanswered first
    /// call is told apart into a frozen bus, a frozen logind, and a logind that is not running
    /// and could not be started in time.
    async fn fail(&self, f: Fail) -> Error {
        match f {
            Fail::Halt(Halt::TimedOut) if !self.answered.get() => self.why_no_answer().await,
            f => self.general(f),
        }
    }

    /// Asks the bus itself (which never activates anything) whether logind runs.
    async fn why_no_answer(&self) -> Error {
        let host = self.bus.host.clone();
        let secs = self.bound.as_secs_f64();
        let ask = self.conn().call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(DEST,),
        );
        let answer = self.stop.bounded(after(Duration::from_secs(1)), ask).await;
        match answer {
            Ok(Ok(m)) => match m.body().deserialize::<bool>() {
                Ok(false) => Error::LogindFailed {
                    host,
                    reason: format!("not running, and not started within {secs} s"),
                },
                _ => Error::Bus {
                    host,
                    reason: format!("systemd-logind did not answer within {secs} s"),
                },
            },
            Err(Halt::Interrupted) => interrupted(self.stop),
            _ => Error::NoAnswer { host, secs },
        }
    }

    /// Every session on the host with its properties, and the IDs that were listed but ended
    /// while they were being read.
    async fn sessions(&self) -> Result<Listing> {
        let reply = match self.call("ListSessions", &()).await {
            Ok(m) => m,
            Err(f) => return Err(self.fail(f).await),
        };
        let list: Vec<(String, u32, String, String, OwnedObjectPath)> = reply
            .body()
            .deserialize()
            .map_err(|e| self.general(Fail::Dbus(e)))?;
        let mut out = Listing::default();
        // The reads are sent together, IN_FLIGHT at a time: a round trip per IN_FLIGHT sessions,
        // not one per session.
        let read = each(&list, IN_FLIGHT, |(.., path)| self.props(path)).await;
        for ((id, uid, user, seat, _), props) in list.into_iter().zip(read) {
            match props {
                Ok(s) => out.sessions.push(s),
                Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => {
                    out.vanished.push(Session {
                        id,
                        uid: Some(uid),
                        user,
                        seat: (!seat.is_empty()).then_some(seat),
                        ..Session::default()
                    })
                }
                Err(f) => return Err(self.general(f)),
            }
        }
        Ok(out)
    }

    async fn props(&self, path: &OwnedObjectPath) -> Result<Session, Fail> {
        let reply = self
            .call_at(
                DEST,
                path,
                "org.freedesktop.DBus.Properties",
                "GetAll",
                &SESSION,
            )
            .await?;
        let props: Props = reply.body().deserialize().map_err(Fail::Dbus)?;
        Ok(props.into())
    }

    /// The ID of the session at `path` (which may be `.../session/auto`), if there is one.
    async fn id_at(&self, path: &str) -> Result<Option<String>> {
        let reply = self
            .call_at(
                DEST,
                path,
                "org.freedesktop.DBus.Properties",
                "Get",
                &(SESSION, "Id"),
            )
            .await;
        match reply {
            Ok(reply) => {
                let id: zbus::OwnedVariant = reply
                    .body()
                    .deserialize()
                    .map_err(|e| self.general(Fail::Dbus(e)))?;
                Ok(String::try_from(id).ok())
            }
            Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => Ok(None),
            Err(f) => Err(self.general(f)),
        }
    }

    /// The session with ID `id`, read in one round trip where its object path is the one
    /// systemd derives from the ID (else through `GetSession`); `None` if there is none.
    async fn session(&self, id: &str) -> Result<Option<Session>> {
        let path = format!("{PATH}/session/{}", path_label(id));
        let read = match OwnedObjectPath::try_from(path) {
            Ok(path) => self.props(&path).await,
            Err(_) => Err(Fail::Dbus(zbus::Error::Failure("no such path".into()))),
        };
        let gone = |e: &zbus::Error| matches!(refusal(e), Refusal::NoSuchSession);
        match read {
            Ok(s) if s.id == id => return Ok(Some(s)),
            Ok(_) => {}
            Err(Fail::Dbus(e)) if gone(&e) || matches!(e, zbus::Error::Failure(_)) => {}
            Err(f) => return Err(self.fail(f).await),
        }
        // Not at the derived path: ask logind where it is (elogind, or a future encoding).
        let path: OwnedObjectPath = match self.call("GetSession", &(id,)).await {
            Ok(reply) => reply
                .body()
                .deserialize()
                .map_err(|e| self.general(Fail::Dbus(e)))?,
            Err(Fail::Dbus(e)) if gone(&e) => return Ok(None),
            Err(f) => return Err(self.fail(f).await),
        };
        match self.props(&path).await {
            Ok(s) => Ok(Some(s)),
            Err(Fail::Dbus(e)) if gone(&e) => Ok(None),
            Err(f) => Err(self.fail(f).await),
        }
    }

    /// The caller's current session, as logind sees the process on the other end of the bus
    /// connection (`session/auto`: its own session, else its user's display session). Nothing
    /// the caller's environment says decides it.
    async fn current_session(&self) -> Result<Option<Session>> {
        let path = OwnedObjectPath::try_from(format!("{PATH}/session/auto"))
            .map_err(|e| self.general(Fail::Dbus(e)))?;
        match self.props(&path).await {
            Ok(s) => Ok(Some(s)),
            Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => Ok(None),
            Err(f) => Err(self.fail(f).await),
        }
    }

    /// The session our own end of the connection lives in on that host: locally our process's,
    /// remotely systemd-stdio-bridge's (the bus sees the bridge as the client). Ending it would
    /// cut the connection we wait on. `session/self`, not `auto`: a bridge in no session must
    /// not make the user's display session look like ours.
    async fn own_session(&self) -> Option<String> {
        if let Some(own) = self.own.get() {
            return own.clone();
        }
        // Only an answer is kept: after a failure the next use asks again.
        let own = self
            .id_at("/org/freedesktop/login1/session/self")
            .await
            .ok()?;
        self.own.get_or_init(|| own).clone()
    }

    /// Asks logind to end `s` (logind and polkit decide whether we may).
    async fn terminate(&self, s: &Session) -> Result<Asked> {
        if !self.note_if_own(s).await {
            self.track(s);
        }
        self.session_call("TerminateSession", &(s.id.as_str(),), s)
            .await
    }

    /// Sends `signal` to every process of `s`. On elogind, once elogind has let the session go,
    /// SIGKILL goes to its processes directly, in passes until none is left.
    async fn kill(&self, s: &Session, signal: i32) -> Result<Asked> {
        // Our own session: never logind's KillSession, which would reach us too.
        if let Some(m) = self.own_members(&s.id) {
            let pass = match Signal::from_named_raw(signal) {
                Some(Signal::KILL) => m.kill_bounded(self.stop).await?,
                Some(sig) => Some(m.signal(&[sig], procfs::own_pid())),
                None => None,
            };
            return Ok(match pass {
                Some(p) if p.found.is_empty() => Asked::AlreadyGone,
                _ => Asked::Requested,
            });
        }
        let asked = self
            .session_call("KillSession", &(s.id.as_str(), "all", signal), s)
            .await?;
        let Some(members) = self
            .members(&s.id)
            .filter(|_| signal == Signal::KILL.as_raw())
        else {
            return Ok(asked);
        };
        match members.kill_bounded(self.stop).await? {
            Some(p) if p.found.is_empty() && asked == Asked::AlreadyGone => Ok(Asked::AlreadyGone),
            _ => Ok(Asked::Requested),
        }
    }

    async fn session_call<B>(&self, method: &str, body: &B, s: &Session) -> Result<Asked>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        match self.call(method, body).await {
            Ok(_) => Ok(Asked::Requested),
            Err(Fail::Dbus(e)) => match refusal(&e) {
                Refusal::NoSuchSession => Ok(Asked::AlreadyGone),
                Refusal::AccessDenied(reason) => Err(Error::AccessDenied {
                    session: Box::new(s.clone()),
                    host: self.bus.host.clone(),
                    reason,
                }),
                // A session torn down under the call (another run ended it) fails in other
                // ways too (its scope gone: FileNotFound): gone is gone.
                _ if !self.exists(&s.id).await? => Ok(Asked::AlreadyGone),
                _ => Err(self.general(Fail::Dbus(e))),
            },
            Err(f) => Err(self.general(f)),
        }
    }

    /// Subscribes to `SessionRemoved` before anything is ended (once: later calls keep it).
    async fn watch_removals(&self) -> Result<()> {
        let had = self.removals.take();
        if had.is_some() {
            self.removals.set(had);
            return Ok(());
        }
        let stream = self
            .subscribe(DEST, PATH, MANAGER, "SessionRemoved")
            .await?;
        self.removals.set(Some(stream));
        Ok(())
    }

    /// The signals `member` of `iface` that `sender` emits on `path`, from now on.
    async fn subscribe(
        &self,
        sender: &'static str,
        path: &'static str,
        iface: &'static str,
        member: &'static str,
    ) -> Result<MessageStream> {
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(sender)
            .interface(iface)
            .member(member)
            .path(path)
            .build()
            .map_err(|e| self.general(Fail::Dbus(e)))?;
        // zbus holds 64 signals by default and, full, stops reading the connection: every
        // reply would then wait. Other users' logouts, or our own many sessions ending, must
        // never come near that.
        let subscribe = MessageStream::for_match_rule(rule, self.conn(), Some(SIGNAL_QUEUE));
        match self.stop.bounded(after(self.bound), subscribe).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(e)) => Err(self.general(Fail::Dbus(e))),
            Err(h) => Err(self.general(Fail::Halt(h))),
        }
    }

    /// Whether a session still exists.
    async fn exists(&self, id: &str) -> Result<bool> {
        match self.call("GetSession", &(id,)).await {
            Ok(_) => Ok(true),
            Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => Ok(false),
            Err(f) => Err(self.general(f)),
        }
    }

    /// Waits until none of `ids` exists or `deadline` passes; returns those still there.
    async fn wait_gone(&self, ids: &[String], deadline: Instant) -> Result<Vec<String>> {
        let Some(mut stream) = self.removals.take() else {
            return Err(Error::Bus {
                host: self.bus.host.clone(),
                reason: "waited for sessions to end without watching".into(),
            });
        };
        // Our own session is waited for by its processes, last: logind keeps it while we live.
        let own = ids.iter().find_map(|id| Some((id, self.own_members(id)?)));
        let ids: Vec<String> = ids
            .iter()
            .filter(|id| own.as_ref().is_none_or(|(o, _)| o != id))
            .cloned()
            .collect();
        let left = self.wait_on(&mut stream, &ids, deadline).await;
        self.removals.set(Some(stream));
        let mut left = left?;
        // On elogind, those it let go; they and our own are gone once their processes are.
        let mut ending: Vec<(String, Members)> = ids
            .iter()
            .filter(|id| !left.contains(id))
            .filter_map(|id| Some((id.clone(), self.members(id)?)))
            .collect();
        ending.extend(own.map(|(id, m)| (id.clone(), m)));
        left.extend(self.finish(ending, deadline).await?);
        Ok(left)
    }

    async fn wait_on(
        &self,
        removals: &mut MessageStream,
        ids: &[String],
        deadline: Instant,
    ) -> Result<Vec<String>> {
        let mut left = Vec::new();
        for id in ids {
            if self.exists(id).await? {
                left.push(id.clone());
            }
        }
        while !left.is_empty() {
            let next = std::future::poll_fn(|cx| Pin::new(&mut *removals).poll_next(cx));
            match self.stop.bounded(deadline, next).await {
                Err(Halt::TimedOut) => break,
                Err(Halt::Interrupted) => return Err(interrupted(self.stop)),
                Ok(None) => {
                    return Err(Error::Unreachable {
                        host: self.bus.host.clone(),
                        reason: self
                            .bus
                            .ssh_reason()
                            .unwrap_or_else(|| "connection closed".into()),
                    });
                }
                Ok(Some(Err(e))) => return Err(self.general(Fail::Dbus(e))),
                Ok(Some(Ok(msg))) => {
                    if let Ok((id, _)) = msg.body().deserialize::<(String, OwnedObjectPath)>() {
                        left.retain(|l| *l != id);
                    }
                }
            }
        }
        // Signals can be lost if logind restarts: believe the session list over the silence.
        let mut still = Vec::new();
        for id in left {
            if self.exists(&id).await? {
                still.push(id);
            }
        }
        Ok(still)
    }

    /// The processes left in a session's scope, through systemd's unit API (works remotely too);
    /// on elogind, found in /proc.
    async fn processes(&self, s: &Session) -> Vec<Proc> {
        if let Some(m) = self.members(&s.id) {
            return m.procs(procfs::own_pid());
        }
        let scope = s.scope_unit();
        let reply = self
            .call_at(
                "org.freedesktop.systemd1",
                "/org/freedesktop/systemd1",
                "org.freedesktop.systemd1.Manager",
                "GetUnitProcesses",
                &(scope.as_str(),),
            )
            .await;
        let Ok(reply) = reply else { return Vec::new() };
        let list: Vec<(String, u32, String)> = reply.body().deserialize().unwrap_or_default();
        list.into_iter()
            .map(|(_, pid, cmd)| Proc { pid, cmd })
            .collect()
    }
}

/// How to find the processes of session `id` from `pid`, one of them: its cgroup where it has
/// one of its own (elogind's, named by the ID; systemd's `session-ID.scope`), with its audit
/// session; else the audit session alone; `None` without either.
fn session_members(pid: i32, id: &str) -> Option<Members> {
    let audit = procfs::audit_session(pid).filter(|a| Some(*a) != procfs::audit_session(1));
    let scope = format!("session-{id}.scope");
    match procfs::cgroup_of(pid) {
        Some(dir)
            if dir
                .rsplit('/')
                .next()
                .is_some_and(|d| d == id || d == scope) =>
        {
            Some(Members::Cgroup { dir, audit })
        }
        _ => audit.map(Members::Audit),
    }
}

/// Whether logind answers on a bus (see [`serves`]).
pub(super) enum Serves {
    Yes,
    No(super::NoLogindWhy),
    /// The bus itself did not say: then logind is tried, and its silence reported.
    Unsaid,
}

/// Whether logind answers on `bus`: someone owns its name, or the bus starts it when asked. A
/// name that is only activatable is a promise, not an answer: a container with systemd's files
/// but another init lists it, and starting it fails at once.
pub(super) async fn serves(bus: &Bus, bound: Duration, stop: &Stop) -> Serves {
    use super::NoLogindWhy::{CannotStart, NotOnBus};
    // The bus's answer, or `None` when it gave none in time (or the run was interrupted).
    async fn ask<B>(
        bus: &Bus,
        bound: Duration,
        stop: &Stop,
        method: &str,
        body: &B,
    ) -> Option<zbus::Result<zbus::Message>>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        let dbus = Some("org.freedesktop.DBus");
        let call = bus
            .conn
            .call_method(dbus, "/org/freedesktop/DBus", dbus, method, body);
        stop.bounded(after(bound), call).await.ok()
    }
    let Some(Ok(owned)) = ask(bus, bound, stop, "NameHasOwner", &(DEST,)).await else {
        return Serves::Unsaid;
    };
    match owned.body().deserialize::<bool>() {
        Ok(true) => return Serves::Yes,
        Ok(false) => {}
        Err(_) => return Serves::Unsaid,
    }
    let Some(Ok(names)) = ask(bus, bound, stop, "ListActivatableNames", &()).await else {
        return Serves::Unsaid;
    };
    match names.body().deserialize::<Vec<String>>() {
        Ok(names) if names.iter().any(|n| n == DEST) => {}
        Ok(_) => return Serves::No(NotOnBus),
        Err(_) => return Serves::Unsaid,
    }
    match ask(bus, bound, stop, "StartServiceByName", &(DEST, 0u32)).await {
        Some(Ok(_)) => Serves::Yes,
        // Only a failed start (or a name no longer there) says logind is not to be had: any
        // other refusal (a security policy, the bus's limits) leaves logind to be tried.
        Some(Err(e)) => match refusal(&e) {
            Refusal::ActivationFailed(reason) => Serves::No(CannotStart(reason)),
            Refusal::NoLogind => Serves::No(NotOnBus),
            _ => Serves::Unsaid,
        },
        _ => Serves::Unsaid,
    }
}

impl Backend for Logind<'_> {
    fn sessions(&self) -> Reply<'_, Listing> {
        Box::pin(Logind::sessions(self))
    }

    fn session<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Session>> {
        Box::pin(Logind::session(self, id))
    }

    fn current_session(&self) -> Reply<'_, Option<Session>> {
        // There is no "current session" on another host.
        if self.bus.remote {
            return Box::pin(async { Ok(None) });
        }
        Box::pin(Logind::current_session(self))
    }

    fn own_session(&self) -> Reply<'_, Option<String>> {
        Box::pin(async { Ok(Logind::own_session(self).await) })
    }

    fn carrier(&self) -> Reply<'_, Option<String>> {
        Box::pin(async {
            Ok(match self.bus.remote {
                true => Logind::own_session(self).await,
                false => None,
            })
        })
    }

    fn user_exists<'a>(&'a self, user: &'a str) -> Reply<'a, Option<bool>> {
        // Only this machine's NSS can be asked; a host reached over D-Bus cannot say.
        Box::pin(async move {
            if self.bus.remote {
                return Ok(None);
            }
            Ok(super::local_user_exists(user, self.bound, self.stop).await)
        })
    }

    fn watch(&self) -> Reply<'_, ()> {
        Box::pin(self.watch_removals())
    }

    fn terminate<'a>(&'a self, s: &'a Session) -> Reply<'a, Asked> {
        Box::pin(Logind::terminate(self, s))
    }

    fn kill<'a>(&'a self, s: &'a Session, signal: i32) -> Reply<'a, Asked> {
        Box::pin(Logind::kill(self, s, signal))
    }

    fn wait_gone<'a>(&'a self, ids: &'a [String], deadline: Instant) -> Reply<'a, Vec<String>> {
        Box::pin(Logind::wait_gone(self, ids, deadline))
    }

    fn recheck<'a>(&'a self, ids: &'a [String], bound: Duration) -> Reply<'a, Vec<Option<bool>>> {
        Box::pin(async move {
            // A fresh, uninterruptible view of the same bus, one for every session: once a call
            // goes unanswered it is taken for frozen, and the rest fail at once.
            let calm = Stop::default();
            let view = Logind::new(self.bus, bound.min(self.bound), &calm);
            let seen = each(ids, IN_FLIGHT, |id| view.exists(id)).await;
            let me = procfs::own_pid();
            Ok(ids
                .iter()
                .zip(seen)
                .map(|(id, there)| {
                    if let Some(m) = self.own_members(id) {
                        return Some(!m.scan(me).is_empty());
                    }
                    let procs = self.members(id).is_some_and(|m| !m.scan(me).is_empty());
                    there.ok().map(|t| t || procs)
                })
                .collect())
        })
    }

    fn processes<'a>(&'a self, s: &'a Session) -> Pin<Box<dyn Future<Output = Vec<Proc>> + 'a>> {
        Box::pin(Logind::processes(self, s))
    }

    fn detached<'a>(&'a self, sessions: &'a [Session]) -> Reply<'a, Vec<Option<bool>>> {
        Box::pin(Logind::detached(self, sessions))
    }

    fn notify<'a>(
        &'a self,
        sessions: &'a [Session],
        notice: &'a Notice,
        shown: Duration,
        after_stop: bool,
    ) -> Reply<'a, Vec<Delivery>> {
        Box::pin(async move {
            if !after_stop {
                return Logind::notify(self, sessions, notice, shown).await;
            }
            // After an interruption, on a view of the same bus that the interruption does not
            // end (bounded all the same), as the run's last look does.
            let calm = Stop::default();
            let view = Logind::new(self.bus, self.bound.min(CANCEL_BOUND), &calm);
            view.notify(sessions, notice, shown).await
        })
    }
}

/// The label systemd gives an ID in an object path (`sd_bus_path_encode`): every byte but
/// ASCII letters and digits, and a leading digit, as `_` and two hex digits.
fn path_label(id: &str) -> String {
    let mut out = String::with_capacity(id.len() * 3);
    for (i, b) in id.bytes().enumerate() {
        if b.is_ascii_alphabetic() || (b.is_ascii_digit() && i > 0) {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::path_label;

    #[test]
    fn ids_become_path_labels_as_systemd_writes_them() {
        assert_eq!(path_label("4044"), "_34044");
        assert_eq!(path_label("c1"), "c1");
        assert_eq!(path_label("a-b"), "a_2db");
        assert_eq!(path_label(""), "_");
    }
}
