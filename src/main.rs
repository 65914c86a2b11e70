//! The opsbook command: parse the arguments, run the command, exit with its code.

use clap::Parser;

fn main() {
    // Past a file-size limit (`ulimit -f`) a write raises SIGXFSZ, which kills the process
    // with no word of what it was doing. Ignored, the write fails with EFBIG instead: the
    // build stops with a message naming the file, and the previous site stays as it was.
    #[cfg(unix)]
    // SAFETY: nothing else runs yet, and ignoring a signal installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = opsbook::cli::Cli::parse();
    std::process::exit(opsbook::cli::run(cli));
}
