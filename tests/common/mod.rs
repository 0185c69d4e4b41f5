//! Shared harness of the integration tests: the lab of real session hosts (`lab/lab`).
//!
//! [`Lab::get`] takes an exclusive lock for the whole test, so tests never overlap, whether they
//! run as threads of one process (`cargo test`) or as separate processes (`cargo nextest`). The
//! sessions a test opens through the harness are closed again when its [`Lab`] is dropped.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write as _};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The lock that serializes every test that uses the lab (`lab down` does not remove it).
pub const LOCK_PATH: &str = "/run/logoff-lab.testlock";

/// The lab's users: name, UID (= GID of their own group).
pub const USERS: &[(&str, u32)] = &[("alice", 2001), ("bob", 2002), ("carol", 2003)];

/// PATH inside a host for the programs the harness runs there with a clean environment.
const HOST_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub struct Lab {
    /// Sessions opened by this test through login*/console: (host, id).
    created: Mutex<Vec<(String, String)>>,
    /// Holds the flock on [`LOCK_PATH`]; dropped (unlocked) after the sessions are closed.
    _lock: File,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proc {
    pub pid: u32,
    pub user: String,
    pub cmd: String,
}

/// An xrdp desktop opened by [`Lab::rdp`].
pub struct Desktop {
    pub id: String,
    /// Its X display, e.g. `:10`.
    pub display: String,
    /// With `--client`: the RDP client's log; `<log without .log>.rc` appears when it exits.
    pub client_log: Option<PathBuf>,
}

impl Desktop {
    /// The RDP client's exit status and log, once it has exited (within `within`).
    pub fn client_exit(&self, within: Duration) -> (i32, String) {
        let log = self
            .client_log
            .as_ref()
            .expect("a desktop opened with --client");
        let rc = log.with_extension("rc");
        let code = eventually(within, "the RDP client to exit", || {
            std::fs::read_to_string(&rc)
                .ok()
                .and_then(|t| t.trim().parse::<i32>().ok())
        });
        (code, std::fs::read_to_string(log).unwrap_or_default())
    }
}

/// Where a process sits inside its host, kept by snapshots to tell whose processes may go.
#[derive(Clone, Debug)]
struct Meta {
    /// logind session (or, on a host without logind, audit session), if any.
    session: Option<String>,
    /// systemd unit of the process ("-" for none: a command entered from outside by the harness).
    unit: String,
}

pub struct Snapshot {
    pub sessions: Vec<String>,
    pub procs: Vec<Proc>,
    meta: Vec<Meta>,
    /// (session, uid) as logind listed them.
    session_uids: Vec<(String, u32)>,
    /// Sessions already closing at the time of the snapshot.
    closing: Vec<String>,
}

/// One look at a host: its sessions and processes (without the harness's own shell and ps).
struct HostState {
    logind: bool,
    sessions: Vec<(String, Option<u32>)>,
    /// Sessions that logind is already closing (ended, waiting for their processes to go).
    closing: Vec<String>,
    procs: Vec<(Proc, Meta)>,
}

/// Takes the flock on `lock`, waiting for the test that holds it. Panics, rather than waiting
/// forever, if only lab hosts hold it: they inherited the descriptor of whoever booted them
/// under the lock (e.g. `flock /run/logoff-lab.testlock lab/lab up`, without flock's -o), and
/// keep it until they are stopped.
fn lock_exclusively(lock: &File, name: &str) {
    let mut waited = 0u32;
    loop {
        // std's file locks are flock(2) on Linux, the same lock flock(1) and lab/lab take.
        match lock.try_lock() {
            Ok(()) => return,
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => {
                panic!("{name}: cannot lock {LOCK_PATH}: {err}")
            }
        }
        if waited % 40 == 20
            && let Some(hosts) = lock_held_only_by_lab_hosts(lock)
        {
            panic!(
                "{name}: {LOCK_PATH} is held only by lab host processes {hosts:?}, which \
                     inherited it from whoever booted them while holding it (flock(1) without \
                     -o?): nothing will release it until they stop; run `lab/lab down`"
            );
        }
        waited += 1;
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The processes that have the lock file open and are not waiting for it, if all of them are
/// inside the lab (their cgroup is under logoff-lab).
fn lock_held_only_by_lab_hosts(lock: &File) -> Option<Vec<u32>> {
    use std::os::unix::fs::MetadataExt;
    let meta = lock.metadata().ok()?;
    let (dev, ino) = (meta.dev(), meta.ino());
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let waiters: Vec<u32> = locks
        .lines()
        .filter(|l| l.contains("->") && l.contains(&format!(":{ino} ")))
        .filter_map(|l| l.split_whitespace().nth(5)?.parse().ok())
        .collect();
    let me = std::process::id();
    let mut holders = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == me || waiters.contains(&pid) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let has_lock = fds
            .flatten()
            .any(|fd| std::fs::metadata(fd.path()).is_ok_and(|m| m.dev() == dev && m.ino() == ino));
        if has_lock {
            holders.push(pid);
        }
    }
    let in_lab = |pid: &u32| {
        std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .is_ok_and(|c| c.contains("logoff-lab"))
    };
    (!holders.is_empty() && holders.iter().all(in_lab)).then_some(holders)
}

fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => std::env::var("NEXTEST_TEST_NAME")
            .ok()
            .or_else(|| std::env::args().nth(1).filter(|a| !a.starts_with('-')))
            .unwrap_or_else(|| "(test)".to_string()),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout:\n{}--- stderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Sort key of a session ID: numeric IDs by value, then the others ("c1"…) by text.
fn session_key(id: &str) -> (bool, u64, String) {
    match id.parse::<u64>() {
        Ok(n) => (false, n, String::new()),
        Err(_) => (true, 0, id.to_string()),
    }
}

/// The sshd listener retitles itself with its count of connections in progress: compare it
/// without that count.
fn same_cmd(a: &str, b: &str) -> bool {
    let stable = |s: &str| match s.find("[listener]") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    };
    a == b || stable(a) == stable(b)
}

impl Lab {
    /// Lab with at least `n` hosts up (calls `lab up n`). Returns None when the test must be
    /// skipped: not root and CI is not "true" -> prints "SKIPPED: <test>: lab needs root" to
    /// stderr. With CI=true it never skips: panics with the reason instead.
    pub fn get(n: usize) -> Option<Lab> {
        let name = test_name();
        if !rustix::process::geteuid().is_root() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{name}: lab needs root (CI=true, so the test is not skipped)");
            }
            eprintln!("SKIPPED: {name}: lab needs root");
            return None;
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(LOCK_PATH)
            .unwrap_or_else(|e| panic!("{name}: cannot open {LOCK_PATH}: {e}"));
        lock_exclusively(&lock, &name);
        let lab = Lab {
            created: Mutex::new(Vec::new()),
            _lock: lock,
        };
        lab.up(n);
        Some(lab)
    }

    /// Absolute path of `lab/lab`.
    pub fn script() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("lab")
            .join("lab")
    }

    /// Runs `lab/lab` with `args`; never panics on failure (only if it cannot be started).
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(Self::script())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", Self::script().display()))
    }

    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        if !out.status.success() {
            panic!("{}", describe(&format!("lab {}", args.join(" ")), &out));
        }
        text(&out.stdout)
    }

    /// The logoff binary under test, at a path every host sees (hosts have a private /tmp and
    /// /home, where a checkout may live): `lab put` copies it into the lab's own tree.
    pub fn host_binary(&self) -> String {
        self.host_program(env!("CARGO_BIN_EXE_logoff"))
    }

    /// Any binary under test (`env!("CARGO_BIN_EXE_qwinsta")`…) where every host sees it.
    pub fn host_program(&self, exe: &str) -> String {
        self.run_ok(&["put", exe]).trim().to_string()
    }

    /// An ssh login (`lab login USER HOST`) that stays open; returns its session ID.
    pub fn login(&self, user: &str, host: &str) -> String {
        self.login_with(&[], user, host)
    }

    /// `lab login FLAGS USER HOST`, e.g. `&["--pty"]`, `&["--ignore-term"]`, `&["--background"]`.
    pub fn login_with(&self, flags: &[&str], user: &str, host: &str) -> String {
        let mut args = vec!["login"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[user, host]);
        self.new_session(&args, host)
    }

    /// Ends session `id` on `host` when the test is over (one opened by `lab` directly).
    pub fn track(&self, host: &str, id: &str) {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((host.to_string(), id.to_string()));
    }

    /// Makes server1..serverN xrdp hosts as well (`lab up N --xrdp`).
    pub fn xrdp(&self, n: usize) {
        self.run_ok(&["up", &n.to_string(), "--xrdp"]);
    }

    /// An xrdp desktop of `user` on `host` (`lab rdp FLAGS USER HOST`): through sesman, or with
    /// `--client` through a real RDP client; `--ignore-term` makes its programs ignore SIGTERM.
    pub fn rdp(&self, flags: &[&str], user: &str, host: &str) -> Desktop {
        let mut args = vec!["rdp"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[user, host]);
        let line = self.run_ok(&args);
        let words: Vec<&str> = line.split_whitespace().collect();
        let (id, display, log) = match words.as_slice() {
            [id, display] => (id, display, None),
            [id, display, log] => (id, display, Some(PathBuf::from(log))),
            _ => panic!("lab {} printed {line:?}", args.join(" ")),
        };
        self.track(host, id);
        Desktop {
            id: id.to_string(),
            display: display.to_string(),
            client_log: log,
        }
    }

    /// A console session on seat0 (`lab console USER HOST`); returns its session ID.
    pub fn console(&self, user: &str, host: &str) -> String {
        self.new_session(&["console", user, host], host)
    }

    fn new_session(&self, args: &[&str], host: &str) -> String {
        let id = self.run_ok(args).trim().to_string();
        assert!(
            !id.is_empty() && !id.contains(char::is_whitespace),
            "lab {} printed no session ID: {id:?}",
            args.join(" ")
        );
        self.track(host, &id);
        id
    }

    /// `lab exec HOST CMD...` (as root inside the host); never panics on failure.
    pub fn exec(&self, host: &str, cmd: &[&str]) -> Output {
        let mut args = vec!["exec", host];
        args.extend_from_slice(cmd);
        self.run(&args)
    }

    /// The audit records logoff wrote in `host`'s journal.
    pub fn journal(&self, host: &str) -> String {
        self.exec_ok(
            host,
            &["journalctl", "-t", "logoff", "--no-pager", "-o", "cat"],
        )
    }

    /// `lab exec HOST CMD...`; panics unless it succeeds, returns its stdout.
    pub fn exec_ok(&self, host: &str, cmd: &[&str]) -> String {
        let out = self.exec(host, cmd);
        if !out.status.success() {
            panic!(
                "{}",
                describe(&format!("in {host}: {}", cmd.join(" ")), &out)
            );
        }
        text(&out.stdout)
    }

    /// `lab state HOST`: the host's sessions and processes (without the look's own).
    fn state(&self, host: &str) -> HostState {
        let out = self.run_ok(&["state", host]);
        let v: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("lab state {host}: {e} in\n{out}"));
        let field = |o: &serde_json::Value, k: &str| {
            o.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let pid = |o: &serde_json::Value| o["pid"].as_u64().map(|p| p as u32);
        let mut sessions: Vec<(String, Option<u32>)> = Vec::new();
        let mut closing = Vec::new();
        for s in v["sessions"].as_array().into_iter().flatten() {
            let id = field(s, "id").unwrap_or_else(|| panic!("lab state {host}: {s}"));
            if s["state"] == "closing" {
                closing.push(id.clone());
            }
            sessions.push((id, s["uid"].as_u64().map(|u| u as u32)));
        }
        sessions.sort_by_key(|(id, _)| session_key(id));
        let procs = v["processes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    Proc {
                        pid: pid(p).unwrap_or_else(|| panic!("lab state {host}: {p}")),
                        user: field(p, "user").unwrap_or_default(),
                        cmd: field(p, "cmd").unwrap_or_default(),
                    },
                    Meta {
                        session: field(p, "session"),
                        unit: field(p, "unit").unwrap_or_default(),
                    },
                )
            })
            .collect();
        HostState {
            logind: v["logind"] == true,
            sessions,
            closing,
            procs,
        }
    }

    /// Session IDs on `host`, sorted (numeric IDs by value first). On a host without logind:
    /// the audit session IDs of its login processes.
    pub fn sessions(&self, host: &str) -> Vec<String> {
        self.state(host)
            .sessions
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// Whether session `id` exists on `host` (in any state, "closing" included).
    pub fn session_exists(&self, host: &str, id: &str) -> bool {
        self.run(&["has-session", host, id]).status.success()
    }

    /// `loginctl show-session ID -p PROP --value` inside `host`; panics if that fails.
    pub fn session_prop(&self, host: &str, id: &str, prop: &str) -> String {
        self.exec_ok(
            host,
            &["loginctl", "show-session", id, "-p", prop, "--value"],
        )
        .trim()
        .to_string()
    }

    /// PIDs (as seen inside `host`) in the scope cgroup of session `id`; empty if it is gone.
    /// On a host without logind: the processes of audit session `id`.
    pub fn session_pids(&self, host: &str, id: &str) -> Vec<u32> {
        let out = self.run_ok(&["pids", host, id]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("lab pids {host} {id}: {e} in\n{out}"))
    }

    /// Every process inside `host`, except the harness's own commands that list them.
    pub fn processes(&self, host: &str) -> Vec<Proc> {
        self.state(host).procs.into_iter().map(|(p, _)| p).collect()
    }

    /// Sessions and processes of `host` at this moment.
    pub fn snapshot(&self, host: &str) -> Snapshot {
        let state = self.state(host);
        let (procs, meta) = state.procs.into_iter().unzip();
        Snapshot {
            sessions: state.sessions.iter().map(|(id, _)| id.clone()).collect(),
            session_uids: state
                .sessions
                .iter()
                .filter_map(|(id, uid)| uid.map(|u| (id.clone(), u)))
                .collect(),
            closing: state.closing,
            procs,
            meta,
        }
    }

    /// A login session (PAM service "login") of `user` on terminal `tty_path`, in transient
    /// `unit` running `sleep infinity`, as login(1) would make it: whatever `tty_path` says
    /// becomes the session's TTY. Returns once the unit runs its command. The caller stops
    /// the unit.
    pub fn tty_session(&self, host: &str, unit: &str, user: &str, tty_path: &str) {
        self.exec_ok(
            host,
            &[
                "systemd-run",
                "--quiet",
                "--collect",
                &format!("--unit={unit}"),
                "-p",
                "PAMName=login",
                "-p",
                &format!("User={user}"),
                "-p",
                &format!("TTYPath={tty_path}"),
                "-p",
                "StandardInput=null",
                "-p",
                "StandardOutput=null",
                "sleep",
                "infinity",
            ],
        );
        self.wait_unit_runs(host, unit, "sleep infinity");
    }

    /// `cmd` (a shell command line) run on a terminal of its own (script(1)), with the lab's
    /// environment and `env`; its stdout is what the terminal showed.
    pub fn on_terminal(&self, cmd: &str, env: &[(&str, &std::ffi::OsStr)]) -> Output {
        self.terminal(cmd, env).wait(Duration::from_secs(120))
    }

    /// `cmd` started on a terminal of its own, to be typed at (see [`Terminal`]).
    pub fn terminal(&self, cmd: &str, env: &[(&str, &std::ffi::OsStr)]) -> Terminal {
        let mut c = Command::new("script");
        c.args(["-qec", cmd, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .env("LC_ALL", "C")
            // script(1) runs $SHELL; dash (CI's) dies with the terminal's Ctrl-C instead of
            // waiting for a child that handles it, so the line after logoff would never run.
            .env("SHELL", "/bin/bash");
        for (k, v) in self.env() {
            c.env(k, v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("run script");
        let shown = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&shown);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Terminal { child, shown }
    }

    /// Waits until transient `unit` in `host` runs its command (its command line ends with
    /// `cmd`): PAM opens the session before the command execs, and a snapshot taken in between
    /// sees processes that are about to change.
    pub fn wait_unit_runs(&self, host: &str, unit: &str, cmd: &str) {
        self.run_ok(&["wait-running", host, unit, cmd]);
    }

    /// `lab stop HOST` (kill -9 the host); panics if that fails.
    pub fn stop(&self, host: &str) {
        self.run_ok(&["stop", host]);
        self.forget(|h| h == host);
    }

    /// `lab down`; panics if that fails.
    pub fn down(&self) {
        self.run_ok(&["down"]);
        self.forget(|_| true);
    }

    /// `lab up N`; panics if that fails.
    pub fn up(&self, n: usize) {
        self.run_ok(&["up", &n.to_string()]);
    }

    /// Sessions of hosts that were stopped are gone: a rebooted host reuses their IDs.
    fn forget(&self, host_gone: impl Fn(&str) -> bool) {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(h, _)| !host_gone(h));
    }

    /// The environment that points ssh, loginctl and logoff at the lab (`lab env`): PATH with
    /// the lab's bin directory first, SYSTEMD_SSH and LOGOFF_SSH.
    pub fn env(&self) -> Vec<(String, String)> {
        let out = self.run_ok(&["env"]);
        let line = out.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let path = std::env::var("PATH").unwrap_or_default();
        line.split_whitespace()
            .filter_map(|word| word.split_once('='))
            .map(|(k, v)| (k.to_string(), v.replace("$PATH", &path)))
            .collect()
    }

    /// The ssh_config that reaches the hosts (`lab ssh-config`).
    pub fn ssh_config(&self) -> PathBuf {
        PathBuf::from(self.run_ok(&["ssh-config"]).trim())
    }

    /// UID, GID and home of `user` inside `host`.
    pub fn user_ids(&self, host: &str, user: &str) -> (u32, u32, String) {
        if let Some((_, uid)) = USERS.iter().find(|(name, _)| *name == user) {
            return (*uid, *uid, format!("/home/{user}"));
        }
        if user == "root" {
            return (0, 0, "/root".to_string());
        }
        let out = self.exec_ok(host, &["getent", "passwd", user]);
        let fields: Vec<&str> = out.trim().split(':').collect();
        assert!(fields.len() >= 6, "in {host}: no user {user}: {out:?}");
        (
            fields[2].parse().expect("uid"),
            fields[3].parse().expect("gid"),
            fields[5].to_string(),
        )
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let created = std::mem::take(self.created.get_mut().unwrap_or_else(|e| e.into_inner()));
        let mut hosts: Vec<&str> = created.iter().map(|(h, _)| h.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        for host in hosts {
            let ids: Vec<&str> = created
                .iter()
                .filter(|(h, _)| h == host)
                .map(|(_, id)| id.as_str())
                .collect();
            let mut cmd = vec!["end", host];
            cmd.extend_from_slice(&ids);
            let out = self.run(&cmd);
            if !out.status.success() && !text(&out.stderr).contains("is not running") {
                eprintln!("{}", describe(&format!("closing sessions on {host}"), &out));
            }
        }
        // The lock is released when `_lock` is dropped, after this.
    }
}

impl Snapshot {
    /// Panics (with a readable diff) unless every session and process of `self` except those
    /// of the excluded sessions is still present in `after` (same pid, same cmd).
    ///
    /// Also not required to survive: `excluded_pids`; sessions that were already closing in
    /// `self`, and their processes; the user manager (user@UID.service) of a user all of whose
    /// sessions are excluded or closing (it ends with the user's last session); sshd's
    /// connections still in authentication; transient user-runtime-dir@ helpers; and commands
    /// the harness itself entered into the host.
    pub fn assert_survived_except(
        &self,
        after: &Snapshot,
        host: &str,
        excluded_sessions: &[&str],
        excluded_pids: &[u32],
    ) {
        let excluded =
            |s: &str| excluded_sessions.contains(&s) || self.closing.iter().any(|c| c == s);
        let keeps_user = |uid: u32| {
            self.session_uids
                .iter()
                .any(|(s, u)| *u == uid && !excluded(s))
        };
        let mut problems = Vec::new();
        for s in &self.sessions {
            if !excluded(s) && !after.sessions.contains(s) {
                problems.push(format!("session {s} is gone"));
            }
        }
        for (p, m) in self.procs.iter().zip(&self.meta) {
            if excluded_pids.contains(&p.pid) || m.session.as_deref().is_some_and(excluded) {
                continue;
            }
            if m.unit == "-"
                || m.unit.starts_with("user-runtime-dir@")
                || (m.unit == "sshd.service"
                    && m.session.is_none()
                    && !p.cmd.contains("[listener]"))
            {
                continue;
            }
            if let Some(uid) = m
                .unit
                .strip_prefix("user@")
                .and_then(|u| u.strip_suffix(".service"))
                .and_then(|u| u.parse::<u32>().ok())
                && !keeps_user(uid)
            {
                continue;
            }
            match after.procs.iter().find(|q| q.pid == p.pid) {
                None => problems.push(format!("process is gone: {}", line(p, m))),
                Some(q) if !same_cmd(&q.cmd, &p.cmd) => problems.push(format!(
                    "process {} changed its command line: {:?} -> {:?}",
                    p.pid, p.cmd, q.cmd
                )),
                Some(_) => {}
            }
        }
        if !problems.is_empty() {
            let mut msg = format!(
                "on {host}, expected to survive (all but sessions {excluded_sessions:?} and \
                 pids {excluded_pids:?}), but:\n"
            );
            for p in &problems {
                let _ = writeln!(msg, "  - {p}");
            }
            let _ = writeln!(msg, "before: sessions {:?}", self.sessions);
            for (p, m) in self.procs.iter().zip(&self.meta) {
                let _ = writeln!(msg, "    {}", line(p, m));
            }
            let _ = writeln!(msg, "after: sessions {:?}", after.sessions);
            for (p, m) in after.procs.iter().zip(&after.meta) {
                let _ = writeln!(msg, "    {}", line(p, m));
            }
            panic!("{msg}");
        }
    }

    /// The processes of systemd unit `unit` in this snapshot.
    pub fn unit_pids(&self, unit: &str) -> Vec<u32> {
        self.procs
            .iter()
            .zip(&self.meta)
            .filter(|(_, m)| m.unit == unit)
            .map(|(p, _)| p.pid)
            .collect()
    }

    /// The processes of session `id` in this snapshot.
    pub fn session_procs(&self, id: &str) -> Vec<&Proc> {
        self.procs
            .iter()
            .zip(&self.meta)
            .filter(|(_, m)| m.session.as_deref() == Some(id))
            .map(|(p, _)| p)
            .collect()
    }
}

fn line(p: &Proc, m: &Meta) -> String {
    format!(
        "{:>7} {:<10} session={:<5} {:<28} {}",
        p.pid,
        p.user,
        m.session.as_deref().unwrap_or("-"),
        m.unit,
        p.cmd
    )
}

/// Sessions `ids` and every one of their processes are gone from `host`; everything else that
/// `before` saw survived, but `excluded_pids`.
pub fn assert_only_gone(
    lab: &Lab,
    host: &str,
    before: &Snapshot,
    ids: &[&str],
    excluded_pids: &[u32],
) {
    let after = lab.snapshot(host);
    for id in ids {
        assert!(
            !after.sessions.iter().any(|s| s == id),
            "session {id} still listed on {host}"
        );
        assert!(
            lab.session_pids(host, id).is_empty(),
            "session {id} still has processes"
        );
        for p in before.session_procs(id) {
            assert!(
                !after.procs.iter().any(|q| q.pid == p.pid && q.cmd == p.cmd),
                "process {} ({}) of session {id} survived",
                p.pid,
                p.cmd
            );
        }
    }
    before.assert_survived_except(&after, host, ids, excluded_pids);
}

/// Runs logoff on the machine (outside the hosts), reaching them through the lab's ssh config;
/// returns its exit code, stdout, stderr and the audit records it sent to the system log.
pub fn logoff_on_machine(
    lab: &Lab,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String, Vec<String>) {
    let log = LogCatcher::new();
    let cmd = log.command(env!("CARGO_BIN_EXE_logoff"), args, env);
    let (code, stdout, stderr) = out(&on_machine(lab, cmd).output().expect("run logoff"));
    (code, stdout, stderr, log.messages())
}

/// `cmd` as the tests run a binary on the machine: no stdin, no session of its own to pick up
/// (`XDG_SESSION_ID`), English, and the lab's ssh, loginctl and logoff settings (`lab env`).
pub fn on_machine(lab: &Lab, mut cmd: Command) -> Command {
    cmd.stdin(Stdio::null())
        .env_remove("XDG_SESSION_ID")
        .env("LC_ALL", "C");
    for (k, v) in lab.env() {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the logoff binary inside `host` with a clean environment (PATH, HOME, USER, LOGNAME,
/// then `env`), as root or, with `as_user`, as that user (setpriv: real and effective UID/GID
/// and the user's groups). The process is in no logind session.
pub fn logoff_in_host(
    lab: &Lab,
    host: &str,
    args: &[&str],
    as_user: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    program_in_host(lab, host, env!("CARGO_BIN_EXE_logoff"), args, as_user, env)
}

/// [`logoff_in_host`] for any binary under test (`exe`: its path on the machine).
pub fn program_in_host(
    lab: &Lab,
    host: &str,
    exe: &str,
    args: &[&str],
    as_user: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let user = as_user.unwrap_or("root");
    let (uid, gid, home) = lab.user_ids(host, user);
    let mut cmd: Vec<String> = Vec::new();
    if as_user.is_some() {
        cmd.extend([
            "setpriv".to_string(),
            format!("--reuid={uid}"),
            format!("--regid={gid}"),
            "--init-groups".to_string(),
            "--".to_string(),
        ]);
    }
    cmd.extend([
        "env".to_string(),
        "-i".to_string(),
        format!("PATH={HOST_PATH}"),
        format!("HOME={home}"),
        format!("USER={user}"),
        format!("LOGNAME={user}"),
    ]);
    cmd.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
    cmd.push(lab.host_program(exe));
    cmd.extend(args.iter().map(|a| a.to_string()));
    let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
    lab.exec(host, &cmd)
}

/// A system log for commands run on the machine: what they send to journald's native socket.
pub struct LogCatcher {
    dir: PathBuf,
    socket: std::os::unix::net::UnixDatagram,
}

impl LogCatcher {
    pub fn new() -> LogCatcher {
        let dir = tmpdir("journal");
        let socket =
            std::os::unix::net::UnixDatagram::bind(dir.join("socket")).expect("log catcher socket");
        socket.set_nonblocking(true).expect("nonblocking socket");
        LogCatcher { dir, socket }
    }

    /// `prog args...` as a command that runs with this catcher as its system log, with `env`
    /// set for `prog` alone (`lab` is a bash script: a locale the machine lacks would make it
    /// warn on stderr).
    pub fn command(&self, prog: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new(Lab::script());
        c.arg("with-log").arg(&self.dir).arg("env");
        c.args(env.iter().map(|(k, v)| format!("{k}={v}")));
        c.arg(prog).args(args);
        c
    }

    /// The MESSAGE of every record received since the last call.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = self.socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if let Some(m) = text.lines().find_map(|l| l.strip_prefix("MESSAGE=")) {
                out.push(m.to_string());
            }
        }
        out
    }
}

impl Drop for LogCatcher {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Exit code, stdout and stderr of a finished command.
/// A command running on a terminal (script(1)'s pty): what it shows, and keys typed at it.
pub struct Terminal {
    child: std::process::Child,
    shown: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    /// What the terminal has shown so far.
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.shown.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal shows `text`; panics after `within`.
    pub fn expect(&self, text: &str, within: Duration) {
        eventually(
            within,
            &format!("the terminal never showed {text:?}"),
            || self.shown().contains(text).then_some(()),
        );
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(keys).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for the command to end (killed after `within`); stdout is what the terminal showed.
    pub fn wait(mut self, within: Duration) -> Output {
        let until = Instant::now() + within;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!(
                    "still running after {within:?}; it showed:\n{}",
                    self.shown()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader ends with script's end of output.
        std::thread::sleep(Duration::from_millis(50));
        drop(self.child.stdin.take());
        Output {
            status,
            stdout: self.shown.lock().unwrap().clone(),
            stderr: Vec::new(),
        }
    }
}

pub fn out(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        text(&o.stdout),
        text(&o.stderr),
    )
}

/// The first `Some` that `probe` gives, tried every 20 ms; panics with `what` after `within`.
/// Every wait of the tests is one of these.
pub fn eventually<T>(within: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < until, "{what} (waited {within:?})");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh directory for one test's files, named after `tag`.
pub fn tmpdir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let d = std::env::temp_dir().join(format!("logoff-test-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).expect("test directory");
    d
}

/// stdout as one JSON document (and nothing else), after checking it against the schema.
pub fn document(stdout: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{stdout}"));
    validate(stdout);
    v
}

/// Validates `doc` against doc/schema/logoff.schema.json with python3-jsonschema (scripts/test
/// installs it): an independent implementation of JSON Schema, not ours.
pub fn validate(doc: &str) {
    let dir = tmpdir("schema");
    let path = dir.join("doc.json");
    std::fs::write(&path, doc).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/doc/schema/logoff.schema.json");
    let check = "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 jsonschema.Draft202012Validator.check_schema(schema)\n\
                 jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))\n";
    let o = Command::new("python3")
        .args(["-c", check, schema])
        .arg(&path)
        .output()
        .expect("python3 (scripts/test installs python3-jsonschema)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        o.status.success(),
        "the document does not follow the schema:\n{doc}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
