//! Telling a session something before it is logged off (`/msg`, `/delay`), over the bus logoff
//! already has: systemd runs a short transient service on the host (what `systemd-run` does)
//! that writes the text on every terminal of the session, as `write` would, and shows it on the
//! session's X display. The same call works locally and through systemd-stdio-bridge, so a
//! remote host needs no second connection and nothing installed.
//!
//! The service is the host's own `/bin/sh` with a fixed script; the text and the session's
//! names reach it as arguments, never as shell code. Its exit status says whether any channel
//! was reached, and systemd's `JobRemoved` signal brings that back.

use std::cell::Cell;
use std::pin::Pin;
use std::time::{Duration, Instant};

use zbus::OwnedObjectPath;
use zbus::export::futures_core::Stream;
use zbus::wire::Variant;

use super::{Fail, Logind};
use crate::error::Result;
use crate::fleet::each;
use crate::session::Session;
use crate::stop::Halt;

const SYSTEMD: &str = "org.freedesktop.systemd1";
const SYSTEMD_PATH: &str = "/org/freedesktop/systemd1";
const SYSTEMD_MANAGER: &str = "org.freedesktop.systemd1.Manager";

/// Longest a notice service may run (systemd stops it then): the script only reads /proc and
/// writes a few lines; the X message it starts lives on by itself.
const NOTICE_RUNTIME: Duration = Duration::from_secs(10);

/// Arguments: $1 the text, $2 the session's scope unit, $3 its TTY as logind knows it (may be
/// empty), $4 its X display (may be empty), $5 seconds the X message stays up. Exit 0 when the
/// text reached a terminal or the display, 1 when there was none to reach.
const SCRIPT: &str = r#"text=$1 scope=$2 tty=$3 display=$4 secs=$5
cg=$(systemctl show -p ControlGroup --value "$scope" 2>/dev/null)
procs=$(cat "/sys/fs/cgroup$cg/cgroup.procs" 2>/dev/null || cat "/sys/fs/cgroup/systemd$cg/cgroup.procs" 2>/dev/null)
ttys=
[ -n "$tty" ] && ttys=/dev/${tty#/dev/}
xdisplay= xauth= xhome= owner=
for p in $procs; do
    for fd in 0 1 2; do
        t=$(readlink "/proc/$p/fd/$fd" 2>/dev/null) || continue
        case $t in
            /dev/pts/[0-9]*|/dev/tty[0-9]*) case " $ttys " in *" $t "*) ;; *) ttys="$ttys $t" ;; esac ;;
        esac
    done
    [ -n "$display" ] && [ -z "$owner" ] || continue
    env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ") || continue
    d=$(printf '%s\n' "$env" | sed -n 's/^DISPLAY=//p' | head -n 1)
    case $d in
        "$display"|"$display".*)
            xdisplay=$d
            xauth=$(printf '%s\n' "$env" | sed -n 's/^XAUTHORITY=//p' | head -n 1)
            xhome=$(printf '%s\n' "$env" | sed -n 's/^HOME=//p' | head -n 1)
            owner=$(stat -c %u:%g "/proc/$p") ;;
    esac
done
reached=1
for t in $ttys; do
    [ -c "$t" ] && printf '\r\n\a%s\r\n' "$text" 2>/dev/null >"$t" && reached=0
done
if [ -n "$owner" ] && command -v xmessage >/dev/null 2>&1; then
    setsid setpriv --reuid="${owner%:*}" --regid="${owner#*:}" --init-groups \
        env DISPLAY="$xdisplay" HOME="$xhome" XAUTHORITY="${xauth:-$xhome/.Xauthority}" \
        xmessage -center -title logoff -timeout "$secs" "$text" </dev/null >/dev/null 2>&1 &
    sleep 0.3
    kill -0 $! 2>/dev/null && reached=0
fi
exit $reached
"#;

/// How one notice went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Shown on at least one terminal or the display.
    Reached,
    /// The session has no terminal or display logoff could reach (or systemd would not run
    /// the notice: only root, or who polkit lets manage units, may).
    Unreached,
}

thread_local! {
    static SERIAL: Cell<u32> = const { Cell::new(0) };
}

/// A unit name no other run uses: pid and a serial, the session ID kept to what unit names
/// allow.
fn unit_name(id: &str) -> String {
    let n = SERIAL.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    let id: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("logoff-notice-{id}-{}-{n}.service", std::process::id())
}

impl Logind<'_> {
    /// Shows `text` in each of `sessions`; an X message stays up `shown` long. Bounded by the
    /// call bound plus the notice's own runtime, whatever the host does.
    pub(super) async fn notify(
        &self,
        sessions: &[Session],
        text: &str,
        shown: Duration,
    ) -> Result<Vec<Delivery>> {
        // Subscribed before any job exists: a notice can finish before its start call returns.
        let mut stream = self
            .subscribe(SYSTEMD, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved")
            .await?;
        let secs = shown.as_secs().max(1).to_string();
        let jobs = each(sessions, super::IN_FLIGHT, |s| self.start(s, text, &secs)).await;
        let mut pending: Vec<(usize, OwnedObjectPath)> = Vec::new();
        let mut out = vec![Delivery::Unreached; sessions.len()];
        for (i, job) in jobs.into_iter().enumerate() {
            match job {
                Ok(path) => pending.push((i, path)),
                // A refusal (not root) or a host without systemd: that session is not reached.
                Err(Fail::Dbus(_)) => {}
                Err(Fail::Halt(h)) => return Err(self.general(Fail::Halt(h))),
            }
        }
        let deadline = Instant::now() + self.bound + NOTICE_RUNTIME;
        while !pending.is_empty() {
            let next = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx));
            match self.stop.bounded(deadline, next).await {
                Err(Halt::TimedOut) | Ok(None) => break,
                Err(Halt::Interrupted) => return Err(self.general(Fail::Halt(Halt::Interrupted))),
                Ok(Some(Err(_))) => continue,
                Ok(Some(Ok(msg))) => {
                    let Ok((_, job, _, result)) = msg
                        .body()
                        .deserialize::<(u32, OwnedObjectPath, String, String)>()
                    else {
                        continue;
                    };
                    if let Some(k) = pending.iter().position(|(_, p)| *p == job) {
                        let (i, _) = pending.swap_remove(k);
                        if result == "done" {
                            out[i] = Delivery::Reached;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Starts the notice service for `s`; its job's path.
    async fn start(&self, s: &Session, text: &str, secs: &str) -> Result<OwnedObjectPath, Fail> {
        let scope = s
            .scope
            .clone()
            .unwrap_or_else(|| format!("session-{}.scope", s.id));
        let argv: Vec<&str> = vec![
            "/bin/sh",
            "-c",
            SCRIPT,
            "logoff-notice",
            text,
            &scope,
            s.tty.as_deref().unwrap_or(""),
            s.display.as_deref().unwrap_or(""),
            secs,
        ];
        let exec: Vec<(&str, Vec<&str>, bool)> = vec![("/bin/sh", argv, false)];
        let description = format!("logoff: notice to session {}", s.id);
        let props: Vec<(&str, Variant<'_>)> = vec![
            ("Description", Variant::from(description)),
            ("Type", Variant::from("oneshot")),
            ("ExecStart", Variant::from(exec)),
            // The X message it starts outlives the script by design.
            ("KillMode", Variant::from("process")),
            ("CollectMode", Variant::from("inactive-or-failed")),
            (
                "RuntimeMaxUSec",
                Variant::from(u64::try_from(NOTICE_RUNTIME.as_micros()).unwrap_or(u64::MAX)),
            ),
        ];
        let aux: Vec<(&str, Vec<(&str, Variant<'_>)>)> = Vec::new();
        let reply = self
            .call_at(
                SYSTEMD,
                SYSTEMD_PATH,
                SYSTEMD_MANAGER,
                "StartTransientUnit",
                &(unit_name(&s.id).as_str(), "fail", props, aux),
            )
            .await?;
        reply
            .body()
            .deserialize::<OwnedObjectPath>()
            .map_err(Fail::Dbus)
    }
}
