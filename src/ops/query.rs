//! Listing one host's sessions (`qwinsta`, `quser`): what an admin reads before a logoff. A
//! constant number of round trips whatever the number of sessions: the list and the session
//! that carries our connection are asked together, and every session's properties are read
//! at once (see [`Backend::sessions`]).

use std::time::{Duration, Instant};

use crate::backend::{self, Backend, Choice};
use crate::error::{Error, Result};
use crate::session::{self, Session};
use crate::stop::{Stop, both};
use crate::transport::{self, Target};

/// What to list on each host.
#[derive(Debug, Clone)]
pub struct Request {
    /// A session ID, a session name or a user (name or UID); `None` lists every session.
    pub filter: Option<String>,
    pub connect_timeout: Duration,
    /// Whether ssh may prompt on the terminal (one host only).
    pub prompts: bool,
    /// `--backend`.
    pub backend: Choice,
}

/// One host's sessions, or why they could not be listed.
#[derive(Debug)]
pub struct HostListing {
    pub host: String,
    /// Sorted by ID (numbers by value).
    pub sessions: Vec<Session>,
    /// The caller's current session, marked `>` (only on this host).
    pub current: Option<String>,
    pub error: Option<Error>,
    pub elapsed: Duration,
}

/// Connects to `target` and lists its sessions. Always returns, within the connect timeout
/// (and one unanswered call at most), or at once after an interruption.
pub async fn run_host(target: &Target, req: &Request, stop: &Stop) -> HostListing {
    let start = Instant::now();
    let mut out = HostListing {
        host: target.label(),
        sessions: Vec::new(),
        current: None,
        error: None,
        elapsed: Duration::ZERO,
    };
    if stop.signal().is_some() {
        out.error = Some(transport::interrupted(stop));
        return out;
    }
    let connect = backend::connect(target, req.connect_timeout, req.prompts, req.backend, stop);
    match connect.await {
        Ok(host) => {
            let backend = host.backend(req.connect_timeout, stop);
            match list(backend.as_ref(), &out.host, req).await {
                Ok((sessions, current)) => {
                    out.sessions = sessions;
                    out.current = current;
                }
                Err(e) => out.error = Some(e),
            }
            drop(backend);
            host.close().await;
        }
        Err(e) => out.error = Some(e),
    }
    out.elapsed = start.elapsed();
    out
}

async fn list(
    backend: &dyn Backend,
    host: &str,
    req: &Request,
) -> Result<(Vec<Session>, Option<String>)> {
    let (listing, carrier) = both(backend.sessions(), backend.carrier()).await;
    let (listing, carrier) = (listing?, carrier?);
    // Our own ssh login is an artifact of asking, not one of the host's sessions.
    let mut all: Vec<Session> = listing
        .sessions
        .into_iter()
        .filter(|s| Some(&s.id) != carrier.as_ref())
        .collect();
    all.sort_by(|a, b| id_order(&a.id).cmp(&id_order(&b.id)));
    let shown = match &req.filter {
        Some(arg) => session::filter(&all, arg),
        None => all,
    };
    if shown.is_empty() {
        return Err(Error::NoMatch {
            filter: req.filter.clone(),
            host: host.to_owned(),
        });
    }
    let current = backend.current_session().await?.map(|s| s.id);
    Ok((shown, current))
}

/// Numeric IDs by value first, then the others (`c1`…) by text.
fn id_order(id: &str) -> (bool, u64, &str) {
    match id.parse::<u64>() {
        Ok(n) => (false, n, ""),
        Err(_) => (true, 0, id),
    }
}

#[cfg(test)]
mod tests {
    use super::id_order;

    #[test]
    fn ids_sort_by_number_then_text() {
        let mut ids = vec!["c2", "10", "9", "c10", "100"];
        ids.sort_by_key(|id| id_order(id));
        assert_eq!(ids, ["9", "10", "100", "c10", "c2"]);
    }
}
