// mimalloc: 2-4% less CPU than glibc's allocator in paired runs (a run allocates and
// frees the text of every visit's landing), without transparent huge pages (`no_thp`),
// which took a plain run's peak memory from 30 MiB to 64 MiB for no speed a paired run
// could see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(darklog::cli::main());
}
