//! The verbs, each over a [`Backend`](crate::backend::Backend) per host: `logoff`, and the
//! listing of `qwinsta` and `quser` (`query`); the warning step comes here as a verb of its own.

pub mod logoff;
pub mod query;
