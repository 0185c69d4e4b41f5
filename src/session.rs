//! What a session is to `logoff`, and how a command-line argument picks one.
//!
//! Resolution is pure (a list of sessions in, a choice or an error out) so that every rule of the
//! original — IDs, names, `console`, "must be active", "ambiguous lists the candidates" — is unit
//! tested without a bus.

use serde::{Deserialize, Serialize};

/// One session, with the properties `logoff` shows and decides on. What the host did not say
/// is `None`, never an empty string or a made-up number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub(crate) id: String,
    pub(crate) uid: Option<u32>,
    pub(crate) user: String,
    pub(crate) seat: Option<String>,
    pub(crate) tty: Option<String>,
    pub(crate) display: Option<String>,
    pub(crate) state: State,
    pub(crate) active: bool,
    /// The unit that holds its processes (`session-ID.scope` under systemd).
    pub(crate) scope: Option<String>,
    /// logind's `Type`: tty, x11, wayland, mir or unspecified.
    pub(crate) kind: Option<String>,
    /// logind's `Class`: user, greeter, lock-screen, background…
    pub(crate) class: Option<String>,
    /// The PAM service that opened it: sshd, login, xrdp-sesman…
    pub(crate) service: Option<String>,
    /// The host the user came from (ssh's, or an RDP client's where the service says).
    pub(crate) remote_host: Option<String>,
    /// When it began, in microseconds since the epoch.
    pub(crate) since: Option<u64>,
    /// Since when it has been idle (microseconds since the epoch); `None` while in use or
    /// where the host cannot tell.
    pub(crate) idle_since: Option<u64>,
    /// The process that opened it (logind's `Leader`), where the host says.
    pub(crate) leader: Option<u32>,
}

/// Where a session is in its life (logind's `State`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Online,
    Active,
    /// Being ended, or its leader is gone while other processes remain.
    Closing,
    /// A state this version does not know, as the host named it.
    Other(String),
    /// Not known (the session ended before it could be read).
    #[default]
    Unknown,
}

impl State {
    pub(crate) fn parse(s: &str) -> State {
        match s {
            "online" => State::Online,
            "active" => State::Active,
            "closing" => State::Closing,
            "" => State::Unknown,
            other => State::Other(other.to_owned()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            State::Online => "online",
            State::Active => "active",
            State::Closing => "closing",
            State::Other(s) => s,
            State::Unknown => "-",
        }
    }
}

impl Session {
    /// The human name of the session: its terminal, else its X display.
    pub fn name(&self) -> Option<&str> {
        self.tty.as_deref().or(self.display.as_deref())
    }

    /// The name a listing shows, as Windows does: `console` for the foreground session of
    /// seat0 (which that name selects), else its terminal or display.
    pub fn shown_name(&self) -> Option<&str> {
        if self.is_seat0_foreground() {
            Some("console")
        } else {
            self.name()
        }
    }

    /// Sessions on a physical seat: the Windows "console session", which is refused by default.
    pub(crate) fn is_console(&self) -> bool {
        self.seat.is_some()
    }

    /// The foreground session of seat0: what the name `console` means.
    pub(crate) fn is_seat0_foreground(&self) -> bool {
        self.seat.as_deref() == Some("seat0") && self.active
    }

    /// Whether `arg` is this session's name: its terminal (`pts/3`, `/dev/pts/3`), its X display
    /// (`:10`, also as `$DISPLAY` writes it with a screen, `:10.0`: one display, one session), or
    /// `console` for seat0's foreground session. A display with a host (`localhost:10.0`) is a
    /// network display, such as ssh's X forwarding, not a session of this host: no match.
    pub(crate) fn is_named(&self, arg: &str) -> bool {
        let name = arg.strip_prefix("/dev/").unwrap_or(arg);
        if name.eq_ignore_ascii_case("console") {
            return self.is_seat0_foreground();
        }
        self.tty.as_deref() == Some(name)
            || self.display.as_deref().is_some_and(|d| {
                d == name || display_number(d).is_some_and(|n| display_number(name) == Some(n))
            })
    }

    /// The unit that holds its processes: logind's Scope, else the name logind gives it.
    pub(crate) fn scope_unit(&self) -> String {
        self.scope
            .clone()
            .unwrap_or_else(|| format!("session-{}.scope", self.id))
    }

    /// An xrdp desktop: what `/disconnected` also asks the host about (its RDP client may be
    /// gone while logind still calls it active).
    pub(crate) fn is_rdp_desktop(&self) -> bool {
        self.service.as_deref() == Some("xrdp-sesman") && self.display.is_some()
    }

    pub(crate) fn is_closing(&self) -> bool {
        self.state == State::Closing
    }
}

/// The number of a local X display, `:N` or `:N.SCREEN`; None for anything else.
fn display_number(d: &str) -> Option<&str> {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let rest = d.strip_prefix(':')?;
    let (n, screen) = rest.split_once('.').unwrap_or((rest, "0"));
    (digits(n) && digits(screen)).then_some(n)
}

/// A process still alive in a session (what a failed logoff reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proc {
    pub pid: u32,
    pub cmd: String,
}

/// What the command line asked for on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// No argument: the caller's own session.
    Current,
    /// A session ID or name.
    Session(String),
    /// Every session of this user (name or numeric UID).
    User(String),
    /// Every user's login sessions (with a [`StateFilter`]: `/idle`, `/disconnected` alone).
    All,
}

/// `/idle` and `/disconnected`: which of the selected sessions count. Both given: both hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateFilter {
    /// Idle at least this long (logind's IdleHint and IdleSinceHint).
    pub idle: Option<std::time::Duration>,
    /// Disconnected: logind's `closing` (leader gone, processes left), qwinsta's Disc.
    pub disconnected: bool,
}

impl StateFilter {
    pub fn is_empty(&self) -> bool {
        self.idle.is_none() && !self.disconnected
    }

    /// Whether `s` passes, `now` being the time in microseconds since the epoch, `detached`
    /// whether the host says its RDP client has gone away. Idle time is counted from the
    /// host's IdleSinceHint with this machine's clock: a skew between the two shifts it.
    pub(crate) fn admits(&self, s: &Session, now: u64, detached: bool) -> bool {
        let idle_enough = self.idle.is_none_or(|min| {
            s.idle_since
                .is_some_and(|t| u128::from(now.saturating_sub(t)) >= min.as_micros())
        });
        idle_enough && (!self.disconnected || s.is_closing() || detached)
    }
}

/// Why an argument picked no single session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unresolved {
    NotFound,
    Ambiguous(Vec<Session>),
}

/// The session an ID or name denotes. IDs win over names; a name must match exactly one session
/// (never guess between several). A session that is closing (being ended, or its leader gone)
/// counts only when no live session has the name: a terminal's new session wins over the remains
/// of an old one, and a second `logoff` of a session that is already ending finds it.
pub(crate) fn resolve(sessions: &[Session], arg: &str) -> Result<Session, Unresolved> {
    if let Some(s) = sessions.iter().find(|s| s.id == arg) {
        return Ok(s.clone());
    }
    let matches: Vec<&Session> = sessions.iter().filter(|s| s.is_named(arg)).collect();
    let live: Vec<&Session> = matches
        .iter()
        .copied()
        .filter(|s| !s.is_closing())
        .collect();
    let pick = if live.is_empty() { matches } else { live };
    match pick.as_slice() {
        [] => Err(Unresolved::NotFound),
        [one] => Ok((*one).clone()),
        many => Err(Unresolved::Ambiguous(
            many.iter().map(|s| (*s).clone()).collect(),
        )),
    }
}

/// What a listing's filter (`qwinsta ARG`, `quser ARG`) keeps: the session with that ID,
/// else the sessions with that name (`console` included), else those of that user (name or
/// UID). Unlike [`resolve`], any number may match: a listing never has to choose.
pub(crate) fn filter(sessions: &[Session], arg: &str) -> Vec<Session> {
    if let Some(s) = sessions.iter().find(|s| s.id == arg) {
        return vec![s.clone()];
    }
    let named: Vec<Session> = sessions
        .iter()
        .filter(|s| s.is_named(arg))
        .cloned()
        .collect();
    if !named.is_empty() {
        return named;
    }
    of_user(sessions, arg)
}

/// This machine's time in microseconds since the epoch, the unit of logind's timestamps.
pub(crate) fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// What `/idle` and `/disconnected` alone select: every person's login session (class `user`:
/// not greeters, lock screens or background sessions such as cron's) that passes `filter`.
/// `detached`: the IDs of xrdp desktops whose RDP client the host says has gone away.
pub(crate) fn by_state(
    sessions: &[Session],
    filter: &StateFilter,
    now: u64,
    detached: &[String],
) -> Vec<Session> {
    sessions
        .iter()
        .filter(|s| {
            s.class.as_deref().is_none_or(|c| c == "user")
                && filter.admits(s, now, detached.contains(&s.id))
        })
        .cloned()
        .collect()
}

/// Every session of a user, given as a name or a numeric UID.
pub(crate) fn of_user(sessions: &[Session], user: &str) -> Vec<Session> {
    let uid: Option<u32> = user.parse().ok();
    sessions
        .iter()
        .filter(|s| s.user == user || (uid.is_some() && s.uid == uid))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, user: &str, tty: &str, display: &str, seat: &str, state: &str) -> Session {
        let some = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        Session {
            id: id.into(),
            uid: Some(1000),
            user: user.into(),
            tty: some(tty),
            display: some(display),
            seat: some(seat),
            state: State::parse(state),
            active: state == "active",
            ..Default::default()
        }
    }

    fn lab() -> Vec<Session> {
        vec![
            s("3", "alice", "pts/0", "", "", "active"),
            s("4", "bob", "pts/1", "", "", "active"),
            s("c1", "alice", "", "", "", "online"),
            s("7", "carol", "tty1", "", "seat0", "active"),
            s("8", "dave", "", ":10", "", "active"),
            s("9", "erin", "pts/5", "", "", "closing"),
        ]
    }

    #[test]
    fn state_filters_pick_idle_and_disconnected_sessions() {
        use std::time::Duration;
        const MIN: u64 = 60_000_000;
        let now = 1_000 * MIN;
        let mut l = lab();
        l[0].idle_since = Some(now - 45 * MIN); // alice, idle 45 min
        l[1].idle_since = Some(now - 5 * MIN); // bob, idle 5 min
        l[2].class = Some("background".into()); // alice's cron job: never picked alone
        l[2].idle_since = Some(now - 90 * MIN);
        l[5].idle_since = Some(now - 60 * MIN); // erin: closing and idle
        let ids = |f: StateFilter| -> Vec<String> {
            by_state(&l, &f, now, &[])
                .into_iter()
                .map(|s| s.id)
                .collect()
        };
        let idle = |m: u64| Some(Duration::from_secs(m * 60));
        assert_eq!(
            ids(StateFilter {
                idle: idle(30),
                disconnected: false
            }),
            ["3", "9"]
        );
        assert_eq!(
            ids(StateFilter {
                idle: idle(45),
                disconnected: false
            }),
            ["3", "9"]
        );
        assert_eq!(
            ids(StateFilter {
                idle: idle(46),
                disconnected: false
            }),
            ["9"]
        );
        assert_eq!(
            ids(StateFilter {
                idle: idle(1),
                disconnected: false
            }),
            ["3", "4", "9"]
        );
        assert_eq!(
            ids(StateFilter {
                idle: None,
                disconnected: true
            }),
            ["9"]
        );
        // Both: both must hold.
        assert_eq!(
            ids(StateFilter {
                idle: idle(61),
                disconnected: true
            }),
            Vec::<String>::new()
        );
        assert!(StateFilter::default().is_empty());
        // A session in use (no IdleSinceHint) is never idle, however short the threshold.
        assert!(
            !StateFilter {
                idle: idle(0),
                disconnected: false
            }
            .admits(&lab()[3], now, false)
        );
        // A desktop whose RDP client is gone counts as disconnected, though logind says active.
        let disc = StateFilter {
            idle: None,
            disconnected: true,
        };
        let picked = by_state(&l, &disc, now, &["8".to_owned()]);
        assert_eq!(
            picked.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["8", "9"]
        );
    }

    #[test]
    fn id_wins() {
        assert_eq!(resolve(&lab(), "4").unwrap().user, "bob");
        assert_eq!(resolve(&lab(), "c1").unwrap().user, "alice");
    }

    #[test]
    fn names() {
        assert_eq!(resolve(&lab(), "pts/1").unwrap().id, "4");
        assert_eq!(resolve(&lab(), "/dev/pts/0").unwrap().id, "3");
        assert_eq!(resolve(&lab(), ":10").unwrap().id, "8");
        // $DISPLAY's form with a screen names the same display.
        assert_eq!(resolve(&lab(), ":10.0").unwrap().id, "8");
        assert_eq!(resolve(&lab(), ":10.1").unwrap().id, "8");
        assert_eq!(resolve(&lab(), "tty1").unwrap().id, "7");
        assert_eq!(resolve(&lab(), "console").unwrap().id, "7");
        assert_eq!(resolve(&lab(), "CONSOLE").unwrap().id, "7");
    }

    #[test]
    fn not_found() {
        assert_eq!(resolve(&lab(), "42"), Err(Unresolved::NotFound));
        assert_eq!(resolve(&lab(), "pts/9"), Err(Unresolved::NotFound));
        // Near misses of a display are not it: another display, a network display, junk.
        for arg in [
            ":1",
            ":100",
            ":10.",
            ":10.x",
            "localhost:10.0",
            "10",
            ":",
            "::10",
        ] {
            assert_eq!(resolve(&lab(), arg), Err(Unresolved::NotFound), "{arg}");
        }
        assert_eq!(resolve(&lab(), ""), Err(Unresolved::NotFound));
        let no_console: Vec<_> = lab().into_iter().filter(|s| s.seat.is_none()).collect();
        assert_eq!(resolve(&no_console, "console"), Err(Unresolved::NotFound));
    }

    #[test]
    fn closing_sessions_count_only_when_alone() {
        // Its name still means it while nothing else has that name (it is being ended).
        assert_eq!(resolve(&lab(), "pts/5").unwrap().id, "9");
        assert_eq!(resolve(&lab(), "9").unwrap().id, "9");
        // A live session on the same terminal wins over the remains of the old one.
        let mut l = lab();
        l.push(s("12", "frank", "pts/5", "", "", "active"));
        assert_eq!(resolve(&l, "pts/5").unwrap().id, "12");
        // Two closing ones and nothing live: never guess.
        let mut l = lab();
        l.push(s("13", "gina", "pts/5", "", "", "closing"));
        assert!(matches!(resolve(&l, "pts/5"), Err(Unresolved::Ambiguous(c)) if c.len() == 2));
    }

    #[test]
    fn ambiguous_lists_candidates() {
        let mut l = lab();
        l.push(s("10", "frank", "", ":10", "", "online"));
        match resolve(&l, ":10") {
            Err(Unresolved::Ambiguous(c)) => {
                let ids: Vec<_> = c.iter().map(|s| s.id.as_str()).collect();
                assert_eq!(ids, ["8", "10"]);
            }
            other => panic!("{other:?}"),
        }
        // A closing duplicate does not make a name ambiguous.
        let mut l = lab();
        l.push(s("11", "gina", "", ":10", "", "closing"));
        assert_eq!(resolve(&l, ":10").unwrap().id, "8");
    }

    #[test]
    fn users() {
        let ids: Vec<_> = of_user(&lab(), "alice").into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["3", "c1"]);
        assert_eq!(of_user(&lab(), "1000").len(), lab().len());
        assert!(of_user(&lab(), "nobody").is_empty());
    }

    #[test]
    fn filters_take_an_id_a_name_or_a_user() {
        let ids =
            |arg: &str| -> Vec<String> { filter(&lab(), arg).into_iter().map(|s| s.id).collect() };
        assert_eq!(ids("4"), ["4"]);
        assert_eq!(ids("pts/1"), ["4"]);
        assert_eq!(ids("/dev/pts/1"), ["4"]);
        assert_eq!(ids(":10"), ["8"]);
        assert_eq!(ids("Console"), ["7"]);
        assert_eq!(ids("alice"), ["3", "c1"]);
        assert!(ids("pts/9").is_empty());
        assert_eq!(lab()[3].shown_name(), Some("console"));
        assert_eq!(lab()[0].shown_name(), Some("pts/0"));
    }

    #[test]
    fn console_rules() {
        let l = lab();
        assert!(l[3].is_console());
        assert!(!l[0].is_console());
        assert_eq!(l[4].name(), Some(":10"));
        assert_eq!(l[0].name(), Some("pts/0"));
    }
}
