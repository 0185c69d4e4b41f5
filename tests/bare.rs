//! Hosts without logind (bareK: sshd and journald, no bus): sessions are login records and
//! /proc. What the user sees, and what the host shows afterwards: the session, every process of
//! it (one that ignores SIGTERM, one that setsid()s and daemonizes, children forked while it
//! is being ended) gone, its login record dead, everything else untouched.

mod common;

use common::{Lab, Snapshot, eventually, logoff_in_host, out};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const H: &str = "bare1";

/// The bare hosts, as well as the lab's usual ones.
fn lab() -> Option<Lab> {
    let lab = Lab::get(1)?;
    lab.run_ok(&["up", "2", "--no-logind"]);
    Some(lab)
}

/// An ssh login of `user` on `host` with a terminal (sshd writes its login record) that runs
/// `script` and stays open; its audit session ID, and the ssh client (killed when dropped).
struct Login {
    id: String,
    ssh: Child,
}

impl Drop for Login {
    fn drop(&mut self) {
        let _ = self.ssh.kill();
        let _ = self.ssh.wait();
    }
}

fn login(lab: &Lab, user: &str, host: &str, script: &str) -> Login {
    let remote =
        format!("{script} echo LABSESSION=$(cat /proc/self/sessionid); exec sleep infinity");
    let mut ssh = Command::new("ssh")
        .arg("-F")
        .arg(lab.ssh_config())
        .args(["-tt", &format!("{user}@{host}"), &remote])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ssh");
    let mut lines = BufReader::new(ssh.stdout.take().unwrap()).lines();
    let id = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(id) = l.trim().strip_prefix("LABSESSION=") {
                    break id.to_string();
                }
            }
            _ => panic!("ssh {user}@{host} printed no session ID"),
        }
    };
    // Keep reading, so the client never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    lab.track(host, &id);
    Login { id, ssh }
}

/// A session that ignores SIGTERM and SIGHUP, has a daemon that left with setsid, and runs a
/// bounded fork loop (a child every 10 ms, 3000 of them).
const STUBBORN: &str = "trap '' TERM HUP; \
    setsid -f sh -c \"trap '' TERM HUP; exec sleep 4321\" </dev/null >/dev/null 2>&1; \
    (for i in $(seq 3000); do sleep 4322 & sleep 0.01; done) </dev/null >/dev/null 2>&1 & ";

fn root_logoff(lab: &Lab, args: &[&str]) -> (i32, String, String) {
    out(&logoff_in_host(lab, H, args, None, &[]))
}

fn live_records(lab: &Lab, host: &str) -> String {
    lab.exec_ok(host, &["who"])
}

/// Gone: the session, each of its processes (the audit session has no process at all), its
/// live login record; everything else as it was.
fn assert_only_gone(lab: &Lab, before: &Snapshot, s: &Login, line: &str) {
    common::assert_only_gone(lab, H, before, &[&s.id], &[]);
    let who = live_records(lab, H);
    assert!(
        !who.contains(&format!(" {line} ")),
        "record of {line} still live:\n{who}"
    );
}

/// The terminal line (`pts/N`) of session `id`, as qwinsta shows it.
fn line_of(lab: &Lab, id: &str) -> String {
    line_on(lab, H, id)
}

/// [`line_of`] on any host.
fn line_on(lab: &Lab, host: &str, id: &str) -> String {
    let qwinsta = lab.host_program(env!("CARGO_BIN_EXE_qwinsta"));
    let table = lab.exec_ok(host, &[&qwinsta]);
    table
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(id))
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| panic!("no session {id} in\n{table}"))
}

#[test]
fn a_stubborn_daemonizing_forking_session_ends_to_the_last_process() {
    let Some(lab) = lab() else { return };
    let alice = login(&lab, "alice", H, STUBBORN);
    let bob = login(&lab, "bob", H, "");
    let carol = lab.login("carol", H); // no terminal: no login record, untouched all the same
    let line = line_of(&lab, &alice.id);
    // The daemon and the loop's children are there, in alice's audit session.
    eventually(Duration::from_secs(5), "the fork loop runs", || {
        let pids = lab.session_pids(H, &alice.id);
        (pids.len() > 8).then_some(())
    });
    let before = lab.snapshot(H);
    assert!(before.procs.iter().any(|p| p.cmd == "sleep 4321"));
    let (code, stdout, stderr) = root_logoff(&lab, &[&alice.id, "/v", "/timeout:1"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "{H}: sessions from its login records and /proc (no system bus: "
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Session {} of alice on {H} has been logged off",
            alice.id
        )),
        "{stdout}"
    );
    assert!(stdout.contains("killing"), "SIGTERM was ignored: {stdout}");
    let asked = format!(
        "Logging off session {} on {H} (SIGTERM, SIGCONT and SIGHUP to each of its processes)",
        alice.id
    );
    assert!(stdout.contains(&asked), "{stdout}");
    assert_only_gone(&lab, &before, &alice, &line);
    assert!(lab.session_exists(H, &bob.id));
    assert!(lab.session_exists(H, &carol));
    // Who, whom, where: before and after, in the host's log.
    let log = lab.journal(H);
    for what in ["requested", "logged off"] {
        assert!(
            log.contains(&format!(
                "root (uid 0) logoff of session {} (user alice, uid 2001, {line}) on {H}: {what}",
                alice.id
            )),
            "{what}: {log}"
        );
    }
}

#[test]
fn by_name_and_the_callers_own_session() {
    let Some(lab) = lab() else { return };
    let (own, own_line) = by_name_and_own(&lab, H);
    let log = lab.journal(H);
    assert!(
        log.contains(&format!(
            "bob (uid 2002) logoff of session {own} (user bob, uid 2002, {own_line}) on {H}: requested"
        )),
        "{log}"
    );
}

/// The same on a systemd-logind host: logind keeps the session while logoff lives in it, so
/// logoff counts it gone once every other process of it is, and goes last.
#[test]
fn by_name_and_the_callers_own_session_on_a_logind_host() {
    let Some(lab) = lab() else { return };
    let (own, own_line) = by_name_and_own(&lab, "server1");
    let log = lab.journal("server1");
    for what in ["requested", "logged off"] {
        let record = format!(
            "bob (uid 2002) logoff of session {own} (user bob, uid 2002, {own_line}) on server1: {what}"
        );
        assert!(log.contains(&record), "{record}: {log}");
    }
    assert!(
        !lab.session_exists("server1", &own),
        "logind removed the session once logoff exited"
    );
}

/// Session `s` on `host` ended by `run` given its terminal's name (`/dev/pts/N`) and `/v`:
/// said so, gone with its processes and its live login record, the rest untouched.
fn ends_by_name(lab: &Lab, host: &str, s: &Login, run: impl FnOnce(&str) -> (i32, String, String)) {
    let line = line_on(lab, host, &s.id);
    let before = lab.snapshot(host);
    let name = format!("/dev/{line}");
    let (code, stdout, stderr) = run(&name);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("found by name '{name}'")),
        "{stdout}"
    );
    common::assert_only_gone(lab, host, &before, &[&s.id], &[]);
    assert!(!live_records(lab, host).contains(&format!(" {line} ")));
}

/// On `host`, locally: alice's session by its terminal's name as root; then, with no
/// argument, bob's own from inside it. Each gone with its processes and its login record,
/// the rest untouched. Bob's own session's ID and line.
fn by_name_and_own(lab: &Lab, host: &str) -> (String, String) {
    let alice = login(lab, "alice", host, "");
    let bob = login(lab, "bob", host, "");
    ends_by_name(lab, host, &alice, |name| {
        out(&logoff_in_host(lab, host, &[name, "/v"], None, &[]))
    });
    // With no argument, from inside bob's own session: that session ends, logoff last (its
    // terminal's hangup does not stop it: it was expected).
    let bin = lab.host_binary();
    let own = login(
        lab,
        "bob",
        host,
        &format!("(sleep 3; {bin} /v >/tmp/own.out 2>&1) & "),
    );
    let own_line = line_on(lab, host, &own.id);
    let before = lab.snapshot(host);
    eventually(Duration::from_secs(15), "bob's own session ends", || {
        lab.session_pids(host, &own.id).is_empty().then_some(())
    });
    assert!(!live_records(lab, host).contains(&format!(" {own_line} ")));
    let said = eventually(Duration::from_secs(10), "logoff reports", || {
        let o = lab.exec(host, &["cat", "/tmp/own.out"]);
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        (text.contains("has been logged off") || text.contains("logoff: ")).then_some(text)
    });
    assert!(
        said.contains("(your current session)")
            && said.contains(&format!(
                "Session {} of bob on {host} has been logged off",
                own.id
            ))
            // No error; the lab's elogind hosts have no system log, which logoff says.
            && !said.lines().any(|l| l.starts_with("logoff: ")
                && !l.starts_with("logoff: warning: the audit record could not be written")),
        "{said}"
    );
    before.assert_survived_except(&lab.snapshot(host), host, &[&own.id], &[]);
    assert!(lab.session_exists(host, &bob.id));
    (own.id.clone(), own_line)
}

#[test]
fn another_users_session_is_refused_and_a_users_own_is_ended() {
    let Some(lab) = lab() else { return };
    let alice = login(&lab, "alice", H, "");
    // Its fork loop's short-lived children would not "survive": SIGTERM-proof is enough here.
    let bob = login(&lab, "bob", H, "trap '' TERM HUP; ");
    let before = lab.snapshot(H);
    let o = logoff_in_host(&lab, H, &[&bob.id], Some("alice"), &[]);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(
        stderr.trim()
            == format!(
                "logoff: access denied: session {} on {H} belongs to bob",
                bob.id
            ),
        "{stderr}"
    );
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
    // The host's log names who refused: not logind, which this host does not have.
    let log = lab.journal(H);
    let record = format!(
        "alice (uid 2001) logoff of session {} (user bob, uid 2002, {}) on {H}: refused (not the \
         caller's, and the caller is not root)",
        bob.id,
        line_of(&lab, &bob.id)
    );
    assert!(log.contains(&record), "{record}: {log}");
    // alice may end her own, though sshd's monitor in it is root's: it goes when its child does.
    let line = line_of(&lab, &alice.id);
    let o = logoff_in_host(&lab, H, &[&alice.id, "/timeout:2"], Some("alice"), &[]);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 0, "{stdout}{stderr}");
    common::assert_only_gone(&lab, H, &before, &[&alice.id], &[]);
    assert!(!live_records(&lab, H).contains(&format!(" {line} ")));
}

#[test]
fn logind_asked_for_where_there_is_none_is_an_error_that_changes_nothing() {
    let Some(lab) = lab() else { return };
    let alice = login(&lab, "alice", H, "");
    let before = lab.snapshot(H);
    let (code, _, stderr) = root_logoff(&lab, &[&alice.id, "--backend=logind"]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with(&format!("logoff: cannot connect to the system bus on {H}")),
        "{stderr}"
    );
    let (code, _, stderr) = root_logoff(&lab, &[&alice.id, "--backend=dbus"]);
    assert_eq!(code, 2, "{stderr}");
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
}

#[test]
fn listing_and_json_work_the_same() {
    let Some(lab) = lab() else { return };
    let alice = login(&lab, "alice", H, "");
    let line = line_of(&lab, &alice.id);
    let quser = lab.host_program(env!("CARGO_BIN_EXE_quser"));
    let table = lab.exec_ok(H, &[&quser, "alice"]);
    assert!(table.contains("alice") && table.contains(&line), "{table}");
    let json = lab.exec_ok(H, &[&lab.host_binary(), &alice.id, "/whatif", "/json"]);
    common::validate(&json);
    let doc = common::document(&json);
    let text = doc.to_string();
    assert!(
        text.contains(&alice.id) && text.contains("sleep infinity"),
        "{text}"
    );
    assert!(lab.session_exists(H, &alice.id), "/whatif ends nothing");
}

/// elogind hosts: elogind stays the authority (it is asked, and says who may), but it drops a
/// session after one SIGTERM, or none with linger: gone means its processes are gone.
mod elogind {
    use super::*;

    const E: &str = "elogind1";

    fn lab() -> Option<Lab> {
        let lab = Lab::get(1)?;
        lab.run_ok(&["up", "1", "--elogind"]);
        Some(lab)
    }

    /// Linger on for alice on elogind1, off again when the guard goes.
    fn linger(lab: &Lab) -> impl Drop + '_ {
        struct Off<'a>(&'a Lab);
        impl Drop for Off<'_> {
            fn drop(&mut self) {
                self.0.run(&["linger", "alice", E, "off"]);
            }
        }
        lab.run_ok(&["linger", "alice", E, "on"]);
        Off(lab)
    }

    fn in_host(lab: &Lab, args: &[&str], as_user: Option<&str>) -> (i32, String, String) {
        out(&logoff_in_host(lab, E, args, as_user, &[]))
    }

    #[test]
    fn a_stubborn_daemonizing_forking_session_ends_to_the_last_process() {
        let Some(lab) = lab() else { return };
        let alice = login(&lab, "alice", E, STUBBORN);
        let bob = login(&lab, "bob", E, "");
        eventually(Duration::from_secs(5), "the fork loop runs", || {
            (lab.session_pids(E, &alice.id).len() > 8).then_some(())
        });
        let before = lab.snapshot(E);
        let (code, stdout, stderr) = in_host(&lab, &[&alice.id, "/v", "/timeout:1"], None);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(
            stdout.contains(&format!("{E}: sessions from logind (")),
            "{stdout}"
        );
        assert!(stdout.contains("killing"), "SIGTERM was ignored: {stdout}");
        common::assert_only_gone(&lab, E, &before, &[&alice.id], &[]);
        assert!(lab.session_exists(E, &bob.id));
    }

    #[test]
    fn with_linger_the_processes_still_end_and_others_are_refused() {
        let Some(lab) = lab() else { return };
        let _off = linger(&lab);
        let alice = login(&lab, "alice", E, "");
        let bob = login(&lab, "bob", E, "");
        let before = lab.snapshot(E);
        // bob may not end alice's session: elogind says so, nothing changes.
        let (code, stdout, stderr) = in_host(&lab, &[&alice.id], Some("bob"));
        assert_eq!(code, 4, "{stdout}{stderr}");
        before.assert_survived_except(&lab.snapshot(E), E, &[], &[]);
        let (code, stdout, stderr) = in_host(&lab, &[&alice.id, "/timeout:3"], None);
        assert_eq!(code, 0, "{stdout}{stderr}");
        common::assert_only_gone(&lab, E, &before, &[&alice.id], &[]);
        assert!(lab.session_exists(E, &bob.id));
    }

    #[test]
    fn by_name_and_the_callers_own_session() {
        let Some(lab) = lab() else { return };
        super::by_name_and_own(&lab, E);
    }

    #[test]
    fn over_ssh_by_name_another_users_refused_a_users_own_ended() {
        let Some(lab) = lab() else { return };
        super::over_ssh::install(&lab);
        super::over_ssh::by_name_refused_own(&lab, E);
    }

    /// No bridge there: its logoff answers, elogind decides, and the processes still end
    /// (linger: elogind itself sends them nothing).
    #[test]
    fn over_ssh_with_linger_a_stubborn_session_ends_to_the_last_process() {
        let Some(lab) = lab() else { return };
        super::over_ssh::install(&lab);
        let _off = linger(&lab);
        let alice = login(&lab, "alice", E, STUBBORN);
        let bob = login(&lab, "bob", E, "");
        eventually(Duration::from_secs(5), "the fork loop runs", || {
            (lab.session_pids(E, &alice.id).len() > 8).then_some(())
        });
        let before = lab.snapshot(E);
        let server = format!("/server:{E}");
        let (code, stdout, stderr, _) =
            common::logoff_on_machine(&lab, &[&alice.id, &server, "/v", "/timeout:1"], &[]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        for said in [
            format!("{E}: answered by logoff "),
            format!("{E}: sessions from logind ("),
            "killing".to_string(),
        ] {
            assert!(stdout.contains(&said), "{said:?} not in:\n{stdout}");
        }
        common::assert_only_gone(&lab, E, &before, &[&alice.id], &[]);
        assert!(lab.session_exists(E, &bob.id));
    }
}

/// Over ssh: hosts without a bridge are answered by their own logoff (agent mode), the same
/// promise kept, the audit record written on the machine that asked and on the host.
mod over_ssh {
    use super::*;
    use common::logoff_on_machine;

    /// The binaries under test on the PATH of the bare and elogind hosts.
    pub(super) fn install(lab: &Lab) {
        let dir = std::path::Path::new(env!("CARGO_BIN_EXE_logoff"))
            .parent()
            .and_then(|d| d.to_str())
            .expect("the test binaries' directory");
        lab.run_ok(&["install-logoff", dir]);
    }

    fn lab() -> Option<Lab> {
        let lab = super::lab()?;
        install(&lab);
        Some(lab)
    }

    #[test]
    fn a_stubborn_daemonizing_forking_session_ends_to_the_last_process() {
        let Some(lab) = lab() else { return };
        let alice = login(&lab, "alice", H, STUBBORN);
        let bob = login(&lab, "bob", H, "");
        let line = line_of(&lab, &alice.id);
        eventually(Duration::from_secs(5), "the fork loop runs", || {
            (lab.session_pids(H, &alice.id).len() > 8).then_some(())
        });
        let before = lab.snapshot(H);
        let server = format!("/server:{H}");
        let (code, stdout, stderr, audit) =
            logoff_on_machine(&lab, &[&alice.id, &server, "/v", "/timeout:1"], &[]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let version = env!("CARGO_PKG_VERSION");
        for said in [
            format!("{H}: answered by logoff {version} there (agent mode"),
            format!("{H}: sessions from its login records and /proc (no system bus: "),
            format!("Session {} of alice on {H} has been logged off", alice.id),
            "killing".to_string(),
        ] {
            assert!(stdout.contains(&said), "{said:?} not in:\n{stdout}");
        }
        assert_only_gone(&lab, &before, &alice, &line);
        assert!(lab.session_exists(H, &bob.id));
        // Who, whom, where: on the machine that asked, before and after...
        let whom = format!(
            "logoff of session {} (user alice, uid 2001, {line}) on {H}",
            alice.id
        );
        for what in ["requested", "logged off"] {
            let record = format!("{whom}: {what}");
            assert!(
                audit.iter().any(|m| m.ends_with(&record)),
                "{record}: {audit:?}"
            );
        }
        // ...and on the host, by its agent, naming the user ssh logged in.
        let log = lab.journal(H);
        let record = format!("root (uid 0) (logoff agent) {whom}: requested");
        assert!(log.contains(&record), "{record}: {log}");
    }

    #[test]
    fn by_name_another_users_refused_a_users_own_ended() {
        let Some(lab) = lab() else { return };
        by_name_refused_own(&lab, H);
    }

    /// On `host` over ssh: a session by name as root; bob refused alice's session, untouched;
    /// an unknown user said so; bob's own SIGTERM-proof session ended, its record dead.
    pub(super) fn by_name_refused_own(lab: &Lab, host: &str) {
        let alice = login(lab, "alice", host, "");
        let alice2 = login(lab, "alice", host, "");
        let bob = login(lab, "bob", host, "trap '' TERM HUP; ");
        let (root, as_bob) = (format!("/server:{host}"), format!("/server:bob@{host}"));
        super::ends_by_name(lab, host, &alice, |name| {
            let (code, stdout, stderr, _) = logoff_on_machine(lab, &[name, &root, "/v"], &[]);
            (code, stdout, stderr)
        });

        // bob may not end alice's session: refused on the host, nothing signalled.
        let before = lab.snapshot(host);
        let (code, stdout, stderr, _) = logoff_on_machine(lab, &[&alice2.id, &as_bob], &[]);
        assert_eq!(code, 4, "{stdout}{stderr}");
        assert_eq!(
            stderr.lines().next(),
            Some(
                format!(
                    "logoff: access denied: session {} on bob@{host} belongs to alice",
                    alice2.id
                )
                .as_str()
            )
        );
        before.assert_survived_except(&lab.snapshot(host), host, &[], &[]);
        // The host's own users are known there.
        let (code, _, stderr, _) = logoff_on_machine(lab, &["/user:nosuchuser", &root], &[]);
        assert_eq!(code, 3, "{stderr}");
        assert!(
            stderr.starts_with(&format!("logoff: there is no user 'nosuchuser' on {host}")),
            "{stderr}"
        );

        // His own session he may end (SIGTERM-proof: killed after the timeout); the session
        // carrying the connection, his too, is not touched.
        let bob_line = line_on(lab, host, &bob.id);
        let (code, stdout, stderr, _) =
            logoff_on_machine(lab, &[&bob.id, &as_bob, "/timeout:1"], &[]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        common::assert_only_gone(lab, host, &before, &[&bob.id], &[]);
        assert!(!live_records(lab, host).contains(&format!(" {bob_line} ")));
        assert!(lab.session_exists(host, &alice2.id));
    }

    /// A system bus on bareK, as a container with systemd's files but another init has: it
    /// lists logind as one it can start, and cannot start it. Stopped when dropped.
    struct LoneBus<'a>(&'a Lab);

    impl<'a> LoneBus<'a> {
        fn start(lab: &'a Lab) -> Self {
            lab.exec_ok(
                H,
                &[
                    "sh",
                    "-c",
                    "mkdir -p /run/dbus && systemd-run --quiet --collect --unit=lab-lone-bus \
                     dbus-daemon --system --nofork --nopidfile",
                ],
            );
            let bus = LoneBus(lab);
            eventually(Duration::from_secs(5), "the bus listens", || {
                let o = lab.exec(H, &["test", "-S", "/run/dbus/system_bus_socket"]);
                o.status.success().then_some(())
            });
            bus
        }
    }

    impl Drop for LoneBus<'_> {
        fn drop(&mut self) {
            self.0.exec(H, &["systemctl", "stop", "lab-lone-bus"]);
            self.0.exec(H, &["rm", "-f", "/run/dbus/system_bus_socket"]);
        }
    }

    #[test]
    fn a_bus_that_cannot_start_logind_is_a_host_without_it() {
        let Some(lab) = lab() else { return };
        let _bus = LoneBus::start(&lab);
        let why = format!(
            "{H}: sessions from its login records and /proc (its system bus could not start logind: "
        );
        // On the host itself.
        let alice = login(&lab, "alice", H, "");
        let line = line_of(&lab, &alice.id);
        let before = lab.snapshot(H);
        let (code, stdout, stderr) = root_logoff(&lab, &[&alice.id, "/v"]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains(&why), "{stdout}");
        assert_only_gone(&lab, &before, &alice, &line);

        // Over ssh: the bridge and a bus are there, but no logind; the agent answers.
        let alice = login(&lab, "alice", H, "");
        let line = line_of(&lab, &alice.id);
        let before = lab.snapshot(H);
        let server = format!("/server:{H}");
        let (code, stdout, stderr, _) = logoff_on_machine(&lab, &[&alice.id, &server, "/v"], &[]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let version = env!("CARGO_PKG_VERSION");
        for said in [
            format!("{H}: answered by logoff {version} there (agent mode"),
            why,
        ] {
            assert!(stdout.contains(&said), "{said:?} not in:\n{stdout}");
        }
        assert_only_gone(&lab, &before, &alice, &line);

        // Without logoff there, the bridge: and the bus's word on why logind is missing.
        let alice = login(&lab, "alice", H, "");
        lab.exec_ok(H, &["mount", "-t", "tmpfs", "none", "/usr/local/bin"]);
        let (code, stdout, stderr, _) = logoff_on_machine(&lab, &[&alice.id, &server], &[]);
        lab.exec_ok(H, &["umount", "/usr/local/bin"]);
        assert_eq!(code, 7, "{stdout}{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "logoff: systemd-logind on {H} could not be started: Launch helper exited"
            )),
            "{stderr}"
        );
        assert!(lab.session_exists(H, &alice.id));
    }

    #[test]
    fn listing_is_the_hosts_own() {
        let Some(lab) = lab() else { return };
        let alice = login(&lab, "alice", H, "");
        let line = line_of(&lab, &alice.id);
        let qwinsta = std::process::Command::new(env!("CARGO_BIN_EXE_qwinsta"));
        let o = common::on_machine(&lab, qwinsta)
            .arg(format!("/server:{H}"))
            .output()
            .expect("qwinsta");
        let (code, table, stderr) = out(&o);
        assert_eq!(code, 0, "{stderr}");
        let row = table
            .lines()
            .find(|l| l.split_whitespace().nth(2) == Some(alice.id.as_str()))
            .unwrap_or_else(|| panic!("no session {} in\n{table}", alice.id));
        assert!(row.contains(&line) && row.contains("alice"), "{row}");
        assert!(lab.session_exists(H, &alice.id), "a listing ends nothing");
    }
}
