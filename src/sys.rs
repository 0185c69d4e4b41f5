//! The only `unsafe` in the crate: user lookups through the C library's NSS (`getpwnam_r`,
//! `getpwuid_r`), so LDAP, SSSD and systemd-userdb users are found as every other tool finds
//! them; local time (`localtime_r`, for logon times); and a look at stdout before Rust's
//! runtime hides that it was closed. rustix covers everything else without `unsafe`.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};

/// What NSS says about a user name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserLookup {
    Exists,
    NoSuchUser,
    /// The lookup itself failed (NSS module down, ...): nothing can be said.
    Unknown,
}

/// Calls `f(pwd, buf, len, result)` with a buffer that grows while it reports `ERANGE`; returns
/// the login name and UID of the entry found.
fn lookup(
    mut f: impl FnMut(
        *mut libc::passwd,
        *mut libc::c_char,
        libc::size_t,
        *mut *mut libc::passwd,
    ) -> libc::c_int,
) -> Result<Option<(String, u32)>, ()> {
    let mut len = 1024usize;
    loop {
        let mut buf = vec![0 as libc::c_char; len];
        // SAFETY: `passwd` is plain old data; an all-zero value is a valid (empty) one, and the
        // C library only writes to it.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = f(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc == libc::ERANGE && len < 1 << 20 {
            len *= 4;
            continue;
        }
        if rc != 0 {
            return Err(());
        }
        if result.is_null() {
            return Ok(None);
        }
        // SAFETY: on success `result` points to `pwd`, whose `pw_name` points into `buf`, a NUL
        // terminated string that lives as long as `buf` does (until the end of this scope).
        let name = unsafe { CStr::from_ptr(pwd.pw_name) };
        return Ok(Some((name.to_string_lossy().into_owned(), pwd.pw_uid)));
    }
}

/// Whether `name` is a user on this machine.
pub(crate) fn user_exists(name: &str) -> UserLookup {
    let Ok(cname) = CString::new(name) else {
        return UserLookup::NoSuchUser;
    };
    // SAFETY: every pointer comes from `lookup`, valid for the sizes it gives; `cname` is a NUL
    // terminated string that outlives the call.
    let r = lookup(|pwd, buf, len, result| unsafe {
        libc::getpwnam_r(cname.as_ptr(), pwd, buf, len, result)
    });
    match r {
        Ok(Some(_)) => UserLookup::Exists,
        Ok(None) => UserLookup::NoSuchUser,
        Err(()) => UserLookup::Unknown,
    }
}

/// Whether stdout was closed when the process started (`logoff >&-`). Before `main`, Rust's
/// runtime opens /dev/null on a closed standard stream, so only a look taken earlier, from the
/// C library's constructors, can tell.
pub(crate) fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn look_at_stdout() {
    // SAFETY: fcntl(F_GETFD) on a descriptor number only reads the descriptor table; it fails
    // with EBADF exactly when the descriptor is not open.
    let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
}

// SAFETY: run by the C library before `main`, with the Rust runtime not set up yet:
// `look_at_stdout` makes one system call and stores an atomic, nothing else.
#[used]
#[unsafe(link_section = ".init_array")]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;

/// The login name of `uid`, if it has one.
pub(crate) fn user_name(uid: u32) -> Option<String> {
    // SAFETY: every pointer comes from `lookup`, valid for the sizes it gives.
    lookup(|pwd, buf, len, result| unsafe { libc::getpwuid_r(uid, pwd, buf, len, result) })
        .ok()
        .flatten()
        .map(|(name, _)| name)
}

/// The UID of the user `name`, if there is one.
pub(crate) fn user_id(name: &str) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    // SAFETY: as in `user_exists`.
    let r = lookup(|pwd, buf, len, result| unsafe {
        libc::getpwnam_r(cname.as_ptr(), pwd, buf, len, result)
    });
    r.ok().flatten().map(|(_, uid)| uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_both_ways() {
        assert_eq!(user_name(0).as_deref(), Some("root"));
        assert_eq!(user_exists("root"), UserLookup::Exists);
        assert_eq!(
            user_exists("no-such-user-for-logoff-tests"),
            UserLookup::NoSuchUser
        );
        assert_eq!(user_exists("nul\0inside"), UserLookup::NoSuchUser);
        assert_eq!(user_id("root"), Some(0));
        assert_eq!(user_id("no-such-user-for-logoff-tests"), None);
    }
}

/// A moment in the local time zone (the C library's view: `TZ`, else /etc/localtime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// `secs` since the epoch in local time; `None` if the C library cannot convert it.
pub(crate) fn local_time(secs: i64) -> Option<LocalTime> {
    #[allow(
        clippy::useless_conversion,
        reason = "time_t is 32 bits on some targets"
    )]
    let t: libc::time_t = secs.try_into().ok()?;
    // SAFETY: `tm` is plain old data; an all-zero value is valid and only written to.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals for the duration of the call; localtime_r is
    // the thread-safe form (it sets the time zone up itself in glibc and musl).
    let r = unsafe { libc::localtime_r(&t, &mut tm) };
    if r.is_null() {
        return None;
    }
    Some(LocalTime {
        year: tm.tm_year + 1900,
        month: u32::try_from(tm.tm_mon + 1).ok()?,
        day: u32::try_from(tm.tm_mday).ok()?,
        hour: u32::try_from(tm.tm_hour).ok()?,
        minute: u32::try_from(tm.tm_min).ok()?,
    })
}
