// mimalloc: 2-4% less CPU than glibc's allocator in paired runs (a run allocates and
// frees the text of every visit's landing). With its transparent huge pages: on these
// machines a page of memory first touched costs 3-25 µs (the host backs it anew) and a
// 2-million-line run first-touches some 7,000; a huge page costs about as much as one
// and backs 512 (page faults of a gzip run 7,200 -> 300; 0.75-0.92 of the time in paired
// rounds, the most when the machine is slowest to back memory). They kept a plain run's
// peak at 82 MiB instead of 50, each 2 MiB page held as long as any block in it is: so
// memory mimalloc frees goes back to the system at once, not after a second (2,300 page
// faults then; peak 51-61 MiB in five runs; after 10 ms, 1-2% faster where faults are
// cheap but 53-62 MiB, nearer the 64 MiB goal). Where faults are cheapest, huge pages
// cost a plain run 2-4%.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (libmimalloc-sys names only the
/// options of mimalloc 2; a test below checks the index against the option's default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    if !purge_delay_given() {
        // SAFETY: sets one of mimalloc's options, before any thread is started.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
    std::process::exit(darklog::cli::main());
}

/// Whether the user set mimalloc's purge delay, which then wins, as it would for any
/// mimalloc program (which reads either name, in any case).
fn purge_delay_given() -> bool {
    std::env::vars_os().any(|(key, _)| {
        key.to_str().is_some_and(|k| {
            ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"].iter().any(|n| k.eq_ignore_ascii_case(n))
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // mimalloc 3's default purge delay is a second; the options beside it default to
        // 0 (the NUMA nodes) and to nothing at all (the retired eager commit delay).
        if !super::purge_delay_given() {
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) }, 1000);
        }
    }
}
