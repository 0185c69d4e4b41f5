//! The same logoff on many hosts at once: a bounded pool of workers, one ssh connection per host,
//! results reported as each host finishes so one slow or dead host delays nobody else's line.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::logoff::{Event, HostResult, Request, run_host};
use crate::transport::{Target, parse_host};

/// Host names from a `/server:@FILE` list: one per line, `#` starts a comment.
pub fn parse_host_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn read_host_file(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::HostFile {
        path: path.display().to_string(),
        reason: e.kind().to_string(),
    })?;
    let hosts = parse_host_list(&text);
    if hosts.is_empty() {
        return Err(Error::HostFileEmpty {
            path: path.display().to_string(),
        });
    }
    Ok(hosts)
}

/// Every name checked before any connection is made: one bad name refuses the whole command.
pub fn targets(names: &[String]) -> Result<Vec<Target>> {
    names.iter().map(|n| parse_host(n)).collect()
}

/// Runs `req` on every target, at most `parallel` at a time. `done` sees each host's result as
/// it finishes (in completion order), with the count finished so far; the return value is in the
/// order the hosts were given.
pub fn run(
    targets: &[Target],
    req: &Request,
    parallel: usize,
    events: &(dyn Fn(Event) + Sync),
    done: &mut dyn FnMut(&HostResult, usize, usize),
) -> Vec<HostResult> {
    let total = targets.len();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, HostResult)>();
    let mut results: Vec<Option<HostResult>> = (0..total).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, total.max(1)) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let r = zbus::block_on(run_host(target, req, events));
                    if tx.send((i, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut finished = 0;
        for (i, r) in rx {
            finished += 1;
            done(&r, finished, total);
            results[i] = Some(r);
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_lists() {
        let text = "# farm A\nserver1\n  server2  # rack 2\n\n#server3\nalice@server4:2222\n";
        assert_eq!(
            parse_host_list(text),
            ["server1", "server2", "alice@server4:2222"]
        );
        assert!(parse_host_list("# nothing\n\n").is_empty());
    }

    #[test]
    fn one_bad_name_refuses_all() {
        let names: Vec<String> = ["server1", "-oProxyCommand=x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(targets(&names), Err(Error::BadHost { .. })));
    }
}
