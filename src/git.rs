//! The `git` command line, run the one safe way: with an argument list (never a shell),
//! without prompts and in the C locale, so its complaints can be quoted in our messages.
//!
//! Used by `fetch` (git sources) and `revision` (a book at an older commit).

use std::path::Path;
use std::process::Command;

/// A `git` command to run in `folder`: never prompting for credentials, messages in English.
pub(crate) fn command(folder: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .args(["-c", "advice.detachedHead=false"])
        .current_dir(folder)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("LC_ALL", "C");
    command
}

/// Runs git in `folder`; its trimmed output, or its complaint.
pub(crate) fn run(folder: &Path, args: &[&str]) -> Result<String, String> {
    let output = command(folder)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
    }
    Err(complaint(args, &output.stderr))
}

/// What git said went wrong, from its stderr: the `fatal:` and `error:` lines.
pub(crate) fn complaint(args: &[&str], stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let lines = stderr
        .lines()
        .filter(|line| line.starts_with("fatal:") || line.starts_with("error:"))
        .collect::<Vec<_>>()
        .join("; ");
    if lines.is_empty() {
        format!("git {} failed", args.first().unwrap_or(&""))
    } else {
        format!("git said: {lines}")
    }
}

/// Whether the `git` command is there and runs.
pub(crate) fn available() -> Result<(), String> {
    match Command::new("git").arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => Err("the `git` command is not installed or does not run".into()),
    }
}
