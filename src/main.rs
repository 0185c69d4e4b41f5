//! `logoff`: the thin binary. Parses, dispatches to the library, prints what it returns.
//! The only place in the crate that writes to stdout or stderr.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::io::{IsTerminal, Write};
use std::pin::pin;
use std::process::ExitCode;
use std::task::Poll;
use std::time::Instant;

use logoff::cli::{self, Command, Options, Verb};
use logoff::error::{Error, exit};
use logoff::i18n::{Arg, Localizer};
use logoff::ops::logoff::{Event, HostResult, Request, run_host};
use logoff::output::{Progress, text as report};
use logoff::stop::{Stop, after};
use logoff::transport::Target;
use logoff::transport::askpass;
use logoff::{audit, fleet, plan};
use zruntime::SharedRuntime;
use zruntime::signal::{Signal, Signals};

/// Everything printed goes through here. A broken pipe (`logoff /? | head`) is not an error;
/// any other failure to write stdout (a full disk) is, and is reported once at the end.
struct Output {
    failed: RefCell<Option<std::io::Error>>,
    /// stdout was closed when we started (`logoff >&-`): anything printed is lost.
    closed: bool,
}

impl Output {
    fn new() -> Output {
        Output {
            failed: RefCell::new(None),
            closed: logoff::output::stdout_was_closed(),
        }
    }

    fn out(&self, text: &str) {
        let r = if self.closed {
            Err(std::io::Error::from_raw_os_error(libc::EBADF))
        } else {
            writeln!(std::io::stdout().lock(), "{text}")
        };
        self.note(r);
    }

    fn err(&self, text: &str) {
        // Nowhere left to report a failure of stderr itself.
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn note(&self, r: std::io::Result<()>) {
        if let Err(e) = r
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            self.failed.borrow_mut().get_or_insert(e);
        }
    }

    /// The exit code, once stdout is flushed: a write failure turns success into failure.
    fn finish(&self, l: &Localizer, code: u8) -> u8 {
        self.note(std::io::stdout().lock().flush());
        let Some(e) = self.failed.borrow_mut().take() else {
            return code;
        };
        let e = Error::Output {
            reason: e.to_string(),
        };
        self.err(&format!("logoff: {}", report::error(l, &e)));
        if code == exit::OK {
            e.exit_code()
        } else {
            code
        }
    }
}

fn main() -> ExitCode {
    // ssh runs us as its askpass program (see `askpass`): pass the prompt on, print the answer.
    if let Some(socket) = std::env::var_os(askpass::SOCKET_ENV) {
        let prompt = std::env::args_os().nth(1).unwrap_or_default();
        let Some(mut answer) = askpass::helper(&socket, &prompt) else {
            return ExitCode::FAILURE;
        };
        answer.push(b'\n');
        let mut out = std::io::stdout().lock();
        return match out.write_all(&answer).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let l = Localizer::from_env();
    let o = Output::new();
    let code = match cli::parse(Verb::Logoff, std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            o.out(&cli::help(&l, Verb::Logoff));
            exit::OK
        }
        Ok(Command::Version) => {
            let version = Arg::from(env!("CARGO_PKG_VERSION"));
            o.out(&l.tr("version", &[("version", version)]));
            exit::OK
        }
        Ok(Command::Logoff(opts)) => logoff::block_on(run(&l, &o, opts)),
        Ok(Command::Query(_)) => unreachable!("logoff's command line is never a query"),
        Err(p) => fail(&l, &o, &Error::Usage(p)),
    };
    let code = o.finish(&l, code);
    if audit::lost() {
        o.err(&format!("logoff: {}", l.tr("warn-audit-lost", &[])));
    }
    ExitCode::from(code)
}

fn fail(l: &Localizer, o: &Output, e: &Error) -> u8 {
    o.err(&format!("logoff: {}", report::error(l, e)));
    if e.wants_usage() {
        o.err(&cli::usage(l, Verb::Logoff));
    }
    e.exit_code()
}

async fn run(l: &Localizer, o: &Output, opts: Options) -> u8 {
    // The parser knows /whatif and --json before the engine does; until the engine has them,
    // refuse them: a /whatif that logged sessions off would be the worst possible answer.
    if opts.whatif || opts.json {
        o.err("logoff: /whatif and --json are not implemented yet");
        return exit::USAGE;
    }
    let plan = match plan::plan(&opts) {
        Ok(p) => p,
        Err(e) => return fail(l, o, &e),
    };
    let stop = Stop::default();
    let work = async {
        let who = stop.blocking(after(opts.connect_timeout), audit::caller);
        let req = Request {
            selector: plan.selector,
            force_console: opts.force_console,
            timeout: opts.timeout,
            connect_timeout: opts.connect_timeout,
            prompts: plan.targets.len() == 1,
            who: who.await.unwrap_or_else(audit::caller_uid),
        };
        if plan.single {
            one(l, o, &plan.targets[0], &req, &stop, opts.verbose).await
        } else {
            many(l, o, &plan.targets, &req, &stop, &opts).await
        }
    };
    until_done(work, &stop).await
}

/// Drives `work` to its end. A Ctrl-C, SIGTERM or SIGHUP trips `stop`: every wait in `work`
/// ends at once, and `work` then reports what it had done and what is left.
async fn until_done<F: Future<Output = u8>>(work: F, stop: &Stop) -> u8 {
    let mut signals = SharedRuntime::current().ok().and_then(|rt| {
        Signals::new(&rt, [Signal::Interrupt, Signal::Terminate, Signal::Hangup]).ok()
    });
    let mut work = pin!(work);
    poll_fn(|cx| {
        if let Some(signals) = signals.as_mut() {
            while let Poll::Ready(Ok(signal)) = signals.poll_recv(cx) {
                stop.trip(match signal {
                    Signal::Terminate => "SIGTERM",
                    Signal::Hangup => "SIGHUP",
                    _ => "SIGINT",
                });
            }
        }
        work.as_mut().poll(cx)
    })
    .await
}

/// One host: Windows-like, silent on success unless /v. On failure, the sessions that were
/// ended anyway, then each failure.
async fn one(
    l: &Localizer,
    o: &Output,
    target: &Target,
    req: &Request,
    stop: &Stop,
    verbose: bool,
) -> u8 {
    let events = |e: Event| {
        if verbose {
            o.out(&report::event(l, &e));
        }
    };
    let r = run_host(target, req, stop, &events).await;
    if r.ok() {
        return match &r.unmatched {
            Some(e) => fail(l, o, e),
            None => exit::OK,
        };
    }
    if !verbose {
        for s in r.ended() {
            o.out(&report::ended(l, &r.host, s));
        }
    }
    for f in report::failures(l, &r) {
        o.err(&format!("logoff: {f}"));
    }
    r.exit_code()
}

/// Several hosts: a line per host as each finishes, a live count on a terminal, a summary.
async fn many(
    l: &Localizer,
    o: &Output,
    targets: &[Target],
    req: &Request,
    stop: &Stop,
    opts: &Options,
) -> u8 {
    let start = Instant::now();
    // Progress is redrawn on stderr; host lines go to stdout.
    let bar = Progress::new(std::io::stderr().is_terminal());
    let clear = || {
        if let Some(erase) = bar.clear() {
            let _ = write!(std::io::stderr().lock(), "{erase}");
        }
    };
    let progress = |done: usize, total: usize| {
        if let Some(line) = bar.line(l, done, total, stop.signal().is_some()) {
            let _ = write!(std::io::stderr().lock(), "{line}");
        }
    };
    let events = |e: Event| {
        if opts.verbose {
            clear();
            o.out(&report::event(l, &e));
        }
    };
    progress(0, targets.len());
    let work = |t| run_host(t, req, stop, &events);
    let results = fleet::run(targets, opts.parallel.get(), work, &mut |r, done, total| {
        clear();
        o.out(&report::host_line(l, r));
        progress(done, total);
    })
    .await;
    clear();
    o.out(&report::summary(l, &results, start.elapsed()));
    fleet_code(l, o, &results, stop, opts)
}

/// The documented rule for several hosts: interrupted, else any host failed, else `/user`
/// matched nothing anywhere, else success.
fn fleet_code(
    l: &Localizer,
    o: &Output,
    results: &[HostResult],
    stop: &Stop,
    opts: &Options,
) -> u8 {
    // Interrupted only if the interruption stopped some host (a signal after the last host
    // was done changed nothing), as for one host.
    if let Some(signal) = stop.signal()
        && results
            .iter()
            .any(|r| matches!(r.error, Some(Error::Interrupted { .. })))
    {
        return fail(l, o, &Error::Interrupted { signal });
    }
    if results.iter().any(|r| !r.ok()) {
        return exit::SOME_HOSTS_FAILED;
    }
    match &opts.user {
        Some(user) if results.iter().all(|r| r.unmatched.is_some()) => fail(
            l,
            o,
            &Error::NoUserSessionAnywhere {
                user: user.clone(),
                hosts: results.len(),
            },
        ),
        _ => exit::OK,
    }
}
