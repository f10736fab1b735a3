fn main() {
    std::process::exit(darklog::cli::main());
}
