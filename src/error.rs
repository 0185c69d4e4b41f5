//! Every way `logoff` can fail, as a typed value that carries its exit code and the Fluent
//! message that explains it. Only `main` turns these into text.

use crate::cli::ParseError;
use crate::session::Session;

/// Documented exit codes (see `logoff /?` and the man page).
pub mod exit {
    /// Every target session is gone from its host.
    pub const OK: u8 = 0;
    /// Something unexpected: a D-Bus protocol error, an I/O error on our side.
    pub const INTERNAL: u8 = 1;
    /// Bad arguments: unknown switch, two sessions, empty or unsafe `/server:`, ...
    pub const USAGE: u8 = 2;
    /// No such session, the name is ambiguous or not active, or there is no current session.
    pub const NOT_FOUND: u8 = 3;
    /// logind (polkit) refused: the session belongs to someone else.
    pub const ACCESS_DENIED: u8 = 4;
    /// The target is a console session and `/force` was not given.
    pub const CONSOLE: u8 = 5;
    /// The session was still there, with processes, after the timeout and `SIGKILL`.
    pub const TIMED_OUT: u8 = 6;
    /// The host or its bus could not be reached: ssh failed, no bridge, no bus, no logind.
    pub const UNREACHABLE: u8 = 7;
    /// Several hosts: at least one failed (each host's own reason is on its line).
    pub const SOME_HOSTS_FAILED: u8 = 8;
    /// The admin answered no to the confirmation: nothing was ended.
    pub const DECLINED: u8 = 9;
    /// Interrupted (Ctrl-C, SIGTERM, SIGHUP): what was asked and what is left is reported.
    /// During a warning's delay that cancels the logoff: nothing is ended.
    pub const INTERRUPTED: u8 = 130;
}

/// Why a `/server:` name is refused before anything runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadHost {
    /// It would be read by ssh as an option (`-oProxyCommand=...`).
    LeadingDash,
    /// Whitespace or control characters: never a host name, often an injection attempt.
    Whitespace,
    /// Nothing left once the user and port are taken off.
    Empty,
    /// `host:port` with a port that is not 1..65535.
    BadPort,
}

/// Why a `/server:@FILE` host list could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostFileProblem {
    NotFound,
    PermissionDenied,
    IsDirectory,
    NotText,
    TooLarge,
    /// Any other I/O error, in the system's words.
    Other(String),
}

/// Displayed in English through the same catalog as every message (the audit log's wording);
/// users read it localized through [`output::text::error`](crate::output::text::error).
#[derive(Debug)]
pub enum Error {
    Usage(ParseError),
    BadHost {
        host: String,
        why: BadHost,
    },
    HostFile {
        path: String,
        problem: HostFileProblem,
    },
    HostFileEmpty {
        path: String,
    },
    NotFound {
        session: String,
        host: String,
        candidates: Vec<Session>,
    },
    Ambiguous {
        name: String,
        host: String,
        candidates: Vec<Session>,
    },
    NoCurrentSession,
    NoUserSession {
        user: String,
        host: String,
    },
    NoSuchUser {
        user: String,
        host: String,
    },
    NoUserSessionAnywhere {
        user: String,
        hosts: usize,
    },
    /// A listing found no session (`filter`: none matched it).
    NoMatch {
        filter: Option<String>,
        host: String,
    },
    AccessDenied {
        session: Box<Session>,
        host: String,
        reason: String,
    },
    Console {
        session: Box<Session>,
        host: String,
    },
    NoBus {
        host: String,
        reason: String,
    },
    NoLogind {
        host: String,
    },
    /// A host without logind whose login records could not be read.
    NoRecords {
        host: String,
        reason: String,
    },
    /// A host with neither systemd-stdio-bridge nor logoff to answer over ssh.
    NoAgent {
        host: String,
    },
    /// The host's logoff answered as the agent, but in another protocol (`theirs`: its version).
    AgentMismatch {
        host: String,
        theirs: String,
    },
    LogindFailed {
        host: String,
        reason: String,
    },
    NoAnswer {
        host: String,
        secs: f64,
    },
    Unreachable {
        host: String,
        reason: String,
    },
    AuthFailed {
        host: String,
        reason: String,
    },
    NoBridge {
        host: String,
        reason: String,
    },
    ConnectTimeout {
        host: String,
        secs: f64,
    },
    NoReply {
        host: String,
        secs: f64,
    },
    NoSsh {
        reason: String,
    },
    Bus {
        host: String,
        reason: String,
    },
    Interrupted {
        signal: &'static str,
    },
    /// Interrupted during a warning's delay: nothing was ended there, and `told` of the
    /// `warned` sessions were told so.
    Cancelled {
        host: String,
        signal: &'static str,
        told: usize,
        warned: usize,
    },
    /// The confirmation was answered no.
    Declined,
    /// Hosts that could not be looked at before the confirmation: nothing was asked or ended.
    NotLookedAt {
        hosts: usize,
    },
    Output {
        reason: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let english = crate::i18n::Localizer::for_locale("en");
        f.write_str(&crate::output::text::error(&english, self))
    }
}

impl std::error::Error for Error {}

impl From<ParseError> for Error {
    fn from(p: ParseError) -> Self {
        Error::Usage(p)
    }
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        use Error::*;
        match self {
            Usage(_) | BadHost { .. } | HostFile { .. } | HostFileEmpty { .. } => exit::USAGE,
            NotFound { .. }
            | Ambiguous { .. }
            | NoCurrentSession
            | NoUserSession { .. }
            | NoSuchUser { .. }
            | NoUserSessionAnywhere { .. }
            | NoMatch { .. } => exit::NOT_FOUND,
            AccessDenied { .. } => exit::ACCESS_DENIED,
            Console { .. } => exit::CONSOLE,
            NoBus { .. }
            | NoLogind { .. }
            | NoRecords { .. }
            | NoAgent { .. }
            | AgentMismatch { .. }
            | LogindFailed { .. }
            | NoAnswer { .. }
            | Unreachable { .. }
            | AuthFailed { .. }
            | NoBridge { .. }
            | ConnectTimeout { .. }
            | NoReply { .. }
            | NoSsh { .. } => exit::UNREACHABLE,
            Bus { .. } | Output { .. } => exit::INTERNAL,
            Interrupted { .. } | Cancelled { .. } => exit::INTERRUPTED,
            Declined => exit::DECLINED,
            NotLookedAt { .. } => exit::SOME_HOSTS_FAILED,
        }
    }

    /// Whether the usage text should follow the message (bad command lines only).
    pub fn wants_usage(&self) -> bool {
        matches!(self, Error::Usage(_) | Error::BadHost { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_per_class() {
        let codes = [
            exit::OK,
            exit::INTERNAL,
            exit::USAGE,
            exit::NOT_FOUND,
            exit::ACCESS_DENIED,
            exit::CONSOLE,
            exit::TIMED_OUT,
            exit::UNREACHABLE,
            exit::SOME_HOSTS_FAILED,
            exit::DECLINED,
            exit::INTERRUPTED,
        ];
        let mut sorted = codes.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
    }

    #[test]
    fn the_text_of_an_error_is_its_english_message() {
        let e = Error::Interrupted { signal: "SIGINT" };
        assert_eq!(e.to_string(), "interrupted by SIGINT");
        let e = Error::NoLogind {
            host: "h\x1b".into(),
        };
        assert!(
            e.to_string()
                .starts_with("systemd-logind is not running on h\\u{1b} ")
        );
    }

    #[test]
    fn errors_map_to_their_codes() {
        assert_eq!(Error::NoCurrentSession.exit_code(), exit::NOT_FOUND);
        assert_eq!(
            Error::Usage(ParseError::SessionAndUser).exit_code(),
            exit::USAGE
        );
        let e = Error::NoLogind { host: "h".into() };
        assert_eq!(e.exit_code(), exit::UNREACHABLE);
        assert!(
            Error::BadHost {
                host: "-x".into(),
                why: BadHost::LeadingDash
            }
            .wants_usage()
        );
        assert!(!e.wants_usage());
    }
}
