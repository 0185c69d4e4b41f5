#!/usr/bin/env python3
"""Fleet benchmark: log one user off N hosts.

  logoff /user:USER /server:server1,...,serverN              (hosts in parallel, one ssh each)
  vs for h in ...; do loginctl -H $h terminate-user USER;
                      until ! loginctl -H $h show-user USER >/dev/null 2>&1; do :; done; done

for N = 1, 2, 4, 8. Before every run USER gets one fresh session on each of the N hosts (outside
the timing); the benchmark refuses to run if USER has any session it did not create, since both
commands end every session of USER. Prints both medians, the speed-up, how each grows from 1 to
N hosts, ssh connections per run, and the client-side CPU per host (user+sys of the command's
process tree: logoff plus the ssh clients it ran and waited for). Also measures what one ssh
login costs: client-side, and server-side from the host's cgroup (sshd, PAM, logind, systemd).
"""

import re
import statistics
import time

import benchlib as B

RUNS, QUICK_RUNS = 5, 2


def ssh_login_cost(env, host, samples):
    """CPU of one ssh login as logoff makes it (`ssh -xT HOST systemd-stdio-bridge`, stdin at
    end-of-file: the same key exchange, authentication, session and bridge start, no D-Bus
    traffic): client side (getrusage) and server side (the host cgroup's usage_usec delta until
    the host has no queued job, minus the host's idle rate)."""
    # The host's idle rate, to subtract.
    u0, t0 = B.cgroup_usage_usec(host), time.monotonic()
    time.sleep(1.0)
    u1, t1 = B.cgroup_usage_usec(host), time.monotonic()
    if u0 is None or u1 is None:
        return None
    idle_rate = (u1 - u0) / (t1 - t0)  # usec per second
    out = []
    for _ in range(samples):
        root_before = B.user_state(host, "root")
        a, ta = B.cgroup_usage_usec(host), time.monotonic()
        t, cpu, pr = B.timed(["ssh", "-xT", host, "systemd-stdio-bridge"], env=env, timeout=30)
        if pr is None or pr.returncode not in (0, 1):  # the bridge exits 1 at end-of-file
            raise B.HarnessError(f"ssh {host} true: {B.describe(pr)}")
        B.settle(host)
        time.sleep(0.2)  # let the session's scope and logind's bookkeeping finish
        b, tb = B.cgroup_usage_usec(host), time.monotonic()
        server = ((b - a) - idle_rate * (tb - ta)) / 1e6
        out.append({"wall": t, "client": cpu, "server": server,
                    "root_manager": "already running" if root_before else "started by it"})
    return out


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    p.add_argument("--sizes", default="1,2,4,8", help="host counts (default 1,2,4,8)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool on 1 host first (default 1)")
    p.add_argument("--cost-samples", type=int, default=5, help="ssh logins measured for their CPU (default 5)")
    args = B.parse(p, RUNS, QUICK_RUNS)
    try:
        sizes = sorted({int(x) for x in args.sizes.split(",")})
    except ValueError:
        raise B.HarnessError("--sizes: comma-separated host counts, e.g. 1,2,4,8")
    if not sizes or sizes[0] < 1:
        raise B.HarnessError("--sizes: host counts must be >= 1")
    user, binp, nmax = args.user, args.bin, sizes[-1]
    rep = B.Report("fleet", args.summary_file)
    all_hosts = [B.host_name(k) for k in range(1, nmax + 1)]
    created = {h: set() for h in all_hosts}  # every session this benchmark made, per host

    def with_lab_users(cmd):
        """Both commands run in a private mount namespace where /etc/passwd and /etc/group are the
        lab's (the machine's own plus alice, bob, carol), as an admin machine of a real fleet
        knows its users (LDAP, a shared passwd): loginctl looks a user name up on the client and
        refuses names it cannot resolve, and the lab's users exist only inside the hosts. The
        machine's /etc is not touched. Costs both the same few milliseconds."""
        etc = B.LAB_DIR / "etc"
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                f"mount --bind {etc}/passwd /etc/passwd && mount --bind {etc}/group /etc/group "
                '&& exec "$@"', "sh", *cmd]

    def tools_for(hosts):
        hs = " ".join(hosts)
        return [
            ("logoff", with_lab_users([binp, f"/user:{user}", "/server:" + ",".join(hosts)]), True),
            ("loginctl loop", with_lab_users(
                ["sh", "-c", f"for h in {hs}; do loginctl -H $h terminate-user {user}; "
                             f"until ! loginctl -H $h show-user {user} >/dev/null 2>&1; do :; done; done"]),
             False),
        ]

    res = {(n, t): {"time": [], "cpu": [], "ssh": [], "failed": 0}
           for n in sizes for t in ("logoff", "loginctl loop")}
    after_states = []  # USER's logind state on each host right after logoff returned

    def prepare(hosts):
        for h in hosts:
            have = set(B.user_sessions(h, user))
            foreign = have - created[h]
            if foreign:
                raise B.HarnessError(
                    f"{user} has session(s) {', '.join(sorted(foreign))} on {h} that this benchmark did not "
                    f"create; both commands would end them. End them, or use --user bob/carol.")
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

    def one(n, tool, cmd, is_logoff, env, ssh_count, record):
        hosts = all_hosts[:n]
        ids = prepare(hosts)
        c0 = ssh_count()
        t, cpu, pr = B.timed(cmd, env=env, timeout=300)
        n_ssh = ssh_count() - c0
        left = [h for h in hosts if B.session_exists(h, ids[h])]
        if is_logoff:
            after_states.extend(B.user_state(h, user) for h in hosts)
        ok = pr is not None and pr.returncode == 0 and not left
        if is_logoff and n_ssh != n:
            rep.problem(f"logoff /user:{user} on {n} host(s) started {n_ssh} ssh connections (expected {n})")
        if not ok:
            res[(n, tool)]["failed"] += 1
            rep.problem(f"{tool} on {n} host(s) ({', '.join(f'{h}:{ids[h]}' for h in hosts)}): "
                        f"{B.describe(pr)}; sessions STILL THERE: {', '.join(left) or 'none'}")
            for h in left:
                B.cleanup_sessions(h, [ids[h]])
        elif record:
            r = res[(n, tool)]
            r["time"].append(t)
            r["cpu"].append(cpu)
            r["ssh"].append(n_ssh)

    with B.testlock(), B.counting_ssh() as (env, ssh_count):
        B.ensure_lab(nmax)
        B.say(f"== fleet: log {user} off N hosts (N = {', '.join(map(str, sizes))}; "
              f"{args.runs} runs per tool and N, alternating) ==")
        B.say("  (both run in a private mount namespace with the lab's /etc/passwd and /etc/group, so\n"
              "   that loginctl, which resolves the user name on this machine, knows the lab's users)")

        B.progress(f"CPU of one ssh login to server1 ({args.cost_samples} samples)")
        cost = ssh_login_cost(env, "server1", args.cost_samples) if args.cost_samples > 0 else None

        for _ in range(args.warmup):
            B.progress("warm-up on 1 host")
            for tool, cmd, il in tools_for(all_hosts[:1]):
                one(1, tool, cmd, il, env, ssh_count, record=False)
        for i in range(args.runs):
            for j, n in enumerate(sizes):
                B.progress(f"run {i + 1}/{args.runs}, {n} host(s)")
                tl = tools_for(all_hosts[:n])
                for tool, cmd, il in (tl if (i + j) % 2 == 0 else tl[::-1]):
                    one(n, tool, cmd, il, env, ssh_count, record=True)

    # --- report ---------------------------------------------------------------------------------
    B.say("")
    rows = []
    for n in sizes:
        lo, lp = res[(n, "logoff")], res[(n, "loginctl loop")]
        ml, mp = B.median(lo["time"]), B.median(lp["time"])
        sp = B.ratio(mp, ml)

        def sshs(r):
            return "-" if not r["ssh"] else (str(r["ssh"][0]) if min(r["ssh"]) == max(r["ssh"])
                                             else f"{min(r['ssh'])}..{max(r['ssh'])}")

        cpu_l = B.median(lo["cpu"])
        cpu_p = B.median(lp["cpu"])
        rows.append([n, f"{len(lo['time'])}/{len(lp['time'])}", B.fmt_ms(ml), B.fmt_ms(B.p90(lo["time"])),
                     B.fmt_ms(mp), B.fmt_ms(B.p90(lp["time"])),
                     f"{sp:.1f}x" if sp else "-", sshs(lo), sshs(lp),
                     B.fmt_ms(cpu_l / n if cpu_l is not None else None),
                     B.fmt_ms(cpu_p / n if cpu_p is not None else None)])
    B.table(["hosts", "runs", "logoff med", "p90", "loop med", "p90", "speed-up",
             "ssh logoff", "ssh loop", "CPU/host logoff", "CPU/host loop"], rows)
    B.say("  (runs: successful runs logoff/loop; speed-up: loop median / logoff median; ssh: connections per run;\n"
          "   CPU/host: client-side user+sys of the whole command, ssh clients included, divided by the hosts)")
    B.say("")

    def grow(tool):
        a, b = B.median(res[(sizes[0], tool)]["time"]), B.median(res[(nmax, tool)]["time"])
        if a is None or b is None or nmax == sizes[0]:
            return None, None
        return b / a, (b - a) / (nmax - sizes[0])

    for tool in ("logoff", "loginctl loop"):
        g, slope = grow(tool)
        if g is not None:
            B.say(f"  growth {sizes[0]} -> {nmax} hosts, {tool}: x{g:.2f} ({B.fmt_ms(slope)} per added host)")
    if 8 in sizes:
        sp8 = B.ratio(B.median(res[(8, "loginctl loop")]["time"]), B.median(res[(8, "logoff")]["time"]))
        rep.target("speed-up over the loginctl loop at 8 hosts", f"{sp8:.1f}x" if sp8 else "n/a", ">= 4x",
                   B.verdict(sp8, 4.0, ">="))
    else:
        B.say("  (speed-up target is for 8 hosts: not in --sizes)")
    cpu_all = [c / n for n in sizes for c in res[(n, "logoff")]["cpu"]]
    if cpu_all:
        B.say(f"  client-side CPU per host, logoff (all N): median {B.fmt_ms(B.median(cpu_all))}")
    states = [s or "gone" for s in after_states]
    if states:
        counts = {s: states.count(s) for s in sorted(set(states))}
        B.say(f"  {user}'s logind user right after logoff returned (all runs, per host): "
              + ", ".join(f"{k} {v}" for k, v in counts.items())
              + "\n  (logoff waits for the sessions; the user object then lingers for logind's UserStopDelaySec,"
                " 10 s by default,\n   while the loop's terminate-user stops the user manager and waits for"
                " the user itself to go)")

    B.say("")
    if cost:
        B.say("  one ssh login as logoff makes it (`ssh -xT server1 systemd-stdio-bridge`, no traffic), CPU:")
        B.table(["sample", "wall", "client CPU", "server CPU (host cgroup)", "root's user manager"],
                [[i + 1, B.fmt_ms(c["wall"]), B.fmt_ms(c["client"]), B.fmt_ms(c["server"]), c["root_manager"]]
                 for i, c in enumerate(cost)], indent="    ")
        srv = statistics.median(c["server"] for c in cost)
        cli = statistics.median(c["client"] for c in cost)
        B.say(f"    median: client {B.fmt_ms(cli)}, server {B.fmt_ms(srv)}")
        if cpu_all:
            B.say(f"    so of logoff's {B.fmt_ms(B.median(cpu_all))} client CPU per host, about {B.fmt_ms(cli)} "
                  f"is the ssh client and logoff's own share is the difference, "
                  f"~{B.fmt_ms(max(0.0, B.median(cpu_all) - cli))}\n"
                  f"    (a difference of medians, within the ssh client's noise of ~10 ms; local.py measures\n"
                  f"    logoff's own CPU exactly for a local logoff)")
    B.say(f"""
  NOTE: the lab's hosts all share this machine's {__import__('os').cpu_count()} cores. Every ssh login costs
  the host side CPU (sshd key exchange and auth, PAM, logind creating the session, systemd
  starting root's user manager when it is not running{f': here {B.fmt_ms(srv)} per login' if cost else ''}),
  and in the lab that work for all N hosts queues on the same cores, so logoff's parallel
  connections are in part serialized: its time grows with N here where on a real fleet (one
  machine per host) it would stay near the 1-host time. The sequential loop pays the same
  per-login cost N times (more: one ssh per loginctl call), so its growth is unaffected. The
  speed-up at 8 hosts measured here is therefore a lower bound of a real fleet's.""")
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
