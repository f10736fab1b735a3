//! End-to-end tests: the built binary on files in `fixtures/`, exact output asserted.
//! One integration-test binary (this one) so CI links once.
//!
//! Expected outputs live in `fixtures/expected/`; after an intended change, rerun with
//! `DARKLOG_BLESS=1` to rewrite them and review the diff like code.

mod agents;
mod analyze;
mod evidence;
mod formats;
mod fuzz;
mod generated;
mod house;
mod inputs;
mod layouts;
mod lists;
mod messy;
mod order;
mod output;
mod parts;
mod real;
mod relayout;
mod report;
mod splits;
mod state;
mod streams;
mod suites;
mod util;
