//! The verbs, each over a [`Backend`](crate::backend::Backend) per host: only `logoff` today;
//! the listing (`query`) and the warning step come here as verbs of their own.

pub mod logoff;
