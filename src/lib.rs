//! logoff: log users off systemd-logind session hosts, locally or over SSH, one host or a fleet.
//!
//! The Windows Server `logoff` command for Linux, with its `qwinsta` and `quser`. Each binary
//! (`src/main.rs`, `src/bin/`) is one line that names its verb; [`app`] parses, plans, runs
//! the verb and prints; everything else is this library, one module per boundary:
//!
//! - [`cli`]: the switch table, and the Windows/GNU grammar, `/?`, man page parts and
//!   completions it drives.
//! - [`plan`]: from parsed switches to hosts and a selector; nothing runs before it passed.
//! - [`transport`]: the one connect step (local bus, or ssh + systemd-stdio-bridge, whose
//!   prompts logoff asks itself: `transport::askpass`).
//! - [`backend`]: what a verb needs from a session host (logind today), chosen per host.
//! - [`session`]: sessions, and what a session argument denotes (IDs, names, users).
//! - [`ops`]: the verbs over a backend (logoff, the listing); [`fleet`]: the bounded pool of
//!   hosts.
//! - [`output`]: results, events and errors as localized text, tables and JSON, and the
//!   progress line.
//! - [`error`], [`i18n`]: typed errors with exit codes; Fluent catalogs.
//! - [`stop`]: every wait bounded in time and interruptible (Ctrl-C, SIGTERM, SIGHUP).
//! - [`audit`]: the audit record of every logoff, before and after.
//! - `sys`: NSS user lookups and the look at stdout before `main`: the one module with
//!   `unsafe`.
#![deny(unsafe_code)]

pub(crate) mod agent;
pub mod app;
pub mod audit;
pub(crate) mod backend;
pub mod cli;
pub mod error;
pub mod fleet;
pub mod i18n;
pub mod ops;
pub mod output;
pub mod plan;
pub(crate) mod session;
pub mod stop;
pub(crate) mod sys;
pub mod transport;

/// Runs a future to completion on this thread (zbus's own runtime drives the connections).
pub use zbus::block_on;
