fn main() {
    let code = if std::env::args().nth(1).as_deref() == Some(storebench::worker::SUBCOMMAND) {
        storebench::worker::main()
    } else {
        storebench::cli::main()
    };
    std::process::exit(code);
}
