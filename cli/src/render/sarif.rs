//! `--message-format sarif`: one SARIF 2.1.0 log with one run, as GitHub code scanning and other
//! static-analysis viewers read it. Every lint is a rule of the driver, whether it fired or not;
//! every finding is a result whose location is relative to the repository root (`%SRCROOT%`),
//! with the secondary labels as related locations and a fingerprint that survives unrelated
//! edits.
//!
//! `automationDetails.id` is `cancel-check/` for a workspace at the repository root, and
//! `cancel-check/<path>/` for one below it, so that two workspaces of one repository upload
//! separate categories to code scanning instead of replacing each other's alerts. (GitHub's
//! `upload-sarif` uses its `category` input only when the log has no id.)
//!
//! These are explicit serde types for the wire format, not derived on the library's `Diagnostic`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use cancel_check_lints::registry::groups_of;
use cancel_check_lints::{Diagnostic, Label, Level, Lint, LINTS};
use serde::Serialize;

use crate::analyze::Analysis;
use crate::fingerprint::{fingerprints, Fingerprint, RepoRoot};
use crate::links;
use crate::render::Notice;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base id that result URIs are relative to: the repository root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of our fingerprint in `partialFingerprints` (versioned: a new scheme gets a new key).
pub const FINGERPRINT_KEY: &str = "cancelCheck/v1";

#[derive(Debug, Serialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    pub column_kind: &'static str,
    pub automation_details: AutomationDetails,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub information_uri: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Help,
    pub help_uri: String,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RuleProperties {
    pub tags: Vec<String>,
}

/// The run's identity for code scanning: `<category>/<run id>`; the run id is left empty.
#[derive(Debug, Serialize)]
pub struct AutomationDetails {
    pub id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    /// What the run has to tell besides its findings (the dependency docs could not be mined).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

/// A notification about the run itself, not about the analysed code.
#[derive(Debug, Serialize)]
pub struct Notification {
    pub level: &'static str,
    pub message: Text,
    pub descriptor: DescriptorReference,
}

#[derive(Debug, Serialize)]
pub struct DescriptorReference {
    pub id: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// 1-based lines and columns (in Unicode code points); `end_column` is just past the end.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

pub fn render(analysis: &Analysis, notices: &[Notice], out: &mut dyn Write) -> io::Result<()> {
    let root = RepoRoot::for_analysis(analysis);
    serde_json::to_writer_pretty(&mut *out, &log(analysis, &root, notices))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The SARIF log of a run, with paths relative to `root` and the run's notices as notifications
/// of its invocation.
pub fn log(analysis: &Analysis, root: &RepoRoot, notices: &[Notice]) -> SarifLog {
    let results = analysis
        .diagnostics
        .iter()
        .zip(fingerprints(analysis, root))
        .map(|(diagnostic, fingerprint)| result(analysis, root, diagnostic, &fingerprint))
        .collect();
    SarifLog {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "cancel-check",
                    information_uri: links::REPOSITORY,
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: LINTS.iter().map(|lint| rule(lint)).collect(),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: directory_uri(&root.root),
                    uri_base_id: None,
                },
            )]),
            column_kind: "unicodeCodePoints",
            automation_details: AutomationDetails {
                id: automation_id(analysis, root),
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notices
                    .iter()
                    .map(|notice| Notification {
                        level: "note",
                        message: Text {
                            text: notice.message.clone(),
                        },
                        descriptor: DescriptorReference { id: notice.id },
                    })
                    .collect(),
            }],
            results,
        }],
    }
}

/// `cancel-check/`, or `cancel-check/<workspace path>/` for a workspace below the repository
/// root.
fn automation_id(analysis: &Analysis, root: &RepoRoot) -> String {
    let workspace = analysis
        .files
        .iter()
        .find_map(|file| file.file.context.as_ref())
        .map(|context| root.relative(&context.workspace_root))
        .filter(|relative| !relative.is_empty() && !Path::new(relative).is_absolute());
    match workspace {
        Some(relative) => format!("cancel-check/{relative}/"),
        None => "cancel-check/".to_string(),
    }
}

fn rule(lint: &Lint) -> Rule {
    let docs = lint.docs();
    // SARIF wants the friendly name to differ from the id (ignoring case), else no name at all:
    // `futurelock` has none.
    let name = pascal_case(lint.name);
    Rule {
        id: lint.name,
        name: (!name.eq_ignore_ascii_case(lint.name)).then_some(name),
        short_description: Text {
            text: lint.summary(),
        },
        full_description: Text {
            text: plain_text(&lint.section("What it does").unwrap_or_default()),
        },
        help: Help {
            text: docs.clone(),
            markdown: docs,
        },
        help_uri: links::lint_docs(lint.name),
        default_configuration: Configuration {
            level: match lint.default_level {
                Level::Allow => "none",
                Level::Warn => "warning",
                Level::Deny => "error",
            },
        },
        properties: RuleProperties { tags: tags(lint) },
    }
}

/// What a lint is about, for filtering in code scanning: its topic groups from the registry,
/// spelt with dashes (`cancel-safety`, which `-W` also accepts).
fn tags(lint: &Lint) -> Vec<String> {
    groups_of(lint)
        .iter()
        .map(|group| group.name.replace('_', "-"))
        .collect()
}

/// `select_arm_not_cancel_safe` as `SelectArmNotCancelSafe`.
fn pascal_case(name: &str) -> String {
    name.split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars))
                .into_iter()
                .flatten()
        })
        .collect()
}

/// Markdown prose as plain text: paragraphs joined into single lines, backticks dropped.
fn plain_text(markdown: &str) -> String {
    markdown
        .split("\n\n")
        .map(|paragraph| {
            let mut text = String::new();
            for line in paragraph.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !text.is_empty() {
                    // A list item starts a line of its own.
                    text.push(if line.starts_with("- ") { '\n' } else { ' ' });
                }
                text.push_str(&line.replace('`', ""));
            }
            text
        })
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn result(
    analysis: &Analysis,
    root: &RepoRoot,
    diagnostic: &Diagnostic,
    fingerprint: &Fingerprint,
) -> SarifResult {
    let rule_index = LINTS
        .iter()
        .position(|lint| lint.name == diagnostic.lint.name)
        .unwrap_or_default();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    SarifResult {
        rule_id: diagnostic.lint.name,
        rule_index,
        level: match diagnostic.level {
            Level::Deny => "error",
            Level::Warn | Level::Allow => "warning",
        },
        message: Text { text: message },
        locations: vec![location(analysis, root, &diagnostic.primary, None)],
        related_locations: diagnostic
            .secondary
            .iter()
            .enumerate()
            .map(|(index, label)| location(analysis, root, label, Some(index + 1)))
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint.digest())]),
    }
}

/// A label as a location; related locations (with an `id`) carry the label's message.
fn location(analysis: &Analysis, root: &RepoRoot, label: &Label, id: Option<usize>) -> Location {
    let path = root.of_label(analysis, &label.file);
    // A file outside the repository keeps its absolute path, as a `file:` URI.
    let artifact_location = if Path::new(&path).is_absolute() || path.starts_with('/') {
        ArtifactLocation {
            uri: absolute_uri(&path),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: percent_encode(&path),
            uri_base_id: Some(SRCROOT),
        }
    };
    let span = &label.span;
    let start_line = span.line.max(1);
    let start_column = span.column.max(1);
    let end_line = span.end_line.max(start_line);
    let end_column = if end_line == start_line {
        span.end_column.max(start_column)
    } else {
        span.end_column.max(1)
    };
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location,
            region: Region {
                start_line,
                start_column,
                end_line,
                end_column,
            },
        },
        message: (id.is_some() && !label.message.is_empty()).then(|| Text {
            text: label.message.clone(),
        }),
    }
}

/// The `file:` URI of a folder, ending with `/` as SARIF wants for a base id.
fn directory_uri(dir: &Path) -> String {
    let mut uri = absolute_uri(&dir.to_string_lossy().replace('\\', "/"));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `/a b/c` as `file:///a%20b/c`, `C:/x` as `file:///C:/x`.
fn absolute_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix('/').unwrap_or(&path);
    format!("file:///{}", percent_encode(path))
}

/// Percent-encodes everything in a path but unreserved characters, `/` and a drive's `:`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (index, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (byte == b':' && index == 1 && path.as_bytes()[0].is_ascii_alphabetic());
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_case("select_arm_not_cancel_safe"),
            "SelectArmNotCancelSafe"
        );
        assert_eq!(pascal_case("futurelock"), "Futurelock");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(percent_encode("src/a b#%.rs"), "src/a%20b%23%25.rs");
        assert_eq!(percent_encode("src/é.rs"), "src/%C3%A9.rs");
        assert_eq!(absolute_uri("/work/x y"), "file:///work/x%20y");
        assert_eq!(absolute_uri("C:\\src\\x"), "file:///C:/src/x");
        assert_eq!(directory_uri(Path::new("/work/main")), "file:///work/main/");
    }

    #[test]
    fn markdown_becomes_plain_paragraphs() {
        assert_eq!(
            plain_text("Flags `a`\nand `b`.\n\nCovers c."),
            "Flags a and b.\n\nCovers c."
        );
        assert_eq!(
            plain_text("Ends:\n- one\n  more\n- two"),
            "Ends:\n- one more\n- two"
        );
    }

    #[test]
    fn tags_are_the_topic_groups_with_dashes() {
        let lint = cancel_check_lints::lint_by_name("abandoned_blocking_work").unwrap();
        assert_eq!(tags(lint), ["correctness", "cancel-safety", "blocking"]);
        let lint = cancel_check_lints::lint_by_name("parse_error").unwrap();
        assert!(tags(lint).is_empty());
    }
}
