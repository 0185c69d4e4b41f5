//! The lab itself (`lab/lab`): real hosts, real logins, real permissions, and a machine left
//! as it was found.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Lab;

const HOSTS: [&str; 3] = ["server1", "server2", "server3"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "{}\n--- stdout:\n{}--- stderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// `ssh -F <lab ssh_config> HOST CMD` from the machine, as a user of the lab would run it.
fn ssh(lab: &Lab, host: &str, cmd: &str) -> Output {
    Command::new("ssh")
        .arg("-F")
        .arg(lab.ssh_config())
        .args([host, cmd])
        .stdin(Stdio::null())
        .output()
        .expect("run ssh")
}

fn assert_answers(lab: &Lab, host: &str) {
    let out = ssh(lab, host, "hostname");
    assert!(out.status.success(), "ssh {host} hostname: {}", show(&out));
    assert_eq!(text(&out.stdout).trim(), host, "hostname seen over ssh");
}

fn assert_does_not_answer(lab: &Lab, host: &str) {
    let out = ssh(lab, host, "hostname");
    assert!(
        !out.status.success(),
        "ssh {host} still works: {}",
        show(&out)
    );
}

/// `lab pid HOST`: the machine's PID of the host's systemd.
fn host_pid(lab: &Lab, host: &str) -> u32 {
    let out = lab.run(&["pid", host]);
    assert!(out.status.success(), "lab pid {host}: {}", show(&out));
    text(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("lab pid {host}: {}", show(&out)))
}

fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?}: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The PID (inside `host`) of the `sleep infinity` that `lab login` leaves in session `id`.
fn session_sleep(lab: &Lab, host: &str, id: &str) -> u32 {
    let pids = lab.session_pids(host, id);
    let procs = lab.processes(host);
    procs
        .iter()
        .find(|p| pids.contains(&p.pid) && p.cmd == "sleep infinity")
        .unwrap_or_else(|| {
            panic!("no `sleep infinity` among the processes {pids:?} of session {id} on {host}: {procs:#?}")
        })
        .pid
}

/// The signals a process inside `host` ignores (SigIgn of /proc/PID/status).
fn ignored_signals(lab: &Lab, host: &str, pid: u32) -> u64 {
    let status = lab.exec_ok(host, &["cat", &format!("/proc/{pid}/status")]);
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .unwrap_or_else(|| panic!("no SigIgn in /proc/{pid}/status: {status}"));
    u64::from_str_radix(mask.trim(), 16).expect("SigIgn is hex")
}

fn ignores(mask: u64, signal: u32) -> bool {
    mask & (1 << (signal - 1)) != 0
}

#[test]
fn up_boots_hosts_that_answer_ssh_and_run_systemd_and_logind() {
    let Some(lab) = Lab::get(3) else { return };
    let machine_ns = fs::read_link("/proc/self/ns/pid").unwrap();
    let mut namespaces = BTreeSet::new();
    for host in HOSTS {
        assert_answers(&lab, host);
        assert_eq!(
            lab.exec_ok(host, &["cat", "/proc/1/comm"]).trim(),
            "systemd",
            "PID 1 of {host}"
        );
        // The systemd that `lab pid` names is PID 1 of a PID namespace of its own.
        let pid = host_pid(&lab, host);
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let nspid: Vec<&str> = status
            .lines()
            .find_map(|l| l.strip_prefix("NSpid:"))
            .expect("NSpid")
            .split_whitespace()
            .collect();
        assert_eq!(
            nspid,
            [pid.to_string().as_str(), "1"],
            "NSpid of {host}'s systemd"
        );
        let ns = fs::read_link(format!("/proc/{pid}/ns/pid")).unwrap();
        assert_ne!(ns, machine_ns, "{host} shares the machine's PID namespace");
        namespaces.insert(ns);
        // logind runs there and answers on the host's own bus.
        assert_eq!(
            lab.exec_ok(host, &["systemctl", "is-active", "systemd-logind.service"])
                .trim(),
            "active",
            "systemd-logind on {host}"
        );
        let procs = lab.processes(host);
        assert!(
            procs
                .iter()
                .any(|p| p.cmd.starts_with("/lib/systemd/systemd-logind")),
            "no systemd-logind process in {host}: {procs:#?}"
        );
        lab.exec_ok(host, &["loginctl", "list-sessions", "--no-pager"]);
    }
    assert_eq!(namespaces.len(), HOSTS.len(), "hosts share PID namespaces");
}

#[test]
fn login_opens_a_remote_ssh_session_that_stays_open() {
    let Some(lab) = Lab::get(3) else { return };
    let id = lab.login("alice", "server1");
    assert!(
        lab.sessions("server1").contains(&id),
        "session {id} not listed on server1: {:?}",
        lab.sessions("server1")
    );
    for (prop, want) in [
        ("Name", "alice"),
        ("Remote", "yes"),
        ("RemoteHost", "127.0.0.1"),
        ("Service", "sshd"),
        ("Class", "user"),
        ("State", "active"),
        ("TTY", ""),
    ] {
        assert_eq!(
            lab.session_prop("server1", &id, prop),
            want,
            "{prop} of session {id}"
        );
    }
    // Its command is still running, as alice, inside the session's scope.
    let sleep = session_sleep(&lab, "server1", &id);
    let owner = lab
        .processes("server1")
        .into_iter()
        .find(|p| p.pid == sleep)
        .expect("sleep process")
        .user;
    assert_eq!(owner, "alice");
}

#[test]
fn login_pty_has_a_pseudo_terminal() {
    let Some(lab) = Lab::get(3) else { return };
    let id = lab.login_with(&["--pty"], "bob", "server1");
    let sleep = session_sleep(&lab, "server1", &id);
    let ps_tty = lab
        .exec_ok("server1", &["ps", "-o", "tty=", "-p", &sleep.to_string()])
        .trim()
        .to_string();
    let logind_tty = lab.session_prop("server1", &id, "TTY");
    let tty = if logind_tty.is_empty() {
        &ps_tty
    } else {
        &logind_tty
    };
    let n = tty
        .strip_prefix("pts/")
        .unwrap_or_else(|| panic!("session {id}: TTY {logind_tty:?}, ps tty {ps_tty:?}"));
    assert!(
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        "TTY {tty:?}"
    );
    assert_eq!(&ps_tty, tty, "the session's command runs on its terminal");
}

#[test]
fn login_background_is_a_background_class_session() {
    let Some(lab) = Lab::get(3) else { return };
    let id = lab.login_with(&["--background"], "bob", "server2");
    assert!(id.starts_with('c'), "background session ID {id:?}");
    assert!(
        lab.sessions("server2").contains(&id),
        "{:?}",
        lab.sessions("server2")
    );
    assert_eq!(lab.session_prop("server2", &id, "Class"), "background");
    assert_eq!(lab.session_prop("server2", &id, "Name"), "bob");
    session_sleep(&lab, "server2", &id);
}

#[test]
fn login_ignore_term_makes_the_session_ignore_sigterm() {
    let Some(lab) = Lab::get(3) else { return };
    let stubborn = lab.login_with(&["--ignore-term"], "carol", "server1");
    let mask = ignored_signals(&lab, "server1", session_sleep(&lab, "server1", &stubborn));
    assert!(ignores(mask, 15), "SIGTERM not ignored: SigIgn {mask:016x}");
    assert!(ignores(mask, 1), "SIGHUP not ignored: SigIgn {mask:016x}");
    // And a plain login does not.
    let plain = lab.login("carol", "server1");
    let mask = ignored_signals(&lab, "server1", session_sleep(&lab, "server1", &plain));
    assert!(
        !ignores(mask, 15),
        "a plain login ignores SIGTERM: SigIgn {mask:016x}"
    );
}

#[test]
fn console_is_the_active_session_of_seat0() {
    let Some(lab) = Lab::get(3) else { return };
    let id = lab.console("carol", "server2");
    assert_eq!(lab.session_prop("server2", &id, "Seat"), "seat0");
    let vt: u32 = lab
        .session_prop("server2", &id, "VTNr")
        .parse()
        .expect("VTNr is a number");
    assert!(vt > 0, "VTNr {vt}");
    assert_eq!(lab.session_prop("server2", &id, "TTY"), format!("tty{vt}"));
    assert_eq!(lab.session_prop("server2", &id, "State"), "active");
    assert_eq!(lab.session_prop("server2", &id, "Name"), "carol");
    assert_eq!(
        lab.exec_ok(
            "server2",
            &[
                "loginctl",
                "show-seat",
                "seat0",
                "-p",
                "ActiveSession",
                "--value"
            ]
        )
        .trim(),
        id,
        "seat0's active session"
    );
}

#[test]
fn permissions_are_real() {
    let Some(lab) = Lab::get(3) else { return };
    let bob = lab.login("bob", "server1");
    let out = lab.exec(
        "server1",
        &[
            "setpriv",
            "--reuid=2001",
            "--regid=2001",
            "--init-groups",
            "loginctl",
            "terminate-session",
            &bob,
        ],
    );
    assert!(
        !out.status.success(),
        "alice terminated bob's session: {}",
        show(&out)
    );
    assert!(
        text(&out.stderr).to_lowercase().contains("access denied"),
        "alice's attempt: {}",
        show(&out)
    );
    assert!(lab.session_exists("server1", &bob));
    assert_eq!(lab.session_prop("server1", &bob, "State"), "active");

    lab.exec_ok("server1", &["loginctl", "terminate-session", &bob]);
    wait_until(
        &format!("bob's session {bob} to end"),
        Duration::from_secs(10),
        || !lab.session_exists("server1", &bob),
    );
    assert!(!lab.sessions("server1").contains(&bob));
}

const MACHINE_FILES: [&str; 5] = [
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/gshadow",
    "/etc/hostname",
];

fn machine_files() -> Vec<Option<Vec<u8>>> {
    MACHINE_FILES.iter().map(|f| fs::read(f).ok()).collect()
}

fn machine_hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn isolation_users_live_only_in_hosts_and_the_machine_etc_never_changes() {
    let Some(lab) = Lab::get(3) else { return };
    for (user, uid) in common::USERS {
        for file in ["/etc/passwd", "/etc/group", "/etc/shadow"] {
            let content = fs::read_to_string(file).unwrap_or_default();
            assert!(
                !content.lines().any(|l| l.starts_with(&format!("{user}:"))),
                "{user} is in the machine's {file}"
            );
        }
        let entry = lab.exec_ok("server1", &["getent", "passwd", user]);
        let fields: Vec<&str> = entry.trim().split(':').collect();
        assert_eq!(
            fields[2],
            uid.to_string(),
            "{user}'s UID in server1: {entry}"
        );
        assert_eq!(fields[5], format!("/home/{user}"), "{user}'s home: {entry}");
    }
    assert!(!HOSTS.contains(&machine_hostname().as_str()));

    lab.down();
    let before = machine_files();
    let hostname = machine_hostname();
    lab.up(3);
    let id = lab.login_with(&["--pty"], "alice", "server1");
    assert!(lab.session_exists("server1", &id));
    lab.console("bob", "server2");
    lab.down();
    let after = machine_files();
    for ((file, b), a) in MACHINE_FILES.iter().zip(&before).zip(&after) {
        assert!(
            b == a,
            "the machine's {file} changed between up and down ({:?} -> {:?} bytes)",
            b.as_ref().map(Vec::len),
            a.as_ref().map(Vec::len)
        );
    }
    assert_eq!(machine_hostname(), hostname, "the machine's hostname");
    lab.up(3);
}

/// Every trace of the lab on the machine: processes, mounts, files, cgroups, listeners.
fn leftovers() -> Vec<String> {
    let mut found = Vec::new();
    let me = std::process::id().to_string();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
            continue;
        }
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Zombies are reaped by the machine's PID 1 whenever it gets to it: not the lab's.
        let state = stat.rsplit_once(") ").map(|(_, r)| r.chars().next());
        if state == Some(Some('Z')) {
            continue;
        }
        let cgroup = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        let cmdline = fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| text(&c).replace('\0', " "))
            .unwrap_or_default();
        if cgroup.contains("logoff-lab")
            || cmdline.contains("sshd -D -e -f /run/logoff-lab")
            || cmdline.contains("/run/logoff-lab/")
        {
            found.push(format!(
                "process {pid}: {} (cgroup {})",
                cmdline.trim(),
                cgroup.lines().last().unwrap_or("")
            ));
        }
    }
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    found.extend(
        mountinfo
            .lines()
            .filter(|l| l.contains("logoff-lab"))
            .map(|l| format!("mount: {l}")),
    );
    for path in [
        "/run/logoff-lab",
        "/run/logoff-lab.lock",
        "/sys/fs/cgroup/unified/logoff-lab",
    ] {
        if Path::new(path).exists() {
            found.push(format!("path: {path}"));
        }
    }
    for last in [11, 12, 13, 111] {
        let addr: SocketAddr = format!("127.0.0.{last}:22").parse().unwrap();
        if TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
            found.push(format!("listener: {addr}"));
        }
    }
    found
}

#[test]
fn lifecycle_down_removes_everything_and_up_is_idempotent() {
    let Some(lab) = Lab::get(3) else { return };
    lab.login("alice", "server1");
    lab.login_with(&["--pty"], "bob", "server2");
    lab.console("carol", "server3");

    lab.down();
    let again = lab.run(&["down"]);
    assert!(again.status.success(), "second down: {}", show(&again));
    let left = leftovers();
    assert!(left.is_empty(), "left after down:\n{}", left.join("\n"));

    lab.up(3);
    let pids: Vec<u32> = HOSTS.iter().map(|h| host_pid(&lab, h)).collect();
    for host in HOSTS {
        assert_answers(&lab, host);
    }
    lab.up(3);
    let again: Vec<u32> = HOSTS.iter().map(|h| host_pid(&lab, h)).collect();
    assert_eq!(pids, again, "the second up rebooted hosts");
    let status = lab.run(&["status"]);
    let running = text(&status.stdout)
        .lines()
        .filter(|l| l.contains("running"))
        .count();
    assert_eq!(running, 3, "lab status: {}", show(&status));
    for host in HOSTS {
        assert_answers(&lab, host);
    }
}

#[test]
fn stop_kills_one_host_and_up_brings_it_back() {
    let Some(lab) = Lab::get(3) else { return };
    lab.login("alice", "server3");
    lab.stop("server3");
    assert_does_not_answer(&lab, "server3");
    assert!(
        !lab.run(&["pid", "server3"]).status.success(),
        "lab pid server3 after stop"
    );
    assert_answers(&lab, "server1");
    assert_answers(&lab, "server2");
    lab.up(3);
    assert_answers(&lab, "server3");
    assert_eq!(
        lab.exec_ok(
            "server3",
            &["systemctl", "is-active", "systemd-logind.service"]
        )
        .trim(),
        "active"
    );
}

#[test]
fn no_logind_host_has_no_logind_and_no_bus_but_logins_work() {
    let Some(lab) = Lab::get(3) else { return };
    // `up N --no-logind` grows the other family of hosts: bare1..bareN on 127.0.0.(110+K).
    let out = lab.run(&["up", "1", "--no-logind"]);
    assert!(out.status.success(), "lab up 1 --no-logind: {}", show(&out));
    assert_answers(&lab, "bare1");
    assert_eq!(
        lab.exec_ok("bare1", &["cat", "/proc/1/comm"]).trim(),
        "systemd",
        "PID 1 of bare1"
    );

    let procs = lab.processes("bare1");
    assert!(
        !procs.iter().any(|p| p.cmd.contains("systemd-logind")),
        "logind runs on bare1: {procs:#?}"
    );
    let bus = lab.exec("bare1", &["test", "-e", "/run/dbus/system_bus_socket"]);
    assert!(!bus.status.success(), "bare1 has a system bus socket");

    let id = lab.login("alice", "bare1");
    assert!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
        "audit session ID {id:?}"
    );
    let pty = lab.login_with(&["--pty"], "alice", "bare1");
    assert!(
        pty.bytes().all(|b| b.is_ascii_digit()),
        "audit session ID {pty:?}"
    );
    assert_ne!(id, pty);
    let who = lab.exec_ok("bare1", &["who"]);
    assert!(
        who.lines()
            .any(|l| l.starts_with("alice ") && l.contains("pts/")),
        "who on bare1:\n{who}"
    );
    // The harness sees them as sessions too (audit sessions).
    let sessions = lab.sessions("bare1");
    assert!(
        sessions.contains(&id) && sessions.contains(&pty),
        "{sessions:?}"
    );
    assert!(
        lab.session_pids("bare1", &id)
            .contains(&session_sleep(&lab, "bare1", &id))
    );
    assert!(lab.session_exists("bare1", &pty));

    // Ending one audit session leaves the other: the harness's snapshots see it on such hosts.
    let before = lab.snapshot("bare1");
    let pids: Vec<String> = lab
        .session_pids("bare1", &id)
        .iter()
        .map(u32::to_string)
        .collect();
    let mut kill = vec!["kill", "-9"];
    kill.extend(pids.iter().map(String::as_str));
    lab.exec_ok("bare1", &kill);
    wait_until(
        &format!("audit session {id} to end"),
        Duration::from_secs(10),
        || !lab.session_exists("bare1", &id),
    );
    let after = lab.snapshot("bare1");
    before.assert_survived_except(&after, "bare1", &[&id], &[]);
    assert!(after.sessions.contains(&pty), "{:?}", after.sessions);

    // The other hosts keep their logind.
    assert_eq!(
        lab.exec_ok(
            "server1",
            &["systemctl", "is-active", "systemd-logind.service"]
        )
        .trim(),
        "active"
    );
}

#[test]
fn elogind_host_has_no_systemd_and_its_sessions_are_elogind_sessions() {
    let Some(lab) = Lab::get(1) else { return };
    // `up N --elogind` grows a third family: elogind1..elogindN on 127.0.0.(210+K), hosts as
    // Devuan's or Alpine's are, with elogind and no systemd at all.
    let out = lab.run(&["up", "2", "--elogind"]);
    assert!(out.status.success(), "lab up 2 --elogind: {}", show(&out));
    for host in ["elogind1", "elogind2"] {
        assert_answers(&lab, host);
    }
    let status = text(&lab.run(&["status"]).stdout);
    assert!(
        status.contains("elogind2\t127.0.0.212\trunning"),
        "lab status:\n{status}"
    );
    let procs = lab.processes("elogind1");
    assert!(
        procs
            .iter()
            .any(|p| p.cmd.ends_with("/lib/elogind/elogind")),
        "no elogind on elogind1: {procs:#?}"
    );
    assert!(
        !procs.iter().any(|p| p.cmd.contains("systemd")),
        "systemd runs on elogind1: {procs:#?}"
    );
    // Its loginctl is elogind's, and it has no systemd-stdio-bridge (real elogind systems have
    // none: `loginctl -H` cannot reach them).
    let version = lab.exec_ok("elogind1", &["loginctl", "--version"]);
    assert!(
        version.starts_with("elogind "),
        "loginctl --version: {version}"
    );
    let bridge = lab.exec("elogind1", &["sh", "-c", "command -v systemd-stdio-bridge"]);
    assert!(
        !bridge.status.success(),
        "systemd-stdio-bridge on elogind1: {}",
        show(&bridge)
    );

    // An ssh login is an elogind session (pam_elogind), listed and holding its processes.
    let id = lab.login_with(&["--pty"], "alice", "elogind1");
    assert!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
        "session ID {id:?}"
    );
    let listed = lab.run_ok(&["sessions", "elogind1"]);
    assert!(
        listed.lines().any(|l| l
            .split_whitespace()
            .take(3)
            .eq([id.as_str(), "2001", "alice"])),
        "lab sessions elogind1:\n{listed}"
    );
    assert_eq!(lab.session_prop("elogind1", &id, "Service"), "sshd");
    assert_eq!(lab.session_prop("elogind1", &id, "State"), "active");
    assert!(lab.sessions("elogind1").contains(&id));
    let snapshot = lab.snapshot("elogind1");
    let sleep = session_sleep(&lab, "elogind1", &id);
    assert!(
        snapshot
            .session_procs(&id)
            .iter()
            .any(|p| p.pid == sleep && p.user == "alice"),
        "lab state elogind1 does not show `sleep infinity` ({sleep}) in session {id}: {:#?}",
        snapshot.session_procs(&id)
    );
    assert!(lab.session_exists("elogind1", &id));

    // `install-logoff` puts logoff on the PATH of bare and elogind hosts at once.
    let dir = Path::new(env!("CARGO_BIN_EXE_logoff")).parent().unwrap();
    lab.run_ok(&["install-logoff", dir.to_str().unwrap()]);
    let found = ssh(&lab, "alice@elogind2", "command -v logoff");
    assert!(
        found.status.success(),
        "logoff on elogind2: {}",
        show(&found)
    );
    assert_eq!(text(&found.stdout).trim(), "/usr/local/bin/logoff");
    lab.exec_ok("elogind1", &["test", "-x", "/usr/local/bin/logoff"]);

    lab.run_ok(&["end", "elogind1", &id]);
    assert!(
        !lab.session_exists("elogind1", &id),
        "session {id} still there"
    );
    assert!(
        lab.session_pids("elogind1", &id).is_empty(),
        "session {id} still has processes"
    );
    assert!(
        !lab.exec_ok("elogind1", &["ps", "-eo", "pid="])
            .split_whitespace()
            .any(|p| p == sleep.to_string()),
        "`sleep infinity` ({sleep}) of session {id} survived"
    );
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn harness_snapshots_tell_which_sessions_and_processes_survived() {
    let Some(lab) = Lab::get(3) else { return };
    let keep = lab.login("alice", "server2");
    let gone = lab.login_with(&["--pty"], "bob", "server2");
    let before = lab.snapshot("server2");
    assert!(
        before.sessions.contains(&keep) && before.sessions.contains(&gone),
        "{:?}",
        before.sessions
    );
    let gone_sleep = session_sleep(&lab, "server2", &gone);
    assert!(
        before
            .session_procs(&gone)
            .iter()
            .any(|p| p.pid == gone_sleep && p.user == "bob"),
        "{:#?}",
        before.session_procs(&gone)
    );
    // Nothing happened yet: everything survived.
    before.assert_survived_except(&lab.snapshot("server2"), "server2", &[], &[]);

    lab.exec_ok("server2", &["loginctl", "terminate-session", &gone]);
    wait_until(
        &format!("session {gone} to end"),
        Duration::from_secs(10),
        || !lab.session_exists("server2", &gone),
    );
    let after = lab.snapshot("server2");
    assert!(!after.sessions.contains(&gone) && after.sessions.contains(&keep));
    before.assert_survived_except(&after, "server2", &[&gone], &[]);
    // Without the exclusion, the loss is reported, with the processes.
    let msg = panic_message(|| before.assert_survived_except(&after, "server2", &[], &[]));
    assert!(msg.contains(&format!("session {gone} is gone")), "{msg}");
    assert!(
        msg.contains(&format!("process is gone: {gone_sleep:>7} bob")),
        "{msg}"
    );
    // Excluded PIDs are not reported; the session still is.
    let gone_pids: Vec<u32> = before.session_procs(&gone).iter().map(|p| p.pid).collect();
    let msg = panic_message(|| before.assert_survived_except(&after, "server2", &[], &gone_pids));
    assert!(msg.contains(&format!("session {gone} is gone")), "{msg}");
    assert!(!msg.contains("process is gone"), "{msg}");
}

#[test]
fn not_root_is_refused_in_one_line() {
    let Some(lab) = Lab::get(3) else { return };
    let pids: Vec<u32> = HOSTS.iter().map(|h| host_pid(&lab, h)).collect();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(Lab::script())
        .arg("up")
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .expect("run setpriv");
    assert!(!out.status.success(), "lab up as nobody: {}", show(&out));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr:?}");
    assert!(stderr.contains("root"), "stderr: {stderr:?}");
    let again: Vec<u32> = HOSTS.iter().map(|h| host_pid(&lab, h)).collect();
    assert_eq!(pids, again, "the lab changed");
}

/// Brings the lab back to its usual hosts when the test ends.
struct Usual<'a>(&'a Lab);
impl Drop for Usual<'_> {
    fn drop(&mut self) {
        self.0.down();
        self.0.up(3);
    }
}

#[test]
fn a_systemd_upgrade_under_running_hosts_does_not_make_them_look_stopped() {
    let Some(lab) = Lab::get(3) else { return };
    let _usual = Usual(&lab);
    lab.down();
    // An upgrade replaces /lib/systemd/systemd: a running host's binary then reads
    // "(deleted)". Boot from a copy, and delete the copy the same way.
    // (not /tmp: a host mounts its own /tmp before it starts systemd)
    let dir = std::path::PathBuf::from(format!(
        "/var/tmp/logoff-lab-upgrade-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("systemd");
    std::fs::copy("/lib/systemd/systemd", &copy).unwrap();
    let up = Command::new(Lab::script())
        .args(["up", "1"])
        .env("LOGOFF_LAB_SYSTEMD", &copy)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", show(&up));
    let pid = host_pid(&lab, "server1");
    std::fs::remove_file(&copy).unwrap();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert!(exe.to_string_lossy().ends_with("(deleted)"), "{exe:?}");
    // Still known as running: not booted again, still reachable.
    let status = text(&lab.run(&["status"]).stdout);
    assert!(
        status.contains(&format!("server1\t127.0.0.11\trunning pid {pid}")),
        "{status}"
    );
    let again = lab.run(&["up", "1"]);
    assert!(again.status.success(), "{}", show(&again));
    assert_eq!(
        host_pid(&lab, "server1"),
        pid,
        "a second server1 was booted"
    );
    assert_answers(&lab, "server1");
    std::fs::remove_dir_all(&dir).ok();
}

/// The Debian package, as `cargo deb` builds it from this tree: installed with dpkg in a host
/// (in a sandbox: the hosts share the machine's /usr), its man page and completions are in
/// place, `logoff /?` runs, and the installed binary logs a session off.
#[test]
fn the_debian_package_installs_and_logs_a_session_off() {
    let Some(lab) = Lab::get(1) else { return };
    let installed_before = Path::new("/usr/bin/logoff").exists();
    let built = Command::new(env!("CARGO"))
        .args(["deb", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo deb (cargo install cargo-deb)");
    let stdout = String::from_utf8_lossy(&built.stdout);
    assert!(
        built.status.success(),
        "cargo deb failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let deb = stdout
        .lines()
        .rfind(|l| l.trim().ends_with(".deb"))
        .expect("cargo deb names the package it built")
        .trim();
    let deb = lab.run_ok(&["put", deb]).trim().to_owned();
    let id = lab.login("alice", "server1");
    let other = lab.login("bob", "server1");
    let before = lab.snapshot("server1");
    let script = "dpkg -i \"$0\" >/dev/null || exit 90
        for c in logoff qwinsta quser; do
            test -x /usr/bin/$c || exit 91
            test -f /usr/share/man/man1/$c.1.gz || exit 92
            test -f /usr/share/bash-completion/completions/$c || exit 93
            test -f /usr/share/zsh/vendor-completions/_$c || exit 94
            test -f /usr/share/fish/vendor_completions.d/$c.fish || exit 95
        done
        test -f /usr/share/doc/logoff/logoff.schema.json || exit 97
        /usr/bin/logoff /? || exit 96
        /usr/bin/quser \"$1\" || exit 98
        exec /usr/bin/logoff \"$1\" /v";
    let o = lab.run(&["sandbox", "server1", "sh", "-c", script, &deb, &id]);
    let shown = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{shown}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(shown.contains("Usage: logoff"), "{shown}");
    // quser, from the package, listed the session before logoff ended it.
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with(" alice") && l.split_whitespace().any(|w| w == id)),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "Session {id} of alice on server1 has been logged off"
        )),
        "{shown}"
    );
    assert!(!lab.session_exists("server1", &id));
    assert!(lab.session_exists("server1", &other));
    before.assert_survived_except(&lab.snapshot("server1"), "server1", &[&id], &[]);
    // The machine itself is as it was: the sandbox kept the install.
    assert_eq!(Path::new("/usr/bin/logoff").exists(), installed_before);
}

#[test]
fn hosts_heal_lost_account_files_and_a_stopped_xrdp() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    // A package install on the machine replaces /etc/passwd by rename, which drops the hosts'
    // bind mounts of the lab's accounts: the next `up` mounts them again.
    lab.exec_ok("server2", &["umount", "/etc/passwd"]);
    assert!(
        !lab.exec("server2", &["getent", "passwd", "alice"])
            .status
            .success()
    );
    lab.up(2);
    assert!(
        lab.exec("server2", &["getent", "passwd", "alice"])
            .status
            .success()
    );
    lab.login("alice", "server2");
    // xrdp stopped in a host: `up --xrdp` starts it again on a fresh copy of its config (the
    // old one mounted as /etc/xrdp is replaced, not deleted under the mount).
    lab.exec_ok(
        "server1",
        &["systemctl", "stop", "xrdp.service", "xrdp-sesman.service"],
    );
    lab.xrdp(2);
    let o = lab.exec("server1", &["test", "-f", "/etc/xrdp/xrdp.ini"]);
    assert!(o.status.success(), "server1's /etc/xrdp is empty");
    let d = lab.rdp(&[], "bob", "server1");
    assert!(lab.session_exists("server1", &d.id));
}
