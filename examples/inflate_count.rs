//! The floor darklog is measured against: inflate a gzip file with the same flate2
//! backend darklog uses (same buffer sizes, multi-member aware) and count its lines.
//!
//! `cargo run --release --example inflate_count -- big.log.gz`

use std::fs::File;
use std::io::{BufReader, Read};

use flate2::bufread::MultiGzDecoder;

fn main() {
    let path = std::env::args_os().nth(1).expect("usage: inflate_count FILE.gz");
    let file = File::open(&path).expect("open");
    let mut gz = MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, file));
    let mut buf = vec![0u8; 4 << 20];
    let mut lines = 0usize;
    loop {
        let n = gz.read(&mut buf).expect("inflate");
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
    }
    println!("{lines}");
}
