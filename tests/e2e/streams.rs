//! Inputs that can be read only once (named pipes, `/dev/stdin`, process substitution,
//! devices) and compressed ones: every line read, whatever the path or the compression.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use crate::util::*;

/// A log longer than the sample each input's start is read for (1,000 lines, 256 KiB).
fn long_log() -> Vec<u8> {
    generate(3000, 5)
}

fn visits_args(path: &str) -> Vec<String> {
    ["analyze", path, "--report", "visits", "--format", "csv", "--visitor-key=e2e", "-q"]
        .map(String::from)
        .to_vec()
}

fn visits_of_file(dir: &Path, data: &[u8]) -> Run {
    let plain = write(dir, "plain.log", data);
    let r = cmd().args(visits_args(s(&plain))).stdin(Stdio::null()).output().unwrap().into();
    let r: Run = r;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().count() > 100, "a log with visits: {}", r.stdout);
    r
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(made.success());
}

/// Runs darklog on `path`, a FIFO, while another thread writes `data` into it.
fn through_fifo(args: &[String], fifo: &Path, data: Vec<u8>) -> Run {
    let fifo = fifo.to_path_buf();
    let writer = std::thread::spawn(move || {
        // Opening a FIFO for writing waits for its reader: darklog must open it once.
        let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        let _ = f.write_all(&data);
    });
    let r: Run = cmd().args(args).stdin(Stdio::null()).output().unwrap().into();
    writer.join().unwrap();
    r
}

#[test]
fn a_named_pipe_loses_no_line_and_gzip_through_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let want = visits_of_file(dir.path(), &log);
    for (name, data) in [("plain", log.clone()), ("gzip", gzip(&log)), ("zstd", compress("zst", &log))] {
        let fifo = dir.path().join(format!("{name}.fifo"));
        mkfifo(&fifo);
        let r = through_fifo(&visits_args(s(&fifo)), &fifo, data);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(r.stdout == want.stdout, "{name} through a FIFO gives the file's visits");
    }
}

#[test]
fn dev_stdin_and_process_substitution_lose_no_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let want = visits_of_file(dir.path(), &log);
    let gz = write(dir.path(), "access.log.gz", &gzip(&log));

    let r =
        darklog_stdin(&visits_args("/dev/stdin").iter().map(String::as_str).collect::<Vec<_>>(), &gzip(&log));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout == want.stdout, "/dev/stdin, gzip on a pipe");

    let script = format!(
        "exec \"$DARKLOG\" analyze <(cat '{}') --report visits --format csv --visitor-key=e2e -q",
        s(&gz)
    );
    let r: Run = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("DARKLOG", env!("CARGO_BIN_EXE_darklog"))
        .stdin(Stdio::null())
        .output()
        .expect("bash runs")
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout == want.stdout, "<(cat x.gz)");
}

#[test]
fn a_character_device_is_read_as_a_stream() {
    let r = darklog(&["analyze", "/dev/null", "fixtures/small.log", "--format", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(doc["lines"]["read"], 22, "/dev/null adds no line");
}

#[test]
fn bzip2_xz_and_zstd_are_recognised_by_their_magic_bytes_and_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let want = visits_of_file(dir.path(), &log);
    let (first, rest) = split_lines(&log, 1234);
    for kind in ["bz2", "xz", "zst"] {
        // Named as if plain: the content decides.
        let one = write(dir.path(), &format!("one-{kind}.log"), &compress(kind, &log));
        let r: Run = cmd().args(visits_args(s(&one))).stdin(Stdio::null()).output().unwrap().into();
        assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
        assert!(r.stdout == want.stdout, "{kind}: the plain file's visits");
        // Two streams appended (`cat a.bz2 b.bz2 > ab.bz2`): both read.
        let multi = [compress(kind, first), compress(kind, rest)].concat();
        let two = write(dir.path(), &format!("two.log.{kind}"), &multi);
        let r: Run = cmd().args(visits_args(s(&two))).stdin(Stdio::null()).output().unwrap().into();
        assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
        assert!(r.stdout == want.stdout, "{kind}: concatenated streams are read whole");
        // JSON names the compression the content had, whatever the file's name.
        let r = darklog(&["analyze", s(&one), "--format", "json", "-q"]);
        let input = &json(&r)["inputs"][0];
        let name = match kind {
            "bz2" => "bzip2",
            "zst" => "zstd",
            other => other,
        };
        assert_eq!(
            (&input["compression"], &input["gzip"]),
            (&serde_json::json!(name), &serde_json::json!(false))
        );
    }
    let gz = write(dir.path(), "plain-named.log", &compress("gz", &log));
    let doc = json(&darklog(&["analyze", s(&gz), "--format", "json", "-q"]));
    assert_eq!(
        (&doc["inputs"][0]["compression"], &doc["inputs"][0]["gzip"]),
        (&serde_json::json!("gzip"), &serde_json::json!(true))
    );
    let page = darklog(&["analyze", s(&gz), "--format", "html", "-q"]).stdout;
    assert!(page.contains("<td>combined, gzip</td>"), "the page's inputs say it too");
    let plain = write(dir.path(), "plain.log", &log);
    let doc = json(&darklog(&["analyze", s(&plain), "--format", "json", "-q"]));
    assert_eq!(doc["inputs"][0]["compression"], serde_json::Value::Null);
}

#[test]
fn a_corrupt_compressed_stream_is_named_with_its_offsets_and_what_came_before_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let lines = log.iter().filter(|&&b| b == b'\n').count() as u64;
    for (kind, name) in [("gz", "gzip"), ("bz2", "bzip2"), ("xz", "xz"), ("zst", "zstd")] {
        let mut data = compress(kind, &log);
        let at = data.len() * 3 / 4;
        for b in &mut data[at..at + 16] {
            *b ^= 0x55;
        }
        let path = write(dir.path(), &format!("access.log.{kind}"), &data);
        let r = darklog(&["analyze", s(&path), "--format", "json", "-q"]);
        assert_eq!(r.code, 2, "{kind}: {}", r.stderr);
        let said = format!("darklog: {}: corrupt or truncated {name} near compressed byte ", s(&path));
        assert!(r.stderr.contains(&said) && r.stderr.contains(" bytes of log): "), "{kind}: {}", r.stderr);
        assert!(!r.stderr.contains("--log-format"), "{kind}: {}", r.stderr);
        // (A damaged deflate stream can decode to garbage before the decoder notices:
        // those "lines" are counted as malformed.)
        let doc = json(&r);
        let read = doc["lines"]["read"].as_u64().unwrap();
        assert!(read > lines / 3, "{kind}: the lines before the damage are reported: {read}");
        assert_eq!(read, parts_of(&doc["lines"]), "{kind}");
    }
}

/// A gzip broken within the first 256 KiB it decodes to (the sample every input's start
/// is read for) is corrupt, not "in no log format", and the lines before the break count.
#[test]
fn gzip_corrupt_within_the_sample_is_corrupt_not_an_unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let mut data = gzip(&log);
    assert!(data.len() > 20_000 && log.len() > 400_000);
    for b in &mut data[8000..8064] {
        *b ^= 0x5a;
    }
    let path = write(dir.path(), "early.gz", &data);
    for input in [s(&path).to_string(), "-".to_string()] {
        let args = ["analyze", &input, "--format", "json", "-q"];
        let r = if input == "-" { darklog_stdin(&args, &data) } else { darklog(&args) };
        assert_eq!(r.code, 2, "{input}: {}", r.stderr);
        assert!(r.stderr.contains("corrupt or truncated gzip near compressed byte"), "{input}: {}", r.stderr);
        assert!(!r.stderr.contains("not a log format"), "{input}: {}", r.stderr);
        let doc = json(&r);
        assert!(doc["lines"]["read"].as_u64().unwrap() > 50, "{input}: {}", doc["lines"]);
        assert_eq!(doc["lines"]["read"].as_u64().unwrap(), parts_of(&doc["lines"]));
    }
}

/// What an xz file cut short holds, as far as the decoder goes: decoded a byte at a time,
/// nothing waits on the bytes that never came.
fn xz_decodable(data: &[u8]) -> Vec<u8> {
    let mut stream = lzma_rust2::XzStream::new(true);
    let (mut out, mut buf) = (Vec::new(), [0; 4096]);
    for i in 0..=data.len() {
        let (input, action) = match data.get(i) {
            Some(b) => (std::slice::from_ref(b), lzma_rust2::Action::Run),
            None => (&[][..], lzma_rust2::Action::Finish),
        };
        loop {
            let was = stream.total_out();
            let result = stream.process(input, &mut buf, action);
            let made = (stream.total_out() - was) as usize;
            out.extend_from_slice(&buf[..made]);
            match result {
                Ok(r) if r.bytes_consumed == 0 && made > 0 => continue,
                Ok(_) => break,
                Err(_) => return out,
            }
        }
    }
    out
}

/// An xz file cut inside an LZMA2 chunk (up to 64 KiB of compressed data: this log is one)
/// gives every line the bytes before the cut hold, as `xz -dc` does, not only the chunks
/// before it.
#[test]
fn a_truncated_xz_reports_every_line_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    let data = compress("xz", &log);
    assert!(data.len() < 64 * 1024, "{}", data.len());
    for cut in [data.len() / 2, data.len() * 4 / 5] {
        let held = xz_decodable(&data[..cut]);
        assert!(log.starts_with(&held), "{cut}");
        // The line cut in two is read too, as a malformed line.
        let lines = held.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
        // Text compresses: the cut holds more log than its own length.
        assert!(held.len() > cut * 2, "{cut}: {} bytes of log", held.len());
        let path = write(dir.path(), "access.log.2.xz", &data[..cut]);
        for input in [s(&path), "-"] {
            let args = ["analyze", input, "--format", "json", "-q"];
            let r = if input == "-" { darklog_stdin(&args, &data[..cut]) } else { darklog(&args) };
            assert_eq!(r.code, 2, "{cut} {input}: {}", r.stderr);
            let said = format!("corrupt or truncated xz near compressed byte {cut} (after ");
            let why = " bytes of log): the file ends inside compressed data";
            assert!(r.stderr.contains(&said) && r.stderr.contains(why), "{cut} {input}: {}", r.stderr);
            let doc = json(&r);
            assert_eq!(doc["lines"]["read"].as_u64(), Some(lines), "{cut} {input}");
            assert_eq!(lines, parts_of(&doc["lines"]), "{cut} {input}");
        }
    }
}

#[test]
fn truncated_or_foreign_compressed_files_get_no_format_hint() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_log();
    for (kind, name) in [("bz2", "bzip2"), ("xz", "xz"), ("zst", "zstd")] {
        let data = compress(kind, &log);
        let path = write(dir.path(), &format!("access.log.1.{kind}"), &data[..data.len() / 3]);
        let r = darklog(&["analyze", s(&path), "--format", "json", "-q"]);
        assert_eq!(r.code, 2, "{kind}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("corrupt or truncated {name}")), "{kind}: {}", r.stderr);
        assert!(!r.stderr.contains("--log-format"), "{kind}: {}", r.stderr);
    }
    let lz4 =
        write(dir.path(), "access.log.lz4", b"\x04\x22\x4d\x18\x64\x40\xa7\x00\x00\x00\x80\x00\x00\x00\x00");
    let r = darklog(&["analyze", s(&lz4), "fixtures/small.log", "--format", "json", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: not an access log: lz4-compressed data, which darklog does not read",
            s(&lz4)
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--log-format"), "{}", r.stderr);
    assert_eq!(json(&r)["lines"]["read"], 22);
    assert!(r.stderr.contains("which darklog does not read (unpack it first)"), "{}", r.stderr);
    // An image holds no log to unpack; explain's input problem is an input problem too.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let r = darklog_stdin(&["explain", "-"], png);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr, "darklog: reading standard input: it is a PNG image, which darklog does not read\n");
    let png = write(dir.path(), "logo.log", png);
    let r = darklog(&["analyze", s(&png), "-q"]);
    assert!(r.stderr.contains("a PNG image, which darklog does not read\n"), "{}", r.stderr);
    // A log saved by Windows PowerShell's `>`: UTF-16 with its byte-order mark.
    let text = std::fs::read_to_string("fixtures/small.log").unwrap();
    let utf16: Vec<u8> =
        [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let wide = write(dir.path(), "wide.log", &utf16);
    let r = darklog(&["analyze", s(&wide), "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let said =
        "UTF-16 text, which darklog does not read (convert it to UTF-8 first: iconv -f UTF-16 -t UTF-8)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
}
