//! Login records (`/run/utmp`, and `/var/log/wtmp` for the history): what `who` reads, what
//! login and sshd write. Read and written as the C library lays them out, under the same
//! whole-file `fcntl` lock the C library takes, so a login or logout that runs at the same
//! time never interleaves with us.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{FlockOperation, fcntl_lock};

/// Where the C library keeps the records (`_PATH_UTMP`, `_PATH_WTMP`).
pub(crate) const UTMP: &str = "/run/utmp";
pub(crate) const WTMP: &str = "/var/log/wtmp";

/// `ut_type` values.
pub(crate) const USER_PROCESS: i16 = 7;
const DEAD_PROCESS: i16 = 8;

/// The layout of `struct utmp`: 64-bit glibc keeps 32-bit times in it on x86-64 (for files
/// shared with 32-bit programs), full-width ones elsewhere.
mod layout {
    pub const TYPE: usize = 0;
    pub const PID: usize = 4;
    pub const LINE: (usize, usize) = (8, 32);
    pub const USER: (usize, usize) = (44, 32);
    pub const HOST: (usize, usize) = (76, 256);
    pub const EXIT: (usize, usize) = (332, 4);
    #[cfg(any(target_arch = "x86_64", target_pointer_width = "32"))]
    pub const TV: (usize, usize) = (340, 4); // tv_sec, tv_usec as i32
    #[cfg(any(target_arch = "x86_64", target_pointer_width = "32"))]
    pub const SIZE: usize = 384;
    #[cfg(not(any(target_arch = "x86_64", target_pointer_width = "32")))]
    pub const TV: (usize, usize) = (344, 8);
    #[cfg(not(any(target_arch = "x86_64", target_pointer_width = "32")))]
    pub const SIZE: usize = 400;
}
use layout::SIZE;

/// How long to wait for another program's lock on the file (the C library waits 10 s; a
/// logoff's bound is shorter).
const LOCK_BOUND: Duration = Duration::from_secs(2);

/// One login record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub kind: i16,
    pub pid: i32,
    /// The terminal, without `/dev/` (`pts/3`, `tty1`, `:0`).
    pub line: String,
    pub user: String,
    pub host: String,
    /// When it was written, in microseconds since the epoch.
    pub time_us: u64,
}

fn text(buf: &[u8], (at, len): (usize, usize)) -> String {
    let field = &buf[at..at + len];
    let end = field.iter().position(|b| *b == 0).unwrap_or(len);
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn int(buf: &[u8], at: usize, width: usize) -> i64 {
    match width {
        2 => i16::from_ne_bytes([buf[at], buf[at + 1]]).into(),
        4 => i32::from_ne_bytes(buf[at..at + 4].try_into().unwrap_or_default()).into(),
        _ => i64::from_ne_bytes(buf[at..at + 8].try_into().unwrap_or_default()),
    }
}

fn parse(buf: &[u8]) -> Record {
    let (tv, w) = layout::TV;
    let secs = int(buf, tv, w).max(0) as u64;
    let usecs = int(buf, tv + w, w).clamp(0, 999_999) as u64;
    Record {
        kind: int(buf, layout::TYPE, 2) as i16,
        pid: int(buf, layout::PID, 4) as i32,
        line: text(buf, layout::LINE),
        user: text(buf, layout::USER),
        host: text(buf, layout::HOST),
        time_us: secs.saturating_mul(1_000_000).saturating_add(usecs),
    }
}

/// Every record of `bytes` (a trailing partial record is ignored, as the C library does).
pub(crate) fn records(bytes: &[u8]) -> Vec<Record> {
    bytes.chunks_exact(SIZE).map(parse).collect()
}

/// The records of `path`; none if it does not exist.
pub(crate) fn read(path: &str) -> std::io::Result<Vec<Record>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(records(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Takes the C library's write lock on `file`, waiting a bounded time for another holder.
fn lock(file: &File) -> std::io::Result<()> {
    let until = Instant::now() + LOCK_BOUND;
    loop {
        match fcntl_lock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(()),
            Err(e)
                if Instant::now() < until
                    && (e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS) =>
            {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Turns `buf` into the record of a logout, as logout(3) does: dead, no user, no host, now.
fn to_dead(buf: &mut [u8]) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    buf[layout::TYPE..layout::TYPE + 2].copy_from_slice(&DEAD_PROCESS.to_ne_bytes());
    for (at, len) in [layout::USER, layout::HOST, layout::EXIT] {
        buf[at..at + len].fill(0);
    }
    let (tv, w) = layout::TV;
    let (secs, usecs) = (now.as_secs() as i64, i64::from(now.subsec_micros()));
    for (at, v) in [(tv, secs), (tv + w, usecs)] {
        match w {
            4 => buf[at..at + 4].copy_from_slice(&(v as i32).to_ne_bytes()),
            _ => buf[at..at + 8].copy_from_slice(&v.to_ne_bytes()),
        }
    }
}

/// Marks the live record of `pid` on `line` dead in `utmp`, and appends the logout to `wtmp`
/// (if it exists), as login and sshd do when a session ends. Whether a record was marked.
pub(crate) fn mark_dead(utmp: &str, wtmp: &str, pid: i32, line: &str) -> std::io::Result<bool> {
    let mut file = match File::options().read(true).write(true).open(utmp) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    lock(&file)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut marked = None;
    for (i, chunk) in bytes.chunks_exact_mut(SIZE).enumerate() {
        let r = parse(chunk);
        if r.kind == USER_PROCESS && r.pid == pid && r.line == line {
            to_dead(chunk);
            file.write_all_at(chunk, (i * SIZE) as u64)?;
            marked = Some(chunk.to_vec());
        }
    }
    // The lock goes with the descriptor.
    drop(file);
    let Some(record) = marked else {
        return Ok(false);
    };
    if let Ok(mut log) = File::options().append(true).open(wtmp) {
        lock(&log)?;
        // A torn earlier write must not shift every later record: append on a record boundary.
        let end = log.seek(SeekFrom::End(0))?;
        if end % SIZE as u64 != 0 {
            log.set_len(end - end % SIZE as u64)?;
        }
        log.write_all(&record)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: i16, pid: i32, line: &str, user: &str, host: &str) -> Vec<u8> {
        let mut b = vec![0u8; SIZE];
        b[0..2].copy_from_slice(&kind.to_ne_bytes());
        b[4..8].copy_from_slice(&pid.to_ne_bytes());
        b[8..8 + line.len()].copy_from_slice(line.as_bytes());
        b[44..44 + user.len()].copy_from_slice(user.as_bytes());
        b[76..76 + host.len()].copy_from_slice(host.as_bytes());
        let (tv, w) = layout::TV;
        b[tv..tv + w].copy_from_slice(&1_700_000_000i64.to_ne_bytes()[..w]);
        b
    }

    #[test]
    fn records_are_read_as_the_c_library_writes_them() {
        let mut bytes = record(USER_PROCESS, 285, "pts/0", "alice", "10.0.0.1");
        bytes.extend(record(DEAD_PROCESS, 300, "pts/1", "", ""));
        bytes.extend([1, 2, 3]); // torn tail
        let r = records(&bytes);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0],
            Record {
                kind: USER_PROCESS,
                pid: 285,
                line: "pts/0".into(),
                user: "alice".into(),
                host: "10.0.0.1".into(),
                time_us: 1_700_000_000_000_000,
            }
        );
        assert_eq!(r[1].kind, DEAD_PROCESS);
    }

    #[test]
    fn marking_dead_touches_only_that_record_and_logs_it() {
        let dir = std::env::temp_dir().join(format!("logoff-utmp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (utmp, wtmp) = (dir.join("utmp"), dir.join("wtmp"));
        let mut bytes = record(USER_PROCESS, 285, "pts/0", "alice", "h");
        bytes.extend(record(USER_PROCESS, 286, "pts/1", "bob", "h"));
        std::fs::write(&utmp, &bytes).unwrap();
        std::fs::write(&wtmp, [7u8; 5]).unwrap(); // a torn record first
        let (u, w) = (utmp.to_str().unwrap(), wtmp.to_str().unwrap());
        assert!(mark_dead(u, w, 285, "pts/0").unwrap());
        assert!(!mark_dead(u, w, 285, "pts/0").unwrap(), "already dead");
        assert!(
            !mark_dead(u, w, 286, "pts/0").unwrap(),
            "pid and line must both match"
        );
        let r = read(u).unwrap();
        assert_eq!(
            (r[0].kind, r[0].user.as_str(), r[0].line.as_str()),
            (DEAD_PROCESS, "", "pts/0")
        );
        assert_eq!((r[1].kind, r[1].user.as_str()), (USER_PROCESS, "bob"));
        let log = read(w).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].kind, log[0].pid), (DEAD_PROCESS, 285));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
