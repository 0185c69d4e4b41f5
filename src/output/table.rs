//! The listings of `qwinsta` and `quser`, laid out as the Windows tools lay them out: a header
//! line, a row per session, `>` before the caller's own session. Headers and states are
//! localized; columns are aligned by display width, so wide (CJK) text keeps them straight;
//! everything that came from a host is shown safely ([`clean`]).

use crate::session::now_us;

use crate::i18n::{Localizer, clean, width};
use crate::ops::query::HostListing;
use crate::session::{Session, State};
use crate::sys::local_time;

/// Which listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// `qwinsta`: SESSIONNAME USERNAME ID STATE TYPE DEVICE.
    Sessions,
    /// `quser`: USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME.
    Users,
}

/// The table of every session listed on `hosts` (hosts that failed have no rows), with a
/// SERVER column first when there are several hosts.
pub fn table(l: &Localizer, columns: Columns, hosts: &[HostListing], server: bool) -> String {
    let now = now_us();
    let mut heads: Vec<&str> = Vec::new();
    if server {
        heads.push("q-server");
    }
    heads.extend(match columns {
        Columns::Sessions => [
            "q-sessionname",
            "q-username",
            "q-id",
            "q-state",
            "q-type",
            "q-device",
        ],
        Columns::Users => [
            "q-username",
            "q-sessionname",
            "q-id",
            "q-state",
            "q-idle",
            "q-logon",
        ],
    });
    let id_column = heads.iter().position(|h| *h == "q-id").unwrap_or(0);
    let mut rows: Vec<(bool, Vec<String>)> =
        vec![(false, heads.iter().map(|h| l.tr(h, &[])).collect())];
    for h in hosts {
        for s in &h.sessions {
            let mut cells = Vec::new();
            if server {
                cells.push(clean(&h.host));
            }
            let name = clean(s.shown_name().unwrap_or(""));
            let user = clean(&s.user);
            let (first, second) = match columns {
                Columns::Sessions => (name, user),
                Columns::Users => (user, name),
            };
            cells.extend([first, second, clean(&s.id), state(l, s)]);
            match columns {
                Columns::Sessions => cells.extend([
                    clean(s.kind.as_deref().unwrap_or("")),
                    clean(s.remote_host.as_deref().unwrap_or("")),
                ]),
                Columns::Users => cells.extend([idle(l, now, s.idle_since), logon(s.since)]),
            }
            rows.push((h.current.as_ref() == Some(&s.id), cells));
        }
    }
    let widths: Vec<usize> = (0..heads.len())
        .map(|c| rows.iter().map(|(_, r)| width(&r[c])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (mine, cells) in &rows {
        let mut line = String::from(if *mine { ">" } else { " " });
        for (c, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[c] - width(cell));
            if c == id_column {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.pop();
    out
}

/// Windows' words for logind's states: a closing session (leader gone, processes left) is
/// the nearest thing to a disconnected one.
pub(crate) fn state(l: &Localizer, s: &Session) -> String {
    match &s.state {
        State::Active => l.tr("state-active", &[]),
        State::Online => l.tr("state-conn", &[]),
        State::Closing => l.tr("state-disc", &[]),
        State::Other(other) => clean(other),
        State::Unknown => "-".into(),
    }
}

/// Idle time as `quser` shows it: "none" while in use, `.` under a minute, then minutes,
/// `H:MM`, `D+HH:MM`.
fn idle(l: &Localizer, now_us: u64, since: Option<u64>) -> String {
    let Some(since) = since else {
        return l.tr("idle-none", &[]);
    };
    let minutes = now_us.saturating_sub(since) / 60_000_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match minutes {
        0 => ".".into(),
        1..60 => minutes.to_string(),
        60..1440 => format!("{hours}:{mins:02}"),
        _ => format!("{days}+{hours:02}:{mins:02}"),
    }
}

/// Logon time in local time, `YYYY-MM-DD HH:MM`.
fn logon(since_us: Option<u64>) -> String {
    since_us
        .and_then(|us| i64::try_from(us / 1_000_000).ok())
        .and_then(local_time)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year, t.month, t.day, t.hour, t.minute
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn listing(sessions: Vec<Session>, current: Option<&str>) -> HostListing {
        HostListing {
            host: "server1".into(),
            sessions,
            current: current.map(str::to_owned),
            error: None,
            elapsed: Duration::ZERO,
        }
    }

    fn session(id: &str, user: &str, tty: &str, state: State) -> Session {
        Session {
            id: id.into(),
            user: user.into(),
            tty: Some(tty.into()),
            kind: Some("tty".into()),
            remote_host: Some("10.0.0.7".into()),
            state,
            ..Default::default()
        }
    }

    #[test]
    fn qwinsta_marks_the_callers_session_and_aligns_columns() {
        let l = Localizer::for_locale("en");
        let h = listing(
            vec![
                session("3", "alice", "pts/0", State::Active),
                session("12", "bob", "pts/10", State::Closing),
            ],
            Some("12"),
        );
        let t = table(&l, Columns::Sessions, &[h], false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines,
            [
                " SESSIONNAME  USERNAME  ID  STATE   TYPE  DEVICE",
                " pts/0        alice      3  Active  tty   10.0.0.7",
                ">pts/10       bob       12  Disc    tty   10.0.0.7",
            ]
        );
    }

    #[test]
    fn wide_headers_keep_the_columns_aligned() {
        let l = Localizer::for_locale("zh_CN.UTF-8");
        let h = listing(vec![session("3", "alice", "pts/0", State::Online)], None);
        let t = table(&l, Columns::Users, &[h], true);
        let lines: Vec<&str> = t.lines().collect();
        // The ID column ends at the same display column on every line.
        let id_end = |line: &str| {
            let head = &line[..line.find(" 3 ").map(|i| i + 2).unwrap_or(0)];
            width(head)
        };
        let header_id = l.tr("q-id", &[]);
        let at = lines[0].find(&header_id).unwrap() + header_id.len();
        assert_eq!(width(&lines[0][..at]), id_end(lines[1]), "{t}");
    }

    #[test]
    fn idle_times_read_as_windows_writes_them() {
        let l = Localizer::for_locale("en");
        let now = 10_000 * 60_000_000;
        let ago = |min: u64| Some(now - min * 60_000_000);
        assert_eq!(idle(&l, now, None), "none");
        assert_eq!(idle(&l, now, Some(now - 5_000_000)), ".");
        assert_eq!(idle(&l, now, ago(5)), "5");
        assert_eq!(idle(&l, now, ago(65)), "1:05");
        assert_eq!(idle(&l, now, ago(2 * 1440 + 3 * 60 + 4)), "2+03:04");
    }
}
