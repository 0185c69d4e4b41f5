"""Shared helpers for the logoff benchmarks (stdlib only).

The benchmarks drive the real lab (lab/lab): real systemd-logind session hosts with sshd. They
hold the lab's test lock for their whole run (tests take it too), create their own sessions and
end only those. Nothing here fails on slowness: a missed target prints MISS and the script still
exits 0. A harness failure (the lab is down, a login cannot be made) raises HarnessError, and the
scripts exit 2. What logoff itself gets wrong (a crash, a wrong exit code, a session not gone) is
recorded as a PROBLEM, printed precisely, and summarised at the end.
"""

import argparse
import contextlib
import fcntl
import math
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAB = REPO / "lab" / "lab"
LAB_DIR = Path(os.environ.get("LOGOFF_LAB_DIR", "/run/logoff-lab"))
CG_ROOT = Path(os.environ.get("LOGOFF_LAB_CGROUP", "/sys/fs/cgroup/unified/logoff-lab"))
TESTLOCK = Path(str(LAB_DIR) + ".testlock")
DEFAULT_BIN = REPO / "target" / "release" / "logoff"


class HarnessError(Exception):
    """The benchmark itself cannot go on (not a finding about logoff)."""


# --- output -------------------------------------------------------------------------------------

def say(*a):
    print(*a, flush=True)


def progress(msg):
    """Progress on stderr, so stdout stays the report."""
    print(f"  .. {msg}", file=sys.stderr, flush=True)


def fmt_ms(sec):
    if sec is None:
        return "-"
    ms = sec * 1000.0
    if ms >= 10000:
        return f"{sec:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def table(headers, rows, indent="  "):
    """Aligned plain-text table; numbers-like columns right-aligned."""
    cols = len(headers)
    rows = [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(str(headers[i])), *(len(r[i]) for r in rows)) if rows else len(headers[i])
              for i in range(cols)]

    def numeric(i):
        return i > 0 and all(re.match(r"^[-+~0-9.]", r[i] or "0") for r in rows)

    right = [numeric(i) for i in range(cols)]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.rjust(widths[i]) if right[i] else c.ljust(widths[i]))
        return indent + "  ".join(out).rstrip()

    say(line([str(h) for h in headers]))
    say(indent + "  ".join("-" * w for w in widths))
    for r in rows:
        say(line(r))


# --- statistics ---------------------------------------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else None


def p90(xs):
    """Nearest-rank 90th percentile."""
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(value, target, op):
    """op '<=' or '>=' or '=='; None value -> n/a."""
    if value is None:
        return "n/a"
    ok = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
    return "PASS" if ok else "MISS"


class Report:
    """Targets and problems of one benchmark; optionally appended to a shared summary file."""

    def __init__(self, bench, summary_file=None):
        self.bench = bench
        self.summary_file = summary_file
        self.targets = []   # (metric, value_text, target_text, verdict)
        self.problems = []  # text

    def target(self, metric, value_text, target_text, v):
        self.targets.append((metric, value_text, target_text, v))
        say(f"  {metric}: {value_text}   target {target_text}   {v}")

    def problem(self, text):
        check_lab()  # a host rebooted under us is the harness's trouble, not logoff's
        self.problems.append(text)
        say(f"  PROBLEM: {text}")

    def finish(self):
        say("")
        if self.problems:
            say(f"{self.bench}: {len(self.problems)} PROBLEM(S) with logoff or the comparison:")
            for p in self.problems:
                say(f"  - {p}")
        else:
            say(f"{self.bench}: no problem seen (every logoff exited 0 and its session was gone)")
        if self.summary_file:
            with open(self.summary_file, "a") as f:
                for m, v, t, res in self.targets:
                    f.write("\t".join([self.bench, m, v, t, res]) + "\n")
                for p in self.problems:
                    f.write("\t".join([self.bench, "PROBLEM", p.replace("\t", " ").replace("\n", " | "), "", "PROBLEM"]) + "\n")


def common_args(description, runs, quick_runs):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--runs", type=int, default=None,
                   help=f"timed runs per tool (default {runs}; --quick: {quick_runs})")
    p.add_argument("--quick", action="store_true", help="few runs: a smoke run of the harness")
    p.add_argument("--bin", default=str(DEFAULT_BIN), help="logoff binary (default target/release/logoff)")
    p.add_argument("--user", default="alice", help="lab user whose sessions are created and ended")
    p.add_argument("--summary-file", help="append target rows (TSV) to this file (used by bench/run)")
    return p


def parse(p, runs, quick_runs):
    args, unknown = p.parse_known_args()
    if unknown:
        # bench/run passes the same arguments to every benchmark: ignore the others' options.
        print(f"({Path(sys.argv[0]).name}: ignoring {' '.join(unknown)})", file=sys.stderr)
    if args.runs is None:
        args.runs = quick_runs if args.quick else runs
    if args.runs < 1:
        p.error("--runs must be >= 1")
    args.bin = str(Path(args.bin).resolve())
    if not os.access(args.bin, os.X_OK):
        raise HarnessError(f"{args.bin} is not an executable: build it with cargo build --release")
    return args


# --- the lab ------------------------------------------------------------------------------------

def run(cmd, timeout=60, env=None, check=False, input=None):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"timed out after {timeout} s: {' '.join(map(str, cmd))}") from e
    if check and r.returncode != 0:
        raise HarnessError(f"{' '.join(map(str, cmd))} exited {r.returncode}: "
                           f"{(r.stderr or r.stdout).strip()}")
    return r


def lab(*args, timeout=120, check=True):
    env = dict(os.environ, LAB_QUIET="1")
    return run([str(LAB), *args], timeout=timeout, env=env, check=check)


def lab_exec(host, *cmd, timeout=60, check=False):
    return lab("exec", host, *cmd, timeout=timeout, check=check)


@contextlib.contextmanager
def testlock():
    """The lab's test lock (flock, as `flock /run/logoff-lab.testlock` takes it)."""
    TESTLOCK.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(TESTLOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for {TESTLOCK} (tests are running on the lab)...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


_boot = {}  # host -> PID of its systemd when ensure_lab last saw it


def host_pids():
    out = {}
    for d in LAB_DIR.glob("server*"):
        try:
            out[d.name] = (d / "pid").read_text().strip()
        except OSError:
            pass
    return out


def ensure_lab(n):
    """lab/lab up N (idempotent): called with the test lock held."""
    progress(f"lab/lab up {n}")
    lab("up", str(n), timeout=300)
    _boot.clear()
    _boot.update(host_pids())


def check_lab():
    """Raise if a host was stopped or rebooted since ensure_lab: `lab/lab down`, `up` and `stop`
    do not take the test lock, so another user of the lab can do that under a benchmark."""
    now = host_pids()
    changed = sorted(h for h, pid in _boot.items()
                     if now.get(h) != pid or not Path(f"/proc/{pid}").exists())
    if changed:
        raise HarnessError(f"lab host(s) {', '.join(changed)} were stopped or rebooted during the benchmark "
                           f"by something else (lab/lab down/up/stop do not take {TESTLOCK})")


def host_name(k):
    return f"server{k}"


_clients = []  # (host, session id, Popen of the ssh client that holds the session open)
_clients_lock = threading.Lock()


def login(user, host, timeout=30.0, tty=False):
    """A new ssh login of user on host that stays open; returns its logind session ID (on a host
    without logind, its audit session ID; with `tty`, it has a terminal, and so a login record).

    It does what `lab/lab login USER HOST` does (ssh -T with the lab's ssh_config, the remote
    command prints $XDG_SESSION_ID then sleeps), but from here: `lab/lab login` can exit 2 without
    a word while its ssh goes on and opens the session anyway (it reads the ssh output file before
    the backgrounded ssh has created it, under set -e and pipefail), which leaves a session behind
    that nobody knows the ID of; this happens to a few percent of logins made in parallel."""
    cmd = ["/usr/bin/ssh", "-F", str(LAB_DIR / "ssh_config"), "-tt" if tty else "-T", f"{user}@{host}",
           "echo LABSESSION=${XDG_SESSION_ID:-$(cat /proc/self/sessionid)}; exec sleep infinity"]
    reap()
    # With a terminal, stdin stays open: its end would reach the session as end of input.
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if tty else subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    got = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            got += chunk
            m = re.search(rb"LABSESSION=([A-Za-z0-9]+)\s", got)
            if m:
                sid = m.group(1).decode()
                with _clients_lock:
                    _clients.append((host, sid, p))
                return sid
    p.kill()
    p.wait()
    if not Path(f"/proc/{_boot.get(host, 'none')}").exists():
        check_lab()
    raise HarnessError(f"ssh login of {user} on {host} failed: {got.decode(errors='replace').strip() or 'no output'}")


def reap():
    """Wait for the ssh clients whose sessions have ended (they exit with their session).
    Called outside the timed parts only, so their CPU never lands in a timing's getrusage."""
    with _clients_lock:
        for c in list(_clients):
            if c[2].poll() is not None:
                c[2].stdout.close()
                _clients.remove(c)


def end_leftovers():
    """At exit: end every session this benchmark opened that is still there (after a harness
    error or ^C), and its ssh client."""
    with _clients_lock:
        left = [c for c in _clients if c[2].poll() is None]
    for host, sid, p in left:
        try:
            lab_exec(host, "loginctl", "terminate-session", sid, timeout=15)
        except HarnessError:
            pass
    for host, sid, p in left:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    reap()


def logins(user, hosts, workers=4):
    """One fresh session of user on each host (in parallel); returns {host: id}."""
    with ThreadPoolExecutor(max_workers=min(workers, len(hosts))) as ex:
        ids = list(ex.map(lambda h: login(user, h), hosts))
    return dict(zip(hosts, ids))


def session_exists(host, sid):
    """Whether session sid is on host (logind's, or on a host without it, its processes)."""
    if host.startswith("server"):
        return lab_exec(host, "loginctl", "show-session", sid, "-p", "Id").returncode == 0
    return lab("has-session", host, sid, check=False).returncode == 0


def user_sessions(host, user):
    """IDs of user's sessions on host (from the host's own loginctl)."""
    r = lab_exec(host, "loginctl", "list-sessions", "--no-legend", "--no-pager", check=False)
    if r.returncode != 0:
        raise HarnessError(f"loginctl list-sessions on {host} failed: {r.stderr.strip()}")
    out = []
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[2] == user:
            out.append(f[0])
    return out


def user_state(host, user):
    """logind's state of the user on host ('active', 'closing', ...) or None when it has none."""
    r = lab_exec(host, "loginctl", "show-user", user, "-p", "State", "--value")
    return r.stdout.strip() if r.returncode == 0 else None


def settle(host, timeout=15.0):
    """Wait until the host's systemd has no queued job (a login's user@ start, a logout's stop)."""
    deadline = time.monotonic() + timeout
    while True:
        r = lab_exec(host, "systemctl", "list-jobs", "--no-legend", "--no-pager")
        if r.returncode == 0 and not r.stdout.strip():
            return
        if time.monotonic() > deadline:
            progress(f"{host} still has systemd jobs after {timeout} s; going on")
            return
        time.sleep(0.02)


def settle_all(hosts):
    with ThreadPoolExecutor(max_workers=min(4, len(hosts))) as ex:
        list(ex.map(settle, hosts))


def cleanup_sessions(host, ids):
    """End sessions this benchmark created that are still there (after a logoff failure)."""
    if not host.startswith("server"):
        lab("end", host, *ids, check=False, timeout=60)
        return
    for sid in ids:
        if session_exists(host, sid):
            lab_exec(host, "loginctl", "terminate-session", sid)
    deadline = time.monotonic() + 15
    for sid in ids:
        while session_exists(host, sid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if session_exists(host, sid):
            lab_exec(host, "loginctl", "kill-session", sid, "--signal=SIGKILL")


def ssh_config():
    return lab("ssh-config").stdout.strip()


@contextlib.contextmanager
def _ssh_wrapper(prefix, logname, run_ssh):
    """A temporary bin directory whose `ssh` is a sh script ending in `run_ssh` (given the log
    path and the lab's ssh_config). Yields (env, log): `lab/lab env` with this directory first
    in PATH and LOGOFF_SSH/SYSTEMD_SSH pointing at the script. (systemd 252's loginctl ignores
    SYSTEMD_SSH and runs `ssh` from PATH: the PATH entry is what catches it.)"""
    cfg = ssh_config()
    d = Path(tempfile.mkdtemp(prefix=prefix))
    log = d / logname
    log.touch()
    w = d / "ssh"
    w.write_text("#!/bin/sh\n" + run_ssh(log, cfg) + "\n")
    w.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{d}:{LAB_DIR / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    env["LOGOFF_SSH"] = str(w)
    env["SYSTEMD_SSH"] = str(w)
    try:
        yield env, log
    finally:
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def counting_ssh():
    """An ssh wrapper that logs each invocation, then does exactly what the lab's
    /run/logoff-lab/bin/ssh does (exec /usr/bin/ssh -F <lab ssh_config>): one sh exec either way,
    so counting costs nothing measurable. Yields (env, count())."""
    run_ssh = lambda log, cfg: f'echo "$*" >>{log}\nexec /usr/bin/ssh -F {cfg} "$@"'
    with _ssh_wrapper("logoff-bench-", "ssh.log", run_ssh) as (env, log):

        def count():
            with open(log) as f:
                return sum(1 for _ in f)

        yield env, count


@contextlib.contextmanager
def split_ssh():
    """Like counting_ssh, but the wrapper runs ssh under GNU time instead of exec'ing it, so the
    ssh client's CPU is written to a log (one "user sys" line per connection, 10 ms steps) and
    stays out of the caller's getrusage: logoff kills its ssh child (this sh) when done, and the
    orphaned time+ssh finish by themselves. That getrusage is then logoff's own CPU (plus one sh
    per connection). Only for that split: the extra processes cost wall time. Yields (env, log)."""
    run_ssh = lambda log, cfg: f'/usr/bin/time -a -o {log} -f "%U %S" /usr/bin/ssh -F {cfg} "$@"'
    with _ssh_wrapper("logoff-bench-split-", "ssh.cpu", run_ssh) as pair:
        yield pair


def alternate(tools, warmup, runs, one):
    """Untimed warm-up rounds, then `runs` timed rounds of every tool, the order reversed every
    other round so neither tool always runs right after the other. `one(name, make, is_logoff,
    record=...)` does a single run; `tools` holds (name, make, is_logoff)."""
    for _ in range(warmup):
        progress("warm-up")
        for name, mk, il in tools:
            one(name, mk, il, record=False)
    for i in range(runs):
        progress(f"run {i + 1}/{runs}")
        for name, mk, il in (tools if i % 2 == 0 else tools[::-1]):
            one(name, mk, il, record=True)


def root_logins_accepted(host):
    """Number of root logins host's sshd has accepted (journal): a cross-check of ssh counts."""
    r = lab_exec(host, "sh", "-c",
                 "journalctl -q -u sshd.service -o cat --no-pager | grep -c 'Accepted publickey for root'")
    try:
        return int(r.stdout.strip())
    except ValueError:
        return None


def cgroup_usage_usec(host):
    try:
        for line in (CG_ROOT / host / "cpu.stat").read_text().splitlines():
            k, v = line.split()
            if k == "usage_usec":
                return int(v)
    except OSError:
        return None
    return None


def timed(cmd, env=None, timeout=120):
    """Wall time of one command (perf_counter around fork..wait) and the CPU its process tree
    used (RUSAGE_CHILDREN delta: the process and every descendant it waited for)."""
    import resource
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, None, None
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return t1 - t0, cpu, p


def describe(p):
    """Exit code and output of a finished process, for a PROBLEM line."""
    if p is None:
        return "timed out"
    out = (p.stdout.strip() + " " + p.stderr.strip()).strip().replace("\n", " | ")
    return f"exit {p.returncode}" + (f", said: {out[:400]}" if out else ", printed nothing")


def main_wrapper(fn):
    import atexit
    atexit.register(end_leftovers)
    try:
        fn()
    except HarnessError as e:
        print(f"HARNESS ERROR: {e}", flush=True)
        if not sys.stdout.isatty():
            print(f"\nHARNESS ERROR: {e}", file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
