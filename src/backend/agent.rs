//! A host answered by logoff's agent there (see [`agent`](crate::agent)): each method is one
//! request over the ssh connection, answered by the backend the agent chose on the host.
//!
//! What the agent says is about itself on its own host; seen from here, its own session is the
//! one carrying the connection, and there is no current session.

use std::cell::OnceCell;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use zruntime::SharedRuntime;

use super::{Asked, Backend, Delivery, Listing, Reply};
use crate::agent::{Call, WireNotice};
use crate::error::{Error, Result};
use crate::ops::logoff::Notice;
use crate::session::{Proc, Session};
use crate::stop::{Halt, Stop, after};
use crate::transport::{Agent, Lost, interrupted};

/// Longest time a SIGKILL call may take beyond the usual bound: the agent's kill passes.
const KILL_WORK: Duration = Duration::from_secs(5);

pub(crate) struct AgentBackend<'a> {
    link: &'a Agent,
    bound: Duration,
    stop: &'a Stop,
    own: OnceCell<Option<String>>,
}

/// Milliseconds, for the wire.
fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl<'a> AgentBackend<'a> {
    pub(crate) fn new(link: &'a Agent, bound: Duration, stop: &'a Stop) -> Self {
        AgentBackend {
            link,
            bound,
            stop,
            own: OnceCell::new(),
        }
    }

    fn host(&self) -> String {
        self.link.host.clone()
    }

    /// `call`, answered within `until` unless the run is interrupted (which the agent is then
    /// told, so that its own waits end too).
    async fn ask<T: DeserializeOwned>(&self, call: Call, until: Instant) -> Result<T> {
        match self.stop.bounded(until, self.link.call(call)).await {
            Ok(r) => self.decode(r),
            Err(Halt::Interrupted) => {
                self.link.interrupt(self.stop.signal().unwrap_or("SIGINT"));
                Err(interrupted(self.stop))
            }
            Err(Halt::TimedOut) => Err(self.silent()),
        }
    }

    /// `call` after an interruption (the run's last look): bounded only by `bound`.
    async fn ask_anyway<T: DeserializeOwned>(&self, call: Call, bound: Duration) -> Result<T> {
        let Ok(rt) = SharedRuntime::current() else {
            return Err(self.silent());
        };
        match rt.timeout(bound, self.link.call(call)).await {
            Ok(r) => self.decode(r),
            Err(_) => Err(self.silent()),
        }
    }

    fn decode<T: DeserializeOwned>(
        &self,
        r: std::result::Result<std::result::Result<serde_json::Value, crate::agent::Failure>, Lost>,
    ) -> Result<T> {
        match r {
            Ok(Ok(v)) => serde_json::from_value(v).map_err(|e| Error::Bus {
                host: self.host(),
                reason: format!("unexpected answer from logoff's agent: {e}"),
            }),
            // Interrupted there, not here: a signal sent to the agent on its host.
            Ok(Err(crate::agent::Failure::Interrupted { signal }))
                if self.stop.signal().is_none() =>
            {
                Err(Error::Unreachable {
                    host: self.host(),
                    reason: format!(
                        "logoff there was stopped by {}",
                        crate::i18n::clean(&signal)
                    ),
                })
            }
            Ok(Err(f)) => Err(f.into_error(&self.link.host)),
            Err(Lost::Closed(reason)) => Err(Error::Unreachable {
                host: self.host(),
                reason: reason.unwrap_or_else(|| "ssh ended the connection".into()),
            }),
        }
    }

    fn silent(&self) -> Error {
        Error::NoAnswer {
            host: self.host(),
            secs: self.bound.as_secs_f64(),
        }
    }

    async fn own(&self) -> Result<Option<String>> {
        if let Some(own) = self.own.get() {
            return Ok(own.clone());
        }
        let own: Option<String> = self.ask(Call::OwnSession, after(self.bound)).await?;
        Ok(self.own.get_or_init(|| own).clone())
    }
}

impl Backend for AgentBackend<'_> {
    fn sessions(&self) -> Reply<'_, Listing> {
        Box::pin(self.ask(Call::Sessions, after(self.bound)))
    }

    fn session<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Session>> {
        let call = Call::Session {
            session: id.to_owned(),
        };
        Box::pin(self.ask(call, after(self.bound)))
    }

    fn current_session(&self) -> Reply<'_, Option<Session>> {
        // There is no "current session" on another host.
        Box::pin(async { Ok(None) })
    }

    fn own_session(&self) -> Reply<'_, Option<String>> {
        Box::pin(self.own())
    }

    fn carrier(&self) -> Reply<'_, Option<String>> {
        Box::pin(self.own())
    }

    fn user_exists<'a>(&'a self, user: &'a str) -> Reply<'a, Option<bool>> {
        let call = Call::UserExists {
            user: user.to_owned(),
        };
        Box::pin(self.ask(call, after(self.bound)))
    }

    fn watch(&self) -> Reply<'_, ()> {
        Box::pin(async {
            let _: serde_json::Value = self.ask(Call::Watch, after(self.bound)).await?;
            Ok(())
        })
    }

    fn terminate<'a>(&'a self, s: &'a Session) -> Reply<'a, Asked> {
        let call = Call::Terminate { session: s.clone() };
        Box::pin(self.ask(call, after(self.bound + KILL_WORK)))
    }

    fn kill<'a>(&'a self, s: &'a Session, signal: i32) -> Reply<'a, Asked> {
        let call = Call::Kill {
            session: s.clone(),
            signal,
        };
        Box::pin(self.ask(call, after(self.bound + KILL_WORK)))
    }

    fn wait_gone<'a>(&'a self, ids: &'a [String], deadline: Instant) -> Reply<'a, Vec<String>> {
        let left = deadline.saturating_duration_since(Instant::now());
        let call = Call::WaitGone {
            sessions: ids.to_vec(),
            ms: ms(left),
        };
        Box::pin(self.ask(call, after(left + self.bound)))
    }

    fn detached<'a>(&'a self, sessions: &'a [Session]) -> Reply<'a, Vec<Option<bool>>> {
        let call = Call::Detached {
            sessions: sessions.to_vec(),
        };
        Box::pin(self.ask(call, after(self.bound)))
    }

    fn notify<'a>(
        &'a self,
        sessions: &'a [Session],
        notice: &'a Notice,
        shown: Duration,
        after_stop: bool,
    ) -> Reply<'a, Vec<Delivery>> {
        let call = Call::Notify {
            sessions: sessions.to_vec(),
            notice: WireNotice::from(notice),
            shown_ms: ms(shown),
            after_stop,
        };
        Box::pin(async move {
            if after_stop {
                self.ask_anyway(call, self.bound).await
            } else {
                self.ask(call, after(self.bound)).await
            }
        })
    }

    fn recheck<'a>(&'a self, ids: &'a [String], bound: Duration) -> Reply<'a, Vec<Option<bool>>> {
        // The agent's share of the bound leaves time for its answer to travel.
        let call = Call::Recheck {
            sessions: ids.to_vec(),
            ms: ms(bound.mul_f64(0.75)),
        };
        Box::pin(async move {
            // Whatever went wrong, the host did not say.
            Ok(self
                .ask_anyway(call, bound)
                .await
                .unwrap_or_else(|_| vec![None; ids.len()]))
        })
    }

    fn processes<'a>(
        &'a self,
        s: &'a Session,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Proc>> + 'a>> {
        let call = Call::Processes { session: s.clone() };
        Box::pin(async move {
            // Interruptible, unless the run was already interrupted (its last look).
            let listed = match self.stop.signal() {
                None => self.ask(call, after(self.bound)).await,
                Some(_) => self.ask_anyway(call, self.bound).await,
            };
            listed.unwrap_or_default()
        })
    }
}
