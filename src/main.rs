//! The opsbook command: parse the arguments, run the command, exit with its code.

use clap::Parser;

fn main() {
    let cli = opsbook::cli::Cli::parse();
    std::process::exit(opsbook::cli::run(cli));
}
