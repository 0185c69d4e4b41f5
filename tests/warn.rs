//! Warn first, then log off (`/msg`, `/delay`): the text reaches the session's terminal and its
//! X display before the session ends, Ctrl-C during the delay cancels everything; and choosing
//! sessions by state (`/idle`, `/disconnected`) with a confirmation on a terminal.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Lab, assert_only_gone, eventually, logoff_in_host, logoff_on_machine, out};

/// A pty ssh login (with `lab login`'s `flags` too) whose client's output (what the user sees)
/// goes to the returned file.
fn watched_login(lab: &Lab, flags: &[&str], user: &str, host: &str) -> (String, PathBuf) {
    let mut args = vec!["login", "--pty", "--log"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&[user, host]);
    let line = lab.run_ok(&args);
    let (id, path) = line
        .trim()
        .split_once(' ')
        .expect("lab login --log: ID PATH");
    lab.track(host, id);
    (id.to_string(), PathBuf::from(path))
}

fn seen(path: &PathBuf) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// logoff on the machine with the lab's ssh, started in the background.
fn spawn_logoff(lab: &Lab, args: &[&str]) -> std::process::Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_logoff"));
    c.args(args);
    common::on_machine(lab, c)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run logoff")
}

/// Windows whose title is `title` on `display` of `user` in `host` (xwininfo, with the
/// user's X authority).
fn windows(lab: &Lab, host: &str, user: &str, display: &str, title: &str) -> usize {
    let (uid, gid, home) = lab.user_ids(host, user);
    let o = lab.exec(
        host,
        &[
            "setpriv",
            &format!("--reuid={uid}"),
            &format!("--regid={gid}"),
            "--init-groups",
            "env",
            &format!("DISPLAY={display}"),
            &format!("XAUTHORITY={home}/.Xauthority"),
            // Never wait for a display that does not answer.
            "timeout",
            "5",
            "xwininfo",
            "-root",
            "-tree",
        ],
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains(&format!("\"{title}\"")))
        .count()
}

#[test]
fn the_warning_reaches_the_terminal_and_the_desktop_before_the_logoff() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let (alice, client) = watched_login(&lab, &[], "alice", "server1");
    let desktop = lab.rdp(&[], "alice", "server1");
    let bob = lab.login("bob", "server1");
    let before = lab.snapshot("server1");
    let start = Instant::now();
    let run = spawn_logoff(
        &lab,
        &[
            "/v",
            "/user:alice",
            "/server:server1",
            "/msg:Maintenance: please save your work",
            "/delay:4",
        ],
    );
    // Both sessions are told, and the desktop shows a window, while they still exist.
    eventually(
        Duration::from_secs(10),
        "the warning on alice's terminal",
        || {
            seen(&client)
                .contains("Maintenance: please save your work")
                .then_some(())
        },
    );
    assert!(lab.session_exists("server1", &alice));
    let text = seen(&client);
    assert!(text.contains("You will be logged off in 4 s"), "{text}");
    eventually(
        Duration::from_secs(10),
        "the warning on alice's desktop",
        || (windows(&lab, "server1", "alice", &desktop.display, "logoff") > 0).then_some(()),
    );
    assert!(lab.session_exists("server1", &desktop.id));
    let o = run.wait_with_output().unwrap();
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "the delay was not waited"
    );
    for id in [&alice, &desktop.id] {
        assert!(
            stdout.contains(&format!("Warned session {id} of alice on server1")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "Session {id} of alice on server1 has been logged off"
            )),
            "{stdout}"
        );
    }
    assert_only_gone(&lab, "server1", &before, &[&alice, &desktop.id], &[]);
    assert!(lab.session_exists("server1", &bob));
}

#[test]
fn ctrl_c_during_the_delay_ends_nothing_and_the_sessions_are_told() {
    let Some(lab) = Lab::get(2) else { return };
    let (alice, client) = watched_login(&lab, &[], "alice", "server2");
    let before = lab.snapshot("server2");
    let run = spawn_logoff(&lab, &[&alice, "/server:server2", "/delay:60"]);
    eventually(Duration::from_secs(15), "the warning", || {
        seen(&client).contains("logged off in 60 s").then_some(())
    });
    let pid = run.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let o = run.wait_with_output().unwrap();
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 130, "{stdout}{stderr}");
    assert!(
        stderr.contains("cancelled by SIGINT during the warning: no session on server2 was logged off; 1 of 1 warned sessions were told"),
        "{stderr}"
    );
    eventually(
        Duration::from_secs(10),
        "the cancellation on the terminal",
        || {
            seen(&client)
                .contains("The logoff has been cancelled")
                .then_some(())
        },
    );
    before.assert_survived_except(&lab.snapshot("server2"), "server2", &[], &[]);
}

#[test]
fn idle_picks_exactly_the_idle_sessions_and_whatif_shows_the_same() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let idle = lab.rdp(&[], "alice", "server2");
    let busy = lab.rdp(&[], "bob", "server2");
    let ssh = lab.login("carol", "server2");
    // logind lets a graphical session (or root) say it is idle.
    let path = format!(
        "/org/freedesktop/login1/session/{}",
        idle.id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    lab.exec_ok(
        "server2",
        &[
            "busctl",
            "call",
            "org.freedesktop.login1",
            &path,
            "org.freedesktop.login1.Session",
            "SetIdleHint",
            "b",
            "true",
        ],
    );
    std::thread::sleep(Duration::from_millis(2100));
    let before = lab.snapshot("server2");
    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/idle:2s", "/server:server2", "/whatif"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("What if: session {} of alice", idle.id)),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&busy.id) && !stdout.contains(&ssh),
        "{stdout}"
    );
    before.assert_survived_except(&lab.snapshot("server2"), "server2", &[], &[]);

    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/v", "/idle:2s", "/server:server2"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("idle 0 min"), "{stdout}");
    assert_only_gone(&lab, "server2", &before, &[&idle.id], &[]);

    // Nothing idle that long: nothing ends, and that is no error.
    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/v", "/idle:2h", "/server:server2"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("no session on server2 matches /idle:2h"),
        "{stdout}"
    );
    assert!(lab.session_exists("server2", &busy.id) && lab.session_exists("server2", &ssh));
}

#[test]
fn disconnected_ends_a_closing_session_and_nothing_else() {
    let Some(lab) = Lab::get(2) else { return };
    let closing = lab.login_with(&["--closing"], "alice", "server1");
    let active = lab.login("alice", "server1");
    let other = lab.login("bob", "server1");
    let before = lab.snapshot("server1");
    let (code, stdout, stderr) = out(&logoff_in_host(
        &lab,
        "server1",
        &["/v", "/disconnected"],
        None,
        &[],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "Session {closing} of alice on server1 (disconnected)"
        )),
        "{stdout}"
    );
    assert_only_gone(&lab, "server1", &before, &[&closing], &[]);
    assert!(lab.session_exists("server1", &active) && lab.session_exists("server1", &other));
}

#[test]
fn several_sessions_are_confirmed_on_a_terminal_and_never_without_one() {
    let Some(lab) = Lab::get(2) else { return };
    let a1 = lab.login("alice", "server1");
    let a2 = lab.login("alice", "server1");
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} /user:alice /server:server1; echo \"exit=$?\"");

    let mut t = lab.terminal(&cmd, &[]);
    t.expect("Log off these 2 sessions? [y/N]", Duration::from_secs(20));
    let shown = t.shown();
    assert!(shown.contains(&a1) && shown.contains(&a2), "{shown}");
    t.send(b"n\n");
    let o = t.wait(Duration::from_secs(20));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        shown.contains("nothing was logged off (not confirmed)"),
        "{shown}"
    );
    assert!(shown.contains("exit=9"), "{shown}");
    assert!(lab.session_exists("server1", &a1) && lab.session_exists("server1", &a2));

    let mut t = lab.terminal(&cmd, &[]);
    t.expect("[y/N]", Duration::from_secs(20));
    t.send(b"y\n");
    let o = t.wait(Duration::from_secs(30));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(shown.contains("exit=0"), "{shown}");
    assert!(!lab.session_exists("server1", &a1) && !lab.session_exists("server1", &a2));

    // No terminal: no question (scripts keep the Windows behaviour); /y on a terminal neither.
    let b1 = lab.login("bob", "server1");
    let b2 = lab.login("bob", "server1");
    let (code, stdout, stderr, _) = logoff_on_machine(&lab, &["/user:bob", "/server:server1"], &[]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(!stderr.contains("[y/N]"), "{stderr}");
    assert!(!lab.session_exists("server1", &b1) && !lab.session_exists("server1", &b2));
    let c1 = lab.login("carol", "server1");
    let c2 = lab.login("carol", "server1");
    let t = lab.terminal(
        &format!("{bin} /user:carol /server:server1 /y; echo \"exit=$?\""),
        &[],
    );
    let o = t.wait(Duration::from_secs(30));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        shown.contains("exit=0") && !shown.contains("[y/N]"),
        "{shown}"
    );
    assert!(!lab.session_exists("server1", &c1) && !lab.session_exists("server1", &c2));
}

#[test]
fn disconnected_ends_a_desktop_whose_rdp_client_went_away_not_a_connected_one() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let connected = lab.rdp(&["--client"], "alice", "server2");
    let dropped = lab.rdp(&["--client"], "bob", "server2");
    let ssh = lab.login("carol", "server2");
    // bob's client dies without a word (a laptop lid closed): logind still says active.
    let log = dropped.client_log.as_ref().unwrap();
    let pid = std::fs::read_to_string(log.with_extension("client.pid")).unwrap();
    assert!(
        Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .unwrap()
            .success()
    );
    dropped.client_exit(Duration::from_secs(10));
    eventually(
        Duration::from_secs(10),
        "xrdp to let go of bob's desktop",
        || {
            let before = lab.snapshot("server2");
            let xrdp = before.unit_pids("xrdp.service");
            // The listener and alice's connection are left once bob's connection process has gone.
            (xrdp.len() == 2).then_some(())
        },
    );
    assert_eq!(lab.session_prop("server2", &dropped.id, "State"), "active");
    let before = lab.snapshot("server2");
    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/v", "/disconnected", "/server:server2"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "Session {} of bob on server2 (disconnected)",
            dropped.id
        )),
        "{stdout}"
    );
    assert_only_gone(&lab, "server2", &before, &[&dropped.id], &[]);
    assert!(lab.session_exists("server2", &connected.id) && lab.session_exists("server2", &ssh));
    let other_rc = connected.client_log.as_ref().unwrap().with_extension("rc");
    assert!(
        !other_rc.exists(),
        "alice's RDP client was disconnected too"
    );
}

#[test]
fn each_session_is_warned_in_its_language_and_json_says_which_were_reached() {
    let Some(lab) = Lab::get(2) else { return };
    let (spanish, client) = watched_login(&lab, &["--env=LANG=es_ES.UTF-8"], "alice", "server1");
    let spanish = spanish.as_str();
    // Without a pty the session has no terminal to write on.
    let mute = lab.login("alice", "server1");
    let (code, stdout, stderr, audit) = logoff_on_machine(
        &lab,
        &[
            "--json",
            "/user:alice",
            "/server:server1",
            "/msg:Reinicio ${HOME} $$5",
            "/delay:1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc = common::document(&stdout);
    let warned = |id: &str| {
        doc["hosts"][0]["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| (s["outcome"].clone(), s["warned"].clone()))
            .unwrap_or_else(|| panic!("{id} not in {doc}"))
    };
    assert_eq!(warned(spanish), ("ended".into(), true.into()));
    assert_eq!(warned(&mute), ("ended".into(), false.into()));
    // The admin's words as written (systemd expands `${…}` and `$$` in what it runs: not
    // these), the rest in the session's language.
    let text = seen(&client);
    assert!(
        text.contains("[logoff] root: Reinicio ${HOME} $$5 Su sesión se cerrará en 1 s"),
        "{text}"
    );
    // The warning is in the audit trail before the logoff, with whether it was seen.
    let record = format!("root (uid 0) logoff of session {mute} (user alice, uid 2001) on server1");
    assert!(
        audit.contains(&format!(
            "{record}: warned, logoff in 1 s (not shown: no terminal or display reached)"
        )),
        "{audit:?}"
    );
}
