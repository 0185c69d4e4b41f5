//! `logoff /server:` against real lab hosts over real ssh + systemd-stdio-bridge: one host, many
//! hosts, dead hosts, refused names, and what each looks like to the user.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Lab, tmpdir};

/// Runs logoff on the machine (outside the hosts), reaching them through the lab's ssh config.
fn logoff(lab: &Lab, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let (code, stdout, stderr, _) = logoff_audited(lab, args, env);
    (code, stdout, stderr)
}

/// [`logoff`], and the audit records it wrote to the system log.
fn logoff_audited(
    lab: &Lab,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String, Vec<String>) {
    common::logoff_on_machine(lab, args, env)
}

/// An ssh wrapper that records each invocation (one line per run) and then runs the lab's ssh.
fn counting_ssh(lab: &Lab, dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("ssh-calls");
    let wrapper = dir.join("ssh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec /usr/bin/ssh -F '{}' \"$@\"\n",
            log.display(),
            lab.ssh_config().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper, log)
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn remote_logoff_by_id() {
    let Some(lab) = Lab::get(3) else { return };
    let alice = lab.login("alice", "server1");
    let _bob = lab.login("bob", "server1");
    let before = lab.snapshot("server1");
    let (code, stdout, stderr, log) = logoff_audited(&lab, &[&alice, "/server:server1"], &[]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(stderr, "");
    // Recorded on the machine logoff ran on, before logind was asked and after.
    let record =
        format!("root (uid 0) logoff of session {alice} (user alice, uid 2001) on server1");
    assert_eq!(
        log,
        [
            format!("{record}: requested"),
            format!("{record}: logged off")
        ]
    );
    assert!(!lab.session_exists("server1", &alice));
    assert!(lab.session_pids("server1", &alice).is_empty());
    before.assert_survived_except(&lab.snapshot("server1"), "server1", &[&alice], &[]);
}

#[test]
fn remote_logoff_by_name_with_one_connection() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login_with(&["--pty"], "bob", "server2");
    let _carol = lab.login_with(&["--pty"], "carol", "server2");
    let tty = lab.session_prop("server2", &bob, "TTY");
    let dir = tmpdir("byname");
    let (ssh, log) = counting_ssh(&lab, &dir);
    let before = lab.snapshot("server2");
    let (code, stdout, stderr) = logoff(
        &lab,
        &["/v", &tty, "/SERVER:server2"],
        &[("LOGOFF_SSH", ssh.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("Connecting to server2"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Session {bob} of bob on server2 (found by name '{tty}')"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Session {bob} of bob on server2 has been logged off"
        )),
        "{stdout}"
    );
    assert!(!lab.session_exists("server2", &bob));
    before.assert_survived_except(&lab.snapshot("server2"), "server2", &[&bob], &[]);
    // Resolving, ending and waiting all went over one ssh connection, with the host after `--`.
    let c = calls(&log);
    assert_eq!(c.len(), 1, "{c:?}");
    // The remote command: the bridge there, else the host's own logoff as the agent.
    assert!(
        c[0].contains("-- server2 env SYSTEMD_LOG_TARGET=console sh -c 'b=; if ")
            && c[0].contains("[ -d /run/systemd/seats ] && exec systemd-stdio-bridge; fi;")
            && c[0].contains("then exec logoff --agent=1 --backend=auto --timeout-ms="),
        "{c:?}"
    );
    assert!(
        c[0].contains("BatchMode=yes"),
        "no prompts without a terminal: {c:?}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn user_across_all_hosts_ends_exactly_their_sessions() {
    let Some(lab) = Lab::get(3) else { return };
    let hosts = ["server1", "server2", "server3"];
    for h in hosts {
        lab.login("alice", h);
        lab.login_with(&["--pty"], "alice", h);
        lab.login("bob", h);
    }
    // Every session of alice on each host (including any a previous test left), before.
    let alice: Vec<Vec<String>> = hosts
        .iter()
        .map(|h| {
            lab.sessions(h)
                .into_iter()
                .filter(|s| lab_name(&lab, h, s).as_deref() == Some("alice"))
                .collect()
        })
        .collect();
    let befores: Vec<_> = hosts.iter().map(|h| lab.snapshot(h)).collect();
    let dir = tmpdir("fleet");
    let (ssh, log) = counting_ssh(&lab, &dir);
    let list = dir.join("hosts");
    std::fs::write(&list, "# the farm\nserver1\nserver2  # rack 2\n\nserver3\n").unwrap();
    let server = format!("/server:@{}", list.display());
    let (code, stdout, stderr) = logoff(
        &lab,
        &["/user:alice", &server],
        &[("LOGOFF_SSH", ssh.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    for (i, h) in hosts.iter().enumerate() {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{h}: ")))
            .unwrap_or_else(|| panic!("{stdout}"));
        assert!(
            line.contains(&format!("{} sessions ended", alice[i].len())),
            "{h}: {line}"
        );
        for id in &alice[i] {
            assert!(!lab.session_exists(h, id), "{h}: alice's {id} survived");
        }
        let gone: Vec<&str> = alice[i].iter().map(String::as_str).collect();
        befores[i].assert_survived_except(&lab.snapshot(h), h, &gone, &[]);
    }
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("3 of 3 hosts done"),
        "{stdout}"
    );
    assert_eq!(calls(&log).len(), 3, "one ssh connection per host");
    std::fs::remove_dir_all(dir).ok();
}

fn lab_name(lab: &Lab, host: &str, id: &str) -> Option<String> {
    let o = lab.exec(
        host,
        &["loginctl", "show-session", id, "-p", "Name", "--value"],
    );
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

/// Restarts a stopped host when the test ends, however it ends.
struct Restart<'a>(&'a Lab);
impl Drop for Restart<'_> {
    fn drop(&mut self) {
        self.0.up(3);
    }
}

#[test]
fn a_dead_host_fails_alone() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", "server1");
    let a2 = lab.login("alice", "server2");
    let _restart = Restart(&lab);
    lab.stop("server3");
    let (code, stdout, stderr) = logoff(
        &lab,
        &["/user:alice", "/server:server1,server2,server3"],
        &[],
    );
    assert_eq!(code, 8, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let line = |h: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{h}: ")))
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        line("server3").starts_with("server3: FAILED: cannot reach server3:"),
        "{stdout}"
    );
    assert!(line("server3").contains("Connection refused"), "{stdout}");
    assert!(line("server1").contains("ended"), "{stdout}");
    assert!(line("server2").contains("ended"), "{stdout}");
    assert!(stdout.contains("2 of 3 hosts done"), "{stdout}");
    assert!(stdout.contains("1 of 3 hosts failed"), "{stdout}");
    assert!(!lab.session_exists("server1", &a1));
    assert!(!lab.session_exists("server2", &a2));
}

#[test]
fn injected_host_names_run_nothing() {
    let Some(lab) = Lab::get(3) else { return };
    let dir = tmpdir("inject");
    let (ssh, log) = counting_ssh(&lab, &dir);
    let marker = dir.join("pwned");
    let payloads = [
        format!("/server:-oProxyCommand=touch {}", marker.display()),
        format!("/server:-oProxyCommand=touch${{IFS}}{}", marker.display()),
        "/server:-oProxyCommand=sh".to_owned(),
        format!("--server=server1,-oProxyCommand=touch {}", marker.display()),
        "/server:alice@-p22".to_owned(),
        "/server:server1\nProxyCommand=x".to_owned(),
    ];
    for p in &payloads {
        let (code, stdout, stderr) =
            logoff(&lab, &["1", p], &[("LOGOFF_SSH", ssh.to_str().unwrap())]);
        assert_eq!(code, 2, "{p}: {stdout}{stderr}");
        assert!(stderr.starts_with("logoff: host name '"), "{p}: {stderr}");
        assert!(stderr.contains("is refused"), "{p}: {stderr}");
        assert!(stderr.contains("Usage: logoff"), "{p}: {stderr}");
    }
    assert!(!marker.exists(), "the payload ran");
    assert!(calls(&log).is_empty(), "ssh was started: {:?}", calls(&log));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn alice_over_ssh_cannot_end_bobs_session() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login("bob", "server1");
    let before = lab.snapshot("server1");
    let (code, stdout, stderr) = logoff(&lab, &[&bob, "/server:alice@server1"], &[]);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("logoff: access denied: session {bob} on alice@server1 belongs to bob")
    );
    assert!(lab.session_exists("server1", &bob));
    before.assert_survived_except(&lab.snapshot("server1"), "server1", &[], &[]);
    // Her own session she may end, remotely too.
    let mine = lab.login("alice", "server1");
    let (code, _, stderr) = logoff(&lab, &[&mine, "/server:alice@server1"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!lab.session_exists("server1", &mine));
}

#[test]
fn unreachable_host_times_out_within_the_connect_timeout() {
    let Some(lab) = Lab::get(3) else { return };
    // A port that accepts connections and then says nothing: ssh waits for a banner.
    let (port, _keep) = silent_port();
    let start = Instant::now();
    let (code, stdout, stderr) = logoff(
        &lab,
        &[
            "1",
            &format!("/server:127.0.0.1:{port}"),
            "/connect-timeout:2",
        ],
        &[],
    );
    let took = start.elapsed();
    assert_eq!(code, 7, "{stdout}{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "logoff: 127.0.0.1:{port} did not answer within 2 s"
        )) || stderr.contains("timed out"),
        "{stderr}"
    );
    // A correctness bound (the command must not hang), not a speed measurement.
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
fn connection_failures_say_why() {
    let Some(lab) = Lab::get(3) else { return };
    let (code, _, stderr) = logoff(&lab, &["1", "/server:nosuchuser@server1"], &[]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with("logoff: authentication to nosuchuser@server1 failed:"),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied"), "{stderr}");

    let (code, _, stderr) = logoff(&lab, &["1", "/server:no-such-host.invalid"], &[]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with("logoff: cannot reach no-such-host.invalid:"),
        "{stderr}"
    );

    let (code, _, stderr) = logoff(&lab, &["424242", "/server:server1"], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        stderr.lines().next(),
        Some("logoff: no session '424242' on server1")
    );

    let (code, _, stderr) = logoff(&lab, &["/server:server1"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr
            .contains("/server needs a session ID, a session name, /user, /idle or /disconnected"),
        "{stderr}"
    );
}

/// Undoes a bind mount inside a host when the test ends.
struct Unmount<'a>(&'a Lab, &'static str, &'static str);
impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        self.0.exec(self.1, &["umount", self.2]);
    }
}

#[test]
fn host_without_the_bridge() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", "server2");
    lab.exec_ok(
        "server2",
        &[
            "mount",
            "--bind",
            "/dev/null",
            "/usr/bin/systemd-stdio-bridge",
        ],
    );
    let _undo = Unmount(&lab, "server2", "/usr/bin/systemd-stdio-bridge");
    // Nor logoff there to answer as the agent (serverK have none on their PATH): said so.
    let (code, _, stderr) = logoff(&lab, &[&a, "/server:server2"], &[]);
    assert_eq!(code, 7, "{stderr}");
    assert_eq!(
        stderr.lines().next(),
        Some(
            "logoff: server2 has neither systemd-stdio-bridge nor logoff installed: install \
             either there to reach it"
        ),
        "{stderr}"
    );
    assert!(lab.session_exists("server2", &a));
}

#[test]
fn localized_remote_errors() {
    let Some(lab) = Lab::get(3) else { return };
    let (code, _, stderr) = logoff(
        &lab,
        &["424242", "/server:server1"],
        &[("LC_ALL", "es_ES.UTF-8")],
    );
    assert_eq!(code, 3);
    let l = logoff::i18n::Localizer::for_locale("es_ES.UTF-8");
    let want = l.tr(
        "err-not-found",
        &[("session", "424242".into()), ("host", "server1".into())],
    );
    assert_eq!(
        stderr.lines().next(),
        Some(format!("logoff: {want}").as_str())
    );
    assert_ne!(want, "no session '424242' on server1");
}

/// A TCP port that accepts and then never speaks: ssh hangs waiting for a banner.
fn silent_port() -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(4) {
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    (port, t)
}

#[test]
fn a_slow_host_does_not_delay_the_others() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", "server1");
    let (port, _t) = silent_port();
    let slow = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = logoff(
        &lab,
        &[
            "/user:alice",
            &format!("/server:{slow},server1"),
            "/connect-timeout:3",
        ],
        &[],
    );
    assert_eq!(code, 8, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // server1 is reported first although it was listed second: it did not wait for the slow one.
    assert!(lines[0].starts_with("server1: "), "{stdout}");
    assert!(
        lines[1].starts_with(&format!("{slow}: FAILED: {slow} did not answer within 3 s")),
        "{stdout}"
    );
    assert!(!lab.session_exists("server1", &a));
}

#[test]
fn host_without_logind() {
    let Some(lab) = Lab::get(3) else { return };
    let out = lab.run(&["up", "1", "--no-logind"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No bus, so no bridge; and no logoff on its PATH (an empty /usr/local/bin for the test).
    lab.exec_ok("bare1", &["mount", "-t", "tmpfs", "none", "/usr/local/bin"]);
    let _undo = Unmount(&lab, "bare1", "/usr/local/bin");
    let (code, _, stderr) = logoff(&lab, &["1", "/server:bare1"], &[]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with("logoff: bare1 has neither systemd-stdio-bridge nor logoff installed"),
        "{stderr}"
    );
}

#[test]
fn fleet_shows_progress_on_a_terminal_only() {
    let Some(lab) = Lab::get(3) else { return };
    lab.login("alice", "server1");
    lab.login("alice", "server2");
    let bin = env!("CARGO_BIN_EXE_logoff");
    // script(1) gives the command a real terminal; the progress goes to that terminal.
    // /y: no confirmation question on the terminal (tests/warn.rs has it); the progress is
    // what is looked at here.
    let cmd = format!("{bin} /user:alice /server:server1,server2 /y");
    let o = lab.on_terminal(&cmd, &[]);
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{tty}");
    assert!(tty.contains("0/2 hosts finished"), "{tty:?}");
    assert!(tty.contains("1/2 hosts finished"), "{tty:?}");
    assert!(
        tty.contains("\r\x1b[K"),
        "progress is redrawn in place: {tty:?}"
    );
    assert!(tty.contains("2 of 2 hosts done"), "{tty:?}");
    // Not a terminal: no progress, no escape sequences.
    lab.login("alice", "server1");
    let (code, stdout, stderr) = logoff(&lab, &["/user:alice", "/server:server1,server2"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stdout.contains("hosts finished") && !stderr.contains("hosts finished"),
        "{stdout}{stderr}"
    );
    assert!(!stdout.contains('\x1b') && !stderr.contains('\x1b'));
}
