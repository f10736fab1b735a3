//! darklog: how much of a site's traffic is dark social, from its access logs.
//!
//! The data flows one way, and so do the modules:
//! [`input`] (files, gzip, blocks) → [`parse`] (log formats) → [`session`] (visits)
//! → [`classify`] (rules and their data) → [`report`] (aggregates and output formats).
//! [`pipeline`] runs those stages; [`cli`] turns flags into a config and wires them.

pub mod classify;
pub mod cli;
pub mod gen;
pub mod input;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod session;
pub mod time;
