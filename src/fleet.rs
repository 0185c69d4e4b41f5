//! The same logoff on many hosts at once: a bounded pool of hosts in progress, one ssh
//! connection per host, results reported as each host finishes so one slow or dead host delays
//! nobody else's line. The hosts are futures on the one thread of the run: no worker thread has
//! to be created (none can fail to be), and one interruption reaches every host.

use std::future::{Future, poll_fn};
use std::io::Read;
use std::path::Path;
use std::pin::Pin;
use std::task::Poll;

use crate::error::{Error, HostFileProblem, Result};
use crate::logoff::HostResult;
use crate::transport::{Target, parse_host};

/// Largest host list read (a list of 100,000 hosts is still under it).
pub const MAX_HOST_FILE: u64 = 4 << 20;

/// Host names from a `/server:@FILE` list: one per line, `#` starts a comment. A UTF-8 byte
/// order mark and CRLF line ends (files written on Windows) are accepted.
pub fn parse_host_list(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn read_host_file(path: &Path) -> Result<Vec<String>> {
    let fail = |problem| Error::HostFile {
        path: path.display().to_string(),
        problem,
    };
    let io = |e: std::io::Error| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => HostFileProblem::NotFound,
            std::io::ErrorKind::PermissionDenied => HostFileProblem::PermissionDenied,
            std::io::ErrorKind::IsADirectory => HostFileProblem::IsDirectory,
            std::io::ErrorKind::InvalidData => HostFileProblem::NotText,
            _ => HostFileProblem::Other(e.to_string()),
        })
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // Bounded: `@/dev/zero` or a huge file is refused, not read until memory runs out.
    file.take(MAX_HOST_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_HOST_FILE {
        return Err(fail(HostFileProblem::TooLarge));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail(HostFileProblem::NotText))?;
    let hosts = parse_host_list(&text);
    if hosts.is_empty() {
        return Err(Error::HostFileEmpty {
            path: path.display().to_string(),
        });
    }
    Ok(hosts)
}

/// Every name checked before any connection is made (one bad name refuses the whole command),
/// and each destination once: `Server1` and `server1` are one host, one connection, one result.
pub fn targets(names: &[String]) -> Result<Vec<Target>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for n in names {
        let t = parse_host(n)?;
        if seen.insert(t.destination()) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Runs `work` for every target, at most `parallel` at a time. `done` sees each host's result
/// as it finishes (in completion order), with the count finished so far; the return value is in
/// the order the hosts were given.
pub async fn run<'a, F, Fut>(
    targets: &'a [Target],
    parallel: usize,
    work: F,
    done: &mut dyn FnMut(&HostResult, usize, usize),
) -> Vec<HostResult>
where
    F: Fn(&'a Target) -> Fut,
    Fut: Future<Output = HostResult> + 'a,
{
    let total = targets.len();
    let parallel = parallel.max(1);
    let mut results: Vec<Option<HostResult>> = (0..total).map(|_| None).collect();
    let mut running: Vec<(usize, Pin<Box<Fut>>)> = Vec::new();
    let mut next = 0;
    let mut finished = 0;
    poll_fn(|cx| {
        loop {
            while running.len() < parallel && next < total {
                running.push((next, Box::pin(work(&targets[next]))));
                next += 1;
            }
            let mut progressed = false;
            let mut i = 0;
            while i < running.len() {
                if let Poll::Ready(r) = running[i].1.as_mut().poll(cx) {
                    let (index, _) = running.swap_remove(i);
                    finished += 1;
                    done(&r, finished, total);
                    results[index] = Some(r);
                    progressed = true;
                } else {
                    i += 1;
                }
            }
            if running.is_empty() && next >= total {
                return Poll::Ready(());
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn host_lists() {
        let text = "# farm A\nserver1\n  server2  # rack 2\n\n#server3\nalice@server4:2222\n";
        assert_eq!(
            parse_host_list(text),
            ["server1", "server2", "alice@server4:2222"]
        );
        assert!(parse_host_list("# nothing\n\n").is_empty());
        // Written on Windows: a byte order mark and CRLF.
        assert_eq!(
            parse_host_list("\u{FEFF}server1\r\nserver2 # x\r\n\r\n"),
            ["server1", "server2"]
        );
    }

    #[test]
    fn one_bad_name_refuses_all() {
        let names: Vec<String> = ["server1", "-oProxyCommand=x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(targets(&names), Err(Error::BadHost { .. })));
    }

    #[test]
    fn duplicate_destinations_are_one_host() {
        let names: Vec<String> = [
            "server1",
            "SERVER1",
            "root@server1",
            "root@Server1",
            "server1:2222",
            "Alice@server1",
            "alice@server1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let labels: Vec<String> = targets(&names).unwrap().iter().map(Target::label).collect();
        // User names are case-sensitive; host names are not; a port makes another destination.
        assert_eq!(
            labels,
            [
                "server1",
                "root@server1",
                "server1:2222",
                "Alice@server1",
                "alice@server1"
            ]
        );
    }

    fn result(host: &str) -> HostResult {
        HostResult {
            host: host.into(),
            sessions: Vec::new(),
            error: None,
            unmatched: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn pool_bounds_concurrency_and_reports_in_completion_order() {
        let names: Vec<String> = (1..=5).map(|i| format!("h{i}")).collect();
        let hosts = targets(&names).unwrap();
        let running = std::cell::Cell::new(0usize);
        let peak = std::cell::Cell::new(0usize);
        let mut order = Vec::new();
        let results = crate::block_on(async {
            let rt = zruntime::SharedRuntime::current().unwrap();
            run(
                &hosts,
                2,
                |t| {
                    let (rt, running, peak) = (rt.clone(), &running, &peak);
                    async move {
                        running.set(running.get() + 1);
                        peak.set(peak.get().max(running.get()));
                        // h1 is the slowest: the others finish first.
                        let ms = if t.label() == "h1" { 80 } else { 10 };
                        rt.sleep(Duration::from_millis(ms)).await;
                        running.set(running.get() - 1);
                        result(&t.label())
                    }
                },
                &mut |r, n, total| order.push((r.host.clone(), n, total)),
            )
            .await
        });
        assert_eq!(peak.get(), 2);
        let hosts: Vec<&str> = results.iter().map(|r| r.host.as_str()).collect();
        assert_eq!(hosts, ["h1", "h2", "h3", "h4", "h5"]);
        assert_eq!(order.last().map(|o| o.1), Some(5));
        assert_ne!(order[0].0, "h1");
    }
}
