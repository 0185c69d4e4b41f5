//! `--json`: one document on stdout for scripts, the same for `logoff`, `qwinsta` and `quser`.
//! Its schema is `doc/schema/logoff.schema.json` (explained in `doc/json.md`); [`SCHEMA`]
//! names its version, and changes only when a field changes meaning or goes away.
//!
//! Strings are as the host gave them (JSON escapes control characters, so nothing here can
//! drive a terminal); errors carry their exit code, their catalog id (stable across languages)
//! and the localized text a person would read.

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::i18n::Localizer;
use crate::ops::logoff::{HostResult, Outcome};
use crate::ops::query::HostListing;
use crate::output::text::{error as error_text, error_id};
use crate::session::{Proc, Session, State};

/// The version of the document's layout.
pub const SCHEMA: &str = "logoff/1";

/// An error as scripts read it.
pub fn error(l: &Localizer, e: &Error) -> Value {
    json!({
        "code": e.exit_code(),
        "id": error_id(e),
        "message": error_text(l, e),
    })
}

/// The document for a run that ends before any host is contacted (a bad command line, an
/// unreadable host list) or that failed as a whole.
pub fn failure(l: &Localizer, command: &str, e: &Error) -> String {
    document(command, e.exit_code(), Vec::new(), Some(error(l, e)), None)
}

/// The document for a listing.
pub fn listing(
    l: &Localizer,
    command: &str,
    hosts: &[HostListing],
    code: u8,
    run_error: Option<&Error>,
) -> String {
    let hosts = hosts
        .iter()
        .map(|h| {
            let sessions = h
                .sessions
                .iter()
                .map(|s| Value::Object(session(s, h.current.as_deref())))
                .collect();
            host(l, &h.host, h.elapsed, sessions, h.error.as_ref())
        })
        .collect();
    document(command, code, hosts, run_error.map(|e| error(l, e)), None)
}

/// The document for a logoff (or, with `whatif`, for what a logoff would do).
pub fn logoff(
    l: &Localizer,
    results: &[HostResult],
    code: u8,
    run_error: Option<&Error>,
    whatif: bool,
) -> String {
    let hosts = results
        .iter()
        .map(|r| {
            let sessions = r
                .sessions
                .iter()
                .map(|(s, o)| {
                    let mut m = session(s, None);
                    m.remove("current");
                    outcome(l, &mut m, o);
                    if let Some((_, reached)) = r.warned.iter().find(|(id, _)| *id == s.id) {
                        m.insert("warned".into(), json!(reached));
                    }
                    Value::Object(m)
                })
                .collect();
            host(l, &r.host, r.elapsed, sessions, r.error.as_ref())
        })
        .collect();
    document(
        "logoff",
        code,
        hosts,
        run_error.map(|e| error(l, e)),
        Some(whatif),
    )
}

fn document(
    command: &str,
    code: u8,
    hosts: Vec<Value>,
    error: Option<Value>,
    whatif: Option<bool>,
) -> String {
    let mut doc = Map::new();
    doc.insert("schema".into(), SCHEMA.into());
    doc.insert("command".into(), command.into());
    if let Some(whatif) = whatif {
        doc.insert("whatif".into(), whatif.into());
    }
    doc.insert("exit_code".into(), code.into());
    doc.insert("error".into(), error.unwrap_or(Value::Null));
    doc.insert("hosts".into(), Value::Array(hosts));
    Value::Object(doc).to_string()
}

fn host(
    l: &Localizer,
    name: &str,
    elapsed: std::time::Duration,
    sessions: Vec<Value>,
    e: Option<&Error>,
) -> Value {
    json!({
        "host": name,
        "ok": e.is_none(),
        "elapsed_ms": elapsed.as_millis() as u64,
        "error": e.map(|e| error(l, e)),
        "sessions": sessions,
    })
}

fn session(s: &Session, current: Option<&str>) -> Map<String, Value> {
    let state = match &s.state {
        State::Unknown => "unknown",
        other => other.as_str(),
    };
    let Value::Object(m) = json!({
        "id": s.id,
        "user": s.user,
        "uid": s.uid,
        "name": s.shown_name(),
        "tty": s.tty,
        "display": s.display,
        "seat": s.seat,
        "state": state,
        "type": s.kind,
        "class": s.class,
        "remote_host": s.remote_host,
        "logon_time": s.since.map(utc),
        "idle_since": s.idle_since.map(utc),
        "current": current == Some(s.id.as_str()),
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    m
}

fn outcome(l: &Localizer, m: &mut Map<String, Value>, o: &Outcome) {
    let (name, procs, error, still_there) = match o {
        Outcome::Ended => ("ended", None, None, None),
        Outcome::AlreadyGone => ("already-gone", None, None, None),
        Outcome::Refused(e) => ("refused", None, Some(e), None),
        Outcome::Left(p) => ("left", Some(p), None, None),
        Outcome::Unconfirmed { still_there } => ("unconfirmed", None, None, Some(*still_there)),
        Outcome::NotAsked => ("not-asked", None, None, None),
        Outcome::WouldEnd(p) => ("would-end", Some(p), None, None),
    };
    m.insert("outcome".into(), name.into());
    if let Some(procs) = procs {
        m.insert("processes".into(), processes(procs));
    }
    if let Some(e) = error {
        m.insert("error".into(), self::error(l, e));
    }
    if let Some(still_there) = still_there {
        m.insert("still_there".into(), json!(still_there));
    }
}

fn processes(procs: &[Proc]) -> Value {
    procs
        .iter()
        .map(|p| json!({"pid": p.pid, "cmd": p.cmd}))
        .collect()
}

/// Microseconds since the epoch as an RFC 3339 UTC time, to the second.
fn utc(us: u64) -> String {
    let secs = us / 1_000_000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400_000_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_795_521_599_999_999), "2026-11-24T11:59:59Z");
    }

    #[test]
    fn a_failure_is_one_document_with_code_id_and_text() {
        let l = Localizer::for_locale("en");
        let e = Error::NoCurrentSession;
        let v: Value = serde_json::from_str(&failure(&l, "logoff", &e)).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["exit_code"], 3);
        assert_eq!(v["error"]["id"], "err-no-current-session");
        assert_eq!(v["error"]["code"], 3);
        assert!(v["error"]["message"].as_str().unwrap().len() > 5);
        assert_eq!(v["hosts"], json!([]));
    }
}
