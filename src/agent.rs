//! Agent mode: how a host without `systemd-stdio-bridge` (elogind systems, hosts without logind)
//! is reached. Over the one ssh connection, the host's own `logoff --agent=1` answers the
//! questions of the [`Backend`] interface about that host, with the backend it picks there as it
//! would for itself; the logoff that connected does everything else (resolution, rules,
//! reporting, the audit record) as for any host.
//!
//! Protocol 1: UTF-8 JSON, one object per line, both ways.
//! - The agent speaks first, once: `{"agent":"logoff","protocol":1,"version":"0.1.0",
//!   "backend":…}` with the backend it chose (see [`Chosen`]), or with `"error":…` instead when
//!   it has none, after which it exits.
//! - Requests: `{"id":N,"call":"sessions"}`, `{"id":N,"call":"terminate","session":{…}}`… (see
//!   [`Call`]), any number in flight; the agent answers each, in any order, with
//!   `{"id":N,"ok":…}` or `{"id":N,"err":{"error":"access-denied",…}}` (see [`Failure`]).
//!   Lines that are not JSON objects are ignored: the D-Bus handshake the client began before
//!   it knew who answers arrives first.
//! - `{"id":0,"call":"interrupt","signal":"SIGINT"}` interrupts every wait of the agent, as the
//!   signal would a local run; calls made afterwards answer as a local run's last look does.
//! - End of input: the client is gone, which interrupts the agent, and it exits.

use std::fs::File;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zruntime::{AsyncIo, Shared};

use crate::backend::{self, Backend, Choice, Chosen};
use crate::error::{Error, exit};
use crate::ops::logoff::Notice;
use crate::session::Session;
use crate::stop::{Stop, after};
use crate::transport::{self, Target};

/// The protocol this build speaks (the `--agent=N` it answers to).
pub(crate) const PROTOCOL: u32 = 1;

/// The switch that starts the agent.
pub(crate) const SWITCH: &str = "--agent";

/// The agent's first line.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Hello {
    pub agent: String,
    pub protocol: u32,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Chosen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// One request.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Request {
    pub id: u64,
    #[serde(flatten)]
    pub call: Call,
}

/// The [`Backend`] methods, and the interruption. Durations are in milliseconds from when the
/// agent reads the request (the two clocks are not compared).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub(crate) enum Call {
    Sessions,
    Session {
        session: String,
    },
    /// The agent's own session: the one carrying the connection.
    OwnSession,
    UserExists {
        user: String,
    },
    Watch,
    Terminate {
        session: Session,
    },
    Kill {
        session: Session,
        signal: i32,
    },
    WaitGone {
        sessions: Vec<String>,
        ms: u64,
    },
    Detached {
        sessions: Vec<Session>,
    },
    Notify {
        sessions: Vec<Session>,
        notice: WireNotice,
        shown_ms: u64,
        after_stop: bool,
    },
    Recheck {
        sessions: Vec<String>,
        ms: u64,
    },
    Processes {
        session: Session,
    },
    Interrupt {
        signal: String,
    },
}

/// A warning's text, with its translations by catalog tag.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireNotice {
    pub text: String,
    pub translations: Vec<(String, String)>,
}

impl From<&Notice> for WireNotice {
    fn from(n: &Notice) -> Self {
        WireNotice {
            text: n.text.clone(),
            translations: n
                .translations
                .iter()
                .map(|(t, s)| ((*t).to_owned(), s.clone()))
                .collect(),
        }
    }
}

impl WireNotice {
    /// The notice, keeping the translations into languages this build knows.
    fn into_notice(self) -> Notice {
        let translations = self
            .translations
            .into_iter()
            .filter_map(|(tag, text)| {
                let known = crate::i18n::CATALOGS.iter().find(|(t, _)| *t == tag)?;
                Some((known.0, text))
            })
            .collect();
        Notice {
            text: self.text,
            translations,
        }
    }
}

/// A reply.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Reply {
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err: Option<Failure>,
}

/// An error of the agent's backend, without the host (the client names it as it knows it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "kebab-case")]
pub(crate) enum Failure {
    AccessDenied {
        session: Box<Session>,
        reason: String,
    },
    NoRecords {
        reason: String,
    },
    NoBus {
        reason: String,
    },
    NoLogind,
    LogindFailed {
        reason: String,
    },
    NoAnswer {
        secs: f64,
    },
    Unreachable {
        reason: String,
    },
    Interrupted {
        signal: String,
    },
    /// Anything else, in English (a D-Bus protocol error, a request this agent cannot read).
    Other {
        reason: String,
    },
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        match e {
            Error::AccessDenied {
                session, reason, ..
            } => Failure::AccessDenied {
                session: session.clone(),
                reason: reason.clone(),
            },
            Error::NoRecords { reason, .. } => Failure::NoRecords {
                reason: reason.clone(),
            },
            Error::NoBus { reason, .. } => Failure::NoBus {
                reason: reason.clone(),
            },
            Error::NoLogind { .. } => Failure::NoLogind,
            Error::LogindFailed { reason, .. } => Failure::LogindFailed {
                reason: reason.clone(),
            },
            Error::NoAnswer { secs, .. } => Failure::NoAnswer { secs: *secs },
            Error::Unreachable { reason, .. } => Failure::Unreachable {
                reason: reason.clone(),
            },
            Error::Interrupted { signal } => Failure::Interrupted {
                signal: (*signal).to_owned(),
            },
            Error::Bus { reason, .. } => Failure::Other {
                reason: reason.clone(),
            },
            other => Failure::Other {
                reason: other.to_string(),
            },
        }
    }
}

impl Failure {
    /// The error, on `host` as the client names it.
    pub(crate) fn into_error(self, host: &str) -> Error {
        let host = host.to_owned();
        match self {
            Failure::AccessDenied { session, reason } => Error::AccessDenied {
                session,
                host,
                reason,
            },
            Failure::NoRecords { reason } => Error::NoRecords { host, reason },
            Failure::NoBus { reason } => Error::NoBus { host, reason },
            Failure::NoLogind => Error::NoLogind { host },
            Failure::LogindFailed { reason } => Error::LogindFailed { host, reason },
            Failure::NoAnswer { secs } => Error::NoAnswer { host, secs },
            Failure::Unreachable { reason } => Error::Unreachable { host, reason },
            Failure::Interrupted { signal } => Error::Interrupted {
                signal: signal_name(&signal),
            },
            Failure::Other { reason } => Error::Bus { host, reason },
        }
    }
}

/// The name of a stopping signal, as [`Stop`] keeps it.
pub(crate) fn signal_name(s: &str) -> &'static str {
    match s {
        "SIGTERM" => "SIGTERM",
        "SIGHUP" => "SIGHUP",
        _ => "SIGINT",
    }
}

/// What `logoff --agent=N [--backend=B] [--timeout-ms=T]` asks, or why it is refused.
#[derive(Debug, PartialEq)]
pub(crate) struct Args {
    pub choice: Choice,
    /// How long connecting to the bus, and any one call to logind, may take.
    pub bound: Duration,
}

/// The agent's switches: exactly those the client sends (protocol `PROTOCOL`); `None` when
/// the arguments are not an agent's at all.
pub(crate) fn args(argv: &[std::ffi::OsString]) -> Option<Result<Args, String>> {
    let first = argv.first()?.to_str()?;
    let version = first.strip_prefix(SWITCH)?.strip_prefix('=')?;
    Some((|| {
        if version != PROTOCOL.to_string() {
            return Err(format!(
                "agent protocol {version} asked, this logoff speaks {PROTOCOL}"
            ));
        }
        let mut out = Args {
            choice: Choice::Auto,
            bound: Duration::from_secs(10),
        };
        for a in &argv[1..] {
            let a = a.to_str().ok_or("an argument is not UTF-8")?;
            if let Some(b) = a.strip_prefix("--backend=") {
                out.choice = match b {
                    "auto" => Choice::Auto,
                    "logind" => Choice::Logind,
                    "proc" => Choice::Proc,
                    _ => return Err(format!("unknown backend {b:?}")),
                };
            } else if let Some(ms) = a.strip_prefix("--timeout-ms=") {
                let ms: u64 = ms.parse().map_err(|_| format!("bad timeout {ms:?}"))?;
                out.bound = Duration::from_millis(ms.clamp(100, 3_600_000));
            } else {
                return Err(format!("unknown agent argument {a:?}"));
            }
        }
        Ok(out)
    })())
}

/// The arguments the client passes for `choice` and `bound` (what [`args`] reads).
pub(crate) fn command_line(choice: Choice, bound: Duration) -> String {
    let backend = match choice {
        Choice::Auto => "auto",
        Choice::Logind => "logind",
        Choice::Proc => "proc",
    };
    format!(
        "{SWITCH}={PROTOCOL} --backend={backend} --timeout-ms={}",
        bound.as_millis()
    )
}

/// The hello of an agent that will not serve (arguments of another protocol, or none it
/// knows): its own protocol, so that the client can name the mismatch.
pub(crate) fn refusal(why: &str) -> Vec<u8> {
    line(&Hello {
        agent: "logoff".into(),
        protocol: PROTOCOL,
        version: env!("CARGO_PKG_VERSION").into(),
        backend: None,
        error: Some(Failure::Other { reason: why.into() }),
    })
}

/// One JSON line (both ends write them).
pub(crate) fn line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut l = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    l.push(b'\n');
    l
}

/// Serves the agent protocol on `input` and `output` (ssh's pipes) until the client goes or
/// `stop` trips; the exit code.
pub(crate) async fn serve(
    input: AsyncIo<File, Shared>,
    output: AsyncIo<File, Shared>,
    args: Args,
    stop: &Stop,
) -> u8 {
    // The agent's own answers come before the bound the client waits, so its reasons reach it.
    // The agent's answers come within the client's bound, which also covers ssh's own
    // connecting: half of it for the bus.
    let bound = args.bound.mul_f64(0.5);
    let connected = backend::connect(&Target::Local, bound, false, args.choice, stop).await;
    let mut hello = Hello {
        agent: "logoff".into(),
        protocol: PROTOCOL,
        version: env!("CARGO_PKG_VERSION").into(),
        backend: None,
        error: None,
    };
    let host = match connected {
        Ok(h) => h,
        Err(e) => {
            hello.error = Some(Failure::from(&e));
            let mut out = line(&hello);
            let _ = write_all(&output, &mut out, stop).await;
            return e.exit_code();
        }
    };
    hello.backend = Some(host.chosen.clone());
    // The hello first: the client's connect step waits for it.
    if !write_all(&output, &mut line(&hello), stop).await {
        host.close().await;
        return exit::UNREACHABLE;
    }
    // Who the audit record names: the user ssh logged in (the NSS lookup may block).
    let who = stop
        .blocking(after(bound), crate::audit::caller)
        .await
        .unwrap_or_else(crate::audit::caller_uid);
    let who = format!("{who} (logoff agent)");
    let backend = host.backend(bound, stop);
    {
        let mut out: Vec<u8> = Vec::new();
        let mut inbuf: Vec<u8> = Vec::new();
        // The client passed an interruption on: the run goes on (its last look), unlike a
        // signal sent to the agent itself, which ends it.
        let mut forwarded = false;
        let mut inflight: Vec<Pin<Box<dyn Future<Output = Vec<u8>> + '_>>> = Vec::new();
        let mut eof = false;
        let mut buf = vec![0u8; 64 * 1024];
        let b: &dyn Backend = backend.as_ref();
        poll_fn(|cx| {
            loop {
                let mut progressed = false;
                while !eof {
                    match Pin::new(&mut &input).poll_read(cx, &mut buf) {
                        Poll::Ready(Ok(n)) if n > 0 => {
                            inbuf.extend_from_slice(&buf[..n]);
                            progressed = true;
                        }
                        Poll::Ready(_) => {
                            // The client is gone: nothing it asked for is waited for any longer.
                            eof = true;
                            stop.trip("SIGHUP");
                        }
                        Poll::Pending => break,
                    }
                }
                while let Some(end) = inbuf.iter().position(|&c| c == b'\n') {
                    let l: Vec<u8> = inbuf.drain(..=end).collect();
                    if l.first() != Some(&b'{') {
                        continue;
                    }
                    match parse(&l) {
                        Ok(Request {
                            call: Call::Interrupt { signal },
                            ..
                        }) => {
                            forwarded = true;
                            stop.trip(signal_name(&signal));
                        }
                        Ok(req) => inflight.push(Box::pin(answer(b, req, &who))),
                        Err((id, reason)) => out.extend(line(&Reply {
                            id,
                            ok: None,
                            err: Some(Failure::Other { reason }),
                        })),
                    }
                }
                inflight.retain_mut(|f| match f.as_mut().poll(cx) {
                    Poll::Ready(l) => {
                        out.extend(l);
                        progressed = true;
                        false
                    }
                    Poll::Pending => true,
                });
                while !out.is_empty() {
                    match Pin::new(&mut &output).poll_write(cx, &out) {
                        Poll::Ready(Ok(n)) if n > 0 => {
                            out.drain(..n);
                        }
                        Poll::Ready(_) => {
                            // Nobody reads us any more.
                            out.clear();
                            eof = true;
                            stop.trip("SIGHUP");
                        }
                        Poll::Pending => break,
                    }
                }
                if !forwarded && stop.signal().is_some() {
                    // Stopped here (SIGTERM, SIGHUP): no more requests; those taken are answered.
                    eof = true;
                }
                if eof && inflight.is_empty() {
                    return Poll::Ready(());
                }
                if !progressed {
                    return Poll::Pending;
                }
            }
        })
        .await;
    }
    drop(backend);
    host.close().await;
    exit::OK
}

/// Writes all of `out`, within a bound.
async fn write_all(output: &AsyncIo<File, Shared>, out: &mut Vec<u8>, stop: &Stop) -> bool {
    let w = poll_fn(|cx| {
        while !out.is_empty() {
            match Pin::new(&mut &*output).poll_write(cx, out) {
                Poll::Ready(Ok(n)) if n > 0 => {
                    out.drain(..n);
                }
                Poll::Ready(_) => return Poll::Ready(false),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(true)
    });
    stop.bounded(after(Duration::from_secs(5)), w)
        .await
        .unwrap_or(false)
}

/// A request, or its ID (0 when unreadable) and why it cannot be answered.
fn parse(l: &[u8]) -> Result<Request, (u64, String)> {
    let v: Value = serde_json::from_slice(l).map_err(|e| (0, format!("bad request: {e}")))?;
    let id = v.get("id").and_then(Value::as_u64).unwrap_or(0);
    serde_json::from_value(v).map_err(|e| (id, format!("bad request: {e}")))
}

/// An answer as JSON (a value that cannot be one is a failure to answer, not a panic).
fn json<T: Serialize>(v: T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(|e| Error::Bus {
        host: String::new(),
        reason: e.to_string(),
    })
}

/// Answers one request with `b`: the reply line.
async fn answer(b: &dyn Backend, req: Request, who: &str) -> Vec<u8> {
    let ms = Duration::from_millis;
    let result: Result<Value, Error> = match req.call {
        Call::Sessions => b.sessions().await.and_then(json),
        Call::Session { session } => b.session(&session).await.and_then(json),
        Call::OwnSession => b.own_session().await.and_then(json),
        Call::UserExists { user } => b.user_exists(&user).await.and_then(json),
        Call::Watch => b.watch().await.map(|()| Value::Null),
        Call::Terminate { session } => {
            crate::audit::session(
                crate::audit::NOTICE,
                who,
                &session,
                &transport::local_hostname(),
                "requested",
            );
            b.terminate(&session).await.and_then(json)
        }
        Call::Kill { session, signal } => b.kill(&session, signal).await.and_then(json),
        Call::WaitGone { sessions, ms: t } => {
            b.wait_gone(&sessions, after(ms(t))).await.and_then(json)
        }
        Call::Detached { sessions } => b.detached(&sessions).await.and_then(json),
        Call::Notify {
            sessions,
            notice,
            shown_ms,
            after_stop,
        } => {
            let notice = notice.into_notice();
            b.notify(&sessions, &notice, ms(shown_ms), after_stop)
                .await
                .and_then(json)
        }
        Call::Recheck { sessions, ms: t } => b.recheck(&sessions, ms(t)).await.and_then(json),
        Call::Processes { session } => json(b.processes(&session).await),
        // Handled as it is read.
        Call::Interrupt { .. } => Ok(Value::Null),
    };
    let reply = match result {
        Ok(v) => Reply {
            id: req.id,
            ok: Some(v),
            err: None,
        },
        Err(e) => Reply {
            id: req.id,
            ok: None,
            err: Some(Failure::from(&e)),
        },
    };
    line(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<std::ffi::OsString> {
        v.iter().map(Into::into).collect()
    }

    #[test]
    fn the_client_s_command_line_is_what_the_agent_reads() {
        for choice in [Choice::Auto, Choice::Logind, Choice::Proc] {
            let cl = command_line(choice, Duration::from_millis(2500));
            let argv: Vec<&str> = cl.split(' ').collect();
            let got = args(&os(&argv)).unwrap().unwrap();
            assert_eq!(
                got,
                Args {
                    choice,
                    bound: Duration::from_millis(2500)
                }
            );
        }
        assert!(args(&os(&["/server:x"])).is_none());
        assert!(args(&os(&["--agent=2"])).unwrap().is_err());
        assert!(args(&os(&["--agent=1", "--backend=x"])).unwrap().is_err());
        assert!(
            args(&os(&["--agent=1", "-oProxyCommand=x"]))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn requests_and_replies_survive_the_wire() {
        let s = Session {
            id: "c7".into(),
            user: "alice".into(),
            uid: Some(1000),
            tty: Some("pts/3".into()),
            state: crate::session::State::Other("odd\u{1b}".into()),
            ..Session::default()
        };
        let req = Request {
            id: 7,
            call: Call::Kill {
                session: s.clone(),
                signal: 9,
            },
        };
        let l = line(&req);
        let back = parse(&l).unwrap();
        assert_eq!(back.id, 7);
        assert!(matches!(back.call, Call::Kill { session, signal: 9 } if session == s));
        // One line, whatever the text holds.
        assert_eq!(l.iter().filter(|&&c| c == b'\n').count(), 1);
        assert_eq!(parse(b"{\"id\":3,\"call\":\"reboot\"}\n").unwrap_err().0, 3);
        let e = Failure::from(&Error::AccessDenied {
            session: Box::new(s.clone()),
            host: "x".into(),
            reason: "no".into(),
        })
        .into_error("bare1");
        assert_eq!(e.exit_code(), exit::ACCESS_DENIED);
        assert!(matches!(e, Error::AccessDenied { host, .. } if host == "bare1"));
        let notice = WireNotice {
            text: "bye".into(),
            translations: vec![("es".into(), "adiós".into()), ("xx".into(), "?".into())],
        }
        .into_notice();
        assert_eq!(notice.translations, vec![("es", "adiós".to_owned())]);
    }
}
