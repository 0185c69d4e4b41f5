//! The `main` of the three binaries (`logoff`, `qwinsta`, `quser`: each a line that names its
//! verb): parse, plan, run the verb, print what it returns, exit. The only place in the crate
//! that writes to stdout or stderr.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::io::{IsTerminal, Write};
use std::pin::pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::cli::{self, Command, MAX_PARALLEL, MAX_SECONDS, Options, Verb};
use crate::error::{Error, exit};
use crate::i18n::{self, Arg, Localizer};
use crate::ops::logoff::{Event, HostResult, Notice, Outcome, Request, Warning, run_host};
use crate::ops::query::{self, HostListing};
use crate::output::table::{Columns, table};
use crate::output::{Progress, json, text as report};
use crate::session::{Selector, Session};
use crate::stop::{Stop, after, first_of};
use crate::transport::askpass;
use crate::transport::{self, Target};
use crate::{agent, audit, fleet, plan};
use zruntime::SharedRuntime;
use zruntime::signal::{Signal, Signals};

/// Everything printed goes through here. A broken pipe (`logoff /? | head`) is not an error;
/// any other failure to write stdout (a full disk) is, and is reported once at the end.
struct Output {
    failed: RefCell<Option<std::io::Error>>,
    /// stdout was closed when we started (`logoff >&-`): anything printed is lost.
    closed: bool,
    verb: Verb,
    /// `--json`: stdout gets one document and nothing else; other lines go to stderr.
    json: bool,
}

impl Output {
    fn new(verb: Verb, json: bool) -> Output {
        Output {
            verb,
            json,
            failed: RefCell::new(None),
            closed: crate::output::stdout_was_closed(),
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
        self.err(&format!("{}: {}", self.verb.name(), report::error(l, &e)));
        if code == exit::OK {
            e.exit_code()
        } else {
            code
        }
    }
}

/// Runs `verb` with the process's arguments; what `main` returns.
pub fn main(verb: Verb) -> ExitCode {
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    // Started over ssh by a logoff on another machine (see `agent`).
    if verb == Verb::Logoff
        && let Some(asked) = agent::args(&args)
    {
        return ExitCode::from(run_agent(asked));
    }
    // A script that asked for JSON gets it even when the command line itself is wrong.
    let mut o = Output::new(verb, wants_json(&args));
    let code = match cli::parse(verb, args) {
        Ok(Command::Help) => {
            o.out(&cli::help(&l, verb));
            exit::OK
        }
        Ok(Command::Version) => {
            let version = Arg::from(env!("CARGO_PKG_VERSION"));
            let program = Arg::from(verb.name());
            o.out(&l.tr("version", &[("program", program), ("version", version)]));
            exit::OK
        }
        Ok(Command::Logoff(opts)) => {
            o.json = opts.json;
            crate::block_on(run(&l, &o, opts))
        }
        Ok(Command::Query(opts)) => {
            o.json = opts.json;
            crate::block_on(list(&l, &o, verb, opts))
        }
        Err(p) => fail(&l, &o, &Error::Usage(p)),
    };
    let code = o.finish(&l, code);
    if audit::lost() {
        o.err(&format!(
            "{}: {}",
            verb.name(),
            l.tr("warn-audit-lost", &[])
        ));
    }
    ExitCode::from(code)
}

/// Serves the agent protocol on stdin and stdout; the exit code. Refused on a terminal: the
/// agent speaks to a program, and would leave the terminal non-blocking.
fn run_agent(asked: Result<agent::Args, String>) -> u8 {
    let fail = |why: &str| {
        let _ = writeln!(
            std::io::stderr().lock(),
            "logoff: agent: {}",
            i18n::clean(why)
        );
        exit::USAGE
    };
    let args = match asked {
        Ok(a) => a,
        Err(why) => {
            // Said to the client too, in the protocol it can read whatever its version.
            let _ = std::io::stdout().lock().write_all(&agent::refusal(&why));
            return fail(&why);
        }
    };
    if std::io::stdin().is_terminal() || std::io::stdout().is_terminal() {
        return fail("the agent mode is for a logoff on another machine, over ssh");
    }
    crate::block_on(async {
        let io = |fd: std::io::Result<std::os::fd::OwnedFd>| {
            let rt = SharedRuntime::current().map_err(|e| e.to_string())?;
            let file = std::fs::File::from(fd.map_err(|e| e.to_string())?);
            zruntime::AsyncIo::new(&rt, file).map_err(|e| e.to_string())
        };
        use std::os::fd::AsFd;
        let input = io(std::io::stdin().as_fd().try_clone_to_owned());
        let output = io(std::io::stdout().as_fd().try_clone_to_owned());
        let (input, output) = match (input, output) {
            (Ok(i), Ok(o)) => (i, o),
            (Err(e), _) | (_, Err(e)) => return fail(&e),
        };
        let stop = Stop::default();
        until_done(agent::serve(input, output, args, &stop), &stop).await
    })
}

/// Whether `--json` (any spelling) is among the switches, looked at before parsing.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .take_while(|a| *a != "--")
        .filter_map(|a| a.to_str())
        .any(|a| {
            let name = a.trim_start_matches(['-', '/']);
            a.len() > name.len() && name.eq_ignore_ascii_case("json")
        })
}

/// Reports an error that ended the run: the human line on stderr and, with `--json`, the
/// document on stdout.
fn fail(l: &Localizer, o: &Output, e: &Error) -> u8 {
    o.err(&format!("{}: {}", o.verb.name(), report::error(l, e)));
    if e.wants_usage() {
        o.err(&cli::usage(l, o.verb));
    }
    if o.json {
        o.out(&json::failure(l, o.verb.name(), e));
    }
    e.exit_code()
}

async fn run(l: &Localizer, o: &Output, opts: Options) -> u8 {
    let plan = match plan::plan(&opts) {
        Ok(p) => p,
        Err(e) => return fail(l, o, &e),
    };
    let stop = Stop::default();
    let countdown = Countdown::new(l, &stop);
    let work = async {
        let who = stop
            .blocking(after(opts.connect_timeout), audit::caller)
            .await
            .unwrap_or_else(audit::caller_uid);
        let warning = opts.warning().map(|(text, delay)| {
            // In the admin's language, and in each of logoff's for the sessions whose language
            // the host can tell (the admin's own words stay as they are).
            let lw = Localizer::from_env();
            let others: Vec<(&'static str, Localizer)> = i18n::CATALOGS
                .iter()
                .map(|(tag, _)| (*tag, Localizer::for_locale(tag)))
                .collect();
            // "root", not the audit record's "root (uid 0)".
            let name = who.split(" (uid ").next().unwrap_or(&who).to_owned();
            let (who, text) = (name, text.map(str::to_owned));
            Warning {
                delay,
                text: Rc::new(move |left| Notice {
                    text: report::notice(&lw, &who, text.as_deref(), left),
                    translations: others
                        .iter()
                        .map(|(tag, l)| (*tag, report::notice(l, &who, text.as_deref(), left)))
                        .collect(),
                }),
            }
        });
        let mut req = Request {
            selector: plan.selector,
            force_console: opts.force_console,
            timeout: opts.timeout,
            connect_timeout: opts.connect_timeout,
            prompts: plan.targets.len() == 1,
            who,
            whatif: opts.whatif,
            filter: plan.filter,
            confirmed: None,
            warning,
            backend: opts.backend,
        };
        if needs_confirmation(&req, &opts) {
            match confirm(l, o, &plan.targets, &req, &stop, &opts).await {
                Ok(yes) => req.confirmed = yes,
                Err(e) => return fail(l, o, &e),
            }
        }
        if plan.single {
            one(
                l,
                o,
                &plan.targets[0],
                &req,
                &stop,
                &countdown,
                opts.verbose,
            )
            .await
        } else {
            many(l, o, &plan.targets, &req, &stop, &countdown, &opts).await
        }
    };
    let code = until_done(first_of(work, countdown.tick()), &stop).await;
    countdown.clear();
    code.unwrap_or(exit::INTERNAL)
}

/// Whether to ask before ending: a selector that can pick several sessions, on a terminal,
/// without `/y` (and never for `/whatif`, which ends nothing).
fn needs_confirmation(req: &Request, opts: &Options) -> bool {
    let many = matches!(req.selector, Selector::User(_) | Selector::All);
    many && !opts.yes
        && !opts.whatif
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// Finds what a real run would end (as `/whatif` does, quietly), and when that is more than
/// one session lists them and asks. `Some`: the sessions the admin saw, which alone may then
/// end; `None`: nothing was asked, the run goes on as without a question. A host that could
/// not be looked at stops everything: the admin would confirm a list without it.
async fn confirm(
    l: &Localizer,
    o: &Output,
    targets: &[Target],
    req: &Request,
    stop: &Stop,
    opts: &Options,
) -> Result<Option<Vec<(String, String)>>, Error> {
    let probe = Request {
        whatif: true,
        warning: None,
        ..req.clone()
    };
    let quiet = |_: Event| {};
    let work = |t| run_host(t, &probe, stop, &quiet);
    let results = fleet::run(targets, opts.parallel.get(), work, &mut |_, _, _| {}).await;
    if stop.signal().is_some() {
        return Err(transport::interrupted(stop));
    }
    let failed: Vec<&HostResult> = results.iter().filter(|r| !r.ok()).collect();
    if !failed.is_empty() {
        for r in &failed {
            o.err(&format!("logoff: {}", report::host_line(l, r)));
        }
        return Err(Error::NotLookedAt {
            hosts: failed.len(),
        });
    }
    let picked: Vec<(&str, &Session)> = results
        .iter()
        .flat_map(|r| {
            r.sessions
                .iter()
                .filter(|(_, out)| matches!(out, Outcome::WouldEnd(_)))
                .map(move |(s, _)| (r.host.as_str(), s))
        })
        .collect();
    if picked.len() < 2 {
        return Ok(None);
    }
    // Every session the run found may go on to its outcome (a console refusal is still
    // reported); only those that turn up after the question are left out.
    let yes: Vec<(String, String)> = results
        .iter()
        .flat_map(|r| {
            r.sessions
                .iter()
                .map(|(s, _)| (r.host.clone(), s.id.clone()))
        })
        .collect();
    o.err(&l.tr("confirm-header", &[("count", picked.len().into())]));
    for (host, s) in &picked {
        o.err(&format!("  {}", report::confirm_row(host, s)));
    }
    let question = l.tr("confirm-question", &[("count", picked.len().into())]);
    let answer = stop
        .blocking(after(MAX_SECONDS), move || {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{question} ");
            let _ = err.flush();
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map(|_| line)
        })
        .await;
    match answer {
        Some(Ok(line)) if report::is_yes(l, &line) => Ok(Some(yes)),
        _ if stop.signal().is_some() => Err(transport::interrupted(stop)),
        _ => Err(Error::Declined),
    }
}

/// The admin's view of a warning's delay: "Logging off in 42 s (Ctrl-C cancels)", redrawn
/// every second on stderr when it is a terminal, from the first session warned.
struct Countdown<'a> {
    progress: Progress,
    l: &'a Localizer,
    stop: &'a Stop,
    until: std::cell::Cell<Option<Instant>>,
}

impl<'a> Countdown<'a> {
    fn new(l: &'a Localizer, stop: &'a Stop) -> Countdown<'a> {
        Countdown {
            progress: Progress::new(std::io::stderr().is_terminal()),
            l,
            stop,
            until: std::cell::Cell::new(None),
        }
    }

    /// A session was warned that it ends `left` from now.
    fn started(&self, left: Duration) {
        if self.until.get().is_none() {
            self.until.set(Some(Instant::now() + left));
            self.draw();
        }
    }

    fn draw(&self) {
        let Some(until) = self.until.get() else {
            return;
        };
        let left = until.saturating_duration_since(Instant::now());
        let line = match left.is_zero() || self.stop.signal().is_some() {
            true => self.progress.clear().map(str::to_owned),
            false => self.progress.countdown(self.l, left),
        };
        if let Some(line) = line {
            let _ = write!(std::io::stderr().lock(), "{line}");
        }
    }

    fn clear(&self) {
        erase(&self.progress);
    }

    /// Follows the run's events: the first warned session starts the countdown.
    fn follow(&self, e: &Event) {
        if let Event::Warned { left, .. } = e {
            self.started(*left);
        }
    }

    /// Redraws once a second; never ends (the run does).
    async fn tick(&self) {
        let Ok(rt) = SharedRuntime::current() else {
            return std::future::pending().await;
        };
        loop {
            rt.sleep_until(Instant::now() + Duration::from_secs(1))
                .await;
            self.draw();
        }
    }
}

/// Drives `work` to its end. A Ctrl-C, SIGTERM or SIGHUP trips `stop`: every wait in `work`
/// ends at once, and `work` then reports what it had done and what is left.
async fn until_done<T, F: Future<Output = T>>(work: F, stop: &Stop) -> T {
    let mut signals = SharedRuntime::current().ok().and_then(|rt| {
        Signals::new(&rt, [Signal::Interrupt, Signal::Terminate, Signal::Hangup]).ok()
    });
    let mut work = pin!(work);
    poll_fn(|cx| {
        if let Some(signals) = signals.as_mut() {
            while let Poll::Ready(Ok(signal)) = signals.poll_recv(cx) {
                if matches!(signal, Signal::Hangup | Signal::Terminate) && stop.ending_expected() {
                    continue;
                }
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

/// A `/v` line: on stdout, or on stderr when stdout is for the JSON document.
fn verbose_line(o: &Output, line: &str) {
    if o.json { o.err(line) } else { o.out(line) }
}

/// One host: Windows-like, silent on success unless /v. On failure, the sessions that were
/// ended anyway, then each failure.
async fn one(
    l: &Localizer,
    o: &Output,
    target: &Target,
    req: &Request,
    stop: &Stop,
    countdown: &Countdown<'_>,
    verbose: bool,
) -> u8 {
    let events = |e: Event| {
        if verbose {
            countdown.clear();
            verbose_line(o, &report::event(l, &e));
        }
        countdown.follow(&e);
    };
    let r = run_host(target, req, stop, &events).await;
    countdown.clear();
    let code = if r.ok() {
        r.unmatched.as_ref().map_or(exit::OK, Error::exit_code)
    } else {
        r.exit_code()
    };
    if o.json {
        let whole = if r.ok() { r.unmatched.as_ref() } else { None };
        o.out(&json::logoff(
            l,
            std::slice::from_ref(&r),
            code,
            whole,
            req.whatif,
        ));
        if let Some(e) = whole {
            o.err(&format!("logoff: {}", report::error(l, e)));
        }
        for f in report::failures(l, &r) {
            o.err(&format!("logoff: {f}"));
        }
        return code;
    }
    for line in report::would_end(l, &r) {
        o.out(&line);
    }
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
    code
}

/// Several hosts: a line per host as each finishes, a live count on a terminal, a summary.
async fn many(
    l: &Localizer,
    o: &Output,
    targets: &[Target],
    req: &Request,
    stop: &Stop,
    countdown: &Countdown<'_>,
    opts: &Options,
) -> u8 {
    let start = Instant::now();
    let bar = Bar::new(l, stop);
    let events = |e: Event| {
        if opts.verbose {
            bar.clear();
            countdown.clear();
            verbose_line(o, &report::event(l, &e));
        }
        countdown.follow(&e);
    };
    bar.show(0, targets.len());
    let work = |t| run_host(t, req, stop, &events);
    // Every host waits out its warning at once: hosts held back by /parallel would be warned
    // only after the others had been logged off.
    let parallel = match req.warning {
        Some(_) => opts.parallel.get().max(targets.len()).min(MAX_PARALLEL),
        None => opts.parallel.get(),
    };
    let results = fleet::run(targets, parallel, work, &mut |r, done, total| {
        bar.clear();
        countdown.clear();
        if !o.json {
            if r.ok() && req.whatif {
                for line in report::would_end(l, r) {
                    o.out(&line);
                }
            } else {
                o.out(&report::host_line(l, r));
            }
        }
        bar.show(done, total);
    })
    .await;
    bar.clear();
    let (code, whole) = fleet_code(&results, stop, opts);
    if o.json {
        o.out(&json::logoff(l, &results, code, whole.as_ref(), req.whatif));
        if let Some(e) = &whole {
            o.err(&format!("logoff: {}", report::error(l, e)));
        }
        return code;
    }
    if !req.whatif {
        o.out(&report::summary(l, &results, start.elapsed()));
    }
    match &whole {
        Some(e) => fail(l, o, e),
        None => code,
    }
}

/// The live count of hosts done, on stderr when it is a terminal.
struct Bar<'a> {
    progress: Progress,
    l: &'a Localizer,
    stop: &'a Stop,
}

impl<'a> Bar<'a> {
    fn new(l: &'a Localizer, stop: &'a Stop) -> Bar<'a> {
        Bar {
            progress: Progress::new(std::io::stderr().is_terminal()),
            l,
            stop,
        }
    }

    fn clear(&self) {
        erase(&self.progress);
    }

    fn show(&self, done: usize, total: usize) {
        let interrupted = self.stop.signal().is_some();
        if let Some(line) = self.progress.line(self.l, done, total, interrupted) {
            let _ = write!(std::io::stderr().lock(), "{line}");
        }
    }
}

/// Erases `progress`'s line from stderr, if one is shown.
fn erase(progress: &Progress) {
    if let Some(erase) = progress.clear() {
        let _ = write!(std::io::stderr().lock(), "{erase}");
    }
}

/// The documented rule for several hosts: interrupted, else any host failed, else `/user`
/// matched nothing anywhere, else success. The error that decided it, if it is the run's own.
fn fleet_code(results: &[HostResult], stop: &Stop, opts: &Options) -> (u8, Option<Error>) {
    // Interrupted only if the interruption stopped some host (a signal after the last host
    // was done changed nothing), as for one host.
    if let Some(signal) = stop.signal()
        && results
            .iter()
            .any(|r| matches!(r.error, Some(Error::Interrupted { .. })))
    {
        let e = Error::Interrupted { signal };
        return (e.exit_code(), Some(e));
    }
    // Cancelled during the warning: each host said so on its line; nothing was ended.
    if results
        .iter()
        .any(|r| matches!(r.error, Some(Error::Cancelled { .. })))
    {
        return (exit::INTERRUPTED, None);
    }
    if results.iter().any(|r| !r.ok()) {
        return (exit::SOME_HOSTS_FAILED, None);
    }
    match &opts.user {
        Some(user) if results.iter().all(|r| r.unmatched.is_some()) => {
            let e = Error::NoUserSessionAnywhere {
                user: user.clone(),
                hosts: results.len(),
            };
            (e.exit_code(), Some(e))
        }
        _ => (exit::OK, None),
    }
}

/// `qwinsta` and `quser`: every host listed (in parallel), one table, a line per host that
/// could not be listed.
async fn list(l: &Localizer, o: &Output, verb: Verb, opts: Options) -> u8 {
    let (targets, single) = match plan::hosts(&opts) {
        Ok(h) => h,
        Err(e) => return fail(l, o, &e),
    };
    let stop = Stop::default();
    let req = query::Request {
        filter: opts.session.clone(),
        connect_timeout: opts.connect_timeout,
        prompts: targets.len() == 1,
        backend: opts.backend,
    };
    let bar = Bar::new(l, &stop);
    let work = async {
        bar.show(0, targets.len());
        let work = |t| query::run_host(t, &req, &stop);
        let hosts = fleet::run(
            &targets,
            opts.parallel.get(),
            work,
            &mut |_, done, total| {
                bar.clear();
                bar.show(done, total);
            },
        )
        .await;
        bar.clear();
        hosts
    };
    let hosts = until_done(work, &stop).await;
    let (code, whole) = listing_code(&hosts, single, &stop);
    let name = verb.name();
    // A host where nothing matched is not worth a line while other hosts listed sessions.
    let nothing = hosts.iter().all(|h| h.sessions.is_empty());
    let failed = hosts
        .iter()
        .filter_map(|h| h.error.as_ref())
        .filter(|e| whole.is_none() && (nothing || !matches!(e, Error::NoMatch { .. })));
    for e in failed {
        o.err(&format!("{name}: {}", report::error(l, e)));
    }
    if let Some(e) = &whole {
        o.err(&format!("{name}: {}", report::error(l, e)));
    }
    if o.json {
        o.out(&json::listing(l, name, &hosts, code, whole.as_ref()));
    } else if hosts.iter().any(|h| !h.sessions.is_empty()) {
        let columns = match verb {
            Verb::Quser => Columns::Users,
            _ => Columns::Sessions,
        };
        o.out(&table(l, columns, &hosts, !single));
    }
    code
}

/// A listing's exit code: interrupted, else (one host) its error, else (several) any host
/// that could not be listed, else nothing listed anywhere (not found), else 0.
fn listing_code(hosts: &[HostListing], single: bool, stop: &Stop) -> (u8, Option<Error>) {
    if let Some(signal) = stop.signal()
        && hosts
            .iter()
            .any(|h| matches!(h.error, Some(Error::Interrupted { .. })))
    {
        let e = Error::Interrupted { signal };
        return (e.exit_code(), Some(e));
    }
    let no_match = |h: &HostListing| matches!(h.error, Some(Error::NoMatch { .. }));
    if single {
        return (
            hosts[0].error.as_ref().map_or(exit::OK, Error::exit_code),
            None,
        );
    }
    if hosts.iter().any(|h| h.error.is_some() && !no_match(h)) {
        return (exit::SOME_HOSTS_FAILED, None);
    }
    if hosts.iter().all(no_match) {
        // Said per host: which filter, on which host.
        let first = hosts.iter().find_map(|h| h.error.as_ref());
        let code = first.map_or(exit::NOT_FOUND, Error::exit_code);
        return (code, None);
    }
    (exit::OK, None)
}
