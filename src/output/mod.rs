//! Results and progress turned into what the user reads: [`text`] (localized, one line per
//! message, everything from users and hosts shown safely), [`table`] (the listings of qwinsta
//! and quser), [`json`] (one document for scripts, `--json`) and the terminal's live progress
//! line ([`Progress`]). Only the binaries write what these return.

pub mod json;
pub mod table;
pub mod text;

/// Whether stdout was closed when logoff started (`logoff >&-`): what it prints is lost, which
/// is an error like any other failed write.
pub fn stdout_was_closed() -> bool {
    crate::sys::stdout_was_closed()
}

/// The live count of hosts done, redrawn in place on a terminal (stderr), never elsewhere.
pub struct Progress {
    on_terminal: bool,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    pub fn new(on_terminal: bool) -> Progress {
        Progress {
            on_terminal,
            shown: std::cell::Cell::new(false),
        }
    }

    /// What erases the line, if one is shown (before any other output, and at the end).
    pub fn clear(&self) -> Option<&'static str> {
        self.shown.replace(false).then_some("\r\x1b[K")
    }

    /// The line of a warning's delay: how long until the logoff, and how to cancel it.
    pub fn countdown(
        &self,
        l: &crate::i18n::Localizer,
        left: std::time::Duration,
    ) -> Option<String> {
        if !self.on_terminal {
            return None;
        }
        self.shown.set(true);
        let time = crate::output::text::notice_time(l, left);
        Some(format!(
            "\r\x1b[K{}",
            l.tr("progress-countdown", &[("time", time.into())])
        ))
    }

    /// The line for `done` of `total` hosts, while some are left and the run goes on.
    pub fn line(
        &self,
        l: &crate::i18n::Localizer,
        done: usize,
        total: usize,
        interrupted: bool,
    ) -> Option<String> {
        if !self.on_terminal || done >= total || interrupted {
            return None;
        }
        self.shown.set(true);
        let args = [("done", done.into()), ("total", total.into())];
        Some(l.tr("progress", &args))
    }
}
