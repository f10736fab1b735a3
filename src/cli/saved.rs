//! Saved states and profiles: where a command writes one, and how they are read back.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use clap::Args;

use super::output::write_atomically;
use super::Error;
use crate::run::saved::Saved;

/// Where a command that writes a state or a profile writes it.
#[derive(Debug, Clone, Args)]
pub struct SavedOutput {
    /// Write it to FILE (whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write it as one line of text on stdout (base64), for engines that move lines.
    #[arg(long, conflicts_with = "output")]
    pub line: bool,
}

impl SavedOutput {
    /// Refuses to write binary to a terminal or a pipe unasked: one of -o and --line.
    pub fn check(&self) -> Result<(), Error> {
        if self.output.is_none() && !self.line {
            return Err(super::usage_error(
                "say where it goes: -o FILE, or --line for one line on stdout".into(),
            ));
        }
        Ok(())
    }

    /// Refuses an `-o` that names one of `inputs` (logs, states, profiles, keyed lines),
    /// but not a state or profile a directory of logs holds: a run skips it as no log.
    pub fn refuse_inputs(&self, inputs: &[PathBuf]) -> Result<(), Error> {
        let Some(path) = &self.output else { return Ok(()) };
        let mut read = crate::input::expand(inputs).0;
        read.retain(|i| {
            !(i.listed && matches!(&i.source, crate::input::Source::File(p) if Saved::is_saved(p)))
        });
        super::output::refuse_inputs(path, "-o", &read)
    }

    pub fn write(&self, saved: &Saved) -> Result<(), Error> {
        match &self.output {
            Some(path) => write_atomically(path, &saved.encode(), false)
                .map_err(|source| Error::Output { path: path.display().to_string(), source }),
            None => {
                let mut out = io::stdout().lock();
                let written = writeln!(out, "{}", saved.to_line()).and_then(|_| out.flush());
                match written {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write(e)),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// A saved state or profile from a file, or each line of stdin for `-`.
pub fn read_saved(sources: &[PathBuf]) -> Result<Vec<(String, Saved)>, Error> {
    let mut all = Vec::new();
    for path in sources {
        if path.as_os_str() == "-" {
            for (i, line) in io::stdin().lock().lines().enumerate() {
                let line = line.map_err(Error::ReadStdin)?;
                if line.trim().is_empty() {
                    continue;
                }
                let name = format!("standard input, line {}", i + 1);
                all.push((name.clone(), Saved::from_line(&line, &name)?));
            }
        } else {
            all.push((path.display().to_string(), Saved::read(path)?));
        }
    }
    Ok(all)
}

/// This darklog, for what it writes.
pub fn written_by() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
