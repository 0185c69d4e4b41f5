//! The stream from ssh, looked at before zbus reads it. A login script on the remote side that
//! prints (an `echo` in `.bashrc`) puts its text ahead of the bridge's first answer, and zbus
//! does not survive every such text (an empty first line makes it index out of bounds). A bus
//! answers a client's `AUTH` with `OK`, `REJECTED`, `DATA` or `ERROR`: a stream that starts with
//! anything else is refused with [`NOT_A_BUS`] before zbus sees a byte of it.

use std::future::poll_fn;
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_io::{AsyncRead, AsyncWrite};
use zbus::connection::socket::{ReadHalf, Socket, Split, WriteHalf};
use zbus::export::async_trait::async_trait;
use zruntime::Shared;
use zruntime::net::unix::UnixStream;

/// The error text a refused stream fails with (recognised by [`is_not_a_bus`]).
pub(super) const NOT_A_BUS: &str =
    "the remote side printed text before the bus answered (a login script that prints?)";

/// Whether a failed handshake is the refusal of this module.
pub(super) fn is_not_a_bus(e: &zbus::Error) -> bool {
    matches!(e, zbus::Error::InputOutput(io) if io.to_string() == NOT_A_BUS)
}

/// The error text of a stream that turned out to be logoff's agent (see [`is_agent`]).
const AGENT: &str = "the remote side is logoff's agent, not a bus";

/// Whether a failed handshake met logoff's agent: its first line is in the [`Guarded`]'s
/// `ahead`, and the stream is whole (zbus never closed it).
pub(super) fn is_agent(e: &zbus::Error) -> bool {
    matches!(e, zbus::Error::InputOutput(io) if io.to_string() == AGENT)
}

/// One end of the socketpair whose other end is ssh's stdin and stdout. `ahead` gets what was
/// read when the answer is the agent's (a JSON object) rather than a bus's: the caller keeps
/// the stream and speaks the agent protocol on it.
#[derive(Debug)]
pub(super) struct Guarded {
    pub(super) stream: Arc<UnixStream<Shared>>,
    pub(super) ahead: Arc<Mutex<Option<Vec<u8>>>>,
}

impl Socket for Guarded {
    type ReadHalf = Reader;
    type WriteHalf = Writer;

    fn split(self) -> Split<Reader, Writer> {
        Split::new(
            Reader {
                s: Arc::clone(&self.stream),
                first: true,
                ahead: Arc::clone(&self.ahead),
            },
            Writer {
                s: self.stream,
                ahead: self.ahead,
            },
        )
    }
}

#[derive(Debug)]
pub(super) struct Reader {
    s: Arc<UnixStream<Shared>>,
    /// No byte has been read yet.
    first: bool,
    ahead: Arc<Mutex<Option<Vec<u8>>>>,
}

/// Whether `b` can begin a bus's answer to `AUTH`.
fn begins_an_answer(b: u8) -> bool {
    matches!(b, b'O' | b'R' | b'D' | b'E')
}

#[async_trait]
impl ReadHalf for Reader {
    async fn recvmsg(&mut self, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
        let mut s = &*self.s;
        let n = poll_fn(|cx| Pin::new(&mut s).poll_read(cx, buf)).await?;
        if n > 0 && std::mem::take(&mut self.first) && !begins_an_answer(buf[0]) {
            if buf[0] == b'{' {
                if let Ok(mut a) = self.ahead.lock() {
                    *a = Some(buf[..n].to_vec());
                }
                return Err(io::Error::new(io::ErrorKind::InvalidData, AGENT));
            }
            return Err(io::Error::new(io::ErrorKind::InvalidData, NOT_A_BUS));
        }
        // Only bytes come over ssh, never file descriptors.
        Ok((n, Vec::new()))
    }
}

#[derive(Debug)]
pub(super) struct Writer {
    s: Arc<UnixStream<Shared>>,
    ahead: Arc<Mutex<Option<Vec<u8>>>>,
}

#[async_trait]
impl WriteHalf for Writer {
    async fn sendmsg(&mut self, buf: &[u8], _fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        let mut s = &*self.s;
        poll_fn(|cx| Pin::new(&mut s).poll_write(cx, buf)).await
    }

    async fn close(&mut self) -> io::Result<()> {
        // The agent's stream lives on without zbus.
        if self.ahead.lock().is_ok_and(|a| a.is_some()) {
            return Ok(());
        }
        self.s.shutdown(std::net::Shutdown::Both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bus_answer_may_come_first() {
        for b in *b"ORDE" {
            assert!(begins_an_answer(b));
        }
        for b in *b"\n\r \0hLo" {
            assert!(!begins_an_answer(b));
        }
    }

    /// A peer that prints an empty line first: a clean error, where zbus alone panicked.
    #[test]
    fn text_before_the_bus_is_refused() {
        crate::block_on(async {
            let rt = zruntime::SharedRuntime::current().unwrap();
            let (ours, theirs) = UnixStream::pair(&rt).unwrap();
            let mut t = &theirs;
            poll_fn(|cx| {
                Pin::new(&mut t).poll_write(cx, b"\nOK 0123456789abcdef0123456789abcdef\r\n")
            })
            .await
            .unwrap();
            let built = zbus::connection::Builder::socket(Guarded {
                stream: Arc::new(ours),
                ahead: Arc::default(),
            })
            .build()
            .await;
            let Err(e) = built else {
                panic!("a stream that starts with text was taken for a bus")
            };
            assert!(is_not_a_bus(&e), "{e:?}");
        });
    }
}
