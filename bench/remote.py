#!/usr/bin/env python3
"""Remote benchmark: end one session on another host over ssh and wait until it is gone.

  logoff ID /server:HOST
  vs loginctl -H HOST terminate-session ID; while loginctl -H HOST show-session ID; do :; done

Both run on this machine (outside the hosts) with `lab/lab env` in their environment, through an
`ssh` wrapper that logs each invocation (it then does exactly what the lab's ssh wrapper does),
so every run also counts its ssh connections: logoff must use exactly one. The count is checked
against the host's sshd journal (root logins accepted) over the whole benchmark.
"""

import re

import benchlib as B

RUNS, QUICK_RUNS = 20, 5


def main():
    p = B.common_args(__doc__.splitlines()[0], RUNS, QUICK_RUNS)
    p.add_argument("--host", default="server1", help="lab host holding the sessions (default server1)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool first (default 1)")
    args = B.parse(p, RUNS, QUICK_RUNS)
    host, user, binp = args.host, args.user, args.bin
    m = re.fullmatch(r"server(\d+)", host)
    if not m:
        raise B.HarnessError("--host must be serverK")
    rep = B.Report("remote", args.summary_file)

    tools = [
        ("logoff ID /server:" + host,
         lambda sid: [binp, sid, f"/server:{host}"], True),
        (f"loginctl -H {host} terminate + poll",
         lambda sid: ["sh", "-c", f"loginctl -H {host} terminate-session {sid} && "
                      f"while loginctl -H {host} show-session {sid} >/dev/null 2>&1; do :; done"], False),
    ]
    times = {n: [] for n, _, _ in tools}
    sshes = {n: [] for n, _, _ in tools}
    failed = {n: 0 for n, _, _ in tools}

    with B.testlock(), B.counting_ssh() as (env, ssh_count):
        B.ensure_lab(int(m.group(1)))
        B.say(f"== remote: end one session on {host} over ssh until it is gone "
              f"({args.runs} runs per tool, alternating, user {user}) ==")
        journal0 = B.root_logins_accepted(host)
        wrapper0 = ssh_count()

        def one(name, mk, is_logoff, record):
            sid = B.login(user, host)
            B.settle(host)
            c0 = ssh_count()
            t, _, pr = B.timed(mk(sid), env=env, timeout=90)
            n_ssh = ssh_count() - c0
            gone = not B.session_exists(host, sid)
            ok = pr is not None and pr.returncode == 0 and gone
            if is_logoff and n_ssh != 1:
                rep.problem(f"logoff on session {sid} ({host}) started {n_ssh} ssh connections (expected 1)")
            if not ok:
                failed[name] += 1
                who = "logoff" if is_logoff else "loginctl loop"
                rep.problem(f"{who} on session {sid} ({host}): {B.describe(pr)}; "
                            f"session afterwards: {'gone' if gone else 'STILL THERE'}")
                if not gone:
                    B.cleanup_sessions(host, [sid])
            elif record:
                times[name].append(t)
                sshes[name].append(n_ssh)

        B.alternate(tools, args.warmup, args.runs, one)

        # Cross-check of the wrapper's count: sshd's own record of root logins.
        journal1 = B.root_logins_accepted(host)
        wrapper_total = ssh_count() - wrapper0

    B.say("")
    rows = []
    for name, _, _ in tools:
        xs, cs = times[name], sshes[name]
        cs_text = "-" if not cs else (f"{min(cs)}" if min(cs) == max(cs)
                                      else f"{min(cs)}..{max(cs)} (median {B.median(cs):g})")
        rows.append([name, len(xs), failed[name], B.fmt_ms(B.median(xs)), B.fmt_ms(B.p90(xs)),
                     B.fmt_ms(min(xs) if xs else None), B.fmt_ms(max(xs) if xs else None), cs_text])
    B.table(["time until the session is gone", "runs", "failed", "median", "p90", "min", "max",
             "ssh connections per run"], rows)
    B.say("")
    ml, mc = B.median(times[tools[0][0]]), B.median(times[tools[1][0]])
    r = B.ratio(ml, mc)
    rep.target("ratio logoff/loginctl (median)", f"{r:.2f}" if r is not None else "n/a", "<= 1.10",
               B.verdict(r, 1.1, "<="))
    if times[tools[0][0]] and times[tools[1][0]]:
        B.say(f"  (p90 ratio: {B.ratio(B.p90(times[tools[0][0]]), B.p90(times[tools[1][0]])):.2f}, for information)")
    lc = sshes[tools[0][0]]
    worst = max(lc) if lc else None
    rep.target("ssh connections per logoff run", "n/a" if not lc else
               (f"{lc[0]} in every run" if min(lc) == max(lc) else f"{min(lc)}..{max(lc)}"),
               "exactly 1", "PASS" if lc and min(lc) == worst == 1 else ("n/a" if not lc else "MISS"))
    if journal0 is not None and journal1 is not None:
        dj = journal1 - journal0
        B.say(f"  (cross-check: {host}'s sshd accepted {dj} root login(s) during the benchmark; "
              f"the ssh wrapper counted {wrapper_total} invocation(s): "
              f"{'they agree' if dj == wrapper_total else 'they DIFFER (someone else logged in as root?)'})")
    rep.finish()


if __name__ == "__main__":
    B.main_wrapper(main)
