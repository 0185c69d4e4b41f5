//! systemd-logind (or elogind) over D-Bus: list sessions, end one, wait until it is really gone.
//!
//! `TerminateSession` only queues the stop of the session's scope; the session is gone when
//! logind emits `SessionRemoved` (it does so once the scope and all its processes are gone). We
//! subscribe before asking, so the signal cannot be missed, and check once after subscribing in
//! case the session vanished in between.

use std::cell::Cell;
use std::pin::Pin;
use std::time::{Duration, Instant};

use zbus::export::futures_core::Stream;
use zbus::{Connection, DeserializeDict, MatchRule, MessageStream, OwnedObjectPath, Type};

use crate::error::{Error, Result};
use crate::session::{Proc, Session};
use crate::stop::{Halt, Stop, after};
use crate::transport::{Bus, interrupted, zbus_reason};

const DEST: &str = "org.freedesktop.login1";
const PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

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
    remote_host: Option<String>,
    service: Option<String>,
    class: Option<String>,
    state: Option<String>,
    active: Option<bool>,
    #[zbus(rename = "VTNr")]
    vtnr: Option<u32>,
    leader: Option<u32>,
    scope: Option<String>,
}

impl From<Props> for Session {
    fn from(p: Props) -> Self {
        Session {
            id: p.id.unwrap_or_default(),
            uid: p.user.as_ref().map_or(u32::MAX, |u| u.0),
            user: p.name.unwrap_or_default(),
            seat: p.seat.map(|s| s.0).unwrap_or_default(),
            tty: p.tty.unwrap_or_default(),
            display: p.display.unwrap_or_default(),
            remote_host: p.remote_host.unwrap_or_default(),
            service: p.service.unwrap_or_default(),
            class: p.class.unwrap_or_default(),
            state: p.state.unwrap_or_default(),
            active: p.active.unwrap_or(false),
            vtnr: p.vtnr.unwrap_or(0),
            leader: p.leader.unwrap_or(0),
            scope: p.scope.unwrap_or_default(),
        }
    }
}

/// logind on one host, through whatever transport reached it. Every call is bounded by the
/// connect timeout and interruptible; once one call went unanswered, the bus is taken for frozen
/// and every later call fails at once, so a run waits for at most one unanswered call.
pub struct Logind<'a> {
    bus: &'a Bus,
    bound: Duration,
    stop: &'a Stop,
    frozen: Cell<bool>,
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
    pub fn new(bus: &'a Bus, bound: Duration, stop: &'a Stop) -> Self {
        Logind {
            bus,
            bound,
            stop,
            frozen: Cell::new(false),
        }
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
            Ok(r) => r.map_err(Fail::Dbus),
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

    /// The first call on a host: an unanswered one is told apart into a frozen bus, a frozen
    /// logind, and a logind that is not running and could not be started in time.
    async fn first_call<B>(&self, method: &str, body: &B) -> Result<zbus::Message>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        match self.call(method, body).await {
            Ok(m) => Ok(m),
            Err(Fail::Halt(Halt::TimedOut)) => Err(self.why_no_answer().await),
            Err(f) => Err(self.general(f)),
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
    pub async fn sessions(&self) -> Result<Listing> {
        let reply = self.first_call("ListSessions", &()).await?;
        let list: Vec<(String, u32, String, String, OwnedObjectPath)> = reply
            .body()
            .deserialize()
            .map_err(|e| self.general(Fail::Dbus(e)))?;
        let mut out = Listing::default();
        for (id, uid, user, seat, path) in list {
            match self.props(&path).await {
                Ok(s) => out.sessions.push(s),
                Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => {
                    out.vanished.push(Session {
                        id,
                        uid,
                        user,
                        seat,
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

    /// The caller's current session, as logind sees the process on the other end of the bus
    /// connection (`session/auto`: its own session, else its user's display session). Nothing
    /// the caller's environment says decides it.
    pub async fn current_session(&self) -> Result<Option<String>> {
        self.id_at("/org/freedesktop/login1/session/auto").await
    }

    /// The session our own end of the connection lives in on that host: locally our process's,
    /// remotely systemd-stdio-bridge's (the bus sees the bridge as the client). Ending it would
    /// cut the connection we wait on. `session/self`, not `auto`: a bridge in no session must
    /// not make the user's display session look like ours.
    pub async fn own_session(&self) -> Option<String> {
        self.id_at("/org/freedesktop/login1/session/self")
            .await
            .ok()
            .flatten()
    }

    /// Asks logind to end `s` (logind and polkit decide whether we may).
    pub async fn terminate(&self, s: &Session) -> Result<TerminateOutcome> {
        self.session_call("TerminateSession", &(s.id.as_str(),), s)
            .await
    }

    /// Sends `signal` to every process of `s`.
    pub async fn kill(&self, s: &Session, signal: i32) -> Result<TerminateOutcome> {
        self.session_call("KillSession", &(s.id.as_str(), "all", signal), s)
            .await
    }

    async fn session_call<B>(&self, method: &str, body: &B, s: &Session) -> Result<TerminateOutcome>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        match self.call(method, body).await {
            Ok(_) => Ok(TerminateOutcome::Requested),
            Err(Fail::Dbus(e)) => match refusal(&e) {
                Refusal::NoSuchSession => Ok(TerminateOutcome::AlreadyGone),
                Refusal::AccessDenied(reason) => Err(Error::AccessDenied {
                    session: Box::new(s.clone()),
                    host: self.bus.host.clone(),
                    reason,
                }),
                // A session torn down under the call (another run ended it) fails in other
                // ways too (its scope gone: FileNotFound): gone is gone.
                _ if !self.exists(&s.id).await? => Ok(TerminateOutcome::AlreadyGone),
                _ => Err(self.general(Fail::Dbus(e))),
            },
            Err(f) => Err(self.general(f)),
        }
    }

    /// Subscribes to `SessionRemoved` before anything is ended.
    pub async fn watch_removals(&self) -> Result<Removals> {
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(DEST)
            .interface(MANAGER)
            .member("SessionRemoved")
            .path(PATH)
            .build()
            .map_err(|e| self.general(Fail::Dbus(e)))?;
        let subscribe = MessageStream::for_match_rule(rule, self.conn(), None);
        match self.stop.bounded(after(self.bound), subscribe).await {
            Ok(Ok(stream)) => Ok(Removals { stream }),
            Ok(Err(e)) => Err(self.general(Fail::Dbus(e))),
            Err(h) => Err(self.general(Fail::Halt(h))),
        }
    }

    /// Whether a session still exists.
    pub async fn exists(&self, id: &str) -> Result<bool> {
        match self.call("GetSession", &(id,)).await {
            Ok(_) => Ok(true),
            Err(Fail::Dbus(e)) if matches!(refusal(&e), Refusal::NoSuchSession) => Ok(false),
            Err(f) => Err(self.general(f)),
        }
    }

    /// Waits until none of `ids` exists or `deadline` passes; returns those still there.
    pub async fn wait_gone(
        &self,
        removals: &mut Removals,
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
            let next = std::future::poll_fn(|cx| Pin::new(&mut removals.stream).poll_next(cx));
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

    /// The processes left in a session's scope, through systemd's unit API (works remotely too).
    pub async fn processes(&self, s: &Session) -> Vec<Proc> {
        let scope = if s.scope.is_empty() {
            format!("session-{}.scope", s.id)
        } else {
            s.scope.clone()
        };
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

/// What `ListSessions` gave.
#[derive(Debug, Default)]
pub struct Listing {
    pub sessions: Vec<Session>,
    /// Listed, but gone before their properties could be read (ended meanwhile), with what
    /// the list said of them.
    pub vanished: Vec<Session>,
}

/// Result of asking logind to end or kill a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminateOutcome {
    Requested,
    /// logind no longer knows the session: nothing left to do.
    AlreadyGone,
}

/// The `SessionRemoved` subscription.
pub struct Removals {
    stream: MessageStream,
}
