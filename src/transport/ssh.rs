//! ssh as a byte stream to a remote host's system bus: ssh gets one end of a socketpair as its
//! stdin and stdout and zbus the other, so the D-Bus connection is an ordinary Unix stream.
//! ssh's stderr is kept to explain a failure in ssh's own words. The host string never becomes
//! an ssh option: it was checked by [`parse_host`](super::parse_host) and comes after `--`.

use std::future::poll_fn;
use std::io::IsTerminal;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::pin::{Pin, pin};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_io::AsyncRead;
use std::task::Poll;
use zruntime::process::Child;
use zruntime::{Shared, SharedRuntime};

use super::agent::Agent;
use super::askpass::{Prompter, REPLY_BOUND};
use super::guard::{Guarded, NOT_A_BUS, is_agent, is_not_a_bus};
use super::{Bus, Reached, interrupted};
use crate::agent::{Hello, PROTOCOL};
use crate::error::{Error, Result};
use crate::stop::{Halt, Stop, after, first_of};

/// How long closing a connection or collecting a dead ssh's last words may take.
pub(super) const CLOSE_BOUND: Duration = Duration::from_millis(500);

/// The ssh child and what it printed on stderr.
pub(super) struct SshProcess {
    child: Child<Shared>,
    stderr: Arc<Mutex<String>>,
    /// Reads ssh's stderr; done at end-of-file, which a helper of ssh's can hold off forever.
    reader: Option<zruntime::Task<(), Shared>>,
}

impl SshProcess {
    /// What ssh has printed on stderr so far.
    pub(super) fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// ssh leads its own process group: ending the group ends the helpers it started too (a
    /// ProxyCommand, a ProxyJump's ssh, an askpass).
    fn kill(&mut self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
    }

    /// Kills ssh (and its group) and collects it, within a bound.
    pub(super) async fn finish(&mut self) {
        self.kill();
        if let Ok(rt) = SharedRuntime::current() {
            let _ = rt.timeout(CLOSE_BOUND, self.child.status()).await;
        }
        self.reader.take();
    }

    /// After a failed handshake: ssh's exit code and stderr, waiting a bounded time for both.
    async fn exit_reason(&mut self) -> (Option<i32>, String) {
        let mut code = None;
        if let Ok(rt) = SharedRuntime::current() {
            if let Ok(Ok(st)) = rt
                .timeout(Duration::from_secs(2), self.child.status())
                .await
            {
                code = st.code();
            }
            // Its last words, unless a helper keeps the pipe open: then what we have.
            if let Some(reader) = self.reader.as_mut() {
                let _ = rt.timeout(CLOSE_BOUND, reader).await;
            }
        }
        self.finish().await;
        (code, self.stderr_text())
    }
}

impl Drop for SshProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(super) fn last_line(text: &str) -> String {
    text.lines()
        .map(|l| l.trim())
        .rfind(|l| !l.is_empty())
        .unwrap_or("")
        .to_owned()
}

/// The ssh program: `$LOGOFF_SSH` if set (as `$SYSTEMD_SSH` is for loginctl), else `ssh`.
fn ssh_program() -> String {
    std::env::var("LOGOFF_SSH")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "ssh".into())
}

/// ssh's `ConnectTimeout` takes whole seconds: the next one up, never 0 (which means "none").
fn ssh_seconds(timeout: Duration) -> u64 {
    timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0).max(u64::from(timeout.is_zero()))
}

/// What the agent's absence looks like on ssh's stderr (the remote command prints it).
const NO_AGENT: &str = "logoff-agent: none";

/// The remote command. In order: the bridge, where the host has it, a system bus and logind
/// there (`/run/systemd/seats`, which logind makes at start and sd-login checks for); else the
/// host's own `logoff` as the agent (with `agent`, its arguments), which reads a bus without
/// logind as a host without it; else the bridge all the same, where it and a bus are there (the
/// client then says that logind is missing); else [`NO_AGENT`] and status 127. With `bridge`
/// false, only the agent. One line of POSIX sh without a single quote, quoted whole: it reads
/// the same to every login shell (sh, bash, zsh, fish, csh).
fn remote_command(bridge: bool, agent: &str) -> String {
    let mut script = String::new();
    if bridge {
        script.push_str(
            "b=; if { [ -n \"${DBUS_SYSTEM_BUS_ADDRESS-}\" ] || [ -S /run/dbus/system_bus_socket ] \
             || [ -S /var/run/dbus/system_bus_socket ]; } \
             && command -v systemd-stdio-bridge >/dev/null 2>&1; then b=1; \
             [ -d /run/systemd/seats ] && exec systemd-stdio-bridge; fi; ",
        );
    }
    script.push_str(&format!(
        "if command -v logoff >/dev/null 2>&1; then exec logoff {agent}; fi; "
    ));
    if bridge {
        script.push_str("[ -n \"$b\" ] && exec systemd-stdio-bridge; ");
    }
    script.push_str(&format!("echo {NO_AGENT} >&2; exit 127"));
    format!("'{script}'")
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn connect_ssh(
    dest: &str,
    port: Option<u16>,
    label: &str,
    timeout: Duration,
    prompts: bool,
    bridge: bool,
    agent: &str,
    stop: &Stop,
) -> Result<Reached> {
    let no_ssh = |e: std::io::Error| Error::NoSsh {
        reason: e.to_string(),
    };
    let rt = SharedRuntime::current().map_err(no_ssh)?;
    let (ours, theirs) = UnixStream::pair().map_err(no_ssh)?;
    let theirs_out = theirs.try_clone().map_err(no_ssh)?;
    let mut cmd = zruntime::process::Command::new(ssh_program());
    cmd.arg("-xT")
        .arg("-o")
        .arg(format!("ConnectTimeout={}", ssh_seconds(timeout)));
    // ssh never touches the terminal: it prompts through us (see `askpass`), or not at all when
    // nobody can answer. So it leads a process group of its own, which is ended whole.
    cmd.as_std_mut().process_group(0);
    // Without a way to take the prompts (no directory for the socket), ssh does not prompt.
    let prompter = (prompts && std::io::stdin().is_terminal())
        .then(|| {
            let p = Prompter::new(&rt).ok()?;
            let env = p.env().ok()?;
            Some((p, env))
        })
        .flatten()
        .map(|(p, env)| {
            for (k, v) in env {
                cmd.env(k, v);
            }
            p
        });
    if prompter.is_none() {
        cmd.arg("-o").arg("BatchMode=yes");
    }
    if let Some(p) = port {
        cmd.arg("-p").arg(p.to_string());
    }
    // The bridge logs to the journal when it can: ask for stderr, so its reason reaches us. `env`
    // works whatever the remote user's login shell is.
    cmd.arg("--").arg(dest).args([
        "env",
        "SYSTEMD_LOG_TARGET=console",
        "sh",
        "-c",
        &remote_command(bridge, agent),
    ]);
    cmd.stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::from(OwnedFd::from(theirs_out)))
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Collected by `finish`; a thread to reap it is not worth having (nor worth failing on).
        .reap_on_drop(false);
    let mut child = cmd.spawn(&rt).map_err(|e| Error::NoSsh {
        reason: format!("{}: {e}", ssh_program()),
    })?;
    // The Command still holds ssh's end of the socketpair: drop it, or ssh's exit never reads
    // as end-of-file on ours.
    drop(cmd);
    let stderr = Arc::new(Mutex::new(String::new()));
    let reader = child.stderr.take().map(|mut pipe| {
        let sink = Arc::clone(&stderr);
        rt.spawn("ssh stderr reader", async move {
            let mut buf = [0u8; 4096];
            loop {
                let n = poll_fn(|cx| Pin::new(&mut pipe).poll_read(cx, &mut buf)).await;
                match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Ok(mut s) = sink.lock()
                            && s.len() < 64 * 1024
                        {
                            s.push_str(&String::from_utf8_lossy(&buf[..n]));
                        }
                    }
                }
            }
        })
    });
    let mut ssh = SshProcess {
        child,
        stderr,
        reader,
    };

    // The handshake fails when ssh exits, unless something ssh started (a ProxyCommand's
    // helper) still holds the other end: so ssh's exit ends the wait too. Time spent answering
    // ssh's prompts is not counted; each prompt has its own bound.
    let ours = Arc::new(zruntime::net::unix::UnixStream::from_std(&rt, ours).map_err(no_ssh)?);
    let ahead = Arc::new(Mutex::new(None));
    let build = zbus::connection::Builder::socket(Guarded {
        stream: Arc::clone(&ours),
        ahead: Arc::clone(&ahead),
    })
    .build();
    let mut left = timeout;
    let mut waiting = Instant::now();
    let ended = {
        let mut handshake = pin!(first_of(build, ssh.child.status()));
        let mut prompter = prompter.as_ref();
        loop {
            let prompt = async {
                match prompter {
                    Some(p) => p.next().await,
                    None => std::future::pending().await,
                }
            };
            match stop
                .bounded(after(left), first_of(handshake.as_mut(), prompt))
                .await
            {
                Ok(Ok(done)) => break Ok(done),
                Ok(Err(Ok(prompt))) => {
                    left = left.saturating_sub(waiting.elapsed());
                    if let Err(halt) = stop.bounded(after(REPLY_BOUND), prompt.answer(&rt)).await {
                        break Err(Stalled::Prompt(halt));
                    }
                    waiting = Instant::now();
                }
                // Prompts can no longer be taken: ssh's next one goes unanswered.
                Ok(Err(Err(_))) => prompter = None,
                Err(halt) => break Err(Stalled::Connect(halt)),
            }
        }
    };
    match ended {
        Ok(Ok(Ok(conn))) => Ok(Reached::Bus(Bus {
            conn,
            host: label.to_owned(),
            remote: true,
            ssh: Some(ssh),
        })),
        Ok(Ok(Err(e))) if is_agent(&e) => {
            let ahead = ahead.lock().ok().and_then(|mut a| a.take());
            // The agent's first line, within what is left of the connect timeout.
            let left = left.saturating_sub(waiting.elapsed());
            match hello(&ours, ahead.unwrap_or_default(), left, stop).await {
                Ok((hello, rest)) => {
                    if let Some(f) = hello.error {
                        ssh.finish().await;
                        return Err(f.into_error(label));
                    }
                    Ok(Reached::Agent(Box::new(Agent::new(
                        label.to_owned(),
                        hello,
                        ours,
                        rest,
                        Some(ssh),
                    ))))
                }
                Err(Some(theirs)) => {
                    ssh.finish().await;
                    Err(Error::AgentMismatch {
                        host: label.to_owned(),
                        theirs,
                    })
                }
                Err(None) if stop.signal().is_some() => {
                    ssh.finish().await;
                    Err(interrupted(stop))
                }
                Err(None) => {
                    let (code, text) = ssh.exit_reason().await;
                    Err(classify_ssh_failure(label, code, &text, timeout))
                }
            }
        }
        Ok(Ok(Err(e))) if is_not_a_bus(&e) => {
            ssh.finish().await;
            Err(Error::NoBus {
                host: label.to_owned(),
                reason: NOT_A_BUS.to_owned(),
            })
        }
        Ok(Ok(Err(_)) | Err(_)) => {
            let (code, text) = ssh.exit_reason().await;
            Err(classify_ssh_failure(label, code, &text, timeout))
        }
        Err(Stalled::Connect(Halt::TimedOut)) => {
            ssh.finish().await;
            Err(Error::ConnectTimeout {
                host: label.to_owned(),
                secs: timeout.as_secs_f64(),
            })
        }
        Err(Stalled::Prompt(Halt::TimedOut)) => {
            ssh.finish().await;
            Err(Error::NoReply {
                host: label.to_owned(),
                secs: REPLY_BOUND.as_secs_f64(),
            })
        }
        Err(Stalled::Connect(Halt::Interrupted) | Stalled::Prompt(Halt::Interrupted)) => {
            ssh.finish().await;
            Err(interrupted(stop))
        }
    }
}

/// Reads the agent's first line within `left`: the hello and the bytes after it. `Err(Some)`:
/// an agent that speaks another protocol (its version); `Err(None)`: no line came.
async fn hello(
    stream: &zruntime::net::unix::UnixStream<Shared>,
    mut ahead: Vec<u8>,
    left: Duration,
    stop: &Stop,
) -> std::result::Result<(Hello, Vec<u8>), Option<String>> {
    let read = poll_fn(|cx| {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = ahead.iter().position(|&c| c == b'\n') {
                return Poll::Ready(Some(end));
            }
            if ahead.len() > 64 * 1024 {
                return Poll::Ready(None);
            }
            match Pin::new(&mut &*stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(n)) if n > 0 => ahead.extend_from_slice(&buf[..n]),
                Poll::Ready(_) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    });
    let Ok(Some(end)) = stop.bounded(after(left), read).await else {
        return Err(None);
    };
    let rest = ahead.split_off(end + 1);
    match serde_json::from_slice::<Hello>(&ahead) {
        Ok(h) if h.agent == "logoff" && h.protocol == PROTOCOL => Ok((h, rest)),
        Ok(h) => Err(Some(format!("{} (protocol {})", h.version, h.protocol))),
        Err(_) => {
            // Another version's hello, or none: say what it calls itself, if anything.
            let v: Option<serde_json::Value> = serde_json::from_slice(&ahead).ok();
            let version = v
                .as_ref()
                .and_then(|v| v.get("version"))
                .and_then(|v| v.as_str())
                .map(crate::i18n::clean);
            Err(Some(version.unwrap_or_else(|| "?".into())))
        }
    }
}

/// Which wait of the connect step ended without its result.
enum Stalled {
    Connect(Halt),
    Prompt(Halt),
}

/// Turns ssh's exit status and stderr into the error the user needs.
pub(crate) fn classify_ssh_failure(
    host: &str,
    code: Option<i32>,
    stderr: &str,
    timeout: Duration,
) -> Error {
    let reason = last_line(stderr);
    let host = host.to_owned();
    let has = |s: &str| stderr.contains(s);
    if has(NO_AGENT) {
        return Error::NoAgent { host };
    }
    // A logoff from before agent mode, refusing the switch.
    if has("--agent") && code == Some(2) {
        return Error::AgentMismatch {
            host,
            theirs: "?".into(),
        };
    }
    // 127: not found; 126: found but not executable (both from the remote shell).
    let bridge_failed = has("not found") || has("No such file") || has("Permission denied");
    if has("systemd-stdio-bridge") && bridge_failed || matches!(code, Some(126 | 127)) {
        return Error::NoBridge { host, reason };
    }
    if has("Failed to connect to bus") || has("Failed to connect to system bus") {
        return Error::NoBus { host, reason };
    }
    // ssh's own failures exit 255; anything else is the bridge's status: it ran and gave up.
    if matches!(code, Some(c) if c != 255) && !has("Permission denied") {
        let reason = if reason.is_empty() {
            format!(
                "systemd-stdio-bridge exited with status {}",
                code.unwrap_or_default()
            )
        } else {
            reason
        };
        return Error::NoBus { host, reason };
    }
    if has("Permission denied")
        || has("Host key verification failed")
        || has("Too many authentication failures")
    {
        return Error::AuthFailed { host, reason };
    }
    if has("timed out") {
        return Error::ConnectTimeout {
            host,
            secs: timeout.as_secs_f64(),
        };
    }
    let reason = if reason.is_empty() {
        match code {
            Some(c) => format!("ssh exited with status {c}"),
            None => "ssh ended the connection".to_owned(),
        }
    } else {
        reason
    };
    Error::Unreachable { host, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(3);

    /// The remote command, run by a real sh: quoted whole for any login shell, and with
    /// neither a bridge nor logoff on the PATH it says so, as the client recognises.
    #[test]
    fn the_remote_command_says_when_neither_is_there() {
        let cmd = remote_command(true, "--agent=1 --backend=auto --timeout-ms=10000");
        let script = cmd
            .strip_prefix('\'')
            .and_then(|c| c.strip_suffix('\''))
            .expect("quoted whole");
        assert!(!script.contains('\''), "{script}");
        let out = std::process::Command::new("/bin/sh")
            .args(["-c", script])
            .env_clear()
            .env("PATH", "/nonexistent")
            .output()
            .expect("sh");
        assert_eq!(out.status.code(), Some(127));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let e = classify_ssh_failure("h", out.status.code(), &stderr, T);
        assert!(matches!(e, Error::NoAgent { .. }), "{e:?}");
    }

    /// Which the remote command runs, by what the host has: a real sh, stand-ins for the
    /// bridge and logoff that name themselves, a bus named by its address, logind's
    /// `/run/systemd/seats` moved to a directory of the test's (there or not).
    #[test]
    fn the_remote_command_prefers_the_bridge_only_where_logind_runs() {
        let dir = std::env::temp_dir().join(format!("logoff-remote-cmd-{}", std::process::id()));
        let (bin, none, seats) = (dir.join("bin"), dir.join("none"), dir.join("seats"));
        for d in [&bin, &none, &seats] {
            std::fs::create_dir_all(d).unwrap();
        }
        let stand_in = |name: &str, dir: &std::path::Path| {
            let p = dir.join(name);
            std::fs::write(&p, format!("#!/bin/sh\necho {name} \"$@\"\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        stand_in("systemd-stdio-bridge", &bin);
        stand_in("logoff", &bin);
        stand_in("systemd-stdio-bridge", &none);
        let run = |bridge: bool, path: &std::path::Path, bus: bool, logind: bool| {
            let cmd = remote_command(bridge, "--agent=1");
            let there = if logind { &seats } else { &none.join("no") };
            let script =
                cmd[1..cmd.len() - 1].replace("/run/systemd/seats", &there.to_string_lossy());
            // Only the stand-ins: the script needs nothing but the shell's builtins.
            let mut c = std::process::Command::new("/bin/sh");
            c.args(["-c", &script]).env_clear().env("PATH", path);
            if bus {
                c.env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent");
            }
            let out = c.output().expect("sh");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let results = [
            run(true, &bin, true, true),
            run(true, &bin, true, false),
            run(true, &none, true, false),
            run(false, &bin, true, true),
        ];
        std::fs::remove_dir_all(&dir).ok();
        let (bridge, agent) = ("systemd-stdio-bridge", "logoff --agent=1");
        // A bus and logind: the bridge. Without logind: the agent; without it, the bridge all
        // the same (the client names what is missing). --backend=proc: the agent only.
        assert_eq!(results, [bridge, agent, bridge, agent]);
    }

    #[test]
    fn ssh_timeouts_are_whole_seconds_never_zero() {
        assert_eq!(ssh_seconds(Duration::from_secs(10)), 10);
        assert_eq!(ssh_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(ssh_seconds(Duration::from_millis(1)), 1);
        assert_eq!(ssh_seconds(Duration::ZERO), 1);
    }

    #[test]
    fn a_timeout_reported_by_ssh_names_the_real_bound() {
        let e = classify_ssh_failure(
            "h",
            Some(255),
            "ssh: connect to host h port 22: Connection timed out\n",
            T,
        );
        assert!(matches!(e, Error::ConnectTimeout { secs, .. } if secs == 3.0));
    }

    #[test]
    fn ssh_failures() {
        let e = classify_ssh_failure(
            "h",
            Some(255),
            "alice@h: Permission denied (publickey).\r\n",
            T,
        );
        assert!(
            matches!(e, Error::AuthFailed { ref reason, .. } if reason.contains("Permission denied"))
        );
        let e = classify_ssh_failure(
            "h",
            Some(255),
            "ssh: connect to host h port 22: Connection refused\n",
            T,
        );
        assert!(
            matches!(e, Error::Unreachable { ref reason, .. } if reason.ends_with("Connection refused"))
        );
        let e = classify_ssh_failure(
            "h",
            Some(127),
            "bash: line 1: systemd-stdio-bridge: command not found\n",
            T,
        );
        assert!(matches!(e, Error::NoBridge { .. }));
        let e = classify_ssh_failure(
            "h",
            Some(126),
            "bash: line 1: /usr/bin/systemd-stdio-bridge: Permission denied\n",
            T,
        );
        assert!(matches!(e, Error::NoBridge { .. }));
        let e = classify_ssh_failure(
            "h",
            Some(1),
            "Failed to connect to bus: No such file or directory\n",
            T,
        );
        assert!(matches!(e, Error::NoBus { .. }));
        let e = classify_ssh_failure("h", Some(1), "", T);
        assert!(matches!(e, Error::NoBus { ref reason, .. } if reason.contains("status 1")));
        let e = classify_ssh_failure("h", Some(255), "", T);
        assert!(matches!(e, Error::Unreachable { ref reason, .. } if reason.contains("255")));
    }
}
