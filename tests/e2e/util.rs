use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// `../shared/data` beside the project, when this machine has it. Under CI (`CI` set) it
/// must be there: a test that needs it fails rather than passing without looking.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{} is missing, and CI is set: the tests that read it cannot be skipped", p.display());
    }
    eprintln!("skipped: {} is not on this machine", p.display());
    None
}

/// What a run of the binary left.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_darklog"));
    c.env_remove("DARKLOG_VISITOR_KEY").env_remove("NO_COLOR").current_dir(root());
    c
}

pub fn darklog(args: &[&str]) -> Run {
    cmd().args(args).stdin(Stdio::null()).output().expect("darklog runs").into()
}

pub fn darklog_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut command = cmd();
    command.args(args);
    with_stdin(command, input).into()
}

/// Runs `command` with `input` on its stdin, written by a thread while its output is read
/// (neither side waits on a full pipe).
pub fn with_stdin(mut command: Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("darklog runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("darklog finishes");
    feeder.join().unwrap();
    out
}

/// Compares `actual` with `fixtures/expected/<name>` (or rewrites it under DARKLOG_BLESS).
pub fn expect_file(name: &str, actual: &str) {
    let path = fixture("expected").join(name);
    if std::env::var_os("DARKLOG_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with DARKLOG_BLESS=1 and review it", path.display()));
    if want != actual {
        panic!("output differs from {}\n--- expected\n{want}\n--- actual\n{actual}", path.display());
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A generated log: what `darklog-gen --lines LINES --seed SEED` writes.
pub fn generate(lines: u64, seed: u64) -> Vec<u8> {
    darklog_gen::generate(&darklog_gen::GenConfig { lines, seed, ..Default::default() })
}

/// A generated rotated set (`access.log`, `access.log.1`, `access.log.2.gz`…) and its
/// `truth.csv` in `dir`, as `darklog-gen --out-dir DIR --files FILES` writes it.
pub fn generate_set(dir: &Path, lines: u64, seed: u64, files: u32) {
    let cfg = darklog_gen::GenConfig { lines, seed, ..Default::default() };
    std::fs::create_dir_all(dir).unwrap();
    darklog_gen::write_set(&cfg, dir, files, false, true).expect("the generator writes its set");
}

/// The sum of a JSON `lines` object's terms (every field but `read`): what `read` must
/// equal for the accounting to balance, whatever terms a version adds.
pub fn parts_of(lines: &serde_json::Value) -> u64 {
    lines
        .as_object()
        .expect("lines is an object")
        .iter()
        .filter(|(k, _)| k.as_str() != "read")
        .map(|(k, v)| v.as_u64().unwrap_or_else(|| panic!("lines.{k} is a count")))
        .sum()
}

/// A generated log and its truth CSV, for any generator settings.
pub fn generate_with_truth(cfg: &darklog_gen::GenConfig) -> (Vec<u8>, String) {
    let (mut log, mut truth) = (Vec::new(), Vec::new());
    darklog_gen::write_stream(cfg, &mut log, Some(&mut truth)).expect("the generator writes to memory");
    (log, String::from_utf8(truth).expect("the truth is UTF-8"))
}

/// `data` compressed as `kind` (`gz`, `bz2`, `xz`, `zst`), as the usual tools write it.
pub fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "gz" => gzip(data),
        "bz2" => {
            // 100 KB blocks: a corrupt one leaves the blocks before it readable.
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "xz" => {
            let mut e = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "zst" => zstd::stream::encode_all(data, 3).unwrap(),
        _ => panic!("no compression {kind}"),
    }
}

/// The first `n` lines of `data`, and the rest.
pub fn split_lines(data: &[u8], n: usize) -> (&[u8], &[u8]) {
    let at = data
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(n.saturating_sub(1))
        .map_or(data.len(), |(i, _)| i + 1);
    let at = if n == 0 { 0 } else { at };
    data.split_at(at)
}

/// The JSON report of a run, parsed (the run must have printed one).
pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// `12,345`: a count as the reports write it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
