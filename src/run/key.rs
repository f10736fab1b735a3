//! Lines keyed by visitor, for an engine to partition (`darklog key`), and read back as a
//! log (`darklog partial --keyed`).
//!
//! A keyed line is `visitor<TAB>time<TAB>seq<TAB>line`: the visitor as darklog defines one
//! (client, after `--client-ip`, and user agent) under the keyed public id, empty for a
//! line that is no visitor's (a link-preview fetch, a malformed line, a directive); the
//! time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (fixed width: sorting the text sorts the times);
//! `seq` the input's index and the line's number, zero-padded (a tie-break: engines' sorts
//! are not stable); the line in base64, so that any byte survives the engine. A line of a
//! layout whose directives say how to read it (W3C's `#Fields:`) carries that directive
//! before it, so that it reads alone in any partition.

use std::io::{self, BufRead, Write};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use base64::Engine as _;

use super::stage::{LineStage, Rec};
use crate::classify::{Agent, Rules};
use crate::engine::{Consumer, Engine, Parsers};
use crate::identity::{KeyHasher, VisitorKey};
use crate::parse::{BlockState, Format};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The stage of `darklog key`: the run's stage (parse, client, visitor), whose records
/// the consumer turns into keyed lines.
pub(super) struct KeyWriter<'a, W: Write> {
    pub out: W,
    pub format: &'a Format,
    pub rules: &'a Rules,
    pub visitor_key: VisitorKey,
    pub input: usize,
    pub line: u64,
    /// The time of the last hit, for lines with none of their own.
    pub last_time: Option<i64>,
    /// The directive lines that set how the next lines are read.
    pub context: Vec<u8>,
    pub error: Option<io::Error>,
    pub client_ip: Option<&'a crate::parse::ClientIp>,
    /// User-agent verdicts, by the stage's keys.
    pub agents: crate::classify::AgentCache,
    /// The stage's keys.
    pub keys: &'a KeyHasher,
}

impl<W: Write> KeyWriter<'_, W> {
    fn write(&mut self, key: Option<u64>, time: Option<i64>, payload: &[&[u8]]) -> io::Result<()> {
        let mut text = String::with_capacity(64);
        if let Some(k) = key {
            text.push_str(&crate::identity::format_id(k));
        }
        text.push('\t');
        text.push_str(&stamp(time));
        text.push('\t');
        text.push_str(&format!("{:05}:{:012}\t", self.input, self.line));
        let joined: Vec<u8> = payload.join(&b'\n');
        B64.encode_string(&joined, &mut text);
        text.push('\n');
        self.out.write_all(text.as_bytes())
    }
}

/// `2026-11-02T10:00:00.000000Z`; all zeros for no time (before any other).
pub fn stamp(time: Option<i64>) -> String {
    match time {
        Some(t) => {
            let s = crate::time::format_rfc3339(t);
            format!("{}.000000Z", &s[..s.len() - 1])
        }
        None => "0000-00-00T00:00:00.000000Z".to_string(),
    }
}

impl<'s, W: Write> Consumer<LineStage<'s>> for KeyWriter<'_, W> {
    fn consume(&mut self, state: &BlockState, block: &[u8], chunks: &[Vec<super::stage::Line>]) {
        if self.error.is_some() {
            return;
        }
        for line in chunks.iter().flatten() {
            self.line += 1;
            let bytes = &block[line.start as usize..line.end as usize];
            let written = match line.rec {
                Rec::Hit { time, agent: agent_key, spans, .. } => {
                    self.last_time = Some(time);
                    let mut cx = self.format.line_cx(state, line.start as usize);
                    let hit = super::stage::fields(self.format, self.client_ip, bytes, spans, &mut cx);
                    let ua = self.keys.judged_agent(agent_key, hit.user_agent);
                    let agent = self.agents.get_keyed(&self.rules.agents, agent_key, || ua);
                    let key = match agent {
                        Agent::Preview { .. } => None,
                        _ => Some(self.visitor_key.public_id(hit.client, hit.user_agent.unwrap_or(b""))),
                    };
                    let context = std::mem::take(&mut self.context);
                    let w = if context.is_empty() {
                        self.write(key, Some(time), &[bytes])
                    } else {
                        self.write(key, Some(time), &[&context, bytes])
                    };
                    self.context = context;
                    w
                }
                Rec::Directive => {
                    if bytes.starts_with(b"#Fields:") {
                        self.context = bytes.to_vec();
                    }
                    self.write(None, self.last_time, &[bytes])
                }
                Rec::Malformed | Rec::Outside => self.write(None, self.last_time, &[bytes]),
            };
            if let Err(e) = written {
                self.error = Some(e);
                return;
            }
        }
    }

    /// A piece of a line too long to keep is that line, malformed.
    fn consume_cut(&mut self, _: &BlockState, block: &[u8], _: &[Vec<super::stage::Line>]) {
        if self.error.is_none() {
            self.line += 1;
            let piece = &block[..block.len().min(1 << 16)];
            if let Err(e) = self.write(None, self.last_time, &[piece]) {
                self.error = Some(e);
            }
        }
    }
}

/// Keys one input: every line, in order.
pub(super) fn key_input<W: Write>(
    engine: &Engine,
    stage: &LineStage<'_>,
    writer: &mut KeyWriter<'_, W>,
    reader: Box<dyn io::Read + Send>,
    prelude: Vec<u8>,
) -> Result<(), crate::engine::ReadFailure> {
    engine.stream(crate::input::Feed::Read { reader, prelude }, Arc::new(AtomicU64::new(0)), stage, writer)
}

/// What decoding keyed lines found.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Lines written out.
    pub lines: u64,
    /// Directive lines, by the time they were keyed with: counted apart (the directives
    /// written out only set how the lines after them are read).
    pub directives: Vec<Option<i64>>,
    /// Lines that were no keyed line: counted as malformed lines of the log.
    pub not_keyed: u64,
    /// The first keyed lines of a visitor that read alone (no directive before them): their
    /// key and line, to check that they were keyed as this run reads them.
    pub samples: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Keyed lines sampled for [`check_keys`].
const SAMPLES: usize = 64;

/// Reads keyed lines from `input` and writes the log they hold to `out`: each line once,
/// each directive a line needs (W3C's `#Fields:`) before it when it changes.
pub fn decode_keyed(input: impl BufRead, out: &mut impl Write) -> io::Result<Decoded> {
    let mut decoded = Decoded::default();
    let mut context: Vec<u8> = Vec::new();
    let mut payload = Vec::new();
    for record in input.split(b'\n') {
        let record = record?;
        let record = record.strip_suffix(b"\r").unwrap_or(&record);
        if record.is_empty() {
            continue;
        }
        let fields: Vec<&[u8]> = record.splitn(4, |&b| b == b'\t').collect();
        payload.clear();
        let parsed = match fields.as_slice() {
            [key, time, _, line] => B64.decode_vec(line, &mut payload).ok().map(|_| (*key, *time)),
            _ => None,
        };
        let Some((key, time)) = parsed else {
            // Not a keyed line: carried on as it is, to be counted as a malformed line.
            decoded.not_keyed += 1;
            out.write_all(b"\x00not a keyed line\n")?;
            continue;
        };
        let (before, line) = match payload.iter().rposition(|&b| b == b'\n') {
            Some(i) => (&payload[..i], &payload[i + 1..]),
            None => (&payload[..0], &payload[..]),
        };
        if line.first() == Some(&b'#') && before.is_empty() {
            // Counted apart; the lines that need it carry it themselves.
            decoded.directives.push(parse_stamp(time));
            continue;
        }
        if before.is_empty() && !key.is_empty() && decoded.samples.len() < SAMPLES {
            decoded.samples.push((key.to_vec(), line.to_vec()));
        }
        if !before.is_empty() && before != context.as_slice() {
            out.write_all(before)?;
            out.write_all(b"\n")?;
            context = before.to_vec();
        }
        out.write_all(line)?;
        out.write_all(b"\n")?;
        decoded.lines += 1;
    }
    Ok(decoded)
}

/// The time of a keyed line's stamp (`None` for the zero stamp or one that is not).
fn parse_stamp(text: &[u8]) -> Option<i64> {
    let t = std::str::from_utf8(text).ok()?;
    let t = t.strip_suffix(".000000Z").map(|s| format!("{s}Z"))?;
    crate::time::parse_user_time(&t, 0, &crate::time::Zone::utc()).ok()
}

/// The stage for keying: the run's, reading everything.
pub(super) fn stage<'a>(
    format: &'a Format,
    paths: &'a crate::classify::PathRules,
    keys: &'a KeyHasher,
    client_ip: Option<&'a crate::parse::ClientIp>,
) -> LineStage<'a> {
    // A client that sent no agent is a bot, one that logs none a reader: either way its
    // line is keyed (only previews are not), so keying does not tell them apart.
    LineStage { format, paths, read_since: None, read_until: None, keys, client_ip, agents_logged: false }
}

/// `darklog key`: every line of `cfg`'s inputs (whole files, read in the order a run
/// reads them), keyed, to `out`. Returns the inputs' errors (what could be read is keyed).
pub fn key_all(
    cfg: &super::AnalyzeConfig,
    out: &mut (dyn Write + Send),
    observer: &mut dyn super::Observer,
) -> Result<Vec<crate::input::InputError>, super::RunError> {
    crate::engine::on_own_thread(|| key_here(cfg, out, observer)).map_err(super::RunError::Thread)?
}

fn key_here(
    cfg: &super::AnalyzeConfig,
    out: &mut (dyn Write + Send),
    observer: &mut dyn super::Observer,
) -> Result<Vec<crate::input::InputError>, super::RunError> {
    let rules = super::rules(cfg)?;
    let (inputs, mut errors) = crate::input::expand(&cfg.inputs);
    let (mut sniffed, _) = super::inputs::sniff_all(&inputs, cfg, &mut errors, observer);
    super::inputs::drop_same_logs(&mut sniffed, observer);
    sniffed.sort_by_key(|s| s.first_time.unwrap_or(i64::MAX));
    // Refused before a line is written: the keyed lines of a job are read as one log.
    if let Some(other) = sniffed.iter().find(|s| s.format.name() != sniffed[0].format.name()) {
        let first = &sniffed[0];
        return Err(super::RunError::MixedLayouts(format!(
            "{} is {}, {} is {}",
            first.source.name(),
            first.format.name(),
            other.source.name(),
            other.format.name()
        )));
    }
    let parsers = Parsers { threads: cfg.threads.clamp(1, super::MAX_PARSERS), yielding: false };
    let engine = Engine::new(parsers, cfg.block_size)?;
    let keys = KeyHasher::default();
    let paths = rules.paths.clone();
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    for (input, s) in sniffed.into_iter().enumerate() {
        let (reader, prelude) = match s.reader {
            Some(r) => (r.reader, r.prelude),
            None => match crate::input::open(&s.source, Arc::default()) {
                Ok(o) => (o.reader, Vec::new()),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let stage = stage(&s.format, &paths, &keys, cfg.client_ip.as_ref());
        let mut writer = KeyWriter {
            out: &mut out,
            format: &s.format,
            rules: &rules,
            visitor_key: cfg.visitor_key,
            input,
            line: 0,
            last_time: None,
            context: Vec::new(),
            error: None,
            client_ip: cfg.client_ip.as_ref(),
            agents: crate::classify::AgentCache::with_keys(keys.clone()),
            keys: &keys,
        };
        let read = key_input(&engine, &stage, &mut writer, reader, prelude);
        if let Some(e) = writer.error {
            return Err(super::RunError::Write(e));
        }
        if let Err(f) = read {
            errors.push(crate::input::read_error(&s.source, s.compression, f.offset, f.raw, f.error));
        }
    }
    out.flush().map_err(super::RunError::Write)?;
    Ok(errors)
}

/// Keyed lines read back: the log they hold, in a temporary file, and what was counted
/// apart.
pub(super) struct KeyedLog {
    pub file: tempfile::NamedTempFile,
    pub decoded: Decoded,
}

impl KeyedLog {
    /// Lines that were no keyed line (a plain log given with `--keyed`, damage): counted
    /// malformed, and an error, as a damaged input is.
    pub fn error(&self) -> Option<crate::input::InputError> {
        let d = &self.decoded;
        let lines = d.lines + d.not_keyed + d.directives.len() as u64;
        (d.not_keyed > 0).then_some(crate::input::InputError::NotKeyed { not_keyed: d.not_keyed, lines })
    }
}

/// Whether the sampled keyed lines were keyed to the visitors this run finds in them: keyed
/// with another `--client-ip`, layout or key, a partition holds parts of visitors, and
/// the parts cannot merge to one run's answer.
pub(super) fn check_keys(
    decoded: &Decoded,
    format: &Format,
    client_ip: Option<&crate::parse::ClientIp>,
    visitor_key: VisitorKey,
) -> Option<crate::input::InputError> {
    let mut cx = crate::parse::LineCx::default();
    let mut other = 0;
    for (key, line) in &decoded.samples {
        let Some(mut hit) = format.parse(line, &mut cx).hit() else { continue };
        if let Some(picker) = client_ip {
            hit.client = picker.pick(hit.client, hit.forwarded_for);
        }
        let id = visitor_key.public_id(hit.client, hit.user_agent.unwrap_or(b""));
        other += usize::from(crate::identity::format_id(id).as_bytes() != key.as_slice());
    }
    (other > 0).then_some(crate::input::InputError::KeyedOtherwise { other, sampled: decoded.samples.len() })
}

/// A keyed run's notices name its temporary file of decoded lines as what it is to the
/// user: the keyed lines.
pub(super) struct KeyedNames<'o> {
    pub inner: &'o mut dyn super::Observer,
    pub temp: String,
}

impl super::Observer for KeyedNames<'_> {
    fn notice(&mut self, message: String) {
        self.inner.notice(message.replace(&self.temp, "the keyed lines"));
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.inner.progress(done, total);
    }
}

/// Decodes the keyed lines of `paths` (files, compressed or not, or `-` for stdin), in
/// order, into one log.
pub(super) fn decode_inputs(paths: &[std::path::PathBuf]) -> io::Result<KeyedLog> {
    let mut file = tempfile::Builder::new().prefix(".darklog-keyed-").tempfile()?;
    let mut decoded = Decoded::default();
    {
        let mut out = io::BufWriter::with_capacity(256 * 1024, file.as_file_mut());
        for path in paths {
            let d = if path.as_os_str() == "-" {
                decode_keyed(io::stdin().lock(), &mut out)?
            } else {
                let source = crate::input::Source::File(path.clone());
                let opened = crate::input::open(&source, Arc::default())
                    .map_err(|e| io::Error::other(e.to_string()))?;
                decode_keyed(io::BufReader::with_capacity(256 * 1024, opened.reader), &mut out)?
            };
            decoded.lines += d.lines;
            decoded.not_keyed += d.not_keyed;
            decoded.directives.extend(d.directives);
            decoded.samples.extend(d.samples.into_iter().take(SAMPLES.saturating_sub(decoded.samples.len())));
        }
        out.flush()?;
    }
    Ok(KeyedLog { file, decoded })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_sort_as_times_do() {
        assert_eq!(stamp(Some(1_794_052_800)), "2026-11-07T12:00:00.000000Z");
        assert!(stamp(None) < stamp(Some(0)));
        assert!(stamp(Some(9)) < stamp(Some(10)));
        assert_eq!(parse_stamp(stamp(Some(1_794_052_800)).as_bytes()), Some(1_794_052_800));
    }

    #[test]
    fn decoding_gives_the_lines_and_the_directives_they_need() {
        let rec = |key: &str, payload: &[u8]| {
            format!("{key}\t{}\t00000:000000000001\t{}\n", stamp(Some(5)), B64.encode(payload))
        };
        let input = [
            rec("", b"#Software: IIS"),
            rec("", b"#Fields: a b"),
            rec("k1", b"#Fields: a b\n1 2"),
            rec("k2", b"#Fields: a b\n3 4"),
            rec("k1", b"#Fields: a b c\n5 6 7"),
            "garbage\n".to_string(),
        ]
        .concat();
        let mut out = Vec::new();
        let d = decode_keyed(input.as_bytes(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "#Fields: a b\n1 2\n3 4\n#Fields: a b c\n5 6 7\n\u{0}not a keyed line\n"
        );
        // Directives alone write nothing: a part with no line of that layout stays empty.
        let mut out = Vec::new();
        decode_keyed(rec("", b"#Fields: a b").as_bytes(), &mut out).unwrap();
        assert!(out.is_empty());
        assert_eq!((d.lines, d.directives.len(), d.not_keyed), (3, 2, 1));
    }
}
