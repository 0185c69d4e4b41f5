#!/usr/bin/env python3
"""Processes: end a session of 2,000 processes plus one that keeps forking, on a host without logind.

  logoff ID                       (the login records and /proc backend; exit 0 = none left)
  vs pkill -KILL -s SID           (one call; its survivors are counted right after)

The host is bare1 (sshd, no logind, no bus). Before every run a fresh ssh login of --user with
a terminal (so sshd writes its login record) starts 2,000 `sleep` and a loop that forks another
as fast as it can (Python's os.fork), all in one POSIX and one audit session. Both tools run
inside the host as root
(lab/lab exec bare1 sh -c '...'), timed there with the clock of the shell, and the processes of
the session (its audit session ID, sshd's own left aside: pkill's -s does not target them) are
counted the moment the tool returns. Targets: logoff leaves 0 every run, in under 1 s (median);
the ratio logoff/pkill and pkill's survivors are printed (pkill -s cannot follow a process that
left the POSIX session, nor wait; one call is all it does).
"""

import os
import re
import select
import shlex
import subprocess
import threading
import time

import benchlib as B

RUNS, QUICK_RUNS = 5, 2
HOST = "bare1"
PROCS = 2000

# Run by the login: 2,000 sleeps, the forking loop, then its IDs; the shell then stays as the
# session's leader.
SESSION = (f"for i in $(seq {PROCS}); do sleep 3600 & done; "
           "python3 -c 'import os\nwhile 1:\n if os.fork() == 0: os.execv(\"/bin/sleep\", [\"sleep\", \"3600\"])' "
           "</dev/null >/dev/null 2>&1 & "
           "echo LABSESSION=$(cat /proc/self/sessionid) SID=$(cut -d' ' -f6 /proc/self/stat); "
           "exec sleep infinity")


def members(audit):
    """Shell: prints the number of live processes of audit session `audit` (a zombie has ended:
    it waits for its parent to read its status), sshd's aside (no fork per process: grep reads
    them all, `read` is built in)."""
    return (f"n=0; for f in $(grep -lx {audit} /proc/[0-9]*/sessionid 2>/dev/null); do "
            "read c < ${f%/sessionid}/comm 2>/dev/null || continue; "
            "read -r st < ${f%/sessionid}/stat 2>/dev/null || continue; st=${st##*) }; "
            "case $st in Z*|X*) continue;; esac; "
            "[ \"$c\" = sshd ] || n=$((n+1)); done; echo $n")


def kill_all(audit):
    """Shell: SIGKILL to every process of audit session `audit` until none is left."""
    return (f"while p=$(grep -lx {audit} /proc/[0-9]*/sessionid 2>/dev/null); [ -n \"$p\" ]; do "
            "for f in $p; do q=${f#/proc/}; kill -9 ${q%/sessionid} 2>/dev/null; done; done")


class Login:
    """An ssh login with a terminal that runs SESSION; its audit and POSIX session IDs."""

    def __init__(self, user):
        cmd = ["/usr/bin/ssh", "-F", str(B.LAB_DIR / "ssh_config"), "-tt", f"{user}@{HOST}", SESSION]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        got, deadline = b"", time.monotonic() + 60
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 4096)
                if not chunk:
                    break
                got += chunk
                m = re.search(rb"LABSESSION=(\d+) SID=(\d+)", got)
                if m:
                    self.audit, self.sid = m.group(1).decode(), m.group(2).decode()
                    # Keep reading: the client must never block on a full pipe.
                    threading.Thread(target=self.p.stdout.read, daemon=True).start()
                    return
        self.close()
        raise B.HarnessError(f"ssh login on {HOST} failed: {got.decode(errors='replace').strip() or 'no output'}")

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def count(audit):
    r = B.lab_exec(HOST, "sh", "-c", members(audit), timeout=60)
    try:
        return int(r.stdout.strip())
    except ValueError:
        raise B.HarnessError(f"cannot count the processes of session {audit}: {B.describe(r)}")


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    args = B.parse(p, RUNS, QUICK_RUNS)
    rep = B.Report("procs", args.summary_file)
    with B.testlock():
        B.progress("lab/lab up 1 --no-logind")
        B.lab("up", "1", "--no-logind", timeout=300)
        binp = B.lab("put", args.bin).stdout.strip()
        B.say(f"== procs: a session of {PROCS} processes + a forking loop on {HOST} "
              f"({args.runs} runs per tool, alternating, user {args.user}) ==")

        def timed_in_host(cmd, audit):
            """cmd inside the host, timed by its shell; (status, seconds, survivors)."""
            script = (f"a=$(date +%s%N); {cmd} >/dev/null 2>&1; rc=$?; b=$(date +%s%N); "
                      f"left=$({members(audit)}); echo RESULT $rc $((b - a)) $left")
            r = B.lab_exec(HOST, "sh", "-c", script, timeout=120)
            m = re.search(r"RESULT (\d+) (\d+) (\d+)", r.stdout)
            if not m:
                raise B.HarnessError(f"timing in {HOST} failed: {B.describe(r)}")
            return int(m.group(1)), int(m.group(2)) / 1e9, int(m.group(3))

        tools = [
            ("logoff ID", lambda s: f"{shlex.quote(binp)} {s.audit}", True),
            ("pkill -KILL -s SID", lambda s: f"pkill -KILL -s {s.sid}", False),
        ]
        times = {name: [] for name, _, _ in tools}
        left = {name: [] for name, _, _ in tools}
        sizes = []

        def one(name, mk, is_logoff, record):
            s = Login(args.user)
            try:
                deadline = time.monotonic() + 60
                while (n := count(s.audit)) < PROCS + 1:
                    if time.monotonic() > deadline:
                        raise B.HarnessError(f"the session made only {n} processes")
                    time.sleep(0.2)
                status, secs, survivors = timed_in_host(mk(s), s.audit)
                if is_logoff and (status != 0 or survivors):
                    rep.problem(f"logoff of session {s.audit}: exit {status}, {survivors} process(es) left")
                if record:
                    times[name].append(secs)
                    left[name].append(survivors)
                    sizes.append(n)
            finally:
                B.lab_exec(HOST, "sh", "-c", kill_all(s.audit), timeout=60)
                s.close()

        B.alternate(tools, 0, args.runs, one)

        B.say("")
        rows = []
        for name, _, _ in tools:
            t = times[name]
            rows.append([name, B.fmt_ms(B.median(t)) if t else "-", B.fmt_ms(max(t)) if t else "-",
                         " ".join(map(str, left[name])) or "-"])
        B.table(["tool", "median", "max", "survivors per run"], rows)
        if sizes:
            B.say(f"  processes in the session when the clock started: {min(sizes)}..{max(sizes)}")
        lo, pk = times["logoff ID"], times["pkill -KILL -s SID"]
        r = B.ratio(B.median(lo) if lo else None, B.median(pk) if pk else None)
        B.say(f"  ratio logoff/pkill (median): {'n/a' if r is None else f'{r:.2f}'}")
        worst = max(left["logoff ID"]) if left["logoff ID"] else None
        rep.target("logoff survivors (worst run)", "n/a" if worst is None else str(worst), "0",
                   B.verdict(worst, 0, "=="))
        med = B.median(lo) if lo else None
        rep.target("logoff time to zero survivors (median)", B.fmt_ms(med) if med else "n/a",
                   "< 1 s", B.verdict(med, 1.0, "<="))
        rep.target("ratio logoff/pkill -KILL -s (median)",
                   "n/a" if r is None else f"{r:.2f}", "information", "-" if r is not None else "n/a")
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
