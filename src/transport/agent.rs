//! The client end of agent mode (see [`agent`](crate::agent)): requests over ssh to the host's
//! own `logoff --agent`, several in flight at once, each reply matched to its request by ID.
//!
//! One thread, no task of its own: whichever call is waiting reads the stream and hands every
//! reply it finds to the call it answers (waking it), so the replies are read as long as anyone
//! waits for one.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures_io::{AsyncRead, AsyncWrite};
use serde_json::Value;
use zruntime::Shared;
use zruntime::net::unix::UnixStream;

use super::ssh::{SshProcess, last_line};
use crate::agent::{Call, Failure, Hello, Reply, Request, line};

/// A reached agent.
pub(crate) struct Agent {
    pub host: String,
    pub hello: Hello,
    stream: Arc<UnixStream<Shared>>,
    mux: RefCell<Mux>,
    ssh: Option<SshProcess>,
    interrupted: Cell<bool>,
}

#[derive(Default)]
struct Mux {
    inbuf: Vec<u8>,
    out: Vec<u8>,
    next: u64,
    slots: HashMap<u64, Slot>,
    /// The stream ended or failed: no reply will come.
    closed: bool,
    /// Writing failed: no request goes out (replies already sent are still read).
    unwritable: bool,
    /// How far `inbuf` was searched for a newline.
    scanned: usize,
}

enum Slot {
    Waiting(Option<Waker>),
    Done(Box<Reply>),
}

/// Why a call got no reply.
#[derive(Debug)]
pub(crate) enum Lost {
    /// The connection ended (ssh's reason, if it gave one).
    Closed(Option<String>),
}

/// Removes a call's slot when the call is abandoned (a timeout, an interruption), and wakes the
/// other waiters: the abandoned call may have been the one reading the stream for them.
struct Pending<'a> {
    agent: &'a Agent,
    id: u64,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        let mut mux = self.agent.mux.borrow_mut();
        mux.slots.remove(&self.id);
        wake_all(&mut mux);
    }
}

fn wake_all(mux: &mut Mux) {
    for slot in mux.slots.values_mut() {
        if let Slot::Waiting(w) = slot
            && let Some(w) = w.take()
        {
            w.wake();
        }
    }
}

/// The longest reply taken (a listing of thousands of sessions is a few MB).
const MAX_LINE: usize = 64 << 20;

/// A reply line; one this build cannot read (a newer agent's) still answers its request, with
/// an error, rather than leave it waiting for its bound.
fn reply(l: &[u8]) -> Option<Reply> {
    if let Ok(r) = serde_json::from_slice::<Reply>(l) {
        return Some(r);
    }
    let v: Value = serde_json::from_slice(l).ok()?;
    let id = v.get("id")?.as_u64()?;
    Some(Reply {
        id,
        ok: None,
        err: Some(Failure::Other {
            reason: "an answer of logoff's agent that this logoff cannot read".into(),
        }),
    })
}

impl Agent {
    /// A link over `stream`, where `ahead` was read already (the hello, perhaps more).
    pub(super) fn new(
        host: String,
        hello: Hello,
        stream: Arc<UnixStream<Shared>>,
        ahead: Vec<u8>,
        ssh: Option<SshProcess>,
    ) -> Agent {
        Agent {
            host,
            hello,
            stream,
            mux: RefCell::new(Mux {
                inbuf: ahead,
                // Ends the line the D-Bus handshake left unfinished (its Hello has no newline),
                // so that the first request starts a line of its own.
                out: b"\n".to_vec(),
                next: 1,
                ..Mux::default()
            }),
            ssh,
            interrupted: Cell::new(false),
        }
    }

    /// The reason ssh gave, if it gave one.
    pub(crate) fn ssh_reason(&self) -> Option<String> {
        self.ssh
            .as_ref()
            .map(|s| last_line(&s.stderr_text()))
            .filter(|r| !r.is_empty())
    }

    /// Sends `call` and waits for its reply (unbounded: the caller bounds it).
    pub(crate) async fn call(&self, call: Call) -> Result<Result<Value, Failure>, Lost> {
        let id = {
            let mut mux = self.mux.borrow_mut();
            let id = mux.next;
            mux.next += 1;
            let l = line(&Request { id, call });
            mux.out.extend(l);
            mux.slots.insert(id, Slot::Waiting(None));
            id
        };
        let _pending = Pending { agent: self, id };
        let reply = poll_fn(|cx| self.poll_reply(id, cx)).await;
        reply.map(|r| match (r.ok, r.err) {
            (_, Some(e)) => Err(e),
            (Some(v), None) => Ok(v),
            (None, None) => Ok(Value::Null),
        })
    }

    /// Tells the agent the run was interrupted (once), without waiting.
    pub(crate) fn interrupt(&self, signal: &str) {
        if self.interrupted.replace(true) {
            return;
        }
        let mut mux = self.mux.borrow_mut();
        let l = line(&Request {
            id: 0,
            call: Call::Interrupt {
                signal: signal.to_owned(),
            },
        });
        mux.out.extend(l);
        self.flush_now(&mut mux);
    }

    /// Sends what can go at once, waiting for nothing (the rest goes with the next call).
    fn flush_now(&self, mux: &mut Mux) {
        self.flush(mux, &mut Context::from_waker(Waker::noop()));
    }

    fn flush(&self, mux: &mut Mux, cx: &mut Context<'_>) {
        while !mux.out.is_empty() && !mux.unwritable {
            match Pin::new(&mut &*self.stream).poll_write(cx, &mux.out) {
                Poll::Ready(Ok(n)) if n > 0 => {
                    mux.out.drain(..n);
                }
                Poll::Ready(_) => mux.unwritable = true,
                Poll::Pending => break,
            }
        }
    }

    fn poll_reply(&self, id: u64, cx: &mut Context<'_>) -> Poll<Result<Box<Reply>, Lost>> {
        let mut mux = self.mux.borrow_mut();
        self.flush(&mut mux, cx);
        let mut buf = [0u8; 16 * 1024];
        loop {
            // Every complete line: a reply to whoever asked.
            while let Some(at) = mux.inbuf[mux.scanned..].iter().position(|&c| c == b'\n') {
                let end = mux.scanned + at;
                mux.scanned = 0;
                let l: Vec<u8> = mux.inbuf.drain(..=end).collect();
                let Some(r) = reply(&l) else {
                    continue;
                };
                if let Some(slot) = mux.slots.get_mut(&r.id)
                    && let Slot::Waiting(Some(w)) = std::mem::replace(slot, Slot::Done(Box::new(r)))
                {
                    w.wake();
                }
            }
            mux.scanned = mux.inbuf.len();
            if mux.closed {
                break;
            }
            if mux.inbuf.len() > MAX_LINE {
                // No reply is that long: the other side is not speaking the protocol.
                mux.closed = true;
                break;
            }
            match Pin::new(&mut &*self.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(n)) if n > 0 => mux.inbuf.extend_from_slice(&buf[..n]),
                Poll::Ready(_) => mux.closed = true,
                Poll::Pending => break,
            }
        }
        if matches!(mux.slots.get(&id), Some(Slot::Done(_)))
            && let Some(Slot::Done(r)) = mux.slots.remove(&id)
        {
            return Poll::Ready(Ok(r));
        }
        let closed = mux.closed;
        match mux.slots.get_mut(&id) {
            _ if closed => {
                wake_all(&mut mux);
                drop(mux);
                Poll::Ready(Err(Lost::Closed(self.ssh_reason())))
            }
            Some(Slot::Waiting(w)) => {
                *w = Some(cx.waker().clone());
                Poll::Pending
            }
            None | Some(Slot::Done(_)) => Poll::Ready(Err(Lost::Closed(None))),
        }
    }

    /// Ends the connection: ssh, and with it the agent (its input ends).
    pub(crate) async fn close(mut self) {
        // What is still to be sent (an interruption passed on) goes first, if it can at once.
        self.flush_now(&mut self.mux.borrow_mut());
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        if let Some(mut s) = self.ssh.take() {
            s.finish().await;
        }
    }
}

/// The multiplexing, against a stand-in agent on the other end of a socket pair: what a real
/// agent does is tested in the lab (tests/bare.rs); these pin the orders it may answer in.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::stop::{both, first_of};
    use serde_json::json;
    use zruntime::SharedRuntime;

    /// Runs `f`, failing the test rather than hanging it when a call is stranded.
    fn run(f: impl Future<Output = ()>) {
        crate::block_on(async {
            let rt = SharedRuntime::current().unwrap();
            let limit = std::time::Instant::now() + std::time::Duration::from_secs(10);
            if first_of(f, rt.sleep_until(limit)).await.is_err() {
                panic!("stranded: no reply within 10 s");
            }
        });
    }

    fn link() -> (Agent, UnixStream<Shared>) {
        let rt = SharedRuntime::current().unwrap();
        let (ours, theirs) = UnixStream::pair(&rt).unwrap();
        let hello = Hello {
            agent: "logoff".into(),
            protocol: 1,
            version: "test".into(),
            backend: None,
            error: None,
        };
        let agent = Agent::new("h".into(), hello, Arc::new(ours), Vec::new(), None);
        (agent, theirs)
    }

    fn session(id: &str) -> Call {
        Call::Session { session: id.into() }
    }

    /// The stand-in's reading: the next `n` requests (blank lines skipped), as JSON.
    async fn requests(s: &UnixStream<Shared>, buf: &mut Vec<u8>, n: usize) -> Vec<Value> {
        let mut got = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            while let Some(at) = buf.iter().position(|&c| c == b'\n') {
                let l: Vec<u8> = buf.drain(..=at).collect();
                if !l.trim_ascii().is_empty() {
                    got.push(serde_json::from_slice(&l).expect("a request is JSON"));
                }
            }
            if got.len() >= n {
                return got;
            }
            let k = poll_fn(|cx| Pin::new(&mut &*s).poll_read(cx, &mut chunk))
                .await
                .unwrap();
            assert!(k > 0, "the client closed before asking");
            buf.extend_from_slice(&chunk[..k]);
        }
    }

    async fn send(s: &UnixStream<Shared>, text: &str) {
        let mut rest = text.as_bytes();
        while !rest.is_empty() {
            let k = poll_fn(|cx| Pin::new(&mut &*s).poll_write(cx, rest))
                .await
                .unwrap();
            rest = &rest[k..];
        }
    }

    /// The ID of the request asking for session `id`.
    fn id_of(reqs: &[Value], id: &str) -> u64 {
        reqs.iter()
            .find(|r| r["session"] == id)
            .and_then(|r| r["id"].as_u64())
            .expect("asked")
    }

    #[test]
    fn replies_in_any_order_reach_their_own_calls() {
        run(async {
            let (agent, theirs) = link();
            let calls = both(agent.call(session("1")), agent.call(session("2")));
            let peer = async {
                let reqs = requests(&theirs, &mut Vec::new(), 2).await;
                let (one, two) = (id_of(&reqs, "1"), id_of(&reqs, "2"));
                assert_ne!(one, two);
                // Both in one write, the later request's first.
                send(
                    &theirs,
                    &format!("{{\"id\":{two},\"ok\":\"two\"}}\n{{\"id\":{one},\"ok\":\"one\"}}\n"),
                )
                .await;
            };
            let ((one, two), ()) = both(calls, peer).await;
            assert_eq!(one.unwrap().unwrap(), json!("one"));
            assert_eq!(two.unwrap().unwrap(), json!("two"));
        });
    }

    #[test]
    fn an_unreadable_reply_is_an_error_for_its_call_and_an_end_fails_the_rest() {
        run(async {
            let (agent, theirs) = link();
            let calls = both(agent.call(session("1")), agent.call(session("2")));
            let peer = async {
                let reqs = requests(&theirs, &mut Vec::new(), 2).await;
                let one = id_of(&reqs, "1");
                // A failure of a kind this build does not know, then a line that is no reply.
                send(
                    &theirs,
                    &format!("{{\"id\":{one},\"err\":{{\"from-the-future\":{{}}}}}}\nnot json\n"),
                )
                .await;
                theirs.shutdown(std::net::Shutdown::Both).unwrap();
            };
            let ((one, two), ()) = both(calls, peer).await;
            assert!(
                matches!(one, Ok(Err(Failure::Other { ref reason })) if reason.contains("cannot read")),
                "{one:?}"
            );
            assert!(matches!(two, Err(Lost::Closed(None))), "{two:?}");
        });
    }

    /// A call given up (its bound passed) leaves the others whole: the one still waiting
    /// reads its own reply, and the given-up call's slot is gone.
    #[test]
    fn a_call_given_up_does_not_strand_the_others() {
        run(async {
            let (agent, theirs) = link();
            let mut buf = Vec::new();
            let waiting = agent.call(session("2"));
            let rest = async {
                // Session 1's call is dropped as soon as both requests have arrived.
                let given_up = first_of(agent.call(session("1")), requests(&theirs, &mut buf, 2));
                let Err(reqs) = given_up.await else {
                    panic!("no reply was sent")
                };
                let two = id_of(&reqs, "2");
                let one = id_of(&reqs, "1");
                // The late reply to the given-up call is read and dropped, not misdelivered.
                send(
                    &theirs,
                    &format!("{{\"id\":{one},\"ok\":1}}\n{{\"id\":{two},\"ok\":2}}\n"),
                )
                .await;
            };
            let (two, ()) = both(waiting, rest).await;
            assert_eq!(two.unwrap().unwrap(), json!(2));
            assert!(agent.mux.borrow().slots.is_empty());
        });
    }

    #[test]
    fn an_interruption_goes_out_at_once_and_only_once() {
        run(async {
            let (agent, theirs) = link();
            agent.interrupt("SIGINT");
            agent.interrupt("SIGTERM");
            // There before any call is made (nothing else would send it).
            let mut buf = Vec::new();
            let sent = requests(&theirs, &mut buf, 1).await;
            let want = json!({"id": 0, "call": "interrupt", "signal": "SIGINT"});
            assert_eq!(sent, [want]);
            let peer = async {
                let reqs = requests(&theirs, &mut buf, 1).await;
                assert_eq!(reqs[0]["session"], "1", "{reqs:?}");
                send(
                    &theirs,
                    &format!("{{\"id\":{},\"ok\":null}}\n", reqs[0]["id"]),
                )
                .await;
            };
            let (r, ()) = both(agent.call(session("1")), peer).await;
            assert_eq!(r.unwrap().unwrap(), Value::Null);
        });
    }
}
