//! `--with-cargo <check|clippy>`: rust-analyzer runs a single check command, so this runs cargo's
//! own check (or clippy) next to the analysis and merges the two JSON streams: cargo's messages
//! pass through unchanged, ours follow, and one `build-finished` ends the stream.
//!
//! cargo runs on a thread while the analysis runs; its stdout is collected, its stderr (progress,
//! and the human diagnostics of a non-JSON run) goes straight to ours.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread::{self, JoinHandle};

use anyhow::{anyhow, Context as _, Result};

use crate::args::{Args, CargoCommand};
use crate::process;

/// The cargo run in progress.
pub struct CargoRun {
    thread: JoinHandle<Result<Finished>>,
}

/// What cargo printed (without its `build-finished`) and whether it succeeded.
pub struct Finished {
    pub lines: Vec<String>,
    pub success: bool,
}

/// The command line of the cargo run. It runs in the user's directory, with the checkout's
/// configuration, build scripts and proc macros: the user asked for a build. Never on untrusted
/// code (see [`crate::process`]).
pub fn cargo_command(command: CargoCommand, args: &Args) -> Command {
    let mut cargo = process::checkout_cargo(command.as_str());
    if args.message_format.is_json() {
        let format =
            if args.message_format == crate::args::MessageFormat::JsonDiagnosticRenderedAnsi {
                "--message-format=json-diagnostic-rendered-ansi"
            } else {
                "--message-format=json"
            };
        cargo.arg(format);
    }
    if let Some(manifest) = &args.manifest_path {
        cargo.arg("--manifest-path").arg(manifest);
    }
    if args.workspace {
        cargo.arg("--workspace");
    }
    for package in &args.packages {
        cargo.args(["--package", package]);
    }
    for package in &args.exclude {
        cargo.args(["--exclude", package]);
    }
    cargo.args(args.cargo.to_args());
    cargo
}

impl CargoRun {
    /// Starts cargo. With a JSON format its stdout is collected; otherwise cargo writes to the
    /// terminal as usual.
    pub fn start(command: CargoCommand, args: &Args) -> Result<CargoRun> {
        let mut cargo = cargo_command(command, args);
        let json = args.message_format.is_json();
        cargo
            .stdin(Stdio::null())
            .stdout(if json {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .stderr(Stdio::inherit());
        let mut child = cargo
            .spawn()
            .with_context(|| format!("could not run `cargo {}`", command.as_str()))?;
        let stdout = child.stdout.take();
        let thread = thread::spawn(move || {
            let mut lines = Vec::new();
            let mut finished = None;
            if let Some(stdout) = stdout {
                for line in BufReader::new(stdout).lines() {
                    let line = line.context("could not read cargo's output")?;
                    match build_finished(&line) {
                        Some(success) => finished = Some(success),
                        None => lines.push(line),
                    }
                }
            }
            let status = child.wait().context("could not wait for cargo")?;
            Ok(Finished {
                lines,
                success: status.success() && finished.unwrap_or(true),
            })
        });
        Ok(CargoRun { thread })
    }

    /// Waits for cargo to finish.
    pub fn finish(self) -> Result<Finished> {
        self.thread
            .join()
            .map_err(|_| anyhow!("the thread reading cargo's output panicked"))?
    }
}

/// `Some(success)` when the line is cargo's `build-finished` message.
fn build_finished(line: &str) -> Option<bool> {
    if !line.contains("\"build-finished\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value.get("reason")?.as_str()? != "build-finished" {
        return None;
    }
    value.get("success")?.as_bool()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_finished_is_recognised_and_nothing_else() {
        assert_eq!(
            build_finished(r#"{"reason":"build-finished","success":false}"#),
            Some(false)
        );
        assert_eq!(
            build_finished(
                r#"{"reason":"compiler-message","message":{"rendered":"\"build-finished\""}}"#
            ),
            None
        );
    }

    #[test]
    fn the_command_passes_the_flags_on() {
        let args = Args::from_command_line([
            "cargo-cancel-check",
            "--message-format=json",
            "--workspace",
            "--all-targets",
            "--features",
            "x",
        ])
        .unwrap();
        let command = cargo_command(CargoCommand::Clippy, &args);
        let argv: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            argv,
            [
                "clippy",
                "--message-format=json",
                "--workspace",
                "--all-targets",
                "--features",
                "x"
            ]
        );
    }
}
