#!/usr/bin/env python3
"""Local benchmark: end one session on this host and wait until it is gone.

  logoff ID
  vs loginctl terminate-session ID; while loginctl show-session ID; do :; done

Both run inside a lab host (lab/lab exec HOST sh -c '...'), so each timing includes the same
nsenter + sh start; that overhead is measured and printed too. Tools alternate run by run, each
run ends a fresh session made beforehand (outside the timing) and is checked afterwards: logoff
must exit 0 and the session must be gone. Also: logoff's peak RSS and `logoff /?` wall time.
"""

import os
import re
import shlex
import subprocess
import time

import benchlib as B

RUNS, QUICK_RUNS = 20, 5


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    p.add_argument("--host", default="server1", help="lab host to run in (default server1)")
    p.add_argument("--help-runs", type=int, default=None, help="runs of `logoff /?` (default 200; --quick: 50)")
    p.add_argument("--rss-runs", type=int, default=None, help="runs under /usr/bin/time for peak RSS (default 3; --quick: 1)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool first (default 1)")
    args = B.parse(p, RUNS, QUICK_RUNS)
    if args.help_runs is None:
        args.help_runs = 50 if args.quick else 200
    if args.rss_runs is None:
        args.rss_runs = 1 if args.quick else 3
    host, user = args.host, args.user
    m = re.fullmatch(r"server(\d+)", host)
    if not m:
        raise B.HarnessError("--host must be serverK")
    rep = B.Report("local", args.summary_file)

    with B.testlock():
        B.ensure_lab(int(m.group(1)))
        # Hosts have their own /tmp and /home: run the copy `lab put` makes where all see it.
        binp = B.lab("put", args.bin).stdout.strip()
        B.say(f"== local: end one session on {host} until it is gone "
              f"({args.runs} runs per tool, alternating, user {user}) ==")

        # --- logoff /? -----------------------------------------------------------------------
        B.progress(f"logoff /? x {args.help_runs}")
        first = B.run([binp, "/?"])
        if first.returncode != 0 or "Usage" not in first.stdout:
            rep.problem(f"`logoff /?` did not exit 0 with its usage: {B.describe(first)}")
        help_t, true_t = [], []
        for _ in range(args.help_runs):
            for cmd, acc in (([binp, "/?"], help_t), (["/bin/true"], true_t)):
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
                acc.append(time.perf_counter() - t0)

        # --- the overhead both timings carry --------------------------------------------------
        B.progress("lab/lab exec overhead")
        exec_t = []
        for _ in range(10):
            t, _, pr = B.timed([str(B.LAB), "exec", host, "sh", "-c", "true"])
            if t is not None and pr.returncode == 0:
                exec_t.append(t)

        # --- the race -------------------------------------------------------------------------
        def cmd_logoff(sid):
            return f"{shlex.quote(binp)} {sid}"

        def cmd_loginctl(sid):
            return (f"loginctl terminate-session {sid} && "
                    f"while loginctl show-session {sid} >/dev/null 2>&1; do :; done")

        tools = [("logoff ID", cmd_logoff, True),
                 ("loginctl terminate-session + poll", cmd_loginctl, False)]
        times = {name: [] for name, _, _ in tools}
        failed = {name: 0 for name, _, _ in tools}

        def one(name, mk, is_logoff, record):
            sid = B.login(user, host)
            B.settle(host)
            t, _, pr = B.timed([str(B.LAB), "exec", host, "sh", "-c", mk(sid)], timeout=90)
            gone = not B.session_exists(host, sid)
            ok = pr is not None and pr.returncode == 0 and gone
            if not ok:
                failed[name] += 1
                who = "logoff" if is_logoff else "loginctl loop"
                state = "gone" if gone else "STILL THERE"
                rep.problem(f"{who} on session {sid} ({host}): {B.describe(pr)}; session afterwards: {state}")
                if not gone:
                    B.cleanup_sessions(host, [sid])
            elif record:
                times[name].append(t)

        B.alternate(tools, args.warmup, args.runs, one)

        # --- peak RSS -------------------------------------------------------------------------
        B.progress("peak RSS")
        # Inside the host: a Python wrapper runs GNU time, which runs the command. GNU time's %M is
        # the command's peak RSS (getrusage in a forking Python would report at least Python's own
        # size: a child's maxrss includes the parent's memory it was forked with), and the
        # wrapper's getrusage(RUSAGE_CHILDREN) gives the CPU at microsecond resolution (GNU time's
        # %U/%S have 10 ms steps). The same pair around /bin/true gives the floor of both.
        if not os.access("/usr/bin/time", os.X_OK):
            raise B.HarnessError("/usr/bin/time is missing: apt-get install -y time")

        def under_rss(cmd):
            return ["python3", "-c",
                    "import resource,subprocess,sys\n"
                    "rc=subprocess.run(sys.argv[1:]).returncode\n"
                    "u=resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                    "print('BENCH_CPU=%.6f+%.6f' % (u.ru_utime, u.ru_stime), file=sys.stderr)\n"
                    "sys.exit(rc)", "/usr/bin/time", "-f", "BENCH_MAXRSS_KB=%M", *cmd]
        rss_how = "GNU time %M"
        floor = B.lab_exec(host, *under_rss(["/bin/true"]))
        fr = re.search(r"BENCH_MAXRSS_KB=(\d+)", floor.stderr)
        fc = re.search(r"BENCH_CPU=([0-9.]+)\+([0-9.]+)", floor.stderr)
        floor_rss = int(fr.group(1)) if fr else None
        floor_cpu = float(fc.group(1)) + float(fc.group(2)) if fc else 0.0
        rss = {"logoff ID": [], "loginctl terminate-session": []}
        cpu = {"logoff ID": [], "loginctl terminate-session": []}
        for _ in range(args.rss_runs):
            for name, cmd in (("logoff ID", [binp]), ("loginctl terminate-session", ["loginctl", "terminate-session"])):
                sid = B.login(user, host)
                B.settle(host)
                pr = B.lab_exec(host, *under_rss([*cmd, sid]), timeout=90)
                mm = re.search(r"BENCH_MAXRSS_KB=(\d+)", pr.stderr)
                if mm:
                    rss[name].append(int(mm.group(1)))
                mc = re.search(r"BENCH_CPU=([0-9.]+)\+([0-9.]+)", pr.stderr)
                if mc:
                    cpu[name].append(max(0.0, float(mc.group(1)) + float(mc.group(2)) - floor_cpu))
                deadline = time.monotonic() + 15
                while B.session_exists(host, sid) and time.monotonic() < deadline:
                    time.sleep(0.02)
                gone = not B.session_exists(host, sid)
                if name == "logoff ID" and (pr.returncode != 0 or not gone):
                    rep.problem(f"logoff (under {rss_how}) on session {sid}: {B.describe(pr)}; "
                                f"session {'gone' if gone else 'STILL THERE'}")
                if not gone:
                    B.cleanup_sessions(host, [sid])

    # --- report ---------------------------------------------------------------------------------
    B.say("")
    rows = []
    for name, _, _ in tools:
        xs = times[name]
        rows.append([name, len(xs), failed[name], B.fmt_ms(B.median(xs)), B.fmt_ms(B.p90(xs)),
                     B.fmt_ms(min(xs) if xs else None), B.fmt_ms(max(xs) if xs else None)])
    rows.append(["(lab/lab exec sh -c true: in both)", len(exec_t), 0, B.fmt_ms(B.median(exec_t)),
                 B.fmt_ms(B.p90(exec_t)), B.fmt_ms(min(exec_t) if exec_t else None),
                 B.fmt_ms(max(exec_t) if exec_t else None)])
    B.table(["time until the session is gone", "runs", "failed", "median", "p90", "min", "max"], rows)
    B.say("")
    ml, mc = B.median(times["logoff ID"]), B.median(times["loginctl terminate-session + poll"])
    r = B.ratio(ml, mc)
    rep.target("ratio logoff/loginctl (median)", f"{r:.2f}" if r is not None else "n/a", "<= 1.00",
               B.verdict(r, 1.0, "<="))
    ov = B.median(exec_t)
    if r is not None and ov is not None and mc - ov > 0:
        r2 = (ml - ov) / (mc - ov)
        B.say(f"  (same ratio without the lab/lab exec overhead of {B.fmt_ms(ov)}: {r2:.2f}, for information)")
    rl = p90s = None
    if times["logoff ID"] and times["loginctl terminate-session + poll"]:
        p90s = B.ratio(B.p90(times["logoff ID"]), B.p90(times["loginctl terminate-session + poll"]))
        B.say(f"  (p90 ratio: {p90s:.2f}, for information)")
    lr = max(rss["logoff ID"]) if rss["logoff ID"] else None
    cr = max(rss["loginctl terminate-session"]) if rss["loginctl terminate-session"] else None
    rep.target("peak RSS of logoff", f"{lr / 1024:.1f} MiB" if lr else "n/a", "<= 10 MiB",
               B.verdict(lr / 1024 if lr else None, 10.0, "<="))
    B.say(f"  (by {rss_how}, max of {len(rss['logoff ID'])} run(s)"
          + (f"; loginctl terminate-session alone: {cr / 1024:.1f} MiB" if cr else "")
          + (f"; /bin/true the same way: {floor_rss / 1024:.1f} MiB" if floor_rss else "") + ")")
    if cpu["logoff ID"]:
        B.say(f"  CPU (user+sys) of the logoff process, local: median {B.fmt_ms(B.median(cpu['logoff ID']))}"
              + (f"; of loginctl terminate-session alone: {B.fmt_ms(B.median(cpu['loginctl terminate-session']))}"
                 if cpu["loginctl terminate-session"] else "")
             )
    mh = B.median(help_t)
    rep.target("`logoff /?` wall time (median)", B.fmt_ms(mh), "<= 5 ms", B.verdict(mh, 0.005, "<="))
    B.say(f"  ({args.help_runs} runs, p90 {B.fmt_ms(B.p90(help_t))}; /bin/true spawned the same way: "
          f"median {B.fmt_ms(B.median(true_t))})")
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
