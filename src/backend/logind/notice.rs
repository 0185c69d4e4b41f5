//! Telling a session something before it is logged off (`/msg`, `/delay`), over the bus logoff
//! already has: systemd runs a short transient service on the host (what `systemd-run` does)
//! that writes the text on every terminal of the session, as `write` would, and shows it on the
//! session's X display. The same call works locally and through systemd-stdio-bridge, so a
//! remote host needs no second connection and nothing installed.
//!
//! The service is the host's own `/bin/sh` with a fixed script; the text and the session's
//! names reach it as arguments, never as shell code. Its exit status says whether any channel
//! was reached, and systemd's `JobRemoved` signal brings that back. The same way asks a host
//! what only its /proc knows: whether an xrdp desktop's RDP client is still attached.

use std::cell::Cell;
use std::pin::Pin;
use std::time::{Duration, Instant};

use zbus::OwnedObjectPath;
use zbus::export::futures_core::Stream;
use zbus::wire::Variant;

use super::{Fail, Logind};
use crate::error::Result;
use crate::fleet::each;
use crate::ops::logoff::Notice;
use crate::session::Session;
use crate::stop::Halt;

const SYSTEMD: &str = "org.freedesktop.systemd1";
const SYSTEMD_PATH: &str = "/org/freedesktop/systemd1";
const SYSTEMD_MANAGER: &str = "org.freedesktop.systemd1.Manager";

/// Longest a notice service may run (systemd stops it then): the script only reads /proc and
/// writes a few lines; the X message it starts lives on by itself.
const NOTICE_RUNTIME: Duration = Duration::from_secs(10);

/// Shell lines that set `$procs` to the PIDs in the unit `$scope` (cgroup v2, else v1's
/// systemd hierarchy): how both scripts find a session's processes.
macro_rules! session_procs {
    () => {
        r#"cg=$(systemctl show -p ControlGroup --value "$scope" 2>/dev/null)
procs=$(cat "/sys/fs/cgroup$cg/cgroup.procs" 2>/dev/null || cat "/sys/fs/cgroup/systemd$cg/cgroup.procs" 2>/dev/null)
"#
    };
}

/// The text and the session's names reach the script as arguments (see [`literal`]).
///
/// Arguments: $1 the text, $2 the session's scope unit, $3 its TTY as logind knows it (may be
/// empty), $4 its X display (may be empty), $5 seconds the X message stays up, $6 its user's
/// UID, then the text in
/// other languages as `TAG=TEXT` (catalog tags): the session's own language wins, as its
/// processes' LC_ALL, LC_MESSAGES or LANG name it. Exit 0 when the text reached a terminal or
/// the display, 1 when there was none to reach.
const SCRIPT: &str = concat!(
    r#"text=$1 scope=$2 tty=$3 display=$4 secs=$5 user=$6
shift 6
"#,
    session_procs!(),
    r#"ttys=
case $tty in pts/[0-9]*|tty[0-9]*) ttys=/dev/$tty ;; /dev/pts/[0-9]*|/dev/tty[0-9]*) ttys=$tty ;; esac
xdisplay= xauth= xhome= owner= uid= gid= loc=
for p in $procs; do
    if [ -z "$loc" ]; then
        for v in LC_ALL LC_MESSAGES LANG; do
            loc=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | sed -n "s/^$v=//p" | head -n 1)
            [ -n "$loc" ] && break
        done
    fi
    for fd in 0 1 2; do
        t=$(readlink "/proc/$p/fd/$fd" 2>/dev/null) || continue
        case $t in
            /dev/pts/[0-9]*|/dev/tty[0-9]*) case " $ttys " in *" $t "*) ;; *) ttys="$ttys $t" ;; esac ;;
        esac
    done
    [ -n "$display" ] && [ -z "$owner" ] || continue
    # Only the session's user's own processes say where its display is (a root-owned one,
    # such as a setuid helper, never makes the X message run as root).
    [ -n "$user" ] && [ "$(stat -c %u "/proc/$p" 2>/dev/null)" = "$user" ] || continue
    env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ") || continue
    d=$(printf '%s\n' "$env" | sed -n 's/^DISPLAY=//p' | head -n 1)
    case $d in
        "$display"|"$display".*)
            xdisplay=$d
            xauth=$(printf '%s\n' "$env" | sed -n 's/^XAUTHORITY=//p' | head -n 1)
            xhome=$(printf '%s\n' "$env" | sed -n 's/^HOME=//p' | head -n 1)
            uid=$(stat -c %u "/proc/$p") gid=$(stat -c %g "/proc/$p") owner=$uid ;;
    esac
done
case $loc in
    es|es_*|es.*|es@*) tag=es ;;
    zh|zh_CN*|zh_SG*|zh.*|zh@*) tag=zh-CN ;;
    en|en_*|en.*|en@*) tag=en ;;
    *) tag= ;;
esac
for t in "$@"; do
    [ -n "$tag" ] && case $t in "$tag="*) text=$(printf '%s' "$t" | sed 's/^[^=]*=//') ;; esac
done
reached=1
for t in $ttys; do
    # Bounded (a terminal stopped with Ctrl-S would block), and in a child that leads no
    # session, so opening the terminal never makes it that child's controlling one.
    [ -c "$t" ] && timeout 2 sh -c 'printf "\r\n\a%s\r\n" "$1" >"$2"' sh "$text" "$t" 2>/dev/null \
        && reached=0
done
if [ -n "$owner" ] && command -v xmessage >/dev/null 2>&1; then
    [ -n "$xauth" ] || xauth=$xhome/.Xauthority
    setsid setpriv --reuid="$uid" --regid="$gid" --init-groups \
        env DISPLAY="$xdisplay" HOME="$xhome" XAUTHORITY="$xauth" \
        xmessage -center -title logoff -timeout "$secs" "$text" </dev/null >/dev/null 2>&1 &
    sleep 0.3
    kill -0 $! 2>/dev/null && reached=0
fi
exit $reached
"#
);

/// Arguments: $1 the session's scope unit. Exit 0 only when the session is an X desktop whose
/// X server (Xvnc on a TCP port, how xrdp 0.9 attaches a client) listens and has no
/// connection: the client has gone away (or never came, as with xrdp-sesrun). Anything else
/// (a client attached, no Xvnc, Xvnc on a unix socket, something unreadable) is not detached.
const DETACHED: &str = concat!(
    "scope=$1\n",
    session_procs!(),
    r#"x=
for p in $procs; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")
    case $cmd in Xvnc\ *|*/Xvnc\ *) x=$p; xcmd=$cmd ;; esac
done
[ -n "$x" ] || exit 1
case $xcmd in *-rfbunixpath*) exit 1 ;; esac
socks=$(ls -l "/proc/$x/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
[ -n "$socks" ] || exit 1
table=$(awk 'FNR > 1 { print $4, $10 }' "/proc/$x/net/tcp" "/proc/$x/net/tcp6" 2>/dev/null) || exit 1
listens=0
for mine in $socks; do
    for state in $(printf '%s\n' "$table" | awk -v i="$mine" '$2 == i { print $1 }'); do
        [ "$state" = 01 ] && exit 1
        [ "$state" = 0A ] && listens=1
    done
done
[ "$listens" = 1 ] || exit 1
exit 0
"#
);

/// How one notice went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
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
fn unit_name(what: &str, id: &str) -> String {
    let n = SERIAL.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    let id: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("logoff-{what}-{id}-{}-{n}.service", std::process::id())
}

impl Logind<'_> {
    /// Shows `text` in each of `sessions`; an X message stays up `shown` long. Bounded by the
    /// call bound plus the notice's own runtime, whatever the host does.
    pub(super) async fn notify(
        &self,
        sessions: &[Session],
        notice: &Notice,
        shown: Duration,
    ) -> Result<Vec<Delivery>> {
        let secs = shown.as_secs().max(1).to_string();
        let args = |s: &Session| {
            let mut a = vec![
                notice.text.clone(),
                s.scope_unit(),
                s.tty.clone().unwrap_or_default(),
                s.display.clone().unwrap_or_default(),
                secs.clone(),
                s.uid.map(|u| u.to_string()).unwrap_or_default(),
            ];
            a.extend(notice.translations.iter().map(|(t, x)| format!("{t}={x}")));
            a
        };
        let done = self.run_each(sessions, "notice", SCRIPT, args).await?;
        Ok(done
            .into_iter()
            .map(|ok| match ok {
                Some(true) => Delivery::Reached,
                _ => Delivery::Unreached,
            })
            .collect())
    }

    /// For each of `sessions` (X desktops), whether its RDP client has gone away; `None` where
    /// the host could not tell.
    pub(super) async fn detached(&self, sessions: &[Session]) -> Result<Vec<Option<bool>>> {
        self.run_each(sessions, "probe", DETACHED, |s| vec![s.scope_unit()])
            .await
    }

    /// Runs `script` with `args(s)` on the host for each of `sessions`, each in a transient
    /// service of its own; for each, whether it exited 0 (`None`: it could not be run, or did
    /// not finish within the call bound and its runtime).
    async fn run_each(
        &self,
        sessions: &[Session],
        what: &str,
        script: &str,
        args: impl Fn(&Session) -> Vec<String>,
    ) -> Result<Vec<Option<bool>>> {
        // Subscribed before any job exists: a script can finish before its start call returns.
        let mut stream = self
            .subscribe(SYSTEMD, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved")
            .await?;
        let work: Vec<(&Session, Vec<String>)> = sessions.iter().map(|s| (s, args(s))).collect();
        let jobs = each(&work, super::IN_FLIGHT, |(s, a)| {
            self.start(s, what, script, a)
        })
        .await;
        let mut pending: Vec<(usize, OwnedObjectPath)> = Vec::new();
        let mut out = vec![None; sessions.len()];
        for (i, job) in jobs.into_iter().enumerate() {
            match job {
                Ok(path) => pending.push((i, path)),
                // A refusal (not root) or a host without systemd: not known for that session.
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
                        // "done": exited 0; "failed": exited otherwise (or could not start).
                        out[i] = Some(result == "done");
                    }
                }
            }
        }
        Ok(out)
    }

    /// Starts `script` with `args` for `s` in a transient service; its job's path.
    async fn start(
        &self,
        s: &Session,
        what: &str,
        script: &str,
        args: &[String],
    ) -> Result<OwnedObjectPath, Fail> {
        let mut argv: Vec<String> = vec![
            "/bin/sh".into(),
            "-c".into(),
            literal(script),
            "logoff".into(),
        ];
        argv.extend(args.iter().map(|a| literal(a)));
        let exec: Vec<(&str, Vec<String>, bool)> = vec![("/bin/sh", argv, false)];
        let description = format!("logoff: {what} for session {}", s.id);
        let props: Vec<(&str, Variant<'_>)> = vec![
            ("Description", Variant::from(description)),
            ("Type", Variant::from("oneshot")),
            ("ExecStart", Variant::from(exec)),
            // The X message a notice starts outlives the script by design.
            ("KillMode", Variant::from("process")),
            ("CollectMode", Variant::from("inactive-or-failed")),
            // A oneshot's start has no time limit by default (RuntimeMax does not apply to it).
            (
                "TimeoutStartUSec",
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
                &(unit_name(what, &s.id).as_str(), "fail", props, aux),
            )
            .await?;
        reply
            .body()
            .deserialize::<OwnedObjectPath>()
            .map_err(Fail::Dbus)
    }
}

/// `arg` as systemd passes it on: it expands `${NAME}` and `$$` in the command lines it runs,
/// so every `$` (the admin's text may have some) is doubled.
fn literal(arg: &str) -> String {
    arg.replace('$', "$$")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// systemd would replace `${…}` and `$$` before the shell saw them: the scripts avoid
    /// `${` and every argument has its `$` doubled.
    #[test]
    fn the_scripts_and_texts_survive_systemds_variable_expansion() {
        for script in [SCRIPT, DETACHED] {
            assert!(!script.contains("${"), "{script}");
        }
        assert_eq!(
            literal("Price ${X} or $$5, $HOME"),
            "Price $${X} or $$$$5, $$HOME"
        );
    }
}
