//! The switch table: every switch and operand, defined once.
//!
//! The parser ([`super::parse`]), `/?` ([`super::help()`], [`super::usage()`]), the man page's
//! SYNOPSIS, ARGUMENTS and OPTIONS and the bash, zsh and fish completions
//! (`generate.rs`) are all made from these entries. The one-line help texts live in the
//! Fluent catalogs (`locales/*.ftl`) under the ids named here, so they are translated; the
//! longer man page text of an entry (`man`) is English troff, as the man page is English.
//!
//! Each switch and operand says which verbs take it: `logoff`, and the queries `qwinsta` and
//! `quser`. An entry whose text differs between verbs (`/server`) is one entry per meaning,
//! with the same names.

use std::time::Duration;

use super::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_DELAY, DEFAULT_PARALLEL, DEFAULT_TIMEOUT, MAX_PARALLEL,
    MAX_SECONDS,
};

/// `[/server:a[,...] | /server:@file]` in a synopsis.
const HOST_LIST: Term = Term::Optional(&[Term::Choice(&[
    Term::Switch(&SERVER, Form::List),
    Term::Switch(&SERVER, Form::File),
])]);
const QUERY_HOST_LIST: Term = Term::Optional(&[Term::Choice(&[
    Term::Switch(&QUERY_SERVER, Form::List),
    Term::Switch(&QUERY_SERVER, Form::File),
])]);

/// A command: the program name it is run as. Each binary parses its command line as its verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `logoff`: end sessions.
    Logoff,
    /// `qwinsta` (Windows' `query session`): list sessions.
    Qwinsta,
    /// `quser` (Windows' `query user`): list users' sessions.
    Quser,
}

impl Verb {
    /// Every verb, in the order help, man pages and completions go through them.
    pub const ALL: &'static [Verb] = &[Verb::Logoff, Verb::Qwinsta, Verb::Quser];

    /// The program name: `"logoff"`, `"qwinsta"`, `"quser"`.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Logoff => "logoff",
            Verb::Qwinsta => "qwinsta",
            Verb::Quser => "quser",
        }
    }

    /// The forms of its command line, as "Usage:" and the man page's SYNOPSIS show them. The
    /// `/?` form is in the usage printed after a bad command line, not in the help itself.
    pub(crate) fn synopsis(self) -> &'static [&'static [Term]] {
        use Term::{Choice, Optional, Switch};
        match self {
            Verb::Logoff => &[
                &[
                    Optional(&[Choice(&[
                        Term::Operand(&SESSION_NAME),
                        Term::Operand(&SESSION_ID),
                    ])]),
                    Optional(&[Switch(&SERVER, Form::One)]),
                    Optional(&[Switch(&VERBOSE, Form::One)]),
                    Optional(&[Switch(&MESSAGE, Form::One)]),
                    Optional(&[Switch(&DELAY, Form::One)]),
                    Optional(&[Switch(&WHATIF, Form::One)]),
                    Optional(&[Switch(&JSON, Form::One)]),
                ],
                &[
                    Switch(&USER, Form::One),
                    HOST_LIST,
                    Optional(&[Switch(&MESSAGE, Form::One)]),
                    Optional(&[Switch(&DELAY, Form::One)]),
                    Optional(&[Switch(&YES, Form::One)]),
                    Optional(&[Switch(&WHATIF, Form::One)]),
                    Optional(&[Switch(&JSON, Form::One)]),
                ],
                // By state: alone (everyone's sessions) or with /user.
                &[
                    Choice(&[Switch(&IDLE, Form::One), Switch(&DISCONNECTED, Form::One)]),
                    Optional(&[Switch(&USER, Form::One)]),
                    HOST_LIST,
                    Optional(&[Switch(&MESSAGE, Form::One)]),
                    Optional(&[Switch(&DELAY, Form::One)]),
                    Optional(&[Switch(&YES, Form::One)]),
                    Optional(&[Switch(&WHATIF, Form::One)]),
                ],
                &[Switch(&HELP, Form::One)],
            ],
            // A filter means something on every host, so queries take a host list.
            Verb::Qwinsta => &[
                &[
                    Optional(&[Choice(&[
                        Term::Operand(&FILTER_SESSION_NAME),
                        Term::Operand(&FILTER_USER_NAME),
                        Term::Operand(&FILTER_SESSION_ID),
                    ])]),
                    QUERY_HOST_LIST,
                    Optional(&[Switch(&JSON, Form::One)]),
                ],
                &[Switch(&HELP, Form::One)],
            ],
            Verb::Quser => &[
                &[
                    Optional(&[Choice(&[
                        Term::Operand(&FILTER_USER_NAME),
                        Term::Operand(&FILTER_SESSION_NAME),
                        Term::Operand(&FILTER_SESSION_ID),
                    ])]),
                    QUERY_HOST_LIST,
                    Optional(&[Switch(&JSON, Form::One)]),
                ],
                &[Switch(&HELP, Form::One)],
            ],
        }
    }

    /// Fluent ids of the help's paragraphs: the one before "Usage:", and those after the list
    /// of switches (written out in the catalogs, line breaks included).
    pub(crate) fn help_texts(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Verb::Logoff => (
                "help-intro",
                &["help-forms", "help-permission", "help-exit-status"],
            ),
            Verb::Qwinsta => (
                "help-intro-qwinsta",
                &[
                    "help-forms-query",
                    "help-columns-qwinsta",
                    "help-exit-status-query",
                ],
            ),
            Verb::Quser => (
                "help-intro-quser",
                &[
                    "help-forms-query",
                    "help-columns-quser",
                    "help-exit-status-query",
                ],
            ),
        }
    }

    /// Its operands, in the order its synopsis shows them (`quser` puts the user name first).
    pub(crate) fn operands(self) -> impl Iterator<Item = &'static Operand> {
        fn walk(terms: &[Term], out: &mut Vec<&'static str>) {
            for t in terms {
                match t {
                    Term::Operand(o) => out.push(o.help),
                    Term::Optional(terms) | Term::Choice(terms) => walk(terms, out),
                    Term::Switch(..) => {}
                }
            }
        }
        let mut shown = vec![];
        self.synopsis()
            .iter()
            .for_each(|form| walk(form, &mut shown));
        let mut operands: Vec<&'static Operand> = OPERANDS
            .iter()
            .filter(|o| o.verbs.contains(&self))
            .collect();
        // By help id: each use of a `const` entry is a copy, so addresses differ.
        operands.sort_by_key(|o| shown.iter().position(|&id| id == o.help));
        operands.into_iter()
    }

    pub(crate) fn switches(self) -> impl Iterator<Item = &'static Switch> {
        SWITCHES.iter().filter(move |s| s.verbs.contains(&self))
    }

    /// The switch `name` stands for (any of its names, ASCII case-insensitive: no Unicode case
    /// folding, so e.g. the Kelvin sign never matches `k`).
    pub(crate) fn find(self, name: &str) -> Option<&'static Switch> {
        self.switches()
            .find(|s| s.names().any(|n| n.eq_ignore_ascii_case(name)))
    }
}

/// What the parser does with a switch: one per [`Switch`] entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Help,
    Version,
    Verbose,
    Force,
    Server,
    User,
    Timeout,
    ConnectTimeout,
    Parallel,
    Json,
    WhatIf,
    Message,
    Delay,
    Idle,
    Disconnected,
    State,
    Yes,
    Backend,
}

/// Which spelling `/?` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// `/name`, the Windows form.
    Slash,
    /// `--long`: for switches the Windows tools do not have.
    Long,
}

/// A switch. Every name is accepted after `/`, `-` or `--`, in any ASCII letter case.
#[derive(Debug)]
pub(crate) struct Switch {
    pub(crate) key: Key,
    /// The Windows name, shown after `/`: `"v"`, `"server"`, `"?"`.
    pub(crate) name: &'static str,
    /// The GNU name, shown after `--`: `"verbose"`, `"server"`, `"help"`.
    pub(crate) long: &'static str,
    /// Further names, accepted and listed in the man page only.
    pub(crate) aliases: &'static [&'static str],
    /// `None` for a flag.
    pub(crate) value: Option<Value>,
    /// Fluent id of the help text; numeric values pass it `$default`, `$min` and `$max`.
    pub(crate) help: &'static str,
    /// The man page's text after the help text: English troff, may be empty.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the man page generator, a test")
    )]
    pub(crate) man: &'static str,
    pub(crate) verbs: &'static [Verb],
    pub(crate) shown: Shown,
}

impl Switch {
    /// Every accepted name, the Windows one first.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> + use<> {
        let (name, long, aliases) = (self.name, self.long, self.aliases);
        std::iter::once(name)
            .chain(aliases.iter().copied())
            .chain((long != name).then_some(long))
    }
}

/// The value a switch takes.
#[derive(Debug)]
pub(crate) struct Value {
    /// Fluent id of its name in help texts (`servername`), shown as `<servername>`.
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
}

/// How a value is read and checked, and how shells complete it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `a,b,c` or `@FILE`; completed from the hosts the shell knows (ssh's known hosts).
    Hosts,
    /// A user name or UID; completed from the user names.
    User,
    /// Seconds, decimals allowed.
    Seconds {
        default: Duration,
        min: Duration,
        max: Duration,
    },
    /// A whole number.
    Count {
        default: usize,
        min: usize,
        max: usize,
    },
    /// Free text (`/msg`); not completed.
    Text,
    /// A duration: `90s`, `30m`, `2h`, `1d`, `1h30m`; a bare number is minutes.
    Duration,
    /// A session state: only `disc` (`disconnected`).
    State,
    /// A backend: `logind` or `proc`.
    Backend,
}

/// Fluent id of the name of the host list file in `/server:@<file>`.
pub(crate) const FILE_VALUE: &str = "help-value-file";

/// A positional argument.
#[derive(Debug)]
pub(crate) struct Operand {
    /// Fluent id of its name, shown as `<sessionname>`.
    pub(crate) name: &'static str,
    pub(crate) help: &'static str,
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the man page generator, a test")
    )]
    pub(crate) man: &'static str,
    pub(crate) verbs: &'static [Verb],
}

/// A piece of a synopsis line.
#[derive(Debug)]
pub(crate) enum Term {
    Operand(&'static Operand),
    Switch(&'static Switch, Form),
    /// `[…]`, its terms separated by spaces.
    Optional(&'static [Term]),
    /// Alternatives, separated by `|`.
    Choice(&'static [Term]),
}

/// How a synopsis shows a switch's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `/server:<servername>` (or `/v` for a flag).
    One,
    /// `/server:<servername>[,...]`.
    List,
    /// `/server:@<file>`.
    File,
}

const LOGOFF: &[Verb] = &[Verb::Logoff];
const QUERIES: &[Verb] = &[Verb::Qwinsta, Verb::Quser];

pub(crate) const SESSION_NAME: Operand = Operand {
    name: "help-value-sessionname",
    help: "help-arg-sessionname",
    man: r#"A terminal may also be given as a path
.RI ( /dev/pts/3 ),
and
.B console
is the foreground session of seat0.
An xrdp (Remote Desktop) session is named by its X display, :10 and up
.RB ( qwinsta
shows it under SESSIONNAME); the form of
.B $DISPLAY
with a screen number, :10.0, names it too, but a display with a host name (localhost:10.0,
an ssh X forwarding) is no session of the host.
A session that is closing (being ended, or its leader gone) answers to its name only when no
other session has that name, so a second logoff of a session that is already ending finds it.
A name that matches several sessions is an error that lists them; logoff never guesses.
A session ID or name belongs to one host: with several hosts, use
.BR /user: ."#,
    verbs: LOGOFF,
};

pub(crate) const SESSION_ID: Operand = Operand {
    name: "help-value-sessionid",
    help: "help-arg-sessionid",
    man: r#"The ID is the one
.B loginctl list\-sessions
shows; IDs such as c3 are those of sessions without an audit ID."#,
    verbs: LOGOFF,
};

// A query's positional argument is a filter: whichever of these it names.
pub(crate) const FILTER_SESSION_NAME: Operand = Operand {
    name: "help-value-sessionname",
    help: "help-arg-query-sessionname",
    man: r#"A terminal may also be given as a path
.RI ( /dev/pts/3 ),
and
.B console
is the foreground session of seat0.
An xrdp (Remote Desktop) session is named by its X display, :10 and up (:10.0 too)."#,
    verbs: QUERIES,
};

pub(crate) const FILTER_USER_NAME: Operand = Operand {
    name: "help-value-username",
    help: "help-arg-query-username",
    man: "",
    verbs: QUERIES,
};

pub(crate) const FILTER_SESSION_ID: Operand = Operand {
    name: "help-value-sessionid",
    help: "help-arg-query-sessionid",
    man: r#"The ID is the one
.B loginctl list\-sessions
shows."#,
    verbs: QUERIES,
};

pub(crate) const OPERANDS: &[Operand] = &[
    SESSION_NAME,
    SESSION_ID,
    FILTER_SESSION_NAME,
    FILTER_USER_NAME,
    FILTER_SESSION_ID,
];

/// In the order `/?` and the man page list them.
pub(crate) const SWITCHES: &[Switch] = &[
    SERVER,
    QUERY_SERVER,
    USER,
    VERBOSE,
    WHATIF,
    JSON,
    MESSAGE,
    DELAY,
    IDLE,
    DISCONNECTED,
    STATE,
    YES,
    FORCE,
    TIMEOUT,
    CONNECT_TIMEOUT,
    PARALLEL,
    BACKEND,
    HELP,
    VERSION,
];

pub(crate) const SERVER: Switch = Switch {
    key: Key::Server,
    name: "server",
    long: "server",
    aliases: &[],
    value: Some(Value {
        name: "help-value-servername",
        kind: Kind::Hosts,
    }),
    help: "help-switch-server",
    man: r#"logoff runs
.B ssh \-xT \-\- servername
with one remote command and speaks D-Bus to the host's system bus through its
.BR systemd\-stdio\-bridge ,
as
.B loginctl \-H
does, or, where the host cannot serve that, JSON to its own logoff (see AGENT MODE in
.BR logoff (1)).
An IPv6 address is written [v6addr]:port, and the user's ssh configuration, agent,
known_hosts, ProxyJump and connection sharing apply.
Permission on that host is the ssh user's.
With several hosts, the same logoff runs on every host in parallel.
Names that begin with
.B \-
or contain whitespace or control characters are refused before anything runs.
The same destination given twice (host names in any letter case) is one host.
A host list may have a UTF-8 byte order mark and CRLF line ends, and is at most 4 MiB."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const QUERY_SERVER: Switch = Switch {
    key: Key::Server,
    name: "server",
    long: "server",
    aliases: &[],
    value: Some(Value {
        name: "help-value-servername",
        kind: Kind::Hosts,
    }),
    help: "help-switch-server-query",
    man: r#"The query runs
.B ssh \-xT \-\- servername
with one remote command and speaks D-Bus to the host's system bus through its
.BR systemd\-stdio\-bridge ,
as
.B loginctl \-H
does, or, where the host cannot serve that, JSON to its own logoff (see AGENT MODE in
.BR logoff (1)).
An IPv6 address is written [v6addr]:port, and the user's ssh configuration, agent,
known_hosts, ProxyJump and connection sharing apply.
With several hosts, every host is queried in parallel, and a filter applies on each.
Names that begin with
.B \-
or contain whitespace or control characters are refused before anything runs.
The same destination given twice (host names in any letter case) is one host.
A host list may have a UTF-8 byte order mark and CRLF line ends, and is at most 4 MiB."#,
    verbs: QUERIES,
    shown: Shown::Slash,
};

pub(crate) const USER: Switch = Switch {
    key: Key::User,
    name: "user",
    long: "user",
    aliases: &[],
    value: Some(Value {
        name: "help-value-username",
        kind: Kind::User,
    }),
    help: "help-switch-user",
    man: r#"The user is a name or a numeric UID.
Session IDs differ between hosts, so this is what a fleet logoff uses.
A host where the user has no session succeeds with nothing to do; a user with no session on
any target host is an error (exit 3), which says "no such user" where logoff can tell (on this
host, through NSS)."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const VERBOSE: Switch = Switch {
    key: Key::Verbose,
    name: "v",
    long: "verbose",
    aliases: &[],
    value: None,
    help: "help-switch-verbose",
    man: r#"Each step is shown: what was resolved, the request, the wait, any escalation, the
result and the time it took."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const WHATIF: Switch = Switch {
    key: Key::WhatIf,
    name: "whatif",
    long: "dry-run",
    aliases: &[],
    value: None,
    help: "help-switch-whatif",
    man: r#"Everything is resolved exactly as in a real run, on every host: the hosts are reached
and the session argument or
.B /user:
is looked up there; only the ending is left out.
The exit status is 0 if some session would be ended, and 3 if nothing matches."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const JSON: Switch = Switch {
    key: Key::Json,
    name: "json",
    long: "json",
    aliases: &[],
    value: None,
    help: "help-switch-json",
    man: r#"Nothing else is printed there, and errors are reported in that document too
(with their exit code, message id and text); the human lines still go to standard error.
Its format is described in
.I /usr/share/doc/logoff/json.md
and its JSON Schema is
.IR /usr/share/doc/logoff/logoff.schema.json
(in the source:
.I doc/json.md
and
.IR doc/schema/ )."#,
    verbs: Verb::ALL,
    shown: Shown::Slash,
};

pub(crate) const MESSAGE: Switch = Switch {
    key: Key::Message,
    name: "msg",
    long: "message",
    aliases: &[],
    value: Some(Value {
        name: "help-value-text",
        kind: Kind::Text,
    }),
    help: "help-switch-msg",
    man: r#"The text is written on every terminal of the session (its TTY and the
pseudo-terminals its processes hold, as
.B write
does, only to that session) and shown on its X display with
.BR xmessage ,
with the time left, at the start of the delay and again at 10 and 5 minutes, 2 and 1 minute,
30 and 10 seconds left.
It goes over the connection logoff already has: the host's systemd runs a short transient
service that shows it (which needs root, or polkit's manage-units).
A session that no terminal or display reaches is said so under
.B /v
and in JSON, and is logged off at the end of the delay all the same.
Control characters in the text are shown escaped.
What logoff adds (the time left, the default text) is in the session's language where its
processes name one (LC_ALL, LC_MESSAGES, LANG), else the admin's.
With several hosts, every host waits out its delay at once.
Ctrl-C during the delay cancels everything: nothing is ended, every warned session is told,
and the exit status is 130."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const DELAY: Switch = Switch {
    key: Key::Delay,
    name: "delay",
    long: "delay",
    aliases: &[],
    value: Some(Value {
        name: "help-value-seconds",
        kind: Kind::Seconds {
            default: DEFAULT_DELAY,
            min: Duration::ZERO,
            max: MAX_SECONDS,
        },
    }),
    help: "help-switch-delay",
    man: r#"Without
.BR /msg ,
the sessions are shown a default text."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const IDLE: Switch = Switch {
    key: Key::Idle,
    name: "idle",
    long: "idle",
    aliases: &[],
    value: Some(Value {
        name: "help-value-duration",
        kind: Kind::Duration,
    }),
    help: "help-switch-idle",
    man: r#"The duration is a number with a unit,
.BR s ,
.BR m ,
.B h
or
.B d
(90s, 30m, 2h, 1d), or several in that order (1h30m); a bare number is minutes.
Idle is what logind says: its IdleHint and IdleSinceHint (a terminal session is idle when its
terminal has not been used, a desktop when it says so), counted with this machine's clock.
Alone, every user's login session (class user: not greeters, lock screens or background
sessions such as cron's) on every host given is considered; with
.BR /user: ,
only that user's.
Finding none is no error."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const DISCONNECTED: Switch = Switch {
    key: Key::Disconnected,
    name: "disconnected",
    long: "disconnected",
    aliases: &[],
    value: None,
    help: "help-switch-disconnected",
    man: r#"Disconnected is logind's state closing: the session's leader is gone and processes are
left (a detached tmux, a dropped ssh connection); qwinsta shows it as Disc.
An xrdp desktop whose RDP client went away stays active in logind; it is counted when the host
shows its Xvnc listening on its VNC port with no connection (how xrdp 0.9 attaches clients).
Xvnc on a unix socket, Xorg desktops and what the host cannot read are not counted.
Your own session is never picked.
Alone, every user's login session on every host given is considered; with
.BR /user: ,
only that user's; with
.BR /idle: ,
both must hold.
Finding none is no error."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const STATE: Switch = Switch {
    key: Key::State,
    name: "state",
    long: "state",
    aliases: &[],
    value: Some(Value {
        name: "help-value-state",
        kind: Kind::State,
    }),
    help: "help-switch-state",
    man: "",
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const YES: Switch = Switch {
    key: Key::Yes,
    name: "y",
    long: "yes",
    aliases: &[],
    value: None,
    help: "help-switch-yes",
    man: r#"Without it, a selection that can pick several sessions
.RB ( /user: ,
.BR /idle: ,
.BR /disconnected )
first finds them as
.B /whatif
would and, when there is more than one, lists them and asks on the terminal; only the
sessions listed may then end, and an answer other than yes ends nothing (exit 9).
Without a terminal nothing is asked."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const FORCE: Switch = Switch {
    key: Key::Force,
    name: "force",
    long: "force",
    aliases: &[],
    value: None,
    help: "help-switch-force",
    man: "Without it, a session on a physical seat is refused (exit 5).",
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const TIMEOUT: Switch = Switch {
    key: Key::Timeout,
    name: "timeout",
    long: "timeout",
    aliases: &[],
    value: Some(Value {
        name: "help-value-seconds",
        kind: Kind::Seconds {
            default: DEFAULT_TIMEOUT,
            min: Duration::ZERO,
            max: MAX_SECONDS,
        },
    }),
    help: "help-switch-timeout",
    man: r#"A session that is already closing (its leader gone, processes such as a detached
tmux left) gets SIGTERM on its processes at once, since logind's TerminateSession does nothing
for it.
Every process left after the timeout gets SIGKILL
.RB ( KillSession )
and logoff waits 5 more seconds; a session still there is reported with its processes."#,
    verbs: LOGOFF,
    shown: Shown::Slash,
};

pub(crate) const CONNECT_TIMEOUT: Switch = Switch {
    key: Key::ConnectTimeout,
    name: "connect-timeout",
    long: "connect-timeout",
    aliases: &["connecttimeout"],
    value: Some(Value {
        name: "help-value-seconds",
        kind: Kind::Seconds {
            default: DEFAULT_CONNECT_TIMEOUT,
            min: Duration::from_millis(1),
            max: MAX_SECONDS,
        },
    }),
    help: "help-switch-connect-timeout",
    man: r#"It bounds how long a host may take to answer over ssh, and how long any one D-Bus
call may go unanswered, here or there.
With one host and a terminal, ssh's prompts (a password, a new host key) are asked by the
command itself on the terminal, and the time spent answering does not count; a prompt left
unanswered for 120 s ends the run (exit 7).
ssh never prompts when standard input is not a terminal, nor with several hosts (their prompts
would interleave): use keys or an agent for fleets."#,
    verbs: Verb::ALL,
    shown: Shown::Slash,
};

pub(crate) const PARALLEL: Switch = Switch {
    key: Key::Parallel,
    name: "parallel",
    long: "parallel",
    aliases: &[],
    value: Some(Value {
        name: "help-value-n",
        kind: Kind::Count {
            default: DEFAULT_PARALLEL,
            min: 1,
            max: MAX_PARALLEL,
        },
    }),
    help: "help-switch-parallel",
    man: "Each host in progress holds one ssh process.",
    verbs: Verb::ALL,
    shown: Shown::Slash,
};

pub(crate) const BACKEND: Switch = Switch {
    key: Key::Backend,
    name: "backend",
    long: "backend",
    aliases: &[],
    value: Some(Value {
        name: "help-value-backend",
        kind: Kind::Backend,
    }),
    help: "help-switch-backend",
    man: r#"By default each host is asked through systemd-logind (or elogind) when its system bus
answers for org.freedesktop.login1, else through its login records
.RI ( /run/utmp )
and
.IR /proc :
a session is a login record whose leader is alive, its ID the kernel's audit session ID
(else its leader's POSIX session ID), its processes every process of that audit session
(else of that POSIX session or holding its terminal).
They get SIGTERM, SIGCONT and SIGHUP, then after the timeout SIGKILL in passes until a whole
pass finds none, each through a pidfd checked against its start time; the login record is
then marked dead.
Only root may end another user's session there.
On elogind, whose session record goes after one SIGTERM, the processes of the session are
checked too, and ended the same way, before the session counts as gone."#,
    verbs: Verb::ALL,
    shown: Shown::Long,
};

pub(crate) const HELP: Switch = Switch {
    key: Key::Help,
    name: "?",
    long: "help",
    aliases: &["h"],
    value: None,
    help: "help-switch-help",
    man: r#"The help is in the language of the environment (see ENVIRONMENT).
A help switch anywhere before
.B \-\-
wins over everything else on the command line, as with the Windows tools."#,
    verbs: Verb::ALL,
    shown: Shown::Slash,
};

pub(crate) const VERSION: Switch = Switch {
    key: Key::Version,
    name: "version",
    long: "version",
    aliases: &[],
    value: None,
    help: "help-switch-version",
    man: "",
    verbs: Verb::ALL,
    shown: Shown::Long,
};
