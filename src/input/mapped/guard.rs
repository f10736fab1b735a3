//! Catches SIGBUS on the pages of the maps it knows (a file truncated under its map) and
//! maps zeros there, so that the access goes on and the input ends with an error; any
//! other SIGBUS gets the handler that was there before.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

const SLOTS: usize = 64;

static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static ENDS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static SHRANK: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
/// The lowest page of each map that the guard replaced with zeros (`usize::MAX`: none).
static ZEROED: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(usize::MAX) }; SLOTS];
static PAGE: AtomicUsize = AtomicUsize::new(4096);
/// The handler before ours: `Err` when ours could not be installed.
static PREVIOUS: OnceLock<Result<Previous, i32>> = OnceLock::new();

struct Previous(libc::sigaction);
// SAFETY: plain data (a handler's address, flags and mask), written once, then only read.
unsafe impl Send for Previous {}
unsafe impl Sync for Previous {}

pub fn page_size() -> usize {
    PAGE.load(Ordering::Relaxed)
}

pub fn install() -> io::Result<()> {
    // The handler before ours is kept before ours goes in: a fault in between finds
    // it there.
    let previous = PREVIOUS.get_or_init(|| {
        // SAFETY: sysconf, and sigaction reading the current disposition only.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE.store(page as usize, Ordering::Relaxed);
            }
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            Ok(Previous(previous))
        }
    });
    if let Err(code) = previous {
        return Err(io::Error::from_raw_os_error(*code));
    }
    static INSTALLED: OnceLock<i32> = OnceLock::new();
    let code = *INSTALLED.get_or_init(|| {
        // SAFETY: sigaction with a valid action; the handler only reads atomics and
        // calls mmap, sigaction and raise, which are safe in a signal handler.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) != 0 {
                return io::Error::last_os_error().raw_os_error().unwrap_or(-1);
            }
            0
        }
    });
    match code {
        0 => Ok(()),
        code => Err(io::Error::from_raw_os_error(code)),
    }
}

/// A map's range, watched; `None` when every slot is taken.
pub fn register(start: usize, len: usize) -> Option<usize> {
    for slot in 0..SLOTS {
        if ENDS[slot].compare_exchange(0, start + len, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            SHRANK[slot].store(false, Ordering::Relaxed);
            ZEROED[slot].store(usize::MAX, Ordering::Relaxed);
            STARTS[slot].store(start, Ordering::Release);
            return Some(slot);
        }
    }
    None
}

pub fn unregister(slot: usize) {
    STARTS[slot].store(0, Ordering::Release);
    ENDS[slot].store(0, Ordering::Release);
}

pub fn shrank(slot: usize) -> bool {
    SHRANK[slot].load(Ordering::Acquire)
}

/// The address of the lowest page of the map in `slot` that reads zeros, if any.
pub fn zeroed_from(slot: usize) -> Option<usize> {
    Some(ZEROED[slot].load(Ordering::Acquire)).filter(|&a| a != usize::MAX)
}

extern "C" fn on_sigbus(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    #[cfg(target_os = "linux")]
    // SAFETY: this thread's errno, saved to be restored: the calls below may set it.
    let errno = unsafe { *libc::__errno_location() };
    // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler; its address
    // is a fault's only for a fault (a SIGBUS sent by `kill` has none).
    let (code, addr) = unsafe { ((*info).si_code, (*info).si_addr() as usize) };
    if code == libc::BUS_ADRERR && guarded(addr) {
        #[cfg(target_os = "linux")]
        // SAFETY: as above.
        unsafe {
            *libc::__errno_location() = errno
        };
        return;
    }
    // Not ours: the previous disposition takes it (a fault is taken again when the
    // access is tried again; a sent signal is sent again).
    if let Some(Ok(Previous(previous))) = PREVIOUS.get() {
        // SAFETY: restores the disposition saved before ours was installed.
        unsafe { libc::sigaction(libc::SIGBUS, previous, std::ptr::null_mut()) };
    }
    if code != libc::BUS_ADRERR {
        // SAFETY: raise is safe in a signal handler; SIGBUS is blocked until this
        // handler returns, and then goes to the disposition just restored.
        unsafe { libc::raise(libc::SIGBUS) };
    }
}

/// Whether `addr` is in one of our maps: then a page of zeros is mapped there and the
/// map marked.
fn guarded(addr: usize) -> bool {
    let page = PAGE.load(Ordering::Relaxed);
    for slot in 0..SLOTS {
        let start = STARTS[slot].load(Ordering::Acquire);
        let end = ENDS[slot].load(Ordering::Acquire);
        // A slot let go and taken again meanwhile could pair one map's start with
        // another's end: read the start again.
        if start != 0 && addr >= start && addr < end && STARTS[slot].load(Ordering::Acquire) == start {
            let at = addr / page * page;
            // SAFETY: replaces one page of our own read-only map (past the file's new
            // end, where nothing is left to read) with a page of zeros.
            let mapped = unsafe {
                libc::mmap(
                    at as *mut libc::c_void,
                    page,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if mapped != libc::MAP_FAILED {
                // Lock-free atomics only: safe in a signal handler.
                ZEROED[slot].fetch_min(at, Ordering::AcqRel);
                SHRANK[slot].store(true, Ordering::Release);
                return true;
            }
        }
    }
    false
}
