//! Turns errors, events and results into localized lines. Pure: `main` does the printing.

use std::time::Duration;

use crate::cli::ParseError;
use crate::error::Error;
use crate::i18n::{Arg, Localizer};
use crate::logoff::{Event, Found, HostResult};
use crate::session::Session;

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn ms(d: Duration) -> Arg {
    Arg::N(d.as_millis() as f64)
}

/// The message for an error (may be several lines: candidates, processes left).
pub fn error(l: &Localizer, e: &Error) -> String {
    use Error::*;
    let t = |id: &str, args: &[(&str, Arg)]| l.tr(id, args);
    match e {
        Usage(p) => t("err-invalid", &[("detail", parse_error(l, p).into())]),
        BadHost { host, why } => {
            let id = match why {
                crate::error::BadHost::LeadingDash => "err-bad-host-dash",
                crate::error::BadHost::Whitespace => "err-bad-host-space",
                crate::error::BadHost::Empty => "err-bad-host-empty",
                crate::error::BadHost::BadPort => "err-bad-host-port",
            };
            t(id, &[("host", printable(host).into())])
        }
        HostFile { path, reason } => t(
            "err-host-file",
            &[("path", path.into()), ("reason", reason.into())],
        ),
        HostFileEmpty { path } => t("err-host-file-empty", &[("path", path.into())]),
        NotFound {
            session,
            host,
            candidates,
        } => {
            let mut s = t(
                "err-not-found",
                &[("session", session.into()), ("host", host.into())],
            );
            if !candidates.is_empty() {
                s.push('\n');
                s.push_str(&t("sessions-there", &[("host", host.into())]));
                s.push_str("\n  ");
                s.push_str(&t("candidate-header", &[]));
                for c in candidates {
                    s.push_str("\n  ");
                    s.push_str(&candidate(c));
                }
            }
            s
        }
        Ambiguous {
            name,
            host,
            candidates,
        } => {
            let mut s = t(
                "err-ambiguous",
                &[("name", name.into()), ("host", host.into())],
            );
            s.push_str("\n  ");
            s.push_str(&t("candidate-header", &[]));
            for c in candidates {
                s.push_str("\n  ");
                s.push_str(&candidate(c));
            }
            s
        }
        NotActive {
            name,
            host,
            session,
        } => t(
            "err-not-active",
            &[
                ("name", name.into()),
                ("host", host.into()),
                ("id", (&session.id).into()),
                ("user", (&session.user).into()),
                ("state", (&session.state).into()),
            ],
        ),
        NoCurrentSession => t("err-no-current-session", &[]),
        AccessDenied { session, host, .. } => t(
            "err-access-denied",
            &[
                ("id", (&session.id).into()),
                ("user", (&session.user).into()),
                ("host", host.into()),
            ],
        ),
        Console { session, host } => t(
            "err-console",
            &[
                ("id", (&session.id).into()),
                ("user", (&session.user).into()),
                ("host", host.into()),
            ],
        ),
        TimedOut {
            session,
            host,
            left,
        } => {
            let mut s = t(
                "err-timed-out",
                &[
                    ("id", (&session.id).into()),
                    ("user", (&session.user).into()),
                    ("host", host.into()),
                ],
            );
            for p in left {
                s.push_str("\n  ");
                s.push_str(&t(
                    "process-line",
                    &[("pid", p.pid.into()), ("cmd", (&p.cmd).into())],
                ));
            }
            s
        }
        NoBus { host, reason } => t(
            "err-no-bus",
            &[("host", host.into()), ("reason", reason.into())],
        ),
        NoLogind { host } => t("err-no-logind", &[("host", host.into())]),
        Unreachable { host, reason } => t(
            "err-unreachable",
            &[("host", host.into()), ("reason", reason.into())],
        ),
        AuthFailed { host, reason } => t(
            "err-auth",
            &[("host", host.into()), ("reason", reason.into())],
        ),
        NoBridge { host, reason } => t(
            "err-no-bridge",
            &[("host", host.into()), ("reason", reason.into())],
        ),
        ConnectTimeout { host, secs } => t(
            "err-connect-timeout",
            &[("host", host.into()), ("secs", Arg::N(*secs))],
        ),
        NoSsh { reason } => t("err-no-ssh", &[("reason", reason.into())]),
        Bus { host, reason } => t(
            "err-bus",
            &[("host", host.into()), ("reason", reason.into())],
        ),
        SomeHostsFailed => t(
            "err-some-hosts-failed",
            &[("failed", Arg::N(0.0)), ("total", Arg::N(0.0))],
        ),
    }
}

/// The detail of a bad command line.
pub fn parse_error(l: &Localizer, p: &ParseError) -> String {
    use ParseError::*;
    match p {
        UnknownSwitch(s) => l.tr("err-unknown-switch", &[("switch", printable(s).into())]),
        TooManySessions(a, b) => l.tr(
            "err-too-many-sessions",
            &[
                ("first", printable(a).into()),
                ("second", printable(b).into()),
            ],
        ),
        MissingValue(o) => l.tr("err-missing-value", &[("option", o.into())]),
        EmptyValue(o) => l.tr("err-empty-value", &[("option", o.into())]),
        UnexpectedValue(o) => l.tr("err-unexpected-value", &[("option", o.into())]),
        InvalidValue(o, v) => l.tr(
            "err-invalid-value",
            &[("option", o.into()), ("value", printable(v).into())],
        ),
        Duplicate(o) => l.tr("err-duplicate", &[("option", o.into())]),
        SessionAndUser => l.tr("err-session-and-user", &[]),
        ServerNeedsTarget => l.tr("err-server-needs-target", &[]),
        NotUnicode(a) => l.tr("err-not-unicode", &[("arg", printable(a).into())]),
    }
}

/// User input shown back with control characters escaped, so it cannot drive the terminal.
pub fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn candidate(s: &Session) -> String {
    let name = if s.name().is_empty() { "-" } else { s.name() };
    format!("{:<9} {:<11} {:<11} {}", s.id, s.user, name, s.state)
}

/// The `/v` line for a progress event.
pub fn event(l: &Localizer, e: &Event) -> String {
    let id = |s: &Session| Arg::from(&s.id);
    let user = |s: &Session| Arg::from(&s.user);
    match e {
        Event::Connecting { host } => l.tr("v-connecting", &[("host", host.into())]),
        Event::Connected { host, elapsed } => l.tr(
            "v-connected",
            &[("host", host.into()), ("ms", ms(*elapsed))],
        ),
        Event::Resolved {
            host,
            session,
            found,
        } => {
            let (msg, name) = match found {
                Found::ById => (
                    "v-resolved-id",
                    if session.name().is_empty() {
                        String::new()
                    } else {
                        format!(", {}", session.name())
                    },
                ),
                Found::ByName(n) => ("v-resolved-name", n.clone()),
                Found::Current => ("v-resolved-current", String::new()),
                Found::OfUser(_) => ("v-resolved-user", String::new()),
            };
            l.tr(
                msg,
                &[
                    ("id", id(session)),
                    ("user", user(session)),
                    ("host", host.into()),
                    ("name", name.into()),
                ],
            )
        }
        Event::NoSessions { host, user } => l.tr(
            "v-no-sessions",
            &[("host", host.into()), ("user", user.into())],
        ),
        Event::Requesting { host, session } => l.tr(
            "v-requesting",
            &[("id", id(session)), ("host", host.into())],
        ),
        Event::AlreadyGone { host, session } => l.tr(
            "v-already-gone",
            &[("id", id(session)), ("host", host.into())],
        ),
        Event::Waiting {
            host,
            count,
            timeout,
        } => l.tr(
            "v-waiting",
            &[
                ("host", host.into()),
                ("count", (*count).into()),
                ("secs", Arg::N(timeout.as_secs_f64())),
            ],
        ),
        Event::Escalating {
            host,
            session,
            procs,
        } => l.tr(
            "v-escalating",
            &[
                ("id", id(session)),
                ("host", host.into()),
                ("count", procs.len().into()),
            ],
        ),
        Event::Ended {
            host,
            session,
            elapsed,
        } => l.tr(
            "v-ended",
            &[
                ("id", id(session)),
                ("user", user(session)),
                ("host", host.into()),
                ("ms", ms(*elapsed)),
            ],
        ),
    }
}

/// One host's line in a fleet run.
pub fn host_line(l: &Localizer, r: &HostResult) -> String {
    match &r.error {
        None => l.tr(
            "host-ok",
            &[
                ("host", (&r.host).into()),
                ("count", r.ended.len().into()),
                ("secs", secs(r.elapsed).into()),
            ],
        ),
        Some(e) => {
            let reason = error(l, e).replace('\n', "; ");
            l.tr(
                "host-failed",
                &[
                    ("host", (&r.host).into()),
                    ("reason", reason.into()),
                    ("secs", secs(r.elapsed).into()),
                ],
            )
        }
    }
}

pub fn summary(l: &Localizer, results: &[HostResult], elapsed: Duration) -> String {
    let ok = results.iter().filter(|r| r.error.is_none()).count();
    let sessions: usize = results.iter().map(|r| r.ended.len()).sum();
    let mut s = l.tr(
        "summary",
        &[
            ("ok", ok.into()),
            ("total", results.len().into()),
            ("sessions", sessions.into()),
            ("secs", secs(elapsed).into()),
        ],
    );
    if ok < results.len() {
        s.push('\n');
        s.push_str(&l.tr(
            "err-some-hosts-failed",
            &[
                ("failed", (results.len() - ok).into()),
                ("total", results.len().into()),
            ],
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(printable("pts/3"), "pts/3");
    }

    #[test]
    fn english_messages_render() {
        let l = Localizer::for_locale("C");
        let e = Error::Usage(ParseError::UnknownSwitch("/x".into()));
        assert_eq!(error(&l, &e), "Invalid parameter(s): unknown switch '/x'");
        let s = Session {
            id: "7".into(),
            user: "bob".into(),
            ..Default::default()
        };
        let e = Error::AccessDenied {
            session: Box::new(s),
            host: "server1".into(),
            reason: String::new(),
        };
        assert_eq!(
            error(&l, &e),
            "access denied: session 7 on server1 belongs to bob"
        );
    }

    #[test]
    fn plurals() {
        let l = Localizer::for_locale("en_US.UTF-8");
        let r = HostResult {
            host: "h".into(),
            ended: vec![],
            elapsed: Duration::from_millis(1500),
            error: None,
        };
        assert_eq!(host_line(&l, &r), "h: no session to end (1.50 s)");
        let r = HostResult {
            ended: vec![Session::default()],
            ..r
        };
        assert_eq!(host_line(&l, &r), "h: 1 session ended (1.50 s)");
    }
}
