//! `logoff`: the thin binary. Parses, dispatches to the library, prints what it returns.
//! The only place in the crate that writes to stdout or stderr.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use logoff::cli::{self, Command, Options, Servers};
use logoff::error::{Error, exit};
use logoff::i18n::{Arg, Localizer};
use logoff::logoff::{Event, Request, run_host};
use logoff::session::Selector;
use logoff::transport::Target;
use logoff::{fleet, report};

// Broken pipes (`logoff /? | head`) are not errors: write results are ignored on purpose.
macro_rules! out {
    ($($t:tt)*) => {{ let _ = writeln!(std::io::stdout().lock(), $($t)*); }};
}
macro_rules! err {
    ($($t:tt)*) => {{ let _ = writeln!(std::io::stderr().lock(), $($t)*); }};
}

fn main() -> ExitCode {
    let l = Localizer::from_env();
    let code = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            out!("{}", l.tr("help", &[]));
            exit::OK
        }
        Ok(Command::Version) => {
            out!(
                "{}",
                l.tr(
                    "version",
                    &[("version", Arg::from(env!("CARGO_PKG_VERSION")))]
                )
            );
            exit::OK
        }
        Ok(Command::Logoff(opts)) => match run(&l, opts) {
            Ok(()) => exit::OK,
            Err(e) => fail(&l, &e),
        },
        Err(p) => fail(&l, &Error::Usage(p)),
    };
    ExitCode::from(code)
}

fn fail(l: &Localizer, e: &Error) -> u8 {
    // The fleet summary has already said which hosts failed and why.
    if matches!(e, Error::SomeHostsFailed) {
        return e.exit_code();
    }
    err!("logoff: {}", report::error(l, e));
    if e.wants_usage() {
        err!("{}", l.tr("usage", &[]));
    }
    e.exit_code()
}

fn run(l: &Localizer, opts: Options) -> Result<(), Error> {
    let selector = match (&opts.session, &opts.user) {
        (Some(s), _) => Selector::Session(s.clone()),
        (None, Some(u)) => Selector::User(u.clone()),
        (None, None) => Selector::Current,
    };
    let req = Request {
        selector,
        force_console: opts.force_console,
        timeout: opts.timeout,
        connect_timeout: opts.connect_timeout,
    };
    let verbose = opts.verbose;
    let print_event = move |e: Event| {
        if verbose {
            out!("{}", report::event(l, &e));
        }
    };
    let names = match &opts.servers {
        None => return single(&Target::Local, &req, &print_event),
        Some(Servers::List(names)) => names.clone(),
        Some(Servers::File(path)) => fleet::read_host_file(path)?,
    };
    let targets = fleet::targets(&names)?;
    if let ([one], Some(Servers::List(_))) = (targets.as_slice(), &opts.servers) {
        return single(one, &req, &print_event);
    }
    many(l, &targets, &req, opts.parallel.get(), verbose)
}

/// One host: Windows-like, silent on success unless /v; the error itself on failure.
fn single(target: &Target, req: &Request, events: &(dyn Fn(Event) + Sync)) -> Result<(), Error> {
    let r = logoff::block_on(run_host(target, req, events));
    match r.error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Several hosts: a line per host as each finishes, a live count on a terminal, a summary.
fn many(
    l: &Localizer,
    targets: &[Target],
    req: &Request,
    parallel: usize,
    verbose: bool,
) -> Result<(), Error> {
    let start = Instant::now();
    let tty = std::io::stderr().is_terminal();
    // Progress is redrawn on stderr; host lines go to stdout. The lock keeps lines whole.
    let screen = Mutex::new(());
    let clear = || {
        if tty {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    };
    let events = |e: Event| {
        if verbose {
            let _g = screen.lock();
            clear();
            out!("{}", report::event(l, &e));
        }
    };
    let progress = |done: usize, total: usize| {
        if tty && done < total {
            let args = [("done", done.into()), ("total", total.into())];
            let _ = write!(std::io::stderr().lock(), "{}", l.tr("progress", &args));
        }
    };
    progress(0, targets.len());
    let results = fleet::run(targets, req, parallel, &events, &mut |r, done, total| {
        let _g = screen.lock();
        clear();
        out!("{}", report::host_line(l, r));
        progress(done, total);
    });
    out!("{}", report::summary(l, &results, start.elapsed()));
    if results.iter().any(|r| r.error.is_some()) {
        Err(Error::SomeHostsFailed)
    } else {
        Ok(())
    }
}
