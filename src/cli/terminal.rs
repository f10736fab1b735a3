//! The terminal darklog talks to: its width for tables, and notices and the progress bar
//! on stderr.

use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::common::MIN_WIDTH;
use crate::report::table::printable;
use crate::run::Observer;

/// The terminal's width, or `COLUMNS` where the terminal says none (a serial console,
/// some CI runners report 0 columns), as `ls` and most tools fall back.
pub(super) fn terminal_width() -> Option<usize> {
    let columns = || std::env::var("COLUMNS").ok()?.trim().parse::<u16>().ok();
    let width =
        comfy_table::Table::new().width().filter(|&w| w > 0).or_else(|| columns().filter(|&w| w > 0))?;
    Some(usize::from(width.max(MIN_WIDTH)))
}

/// Prints notices on stderr and drives the progress bar.
pub struct Terminal {
    quiet: bool,
    bar: Option<ProgressBar>,
}

impl Terminal {
    pub fn new(quiet: bool) -> Terminal {
        let show_bar = !quiet && io::stderr().is_terminal();
        let bar = show_bar.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Terminal { quiet, bar }
    }

    /// Clears the progress bar: the run is over.
    pub fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn say(&self, message: &str) {
        // Notices quote the logs (a malformed line, an inferred host): no terminal control
        // from them reaches the terminal.
        let message = printable(message);
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("darklog: {message}")),
            None => eprintln!("darklog: {message}"),
        }
    }
}

impl Observer for Terminal {
    fn notice(&mut self, message: String) {
        if !self.quiet {
            self.say(&message);
        }
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        }
    }
}
