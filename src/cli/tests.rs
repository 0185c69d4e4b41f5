//! The parser's tests: every switch in every spelling, every error, and the order of errors.
//! The table's own consistency (names, catalogs, man page) is tested in `generate`.

use super::*;
use std::os::unix::ffi::OsStringExt;

// ---- helpers ---------------------------------------------------------

fn run<S: AsRef<str>>(args: &[S]) -> Result<Command, ParseError> {
    parse(
        Verb::Logoff,
        args.iter().map(|arg| OsString::from(arg.as_ref())),
    )
}

#[track_caller]
fn opts<S: AsRef<str> + std::fmt::Debug>(args: &[S]) -> Options {
    match run(args) {
        Ok(Command::Logoff(options)) => options,
        other => panic!("{args:?}: expected Ok(Logoff(..)), got {other:?}"),
    }
}

#[track_caller]
fn err<S: AsRef<str> + std::fmt::Debug>(args: &[S]) -> ParseError {
    match run(args) {
        Err(error) => error,
        other => panic!("{args:?}: expected Err(..), got {other:?}"),
    }
}

/// `Options::default()` changed by `f`.
fn with(f: impl FnOnce(&mut Options)) -> Options {
    let mut options = Options::default();
    f(&mut options);
    options
}

fn session(name: &str) -> Options {
    with(|o| o.session = Some(name.to_owned()))
}

fn list(hosts: &[&str]) -> Option<Servers> {
    Some(Servers::List(hosts.iter().map(|&h| h.to_owned()).collect()))
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn not_utf8(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

const PREFIXES: [&str; 3] = ["/", "-", "--"];

/// lower, UPPER, and alternating case (`sErVeR`).
fn casings(name: &str) -> Vec<String> {
    let alternating: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let mut out = vec![
        name.to_ascii_lowercase(),
        name.to_ascii_uppercase(),
        alternating,
    ];
    let mut unique = Vec::new();
    for cased in out.drain(..) {
        if !unique.contains(&cased) {
            unique.push(cased);
        }
    }
    unique
}

/// Every prefix × every casing of every name, e.g. `/V`, `--verbose`.
fn flag_spellings(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        for prefix in PREFIXES {
            for cased in casings(name) {
                out.push(format!("{prefix}{cased}"));
            }
        }
    }
    out
}

/// Every prefix × casing × separator (`:`, `=`), plus `--name value`.
/// Each entry is the list of arguments and the option as typed.
fn value_spellings(names: &[&str], value: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for name in names {
        for prefix in PREFIXES {
            for cased in casings(name) {
                let typed = format!("{prefix}{cased}");
                for sep in [":", "="] {
                    out.push((vec![format!("{typed}{sep}{value}")], typed.clone()));
                }
                if prefix == "--" {
                    out.push((vec![typed.clone(), value.to_owned()], typed));
                }
            }
        }
    }
    out
}

#[test]
fn spelling_generators_cover_every_form() {
    assert_eq!(
        flag_spellings(&["v"]),
        ["/v", "/V", "-v", "-V", "--v", "--V"]
    );
    assert_eq!(flag_spellings(&["?"]), ["/?", "-?", "--?"]);
    assert_eq!(flag_spellings(&["verbose"]).len(), 9);
    assert!(flag_spellings(&["verbose"]).contains(&s("-vErBoSe")));
    let values = value_spellings(&["user"], "x");
    // 3 prefixes × 3 casings × 2 separators + 3 separate-argument forms
    assert_eq!(values.len(), 21);
    assert!(values.contains(&(vec![s("/uSeR:x")], s("/uSeR"))));
    assert!(values.contains(&(vec![s("-USER=x")], s("-USER"))));
    assert!(values.contains(&(vec![s("--user"), s("x")], s("--user"))));
}

// ---- constants and defaults -------------------------------------------

#[test]
fn defaults() {
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_PARALLEL, 16);
    let options = Options::default();
    assert_eq!(options.session, None);
    assert_eq!(options.user, None);
    assert_eq!(options.servers, None);
    assert!(!options.verbose);
    assert!(!options.force_console);
    assert_eq!(options.timeout, DEFAULT_TIMEOUT);
    assert_eq!(options.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(options.parallel.get(), DEFAULT_PARALLEL);
}

#[test]
fn no_arguments_is_logoff_with_defaults() {
    assert_eq!(run::<&str>(&[]), Ok(Command::Logoff(Options::default())));
    assert_eq!(
        parse(Verb::Logoff, std::iter::empty::<OsString>()),
        Ok(Command::Logoff(Options::default()))
    );
}

#[test]
fn accepts_any_into_os_string_item() {
    let expected = Ok(Command::Logoff(session("3")));
    assert_eq!(parse(Verb::Logoff, ["3"]), expected);
    assert_eq!(parse(Verb::Logoff, vec![String::from("3")]), expected);
    assert_eq!(parse(Verb::Logoff, vec![OsString::from("3")]), expected);
    assert_eq!(parse(Verb::Logoff, &[String::from("3")]), expected);
}

// ---- positional --------------------------------------------------------

#[test]
fn session_positional() {
    for name in [
        "0",
        "2",
        "65536",
        "console",
        "rdp-tcp#0",
        "tty7",
        "Sitzung-ä",
        "a b",
        "a:b",
        "a=b",
        "@x",
        "/dev/pts/3",
        "/dev/tty2",
    ] {
        assert_eq!(opts(&[name]), session(name), "{name:?}");
    }
}

#[test]
fn session_position_does_not_matter() {
    let expected = with(|o| {
        o.session = Some(s("5"));
        o.verbose = true;
    });
    assert_eq!(opts(&["5", "/v"]), expected);
    assert_eq!(opts(&["/v", "5"]), expected);
}

#[test]
fn too_many_sessions() {
    let cases: &[(&[&str], (&str, &str))] = &[
        (&["1", "2"], ("1", "2")),
        (&["1", "/v", "2"], ("1", "2")),
        (&["a", "b", "c"], ("a", "b")),
        (&["console", "rdp-tcp#1"], ("console", "rdp-tcp#1")),
        (&["--", "a", "b"], ("a", "b")),
        (&["a", "--", "b"], ("a", "b")),
        (&["a", "--", "--"], ("a", "--")),
    ];
    for (args, (first, second)) in cases {
        assert_eq!(
            err(args),
            ParseError::TooManySessions(s(first), s(second)),
            "{args:?}"
        );
    }
}

#[test]
fn empty_session_is_rejected() {
    let cases: &[&[&str]] = &[&[""], &["--", ""], &["/v", ""], &["1", ""], &["", "1"]];
    for args in cases {
        assert_eq!(err(args), ParseError::EmptyValue(s("session")), "{args:?}");
    }
}

// ---- flags -------------------------------------------------------------

#[test]
fn verbose_every_spelling() {
    let spellings = flag_spellings(&["v", "verbose"]);
    assert_eq!(spellings.len(), 6 + 9);
    for arg in spellings {
        assert_eq!(opts(&[&arg]), with(|o| o.verbose = true), "{arg}");
        assert_eq!(
            opts(&[&arg, "7"]),
            with(|o| {
                o.verbose = true;
                o.session = Some(s("7"));
            }),
            "{arg}"
        );
    }
}

#[test]
fn verbose_literal_spellings() {
    for arg in [
        "/v",
        "/V",
        "-v",
        "-V",
        "--v",
        "--V",
        "/verbose",
        "/VERBOSE",
        "-verbose",
        "--verbose",
        "--Verbose",
    ] {
        assert!(opts(&[arg]).verbose, "{arg}");
    }
}

#[test]
fn force_every_spelling() {
    for arg in flag_spellings(&["force"]) {
        assert_eq!(opts(&[&arg]), with(|o| o.force_console = true), "{arg}");
    }
    for arg in ["/force", "/FORCE", "-Force", "--force", "--FoRcE"] {
        assert!(opts(&[arg]).force_console, "{arg}");
    }
}

#[test]
fn flags_may_be_repeated() {
    assert_eq!(
        opts(&["/v", "-V", "--verbose", "/VERBOSE"]),
        with(|o| o.verbose = true)
    );
    assert_eq!(
        opts(&["/force", "--force"]),
        with(|o| o.force_console = true)
    );
    assert_eq!(run(&["/?", "/?", "-h"]), Ok(Command::Help));
    assert_eq!(run(&["--version", "/version"]), Ok(Command::Version));
}

#[test]
fn flags_with_a_value_are_rejected() {
    let cases: &[(&str, &str)] = &[
        ("/v:1", "/v"),
        ("/V:", "/V"),
        ("/v=1", "/v"),
        ("-v:x", "-v"),
        ("-V=yes", "-V"),
        ("--v=", "--v"),
        ("--verbose=yes", "--verbose"),
        ("--VERBOSE:1", "--VERBOSE"),
        ("/verbose:true", "/verbose"),
        ("/force:", "/force"),
        ("--force=yes", "--force"),
        ("-FORCE:1", "-FORCE"),
        ("--help=1", "--help"),
        ("--help=", "--help"),
        ("/?:x", "/?"),
        ("-?=x", "-?"),
        ("/H:yes", "/H"),
        ("-h=1", "-h"),
        ("/help:me", "/help"),
        ("--version=2", "--version"),
        ("/Version:", "/Version"),
    ];
    for &(arg, typed) in cases {
        assert_eq!(err(&[arg]), ParseError::UnexpectedValue(s(typed)), "{arg}");
        assert_eq!(
            err(&["1", arg]),
            ParseError::UnexpectedValue(s(typed)),
            "{arg}"
        );
    }
}

#[test]
fn flags_never_take_the_next_argument() {
    assert_eq!(
        opts(&["--verbose", "yes"]),
        with(|o| {
            o.verbose = true;
            o.session = Some(s("yes"));
        })
    );
    assert_eq!(
        opts(&["--force", "2"]),
        with(|o| {
            o.force_console = true;
            o.session = Some(s("2"));
        })
    );
}

// ---- help and version --------------------------------------------------

#[test]
fn help_every_spelling() {
    let spellings = flag_spellings(&["?", "h", "help"]);
    assert_eq!(spellings.len(), 3 + 6 + 9);
    for arg in spellings {
        assert_eq!(run(&[&arg]), Ok(Command::Help), "{arg}");
    }
    for arg in [
        "/?", "-?", "-h", "-H", "/h", "/H", "--help", "--HELP", "/help", "/Help", "-help", "--h",
        "--?",
    ] {
        assert_eq!(run(&[arg]), Ok(Command::Help), "{arg}");
    }
}

#[test]
fn version_every_spelling() {
    for arg in flag_spellings(&["version"]) {
        assert_eq!(run(&[&arg]), Ok(Command::Version), "{arg}");
    }
    for arg in ["--version", "--VERSION", "/version", "-version", "/Version"] {
        assert_eq!(run(&[arg]), Ok(Command::Version), "{arg}");
    }
}

#[test]
fn help_wins_over_everything_before_double_dash() {
    let cases: &[&[&str]] = &[
        &["/bogus", "/?"],
        &["/?", "/bogus"],
        &["1", "2", "-h"],
        &["/server:", "--help"],
        &["/server", "/?"],
        &["/server:x", "/?"],
        &["1", "/user:x", "/?"],
        &["/v:1", "-H"],
        &["/timeout:x", "/help"],
        &["/parallel:0", "/?"],
        &["/user:a", "/user:b", "/?"],
        &["", "/?"],
        &["--version", "/?"],
        &["/?", "--version"],
        &["--help=1", "/?"],
        &["/?", "--"],
        &["/?", "--", "a", "b"],
        // Even where the help switch would be an option's value.
        &["--server", "/?"],
        &["--user", "-h"],
        &["--timeout", "--help"],
    ];
    for args in cases {
        assert_eq!(run(args), Ok(Command::Help), "{args:?}");
    }
}

#[test]
fn help_wins_over_non_utf8_arguments() {
    let args = [not_utf8(b"\xff"), OsString::from("/?")];
    assert_eq!(parse(Verb::Logoff, args), Ok(Command::Help));
    let args = [OsString::from("-h"), not_utf8(b"\xff")];
    assert_eq!(parse(Verb::Logoff, args), Ok(Command::Help));
}

#[test]
fn version_wins_over_everything_but_help() {
    let cases: &[&[&str]] = &[
        &["--version", "/bogus"],
        &["/bogus", "--VERSION"],
        &["1", "2", "/version"],
        &["/server:x", "-version"],
        &["/server:", "--version"],
        &["--version=1", "--version"],
        &["--user", "--version"],
        &["--version", "--", "a", "b"],
    ];
    for args in cases {
        assert_eq!(run(args), Ok(Command::Version), "{args:?}");
    }
    let args = [not_utf8(b"\xfe"), OsString::from("--version")];
    assert_eq!(parse(Verb::Logoff, args), Ok(Command::Version));
}

#[test]
fn help_and_version_after_double_dash_are_sessions() {
    for arg in ["/?", "-h", "--help", "--version", "/version"] {
        assert_eq!(opts(&["--", arg]), session(arg), "{arg}");
    }
    // So they don't win either.
    assert_eq!(
        err(&["/bogus", "--", "/?"]),
        ParseError::UnknownSwitch(s("/bogus"))
    );
    assert_eq!(
        err(&["/bogus", "--", "--version"]),
        ParseError::UnknownSwitch(s("/bogus"))
    );
}

// ---- /server -------------------------------------------------------------

#[test]
fn server_every_spelling() {
    let spellings = value_spellings(&["server"], "host1");
    assert_eq!(spellings.len(), 21);
    for (args, typed) in spellings {
        let mut line = args.clone();
        line.push(s("2"));
        assert_eq!(
            opts(&line),
            with(|o| {
                o.servers = list(&["host1"]);
                o.session = Some(s("2"));
            }),
            "{line:?}"
        );
        // Every spelling also reports itself as typed.
        let mut line = args.clone();
        line.extend([s("/server:other"), s("2")]);
        assert_eq!(err(&line), ParseError::Duplicate(s("/server")), "{line:?}");
        let mut line = vec![s("-Server:first")];
        line.extend(args);
        assert_eq!(err(&line), ParseError::Duplicate(typed), "{line:?}");
    }
}

#[test]
fn server_values() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["/server:a"], &["a"]),
        (&["/server:a,b,c"], &["a", "b", "c"]),
        (&["/Server:x"], &["x"]),
        (&["--SERVER=x"], &["x"]),
        (&["-SERVER:x"], &["x"]),
        (&["/server:host:2222"], &["host:2222"]),
        (&["/server:a:1,b:2"], &["a:1", "b:2"]),
        (&["/server:[::1]:22"], &["[::1]:22"]),
        (&["/server:a=b"], &["a=b"]),
        (&["/server=a:b"], &["a:b"]),
        (&["--server=a=b"], &["a=b"]),
        (&["--server=h:1"], &["h:1"]),
        (&["--server:h=1"], &["h=1"]),
        (&["--server", "a:b,c=d"], &["a:b", "c=d"]),
        (&["--server", "-dash"], &["-dash"]),
        (&["--server", "/v"], &["/v"]),
        (&["/server:a,@b"], &["a", "@b"]),
        // Not trimmed, not validated here.
        (&["/server: a , b "], &[" a ", " b "]),
        (&["/server:-x"], &["-x"]),
        (&["/server:a,a"], &["a", "a"]),
        (&["/server:user@host"], &["user@host"]),
    ];
    for (args, hosts) in cases {
        let mut line = args.to_vec();
        line.push("1");
        assert_eq!(
            opts(&line),
            with(|o| {
                o.servers = list(hosts);
                o.session = Some(s("1"));
            }),
            "{line:?}"
        );
    }
}

#[test]
fn server_file() {
    let cases: &[(&[&str], &str)] = &[
        (&["/server:@hosts.txt"], "hosts.txt"),
        (&["/SERVER:@/etc/logoff/hosts"], "/etc/logoff/hosts"),
        (&["-server=@h"], "h"),
        (&["--server=@a,b"], "a,b"),
        (&["--server", "@list"], "list"),
        (&["/server:@@x"], "@x"),
        (&["/server:@a:b=c"], "a:b=c"),
        (&["/server:@ "], " "),
    ];
    for (args, file) in cases {
        let mut line = args.to_vec();
        line.push("/user:bob");
        assert_eq!(
            opts(&line),
            with(|o| {
                o.servers = Some(Servers::File(PathBuf::from(file)));
                o.user = Some(s("bob"));
            }),
            "{line:?}"
        );
    }
}

#[test]
fn server_empty_values() {
    let cases: &[(&[&str], &str)] = &[
        (&["/server:"], "/server"),
        (&["/server="], "/server"),
        (&["-Server:"], "-Server"),
        (&["--server="], "--server"),
        (&["--SERVER:"], "--SERVER"),
        (&["--server", ""], "--server"),
        (&["/server:@"], "/server"),
        (&["--server", "@"], "--server"),
        (&["/server:a,,b"], "/server"),
        (&["/server:a,"], "/server"),
        (&["/server:,a"], "/server"),
        (&["/server:,"], "/server"),
        (&["/server:,,"], "/server"),
        (&["--server=a,,b"], "--server"),
    ];
    for (args, typed) in cases {
        let mut line = args.to_vec();
        line.push("1");
        assert_eq!(err(&line), ParseError::EmptyValue(s(typed)), "{line:?}");
    }
}

#[test]
fn server_needs_a_target() {
    let cases: &[&[&str]] = &[
        &["/server:h"],
        &["/server:h", "/v"],
        &["--server", "a,b", "/force", "/timeout:1"],
        &["/server:@hosts"],
    ];
    for args in cases {
        assert_eq!(err(args), ParseError::ServerNeedsTarget, "{args:?}");
    }
    assert_eq!(opts(&["/server:h", "1"]).session, Some(s("1")));
    assert_eq!(opts(&["/server:h", "/user:u"]).user, Some(s("u")));
    assert_eq!(opts(&["/server:h", "--", "3"]).session, Some(s("3")));
}

// ---- /user -------------------------------------------------------------

#[test]
fn user_every_spelling() {
    for (args, typed) in value_spellings(&["user"], "alice") {
        assert_eq!(opts(&args), with(|o| o.user = Some(s("alice"))), "{args:?}");
        let mut line = args.clone();
        line.push(s("/user:bob"));
        assert_eq!(err(&line), ParseError::Duplicate(s("/user")), "{line:?}");
        let mut line = vec![s("--user=bob")];
        line.extend(args);
        assert_eq!(err(&line), ParseError::Duplicate(typed), "{line:?}");
    }
}

#[test]
fn user_values() {
    let cases: &[(&[&str], &str)] = &[
        (&["/user:alice"], "alice"),
        (&["/USER:Alice"], "Alice"),
        (&["/user:DOMAIN\\bob"], "DOMAIN\\bob"),
        (&["/user:a:b"], "a:b"),
        (&["/user:a=b"], "a=b"),
        (&["--user=a:b=c"], "a:b=c"),
        (&["--user", "-bob"], "-bob"),
        (&["--user", "/v"], "/v"),
        (&["/user:a,b"], "a,b"),
        (&["/user:@x"], "@x"),
        (&["/user: "], " "),
        (&["/user:1000"], "1000"),
    ];
    for (args, user) in cases {
        assert_eq!(opts(args), with(|o| o.user = Some(s(user))), "{args:?}");
    }
}

#[test]
fn user_empty_value() {
    let cases: &[(&[&str], &str)] = &[
        (&["/user:"], "/user"),
        (&["-USER="], "-USER"),
        (&["--user="], "--user"),
        (&["--user", ""], "--user"),
    ];
    for (args, typed) in cases {
        assert_eq!(err(args), ParseError::EmptyValue(s(typed)), "{args:?}");
    }
}

#[test]
fn session_and_user_conflict() {
    let cases: &[&[&str]] = &[
        &["1", "/user:bob"],
        &["/user:bob", "1"],
        &["/user:bob", "--", "1"],
        &["/server:h", "console", "--user", "x"],
    ];
    for args in cases {
        assert_eq!(err(args), ParseError::SessionAndUser, "{args:?}");
    }
}

// ---- /timeout and /connect-timeout ---------------------------------------

const VALID_SECONDS: &[(&str, Duration)] = &[
    ("1", Duration::from_secs(1)),
    ("10", Duration::from_secs(10)),
    ("007", Duration::from_secs(7)),
    ("0.5", Duration::from_millis(500)),
    ("1.25", Duration::from_millis(1250)),
    ("2.000", Duration::from_secs(2)),
    ("0.001", Duration::from_millis(1)),
    ("1.123456789", Duration::new(1, 123_456_789)),
    ("1.0000000019", Duration::new(1, 1)),
    ("3600", Duration::from_secs(3600)),
    ("86400", MAX_SECONDS),
    ("86400.000", MAX_SECONDS),
];

const INVALID_SECONDS: &[&str] = &[
    "-1",
    "-0",
    "+5",
    "abc",
    "1e3",
    "1E3",
    "inf",
    "Infinity",
    "nan",
    "NaN",
    ".5",
    "5.",
    ".",
    "1.2.3",
    " 5",
    "5 ",
    "1,5",
    "5s",
    "0x10",
    "1_000",
    "٣",
    "１",
    "18446744073709551616",
    "18446744073709551615",
    "86400.000000001",
    "86401",
    "1.-5",
    "1.+5",
];

#[test]
fn timeout_every_spelling() {
    for (args, typed) in value_spellings(&["timeout"], "2.5") {
        assert_eq!(
            opts(&args),
            with(|o| o.timeout = Duration::from_millis(2500)),
            "{args:?}"
        );
        let mut line = args.clone();
        line.push(s("/timeout:1"));
        assert_eq!(err(&line), ParseError::Duplicate(s("/timeout")), "{line:?}");
        let mut line = vec![s("/timeout:1")];
        line.extend(args);
        assert_eq!(err(&line), ParseError::Duplicate(typed), "{line:?}");
    }
}

#[test]
fn timeout_valid_values() {
    for &(value, expected) in VALID_SECONDS.iter().chain(&[
        ("0", Duration::ZERO),
        ("0.0", Duration::ZERO),
        ("000", Duration::ZERO),
        ("0.0000000001", Duration::ZERO),
        ("0.000000001", Duration::from_nanos(1)),
    ]) {
        assert_eq!(
            opts(&[format!("/timeout:{value}")]).timeout,
            expected,
            "{value}"
        );
        assert_eq!(opts(&["--timeout", value]).timeout, expected, "{value}");
    }
}

#[test]
fn timeout_invalid_values() {
    for &value in INVALID_SECONDS {
        assert_eq!(
            err(&[format!("/Timeout:{value}")]),
            ParseError::InvalidValue(s("/Timeout"), s(value)),
            "{value}"
        );
        assert_eq!(
            err(&["--timeout", value]),
            ParseError::InvalidValue(s("--timeout"), s(value)),
            "{value}"
        );
    }
}

#[test]
fn timeout_empty_and_missing() {
    assert_eq!(err(&["/timeout:"]), ParseError::EmptyValue(s("/timeout")));
    assert_eq!(err(&["--timeout="]), ParseError::EmptyValue(s("--timeout")));
    assert_eq!(
        err(&["--timeout", ""]),
        ParseError::EmptyValue(s("--timeout"))
    );
    assert_eq!(err(&["/timeout"]), ParseError::MissingValue(s("/timeout")));
    assert_eq!(
        err(&["--timeout"]),
        ParseError::MissingValue(s("--timeout"))
    );
}

#[test]
fn connect_timeout_every_spelling() {
    let spellings = value_spellings(&["connect-timeout", "connecttimeout"], "0.25");
    assert_eq!(spellings.len(), 42);
    for (args, typed) in spellings {
        assert_eq!(
            opts(&args),
            with(|o| o.connect_timeout = Duration::from_millis(250)),
            "{args:?}"
        );
        // Both names are the same option.
        let mut line = args.clone();
        line.push(s("/connecttimeout:1"));
        assert_eq!(
            err(&line),
            ParseError::Duplicate(s("/connecttimeout")),
            "{line:?}"
        );
        let mut line = vec![s("--connect-timeout=1")];
        line.extend(args);
        assert_eq!(err(&line), ParseError::Duplicate(typed), "{line:?}");
    }
    assert_eq!(
        opts(&["--Connect-Timeout=3"]).connect_timeout,
        Duration::from_secs(3)
    );
    assert_eq!(
        opts(&["/CONNECTTIMEOUT:3"]).connect_timeout,
        Duration::from_secs(3)
    );
}

#[test]
fn connect_timeout_valid_values() {
    for &(value, expected) in VALID_SECONDS {
        assert_eq!(
            opts(&[format!("/connect-timeout:{value}")]).connect_timeout,
            expected,
            "{value}"
        );
        assert_eq!(
            opts(&["--connecttimeout", value]).connect_timeout,
            expected,
            "{value}"
        );
    }
}

#[test]
fn connect_timeout_must_be_positive() {
    // Zero, or under a millisecond: no bound ssh or a person could work with.
    let zeros = ["0", "0.0", "000", "0.000000000", "0.0000000001", "0.0009"];
    for value in INVALID_SECONDS.iter().chain(&zeros) {
        assert_eq!(
            err(&[format!("/connect-timeout:{value}")]),
            ParseError::InvalidValue(s("/connect-timeout"), s(value)),
            "{value}"
        );
        assert_eq!(
            err(&["--CONNECTTIMEOUT", value]),
            ParseError::InvalidValue(s("--CONNECTTIMEOUT"), s(value)),
            "{value}"
        );
    }
}

#[test]
fn connect_timeout_empty_and_missing() {
    assert_eq!(
        err(&["/connect-timeout:"]),
        ParseError::EmptyValue(s("/connect-timeout"))
    );
    assert_eq!(
        err(&["--connecttimeout="]),
        ParseError::EmptyValue(s("--connecttimeout"))
    );
    assert_eq!(
        err(&["-connect-timeout"]),
        ParseError::MissingValue(s("-connect-timeout"))
    );
    assert_eq!(
        err(&["--connect-timeout"]),
        ParseError::MissingValue(s("--connect-timeout"))
    );
}

// ---- /parallel -------------------------------------------------------------

#[test]
fn parallel_every_spelling() {
    for (args, typed) in value_spellings(&["parallel"], "4") {
        assert_eq!(
            opts(&args),
            with(|o| o.parallel = NonZeroUsize::new(4).unwrap()),
            "{args:?}"
        );
        let mut line = args.clone();
        line.push(s("/parallel:8"));
        assert_eq!(
            err(&line),
            ParseError::Duplicate(s("/parallel")),
            "{line:?}"
        );
        let mut line = vec![s("/parallel:8")];
        line.extend(args);
        assert_eq!(err(&line), ParseError::Duplicate(typed), "{line:?}");
    }
}

#[test]
fn parallel_values() {
    let valid: &[(&str, usize)] = &[("1", 1), ("16", 16), ("64", 64), ("007", 7), ("256", 256)];
    for &(value, expected) in valid {
        assert_eq!(
            opts(&[format!("/parallel:{value}")]).parallel.get(),
            expected,
            "{value}"
        );
    }
    let too_many = usize::MAX.to_string();
    let invalid = [
        "257",
        "1000",
        too_many.as_str(),
        "0",
        "00",
        "-1",
        "+4",
        "abc",
        "1.5",
        "1.0",
        "1e2",
        " 4",
        "4 ",
        "0x10",
        "٣",
        "99999999999999999999999999",
    ];
    for value in invalid {
        assert_eq!(
            err(&[format!("/PARALLEL:{value}")]),
            ParseError::InvalidValue(s("/PARALLEL"), s(value)),
            "{value}"
        );
        assert_eq!(
            err(&["--parallel", value]),
            ParseError::InvalidValue(s("--parallel"), s(value)),
            "{value}"
        );
    }
    assert_eq!(err(&["/parallel:"]), ParseError::EmptyValue(s("/parallel")));
    assert_eq!(
        err(&["--parallel", ""]),
        ParseError::EmptyValue(s("--parallel"))
    );
}

// ---- missing values ----------------------------------------------------------

#[test]
fn missing_values() {
    let cases: &[(&[&str], &str)] = &[
        (&["/server"], "/server"),
        (&["/SERVER"], "/SERVER"),
        (&["-server"], "-server"),
        (&["--server"], "--server"),
        (&["--Server"], "--Server"),
        (&["/user"], "/user"),
        (&["--user"], "--user"),
        (&["/timeout"], "/timeout"),
        (&["--parallel"], "--parallel"),
        (&["/parallel"], "/parallel"),
        (&["--connecttimeout"], "--connecttimeout"),
        // Single-prefix forms never take the next argument.
        (&["/server", "host"], "/server"),
        (&["-server", "host", "1"], "-server"),
        (&["-user", "bob"], "-user"),
        (&["/timeout", "5"], "/timeout"),
        // `--` is never a value.
        (&["--server", "--"], "--server"),
        (&["--user", "--", "x"], "--user"),
        (&["1", "--server"], "--server"),
    ];
    for (args, typed) in cases {
        assert_eq!(err(args), ParseError::MissingValue(s(typed)), "{args:?}");
    }
}

#[test]
fn long_value_takes_next_argument_verbatim() {
    assert_eq!(
        opts(&["--server", "/v", "1"]),
        with(|o| {
            o.servers = list(&["/v"]);
            o.session = Some(s("1"));
        })
    );
    assert_eq!(
        opts(&["--user", "--force"]),
        with(|o| o.user = Some(s("--force")))
    );
    assert_eq!(
        err(&["--timeout", "-1"]),
        ParseError::InvalidValue(s("--timeout"), s("-1"))
    );
    assert_eq!(
        err(&["--parallel", "--verbose"]),
        ParseError::InvalidValue(s("--parallel"), s("--verbose"))
    );
}

// ---- unknown switches ----------------------------------------------------------

#[test]
fn unknown_switches() {
    let cases = [
        "-",
        "/",
        "/x",
        "-x",
        "--x",
        "--bogus",
        "--bogus=1",
        "/bogus:1",
        "-bogus:a=b",
        "---v",
        "//v",
        "-/v",
        "/-v",
        "-5",
        "-1",
        "/0",
        "--=x",
        "/:x",
        "-:",
        "/=",
        "/serverx",
        "/servers:a",
        "/verbosee",
        "/ver",
        "/serv:x",
        "/u:bob",
        "/v1",
        "/connect_timeout:1",
        "/connect-timeout-x:1",
        "/connect:1",
        "/ v",
        "/v ",
        "--help-me",
        "-?x",
        "/??",
        "-hh",
        "/K",
        "/\u{212a}",
        "/ſerver:x",
        "/VERBOSE\u{0301}",
        "-é",
    ];
    for arg in cases {
        assert_eq!(err(&[arg]), ParseError::UnknownSwitch(s(arg)), "{arg}");
        assert_eq!(err(&["1", arg]), ParseError::UnknownSwitch(s(arg)), "{arg}");
    }
}

// ---- `--` ------------------------------------------------------------------------

#[test]
fn double_dash_ends_switches() {
    let cases: &[(&[&str], Options)] = &[
        (&["--"], Options::default()),
        (&["--", "-x"], session("-x")),
        (&["--", "/v"], session("/v")),
        (&["--", "--"], session("--")),
        (&["--", "-"], session("-")),
        (&["--", "/server:x"], session("/server:x")),
        (&["--", "--bogus=1"], session("--bogus=1")),
        (
            &["/v", "--", "2"],
            with(|o| {
                o.verbose = true;
                o.session = Some(s("2"));
            }),
        ),
        (&["2", "--"], session("2")),
        (
            &["/server:h", "--", "/user:bob"],
            with(|o| {
                o.servers = list(&["h"]);
                o.session = Some(s("/user:bob"));
            }),
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(opts(args), *expected, "{args:?}");
    }
    // A second `--` is positional, so it is a second session.
    assert_eq!(
        err(&["2", "--", "--"]),
        ParseError::TooManySessions(s("2"), s("--"))
    );
    // Switches after `--` are not parsed, so they can't make errors.
    assert_eq!(
        err(&["--", "/v", "/x"]),
        ParseError::TooManySessions(s("/v"), s("/x"))
    );
}

// ---- non-UTF-8 -------------------------------------------------------------------------

#[test]
fn non_utf8_arguments() {
    let cases: Vec<(Vec<OsString>, &str)> = vec![
        (vec![OsString::from_vec(vec![0xff])], "\u{fffd}"),
        (vec![OsString::from("a"), not_utf8(b"x\xffy")], "x\u{fffd}y"),
        (vec![OsString::from("--"), not_utf8(b"\xc3")], "\u{fffd}"),
        (vec![not_utf8(b"/server:\xff")], "/server:\u{fffd}"),
        (
            vec![OsString::from("--server"), not_utf8(b"h\x80")],
            "h\u{fffd}",
        ),
        (
            vec![OsString::from("--user"), not_utf8(b"\xfe\xff")],
            "\u{fffd}\u{fffd}",
        ),
        (
            vec![not_utf8(b"-\xff"), OsString::from("/bogus")],
            "-\u{fffd}",
        ),
        (
            vec![not_utf8(b"\xff"), OsString::from("1"), OsString::from("2")],
            "\u{fffd}",
        ),
    ];
    for (args, lossy) in cases {
        assert_eq!(
            parse(Verb::Logoff, args.clone()),
            Err(ParseError::NotUnicode(s(lossy))),
            "{args:?}"
        );
    }
    // Left to right: an earlier error wins.
    assert_eq!(
        parse(Verb::Logoff, [OsString::from("/bogus"), not_utf8(b"\xff")]),
        Err(ParseError::UnknownSwitch(s("/bogus")))
    );
}

// ---- error order and combinations -----------------------------------------------------

#[test]
fn first_error_wins() {
    let cases: &[(&[&str], ParseError)] = &[
        (
            &["/bogus", "/server:"],
            ParseError::UnknownSwitch(s("/bogus")),
        ),
        (
            &["/server:", "/bogus"],
            ParseError::EmptyValue(s("/server")),
        ),
        (
            &["1", "2", "/bogus"],
            ParseError::TooManySessions(s("1"), s("2")),
        ),
        (
            &["/bogus", "1", "2"],
            ParseError::UnknownSwitch(s("/bogus")),
        ),
        (&["/v:1", "/bogus"], ParseError::UnexpectedValue(s("/v"))),
        // Post-loop checks only run when every argument parsed.
        (
            &["1", "/user:x", "/bogus"],
            ParseError::UnknownSwitch(s("/bogus")),
        ),
        (
            &["/server:h", "/timeout:x"],
            ParseError::InvalidValue(s("/timeout"), s("x")),
        ),
        // A duplicate is reported before its value is looked at.
        (
            &["/timeout:1", "/timeout:x"],
            ParseError::Duplicate(s("/timeout")),
        ),
        (
            &["/server:a", "/server:"],
            ParseError::Duplicate(s("/server")),
        ),
        (&["/user:a", "--user="], ParseError::Duplicate(s("--user"))),
        (
            &["/parallel:2", "/parallel:0"],
            ParseError::Duplicate(s("/parallel")),
        ),
        // … but a missing value before the duplicate.
        (
            &["/server:a", "/server"],
            ParseError::MissingValue(s("/server")),
        ),
        // An invalid first occurrence is reported, not the duplicate.
        (
            &["/timeout:x", "/timeout:1"],
            ParseError::InvalidValue(s("/timeout"), s("x")),
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(err(args), *expected, "{args:?}");
    }
}

#[test]
fn everything_together() {
    let args = [
        "/server:a,b",
        "3",
        "/v",
        "--timeout=2.5",
        "--connect-timeout",
        "1",
        "--parallel=4",
        "/force",
    ];
    assert_eq!(
        run(&args),
        Ok(Command::Logoff(Options {
            session: Some(s("3")),
            user: None,
            servers: list(&["a", "b"]),
            verbose: true,
            force_console: true,
            timeout: Duration::from_millis(2500),
            connect_timeout: Duration::from_secs(1),
            parallel: NonZeroUsize::new(4).unwrap(),
            json: false,
            whatif: false,
            ..Options::default()
        }))
    );
    let args = [
        "-USER:bob",
        "-Server:@hosts",
        "-TimeOut:0",
        "-ConnectTimeout:0.1",
        "-Parallel:1",
        "-Verbose",
    ];
    assert_eq!(
        run(&args),
        Ok(Command::Logoff(Options {
            session: None,
            user: Some(s("bob")),
            servers: Some(Servers::File(PathBuf::from("hosts"))),
            verbose: true,
            force_console: false,
            timeout: Duration::ZERO,
            connect_timeout: Duration::from_millis(100),
            parallel: NonZeroUsize::new(1).unwrap(),
            json: false,
            whatif: false,
            ..Options::default()
        }))
    );
}

#[test]
fn windows_examples() {
    // From the `logoff` documentation.
    assert_eq!(opts(&["12"]), session("12"));
    assert_eq!(
        opts(&["12", "/server:Server64"]),
        with(|o| {
            o.session = Some(s("12"));
            o.servers = list(&["Server64"]);
        })
    );
    assert_eq!(
        opts(&["rdp-tcp#1", "/V"]),
        with(|o| {
            o.session = Some(s("rdp-tcp#1"));
            o.verbose = true;
        })
    );
    assert_eq!(run(&["/?"]), Ok(Command::Help));
}

// ---- error messages --------------------------------------------------------------------

#[test]
fn error_display() {
    let cases = [
        (ParseError::UnknownSwitch(s("/x")), "unknown switch '/x'"),
        (
            ParseError::TooManySessions(s("1"), s("2")),
            "more than one session given: '1' and '2'",
        ),
        (
            ParseError::MissingValue(s("/server")),
            "'/server' needs a value",
        ),
        (
            ParseError::EmptyValue(s("/user")),
            "'/user' has an empty value",
        ),
        (ParseError::UnexpectedValue(s("/v")), "'/v' takes no value"),
        (
            ParseError::InvalidValue(s("/timeout"), s("x")),
            "'x' is not a valid value for '/timeout'",
        ),
        (
            ParseError::Duplicate(s("/server")),
            "'/server' given more than once",
        ),
        (
            ParseError::SessionAndUser,
            "a session and /user can't be used together",
        ),
        (
            ParseError::ServerNeedsTarget,
            "/server needs a session ID, a session name, /user, /idle or /disconnected",
        ),
        (
            ParseError::NotUnicode(s("\u{fffd}")),
            "argument is not valid UTF-8: \u{fffd}",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
}

// ---- internals -------------------------------------------------------------------------

#[test]
fn switch_split() {
    const fn sw<'a>(
        typed: &'a str,
        name: &'a str,
        value: Option<&'a str>,
        long: bool,
    ) -> Option<Given<'a>> {
        Some(Given {
            typed,
            name,
            value,
            long,
        })
    }
    let cases: &[(&str, Option<Given<'_>>)] = &[
        ("x", None),
        ("", None),
        ("@x", None),
        ("/", sw("/", "", None, false)),
        ("-", sw("-", "", None, false)),
        ("--", sw("--", "", None, true)),
        ("/v", sw("/v", "v", None, false)),
        ("-v", sw("-v", "v", None, false)),
        ("--v", sw("--v", "v", None, true)),
        ("/a:b:c", sw("/a", "a", Some("b:c"), false)),
        ("/a=b:c", sw("/a", "a", Some("b:c"), false)),
        ("--a=b=c", sw("--a", "a", Some("b=c"), true)),
        ("--a:b=c", sw("--a", "a", Some("b=c"), true)),
        ("/a:", sw("/a", "a", Some(""), false)),
        ("---a", sw("---a", "-a", None, true)),
    ];
    for &(arg, expected) in cases {
        assert_eq!(Given::split(arg), expected, "{arg}");
    }
}

// ---- /json and /whatif --------------------------------------------------------------------

#[test]
fn json_every_spelling() {
    let spellings = flag_spellings(&["json"]);
    assert_eq!(spellings.len(), 9);
    for arg in &spellings {
        assert_eq!(opts(&[arg]), with(|o| o.json = true), "{arg}");
    }
    assert_eq!(opts(&["/json", "--JSON"]), with(|o| o.json = true));
    for (arg, typed) in [("/json:1", "/json"), ("--json=yes", "--json")] {
        assert_eq!(err(&[arg]), ParseError::UnexpectedValue(s(typed)), "{arg}");
    }
}

#[test]
fn whatif_every_spelling() {
    let spellings = flag_spellings(&["whatif", "dry-run"]);
    assert_eq!(spellings.len(), 18);
    for arg in spellings {
        assert_eq!(opts(&[&arg]), with(|o| o.whatif = true), "{arg}");
    }
    assert!(opts(&["--dry-run"]).whatif);
    assert_eq!(
        opts(&["12", "/whatif", "/json"]),
        with(|o| {
            o.session = Some(s("12"));
            o.whatif = true;
            o.json = true;
        })
    );
    assert_eq!(
        opts(&["/user:alice", "/server:@farm", "--dry-run"]),
        with(|o| {
            o.user = Some(s("alice"));
            o.servers = Some(Servers::File(PathBuf::from("farm")));
            o.whatif = true;
        })
    );
    // The rules of a real run hold.
    assert_eq!(
        err(&["/server:h", "/whatif"]),
        ParseError::ServerNeedsTarget
    );
    assert_eq!(
        err(&["1", "/user:u", "--dry-run"]),
        ParseError::SessionAndUser
    );
    assert_eq!(
        err(&["/whatif:yes"]),
        ParseError::UnexpectedValue(s("/whatif"))
    );
    assert_eq!(
        err(&["--dry-run=1"]),
        ParseError::UnexpectedValue(s("--dry-run"))
    );
}

// ---- verbs: qwinsta and quser -----------------------------------------------------------

const QUERIES: [Verb; 2] = [Verb::Qwinsta, Verb::Quser];

#[track_caller]
fn query(verb: Verb, args: &[&str]) -> Options {
    match parse(verb, args) {
        Ok(Command::Query(options)) => options,
        other => panic!("{verb:?} {args:?}: expected Ok(Query(..)), got {other:?}"),
    }
}

#[track_caller]
fn query_err(verb: Verb, args: &[&str]) -> ParseError {
    match parse(verb, args) {
        Err(error) => error,
        other => panic!("{verb:?} {args:?}: expected Err(..), got {other:?}"),
    }
}

#[test]
fn verb_names() {
    let names: Vec<&str> = Verb::ALL.iter().map(|v| v.name()).collect();
    assert_eq!(names, ["logoff", "qwinsta", "quser"]);
}

#[test]
fn a_query_with_no_arguments_lists_everything() {
    for verb in QUERIES {
        assert_eq!(
            parse(verb, std::iter::empty::<OsString>()),
            Ok(Command::Query(Options::default()))
        );
    }
}

#[test]
fn a_query_filter_is_the_session_field() {
    for verb in QUERIES {
        for filter in [
            "alice",
            "1000",
            "pts/1",
            "12",
            "c3",
            "console",
            "/dev/pts/3",
        ] {
            assert_eq!(query(verb, &[filter]), session(filter), "{verb:?} {filter}");
        }
        assert_eq!(query(verb, &["--", "/user:x"]), session("/user:x"));
        assert_eq!(
            query_err(verb, &["alice", "bob"]),
            ParseError::TooManySessions(s("alice"), s("bob"))
        );
        assert_eq!(query_err(verb, &[""]), ParseError::EmptyValue(s("session")));
    }
}

#[test]
fn a_query_takes_hosts_with_or_without_a_filter() {
    for verb in QUERIES {
        // No target needed: with no filter, every session of every host.
        assert_eq!(
            query(verb, &["/server:h"]),
            with(|o| o.servers = list(&["h"]))
        );
        assert_eq!(
            query(verb, &["/server:@hosts"]),
            with(|o| o.servers = Some(Servers::File(PathBuf::from("hosts"))))
        );
        // A filter means something on every host: several hosts are fine.
        assert_eq!(
            query(verb, &["/server:a,b", "pts/1"]),
            with(|o| {
                o.servers = list(&["a", "b"]);
                o.session = Some(s("pts/1"));
            })
        );
        assert_eq!(
            query(verb, &["alice", "--server", "a,b,c"]),
            with(|o| {
                o.servers = list(&["a", "b", "c"]);
                o.session = Some(s("alice"));
            })
        );
        assert_eq!(
            query_err(verb, &["/server:a", "/server:b"]),
            ParseError::Duplicate(s("/server"))
        );
        assert_eq!(
            query_err(verb, &["/server:a,,b"]),
            ParseError::EmptyValue(s("/server"))
        );
    }
    // logoff keeps its rule.
    assert_eq!(err(&["/server:h"]), ParseError::ServerNeedsTarget);
}

#[test]
fn a_query_takes_the_shared_switches() {
    for verb in QUERIES {
        assert_eq!(
            query(
                verb,
                &[
                    "bob",
                    "/server:a,b",
                    "/JSON",
                    "--connect-timeout=2.5",
                    "-parallel:4"
                ]
            ),
            Options {
                session: Some(s("bob")),
                servers: list(&["a", "b"]),
                json: true,
                connect_timeout: Duration::from_millis(2500),
                parallel: NonZeroUsize::new(4).unwrap(),
                ..Options::default()
            }
        );
        assert_eq!(
            query_err(verb, &["/parallel:0"]),
            ParseError::InvalidValue(s("/parallel"), s("0"))
        );
    }
}

#[test]
fn logoff_only_switches_are_unknown_to_queries() {
    let cases = [
        "/v",
        "/V",
        "-verbose",
        "--verbose",
        "/force",
        "--FORCE",
        "/timeout:5",
        "--timeout=5",
        "--timeout",
        "/user:x",
        "-USER:x",
        "--user=x",
        "--user",
        "/whatif",
        "-WhatIf",
        "--dry-run",
        "/dry-run",
    ];
    for verb in QUERIES {
        for arg in cases {
            assert_eq!(
                query_err(verb, &[arg]),
                ParseError::UnknownSwitch(s(arg)),
                "{verb:?} {arg}"
            );
            assert_eq!(
                query_err(verb, &["alice", arg, "/server:h"]),
                ParseError::UnknownSwitch(s(arg)),
                "{verb:?} {arg}"
            );
        }
        // `--user x`: the unknown switch takes no value, so its error comes first.
        assert_eq!(
            query_err(verb, &["--user", "x"]),
            ParseError::UnknownSwitch(s("--user"))
        );
        // Help and version still win over them, as over any unknown switch.
        assert_eq!(parse(verb, ["/v", "/?"]), Ok(Command::Help));
        assert_eq!(parse(verb, ["/user:x", "--version"]), Ok(Command::Version));
    }
}

#[test]
fn json_every_spelling_on_the_queries() {
    for arg in flag_spellings(&["json"]) {
        for verb in QUERIES {
            assert_eq!(query(verb, &[&arg]), with(|o| o.json = true), "{arg}");
        }
    }
    for verb in Verb::ALL {
        for (arg, typed) in [("/json:1", "/json"), ("--json=yes", "--json")] {
            assert_eq!(
                parse(*verb, [arg]),
                Err(ParseError::UnexpectedValue(s(typed))),
                "{verb:?}"
            );
        }
    }
}

/// The switches `/?` lists for `verb`, without their values.
fn listed(verb: Verb) -> Vec<String> {
    help(&crate::i18n::Localizer::for_locale("C"), verb)
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|rest| rest.starts_with(['/', '-']))
        .map(|rest| {
            rest.split([' ', '<', ':', '='])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[test]
fn help_for_each_verb_lists_only_its_switches() {
    assert_eq!(
        listed(Verb::Logoff),
        [
            "/server",
            "/user",
            "/v",
            "/whatif",
            "/json",
            "/msg",
            "/delay",
            "/idle",
            "/disconnected",
            "/state",
            "/y",
            "/force",
            "/timeout",
            "/connect-timeout",
            "/parallel",
            "--backend",
            "/?",
            "--version"
        ]
    );
    let l = crate::i18n::Localizer::for_locale("C");
    for verb in QUERIES {
        assert_eq!(
            listed(verb),
            [
                "/server",
                "/json",
                "/connect-timeout",
                "/parallel",
                "--backend",
                "/?",
                "--version"
            ],
            "{verb:?}"
        );
        let help = help(&l, verb);
        assert!(
            help.contains(&format!("Usage: {} [", verb.name())),
            "{help}"
        );
        let usage = usage(&l, verb);
        assert!(usage.ends_with(&format!("{} /?", verb.name())), "{usage}");
        for other in ["/user", "/whatif", "/force", "/timeout", "/v "] {
            assert!(!help.contains(other), "{verb:?} help mentions {other}");
            assert!(!usage.contains(other), "{verb:?} usage mentions {other}");
        }
    }
    // Each lists its operands in its synopsis' order.
    let operands = |verb: Verb| -> Vec<String> {
        help(&l, verb)
            .lines()
            .filter_map(|line| line.strip_prefix("  <"))
            .map(|rest| rest.split('>').next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(operands(Verb::Logoff), ["sessionname", "sessionID"]);
    assert_eq!(
        operands(Verb::Qwinsta),
        ["sessionname", "username", "sessionID"]
    );
    assert_eq!(
        operands(Verb::Quser),
        ["username", "sessionname", "sessionID"]
    );
}

#[test]
fn warnings_and_states_parse_in_every_form() {
    let logoff = |args: &[&str]| match parse(Verb::Logoff, args) {
        Ok(Command::Logoff(o)) => Ok(o),
        Ok(other) => panic!("{args:?}: {other:?}"),
        Err(e) => Err(e),
    };
    let o = logoff(&["3", "/MSG:Reboot at 18:00", "/Delay:300"]).unwrap();
    assert_eq!(o.message.as_deref(), Some("Reboot at 18:00"));
    assert_eq!(
        o.warning(),
        Some((Some("Reboot at 18:00"), Duration::from_secs(300)))
    );
    let o = logoff(&["3", "--message", "x: y=z"]).unwrap();
    assert_eq!(o.warning(), Some((Some("x: y=z"), DEFAULT_DELAY)));
    let o = logoff(&["3", "--delay=0.5"]).unwrap();
    assert_eq!(o.warning(), Some((None, Duration::from_millis(500))));
    assert_eq!(logoff(&["3"]).unwrap().warning(), None);
    assert_eq!(
        logoff(&["3", "/msg:"]),
        Err(ParseError::EmptyValue(s("/msg")))
    );
    assert_eq!(
        logoff(&["3", "/msg: \t "]),
        Err(ParseError::EmptyValue(s("/msg")))
    );
    assert!(logoff(&["3", "/delay:86401"]).is_err());

    let idle = |v: &str| logoff(&[&format!("/idle:{v}")]).map(|o| o.idle);
    let min = |m: u64| Ok(Some(Duration::from_secs(m * 60)));
    assert_eq!(idle("30"), min(30));
    assert_eq!(idle("30m"), min(30));
    assert_eq!(idle("2H"), min(120));
    assert_eq!(idle("1h30m"), min(90));
    assert_eq!(idle("1d"), min(1440));
    assert_eq!(idle("90s"), Ok(Some(Duration::from_secs(90))));
    assert_eq!(
        idle("2d4h1m5s"),
        Ok(Some(Duration::from_secs(2 * 86_400 + 4 * 3600 + 65)))
    );
    assert_eq!(idle("366d"), Ok(Some(MAX_IDLE)));
    for bad in [
        "0", "0m", "366d1s", "30m1h", "1h1h", "1.5h", "-5m", "5 m", "m", "5x", "h30",
    ] {
        assert_eq!(
            idle(bad),
            Err(ParseError::InvalidValue(s("/idle"), s(bad))),
            "{bad}"
        );
    }

    let o = logoff(&["/disconnected", "/server:a,b"]).unwrap();
    assert!(o.disconnected && o.session.is_none());
    for state in ["/state:disc", "--state=Disconnected", "-STATE:DISC"] {
        assert!(logoff(&[state]).unwrap().disconnected, "{state}");
    }
    assert_eq!(
        logoff(&["/state:active"]),
        Err(ParseError::InvalidValue(s("/state"), s("active")))
    );
    assert!(logoff(&["/y", "/user:bob"]).unwrap().yes);
    assert!(
        logoff(&["--yes", "/idle:1h", "/user:bob", "/disconnected"])
            .unwrap()
            .yes
    );
    // A state picks sessions; a session argument names one: not both.
    for args in [
        &["3", "/idle:5"][..],
        &["/disconnected", "pts/1"],
        &["3", "/state:disc"],
    ] {
        assert_eq!(logoff(args), Err(ParseError::StateWithSession), "{args:?}");
    }
    // A state is a target on another host, as /user is.
    assert!(logoff(&["/idle:5", "/server:h"]).is_ok());
    assert_eq!(
        logoff(&["/y", "/server:h"]),
        Err(ParseError::ServerNeedsTarget)
    );
    // The queries do not take them.
    for q in [Verb::Qwinsta, Verb::Quser] {
        for sw in [
            "/msg:x",
            "/delay:1",
            "/idle:5",
            "/disconnected",
            "/state:disc",
            "/y",
        ] {
            assert!(
                matches!(parse(q, [sw]), Err(ParseError::UnknownSwitch(_))),
                "{q:?} {sw}"
            );
        }
    }
}
