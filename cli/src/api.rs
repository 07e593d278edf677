//! `cargo cancel-check api <path-or-method>`: what the knowledge base says about an API's cancel
//! safety, and where that knowledge comes from.

use std::io::{self, Write};

use cancel_check_lints::knowledge::{ApiEntry, Effect, Knowledge, Origin, Verdict};

/// Where the built-in entries are kept (shown as their origin).
const BUILTIN_FILE: &str = "lints/src/knowledge/apis.toml";

/// Every entry whose path is `query` or ends with `::<query>`: `read_exact`,
/// `AsyncReadExt::read_exact` and `tokio::io::AsyncReadExt::read_exact` all find tokio's.
pub fn matching<'k>(knowledge: &'k Knowledge, query: &str) -> Vec<&'k ApiEntry> {
    let query = query.trim().trim_start_matches("::").trim_end_matches("()");
    let suffix = format!("::{query}");
    knowledge
        .entries()
        .iter()
        .filter(|entry| entry.path == query || entry.path.ends_with(&suffix))
        .collect()
}

/// Prints the entries, separated by blank lines.
pub fn print_entries(entries: &[&ApiEntry], out: &mut impl Write) -> io::Result<()> {
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        print_entry(entry, out)?;
    }
    Ok(())
}

fn print_entry(entry: &ApiEntry, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", entry.path)?;
    let arity = match entry.args {
        Some(1) => " (1 argument)".to_string(),
        Some(count) => format!(" ({count} arguments)"),
        None => String::new(),
    };
    let kind = match entry.kind {
        cancel_check_lints::knowledge::ApiKind::Method => "method",
        cancel_check_lints::knowledge::ApiKind::Fn => "fn",
        cancel_check_lints::knowledge::ApiKind::Assoc => "assoc",
    };
    writeln!(out, "  kind:     {kind}{arity}")?;
    writeln!(
        out,
        "  verdict:  {} ({})",
        entry.verdict.as_str(),
        meaning(entry.verdict)
    )?;
    if let Some(loses) = &entry.loses {
        writeln!(out, "  loses:    {loses}")?;
    }
    if let Some(method) = &entry.lost_only_with {
        writeln!(out, "  lost only with a call to `{method}`")?;
    }
    if entry.resource_intact {
        writeln!(
            out,
            "  the resource stays usable: only a loop that repeats the loss matters"
        )?;
    }
    if let Some(effect) = entry.effect {
        let effect = match effect {
            Effect::FsWrite => "writes the file system",
            Effect::FsRead => "reads the file system",
            Effect::Blocking => "runs on the blocking pool",
        };
        writeln!(out, "  effect:   {effect} (cancellation cannot stop it)")?;
    }
    if let Some(fix) = &entry.fix {
        writeln!(out, "  fix:      {fix}")?;
    }
    if let Some(note) = &entry.note {
        writeln!(out, "  note:     {note}")?;
    }
    writeln!(out, "  source:   {}", origin_text(entry))
}

/// What a verdict means for a raced future.
fn meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Safe => "cancel safe",
        Verdict::Conditional => "cancel safe only under a condition",
        Verdict::DataLoss => "not cancel safe: data already taken is lost",
        Verdict::MessageLost => "not cancel safe: the value it carries is lost",
        Verdict::QueuePositionLost => "fair: only the queue position is lost",
        Verdict::PartialProgressKept => {
            "resumable: partial progress is kept in the caller's buffer"
        }
    }
}

/// Where the knowledge comes from, then the entry's source.
fn origin_text(entry: &ApiEntry) -> String {
    match &entry.origin {
        Origin::Builtin => format!("built-in ({BUILTIN_FILE}): {}", entry.source),
        Origin::Mined { krate, version } => {
            let from = format!("mined from {krate} {version}");
            // A mined source starts with the same words: say them once.
            let rest = entry
                .source
                .strip_prefix(&from)
                .map_or(entry.source.as_str(), str::trim_start);
            format!("{from}: {rest}")
        }
        Origin::Config => format!("the project's configuration: {}", entry.source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_is_found_by_any_suffix_of_its_path() {
        let knowledge = Knowledge::builtin();
        for query in [
            "read_exact",
            "AsyncReadExt::read_exact",
            "tokio::io::AsyncReadExt::read_exact",
        ] {
            let found = matching(knowledge, query);
            assert!(
                found
                    .iter()
                    .any(|entry| entry.path == "tokio::io::AsyncReadExt::read_exact"),
                "{query}"
            );
        }
        assert!(matching(knowledge, "ad_exact").is_empty());
        assert!(matching(knowledge, "no_such_thing").is_empty());
    }

    #[test]
    fn the_origin_is_named() {
        let knowledge = Knowledge::builtin();
        let entry = knowledge
            .by_path("tokio::io::AsyncReadExt::read_exact")
            .unwrap();
        let mut out = Vec::new();
        print_entries(&[entry], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("tokio::io::AsyncReadExt::read_exact\n"),
            "{text}"
        );
        assert!(text.contains("  verdict:  data_loss ("), "{text}");
        assert!(
            text.contains("  source:   built-in (lints/src/knowledge/apis.toml): tokio 1."),
            "{text}"
        );

        let mined = ApiEntry {
            source: "mined from dep 1.0.0 src/lib.rs:3: \"It is cancel safe.\"".to_string(),
            origin: Origin::Mined {
                krate: "dep".to_string(),
                version: "1.0.0".to_string(),
            },
            ..entry.clone()
        };
        assert_eq!(
            origin_text(&mined),
            "mined from dep 1.0.0: src/lib.rs:3: \"It is cancel safe.\""
        );
    }
}
