#!/usr/bin/env python3
"""Slow link: a host with many sessions behind a link with 25 ms each way.

  logoff ID /server:H, qwinsta /server:H, ssh H true, loginctl -H H list-sessions
  ssh B true, logoff ID /server:B, qwinsta /server:B on a host without logind (agent mode)

H is server1 reached through an ssh ProxyCommand that holds every byte back (bench/delay-proxy.py;
no tc needed), with --sessions background sessions of carol on it (default 200). Every tool runs
through the same ssh, so each pays the same connection set-up; what differs is the round trips
each makes once connected. Then bare1 (no logind, no bus) behind the same link, where the host's
own logoff answers as the agent (installed there from the benchmarked build), with logins that
have a terminal (a login record). Targets: logoff and qwinsta each within 1.5x of `ssh H true`,
on both hosts.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import benchlib as B

RUNS, QUICK_RUNS = 10, 3
FILLER = "carol"


SLOW = {"slow": "127.0.0.11", "slowbare": "127.0.0.111"}  # server1, bare1


def slow_ssh(delay_ms):
    """A bin directory whose ssh reaches the hosts of SLOW through the delaying proxy; its env."""
    cfg = Path(B.ssh_config()).read_text()
    # The lab's catch-all entry (user, key, options) for its hosts: `slow` joins it.
    common = re.search(r"^Host server\* .*$", cfg, re.M)
    if not common:
        raise B.HarnessError("the lab's ssh_config changed: cannot derive the slow host's entry")
    d = Path(tempfile.mkdtemp(prefix="logoff-bench-slow-"))
    proxy = Path(__file__).resolve().parent / "delay-proxy.py"
    entries = "".join(f"Host {name}\n    HostName {addr}\n"
                      f"    ProxyCommand python3 {proxy} {addr} 22 {delay_ms}\n"
                      for name, addr in SLOW.items())
    (d / "ssh_config").write_text(
        entries + cfg.replace(common.group(0), f"Host {' '.join(SLOW)} " + common.group(0)[len("Host "):], 1))
    w = d / "ssh"
    w.write_text(f'#!/bin/sh\nexec /usr/bin/ssh -F {d / "ssh_config"} "$@"\n')
    w.chmod(0o755)
    env = dict(os.environ, PATH=f"{d}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               LOGOFF_SSH=str(w), SYSTEMD_SSH=str(w))
    return d, env


def fill(host, n):
    """n background sessions of FILLER on host (runuser through PAM, each in a transient unit)."""
    B.progress(f"opening {n} sessions of {FILLER} on {host}")
    script = (f'for i in $(seq 1 {n}); do systemd-run --quiet --collect --unit=bench-fill-$i '
              f'runuser -l {FILLER} -c "exec sleep infinity" || exit 1; done')
    r = B.lab_exec(host, "bash", "-c", script, timeout=600)
    if r.returncode != 0:
        raise B.HarnessError(f"could not open {n} sessions on {host}: {r.stderr.strip()}")


def unfill(host):
    B.lab_exec(host, "bash", "-c", f"systemctl stop 'bench-fill-*'; loginctl terminate-user {FILLER}",
               timeout=300)


def count_sessions(host):
    r = B.lab_exec(host, "loginctl", "list-sessions", "--no-legend", "--no-pager")
    return len([l for l in r.stdout.splitlines() if l.strip()])


def measure(rep, args, env, host, tty, tools):
    """Runs `tools` (name, argv for a session ID, ends a session) against `host` (reached
    through the slow link), alternating; their times."""
    times = {n: [] for n, _, _ in tools}
    failed = {n: 0 for n, _, _ in tools}

    def one(name, mk, is_logoff, record):
        sid = B.login(args.user, host, tty=tty) if is_logoff else None
        B.settle(host)
        t, _, pr = B.timed(mk(sid), env=env, timeout=120)
        ok = pr is not None and pr.returncode == 0
        if is_logoff:
            ok = ok and not B.session_exists(host, sid)
        elif name.startswith("qwinsta") and ok and host.startswith("server"):
            rows = len(pr.stdout.splitlines()) - 1
            if rows < args.sessions:
                rep.problem(f"qwinsta listed {rows} sessions, the host has {args.sessions}+")
        if not ok:
            failed[name] += 1
            rep.problem(f"{name}: {B.describe(pr)}")
            if is_logoff:
                B.cleanup_sessions(host, [sid])
        elif record:
            times[name].append(t)

    B.alternate(tools, 1, args.runs, one)
    B.say("")
    B.table(["tool", "runs", "failed", "median", "p90", "min", "max"],
            [[n, len(times[n]), failed[n], B.fmt_ms(B.median(times[n])), B.fmt_ms(B.p90(times[n])),
              B.fmt_ms(min(times[n]) if times[n] else None),
              B.fmt_ms(max(times[n]) if times[n] else None)] for n, _, _ in tools])
    B.say("")
    return times


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    p.add_argument("--sessions", type=int, default=200, help="sessions on the host (default 200)")
    p.add_argument("--delay-ms", type=float, default=25, help="delay each way (default 25 ms)")
    args = B.parse(p, RUNS, QUICK_RUNS)
    host, logoff = "server1", args.bin
    qwinsta = str(Path(logoff).with_name("qwinsta"))
    if not os.access(qwinsta, os.X_OK):
        raise B.HarnessError(f"no {qwinsta}: build it with cargo build --release")
    rep = B.Report("slowlink", args.summary_file)
    d, env = slow_ssh(args.delay_ms)
    tools = [
        ("ssh H true", lambda sid: ["ssh", "slow", "true"], False),
        ("logoff ID /server:H", lambda sid: [logoff, sid, "/server:slow"], True),
        ("qwinsta /server:H", lambda sid: [qwinsta, "/server:slow"], False),
        ("loginctl -H H list-sessions", lambda sid: ["loginctl", "-H", "slow", "list-sessions"], False),
    ]
    # Agent mode: bare1 has no logind (nor bus, nor bridge); its own logoff answers.
    bare = "bare1"
    agent_tools = [
        ("ssh B true", lambda sid: ["ssh", "slowbare", "true"], False),
        ("logoff ID /server:B (agent)", lambda sid: [logoff, sid, "/server:slowbare"], True),
        ("qwinsta /server:B (agent)", lambda sid: [qwinsta, "/server:slowbare"], False),
    ]
    try:
        with B.testlock():
            B.ensure_lab(1)
            fill(host, args.sessions)
            total = count_sessions(host)
            B.say(f"== slow link: {host} with {total} sessions, {args.delay_ms:g} ms each way "
                  f"({args.runs} runs per tool, alternating) ==")
            times = measure(rep, args, env, host, False, tools)
            B.progress(f"lab/lab up 1 --no-logind; logoff installed on {bare}")
            B.lab("up", "1", "--no-logind", timeout=300)
            B.lab("install-logoff", str(Path(logoff).resolve().parent))
            # One standing session for qwinsta to list (the connection's own is never shown).
            standing = B.login(FILLER, bare, tty=True)
            B.say(f"== slow link, agent mode: {bare} (no logind), {args.delay_ms:g} ms each way ==")
            try:
                agent_times = measure(rep, args, env, bare, True, agent_tools)
            finally:
                B.cleanup_sessions(bare, [standing])
    finally:
        unfill(host)
        shutil.rmtree(d, ignore_errors=True)

    base = B.median(times["ssh H true"])
    for name in ("logoff ID /server:H", "qwinsta /server:H"):
        r = B.ratio(B.median(times[name]), base)
        rep.target(f"{name.split()[0]} / ssh true (median)", f"{r:.2f}" if r is not None else "n/a",
                   "<= 1.50", B.verdict(r, 1.5, "<="))
    r = B.ratio(B.median(times["loginctl -H H list-sessions"]), base)
    B.say(f"  (loginctl -H list-sessions / ssh true: {r:.2f}, for information)" if r else "")
    base = B.median(agent_times["ssh B true"])
    for name in ("logoff ID /server:B (agent)", "qwinsta /server:B (agent)"):
        r = B.ratio(B.median(agent_times[name]), base)
        rep.target(f"{name.split()[0]} agent mode / ssh true (median)",
                   f"{r:.2f}" if r is not None else "n/a", "<= 1.50", B.verdict(r, 1.5, "<="))
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
