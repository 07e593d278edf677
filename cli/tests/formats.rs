// Length: one test per output format and validator, with the project each runs on; a test file.
//! The formats that other programs read: SARIF, checked with Microsoft's SARIF validator (with
//! the rules for what GitHub code scanning accepts), GitHub Actions workflow commands, and
//! GitLab Code Quality reports, checked against the report's JSON schema
//! (`tests/data/gitlab-code-quality.schema.json`) with the `jsonschema` crate.
//!
//! The SARIF validator is the npm package `@microsoft/sarif-multitool`, installed under the
//! cargo target folder on first use. The three tests that run it are `#[ignore]`d, so that the
//! README's `cargo test --workspace --locked` stays quick and needs neither npm nor the network;
//! `.ci/run` runs them right after it (`-- --ignored`). There, without npm (or network on the
//! first run), they fail and say so: they are never skipped.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use assert_cmd::Command;
use cancel_check_lints::LINTS;
use cargo_cancel_check::links;
use serde_json::Value;

const MULTITOOL_VERSION: &str = "5.7.0";

/// The repository root (the cancel-check workspace).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn project(name: &str) -> PathBuf {
    repo_root().join("test-fixtures/projects").join(name)
}

/// The tool's stdout for a run on the workspace of `manifest`, with dependency docs off.
fn output(manifest: &Path, format: &str, extra: &[&str]) -> String {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(repo_root())
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--message-format", format, "--no-deps-docs"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected findings; stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn demo_manifest() -> PathBuf {
    project("demo").join("Cargo.toml")
}

/// A crate with findings of both levels, a finding whose secondary label is in another file, a
/// finding spanning several lines, a file name that needs escaping in a URI, a non-ASCII char
/// before a finding (columns count code points) and a file that does not parse.
fn several_findings() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"several\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n\n[workspace]\n",
        ),
        (
            "src/lib.rs",
            r#"mod conn;
mod broken;

use tokio::sync::mpsc;

use crate::conn::Conn;

pub struct Client {
    conn: Conn,
}

impl Client {
    pub async fn run(&mut self, mut commands: mpsc::Receiver<Vec<u8>>) -> std::io::Result<()> {
        loop {
            tokio::select! {
                frame = self.conn.read_frame() => { frame?; }
                cmd = commands.recv() => if cmd.is_none() { return Ok(()) },
            }
        }
    }
}

pub async fn wait(rt: &tokio::runtime::Runtime) {
    let _é = "é"; rt.block_on(async { 1 });
}

pub fn detach() {
    tokio::spawn(async move {
        println!("x");
    });
}
"#,
        ),
        (
            "src/conn.rs",
            r#"use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedReadHalf;

pub struct Conn {
    reader: OwnedReadHalf,
}

impl Conn {
    pub async fn read_frame(&mut self) -> std::io::Result<Vec<u8>> {
        let mut header = [0u8; 4];
        self.reader.read_exact(&mut header).await?;
        Ok(header.to_vec())
    }
}
"#,
        ),
        ("src/broken.rs", "fn broken( {\n"),
        (
            "src/odd name.rs",
            "pub async fn odd(rt: &tokio::runtime::Runtime) { rt.block_on(async {}); }\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// `-W detached_spawn`: the lint of the finding over several lines is allow by default.
const SEVERAL_FLAGS: &[&str] = &["-W", "detached_spawn"];

// ---- SARIF ----

fn sarif(manifest: &Path, extra: &[&str]) -> (String, Value) {
    let text = output(manifest, "sarif", extra);
    let value = serde_json::from_str(&text).expect("the SARIF output is JSON");
    (text, value)
}

fn run_of(log: &Value) -> &Value {
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    &runs[0]
}

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn sarif_of_the_demo_project_passes_the_validator() {
    let (text, _) = sarif(&demo_manifest(), &[]);
    assert_valid_sarif(&text);
}

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn sarif_with_several_findings_passes_the_validator() {
    let dir = several_findings();
    let (text, _) = sarif(&dir.path().join("Cargo.toml"), SEVERAL_FLAGS);
    assert_valid_sarif(&text);
}

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn sarif_with_a_tool_execution_notification_passes_the_validator() {
    // The demo has no Cargo.lock: its dependency docs cannot be mined, which the log says.
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(repo_root())
        .arg("--manifest-path")
        .arg(demo_manifest())
        .args(["--message-format", "sarif", "--no-cache"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let log: Value = serde_json::from_str(&text).unwrap();
    let notifications = &run_of(&log)["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notifications.as_array().map(Vec::len), Some(1), "{text}");
    assert_valid_sarif(&text);
}

#[test]
fn sarif_snapshot() {
    let (mut text, log) = sarif(&demo_manifest(), &[]);
    // The absolute root differs between machines.
    let root = &run_of(&log)["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    text = text.replace(&root.to_string(), "\"file:///[repository]/\"");
    // The help is the lint's docs word for word (`sarif_rules_are_every_lint` checks it): a
    // change to the docs should not show here.
    for lint in LINTS {
        let docs = serde_json::to_string(&lint.docs()).unwrap();
        text = text.replace(&docs, "\"[docs]\"");
    }
    insta::assert_snapshot!("sarif_demo", text);
}

#[test]
fn sarif_rules_are_every_lint() {
    let repository = links::REPOSITORY;
    let (_, log) = sarif(&demo_manifest(), &[]);
    let driver = &run_of(&log)["tool"]["driver"];
    assert_eq!(driver["name"], "cancel-check");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], repository);
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = LINTS.iter().map(|lint| lint.name).collect();
    assert_eq!(ids, names);
    for (rule, lint) in rules.iter().zip(LINTS) {
        assert_eq!(rule["shortDescription"]["text"], lint.summary());
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert_eq!(rule["help"]["markdown"], lint.docs());
        assert_eq!(rule["help"]["text"], lint.docs());
        assert_eq!(
            rule["helpUri"],
            format!("{repository}/blob/main/docs/lints.md#{}", lint.name)
        );
        assert_eq!(rule["helpUri"], links::lint_docs(lint.name));
        let level = match lint.default_level.as_str() {
            "allow" => "none",
            "warn" => "warning",
            _ => "error",
        };
        assert_eq!(
            rule["defaultConfiguration"]["level"], level,
            "{}",
            lint.name
        );
        // The tags are the lint's topic groups, from the one table in the registry.
        let groups: Vec<String> = cancel_check_lints::registry::groups_of(lint)
            .iter()
            .map(|group| group.name.replace('_', "-"))
            .collect();
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!(groups),
            "{}",
            lint.name
        );
    }
}

#[test]
fn sarif_help_links_point_at_headings_of_the_lint_reference() {
    let reference = fs::read_to_string(repo_root().join("docs/lints.md")).unwrap();
    let anchors = github_anchors(&reference);
    let (_, log) = sarif(&demo_manifest(), &[]);
    let rules = run_of(&log)["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), LINTS.len());
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let (page, anchor) = uri.split_once('#').unwrap();
        assert_eq!(page, links::LINT_REFERENCE, "{uri}");
        assert!(
            anchors.contains(anchor),
            "{uri}: docs/lints.md has no heading with the anchor `{anchor}`"
        );
    }
    // The home page is the repository.
    assert_eq!(
        run_of(&log)["tool"]["driver"]["informationUri"],
        links::REPOSITORY
    );
}

/// The anchors GitHub gives the headings of a markdown page: the heading text lowercased,
/// spaces as `-`, punctuation other than `-` and `_` dropped, and `-1`, `-2`... after a
/// repeated one. Headings inside code blocks are not headings.
fn github_anchors(markdown: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if in_code || !heading.starts_with(' ') {
            continue;
        }
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let mut anchor = slug.clone();
        let mut repeat = 0;
        while !anchors.insert(anchor.clone()) {
            repeat += 1;
            anchor = format!("{slug}-{repeat}");
        }
    }
    anchors
}

#[test]
fn github_anchors_follow_githubs_rules() {
    let anchors = github_anchors(
        "# Lints\n## select_arm_not_cancel_safe\n### Why is this bad?\n### Why is this bad?\n\
         ```rust\n# hidden line\n```\n#not a heading\n## `block_on` in async: Known problems\n",
    );
    let expected = [
        "lints",
        "select_arm_not_cancel_safe",
        "why-is-this-bad",
        "why-is-this-bad-1",
        "block_on-in-async-known-problems",
    ];
    assert_eq!(
        anchors,
        expected
            .iter()
            .map(|a| a.to_string())
            .collect::<BTreeSet<_>>()
    );
}

#[test]
fn sarif_results_point_into_the_repository() {
    let dir = several_findings();
    let (_, log) = sarif(&dir.path().join("Cargo.toml"), SEVERAL_FLAGS);
    let run = run_of(&log);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let mut seen = Vec::new();
    for result in results {
        let rule_id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule_id);
        let related = result["relatedLocations"].as_array().cloned();
        for location in result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(related.iter().flatten())
        {
            let artifact = &location["physicalLocation"]["artifactLocation"];
            let uri = artifact["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains(':'),
                "not relative: {uri}"
            );
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
            let region = &location["physicalLocation"]["region"];
            let number = |key: &str| region[key].as_u64().unwrap();
            assert!(number("startLine") >= 1 && number("startColumn") >= 1);
            assert!(number("endLine") >= number("startLine") && number("endColumn") >= 1);
        }
        let fingerprint = result["partialFingerprints"]["cancelCheck/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 64);
        let primary = &result["locations"][0]["physicalLocation"];
        seen.push((
            rule_id.to_string(),
            result["level"].as_str().unwrap().to_string(),
            primary["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string(),
            primary["region"]["startLine"].as_u64().unwrap(),
            primary["region"]["startColumn"].as_u64().unwrap(),
        ));
    }
    let expected = [
        ("parse_error", "error", "src/broken.rs", 1, 12),
        (
            "select_arm_not_cancel_safe",
            "warning",
            "src/lib.rs",
            16,
            25,
        ),
        // Column 19 in code points (`é` is two bytes).
        ("block_on_in_async", "error", "src/lib.rs", 24, 19),
        ("detached_spawn", "warning", "src/lib.rs", 28, 5),
        ("block_on_in_async", "error", "src/odd%20name.rs", 1, 50),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(lint, level, uri, line, column)| {
            (
                lint.to_string(),
                level.to_string(),
                uri.to_string(),
                *line,
                *column,
            )
        })
        .collect();
    assert_eq!(seen, expected);

    // The callee that makes the select branch unsafe is in another file.
    let select = &results[1];
    let related = select["relatedLocations"].as_array().unwrap();
    let in_conn = related
        .iter()
        .find(|location| location["physicalLocation"]["artifactLocation"]["uri"] == "src/conn.rs")
        .expect("a related location in src/conn.rs");
    assert_eq!(in_conn["physicalLocation"]["region"]["startLine"], 11);
    assert!(in_conn["message"]["text"]
        .as_str()
        .unwrap()
        .contains("read_exact"));
    let ids: Vec<u64> = related
        .iter()
        .map(|location| location["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=related.len() as u64).collect::<Vec<_>>());
}

#[test]
fn sarif_fingerprints_survive_an_unrelated_line_above() {
    let dir = several_findings();
    let manifest = dir.path().join("Cargo.toml");
    let fingerprints_and_lines = || {
        let (_, log) = sarif(&manifest, SEVERAL_FLAGS);
        let results = run_of(&log)["results"].as_array().unwrap().clone();
        let fingerprints: BTreeSet<String> = results
            .iter()
            .map(|result| {
                result["partialFingerprints"]["cancelCheck/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let lines: Vec<u64> = results
            .iter()
            .map(|result| {
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        (fingerprints, lines)
    };
    let (before, lines_before) = fingerprints_and_lines();
    assert_eq!(before.len(), 5, "one fingerprint per finding");

    let lib = dir.path().join("src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, format!("\n// An unrelated comment.\n{text}")).unwrap();
    let (after, lines_after) = fingerprints_and_lines();

    // The findings in lib.rs moved down two lines...
    assert_ne!(lines_before, lines_after);
    // ...and are still the same findings.
    assert_eq!(before, after);
}

/// Runs Microsoft's validator with the SARIF and the GitHub code scanning rule sets, and fails
/// with every error and warning it reports.
fn assert_valid_sarif(sarif: &str) {
    let problems = validate_sarif(sarif);
    assert!(
        problems.is_empty(),
        "the SARIF validator reports:\n{}\n\nvalidated file:\n{sarif}",
        problems.join("\n")
    );
}

/// What Microsoft's validator reports at level error or warning.
fn validate_sarif(sarif: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cancel-check.sarif");
    let output = dir.path().join("validation.sarif");
    let config = dir.path().join("validation.xml");
    fs::write(&input, sarif).unwrap();
    fs::write(&config, GITHUB_RULES_CONFIG).unwrap();
    // The input comes first: a list-valued option (`--rule-kind`, `--log`) takes the values
    // that follow it.
    let run = StdCommand::new(sarif_multitool())
        .arg("validate")
        .arg(&input)
        .args(["--rule-kind", "Ghas;Sarif"])
        .arg("--config")
        .arg(&config)
        .arg("--output")
        .arg(&output)
        // The validator is a .NET program: without ICU it needs invariant globalization.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run sarif-multitool");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "sarif-multitool failed:\n{console}");
    let report: Value = serde_json::from_str(
        &fs::read_to_string(&output)
            .unwrap_or_else(|error| panic!("no validator output ({error}):\n{console}")),
    )
    .unwrap();
    validator_problems(&report)
}

#[test]
#[ignore = "installs external tools; run by .ci/run"]
fn the_validator_catches_what_github_code_scanning_rejects() {
    let (_, mut log) = sarif(&demo_manifest(), &[]);
    let location = &mut log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    location["artifactLocation"] = serde_json::json!({ "uri": "https://github.com/cancel-check/cancel-check/blob/main/lib.rs" });
    location.as_object_mut().unwrap().remove("region");
    let problems = validate_sarif(&serde_json::to_string_pretty(&log).unwrap());
    for rule in ["GH1003", "GH1005"] {
        assert!(
            problems.iter().any(|problem| problem.starts_with(rule)),
            "{rule} not reported:\n{}",
            problems.join("\n")
        );
    }
}

/// The validator's results at level error or warning, and its own failures, as text.
fn validator_problems(report: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for run in report["runs"].as_array().unwrap() {
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for invocation in run["invocations"].as_array().into_iter().flatten() {
            if invocation["executionSuccessful"] != true {
                problems.push(format!(
                    "the validator did not run to the end: {invocation}"
                ));
            }
            for key in [
                "toolExecutionNotifications",
                "toolConfigurationNotifications",
            ] {
                for notification in invocation[key].as_array().into_iter().flatten() {
                    problems.push(format!("validator notification: {notification}"));
                }
            }
        }
        for result in run["results"].as_array().into_iter().flatten() {
            let rule = result["ruleIndex"]
                .as_u64()
                .and_then(|index| rules.get(index as usize))
                .or_else(|| rules.iter().find(|rule| rule["id"] == result["ruleId"]));
            let level = result["level"]
                .as_str()
                .or_else(|| rule.and_then(|rule| rule["defaultConfiguration"]["level"].as_str()))
                .unwrap_or("warning");
            if level != "error" && level != "warning" {
                continue;
            }
            let line = &result["locations"][0]["physicalLocation"]["region"]["startLine"];
            problems.push(format!(
                "{} {level} (line {line}): {}",
                result["ruleId"].as_str().unwrap_or("?"),
                message_text(&result["message"], rule)
            ));
        }
    }
    problems
}

/// A validator message: its text, or its rule's message string with the arguments filled in.
fn message_text(message: &Value, rule: Option<&Value>) -> String {
    if let Some(text) = message["text"].as_str() {
        return text.to_string();
    }
    let id = message["id"].as_str().unwrap_or_default();
    let Some(template) = rule.and_then(|rule| rule["messageStrings"][id]["text"].as_str()) else {
        return message.to_string();
    };
    let mut text = template.to_string();
    for (index, argument) in message["arguments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        text = text.replace(
            &format!("{{{index}}}"),
            argument.as_str().unwrap_or_default(),
        );
    }
    text
}

/// The GitHub rules GH1001-GH1007 are off by default: this validator configuration turns them
/// on, as errors.
const GITHUB_RULES_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="GH1001.ProvideRequiredLocationProperties.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1002.InlineThreadFlowLocations.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1003.ProvideRequiredRegionProperties.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1004.ReviewArraysThatExceedConfigurableDefaults.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1005.LocationsMustBeRelativeUrisOrFilePaths.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1006.ProvideCheckoutPath.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1007.ProvideFullyFormattedMessageStrings.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
"#;

/// The validator's executable, installed with npm under the target folder on first use.
fn sarif_multitool() -> PathBuf {
    static TOOL: OnceLock<PathBuf> = OnceLock::new();
    TOOL.get_or_init(install_sarif_multitool).clone()
}

fn install_sarif_multitool() -> PathBuf {
    let (platform, executable) = if cfg!(target_os = "windows") {
        ("win32", "Sarif.Multitool.exe")
    } else if cfg!(target_os = "macos") {
        ("darwin", "Sarif.Multitool")
    } else {
        ("linux", "Sarif.Multitool")
    };
    let relative = Path::new("node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}"))
        .join(executable);
    // CARGO_TARGET_TMPDIR is `<target>/tmp`: the tool goes to `<target>/test-tools/npm`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let name = format!("sarif-multitool-{MULTITOOL_VERSION}");
    let prefix = target.join("test-tools/npm").join(&name);
    let tool = prefix.join(&relative);
    if !tool.exists() {
        // Install beside it and move into place, so that test processes running at the same
        // time never see half an installation.
        let staging = prefix.with_file_name(format!("{name}.installing-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir_all(&staging).unwrap();
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let package = format!("@microsoft/sarif-multitool@{MULTITOOL_VERSION}");
        let result = StdCommand::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&staging)
            .arg(&package)
            .output();
        let installed = matches!(&result, Ok(output) if output.status.success())
            && staging.join(&relative).exists();
        if !installed {
            let _ = fs::remove_dir_all(&staging);
        }
        match result {
            Err(error) => panic!(
                "the SARIF tests need npm to install {package} (Microsoft's SARIF validator), \
                 and `{npm}` could not be run: {error}"
            ),
            Ok(output) => assert!(
                installed,
                "`{npm} install {package}` failed; the SARIF tests need it (Microsoft's SARIF \
                 validator):\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        }
        if fs::rename(&staging, &prefix).is_err() {
            // Another test process got there first.
            let _ = fs::remove_dir_all(&staging);
        }
    }
    assert!(tool.exists(), "{} is missing", tool.display());
    // npm may skip the package's postinstall script, which makes the program executable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut permissions = fs::metadata(&tool).unwrap().permissions();
        if permissions.mode() & 0o111 != 0o111 {
            permissions.set_mode(permissions.mode() | 0o755);
            fs::set_permissions(&tool, permissions).unwrap();
        }
    }
    tool
}

// ---- GitLab Code Quality ----

fn gitlab(manifest: &Path, extra: &[&str]) -> (String, Value) {
    let text = output(manifest, "gitlab", extra);
    let value = serde_json::from_str(&text).expect("the GitLab report is JSON");
    (text, value)
}

/// The problems `jsonschema` finds in a report, against the Code Quality schema.
fn gitlab_schema_problems(report: &Value) -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gitlab-code-quality.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON schema");
    validator
        .iter_errors(report)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

fn assert_valid_gitlab(report: &Value) {
    let problems = gitlab_schema_problems(report);
    assert!(
        problems.is_empty(),
        "the report does not match the Code Quality schema:\n{}\n\nreport:\n{report:#}",
        problems.join("\n")
    );
}

#[test]
fn gitlab_report_of_the_demo_project_matches_the_schema() {
    let (_, report) = gitlab(&demo_manifest(), &[]);
    assert_eq!(report.as_array().unwrap().len(), 1);
    assert_valid_gitlab(&report);
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!("gitlab_demo", gitlab(&demo_manifest(), &[]).0);
}

#[test]
fn gitlab_report_with_several_findings_matches_the_schema() {
    let dir = several_findings();
    let (_, report) = gitlab(&dir.path().join("Cargo.toml"), SEVERAL_FLAGS);
    assert_valid_gitlab(&report);
    let issues = report.as_array().unwrap();
    let seen: Vec<(&str, &str, &str, u64, u64)> = issues
        .iter()
        .map(|issue| {
            let location = &issue["location"];
            (
                issue["check_name"].as_str().unwrap(),
                issue["severity"].as_str().unwrap(),
                location["path"].as_str().unwrap(),
                location["lines"]["begin"].as_u64().unwrap(),
                location["lines"]["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("cancel_check::parse_error", "major", "src/broken.rs", 1, 1),
            (
                "cancel_check::select_arm_not_cancel_safe",
                "minor",
                "src/lib.rs",
                16,
                16
            ),
            (
                "cancel_check::block_on_in_async",
                "major",
                "src/lib.rs",
                24,
                24
            ),
            (
                "cancel_check::detached_spawn",
                "minor",
                "src/lib.rs",
                28,
                30
            ),
            (
                "cancel_check::block_on_in_async",
                "major",
                "src/odd name.rs",
                1,
                1
            ),
        ]
    );
    // GitLab keeps one finding per fingerprint: each finding has its own.
    let fingerprints: BTreeSet<&str> = issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), issues.len());
    // The help follows the message.
    assert!(
        issues[1]["description"]
            .as_str()
            .unwrap()
            .starts_with("`self.conn.read_frame(..)` is not cancel safe"),
        "{}",
        issues[1]["description"]
    );
    assert!(issues[1]["description"]
        .as_str()
        .unwrap()
        .contains(" (help: "));
}

#[test]
fn gitlab_fingerprints_are_the_sarif_ones_and_survive_an_unrelated_line_above() {
    let dir = several_findings();
    let manifest = dir.path().join("Cargo.toml");
    let fingerprints = || {
        let (_, report) = gitlab(&manifest, SEVERAL_FLAGS);
        report
            .as_array()
            .unwrap()
            .iter()
            .map(|issue| issue["fingerprint"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let before = fingerprints();
    let (_, log) = sarif(&manifest, SEVERAL_FLAGS);
    let sarif_fingerprints: Vec<String> = run_of(&log)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            result["partialFingerprints"]["cancelCheck/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(before, sarif_fingerprints);

    let lib = dir.path().join("src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, format!("// An unrelated comment.\n\n{text}")).unwrap();
    assert_eq!(fingerprints(), before);
}

#[test]
fn gitlab_report_of_a_clean_run_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("clean.rs"), "pub async fn f() {}\n").unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cargo-cancel-check"))
        .current_dir(dir.path())
        .args(["--message-format", "gitlab", "--no-deps-docs", "clean.rs"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report, serde_json::json!([]));
    assert_valid_gitlab(&report);
}

#[test]
fn the_gitlab_schema_rejects_what_gitlab_cannot_read() {
    let (_, report) = gitlab(&demo_manifest(), &[]);
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut report = report.clone();
        change(&mut report[0]);
        gitlab_schema_problems(&report)
    };
    let no_check_name = broken(&|issue| {
        issue.as_object_mut().unwrap().remove("check_name");
    });
    let rustc_severity = broken(&|issue| issue["severity"] = "warning".into());
    let absolute_path = broken(&|issue| issue["location"]["path"] = "/work/src/lib.rs".into());
    let no_line = broken(&|issue| {
        issue["location"].as_object_mut().unwrap().remove("lines");
    });
    let line_zero = broken(&|issue| issue["location"]["lines"]["begin"] = 0.into());
    for (what, problems) in [
        ("a missing check_name", no_check_name),
        ("severity `warning`", rustc_severity),
        ("an absolute path", absolute_path),
        ("no line", no_line),
        ("line 0", line_zero),
    ] {
        assert!(!problems.is_empty(), "the schema accepts {what}");
    }
    assert!(!gitlab_schema_problems(&serde_json::json!({})).is_empty());
}

// ---- GitHub Actions workflow commands ----

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github_demo", output(&demo_manifest(), "github", &[]));
}

#[test]
fn github_output_is_one_workflow_command_per_finding() {
    let dir = several_findings();
    let text = output(&dir.path().join("Cargo.toml"), "github", SEVERAL_FLAGS);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    for line in &lines {
        assert!(
            line.starts_with("::warning file=") || line.starts_with("::error file="),
            "{line}"
        );
    }
    assert!(lines[0].starts_with(
        "::error file=src/broken.rs,line=1,col=12,endLine=1,endColumn=12,title=cancel-check(parse_error)::"
    ));
    assert!(lines[1].starts_with(
        "::warning file=src/lib.rs,line=16,col=25,endLine=16,endColumn=47,\
         title=cancel-check(select_arm_not_cancel_safe)::`self.conn.read_frame(..)` is not cancel safe"
    ));
    // The help follows on a line of its own (an escaped newline).
    assert!(lines[1].contains("`select!`%0Ahelp: "), "{}", lines[1]);
    assert!(lines[2].starts_with(
        "::error file=src/lib.rs,line=24,col=19,endLine=24,endColumn=43,title=cancel-check(block_on_in_async)::"
    ));
    // Over several lines: no columns.
    assert!(lines[3].starts_with(
        "::warning file=src/lib.rs,line=28,endLine=30,title=cancel-check(detached_spawn)::"
    ));
    assert!(lines[4].starts_with("::error file=src/odd name.rs,line=1,col=50,"));
}
