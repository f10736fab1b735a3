//! Where `-o` writes a report. A regular file (or a path not there yet) gets it through a
//! temporary file beside it, synced and renamed into place: a cron job never leaves half
//! a report, and a symbolic link is written through to its target, not replaced. A
//! special file — a FIFO, a device such as `/dev/null` or `/dev/full`, `/dev/stdout` — is
//! written as it is: renaming a file over `/dev/null` would replace the device. An input
//! is never an output, whatever it is called.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::Error;
use crate::input::{FileId, Input};

/// When no input could be read: says why, and that nothing was written (`-o`'s file is
/// left as it was), exit 2.
pub fn nothing_written(errors: &[String], what: &str) -> super::Status {
    for e in errors {
        eprintln!("darklog: {}", crate::report::table::printable(e));
    }
    eprintln!("darklog: no input could be read: no {what} written");
    super::Status::Partial
}

/// An output opened before the run: an output that cannot be written fails before the
/// analysis, not after it.
pub struct Output {
    path: PathBuf,
    to: To,
}

enum To {
    /// A temporary file in `target`'s directory, renamed over `target` when complete.
    Renamed { target: PathBuf, tmp: NamedTempFile },
    /// A FIFO, a device, or a process's file descriptor (`/dev/stdout`, `/dev/fd/3`).
    Direct(File),
}

impl Output {
    /// Opens `path` for a report of `inputs`: a usage error (exit 1) when it is one of them.
    pub fn open(path: &Path, inputs: &[Input]) -> Result<Output, Error> {
        let err = |source| Error::Output { path: path.display().to_string(), source };
        let meta = match fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(err(e)),
        };
        if meta.as_ref().is_some_and(fs::Metadata::is_dir) {
            return Err(err(io::Error::other("is a directory")));
        }
        refuse_inputs(path, "-o", inputs)?;
        let to = match meta {
            Some(m) if !m.is_file() => To::Direct(OpenOptions::new().write(true).open(path).map_err(err)?),
            // A regular file behind a file descriptor's name is what the shell opened:
            // appending keeps `>>`, and `>` left it empty.
            Some(_) if is_descriptor(path) => {
                To::Direct(OpenOptions::new().append(true).open(path).map_err(err)?)
            }
            _ => {
                let target = link_target(path).map_err(err)?;
                let dir = dir_of(&target);
                cleanup::watch();
                let made = tempfile::Builder::new().prefix(TEMPORARY).suffix(".tmp").tempfile_in(dir);
                let tmp = made.map_err(|e| err(cannot_write_in(dir, &e)))?;
                cleanup::arm(tmp.path());
                hold_and_sweep(&tmp, dir);
                To::Renamed { target, tmp }
            }
        };
        Ok(Output { path: path.to_path_buf(), to })
    }

    /// Writes the report and puts it in place.
    pub fn write(self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
        let err = |source| Error::Output { path: self.path.display().to_string(), source };
        match self.to {
            To::Direct(file) => {
                let mut out = BufWriter::new(file);
                write(&mut out).and_then(|_| out.flush()).map_err(err)
            }
            To::Renamed { target, mut tmp } => {
                {
                    let mut out = BufWriter::new(tmp.as_file_mut());
                    write(&mut out).and_then(|_| out.flush()).map_err(err)?;
                }
                // Temporary files are private (0600): a report gets the permissions of the
                // one it replaces, or an ordinary file's.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = fs::metadata(&target).map_or(0o644, |m| m.permissions().mode() & 0o7777);
                    tmp.as_file().set_permissions(fs::Permissions::from_mode(mode)).map_err(err)?;
                }
                tmp.as_file().sync_all().map_err(err)?;
                let tmp_path = tmp.path().to_path_buf();
                let persisted = tmp.persist(&target).map_err(|e| err(e.error));
                cleanup::disarm(&tmp_path);
                persisted.map(drop)
            }
        }
    }
}

/// A usage error (exit 1) when `path`, given as `flag`, is one of `inputs` by any name:
/// writing it would replace what is read.
pub fn refuse_inputs(path: &Path, flag: &str, inputs: &[Input]) -> Result<(), Error> {
    let Ok(m) = fs::metadata(path) else { return Ok(()) };
    // A terminal can be both what a log is typed into and where its report goes; a file
    // or a FIFO cannot.
    let id = FileId::of(&m).filter(|_| m.is_file() || is_fifo(&m));
    match inputs.iter().find(|i| id.is_some() && i.source.id() == id) {
        Some(input) => Err(super::usage_error(format!(
            "{flag} {} is {}, one of the inputs: writing it would replace what is read",
            path.display(),
            input.source.name()
        ))),
        None => Ok(()),
    }
}

/// A usage error (exit 1) when `out` (`-o`) names the state `--state` names, or its lock,
/// whether or not they exist yet: the first run of a new state would write its report
/// where the state goes and the state over it, and say nothing.
pub fn refuse_state(out: &Path, state: &Path) -> Result<(), Error> {
    let state = link_target(state).unwrap_or_else(|_| state.to_path_buf());
    let lock = crate::run::saved::Lock::path_of(&state);
    let uses = [(&state, "the state", "what is read"), (&lock, "the state's lock", "the lock the run holds")];
    for (file, what, replaced) in uses {
        if same_place(out, file) {
            return Err(super::usage_error(format!(
                "-o {} is {what} of --state {}: writing it would replace {replaced}",
                out.display(),
                state.display()
            )));
        }
    }
    Ok(())
}

/// Whether two paths name one file, made yet or not: the same directory, by any name of
/// it, and the same name in it, once links to the file are followed.
fn same_place(a: &Path, b: &Path) -> bool {
    let place = |p: &Path| {
        let target = link_target(p).unwrap_or_else(|_| p.to_path_buf());
        Some(fs::canonicalize(dir_of(&target)).ok()?.join(target.file_name()?))
    };
    place(a).is_some_and(|a| Some(a) == place(b))
}

/// The directory a file written by name goes in: its parent, or `.` for a bare name.
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// tempfile's error names its own file, which the user never asked for: the cause is the
/// directory's.
fn cannot_write_in(dir: &Path, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write in {}: {}", dir.display(), plain(e)))
}

/// From now on SIGINT and SIGTERM end the run saying so, with no temporary file left.
pub fn watch_signals() {
    cleanup::watch();
}

/// Writes a state or profile to `path` whole or not at all: a temporary file beside it,
/// synced, renamed into place, removed if SIGINT or SIGTERM ends the run first. `locked`:
/// the caller holds the state's lock (see [`remove_stale`]). The file keeps the mode,
/// and where it may the owner, of the one it replaces (made beforehand for a service).
pub fn write_atomically(path: &Path, bytes: &[u8], locked: bool) -> io::Result<()> {
    let dir = dir_of(path);
    cleanup::watch();
    let prefix = if locked { temporary_prefix(path) } else { TEMPORARY.to_string() };
    let made = tempfile::Builder::new().prefix(&prefix).tempfile_in(dir);
    let mut tmp = made.map_err(|e| cannot_write_in(dir, &e))?;
    cleanup::arm(tmp.path());
    if !locked {
        hold_and_sweep(&tmp, dir);
    }
    let tmp_path = tmp.path().to_path_buf();
    #[cfg(unix)]
    if let Ok(m) = fs::metadata(path) {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let _ = tmp.as_file().set_permissions(fs::Permissions::from_mode(m.mode() & 0o7777));
        // Only a privileged run may give a file away; any other keeps its own.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
    }
    let written = tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all());
    let persisted = written.and_then(|()| tmp.persist(path).map(drop).map_err(|e| e.error));
    cleanup::disarm(&tmp_path);
    persisted?;
    // The rename itself is durable once the directory is.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The temporary files of `path` begin so: named for it, so that the run holding its lock
/// knows the ones a killed run left (see [`remove_stale`]) from other states'.
fn temporary_prefix(path: &Path) -> String {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(".darklog-state-{name}.")
}

/// Removes the temporary files of the state at `path` that a run killed outright (SIGKILL,
/// a crash of the machine) left: only a run holding the state's lock writes files of
/// this prefix (`partial`, `profile` and `merge` write theirs under another).
pub fn remove_stale(path: &Path) {
    let prefix = temporary_prefix(path);
    let Ok(entries) = fs::read_dir(dir_of(path)) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.strip_prefix(&prefix).is_some_and(made_by_tempfile) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// The temporary files of reports, profiles and parts begin so (and tempfile adds six
/// letters or digits, and `.tmp` for a report): a name no other file of darklog's, or
/// of an older darklog's, has.
const TEMPORARY: &str = ".darklog-tmp-";

/// A temporary report, profile or part is left behind when a run is killed outright
/// (SIGKILL, the OOM killer, a crash of the machine), and a cron job would gather one a
/// week. Each run holds a lock on its own while it lives and, making one, removes the
/// others in the directory that no run holds; one younger than [`STALE_AFTER`] is spared,
/// as its run may not have locked it yet. (A state's are removed by the run that holds
/// the state's lock: [`remove_stale`].)
fn hold_and_sweep(tmp: &NamedTempFile, dir: &Path) {
    // A file system without locks (some network ones) keeps what killed runs left.
    if tmp.as_file().try_lock().is_err() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let random = name.strip_prefix(TEMPORARY).map(|rest| rest.strip_suffix(".tmp").unwrap_or(rest));
        if !random.is_some_and(made_by_tempfile) || e.path() == tmp.path() {
            continue;
        }
        // Only a file: opening a FIFO of that name would wait for a writer forever.
        let Ok(meta) = e.path().symlink_metadata() else { continue };
        let old = meta.modified().is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= STALE_AFTER));
        if !meta.is_file() || !old {
            continue;
        }
        let opened = {
            let mut how = OpenOptions::new();
            how.read(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::custom_flags(&mut how, libc::O_NONBLOCK | libc::O_NOFOLLOW);
            how.open(e.path())
        };
        let unheld = opened.is_ok_and(|f| f.try_lock().is_ok());
        if unheld && fs::remove_file(e.path()).is_ok() {
            removed.push(name);
        }
    }
    if !removed.is_empty() {
        removed.sort();
        let files = if removed.len() == 1 { "a temporary file" } else { "temporary files" };
        eprintln!(
            "darklog: removed {files} left in {} by a run killed before it finished: {}",
            dir.display(),
            removed.join(", ")
        );
    }
}

/// Whether what follows a temporary file's prefix is the random part tempfile adds: six
/// letters or digits. Nothing else of that prefix is taken.
fn made_by_tempfile(random: &str) -> bool {
    random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// How old a temporary file no run holds must be to be removed.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(unix)]
fn is_fifo(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &fs::Metadata) -> bool {
    false
}

/// Whether `path` names a process's file descriptor (`/dev/stdout`, `/dev/fd/1`,
/// `/proc/self/fd/1`) rather than a file of its own.
fn is_descriptor(path: &Path) -> bool {
    let Ok(path) = std::path::absolute(path) else { return false };
    let real = fs::canonicalize(&path).unwrap_or_default();
    path.starts_with("/proc") || (path.starts_with("/dev") && !real.starts_with("/dev"))
}

/// The file a chain of symbolic links ends at (which need not exist yet): the report
/// replaces it, and the links keep pointing at it.
pub(super) fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Removes the temporary report and state when SIGINT or SIGTERM ends the run, then ends
/// it as the signal would have: a killed cron job leaves no `.darklog-*` file behind.
#[cfg(unix)]
mod cleanup {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, Once, PoisonError};

    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    /// Every temporary file in the making (a state's, then a report's).
    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    /// A signal came: a temporary file made after it is removed as it is armed.
    static STOPPING: AtomicBool = AtomicBool::new(false);

    /// Starts listening, before the temporary file exists.
    pub fn watch() {
        static WATCH: Once = Once::new();
        WATCH.call_once(|| {
            // A signal the caller ignores (`darklog … &` in a script ignores SIGINT) stays
            // ignored: handling it would let a Ctrl-C meant for the script end the run.
            let signals: Vec<i32> = [SIGINT, SIGTERM].into_iter().filter(|&s| !ignored(s)).collect();
            let Ok(mut signals) = Signals::new(signals) else { return };
            let _ = std::thread::Builder::new().name("darklog-signals".into()).spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let removed = {
                        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
                        STOPPING.store(true, Ordering::SeqCst);
                        pending.drain(..).filter(|p| std::fs::remove_file(p).is_ok()).count()
                    };
                    // A cron job's log says why the run stopped, not only its exit code.
                    let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
                    let what = match removed {
                        0 => String::new(),
                        n => format!(": removed the {n} temporary file(s) it was writing"),
                    };
                    eprintln!("darklog: interrupted by {name}{what}");
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
    }

    pub fn arm(path: &Path) {
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        if STOPPING.load(Ordering::SeqCst) {
            let _ = std::fs::remove_file(path);
            return;
        }
        pending.push(path.to_path_buf());
    }

    /// After the rename: the temporary name is gone.
    pub fn disarm(path: &Path) {
        PENDING.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| p != path);
    }

    fn ignored(signal: i32) -> bool {
        // SAFETY: with a null new action, sigaction only writes the current one to `old`,
        // a plain C struct that zeroed memory is a valid value of.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(signal, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
        }
    }
}

#[cfg(not(unix))]
mod cleanup {
    pub fn watch() {}
    pub fn arm(_: &std::path::Path) {}
    pub fn disarm(_: &std::path::Path) {}
}

/// An I/O error's own message, without what a wrapper added (tempfile adds
/// `at path "…"`, the temporary file's name).
pub(crate) fn plain(e: &io::Error) -> String {
    let said = e.to_string();
    match said.rsplit_once(" at path \"") {
        Some((cause, _)) => cause.to_string(),
        None => said,
    }
}
