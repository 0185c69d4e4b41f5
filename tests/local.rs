//! `logoff` against the local host's logind, run inside real lab hosts: what the user sees (exit
//! code, message) and what the host shows afterwards (the target session and its processes gone,
//! everything else untouched).

mod common;

use common::{Lab, eventually, logoff_in_host, out};
use std::time::Duration;

const H: &str = "server1";

fn root_logoff(lab: &Lab, host: &str, args: &[&str]) -> (i32, String, String) {
    out(&logoff_in_host(lab, host, args, None, &[]))
}

/// The session and every one of its processes are gone; everything else survived.
fn assert_only_gone(lab: &Lab, host: &str, before: &common::Snapshot, ids: &[&str]) {
    common::assert_only_gone(lab, host, before, ids, &[]);
}

#[test]
fn root_logs_alice_off_by_id() {
    let Some(lab) = Lab::get(3) else { return };
    let alice = lab.login("alice", H);
    let _bob = lab.login("bob", H);
    let _alice2 = lab.login("alice", H);
    let before = lab.snapshot(H);
    assert!(!before.session_procs(&alice).is_empty());
    let (code, stdout, stderr) = root_logoff(&lab, H, &[&alice]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, "", ""),
        "silent success, as the original"
    );
    assert_only_gone(&lab, H, &before, &[&alice]);
}

#[test]
fn root_logs_off_by_terminal_name() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login_with(&["--pty"], "bob", H);
    let _other = lab.login_with(&["--pty"], "carol", H);
    let tty = lab.session_prop(H, &bob, "TTY");
    assert!(tty.starts_with("pts/"), "bob's pty session has TTY {tty:?}");
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = root_logoff(&lab, H, &["/v", &tty]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("found by name '{tty}'")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("Session {bob} of bob on {H} has been logged off")),
        "{stdout}"
    );
    assert_only_gone(&lab, H, &before, &[&bob]);

    // The same by its device path.
    let carol = lab.login_with(&["--pty"], "carol", H);
    let tty = lab.session_prop(H, &carol, "TTY");
    let before = lab.snapshot(H);
    let (code, _, stderr) = root_logoff(&lab, H, &[&format!("/dev/{tty}")]);
    assert_eq!(code, 0, "{stderr}");
    assert_only_gone(&lab, H, &before, &[&carol]);
}

#[test]
fn alice_logs_herself_off_with_no_argument() {
    let Some(lab) = Lab::get(3) else { return };
    let other = lab.login("alice", H);
    let bob = lab.login("bob", H);
    let before = lab.snapshot(H);
    // A real ssh session of alice runs logoff with no argument: it ends itself, so ssh is
    // disconnected; it first prints its own session ID so the test knows which one it was.
    let bin = lab.host_binary();
    let o = std::process::Command::new("ssh")
        .args([
            "-F",
            lab.ssh_config().to_str().unwrap(),
            "-T",
            &format!("alice@{H}"),
        ])
        .arg(format!("echo ID=$XDG_SESSION_ID; exec {bin}"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ID="))
        .expect("session id printed")
        .trim()
        .to_owned();
    assert!(!id.is_empty());
    assert!(
        !lab.session_exists(H, &id),
        "alice's own session {id} survived"
    );
    assert!(
        lab.session_exists(H, &other),
        "alice's other session was touched"
    );
    assert!(lab.session_exists(H, &bob));
    let after = lab.snapshot(H);
    before.assert_survived_except(&after, H, &[&id], &[]);
}

#[test]
fn alice_cannot_log_bob_off() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login("bob", H);
    let before = lab.snapshot(H);
    let o = logoff_in_host(&lab, H, &[&bob], Some("alice"), &[]);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim(),
        format!("logoff: access denied: session {bob} on {H} belongs to bob")
    );
    let after = lab.snapshot(H);
    before.assert_survived_except(&after, H, &[], &[]);
    assert!(lab.session_exists(H, &bob));
    // The refusal is in the host's log: who, whom, where.
    let log = lab.journal(H);
    assert!(
        log.contains(&format!("alice (uid 2001) logoff of session {bob} (user bob, uid 2002) on {H}: refused by logind")),
        "{log}"
    );
}

#[test]
fn every_logoff_is_logged() {
    let Some(lab) = Lab::get(3) else { return };
    let alice = lab.login("alice", H);
    let (code, _, stderr) = root_logoff(&lab, H, &[&alice]);
    assert_eq!(code, 0, "{stderr}");
    let log = lab.journal(H);
    assert!(
        log.contains(&format!(
            "root (uid 0) logoff of session {alice} (user alice, uid 2001) on {H}: logged off"
        )),
        "{log}"
    );
}

#[test]
fn unknown_session() {
    let Some(lab) = Lab::get(3) else { return };
    let _a = lab.login("alice", H);
    let before = lab.snapshot(H);
    for arg in ["999999", "pts/999", "c999"] {
        let (code, stdout, stderr) = root_logoff(&lab, H, &[arg]);
        assert_eq!(code, 3, "{arg}: {stderr}");
        assert_eq!(stdout, "");
        let mut lines = stderr.lines();
        assert_eq!(
            lines.next(),
            Some(format!("logoff: no session '{arg}' on {H}").as_str())
        );
        // ... followed by the sessions that are there, to pick from.
        // (indented under the error: one error, one line)
        assert_eq!(
            lines.next(),
            Some(format!("  Sessions on {H}:").as_str()),
            "{stderr}"
        );
        assert!(
            lines.any(|l| l.split_whitespace().next() == Some(_a.as_str())),
            "{stderr}"
        );
    }
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
}

/// Stops the transient units a test started, even when the test fails.
struct Units<'a> {
    lab: &'a Lab,
    host: &'a str,
    names: Vec<String>,
}

impl Drop for Units<'_> {
    fn drop(&mut self) {
        for u in &self.names {
            self.lab
                .exec(self.host, &["systemctl", "kill", "--signal=KILL", u]);
        }
    }
}

#[test]
fn ambiguous_name_lists_candidates_and_touches_nothing() {
    let Some(lab) = Lab::get(3) else { return };
    // Two sessions whose terminal (PAM_TTY) has the same name, unique to this run.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let tty = format!("pts/{}", 1000 + nanos % 9000);
    let mut units = Units {
        lab: &lab,
        host: H,
        names: Vec::new(),
    };
    for i in 0..2 {
        let unit = format!("amb-{nanos}-{i}");
        // Registered first: stopped even if it never starts.
        units.names.push(unit.clone());
        lab.tty_session(H, &unit, "carol", &format!("/dev/{tty}"));
    }
    let amb: Vec<String> = eventually(Duration::from_secs(4), "two sessions on the tty", || {
        let listed = lab.exec_ok(H, &["loginctl", "list-sessions", "--no-legend"]);
        let ids: Vec<String> = listed
            .lines()
            .filter(|l| l.split_whitespace().any(|w| w == tty))
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect();
        (ids.len() == 2).then_some(ids)
    });
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = root_logoff(&lab, H, &[&tty]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!("logoff: session name '{tty}' is ambiguous on {H}")),
        "{stderr}"
    );
    for id in &amb {
        assert!(
            stderr
                .lines()
                .any(|l| l.split_whitespace().next() == Some(id) && l.contains("carol")),
            "{stderr}"
        );
    }
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
    drop(units);
}

#[test]
fn session_ignoring_sigterm_is_killed_after_the_timeout() {
    let Some(lab) = Lab::get(3) else { return };
    let stubborn = lab.login_with(&["--ignore-term"], "carol", H);
    let _bob = lab.login("bob", H);
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = root_logoff(&lab, H, &["/v", "/timeout:1", &stubborn]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("after the timeout: killing it (SIGKILL)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Session {stubborn} of carol on {H} has been logged off"
        )),
        "{stdout}"
    );
    assert_only_gone(&lab, H, &before, &[&stubborn]);
}

#[test]
fn console_session_is_refused_unless_forced() {
    let Some(lab) = Lab::get(3) else { return };
    let console = lab.console("carol", "server2");
    assert_eq!(lab.session_prop("server2", &console, "Seat"), "seat0");
    let before = lab.snapshot("server2");
    for arg in [console.as_str(), "console"] {
        let (code, stdout, stderr) = root_logoff(&lab, "server2", &[arg]);
        assert_eq!(code, 5, "{arg}: {stderr}");
        assert_eq!(stdout, "");
        assert!(
            stderr.contains("can't log off a user from the console session"),
            "{stderr}"
        );
        assert!(stderr.contains("/force"), "{stderr}");
    }
    before.assert_survived_except(&lab.snapshot("server2"), "server2", &[], &[]);
    let (code, _, stderr) = root_logoff(&lab, "server2", &["/force", "console"]);
    assert_eq!(code, 0, "{stderr}");
    assert_only_gone(&lab, "server2", &before, &[&console]);
}

#[test]
fn not_in_a_session() {
    let Some(lab) = Lab::get(3) else { return };
    let _a = lab.login("alice", H);
    let before = lab.snapshot(H);
    // lab exec runs outside any session, with no XDG_SESSION_ID.
    let (code, stdout, stderr) = root_logoff(&lab, H, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim(),
        "logoff: this process is not in a login session; give a session ID or name"
    );
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
}

#[test]
fn user_selector_ends_every_session_of_that_user_only() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", H);
    let a2 = lab.login_with(&["--pty"], "alice", H);
    let a3 = lab.login_with(&["--background"], "alice", H);
    let _b = lab.login("bob", H);
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = root_logoff(&lab, H, &["/user:alice", "/v"]);
    assert_eq!(code, 0, "{stderr}");
    for id in [&a1, &a2, &a3] {
        assert!(
            stdout.contains(&format!("Session {id} of alice on {H} has been logged off")),
            "{stdout}"
        );
    }
    let alice_all: Vec<String> = before
        .sessions
        .iter()
        .filter(|s| [&a1, &a2, &a3].contains(s) || lab.session_prop(H, s, "Name") == "alice")
        .cloned()
        .collect();
    let refs: Vec<&str> = alice_all.iter().map(String::as_str).collect();
    assert_only_gone(&lab, H, &before, &refs);
}

#[test]
fn verbose_says_every_step() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", H);
    let (code, stdout, stderr) = root_logoff(&lab, H, &["-V", &a]);
    assert_eq!(code, 0, "{stderr}");
    let all: Vec<&str> = stdout.lines().collect();
    assert_eq!(all.len(), 5, "{stdout}");
    assert_eq!(
        all[0],
        format!("{H}: sessions from logind (its system bus answers for org.freedesktop.login1)")
    );
    let lines = &all[1..];
    assert_eq!(
        lines[0],
        format!("Session {a} of alice on {H} (given by ID)")
    );
    assert_eq!(
        lines[1],
        format!("Logging off session {a} on {H} (TerminateSession)")
    );
    assert_eq!(
        lines[2],
        format!("Waiting up to 10 s for the session on {H} to end")
    );
    assert!(
        lines[3].starts_with(&format!(
            "Session {a} of alice on {H} has been logged off ("
        )),
        "{}",
        lines[3]
    );
    assert!(lines[3].ends_with(" ms)"));
}

#[test]
fn no_system_bus_or_no_logind() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", H);
    let no_bus = [("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/nonexistent-bus")];
    // No bus at all, and logind asked for.
    let o = logoff_in_host(&lab, H, &[&a, "--backend=logind"], None, &no_bus);
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with(&format!("logoff: cannot connect to the system bus on {H}")),
        "{stderr}"
    );
    // By default the login records are asked instead, and /v says why. An ssh login without a
    // terminal writes none: no such session there, and nothing changes.
    let o = logoff_in_host(&lab, H, &[&a, "/v"], None, &no_bus);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "{H}: sessions from its login records and /proc (no system bus: "
        )),
        "{stdout}"
    );
    // A bus without logind: a private dbus-daemon inside the host.
    let script = "dbus-daemon --session --address=unix:path=/run/lab-nologind-bus --nofork --nopidfile & \
                  for i in $(seq 100); do [ -S /run/lab-nologind-bus ] && break; sleep 0.02; done; \
                  env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/lab-nologind-bus \"$0\" \"$@\"; rc=$?; kill $!; exit $rc";
    let bin = lab.host_binary();
    let o = lab.exec(H, &["sh", "-c", script, &bin, &a, "--backend=logind"]);
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.contains(&format!("systemd-logind is not running on {H}")),
        "{stderr}"
    );
    let o = lab.exec(H, &["sh", "-c", script, &bin, &a, "/v"]);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "{H}: sessions from its login records and /proc (no logind on its system bus)"
        )),
        "{stdout}"
    );
    assert!(lab.session_exists(H, &a), "nothing may change");
}
