//! logoff: log users off systemd-logind session hosts, locally or over SSH, one host or a fleet.
//!
//! The Windows Server `logoff` command for Linux. The binary (`src/main.rs`) only parses, calls
//! in here and prints; everything else is this library:
//!
//! - [`cli`]: the Windows/GNU command-line grammar, parsed by hand.
//! - [`transport`]: the one connect step (local bus, or ssh + systemd-stdio-bridge);
//!   [`askpass`]: ssh's prompts, asked on logoff's own terminal.
//! - [`logind`]: the org.freedesktop.login1 calls, and waiting for a session to be gone.
//! - [`session`]: what a session argument denotes (IDs, names, `console`, users).
//! - [`logoff`]: one host's logoff, end to end; [`fleet`]: many hosts in parallel.
//! - [`error`], [`i18n`], [`report`]: typed errors with exit codes, Fluent catalogs, wording.
//! - [`stop`]: every wait bounded in time and interruptible (Ctrl-C, SIGTERM, SIGHUP).
//! - [`audit`]: the audit record of every logoff, before and after.
//! - [`sys`]: NSS user lookups, the one module with `unsafe`.
#![deny(unsafe_code)]

pub mod askpass;
pub mod audit;
pub mod cli;
pub mod error;
pub mod fleet;
pub mod i18n;
pub mod logind;
pub mod logoff;
pub mod report;
pub mod session;
pub mod stop;
pub mod sys;
pub mod transport;

/// Runs a future to completion on this thread (zbus's own runtime drives the connections).
pub use zbus::block_on;
