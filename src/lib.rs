//! darklog: how much of a site's traffic is dark social, from its access logs.
//!
//! The data flows one way, and so do the modules:
//! [`input`] (files, gzip, blocks) → [`parse`] (log formats) → [`session`] (visits)
//! → [`classify`] (rules and their data) → [`report`] (aggregates and output formats).
//! [`engine`] moves blocks of lines through threads without knowing what they hold;
//! [`run`] is the analysis itself, a fold of parsed lines into one state; [`identity`]
//! keys visitors; [`cli`] turns flags into a config and wires them.

mod bounded;
pub mod classify;
pub mod cli;
pub mod engine;
pub mod identity;
pub mod input;
pub mod parse;
pub mod report;
pub mod run;
pub mod session;
mod sorted;
pub mod time;
