//! Turns errors, events and results into localized lines. Pure: `main` does the printing.

use std::time::Duration;

use crate::cli::ParseError;
use crate::error::{Error, HostFileProblem};
use crate::i18n::{Arg, Localizer, clean};
use crate::ops::logoff::{Chosen, Event, Found, HostResult, NoLogindWhy, Outcome};
use crate::plan::MAX_HOST_FILE;
use crate::session::{Proc, Session, StateFilter};

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn ms(d: Duration) -> Arg {
    Arg::N(d.as_millis() as f64)
}

/// The catalog id of an error's message: what scripts match on (`--json`), whatever the
/// language.
pub(crate) fn error_id(e: &Error) -> &'static str {
    use crate::error::BadHost as B;
    use Error::*;
    match e {
        Usage(_) => "err-invalid",
        BadHost {
            why: B::LeadingDash,
            ..
        } => "err-bad-host-dash",
        BadHost {
            why: B::Whitespace, ..
        } => "err-bad-host-space",
        BadHost { why: B::Empty, .. } => "err-bad-host-empty",
        BadHost {
            why: B::BadPort, ..
        } => "err-bad-host-port",
        HostFile { .. } => "err-host-file",
        HostFileEmpty { .. } => "err-host-file-empty",
        NotFound { .. } => "err-not-found",
        Ambiguous { .. } => "err-ambiguous",
        NoCurrentSession => "err-no-current-session",
        NoUserSession { .. } => "err-no-user-session",
        NoSuchUser { .. } => "err-no-such-user",
        NoUserSessionAnywhere { .. } => "err-no-user-session-anywhere",
        NoMatch {
            filter: Some(_), ..
        } => "err-no-match",
        NoMatch { filter: None, .. } => "err-no-sessions",
        AccessDenied { .. } => "err-access-denied",
        Console { .. } => "err-console",
        NoBus { .. } => "err-no-bus",
        NoLogind { .. } => "err-no-logind",
        NoRecords { .. } => "err-no-records",
        NoAgent { .. } => "err-no-agent",
        AgentMismatch { .. } => "err-agent-mismatch",
        LogindFailed { .. } => "err-logind-failed",
        NoAnswer { .. } => "err-no-answer",
        Unreachable { .. } => "err-unreachable",
        AuthFailed { .. } => "err-auth",
        NoBridge { .. } => "err-no-bridge",
        ConnectTimeout { .. } => "err-connect-timeout",
        NoReply { .. } => "err-no-reply",
        NoSsh { .. } => "err-no-ssh",
        Bus { .. } => "err-bus",
        Interrupted { .. } => "err-interrupted",
        Cancelled { .. } => "err-cancelled",
        Declined => "err-declined",
        NotLookedAt { .. } => "err-not-looked-at",
        Output { .. } => "err-output",
    }
}

/// The message for an error: one line, then (for some errors) detail lines, each indented by
/// two spaces: the candidates of a name, the processes left.
pub fn error(l: &Localizer, e: &Error) -> String {
    use Error::*;
    let id = error_id(e);
    let t = |id: &str, args: &[(&str, Arg)]| l.tr(id, args);
    let session_args = |s: &Session, host: &String| -> Vec<(&'static str, Arg)> {
        vec![
            ("id", (&s.id).into()),
            ("user", (&s.user).into()),
            ("host", host.into()),
        ]
    };
    match e {
        Usage(p) => t(id, &[("detail", parse_error(l, p).into())]),
        BadHost { host, .. } => t(id, &[("host", host.into())]),
        HostFile { path, problem } => {
            let reason = match problem {
                HostFileProblem::NotFound => t("host-file-not-found", &[]),
                HostFileProblem::PermissionDenied => t("host-file-denied", &[]),
                HostFileProblem::IsDirectory => t("host-file-directory", &[]),
                HostFileProblem::NotText => t("host-file-not-text", &[]),
                HostFileProblem::TooLarge => t(
                    "host-file-too-large",
                    &[("mib", Arg::N((MAX_HOST_FILE >> 20) as f64))],
                ),
                HostFileProblem::Other(reason) => reason.clone(),
            };
            t(id, &[("path", path.into()), ("reason", reason.into())])
        }
        HostFileEmpty { path } => t(id, &[("path", path.into())]),
        NotFound {
            session,
            host,
            candidates,
        } => {
            let mut s = t(id, &[("session", session.into()), ("host", host.into())]);
            if !candidates.is_empty() {
                s.push_str("\n  ");
                s.push_str(&t("sessions-there", &[("host", host.into())]));
                push_candidates(l, &mut s, candidates);
            }
            s
        }
        Ambiguous {
            name,
            host,
            candidates,
        } => {
            let mut s = t(id, &[("name", name.into()), ("host", host.into())]);
            push_candidates(l, &mut s, candidates);
            s
        }
        NoCurrentSession => t(id, &[]),
        NoUserSession { user, host } => t(id, &[("user", user.into()), ("host", host.into())]),
        NoSuchUser { user, host } => t(id, &[("user", user.into()), ("host", host.into())]),
        NoUserSessionAnywhere { user, hosts } => {
            t(id, &[("user", user.into()), ("hosts", (*hosts).into())])
        }
        AccessDenied { session, host, .. } => t(id, &session_args(session, host)),
        Console { session, host } => t(id, &session_args(session, host)),
        NoBus { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        NoLogind { host } | NoAgent { host } => t(id, &[("host", host.into())]),
        AgentMismatch { host, theirs } => t(
            id,
            &[
                ("host", host.into()),
                ("theirs", theirs.into()),
                ("ours", env!("CARGO_PKG_VERSION").into()),
            ],
        ),
        NoRecords { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        LogindFailed { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        NoAnswer { host, secs } => t(id, &[("host", host.into()), ("secs", Arg::N(*secs))]),
        Unreachable { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        AuthFailed { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        NoBridge { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        ConnectTimeout { host, secs } => t(id, &[("host", host.into()), ("secs", Arg::N(*secs))]),
        NoReply { host, secs } => t(id, &[("host", host.into()), ("secs", Arg::N(*secs))]),
        NoSsh { reason } => t(id, &[("reason", reason.into())]),
        Bus { host, reason } => t(id, &[("host", host.into()), ("reason", reason.into())]),
        NoMatch {
            filter: Some(filter),
            host,
        } => t(id, &[("filter", filter.into()), ("host", host.into())]),
        NoMatch { filter: None, host } => t(id, &[("host", host.into())]),
        Interrupted { signal } => t(id, &[("signal", (*signal).into())]),
        Cancelled {
            host,
            signal,
            told,
            warned,
        } => t(
            id,
            &[
                ("host", host.into()),
                ("signal", (*signal).into()),
                ("told", (*told).into()),
                ("warned", (*warned).into()),
            ],
        ),
        Declined => t(id, &[]),
        NotLookedAt { hosts } => t(id, &[("hosts", (*hosts).into())]),
        Output { reason } => t(id, &[("reason", reason.into())]),
    }
}

fn push_candidates(l: &Localizer, s: &mut String, candidates: &[Session]) {
    s.push_str("\n    ");
    s.push_str(&l.tr("candidate-header", &[]));
    for c in candidates {
        s.push_str("\n    ");
        s.push_str(&candidate(c));
    }
}

fn left_after_kill(l: &Localizer, s: &Session, host: &str, left: &[Proc]) -> String {
    let mut out = l.tr(
        "err-timed-out",
        &[
            ("id", (&s.id).into()),
            ("user", (&s.user).into()),
            ("host", host.into()),
        ],
    );
    for p in left {
        out.push_str("\n  ");
        out.push_str(&l.tr(
            "process-line",
            &[("pid", p.pid.into()), ("cmd", (&p.cmd).into())],
        ));
    }
    out
}

/// What became of a session that was not ended (`None` for one that was).
pub(crate) fn outcome(l: &Localizer, host: &str, s: &Session, o: &Outcome) -> Option<String> {
    let args = [
        ("id", Arg::from(&s.id)),
        ("user", Arg::from(&s.user)),
        ("host", Arg::from(host)),
    ];
    Some(match o {
        Outcome::Ended | Outcome::AlreadyGone | Outcome::WouldEnd(_) => return None,
        Outcome::Refused(e) => error(l, e),
        Outcome::Left(procs) => left_after_kill(l, s, host, procs),
        Outcome::Unconfirmed {
            still_there: Some(true),
        } => l.tr("outcome-still-there", &args),
        Outcome::Unconfirmed { .. } => l.tr("outcome-unknown", &args),
        Outcome::NotAsked => l.tr("outcome-not-asked", &args),
    })
}

/// `/whatif`: a line for each session a real run would end, each followed by its processes.
pub fn would_end(l: &Localizer, r: &HostResult) -> Vec<String> {
    let mut out = Vec::new();
    for (s, o) in &r.sessions {
        let Outcome::WouldEnd(procs) = o else {
            continue;
        };
        let mut line = l.tr(
            "whatif-session",
            &[
                ("id", (&s.id).into()),
                ("user", (&s.user).into()),
                ("name", s.shown_name().unwrap_or("-").into()),
                ("host", (&r.host).into()),
                ("count", procs.len().into()),
            ],
        );
        for p in procs {
            line.push_str("\n  ");
            line.push_str(&l.tr(
                "process-line",
                &[("pid", p.pid.into()), ("cmd", (&p.cmd).into())],
            ));
        }
        out.push(line);
    }
    out
}

/// The line for a session that is gone.
pub fn ended(l: &Localizer, host: &str, s: &Session) -> String {
    l.tr(
        "ended",
        &[
            ("id", (&s.id).into()),
            ("user", (&s.user).into()),
            ("host", host.into()),
        ],
    )
}

/// The messages for one host's failures, the host's own first: each one line, with detail
/// lines indented after it.
pub fn failures(l: &Localizer, r: &HostResult) -> Vec<String> {
    let mut out: Vec<String> = r.error.iter().map(|e| error(l, e)).collect();
    out.extend(
        r.sessions
            .iter()
            .filter_map(|(s, o)| outcome(l, &r.host, s, o)),
    );
    out
}

/// The detail of a bad command line.
pub(crate) fn parse_error(l: &Localizer, p: &ParseError) -> String {
    use ParseError::*;
    match p {
        UnknownSwitch(s) => l.tr("err-unknown-switch", &[("switch", s.into())]),
        TooManySessions(a, b) => l.tr(
            "err-too-many-sessions",
            &[("first", a.into()), ("second", b.into())],
        ),
        MissingValue(o) => l.tr("err-missing-value", &[("option", o.into())]),
        EmptyValue(o) => l.tr("err-empty-value", &[("option", o.into())]),
        UnexpectedValue(o) => l.tr("err-unexpected-value", &[("option", o.into())]),
        InvalidValue(o, v) => l.tr(
            "err-invalid-value",
            &[("option", o.into()), ("value", v.into())],
        ),
        Duplicate(o) => l.tr("err-duplicate", &[("option", o.into())]),
        SessionAndUser => l.tr("err-session-and-user", &[]),
        ServerNeedsTarget => l.tr("err-server-needs-target", &[]),
        StateWithSession => l.tr("err-state-with-session", &[]),
        SessionOnManyHosts => l.tr("err-session-many-hosts", &[]),
        NotUnicode(a) => l.tr("err-not-unicode", &[("arg", a.into())]),
    }
}

fn candidate(s: &Session) -> String {
    format!(
        "{:<9} {:<11} {:<11} {}",
        clean(&s.id),
        clean(&s.user),
        clean(s.name().unwrap_or("-")),
        clean(s.state.as_str())
    )
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
        Event::Agent { host, version } => l.tr(
            "v-agent",
            &[("host", host.into()), ("version", version.into())],
        ),
        Event::Backend { host, chosen } => match chosen {
            Chosen::Logind => l.tr("v-backend-logind", &[("host", host.into())]),
            Chosen::Proc { why } => match why {
                NoLogindWhy::Asked => l.tr("v-backend-proc-asked", &[("host", host.into())]),
                NoLogindWhy::NoBus(reason) => l.tr(
                    "v-backend-proc-no-bus",
                    &[("host", host.into()), ("reason", reason.into())],
                ),
                NoLogindWhy::NotOnBus => {
                    l.tr("v-backend-proc-not-on-bus", &[("host", host.into())])
                }
                NoLogindWhy::CannotStart(reason) => l.tr(
                    "v-backend-proc-cannot-start",
                    &[("host", host.into()), ("reason", reason.into())],
                ),
            },
        },
        Event::Resolved {
            host,
            session,
            found,
        } => {
            let (msg, name) = match found {
                Found::ById => (
                    "v-resolved-id",
                    session.name().map(|n| format!(", {n}")).unwrap_or_default(),
                ),
                Found::ByName(n) => ("v-resolved-name", n.clone()),
                Found::Current => ("v-resolved-current", String::new()),
                Found::OfUser(_) => ("v-resolved-user", String::new()),
                Found::ByState(f) => ("v-resolved-state", why(l, f, session)),
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
        Event::NoneMatching { host, filter } => l.tr(
            "v-none-matching",
            &[
                ("host", host.into()),
                ("filter", filter_text(filter).into()),
            ],
        ),
        Event::Warned {
            host,
            session,
            reached,
            left,
        } => l.tr(
            if *reached { "v-warned" } else { "v-not-warned" },
            &[
                ("id", id(session)),
                ("user", user(session)),
                ("host", host.into()),
                ("time", notice_time(l, *left).into()),
            ],
        ),
        Event::NoSessions { host, user } => l.tr(
            "v-no-sessions",
            &[("host", host.into()), ("user", user.into())],
        ),
        Event::Requesting {
            host,
            session,
            logind,
        } => l.tr(
            if *logind {
                "v-requesting"
            } else {
                "v-requesting-proc"
            },
            &[("id", id(session)), ("host", host.into())],
        ),
        Event::Signalling { host, session } => l.tr(
            "v-signalling",
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

/// One host's lines in a fleet run: a line saying how it went, then, for a host that failed,
/// its failures and the sessions that were ended anyway, indented.
pub fn host_line(l: &Localizer, r: &HostResult) -> String {
    let secs = secs(r.elapsed);
    if r.ok() {
        return l.tr(
            "host-ok",
            &[
                ("host", (&r.host).into()),
                ("count", r.ended().count().into()),
                ("secs", secs.into()),
            ],
        );
    }
    let failures = failures(l, r);
    let mut first = failures.first().map(String::as_str).unwrap_or("").lines();
    let mut out = l.tr(
        "host-failed",
        &[
            ("host", (&r.host).into()),
            ("reason", first.next().unwrap_or("").into()),
            ("secs", secs.into()),
        ],
    );
    let details = first.map(str::to_owned);
    let rest = failures.iter().skip(1).flat_map(|f| {
        let mut lines = f.lines();
        let head = lines.next().unwrap_or("").to_owned();
        std::iter::once(head).chain(lines.map(|d| format!("  {d}")))
    });
    let ended = r.ended().map(|s| ended(l, &r.host, s));
    for line in details.chain(rest).chain(ended) {
        out.push_str("\n  ");
        out.push_str(&line);
    }
    out
}

pub fn summary(l: &Localizer, results: &[HostResult], elapsed: Duration) -> String {
    let ok = results.iter().filter(|r| r.ok()).count();
    let sessions: usize = results.iter().map(|r| r.ended().count()).sum();
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

/// Why `/idle` or `/disconnected` picked `s`: "idle 42 min", "disconnected".
fn why(l: &Localizer, f: &StateFilter, s: &Session) -> String {
    let mut parts = Vec::new();
    if f.idle.is_some() {
        let minutes = s.idle_since.map_or(0, |t| {
            crate::session::now_us().saturating_sub(t) / 60_000_000
        });
        let minutes = usize::try_from(minutes).unwrap_or(usize::MAX);
        parts.push(l.tr("why-idle", &[("minutes", minutes.into())]));
    }
    if f.disconnected {
        parts.push(l.tr("why-disconnected", &[]));
    }
    parts.join(", ")
}

/// The filter as the switches that give it (`/idle:1h30m /disconnected`): the same words in
/// every language.
fn filter_text(f: &StateFilter) -> String {
    let mut parts = Vec::new();
    if let Some(d) = f.idle {
        let secs = d.as_secs();
        let units = [
            (secs / 86_400, "d"),
            (secs % 86_400 / 3_600, "h"),
            (secs % 3_600 / 60, "m"),
            (secs % 60, "s"),
        ];
        let t: String = units
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, unit)| format!("{n}{unit}"))
            .collect();
        parts.push(format!(
            "/idle:{}",
            if t.is_empty() { "0s".into() } else { t }
        ));
    }
    if f.disconnected {
        parts.push("/disconnected".to_owned());
    }
    parts.join(" ")
}

/// A time left as a notice says it: "90 s", "5 min".
pub fn notice_time(l: &Localizer, left: Duration) -> String {
    let secs = left.as_secs();
    if secs >= 120 && secs.is_multiple_of(60) {
        l.tr(
            "notice-minutes",
            &[("n", usize::try_from(secs / 60).unwrap_or(usize::MAX).into())],
        )
    } else {
        l.tr(
            "notice-seconds",
            &[("n", usize::try_from(secs).unwrap_or(usize::MAX).into())],
        )
    }
}

/// What a warned session is shown: the admin's text (or the default one) and the time left;
/// with no time left given, that the logoff was cancelled.
pub fn notice(l: &Localizer, who: &str, text: Option<&str>, left: Option<Duration>) -> String {
    let text = match text {
        Some(t) => clean(t),
        None => l.tr("notice-default", &[]),
    };
    let tail = match left {
        Some(left) => l.tr("notice-left", &[("time", notice_time(l, left).into())]),
        None => l.tr("notice-cancelled", &[]),
    };
    l.tr(
        "notice",
        &[
            ("who", who.into()),
            ("text", text.into()),
            ("tail", tail.into()),
        ],
    )
}

/// One session in the confirmation's list: host, ID, user, name.
pub fn confirm_row(host: &str, s: &Session) -> String {
    format!(
        "{}  {}  {}  {}",
        clean(host),
        clean(&s.id),
        clean(&s.user),
        s.name().map(clean).unwrap_or_else(|| "-".into())
    )
}

/// Whether the admin's answer means yes: one of the catalog's words for it (`y`, `yes`…), in
/// any case.
pub fn is_yes(l: &Localizer, answer: &str) -> bool {
    let answer = answer.trim().to_lowercase();
    !answer.is_empty()
        && l.tr("confirm-yes", &[])
            .split(',')
            .any(|w| w.trim().to_lowercase() == answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_hosts_cannot_break_a_line_or_drive_the_terminal() {
        let l = Localizer::for_locale("C");
        let s = Session {
            id: "7".into(),
            user: "bob\u{1b}[2J".into(),
            tty: Some("pts/1\nFAKE".into()),
            state: crate::session::State::Active,
            ..Default::default()
        };
        let e = Error::Ambiguous {
            name: "pts/1\u{202e}x".into(),
            host: "h\r".into(),
            candidates: vec![s],
        };
        let text = error(&l, &e);
        assert!(!text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{202e}'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("session name 'pts/1\\u{202e}x' is ambiguous on h\\r"));
        assert!(lines[1].starts_with("    ID"));
        assert!(lines[2].contains("bob\\u{1b}[2J") && lines[2].contains("pts/1\\nFAKE"));
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
    fn notices_say_who_what_and_when_without_control_characters() {
        let l = Localizer::for_locale("C");
        let left = Some(Duration::from_secs(300));
        assert_eq!(
            notice(&l, "root", Some("Reboot at 18:00"), left),
            "[logoff] root: Reboot at 18:00 You will be logged off in 5 min: save your work now."
        );
        let shown = notice(
            &l,
            "root",
            Some("a\x1b[2Jb\nc"),
            Some(Duration::from_secs(30)),
        );
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("30 s"), "{shown}");
        assert_eq!(
            notice(&l, "root", None, None),
            "[logoff] root: This session is about to be logged off. The logoff has been \
             cancelled: you can go on working."
        );
        assert_eq!(notice_time(&l, Duration::from_secs(90)), "90 s");
        assert_eq!(notice_time(&l, Duration::from_secs(120)), "2 min");
    }

    #[test]
    fn plurals() {
        let l = Localizer::for_locale("en_US.UTF-8");
        let r = HostResult {
            host: "h".into(),
            sessions: vec![],
            elapsed: Duration::from_millis(1500),
            error: None,
            unmatched: None,
            warned: Vec::new(),
        };
        assert_eq!(host_line(&l, &r), "h: no session to end (1.50 s)");
        let r = HostResult {
            sessions: vec![(Session::default(), Outcome::Ended)],
            ..r
        };
        assert_eq!(host_line(&l, &r), "h: 1 session ended (1.50 s)");
    }

    #[test]
    fn a_failed_host_still_shows_what_was_ended() {
        let l = Localizer::for_locale("C");
        let s = |id: &str, user: &str| Session {
            id: id.into(),
            user: user.into(),
            ..Default::default()
        };
        let console = Error::Console {
            session: Box::new(s("2", "carol")),
            host: "h".into(),
        };
        let r = HostResult {
            host: "h".into(),
            sessions: vec![
                (s("1", "alice"), Outcome::Ended),
                (s("2", "carol"), Outcome::Refused(console)),
            ],
            elapsed: Duration::from_millis(10),
            error: None,
            unmatched: None,
            warned: Vec::new(),
        };
        assert_eq!(r.exit_code(), crate::error::exit::CONSOLE);
        let text = host_line(&l, &r);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("h: FAILED: can't log off a user from the console"),
            "{text}"
        );
        assert_eq!(
            lines[1], "  Session 1 of alice on h has been logged off",
            "{text}"
        );
        assert_eq!(lines.len(), 2);
    }
}
