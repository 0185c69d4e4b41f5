//! The promise, under hostile input and faults, against the real lab: exit 0 only when every
//! target session and its processes are gone; nothing else touched; every outcome told (exit
//! code, message, audit record); and the command always comes back, in bounded time.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Lab, LogCatcher, eventually, logoff_in_host, out, tmpdir};

const H: &str = "server1";

fn in_host(lab: &Lab, host: &str, args: &[&str]) -> (i32, String, String) {
    out(&logoff_in_host(lab, host, args, None, &[]))
}

fn executable(path: &PathBuf, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// logoff on the machine with the lab's ssh, a system log of its own, and `LOGOFF_SSH` set to
/// a wrapper that logs each ssh it starts to `dir/ssh-calls` (and names `dir` on ssh's command
/// line, so that the ssh processes of this test can be told apart).
struct Remote {
    lab_env: Vec<(String, String)>,
    log: LogCatcher,
    dir: PathBuf,
}

impl Remote {
    fn new(lab: &Lab, tag: &str) -> Remote {
        Remote::with_ssh_options(lab, tag, "")
    }

    /// With `options` on each ssh's command line, before logoff's own.
    fn with_ssh_options(lab: &Lab, tag: &str, options: &str) -> Remote {
        let dir = tmpdir(tag);
        let d = dir.display();
        executable(
            &dir.join("ssh"),
            &format!(
                "#!/bin/sh\necho \"$*\" >> '{d}/ssh-calls'\n\
                 exec /usr/bin/ssh -o ControlPath='{d}/no-master' {options} -F '{}' \"$@\"\n",
                lab.ssh_config().display()
            ),
        );
        Remote {
            lab_env: lab.env(),
            log: LogCatcher::new(),
            dir,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = self.log.command(env!("CARGO_BIN_EXE_logoff"), args, &[]);
        c.stdin(Stdio::null())
            .env_remove("XDG_SESSION_ID")
            .env("LC_ALL", "C");
        for (k, v) in &self.lab_env {
            c.env(k, v);
        }
        c.env("LOGOFF_SSH", self.dir.join("ssh"));
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        out(&self.command(args).output().expect("run logoff"))
    }

    /// This test's ssh processes still running.
    fn ssh_left(&self) -> Vec<String> {
        let marker = self.dir.join("no-master").display().to_string();
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.contains(&marker))
            .collect()
    }

    fn ssh_calls(&self) -> usize {
        std::fs::read_to_string(self.dir.join("ssh-calls"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads `child`'s stdout until a line contains `what` (the run reached that step).
fn wait_for_line(child: &mut Child, what: &str) -> String {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read logoff's output");
        assert!(n > 0, "logoff ended before printing {what:?}:\n{seen}");
        seen.push_str(&line);
        if line.contains(what) {
            return seen;
        }
    }
}

// ---- nothing touched by mistake --------------------------------------------------------------

#[test]
fn a_session_argument_with_several_hosts_is_refused_before_anything_runs() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", "server1");
    let before = lab.snapshot("server1");
    let r = Remote::new(&lab, "manyhosts");
    let list = r.dir.join("hosts");
    std::fs::write(&list, "server1\nserver2\n").unwrap();
    let file = format!("/server:@{}", list.display());
    for server in ["/server:server1,server2", file.as_str()] {
        let (code, stdout, stderr) = r.run(&[&a, server]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{server}: {stderr}");
        assert!(
            stderr.starts_with(
                "logoff: Invalid parameter(s): a session ID or name belongs to one host"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("Usage: logoff"), "{stderr}");
    }
    assert_eq!(r.ssh_calls(), 0, "ssh was started");
    before.assert_survived_except(&lab.snapshot("server1"), "server1", &[], &[]);
    // The same host twice, in any letter case, is one host: that is allowed.
    std::fs::write(&list, "\u{feff}server1\r\nSERVER1\r\n").unwrap();
    let (code, _, stderr) = r.run(&[&a, &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!lab.session_exists("server1", &a));
    assert_eq!(r.ssh_calls(), 1);
}

#[test]
fn duplicate_hosts_are_one_host_one_connection_one_record() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", "server1");
    let a2 = lab.login("alice", "server2");
    let r = Remote::new(&lab, "dups");
    let (code, stdout, stderr) = r.run(&["/user:alice", "/server:server1,SERVER1,server2,Server2"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("server1: "))
            .count(),
        1,
        "{stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.to_lowercase().starts_with("server2: "))
            .count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("2 of 2 hosts done"), "{stdout}");
    assert_eq!(r.ssh_calls(), 2);
    let log = r.log.messages();
    for (id, host) in [(&a1, "server1"), (&a2, "server2")] {
        assert!(!lab.session_exists(host, id));
        let mine: Vec<&String> = log
            .iter()
            .filter(|m| m.contains(&format!("logoff of session {id} ")))
            .collect();
        assert_eq!(mine.len(), 2, "requested + logged off, once: {log:?}");
    }
}

#[test]
fn a_forged_xdg_session_id_never_decides_the_current_session() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login("bob", H);
    let before = lab.snapshot(H);
    // Outside any session, with bob's session ID in the environment: not bob's session.
    let o = logoff_in_host(&lab, H, &[], None, &[("XDG_SESSION_ID", &bob)]);
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("not in a login session"), "{stderr}");
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
    // In alice's own ssh session, with bob's ID: alice's session ends, bob's stays.
    let bin = lab.host_binary();
    let o = Command::new("ssh")
        .args(["-F", lab.ssh_config().to_str().unwrap(), "-T"])
        .arg(format!("alice@{H}"))
        .arg(format!(
            "echo ID=$XDG_SESSION_ID; XDG_SESSION_ID={bob} exec {bin}"
        ))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let mine = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ID="))
        .expect("session id printed")
        .trim()
        .to_owned();
    assert!(
        !lab.session_exists(H, &mine),
        "alice's session {mine} survived"
    );
    assert!(lab.session_exists(H, &bob), "bob's session was ended");
    before.assert_survived_except(&lab.snapshot(H), H, &[&mine], &[]);
}

// ---- every outcome told truthfully ----------------------------------------------------------

#[test]
fn a_user_without_sessions_is_not_found_not_a_silent_success() {
    let Some(lab) = Lab::get(3) else { return };
    let _a = lab.login("alice", H);
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = in_host(&lab, H, &["/user:carol"]);
    assert_eq!((code, stdout.as_str()), (3, ""), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("logoff: carol has no session on {H}")
    );
    let (code, _, stderr) = in_host(&lab, H, &["/user:nosuchuser"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("logoff: there is no user 'nosuchuser' on {H}")
    );
    let r = Remote::new(&lab, "nouser");
    let (code, _, stderr) = r.run(&["/user:carol", "/server:server1"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stderr.trim(), "logoff: carol has no session on server1");
    let (code, stdout, stderr) = r.run(&["/user:carol", "/server:server1,server2"]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stdout.contains("server1: no session to end"), "{stdout}");
    assert_eq!(
        stderr.trim(),
        "logoff: carol has no session on any of the 2 hosts"
    );
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
}

#[test]
fn a_refused_console_still_shows_what_was_ended_and_is_recorded() {
    let Some(lab) = Lab::get(3) else { return };
    let host = "server2";
    let console = lab.console("carol", host);
    let ssh = lab.login("carol", host);
    let before = lab.snapshot(host);
    let (code, stdout, stderr) = in_host(&lab, host, &["/user:carol"]);
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert_eq!(
        stdout.trim(),
        format!("Session {ssh} of carol on {host} has been logged off")
    );
    assert!(
        stderr.starts_with("logoff: can't log off a user from the console session"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(lab.session_exists(host, &console));
    assert!(!lab.session_exists(host, &ssh));
    before.assert_survived_except(&lab.snapshot(host), host, &[&ssh], &[]);
    let log = lab.journal(host);
    assert!(
        log.contains(&format!(
            "logoff of session {console} (user carol, uid 2003, tty"
        )) && log.contains("console session refused (no /force)"),
        "{log}"
    );
}

#[test]
fn the_audit_record_falls_back_to_journald_and_is_never_lost_silently() {
    let Some(lab) = Lab::get(3) else { return };
    let bin = lab.host_binary();
    // No /dev/log: journald's own socket takes the record.
    let a = lab.login("alice", H);
    let hide_syslog = "mount --bind /dev/null /run/systemd/journal/dev-log && exec \"$@\"";
    let o = lab.exec(
        H,
        &["unshare", "-m", "sh", "-c", hide_syslog, "sh", &bin, &a],
    );
    let (code, stdout, stderr) = out(&o);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    assert!(!lab.session_exists(H, &a));
    let log = lab.journal(H);
    assert!(
        log.contains(&format!(
            "logoff of session {a} (user alice, uid 2001) on {H}: requested"
        )) && log.contains(&format!(
            "logoff of session {a} (user alice, uid 2001) on {H}: logged off"
        )),
        "{log}"
    );
    // Neither: the logoff still happens, and the user is told once.
    let b = lab.login("bob", H);
    let hide_both = "mount --bind /dev/null /run/systemd/journal/dev-log && \
                     mount --bind /dev/null /run/systemd/journal/socket && exec \"$@\"";
    let o = lab.exec(H, &["unshare", "-m", "sh", "-c", hide_both, "sh", &bin, &b]);
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 0, "{stderr}");
    assert!(!lab.session_exists(H, &b));
    assert_eq!(
        stderr,
        "logoff: warning: the audit record could not be written: this machine has no system \
         log (/dev/log) and no journald socket\n"
    );
}

#[test]
fn two_runs_racing_for_one_session_both_succeed() {
    let Some(lab) = Lab::get(3) else { return };
    let s = lab.login_with(&["--pty", "--ignore-term"], "bob", H);
    let tty = lab.session_prop(H, &s, "TTY");
    let before = lab.snapshot(H);
    let bin = lab.host_binary();
    let script = "\"$0\" /timeout:1 \"$1\" & a=$!; \"$0\" /timeout:1 \"$2\"; b=$?; wait $a; \
                  echo \"rc=$? $b\"";
    let o = lab.exec(H, &["sh", "-c", script, &bin, &s, &tty]);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "rc=0 0", "both report success: {stderr}");
    assert_eq!(stderr, "", "no spurious error");
    assert!(!lab.session_exists(H, &s));
    assert!(lab.session_pids(H, &s).is_empty());
    before.assert_survived_except(&lab.snapshot(H), H, &[&s], &[]);
}

#[test]
fn a_closing_session_is_signalled_at_once_not_after_the_timeout() {
    let Some(lab) = Lab::get(3) else { return };
    let s = lab.login_with(&["--closing"], "bob", H);
    assert_eq!(lab.session_prop(H, &s, "State"), "closing");
    assert!(
        !lab.session_pids(H, &s).is_empty(),
        "a process is left in it"
    );
    let _other = lab.login("alice", H);
    let before = lab.snapshot(H);
    let (code, stdout, stderr) = in_host(&lab, H, &["/v", "/timeout:60", &s]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "Session {s} on {H} is closing (its leader is gone): sending SIGTERM to its processes"
        )),
        "{stdout}"
    );
    // It honours SIGTERM: no SIGKILL was needed, so the 60 s timeout never ran out.
    assert!(!stdout.contains("SIGKILL"), "{stdout}");
    assert!(!lab.session_exists(H, &s));
    assert!(lab.session_pids(H, &s).is_empty());
    before.assert_survived_except(&lab.snapshot(H), H, &[&s], &[]);
}

#[test]
fn an_interrupted_run_says_what_was_asked_and_what_is_left() {
    let Some(lab) = Lab::get(3) else { return };
    let stubborn = lab.login_with(&["--ignore-term"], "alice", H);
    let bob = lab.login("bob", H);
    let bin = lab.host_binary();
    let mut child = Command::new(Lab::script())
        .args(["exec", H, &bin, "/v", "/timeout:600", "/user:alice"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_line(&mut child, "Waiting up to 600 s");
    lab.exec_ok(
        H,
        &["pkill", "-INT", "-f", &format!("{bin} /v /timeout:600")],
    );
    let o = child.wait_with_output().unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 130, "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "logoff: interrupted by SIGINT".to_string(),
            format!(
                "logoff: session {stubborn} of alice on {H} was asked to end and is still there"
            ),
        ]
    );
    assert!(lab.session_exists(H, &bob), "bob was not a target");
    let log = lab.journal(H);
    assert!(
        log.contains(&format!(
            "logoff of session {stubborn} (user alice, uid 2001) on {H}: interrupted by SIGINT; \
             the session is still there"
        )),
        "{log}"
    );
}

#[test]
fn an_interrupted_remote_run_leaves_no_ssh_behind() {
    let Some(lab) = Lab::get(3) else { return };
    let stubborn = lab.login_with(&["--ignore-term"], "alice", "server2");
    let r = Remote::new(&lab, "intr");
    let mut child = r
        .command(&["/v", "/timeout:600", "/user:alice", "/server:server2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_line(&mut child, "Waiting up to 600 s");
    // `lab with-log` execs all the way: the child's PID is logoff's.
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let o = child.wait_with_output().unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 130, "{stderr}");
    assert!(
        stderr.starts_with("logoff: interrupted by SIGINT"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "session {stubborn} of alice on server2 was asked to end and is still there"
        )),
        "{stderr}"
    );
    let left = r.ssh_left();
    assert!(left.is_empty(), "ssh left behind: {left:?}");
}

#[test]
fn write_errors_are_errors_and_a_broken_pipe_is_not() {
    let Some(lab) = Lab::get(3) else { return };
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_logoff"))
        .arg("/?")
        .stdout(full)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "logoff: cannot write the output: No space left on device (os error 28)\n"
    );
    let o = Command::new("sh")
        .args(["-c", "\"$0\" /? | head -c1 >/dev/null"])
        .arg(env!("CARGO_BIN_EXE_logoff"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "",
        "broken pipe is quiet"
    );
    // A closed stdout is an error when there is something to write; /dev/null is not.
    let sh = |script: &str| {
        out(&Command::new("sh")
            .args(["-c", script])
            .arg(env!("CARGO_BIN_EXE_logoff"))
            .env("LC_ALL", "C")
            .output()
            .unwrap())
    };
    assert_eq!(
        sh("\"$0\" /? >&-"),
        (
            1,
            String::new(),
            "logoff: cannot write the output: Bad file descriptor (os error 9)\n".into()
        )
    );
    assert_eq!(
        sh("\"$0\" /? >/dev/null"),
        (0, String::new(), String::new())
    );
    // /dev/null opened read-write (Python's subprocess.DEVNULL, daemon(3)) is no closed stdout.
    assert_eq!(
        sh("\"$0\" /? 1<>/dev/null"),
        (0, String::new(), String::new())
    );
    // A real logoff whose /v output cannot be written: done, and said to have failed writing.
    let bin = lab.host_binary();
    for redirect in [">/dev/full", ">&-"] {
        let a = lab.login("alice", H);
        let script = format!("\"$0\" /v \"$1\" {redirect}");
        let o = lab.exec(H, &["sh", "-c", &script, &bin, &a]);
        let (code, _, stderr) = out(&o);
        assert_eq!(code, 1, "{redirect}: {stderr}");
        assert!(stderr.contains("cannot write the output"), "{stderr}");
        assert!(!lab.session_exists(H, &a));
    }
}

// ---- always comes back, in bounded time -----------------------------------------------------

/// Sends SIGCONT to a host's dbus-daemon when the test ends, however it ends.
struct Thaw<'a>(&'a Lab, &'static str, String);
impl Drop for Thaw<'_> {
    fn drop(&mut self) {
        self.0.exec(self.1, &["kill", "-CONT", &self.2]);
    }
}

#[test]
fn a_frozen_bus_is_reported_within_the_bounds() {
    let Some(lab) = Lab::get(3) else { return };
    let host = "server2";
    let stubborn = lab.login_with(&["--ignore-term"], "alice", host);
    let bin = lab.host_binary();
    let dbus = lab
        .exec_ok(host, &["pidof", "dbus-daemon"])
        .trim()
        .to_string();
    // Frozen before anything is asked: nothing is touched.
    let thaw = Thaw(&lab, host, dbus.clone());
    lab.exec_ok(host, &["kill", "-STOP", &dbus]);
    let start = Instant::now();
    let (code, _, stderr) = in_host(&lab, host, &["/connect-timeout:2", &stubborn]);
    assert!(start.elapsed() < Duration::from_secs(30), "no hang");
    assert_eq!(code, 7, "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("logoff: the system bus on {host} did not answer within 2 s")
    );
    // Over ssh: the bridge cannot reach the frozen bus either.
    let r = Remote::new(&lab, "frozen");
    let (code, _, stderr) = r.run(&[&stubborn, "/server:server2", "/connect-timeout:2"]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with("logoff: server2 did not answer within 2 s"),
        "{stderr}"
    );
    drop(thaw);
    assert_eq!(lab.session_prop(host, &stubborn, "State"), "active");
    // Frozen during the wait: what was asked is reported as unconfirmed.
    let thaw = Thaw(&lab, host, dbus.clone());
    let mut child = Command::new(Lab::script())
        .args([
            "exec",
            host,
            &bin,
            "/v",
            "/timeout:3",
            "/connect-timeout:2",
            &stubborn,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_line(&mut child, "Waiting up to 3 s");
    lab.exec_ok(host, &["kill", "-STOP", &dbus]);
    let start = Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(30), "no hang");
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 7, "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            format!("logoff: the system bus on {host} did not answer within 2 s"),
            format!(
                "logoff: session {stubborn} of alice on {host} was asked to end; whether it has \
                 ended is unknown"
            ),
        ]
    );
    drop(thaw);
    let log = lab.journal(host);
    assert!(
        log.contains(&format!(
            "logoff of session {stubborn} (user alice, uid 2001) on {host}: requested"
        )) && log.contains("whether the session ended is unknown"),
        "{log}"
    );
}

/// Reboots server3 when the test ends: its logind was broken on purpose.
struct Reboot<'a>(&'a Lab);
impl Drop for Reboot<'_> {
    fn drop(&mut self) {
        self.0.stop("server3");
        self.0.up(3);
    }
}

#[test]
fn a_logind_that_cannot_start_is_unreachable_not_an_internal_error() {
    let Some(lab) = Lab::get(3) else { return };
    let host = "server3";
    let _reboot = Reboot(&lab);
    let broken = |exec: &str| {
        let script = format!(
            "mkdir -p /run/systemd/system/systemd-logind.service.d && \
             printf '[Service]\\nExecStart=\\nExecStart={exec}\\n' \
               > /run/systemd/system/systemd-logind.service.d/broken.conf && \
             systemctl daemon-reload && systemctl stop systemd-logind"
        );
        lab.exec_ok(host, &["sh", "-c", &script]);
    };
    // Activation that never completes ("timed out activating").
    broken("/bin/sleep infinity");
    let (code, _, stderr) = in_host(&lab, host, &["/connect-timeout:2", "1"]);
    assert_eq!(code, 7, "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "logoff: systemd-logind on {host} could not be started: not running, and not \
             started within 2 s"
        )
    );
    // Activation that fails at once.
    lab.exec(
        host,
        &["systemctl", "kill", "--signal=KILL", "systemd-logind"],
    );
    broken("/bin/false");
    let (code, _, stderr) = in_host(&lab, host, &["/connect-timeout:5", "1"]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "logoff: systemd-logind on {host} could not be started: "
        )),
        "{stderr}"
    );
}

#[test]
fn a_proxy_helper_holding_ssh_stderr_does_not_hold_logoff() {
    let Some(lab) = Lab::get(3) else { return };
    let dir = tmpdir("proxy");
    let ssh = dir.join("ssh");
    // The ProxyCommand fails at once but leaves a child holding ssh's stderr open.
    executable(
        &ssh,
        &format!(
            "#!/bin/sh\nexec /usr/bin/ssh -F '{}' -o 'ProxyCommand=sh -c \"sleep 6137 \
             </dev/null >/dev/null & exit 1\"' \"$@\"\n",
            lab.ssh_config().display()
        ),
    );
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_logoff"))
        .args(["1", "/server:server1", "/connect-timeout:30"])
        .env("LOGOFF_SSH", &ssh)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = start.elapsed();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.starts_with("logoff: cannot reach server1: ") && stderr.contains("closed"),
        "{stderr}"
    );
    // Not the 30 s connect timeout, nor the helper's 6137 s: it came back on its own.
    assert!(took < Duration::from_secs(25), "took {took:?}");
    // SIGKILL is sent before logoff exits; the kernel may take a moment to finish the helper.
    let helpers = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.starts_with("sleep 6137"))
            .collect()
    };
    let until = Instant::now() + Duration::from_secs(2);
    while !helpers().is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let helpers = helpers();
    assert!(
        helpers.is_empty(),
        "ssh's helper was left running: {helpers:?}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn no_panic_when_no_process_can_be_started() {
    let Some(lab) = Lab::get(3) else { return };
    let env = lab.env();
    // nobody, allowed one process: logoff itself, and nothing it would start.
    let mut c = Command::new("setpriv");
    c.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "bash",
        "-c",
    ])
    .arg("ulimit -u 1 && exec \"$@\"")
    .arg("bash")
    .arg(env!("CARGO_BIN_EXE_logoff"))
    .args(["/user:alice", "/server:server1,server2", "/parallel:256"])
    .env("LC_ALL", "C")
    .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let (code, stdout, stderr) = out(&c.output().unwrap());
    assert_eq!(code, 8, "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for h in ["server1", "server2"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{h}: FAILED: cannot run ssh: "))),
            "{stdout}"
        );
    }
    // And a bound on the pool itself.
    let o = Command::new(env!("CARGO_BIN_EXE_logoff"))
        .args(["/user:alice", "/server:server1", "/parallel:257"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("logoff: Invalid parameter(s): '257' is not a valid value"),
        "{stderr}"
    );
}

// ---- safe to print --------------------------------------------------------------------------

/// Stops a transient unit when the test ends.
struct Unit<'a>(&'a Lab, &'static str, String);
impl Drop for Unit<'_> {
    fn drop(&mut self) {
        self.0
            .exec(self.1, &["systemctl", "kill", "--signal=KILL", &self.2]);
    }
}

#[test]
fn escape_sequences_from_arguments_and_hosts_are_neutralised() {
    let Some(lab) = Lab::get(3) else { return };
    // A session whose terminal name (from PAM, i.e. from the host) carries escape sequences.
    let unit = format!("esc-{}", std::process::id());
    let _unit = Unit(&lab, H, unit.clone());
    lab.tty_session(H, &unit, "carol", "/dev/pts/77\u{1b}[2J\u{1b}]0;pwned\u{7}");
    eventually(
        Duration::from_secs(4),
        "the session with the odd terminal never appeared",
        || {
            lab.exec_ok(H, &["loginctl", "list-sessions", "--no-legend"])
                .contains("pts/77")
                .then_some(())
        },
    );
    let before = lab.snapshot(H);
    let arg = "pts/\u{1b}[31mX\u{202e}\nfake line";
    let (code, stdout, stderr) = in_host(&lab, H, &[arg]);
    assert_eq!((code, stdout.as_str()), (3, ""), "{stderr}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\r'] {
        assert!(!stderr.contains(bad), "{bad:?} shown raw: {stderr:?}");
    }
    let first = stderr.lines().next().unwrap();
    assert_eq!(
        first,
        format!("logoff: no session 'pts/\\u{{1b}}[31mX\\u{{202e}}\\nfake line' on {H}")
    );
    assert!(
        stderr.contains("pts/77\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"),
        "{stderr}"
    );
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
}

#[test]
fn host_lists_written_on_windows_work_and_bad_ones_say_why() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", "server1");
    let a2 = lab.login("alice", "server2");
    let r = Remote::new(&lab, "files");
    let list = r.dir.join("farm.txt");
    std::fs::write(
        &list,
        "\u{feff}# farm\r\nserver1\r\nSERVER1 # again\r\nserver2\r\n",
    )
    .unwrap();
    let (code, stdout, stderr) = r.run(&["/user:alice", &format!("/server:@{}", list.display())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("2 of 2 hosts done"), "{stdout}");
    assert!(!lab.session_exists("server1", &a1) && !lab.session_exists("server2", &a2));
    let missing = r.dir.join("missing.txt");
    let cases = [
        (missing.display().to_string(), "no such file".to_string()),
        (r.dir.display().to_string(), "it is a directory".to_string()),
        (
            "/dev/zero".to_string(),
            "it is larger than 4 MiB".to_string(),
        ),
    ];
    for (path, why) in &cases {
        let (code, _, stderr) = r.run(&["/user:alice", &format!("/server:@{path}")]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            stderr.lines().next(),
            Some(format!("logoff: cannot read the host list '{path}': {why}").as_str())
        );
    }
    assert_eq!(r.ssh_calls(), 2);
}

#[test]
fn not_found_lists_users_sessions_not_our_own_connection() {
    let Some(lab) = Lab::get(3) else { return };
    let a = lab.login("alice", "server1");
    let r = Remote::new(&lab, "own");
    let (code, _, stderr) = r.run(&["424242", "/server:server1"]);
    assert_eq!(code, 3, "{stderr}");
    let rows: Vec<&str> = stderr.lines().skip(3).collect();
    assert!(
        rows.iter().any(|l| l.trim_start().starts_with(&a)),
        "{stderr}"
    );
    assert!(
        !rows
            .iter()
            .any(|l| l.split_whitespace().nth(1) == Some("root")),
        "logoff's own ssh session is offered: {stderr}"
    );
}

#[test]
fn several_hosts_never_prompt_on_the_terminal_one_host_may() {
    let Some(lab) = Lab::get(3) else { return };
    let r = Remote::new(&lab, "prompts");
    let ssh = r.dir.join("ssh");
    let bin = env!("CARGO_BIN_EXE_logoff");
    // script(1) gives logoff a terminal on stdin, where ssh could ask for a password.
    for cmd in [
        // /y: the confirmation would make a second connection per host (tests/warn.rs).
        format!("{bin} /user:carol /server:server1,server2 /y"),
        format!("{bin} /user:carol /server:server3 /y"),
    ] {
        let o = lab.on_terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
        assert_eq!(
            o.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    let calls = std::fs::read_to_string(r.dir.join("ssh-calls")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for c in &calls {
        let batch = c.contains("BatchMode=yes");
        assert_eq!(batch, !c.contains("-- server3 "), "{c}");
    }
}

// ---- ssh's prompts ---------------------------------------------------------------------------

/// A Remote whose ssh offers no key: the host asks for carol's password (`lab-password`).
fn password_only(lab: &Lab, tag: &str) -> Remote {
    Remote::with_ssh_options(
        lab,
        tag,
        "-o PubkeyAuthentication=no -o BatchMode=no -o NumberOfPasswordPrompts=1",
    )
}

/// The terminal's echo setting once logoff is done: `echo` or `-echo`.
const SHOW_ECHO: &str = "; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?echo'";

#[test]
fn a_password_typed_at_the_terminal_does_not_count_against_the_connect_timeout() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    let other = lab.login("alice", H);
    let before = lab.snapshot(H);
    let r = password_only(&lab, "password");
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} {id} /server:carol@{H} /connect-timeout:1 /v; echo rc=$?{SHOW_ECHO}");
    let ssh = r.dir.join("ssh");
    let mut t = lab.terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
    t.expect("password: ", Duration::from_secs(30));
    // Three times the connect timeout spent "typing".
    std::thread::sleep(Duration::from_secs(3));
    t.send(b"lab-password\n");
    let o = t.wait(Duration::from_secs(60));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        shown.contains(&format!(
            "Session {id} of carol on carol@{H} has been logged off"
        )),
        "{shown}"
    );
    assert!(shown.contains("rc=0"), "{shown}");
    assert!(
        !shown.contains("lab-password"),
        "the password was echoed:\n{shown}"
    );
    assert!(
        shown.trim_end().ends_with("\necho"),
        "echo not restored:\n{shown}"
    );
    assert!(!lab.session_exists(H, &id));
    assert!(lab.session_exists(H, &other));
    before.assert_survived_except(&lab.snapshot(H), H, &[&id], &[]);
    assert!(r.ssh_left().is_empty(), "{:?}", r.ssh_left());
}

#[test]
fn ctrl_c_at_the_password_prompt_interrupts_and_restores_the_terminal() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    let before = lab.snapshot(H);
    let r = password_only(&lab, "pw-intr");
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} {id} /server:carol@{H}; echo rc=$?{SHOW_ECHO}");
    let ssh = r.dir.join("ssh");
    let mut t = lab.terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
    t.expect("password: ", Duration::from_secs(30));
    t.send(b"\x03");
    let o = t.wait(Duration::from_secs(30));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(shown.contains("logoff: interrupted by SIGINT"), "{shown}");
    assert!(shown.contains("rc=130"), "{shown}");
    assert!(
        shown.trim_end().ends_with("\necho"),
        "echo not restored:\n{shown}"
    );
    assert!(lab.session_exists(H, &id));
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
    assert!(
        r.ssh_left().is_empty(),
        "ssh left behind: {:?}",
        r.ssh_left()
    );
}

#[test]
fn a_wrong_password_is_an_authentication_failure() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    let r = password_only(&lab, "pw-wrong");
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} {id} /server:carol@{H}; echo rc=$?");
    let ssh = r.dir.join("ssh");
    let mut t = lab.terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
    t.expect("password: ", Duration::from_secs(30));
    t.send(b"wrong\n");
    let o = t.wait(Duration::from_secs(30));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(shown.contains("rc=7"), "{shown}");
    assert!(shown.contains("Permission denied"), "{shown}");
    assert!(lab.session_exists(H, &id));
}

#[test]
fn a_new_host_key_is_confirmed_at_the_terminal() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    let dir = tmpdir("hostkey");
    let known = dir.join("known_hosts");
    let r = Remote::with_ssh_options(
        &lab,
        "hostkey-ssh",
        &format!(
            "-o StrictHostKeyChecking=ask -o BatchMode=no -o UserKnownHostsFile='{}'",
            known.display()
        ),
    );
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} {id} /server:carol@{H} /connect-timeout:1; echo rc=$?");
    let ssh = r.dir.join("ssh");
    let mut t = lab.terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
    t.expect("(yes/no", Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(2));
    t.send(b"yes\n");
    let o = t.wait(Duration::from_secs(60));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(shown.contains("rc=0"), "{shown}");
    // The answer to a question is shown as typed.
    assert!(shown.contains("? yes"), "{shown}");
    assert!(!lab.session_exists(H, &id));
    assert!(std::fs::metadata(&known).is_ok_and(|m| m.len() > 0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_notice_from_ssh_is_shown_and_not_waited_for() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    let dir = tmpdir("notice");
    // What ssh does for a security key: the askpass shows a notice with
    // SSH_ASKPASS_PROMPT=none, and ssh kills it once the key is touched.
    let ssh = dir.join("ssh");
    executable(
        &ssh,
        &format!(
            "#!/bin/sh\nSSH_ASKPASS_PROMPT=none \"$SSH_ASKPASS\" 'Confirm user presence for key \
             ED25519-SK' >/dev/null & sleep 1; kill $! 2>/dev/null\nexec /usr/bin/ssh -F '{}' -o BatchMode=no \
             \"$@\"\n",
            lab.ssh_config().display()
        ),
    );
    let bin = env!("CARGO_BIN_EXE_logoff");
    let cmd = format!("{bin} {id} /server:carol@{H} /connect-timeout:5; echo rc=$?");
    let o = lab.on_terminal(&cmd, &[("LOGOFF_SSH", ssh.as_os_str())]);
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        shown.contains("Confirm user presence for key ED25519-SK"),
        "{shown}"
    );
    assert!(shown.contains("rc=0"), "{shown}");
    assert!(!lab.session_exists(H, &id));
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes a file inside a host when the test ends, however it ends.
struct RemoveInHost<'a>(&'a Lab, &'static str, &'static str);
impl Drop for RemoveInHost<'_> {
    fn drop(&mut self) {
        self.0.exec(self.1, &["rm", "-f", self.2]);
    }
}

#[test]
fn a_login_script_that_prints_is_a_clear_error_not_a_crash() {
    let Some(lab) = Lab::get(1) else { return };
    let id = lab.login("carol", H);
    // bash reads ~/.bashrc for ssh's commands too (Debian builds it so): its empty line comes
    // down the stream ahead of the bus's first answer.
    let bashrc = "/home/carol/.bashrc";
    lab.exec_ok(H, &["sh", "-c", "echo echo > \"$0\"", bashrc]);
    let _cleanup = RemoveInHost(&lab, H, bashrc);
    let r = Remote::new(&lab, "bashrc");
    let target = format!("/server:carol@{H}");
    let (code, stdout, stderr) = r.run(&[&id, &target]);
    assert_eq!(code, 7, "{stdout}{stderr}");
    assert_eq!(
        stderr,
        format!(
            "logoff: cannot connect to the system bus on carol@{H}: the remote side printed text before the bus \
             answered (a login script that prints?)\n"
        )
    );
    assert!(lab.session_exists(H, &id));
    assert!(r.ssh_left().is_empty(), "{:?}", r.ssh_left());
}
