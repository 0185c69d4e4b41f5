//! Command-line parsing for `logoff`, `qwinsta` and `quser`.
//!
//! This module exists because the Windows `logoff` grammar —
//! `logoff [<sessionname> | <sessionID>] [/server:<servername>] [/v]` — cannot
//! be expressed with clap or any other GNU-style parser: switches start with
//! `/` or `-`, their names are case-insensitive, values are attached with `:`
//! (`/server:host`), and `/?` anywhere on the line means "show help" no matter
//! what else is there. GNU forms (`--server=host`, `--server host`, `--help`,
//! `--version`, `--`) are accepted too, so the tool feels native on Linux.
//!
//! The parser is hand-written and has no dependencies besides `std` and
//! `thiserror`. It only checks the shape of the command line; host names, user
//! names and session names are validated by the code that uses them.
//!
//! Every switch is defined once, in the switch table (`table.rs`): its names,
//! its value, its help text and which verbs take it. The parser, `/?`
//! ([`help()`], [`usage()`]), the man pages and the shell completions (`generate`,
//! a test that keeps `doc/*.1` and `complete/` up to date) are all made
//! from it. Each binary parses as its [`Verb`]: a switch another verb has is
//! an unknown switch.
//!
//! # Grammar
//!
//! * `/name`, `-name`, `--name`: a switch. Names are ASCII case-insensitive.
//! * `/name:value`, `-name:value`, `--name=value`: a switch with a value. The
//!   value starts after the first `:` or `=` (whichever comes first), so values
//!   may contain both characters (`/server:host:2222`). Both separators are
//!   accepted after every prefix.
//! * `--name value`: only with the `--` prefix, the next argument is the value
//!   (even if it starts with `-` or `/`), except that `--` is never taken as a
//!   value.
//! * `--` ends the switches; everything after it is positional.
//! * At most one positional argument: the session name or ID (for a query, the
//!   filter: a session name, user name or session ID).
//!
//! A bare help switch anywhere before `--` wins over everything else on the
//! line, including arguments that would otherwise be errors (this is what the
//! Windows tools do). Failing that, a bare `version` switch wins in the same
//! way. Otherwise the arguments are parsed left to right and the first error
//! is returned.

#[cfg(test)]
mod generate;
mod help;
mod table;
#[cfg(test)]
mod tests;

pub use help::{help, usage};
pub use table::Verb;

use table::{Key, Kind};

pub use crate::backend::Choice;

use std::{ffi::OsString, num::NonZeroUsize, path::PathBuf, time::Duration};

/// Default for [`Options::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a warning gives the sessions when `/msg` comes without `/delay`.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(60);
/// Longest `/idle`: a leap year.
pub const MAX_IDLE: Duration = Duration::from_secs(366 * 86_400);
/// Default for [`Options::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`Options::parallel`].
pub const DEFAULT_PARALLEL: usize = 16;
/// Largest `/parallel`: each host in progress holds an ssh process and a few descriptors.
pub const MAX_PARALLEL: usize = 256;
/// Largest `/timeout` and `/connect-timeout`: one day.
pub const MAX_SECONDS: Duration = Duration::from_secs(86_400);

const DEFAULT_PARALLEL_NZ: NonZeroUsize = match NonZeroUsize::new(DEFAULT_PARALLEL) {
    Some(n) => n,
    None => panic!("DEFAULT_PARALLEL must not be zero"),
};

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/?`, `-?`, `-h`, `--help`, `/help`, … anywhere before `--`.
    Help,
    /// `--version` (or `/version`, `-version`) anywhere before `--`, unless
    /// help was asked for too.
    Version,
    /// Log off one or more sessions (`logoff`).
    Logoff(Options),
    /// List sessions (`qwinsta`, `quser`).
    Query(Options),
}

/// The servers given with `/server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Servers {
    /// `/server:a,b,c` → `["a", "b", "c"]`; never empty, no element is empty.
    List(Vec<String>),
    /// `/server:@hosts.txt` → `"hosts.txt"`; never empty.
    File(PathBuf),
}

/// Options for [`Command::Logoff`] and [`Command::Query`]; a switch the verb does not take
/// keeps its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The positional argument: a session name or ID; for a query, the filter (a session
    /// name, a user name or a session ID). Never empty.
    pub session: Option<String>,
    /// `/user:NAME` (logoff only). Never empty.
    pub user: Option<String>,
    /// `/server:…`; `None` means the local host.
    pub servers: Option<Servers>,
    /// `/v`, `/verbose`.
    pub verbose: bool,
    /// `/force`: allow logging off the console session.
    pub force_console: bool,
    /// `/timeout:SECONDS` (0 to [`MAX_SECONDS`], decimals allowed).
    pub timeout: Duration,
    /// `/connect-timeout:SECONDS` (at least 1 ms, at most [`MAX_SECONDS`], decimals allowed).
    pub connect_timeout: Duration,
    /// `/parallel:N` (1 to [`MAX_PARALLEL`]).
    pub parallel: NonZeroUsize,
    /// `/json`, `--json`: the result as one JSON document on stdout.
    pub json: bool,
    /// `/whatif`, `--dry-run` (logoff only): say what would be ended, end nothing.
    pub whatif: bool,
    /// `/msg:TEXT`, `--message` (logoff only): shown in each session before it ends. Never
    /// empty; as typed (it is escaped where it is shown).
    pub message: Option<String>,
    /// `/delay:SECONDS` (logoff only): how long the sessions are given after the warning.
    pub delay: Option<Duration>,
    /// `/idle:DURATION` (logoff only): only sessions idle at least this long.
    pub idle: Option<Duration>,
    /// `/disconnected`, `/state:disc` (logoff only): only disconnected (closing) sessions.
    pub disconnected: bool,
    /// `/y`, `--yes` (logoff only): no confirmation question.
    pub yes: bool,
    /// `--backend=logind|proc`: how every host is asked (default: logind where it answers).
    pub backend: Choice,
}

impl Options {
    /// The warning asked for: its text (`None`: the default one) and its delay; `None` without
    /// `/msg` and `/delay`.
    pub fn warning(&self) -> Option<(Option<&str>, Duration)> {
        if self.message.is_none() && self.delay.is_none() {
            return None;
        }
        Some((self.message.as_deref(), self.delay.unwrap_or(DEFAULT_DELAY)))
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            session: None,
            user: None,
            servers: None,
            verbose: false,
            force_console: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            parallel: DEFAULT_PARALLEL_NZ,
            json: false,
            whatif: false,
            message: None,
            delay: None,
            idle: None,
            disconnected: false,
            yes: false,
            backend: Choice::Auto,
        }
    }
}

/// Why the command line was rejected.
///
/// Option names in the payloads are given as the user typed them, prefix
/// included and value excluded (e.g. `"/Server"`, `"--timeout"`). The
/// `#[error]` texts are for debugging only; user-facing messages are
/// localized elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// An argument starting with `/` or `-` that is not a switch of this verb;
    /// the whole argument as typed.
    #[error("unknown switch '{0}'")]
    UnknownSwitch(String),
    /// The first and the second positional argument.
    #[error("more than one session given: '{0}' and '{1}'")]
    TooManySessions(String, String),
    /// A value option without a value (`/server`, `--server` at the end).
    #[error("'{0}' needs a value")]
    MissingValue(String),
    /// An empty value (`/server:`, `/server:a,,b`, `/user:`, `/server:@`), or
    /// an empty positional argument (payload `"session"`).
    #[error("'{0}' has an empty value")]
    EmptyValue(String),
    /// A flag given a value (`/v:x`, `--verbose=yes`, `--help=1`).
    #[error("'{0}' takes no value")]
    UnexpectedValue(String),
    /// Option as typed, then the rejected value.
    #[error("'{1}' is not a valid value for '{0}'")]
    InvalidValue(String, String),
    /// A value option given a second time; the option as typed that time.
    #[error("'{0}' given more than once")]
    Duplicate(String),
    #[error("a session and /user can't be used together")]
    SessionAndUser,
    #[error("/server needs a session ID, a session name, /user, /idle or /disconnected")]
    ServerNeedsTarget,
    /// `/idle` or `/disconnected` with a session argument: they select, it names one.
    #[error("/idle and /disconnected select sessions; a session argument names one")]
    StateWithSession,
    /// A session ID or name with more than one host: it means something on one host only.
    #[error("a session ID or name can't be used with several hosts")]
    SessionOnManyHosts,
    /// Lossy rendering of the offending argument.
    #[error("argument is not valid UTF-8: {0}")]
    NotUnicode(String),
}

/// Parses the command line of `verb`; `args` excludes `argv[0]`.
///
/// # Errors
///
/// Returns the first problem found, left to right, unless a bare help or
/// version switch appears before `--` (see the module documentation).
pub fn parse<I, T>(verb: Verb, args: I) -> Result<Command, ParseError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if let Some(command) = early_command(verb, &args) {
        return Ok(command);
    }

    let mut builder = Builder::default();
    let mut args = args.into_iter();
    let mut switches_ended = false;
    while let Some(arg) = args.next() {
        let arg = decode(arg)?;
        if switches_ended {
            builder.positional(arg)?;
            continue;
        }
        if arg == "--" {
            switches_ended = true;
            continue;
        }
        // A device path names a terminal (`/dev/pts/3`), never a switch: no switch has a `/`.
        let device = arg.starts_with("/dev/");
        let Some(given) = Given::split(&arg).filter(|_| !device) else {
            builder.positional(arg)?;
            continue;
        };
        let Some(switch) = verb.find(given.name) else {
            return Err(ParseError::UnknownSwitch(arg));
        };
        let Some(takes) = &switch.value else {
            if given.value.is_some() {
                return Err(ParseError::UnexpectedValue(given.typed.to_owned()));
            }
            match switch.key {
                // Unreachable in practice: `early_command` has seen every
                // bare switch before `--` already.
                Key::Help => return Ok(Command::Help),
                Key::Version => return Ok(Command::Version),
                key => builder.set(key, given.typed, Parsed::Flag)?,
            }
            continue;
        };
        let value = match given.value {
            Some(value) => value.to_owned(),
            None if given.long => match args.next() {
                Some(next) if next != "--" => decode(next)?,
                _ => return Err(ParseError::MissingValue(given.typed.to_owned())),
            },
            None => return Err(ParseError::MissingValue(given.typed.to_owned())),
        };
        // Checks, in this order: duplicate, empty value, invalid value.
        if builder.given.contains(&switch.key) {
            return Err(ParseError::Duplicate(given.typed.to_owned()));
        }
        if value.is_empty() {
            return Err(ParseError::EmptyValue(given.typed.to_owned()));
        }
        let parsed = read(takes.kind, given.typed, value)?;
        builder.set(switch.key, given.typed, parsed)?;
    }
    builder.finish(verb)
}

/// An argument that starts with `/`, `-` or `--`, taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Given<'a> {
    /// Prefix and name as typed, without separator and value: `"/Server"`.
    typed: &'a str,
    /// The name without prefix: `"Server"`.
    name: &'a str,
    /// Everything after the first `:` or `=`, if there is one.
    value: Option<&'a str>,
    /// Whether the prefix was `--`.
    long: bool,
}

impl<'a> Given<'a> {
    fn split(arg: &'a str) -> Option<Self> {
        let prefix_len = if arg.starts_with("--") {
            2
        } else if arg.starts_with(['/', '-']) {
            1
        } else {
            return None;
        };
        let long = prefix_len == 2;
        let body = &arg[prefix_len..];
        Some(match body.find([':', '=']) {
            Some(at) => Given {
                typed: &arg[..prefix_len + at],
                name: &body[..at],
                value: Some(&body[at + 1..]),
                long,
            },
            None => Given {
                typed: arg,
                name: body,
                value: None,
                long,
            },
        })
    }
}

/// Looks for a bare help or version switch before `--`; help wins.
fn early_command(verb: Verb, args: &[OsString]) -> Option<Command> {
    let mut version = false;
    for arg in args.iter().take_while(|arg| arg.as_os_str() != "--") {
        let Some(given) = arg.to_str().and_then(Given::split) else {
            continue;
        };
        if given.value.is_some() {
            continue;
        }
        match verb.find(given.name).map(|s| s.key) {
            Some(Key::Help) => return Some(Command::Help),
            Some(Key::Version) => version = true,
            _ => {}
        }
    }
    version.then_some(Command::Version)
}

fn decode(arg: OsString) -> Result<String, ParseError> {
    arg.into_string()
        .map_err(|arg| ParseError::NotUnicode(arg.to_string_lossy().into_owned()))
}

/// A switch's value, read as its [`Kind`] says.
#[derive(Debug)]
enum Parsed {
    Flag,
    Servers(Servers),
    Text(String),
    Seconds(Duration),
    Count(NonZeroUsize),
    Backend(Choice),
}

/// `/idle`'s duration: `90s`, `30m`, `2h`, `1d`, several in that order (`1h30m`), or a bare
/// number of minutes; ASCII, any letter case, no spaces. Above zero, at most [`MAX_IDLE`].
fn parse_idle(value: &str) -> Option<Duration> {
    if is_ascii_digits(value) {
        let minutes: u64 = value.parse().ok()?;
        return Some(Duration::from_secs(minutes.checked_mul(60)?))
            .filter(|d| !d.is_zero() && *d <= MAX_IDLE);
    }
    let mut total: u64 = 0;
    let mut last_unit = u64::MAX;
    let mut rest = value;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let mut chars = tail.chars();
        let unit = match chars.next()?.to_ascii_lowercase() {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        // Each unit once, largest first: `30m1h` and `1h1h` are typos, not durations.
        if !is_ascii_digits(number) || unit >= last_unit {
            return None;
        }
        last_unit = unit;
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        rest = chars.as_str();
    }
    Some(Duration::from_secs(total)).filter(|d| !d.is_zero() && *d <= MAX_IDLE)
}

/// Reads a non-empty value; `typed` is the switch as typed, for errors.
fn read(kind: Kind, typed: &str, value: String) -> Result<Parsed, ParseError> {
    let invalid = || ParseError::InvalidValue(typed.to_owned(), value.clone());
    match kind {
        Kind::Hosts => parse_servers(typed, &value).map(Parsed::Servers),
        Kind::User => Ok(Parsed::Text(value)),
        Kind::Seconds { min, max, .. } => parse_seconds(&value)
            .filter(|t| (min..=max).contains(t))
            .map(Parsed::Seconds)
            .ok_or_else(invalid),
        Kind::Count { min, max, .. } => parse_count(&value)
            .filter(|n| (min..=max).contains(&n.get()))
            .map(Parsed::Count)
            .ok_or_else(invalid),
        // A blank warning warns nobody.
        Kind::Text if value.trim().is_empty() => Err(ParseError::EmptyValue(typed.to_owned())),
        Kind::Text => Ok(Parsed::Text(value)),
        Kind::Duration => parse_idle(&value).map(Parsed::Seconds).ok_or_else(invalid),
        Kind::Backend => match value.to_ascii_lowercase().as_str() {
            "logind" => Ok(Parsed::Backend(Choice::Logind)),
            "proc" => Ok(Parsed::Backend(Choice::Proc)),
            _ => Err(invalid()),
        },
        Kind::State => ["disc", "disconnected"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&value))
            .then_some(Parsed::Flag)
            .ok_or_else(invalid),
    }
}

/// Collects options; `None` means "not given yet".
#[derive(Debug, Default)]
struct Builder {
    /// The value switches seen so far, to find duplicates (flags may be repeated).
    given: Vec<Key>,
    session: Option<String>,
    user: Option<String>,
    servers: Option<Servers>,
    verbose: bool,
    force_console: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    parallel: Option<NonZeroUsize>,
    json: bool,
    whatif: bool,
    message: Option<String>,
    delay: Option<Duration>,
    idle: Option<Duration>,
    disconnected: bool,
    yes: bool,
    backend: Choice,
}

impl Builder {
    fn positional(&mut self, arg: String) -> Result<(), ParseError> {
        if arg.is_empty() {
            return Err(ParseError::EmptyValue(String::from("session")));
        }
        if let Some(first) = &self.session {
            return Err(ParseError::TooManySessions(first.clone(), arg));
        }
        self.session = Some(arg);
        Ok(())
    }

    /// Where each switch's value goes in [`Options`].
    fn set(&mut self, key: Key, typed: &str, parsed: Parsed) -> Result<(), ParseError> {
        if !matches!(parsed, Parsed::Flag) || key == Key::State {
            self.given.push(key);
        }
        match (key, parsed) {
            (Key::Verbose, Parsed::Flag) => self.verbose = true,
            (Key::Force, Parsed::Flag) => self.force_console = true,
            (Key::Json, Parsed::Flag) => self.json = true,
            (Key::WhatIf, Parsed::Flag) => self.whatif = true,
            (Key::Server, Parsed::Servers(servers)) => self.servers = Some(servers),
            (Key::User, Parsed::Text(user)) => self.user = Some(user),
            (Key::Timeout, Parsed::Seconds(t)) => self.timeout = Some(t),
            (Key::ConnectTimeout, Parsed::Seconds(t)) => self.connect_timeout = Some(t),
            (Key::Parallel, Parsed::Count(n)) => self.parallel = Some(n),
            (Key::Message, Parsed::Text(text)) => self.message = Some(text),
            (Key::Delay, Parsed::Seconds(t)) => self.delay = Some(t),
            (Key::Idle, Parsed::Seconds(t)) => self.idle = Some(t),
            (Key::Disconnected | Key::State, Parsed::Flag) => self.disconnected = true,
            (Key::Yes, Parsed::Flag) => self.yes = true,
            (Key::Backend, Parsed::Backend(b)) => self.backend = b,
            // A key whose table entry says another kind of value (the table's tests rule this
            // out): the switch does not take what it was given.
            _ => return Err(ParseError::UnexpectedValue(typed.to_owned())),
        }
        Ok(())
    }

    fn finish(self, verb: Verb) -> Result<Command, ParseError> {
        // A logoff needs a target on another host: there is no current session there. A query
        // with no filter lists every session.
        if verb == Verb::Logoff {
            let by_state = self.idle.is_some() || self.disconnected;
            if self.session.is_some() && self.user.is_some() {
                return Err(ParseError::SessionAndUser);
            }
            if self.session.is_some() && by_state {
                return Err(ParseError::StateWithSession);
            }
            if self.servers.is_some() && self.session.is_none() && self.user.is_none() && !by_state
            {
                return Err(ParseError::ServerNeedsTarget);
            }
        }
        let options = Options {
            session: self.session,
            user: self.user,
            servers: self.servers,
            verbose: self.verbose,
            force_console: self.force_console,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            parallel: self.parallel.unwrap_or(DEFAULT_PARALLEL_NZ),
            json: self.json,
            whatif: self.whatif,
            message: self.message,
            delay: self.delay,
            idle: self.idle,
            disconnected: self.disconnected,
            yes: self.yes,
            backend: self.backend,
        };
        Ok(match verb {
            Verb::Logoff => Command::Logoff(options),
            Verb::Qwinsta | Verb::Quser => Command::Query(options),
        })
    }
}

/// `@FILE` or a comma-separated list; `value` is not empty.
fn parse_servers(typed: &str, value: &str) -> Result<Servers, ParseError> {
    let empty = || ParseError::EmptyValue(typed.to_owned());
    if let Some(file) = value.strip_prefix('@') {
        return if file.is_empty() {
            Err(empty())
        } else {
            Ok(Servers::File(PathBuf::from(file)))
        };
    }
    let hosts: Vec<String> = value.split(',').map(str::to_owned).collect();
    if hosts.iter().any(String::is_empty) {
        return Err(empty());
    }
    Ok(Servers::List(hosts))
}

fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Seconds as `DIGITS` or `DIGITS.DIGITS`, converted exactly (no floating
/// point); digits beyond nanoseconds are truncated. Signs, exponents, `inf`,
/// `nan`, whitespace, `.5` and `5.` are rejected.
fn parse_seconds(value: &str) -> Option<Duration> {
    let (whole, fraction) = match value.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (value, None),
    };
    if !is_ascii_digits(whole) {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    let nanos = match fraction {
        None => 0,
        Some(fraction) => {
            if !is_ascii_digits(fraction) {
                return None;
            }
            // Exactly nine digits: pad with zeros, drop the rest.
            let mut digits = fraction.bytes().chain(std::iter::repeat(b'0'));
            (0..9).fold(0u32, |nanos, _| {
                nanos * 10 + u32::from(digits.next().unwrap_or(b'0') - b'0')
            })
        }
    };
    Some(Duration::new(secs, nanos))
}

/// A positive decimal integer (ASCII digits only, no sign).
fn parse_count(value: &str) -> Option<NonZeroUsize> {
    if !is_ascii_digits(value) {
        return None;
    }
    value.parse::<NonZeroUsize>().ok()
}
