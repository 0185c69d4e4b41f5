//! Bounded, interruptible waiting: every wait in `logoff` (connecting, each D-Bus call, waiting
//! for sessions to go) goes through [`Stop::bounded`], so a frozen bus, a silent host or Ctrl-C
//! can never keep the command from coming back.
//!
//! The whole run is one thread and one runtime: `main` trips the [`Stop`] when a signal arrives,
//! and every wait in progress ends with [`Halt::Interrupted`], leaving each host's code to say
//! what it had asked and what is left.

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use zruntime::{Event, SharedRuntime};

/// Why a bounded wait ended without its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// The deadline passed.
    TimedOut,
    /// The run was interrupted (see [`Stop::signal`]).
    Interrupted,
}

/// The run's stop token. Single-threaded: shared by reference between the hosts' futures.
#[derive(Default)]
pub struct Stop {
    signal: Cell<Option<&'static str>>,
    event: Event,
    /// The run is ending its own session: its SIGHUP and SIGTERM are expected, not a stop.
    ending_own: Cell<bool>,
}

impl Stop {
    /// Interrupts every wait, now and from now on; `signal` names the cause ("SIGINT").
    pub fn trip(&self, signal: &'static str) {
        if self.signal.get().is_none() {
            self.signal.set(Some(signal));
        }
        self.event.notify(usize::MAX);
    }

    /// From now on SIGHUP and SIGTERM do not interrupt: the run is ending the session it runs
    /// in, whose terminal hangs up and whose processes (this one too) are told to end. The run
    /// still ends within its bounds; Ctrl-C still stops it.
    pub fn expect_ending(&self) {
        self.ending_own.set(true);
    }

    /// Whether SIGHUP and SIGTERM are expected (see [`Stop::expect_ending`]).
    pub fn ending_expected(&self) -> bool {
        self.ending_own.get()
    }

    /// The signal that interrupted the run, if one did.
    pub fn signal(&self) -> Option<&'static str> {
        self.signal.get()
    }

    async fn tripped(&self) {
        loop {
            if self.signal.get().is_some() {
                return;
            }
            let listener = self.event.listen();
            if self.signal.get().is_some() {
                return;
            }
            listener.await;
        }
    }

    /// Runs `f` until it completes, `until` passes, or the run is interrupted.
    pub(crate) async fn bounded<F: Future>(&self, until: Instant, f: F) -> Result<F::Output, Halt> {
        if self.signal.get().is_some() {
            return Err(Halt::Interrupted);
        }
        // Every wait runs inside `block_on`, which always has a runtime; without one there would
        // be no timer, and an unbounded wait is never the answer.
        let Ok(rt) = SharedRuntime::current() else {
            return Err(Halt::TimedOut);
        };
        match first_of(first_of(f, rt.sleep_until(until)), self.tripped()).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(Halt::TimedOut),
            Err(()) => Err(Halt::Interrupted),
        }
    }
}

impl Stop {
    /// Runs blocking `work` (an NSS lookup, which an LDAP server can stall) on a thread of its
    /// own, and waits for it like any other wait. `None` when the wait ended first, or when no
    /// thread could be started; the thread is left to finish on its own.
    pub async fn blocking<T: Send + 'static>(
        &self,
        until: Instant,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let slot = Arc::new((Mutex::new(None), Event::new()));
        let theirs = Arc::clone(&slot);
        std::thread::Builder::new()
            .name("logoff-lookup".into())
            .spawn(move || {
                let v = work();
                if let Ok(mut s) = theirs.0.lock() {
                    *s = Some(v);
                }
                theirs.1.notify(usize::MAX);
            })
            .ok()?;
        let take = || slot.0.lock().ok().and_then(|mut s| s.take());
        let done = async {
            loop {
                if let Some(v) = take() {
                    return v;
                }
                let listener = slot.1.listen();
                if let Some(v) = take() {
                    return v;
                }
                listener.await;
            }
        };
        self.bounded(until, done).await.ok()
    }
}

/// `a`'s output if it completes first, else `b`'s (`a` wins a tie).
pub(crate) async fn first_of<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        b.as_mut().poll(cx).map(Err)
    })
    .await
}

/// Both outputs, the two futures polled at once (two D-Bus calls: one round trip).
pub(crate) async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// `now + d`, saturating: a huge `/timeout` must not overflow (a year is forever here).
pub fn after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .unwrap_or(now + Duration::from_secs(365 * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_times_out_and_interrupts() {
        crate::block_on(async {
            let stop = Stop::default();
            assert_eq!(
                stop.bounded(after(Duration::from_secs(5)), async { 7 })
                    .await,
                Ok(7)
            );
            let never = std::future::pending::<()>();
            let t = Instant::now();
            let r = stop.bounded(after(Duration::from_millis(50)), never).await;
            assert_eq!(r, Err(Halt::TimedOut));
            assert!(t.elapsed() >= Duration::from_millis(50));
            stop.trip("SIGINT");
            let never = std::future::pending::<()>();
            let r = stop.bounded(after(Duration::from_secs(60)), never).await;
            assert_eq!(r, Err(Halt::Interrupted));
            assert_eq!(stop.signal(), Some("SIGINT"));
        });
    }

    #[test]
    fn a_trip_wakes_a_wait_in_progress() {
        crate::block_on(async {
            let stop = Stop::default();
            let rt = SharedRuntime::current().unwrap();
            let waiting =
                stop.bounded(after(Duration::from_secs(60)), std::future::pending::<()>());
            let tripper = async {
                rt.sleep(Duration::from_millis(20)).await;
                stop.trip("SIGTERM");
            };
            let (r, ()) = both(waiting, tripper).await;
            assert_eq!(r, Err(Halt::Interrupted));
        });
    }

    #[test]
    fn blocking_work_is_awaited_and_bounded() {
        crate::block_on(async {
            let stop = Stop::default();
            let r = stop.blocking(after(Duration::from_secs(5)), || 7).await;
            assert_eq!(r, Some(7));
            let t = Instant::now();
            let slow = || std::thread::sleep(Duration::from_secs(5));
            let r = stop.blocking(after(Duration::from_millis(50)), slow).await;
            assert_eq!(r, None);
            assert!(t.elapsed() < Duration::from_secs(4));
        });
    }
}
