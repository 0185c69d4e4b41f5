//! Many hosts at once: a bounded pool of hosts in progress, results reported as each host
//! finishes so one slow or dead host delays nobody else's line. The hosts are futures on the one
//! thread of the run: no worker thread has to be created (none can fail to be), and one
//! interruption reaches every host. Generic over the per-host work: every verb uses it, and
//! [`each`] uses it for the calls in flight on one connection.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Runs `work` for every target, at most `parallel` at a time. `done` sees each host's result
/// as it finishes (in completion order), with the count finished so far; the return value is in
/// the order the hosts were given.
pub async fn run<'a, T, R, F, Fut>(
    targets: &'a [T],
    parallel: usize,
    work: F,
    done: &mut dyn FnMut(&R, usize, usize),
) -> Vec<R>
where
    F: Fn(&'a T) -> Fut,
    Fut: Future<Output = R> + 'a,
{
    let total = targets.len();
    let parallel = parallel.max(1);
    let mut results: Vec<Option<R>> = (0..total).map(|_| None).collect();
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

/// Every item's `work`, at most `window` at a time, the outputs in the items' order. For D-Bus
/// calls on one connection: the requests of a window go out together and their replies come
/// back in one round trip, within the bus's limit on a connection's pending replies.
pub(crate) async fn each<'a, T, R, F, Fut>(items: &'a [T], window: usize, work: F) -> Vec<R>
where
    F: Fn(&'a T) -> Fut,
    Fut: Future<Output = R> + 'a,
{
    run(items, window, work, &mut |_, _, _| {}).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pool_bounds_concurrency_and_reports_in_completion_order() {
        let hosts: Vec<String> = (1..=5).map(|i| format!("h{i}")).collect();
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
                        let ms = if t == "h1" { 80 } else { 10 };
                        rt.sleep(Duration::from_millis(ms)).await;
                        running.set(running.get() - 1);
                        t.clone()
                    }
                },
                &mut |r: &String, n, total| order.push((r.clone(), n, total)),
            )
            .await
        });
        assert_eq!(peak.get(), 2);
        assert_eq!(results, ["h1", "h2", "h3", "h4", "h5"]);
        assert_eq!(order.last().map(|o| o.1), Some(5));
        assert_ne!(order[0].0, "h1");
    }
}
