//! `darklog-lists`: rewrites darklog's generated tables (`src/classify/data/crawlers.tsv`,
//! `matomo.tsv`) from the upstream lists in `data/upstream/`. `--check` only compares,
//! and exits 1 if a table differs from what the lists make.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(_) => {
            eprintln!("usage: darklog-lists [--check]");
            return ExitCode::from(2);
        }
    };
    let root = darklog_lists::root();
    let tables = match darklog_lists::generate(&darklog_lists::upstream_dir(&root)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("darklog-lists: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = darklog_lists::tables_dir(&root);
    let mut differ = false;
    for t in tables {
        let path = dir.join(t.name);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old == t.text {
            println!("{}: up to date", path.display());
        } else if check {
            println!("{}: differs from what the upstream lists make", path.display());
            differ = true;
        } else if let Err(e) = std::fs::write(&path, &t.text) {
            eprintln!("darklog-lists: {}: {e}", path.display());
            return ExitCode::from(2);
        } else {
            println!("{}: written ({} lines)", path.display(), t.text.lines().count());
        }
    }
    if differ {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
