#!/usr/bin/env python3
"""Fleet benchmark: log one user off N hosts.

  logoff /user:USER /server:server1,...,serverN              (hosts in parallel, one ssh each)
  vs the loop "until the user is gone" (the target's comparison):
     for h in ...; do loginctl -H $h terminate-user USER;
                      until ! loginctl -H $h show-user USER >/dev/null 2>&1; do :; done; done
  and the loop "until no session" (for information: the same end point as logoff's):
     for h in ...; do loginctl -H $h terminate-user USER;
                      while loginctl -H $h show-user USER -p Sessions --value | grep -q .; do :; done; done
  and parallel-ssh (Debian's pssh) with the same parallelism as logoff (16 connections at once):
     parallel-ssh -p 16 -H "server1 ... serverN" -- loginctl terminate-user USER
  which only asks: it returns when logind has been asked, not when the sessions are gone (target:
  logoff, which waits, at most 1.0x its time at 8 and 24 hosts).

for N = 1, 2, 4, 8, 24. Before every run USER gets one fresh session on each of the N hosts (outside
the timing); the benchmark refuses to run if USER has any session it did not create, since every
command here ends every session of USER. Prints the medians, the speed-ups, how each grows from 1
to N hosts, ssh connections per run, and the client-side CPU per host (user+sys of the command's
process tree: logoff plus the ssh clients it ran and waited for). Also measures what one ssh
login costs: client-side, and server-side from the host's cgroup (sshd, PAM, logind, systemd).

The first loop waits for logind's user object, which outlives the user's last session by
logind's UserStopDelaySec (10 s by default), so it costs about 10 s per host whatever the tool:
it runs fewer times (--user-loop-runs, default 1; its time is set by that timer, not by noise).
"""

import os
import statistics
import time

import benchlib as B

RUNS, QUICK_RUNS = 5, 2
LOGOFF, LOOP_USER, LOOP_SESS, PSSH = "logoff", "loop: until user gone", "loop: until no session", "parallel-ssh"
PARALLEL = 16  # logoff's default /parallel, given to both logoff and parallel-ssh


def ssh_login_cost(env, host, samples):
    """CPU of one ssh login as logoff makes it (`ssh -xT HOST systemd-stdio-bridge`, stdin at
    end-of-file: the same key exchange, authentication, session and bridge start, no D-Bus
    traffic): client side (getrusage) and server side (the host cgroup's usage_usec delta until
    the host has no queued job, minus the host's idle rate)."""
    u0, t0 = B.cgroup_usage_usec(host), time.monotonic()
    time.sleep(1.0)
    u1, t1 = B.cgroup_usage_usec(host), time.monotonic()
    if u0 is None or u1 is None:
        return None
    idle_rate = (u1 - u0) / (t1 - t0)  # usec per second
    out = []
    for _ in range(samples):
        root_before = B.lab_exec(host, "systemctl", "is-active", "--quiet", "user@0.service").returncode == 0
        a, ta = B.cgroup_usage_usec(host), time.monotonic()
        t, cpu, pr = B.timed(["ssh", "-xT", host, "systemd-stdio-bridge"], env=env, timeout=30)
        if pr is None or pr.returncode not in (0, 1):  # the bridge exits 1 at end-of-file
            raise B.HarnessError(f"ssh -xT {host} systemd-stdio-bridge: {B.describe(pr)}")
        B.settle(host)
        time.sleep(0.2)  # let the session's scope and logind's bookkeeping finish
        b, tb = B.cgroup_usage_usec(host), time.monotonic()
        out.append({"wall": t, "client": cpu, "server": ((b - a) - idle_rate * (tb - ta)) / 1e6,
                    "root_manager": "already running" if root_before else "started by it"})
    return out


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    p.add_argument("--sizes", default="1,2,4,8,24", help="host counts (default 1,2,4,8,24)")
    p.add_argument("--user-loop-runs", type=int, default=1,
                   help="runs per N of the loop until the user is gone (default 1: ~10 s per host)")
    p.add_argument("--user-loop-sizes", default=None,
                   help="host counts for that loop (default: those of --sizes up to 8; --quick: the smallest "
                        "and the largest up to 8)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs of logoff and the session loop on 1 host first")
    p.add_argument("--cost-samples", type=int, default=5, help="ssh logins measured for their CPU (default 5)")
    p.add_argument("--split-runs", type=int, default=2,
                   help="runs of logoff at the smallest and largest N with its ssh clients' CPU counted apart (default 2)")
    args = B.parse(p, RUNS, QUICK_RUNS)
    try:
        sizes = sorted({int(x) for x in args.sizes.split(",")})
        if args.user_loop_sizes is None:
            small = [n for n in sizes if n <= 8] or sizes[:1]  # ~10 s per host: 24 hosts would cost 4 minutes a run
            usizes = sorted({small[0], small[-1]}) if args.quick else small
        else:
            usizes = sorted({int(x) for x in args.user_loop_sizes.split(",") if x})
    except ValueError:
        raise B.HarnessError("--sizes/--user-loop-sizes: comma-separated host counts, e.g. 1,2,4,8")
    if not sizes or sizes[0] < 1 or not set(usizes) <= set(sizes):
        raise B.HarnessError("--sizes: host counts >= 1; --user-loop-sizes must be among --sizes")
    user, binp, nmax = args.user, args.bin, sizes[-1]
    rep = B.Report("fleet", args.summary_file)
    all_hosts = [B.host_name(k) for k in range(1, nmax + 1)]
    created = {h: set() for h in all_hosts}  # every session this benchmark made, per host

    def with_lab_users(cmd):
        """The loops run in a private mount namespace where /etc/passwd and /etc/group are the
        lab's (the machine's own plus alice, bob, carol), as an admin machine of a real fleet
        knows its users (LDAP, a shared passwd): loginctl looks a user name (even a numeric UID)
        up on the client and refuses what it cannot resolve, and the lab's users exist only
        inside the hosts. The machine's /etc is not touched. logoff and parallel-ssh need no
        such thing (the host matches the name), so they run without it (it costs about 5 ms)."""
        etc = B.LAB_DIR / "etc"
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                f"mount --bind {etc}/passwd /etc/passwd && mount --bind {etc}/group /etc/group "
                '&& exec "$@"', "sh", *cmd]

    def command(tool, hosts):
        hs = " ".join(hosts)
        if tool == LOGOFF:
            return [binp, f"/user:{user}", f"/parallel:{PARALLEL}", "/server:" + ",".join(hosts)]
        if tool == PSSH:  # the user name is resolved on each host: no namespace needed, none given
            return ["parallel-ssh", "-p", str(PARALLEL), "-t", "60", "-H", hs, "--", "loginctl", "terminate-user", user]
        if tool == LOOP_USER:
            return with_lab_users(["sh", "-c", f"for h in {hs}; do loginctl -H $h terminate-user {user}; "
                                   f"until ! loginctl -H $h show-user {user} >/dev/null 2>&1; do :; done; done"])
        return with_lab_users(["sh", "-c", f"for h in {hs}; do loginctl -H $h terminate-user {user}; "
                               f"while loginctl -H $h show-user {user} -p Sessions --value | grep -q .; "
                               f"do :; done; done"])

    tools = (LOGOFF, LOOP_USER, LOOP_SESS, PSSH)
    res = {(n, t): {"time": [], "cpu": [], "ssh": [], "failed": 0, "left": 0} for n in sizes for t in tools}
    after_states = []  # USER's logind state on each host right after logoff returned

    def prepare(hosts):
        for h in hosts:
            have = set(B.user_sessions(h, user))
            foreign = have - created[h]
            deadline = time.monotonic() + 30
            while foreign and time.monotonic() < deadline:
                # Perhaps someone else's, on its way out: give it a moment before refusing.
                time.sleep(0.5)
                have = set(B.user_sessions(h, user))
                foreign = have - created[h]
            if foreign:
                info = "; ".join(
                    f"{sid}: " + " ".join(B.lab_exec(h, "loginctl", "show-session", sid, "-p", "Service", "-p",
                                                     "Type", "-p", "Class", "-p", "State", "-p", "Timestamp"
                                                     ).stdout.split("\n")).strip()
                    for sid in sorted(foreign))
                raise B.HarnessError(
                    f"{user} has session(s) on {h} that this benchmark did not create ({info}); the commands "
                    f"here would end them. End them, or use --user bob/carol.")
            if have:  # ours, left by a failed run
                B.cleanup_sessions(h, sorted(have))
        ids = B.logins(user, hosts)
        for h, sid in ids.items():
            created[h].add(sid)
        B.settle_all(hosts)
        for h in hosts:
            have = set(B.user_sessions(h, user))
            if have != {ids[h]}:
                raise B.HarnessError(f"{user}'s sessions on {h} are {sorted(have)}, expected only {ids[h]}")
        return ids

    def one(n, tool, env, ssh_count, record):
        hosts = all_hosts[:n]
        ids = prepare(hosts)
        c0 = ssh_count()
        t, cpu, pr = B.timed(command(tool, hosts), env=env, timeout=60 + 30 * n)
        n_ssh = ssh_count() - c0
        left = [h for h in hosts if B.session_exists(h, ids[h])]
        if tool == LOGOFF:
            after_states.extend(B.user_state(h, user) for h in hosts)
            if n_ssh != n:
                rep.problem(f"logoff /user:{user} on {n} host(s) started {n_ssh} ssh connections (expected {n})")
        if tool == PSSH and pr is not None and pr.returncode == 0:
            # It does not wait: what is left now is still ending (counted, then waited for by the next
            # prepare()); only a session that never ends is a problem.
            res[(n, tool)]["left"] += len(left)
            if record:
                r = res[(n, tool)]
                r["time"].append(t)
                r["cpu"].append(cpu)
                r["ssh"].append(n_ssh)
            return
        ok = pr is not None and pr.returncode == 0 and not left
        if ok and tool == LOOP_USER:
            still = [h for h in hosts if B.user_state(h, user) is not None]
            if still:
                ok = False
                left = [f"{h} (user {user} still there)" for h in still]
        if not ok:
            res[(n, tool)]["failed"] += 1
            rep.problem(f"{tool} on {n} host(s) ({', '.join(f'{h}:{ids[h]}' for h in hosts)}): "
                        f"{B.describe(pr)}; STILL THERE: {', '.join(left) or 'nothing'}")
            for h in hosts:
                if B.session_exists(h, ids[h]):
                    B.cleanup_sessions(h, [ids[h]])
        elif record:
            r = res[(n, tool)]
            r["time"].append(t)
            r["cpu"].append(cpu)
            r["ssh"].append(n_ssh)

    with B.testlock(), B.counting_ssh() as (env, ssh_count):
        B.ensure_lab(nmax)
        B.say(f"== fleet: log {user} off N hosts (N = {', '.join(map(str, sizes))}; {args.runs} runs of logoff "
              f"and of the session loop per N, {args.user_loop_runs} of the user loop per N in "
              f"{', '.join(map(str, usizes))}; alternating) ==")
        B.say("  (the loops run in a private mount namespace with the lab's /etc/passwd and /etc/group, as\n"
              "   loginctl resolves the user name on this machine, where the lab's users do not exist)")

        cost = None
        if args.cost_samples > 0:
            B.progress(f"CPU of one ssh login to server1 ({args.cost_samples} samples)")
            cost = ssh_login_cost(env, "server1", args.cost_samples)

        for _ in range(args.warmup):
            B.progress("warm-up on 1 host")
            for tool in (LOGOFF, LOOP_SESS):
                one(1, tool, env, ssh_count, record=False)
        k = 0
        for i in range(max(args.runs, args.user_loop_runs)):
            for n in sizes:
                todo = []
                if i < args.runs:
                    todo += [LOGOFF, LOOP_SESS, PSSH]
                if i < args.user_loop_runs and n in usizes:
                    todo.append(LOOP_USER)
                if not todo:
                    continue
                B.progress(f"run {i + 1}, {n} host(s): {', '.join(todo)}")
                k += 1
                rot = k % len(todo)
                for tool in todo[rot:] + todo[:rot]:
                    one(n, tool, env, ssh_count, record=True)

        # --- logoff's own CPU, apart from its ssh clients' ------------------------------------
        split = {}  # n -> list of (own CPU per host, ssh CPU per host)
        if args.split_runs > 0 and os.access("/usr/bin/time", os.X_OK):
            with B.split_ssh() as (senv, slog):
                for n in sorted({sizes[0], nmax}):
                    for i in range(args.split_runs):
                        B.progress(f"logoff's own CPU, {n} host(s), run {i + 1}/{args.split_runs}")
                        hosts = all_hosts[:n]
                        ids = prepare(hosts)
                        slog.write_text("")
                        t, cpu, pr = B.timed(command(LOGOFF, hosts), env=senv, timeout=60 + 30 * n)
                        deadline = time.monotonic() + 10
                        while len(slog.read_text().splitlines()) < n and time.monotonic() < deadline:
                            time.sleep(0.02)
                        lines = slog.read_text().split("\n")
                        ssh_cpu = sum(float(x) for ln in lines for x in ln.split()[:2])
                        left = [h for h in hosts if B.session_exists(h, ids[h])]
                        if pr is None or pr.returncode != 0 or left:
                            rep.problem(f"logoff /user:{user} on {n} host(s), ssh under GNU time: {B.describe(pr)}; "
                                        f"sessions STILL THERE: {', '.join(left) or 'none'}")
                            for h in left:
                                B.cleanup_sessions(h, [ids[h]])
                        elif len([ln for ln in lines if ln.strip()]) == n:
                            split.setdefault(n, []).append((cpu / n, ssh_cpu / n))

    # --- report ---------------------------------------------------------------------------------
    def med(n, t):
        return B.median(res[(n, t)]["time"])

    B.say("")
    rows = []
    for n in sizes:
        lo, lu, ls = med(n, LOGOFF), med(n, LOOP_USER), med(n, LOOP_SESS)
        su, ss = B.ratio(lu, lo), B.ratio(ls, lo)
        rows.append([n, B.fmt_ms(lo), B.fmt_ms(B.p90(res[(n, LOGOFF)]["time"])),
                     B.fmt_ms(lu), f"{su:.1f}x" if su else "-",
                     B.fmt_ms(ls), B.fmt_ms(B.p90(res[(n, LOOP_SESS)]["time"])), f"{ss:.1f}x" if ss else "-",
                     "/".join(str(len(res[(n, t)]["time"])) for t in tools)])
    B.table(["hosts", "logoff med", "p90", "loop->user gone", "speed-up", "loop->no session", "p90",
             "speed-up", "runs"], rows)
    B.say("  (speed-up: the loop's median / logoff's median; runs: successful runs of logoff/user loop/session loop/"
          "parallel-ssh)")
    B.say("")
    prow = []
    for n in sizes:
        lo, ps = med(n, LOGOFF), med(n, PSSH)
        rt = B.ratio(lo, ps)
        prow.append([n, B.fmt_ms(lo), B.fmt_ms(ps), B.fmt_ms(B.p90(res[(n, PSSH)]["time"])),
                     f"{rt:.2f}x" if rt else "-", f"{res[(n, PSSH)]['left']}/{n * len(res[(n, PSSH)]['time'])}"])
    B.table(["hosts", "logoff med", "parallel-ssh med", "p90", "logoff/parallel-ssh", "sessions left at its exit"],
            prow)
    B.say(f"  (both {PARALLEL} connections at once; parallel-ssh returns once logind was asked, logoff once the\n"
          "   sessions are gone: 'left at its exit' counts the sessions still there when parallel-ssh returned)")
    for n in (8, 24):
        if n in sizes:
            rt = B.ratio(med(n, LOGOFF), med(n, PSSH))
            rep.target(f"logoff / parallel-ssh terminate-user at {n} hosts", f"{rt:.2f}x" if rt else "n/a",
                       "<= 1.0x", B.verdict(rt, 1.0, "<="))
    B.say("")

    def sshs(r):
        return "-" if not r["ssh"] else (str(r["ssh"][0]) if min(r["ssh"]) == max(r["ssh"])
                                         else f"{min(r['ssh'])}..{max(r['ssh'])}")

    def cpuh(n, t):
        c = B.median(res[(n, t)]["cpu"])
        return B.fmt_ms(c / n if c is not None else None)

    B.table(["hosts", "ssh logoff", "ssh user loop", "ssh session loop", "ssh pssh",
             "CPU/host logoff", "CPU/host user loop", "CPU/host session loop", "CPU/host pssh"],
            [[n, sshs(res[(n, LOGOFF)]), sshs(res[(n, LOOP_USER)]), sshs(res[(n, LOOP_SESS)]), sshs(res[(n, PSSH)]),
              cpuh(n, LOGOFF), cpuh(n, LOOP_USER), cpuh(n, LOOP_SESS), cpuh(n, PSSH)] for n in sizes])
    B.say("  (ssh: connections per run; CPU/host: client-side user+sys of the whole command, ssh clients\n"
          "   included, median over runs divided by the hosts)")
    B.say("")

    for tool in tools:
        ns = [n for n in sizes if res[(n, tool)]["time"]]
        if len(ns) >= 2:
            a, b = med(ns[0], tool), med(ns[-1], tool)
            B.say(f"  growth {ns[0]} -> {ns[-1]} hosts, {tool}: x{b / a:.2f} "
                  f"({B.fmt_ms((b - a) / (ns[-1] - ns[0]))} per added host)")
    if 8 in sizes:
        sp8 = B.ratio(med(8, LOOP_USER), med(8, LOGOFF))
        rep.target("speed-up at 8 hosts over the loop until the user is gone", f"{sp8:.2f}x" if sp8 else "n/a",
                   ">= 4x", B.verdict(sp8, 4.0, ">="))
        sps = B.ratio(med(8, LOOP_SESS), med(8, LOGOFF))
        B.say(f"  (for information, at 8 hosts over the loop until no session, the same end point as logoff's: "
              f"{f'{sps:.2f}x' if sps else 'n/a'}, {B.verdict(sps, 4.0, '>=')} against the same 4x)")
    else:
        B.say("  (the speed-up target is for 8 hosts: not in --sizes)")
    cpu_all = [c / n for n in sizes for c in res[(n, LOGOFF)]["cpu"]]
    if cpu_all:
        B.say(f"  client-side CPU per host, logoff (all N): median {B.fmt_ms(B.median(cpu_all))}")
    states = [s or "gone" for s in after_states]
    if states:
        counts = {s: states.count(s) for s in sorted(set(states))}
        B.say(f"  {user}'s logind user right after logoff returned (all runs, per host): "
              + ", ".join(f"{k} {v}" for k, v in counts.items())
              + "\n  (logoff waits for the sessions; the user object then stays, closing, for logind's\n"
                "   UserStopDelaySec, 10 s by default, and the first loop waits for that too)")

    if split:
        B.say("")
        B.say("  logoff's own client-side CPU, apart from its ssh clients' (ssh run under GNU time, out of logoff's\n"
              "  getrusage; less the namespace wrapper's CPU; one sh per connection stays in):")
        B.table(["hosts", "runs", "logoff itself per host", "its ssh client per host"],
                [[n, len(v), B.fmt_ms(statistics.median(x[0] for x in v)),
                  B.fmt_ms(statistics.median(x[1] for x in v))] for n, v in sorted(split.items())], indent="    ")
    srv = srv_cold = None
    if cost:
        B.say("")
        B.say("  one ssh login as logoff makes it (`ssh -xT server1 systemd-stdio-bridge`, no traffic), CPU:")
        B.table(["sample", "wall", "client CPU", "server CPU (host cgroup)", "root's user manager"],
                [[i + 1, B.fmt_ms(c["wall"]), B.fmt_ms(c["client"]), B.fmt_ms(c["server"]), c["root_manager"]]
                 for i, c in enumerate(cost)], indent="    ")
        warm = [c["server"] for c in cost if c["root_manager"] == "already running"]
        cold = [c["server"] for c in cost if c["root_manager"] != "already running"]
        srv = statistics.median(warm or cold)
        srv_cold = statistics.median(cold) if cold else None
        cli = statistics.median(c["client"] for c in cost)
        B.say(f"    median: client {B.fmt_ms(cli)}; server {B.fmt_ms(srv)}"
              + (" with root's user manager already running" if warm else "")
              + (f", {B.fmt_ms(srv_cold)} when the login starts it" if cold and warm else ""))
    B.say(f"""
  NOTE: the lab's hosts all share this machine's {os.cpu_count()} cores. Every ssh login costs the host
  CPU (sshd key exchange and auth, PAM, logind creating the session, systemd starting root's
  user manager when it is not running{f': here {B.fmt_ms(srv)} per login' if srv else ''}{f', {B.fmt_ms(srv_cold)} when it starts the manager' if srv_cold else ''}),
  and in the lab that work for all N hosts queues on the same cores, so logoff's parallel
  connections are in part serialized: its time grows with N here where on a real fleet (one
  machine per host) it would stay near the 1-host time. The sequential loops pay the per-login
  cost N times (more: one ssh per loginctl call), one host after the other, so their growth is
  what it would be anywhere. The speed-ups measured here are therefore lower bounds of a real
  fleet's.""")
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
