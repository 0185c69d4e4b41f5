//! systemd-logind (or elogind) over D-Bus: list sessions, end one, wait until it is really gone.
//!
//! `TerminateSession` only queues the stop of the session's scope; the session is gone when
//! logind emits `SessionRemoved` (it does so once the scope and all its processes are gone). We
//! subscribe before asking, so the signal cannot be missed, and check once after subscribing in
//! case the session vanished in between.

use std::pin::Pin;
use std::time::Instant;

use zbus::export::futures_core::Stream;
use zbus::{Connection, DeserializeDict, MatchRule, MessageStream, OwnedObjectPath, Type};

use crate::error::{Error, Result};
use crate::session::{Proc, Session};
use crate::transport::{Bus, zbus_reason};

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

/// logind on one host, through whatever transport reached it.
pub struct Logind<'a> {
    bus: &'a Bus,
}

/// What a D-Bus error from logind means for the user.
enum Refusal {
    NoSuchSession,
    AccessDenied(String),
    NoLogind,
    Other(String),
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
            _ => Refusal::Other(format!("{name}: {msg}")),
        };
    }
    Refusal::Other(zbus_reason(e))
}

impl<'a> Logind<'a> {
    pub fn new(bus: &'a Bus) -> Self {
        Logind { bus }
    }

    fn conn(&self) -> &Connection {
        &self.bus.conn
    }

    /// An error for a failure that is not about a particular session.
    fn general(&self, e: &zbus::Error) -> Error {
        let host = self.bus.host.clone();
        match refusal(e) {
            Refusal::NoLogind => Error::NoLogind { host },
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
                reason: zbus_reason(e),
            },
        }
    }

    async fn call<B>(&self, method: &str, body: &B) -> zbus::Result<zbus::Message>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        self.conn()
            .call_method(Some(DEST), PATH, Some(MANAGER), method, body)
            .await
    }

    /// Every session on the host with its properties. A session that ends while we read it is
    /// simply left out.
    pub async fn sessions(&self) -> Result<Vec<Session>> {
        let reply = self
            .call("ListSessions", &())
            .await
            .map_err(|e| self.general(&e))?;
        let list: Vec<(String, u32, String, String, OwnedObjectPath)> =
            reply.body().deserialize().map_err(|e| self.general(&e))?;
        let mut out = Vec::with_capacity(list.len());
        for (_, _, _, _, path) in list {
            match self.props(&path).await {
                Ok(s) => out.push(s),
                Err(e) if matches!(refusal(&e), Refusal::NoSuchSession) => {}
                Err(e) => return Err(self.general(&e)),
            }
        }
        Ok(out)
    }

    async fn props(&self, path: &OwnedObjectPath) -> zbus::Result<Session> {
        let reply = self
            .conn()
            .call_method(
                Some(DEST),
                path,
                Some("org.freedesktop.DBus.Properties"),
                "GetAll",
                &SESSION,
            )
            .await?;
        let props: Props = reply.body().deserialize()?;
        Ok(props.into())
    }

    /// The session of a process (the caller's own session when `pid` is ours).
    pub async fn session_of_pid(&self, pid: u32) -> Result<Option<String>> {
        match self.call("GetSessionByPID", &pid).await {
            Ok(reply) => {
                let path: OwnedObjectPath =
                    reply.body().deserialize().map_err(|e| self.general(&e))?;
                let reply = self
                    .conn()
                    .call_method(
                        Some(DEST),
                        &path,
                        Some("org.freedesktop.DBus.Properties"),
                        "Get",
                        &(SESSION, "Id"),
                    )
                    .await
                    .map_err(|e| self.general(&e))?;
                let id: zbus::OwnedVariant =
                    reply.body().deserialize().map_err(|e| self.general(&e))?;
                Ok(String::try_from(id).ok())
            }
            Err(e) => match refusal(&e) {
                Refusal::NoSuchSession => Ok(None),
                _ => Err(self.general(&e)),
            },
        }
    }

    /// The session our own end of the connection lives in on that host: locally our process's,
    /// remotely systemd-stdio-bridge's (the bus sees the bridge as the client). Ending it would
    /// cut the connection we wait on.
    pub async fn own_session(&self) -> Option<String> {
        let pid = if self.bus.remote {
            let name = self.conn().unique_name()?.to_string();
            let reply = self
                .conn()
                .call_method(
                    Some("org.freedesktop.DBus"),
                    "/org/freedesktop/DBus",
                    Some("org.freedesktop.DBus"),
                    "GetConnectionUnixProcessID",
                    &(name.as_str(),),
                )
                .await
                .ok()?;
            reply.body().deserialize::<u32>().ok()?
        } else {
            std::process::id()
        };
        self.session_of_pid(pid).await.ok().flatten()
    }

    /// Asks logind to end `s` (logind and polkit decide whether we may).
    pub async fn terminate(&self, s: &Session) -> Result<TerminateOutcome> {
        self.session_call("TerminateSession", &(s.id.as_str(),), s)
            .await
    }

    /// SIGKILL to every process of `s`, for sessions stuck in `closing`.
    pub async fn kill(&self, s: &Session) -> Result<TerminateOutcome> {
        self.session_call("KillSession", &(s.id.as_str(), "all", 9i32), s)
            .await
    }

    async fn session_call<B>(&self, method: &str, body: &B, s: &Session) -> Result<TerminateOutcome>
    where
        B: serde::Serialize + zbus::wire::DynamicType,
    {
        match self.call(method, body).await {
            Ok(_) => Ok(TerminateOutcome::Requested),
            Err(e) => match refusal(&e) {
                Refusal::NoSuchSession => Ok(TerminateOutcome::AlreadyGone),
                Refusal::AccessDenied(reason) => Err(Error::AccessDenied {
                    session: Box::new(s.clone()),
                    host: self.bus.host.clone(),
                    reason,
                }),
                _ => Err(self.general(&e)),
            },
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
            .map_err(|e| self.general(&e))?;
        let stream = MessageStream::for_match_rule(rule, self.conn(), None)
            .await
            .map_err(|e| self.general(&e))?;
        Ok(Removals { stream })
    }

    /// Whether a session still exists.
    pub async fn exists(&self, id: &str) -> Result<bool> {
        match self.call("GetSession", &(id,)).await {
            Ok(_) => Ok(true),
            Err(e) => match refusal(&e) {
                Refusal::NoSuchSession => Ok(false),
                _ => Err(self.general(&e)),
            },
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
        let rt = zruntime::SharedRuntime::current().map_err(|e| Error::Bus {
            host: self.bus.host.clone(),
            reason: e.to_string(),
        })?;
        while !left.is_empty() {
            let next = std::future::poll_fn(|cx| Pin::new(&mut removals.stream).poll_next(cx));
            match rt.timeout_at(deadline, next).await {
                Err(_) => break, // deadline
                Ok(None) => {
                    return Err(Error::Unreachable {
                        host: self.bus.host.clone(),
                        reason: self
                            .bus
                            .ssh_reason()
                            .unwrap_or_else(|| "connection closed".into()),
                    });
                }
                Ok(Some(Err(e))) => return Err(self.general(&e)),
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
            .conn()
            .call_method(
                Some("org.freedesktop.systemd1"),
                "/org/freedesktop/systemd1",
                Some("org.freedesktop.systemd1.Manager"),
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
