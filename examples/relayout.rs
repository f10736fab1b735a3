//! A combined log on stdin, rewritten into another layout on stdout: what
//! `benches/compare.sh` times the other readers on. The rewriter is the end-to-end
//! tests' own (`tests/e2e/relayout.rs`).
//!
//!     cargo run --release --example relayout -- json < big.log > big.json

// The tests use the parts the rewrite alone does not.
#[allow(dead_code)]
#[path = "../tests/e2e/relayout.rs"]
mod relayout;

use std::io::{Read, Write};

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(layout) = relayout::Layout::from_name(&name) else {
        let names: Vec<&str> = relayout::Layout::ALL.iter().map(|l| l.name()).collect();
        eprintln!("usage: relayout LAYOUT < combined.log (layouts: {})", names.join(", "));
        std::process::exit(1);
    };
    let mut log = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut log) {
        eprintln!("relayout: reading stdin: {e}");
        std::process::exit(2);
    }
    // A block at a time, so that the rewrite of a big log needs little more memory than it.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut start = 0;
    while start < log.len() {
        let end = memchr::memchr(b'\n', &log[(start + (1 << 20)).min(log.len())..])
            .map_or(log.len(), |i| (start + (1 << 20)).min(log.len()) + i + 1);
        if out.write_all(&relayout::relayout(&log[start..end], layout)).is_err() {
            std::process::exit(0);
        }
        start = end;
    }
    let _ = out.flush();
}
