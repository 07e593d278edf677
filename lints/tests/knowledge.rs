//! The built-in knowledge base: it loads, every entry is complete, and the distinctions tokio
//! documents survive (they are what keeps the select and timeout lints precise).

use cancel_check_lints::knowledge::{ApiKind, Knowledge, Verdict, BUILTIN_DATA};

fn verdict(path: &str) -> Verdict {
    Knowledge::builtin()
        .by_path(path)
        .unwrap_or_else(|| panic!("`{path}` is not in apis.toml"))
        .verdict
}

#[test]
fn the_data_file_loads_and_every_entry_is_complete() {
    let knowledge = Knowledge::from_toml(BUILTIN_DATA).expect("apis.toml parses");
    assert!(
        knowledge.entries().len() > 300,
        "{}",
        knowledge.entries().len()
    );
    for entry in knowledge.entries() {
        assert!(
            entry.path.contains("::"),
            "{}: path needs an owner",
            entry.path
        );
        assert!(!entry.source.trim().is_empty(), "{}: no source", entry.path);
        if entry.verdict != Verdict::Safe {
            assert!(
                entry.loses.as_deref().is_some_and(|s| !s.is_empty()),
                "{}: no `loses`",
                entry.path
            );
            assert!(
                entry.fix.as_deref().is_some_and(|s| !s.is_empty()),
                "{}: no `fix`",
                entry.path
            );
        }
    }
}

#[test]
fn paths_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    let table: toml::Table = toml::from_str(BUILTIN_DATA).unwrap();
    for entry in table["api"].as_array().unwrap() {
        let path = entry["path"].as_str().unwrap();
        assert!(seen.insert(path.to_string()), "`{path}` appears twice");
    }
}

#[test]
fn tokio_io_distinctions_are_kept() {
    assert_eq!(verdict("tokio::io::AsyncReadExt::read"), Verdict::Safe);
    assert_eq!(verdict("tokio::io::AsyncReadExt::read_buf"), Verdict::Safe);
    assert_eq!(verdict("tokio::io::AsyncReadExt::read_u8"), Verdict::Safe);
    assert_eq!(
        verdict("tokio::io::AsyncReadExt::read_exact"),
        Verdict::DataLoss
    );
    assert_eq!(
        verdict("tokio::io::AsyncReadExt::read_u32"),
        Verdict::DataLoss
    );
    assert_eq!(verdict("tokio::io::AsyncWriteExt::write"), Verdict::Safe);
    assert_eq!(
        verdict("tokio::io::AsyncWriteExt::write_buf"),
        Verdict::Safe
    );
    assert_eq!(
        verdict("tokio::io::AsyncWriteExt::write_all"),
        Verdict::DataLoss
    );
    assert_eq!(
        verdict("tokio::io::AsyncBufReadExt::read_line"),
        Verdict::DataLoss
    );
    assert_eq!(verdict("tokio::io::Lines::next_line"), Verdict::Safe);
}

#[test]
fn tokio_sync_distinctions_are_kept() {
    assert_eq!(verdict("tokio::sync::mpsc::Receiver::recv"), Verdict::Safe);
    assert_eq!(
        verdict("tokio::sync::mpsc::Receiver::recv_many"),
        Verdict::Safe
    );
    assert_eq!(
        verdict("tokio::sync::mpsc::Sender::send"),
        Verdict::MessageLost
    );
    assert_eq!(
        verdict("tokio::sync::mpsc::Sender::reserve"),
        Verdict::QueuePositionLost
    );
    assert_eq!(
        verdict("tokio::sync::Mutex::lock"),
        Verdict::QueuePositionLost
    );
    assert_eq!(
        verdict("tokio::sync::Semaphore::acquire"),
        Verdict::QueuePositionLost
    );
}

#[test]
fn futures_quinn_and_async_std_are_covered() {
    assert_eq!(verdict("futures::SinkExt::send"), Verdict::MessageLost);
    assert!(matches!(
        verdict("futures::StreamExt::next"),
        Verdict::Safe | Verdict::Conditional
    ));
    assert_eq!(
        verdict("futures::io::AsyncReadExt::read_exact"),
        Verdict::DataLoss
    );
    assert_eq!(
        verdict("async_std::io::ReadExt::read_exact"),
        Verdict::DataLoss
    );
    assert_eq!(verdict("quinn::RecvStream::read_exact"), Verdict::DataLoss);
    assert_eq!(verdict("quinn::SendStream::write_all"), Verdict::DataLoss);
}

#[test]
fn free_functions_are_indexed_by_path() {
    let knowledge = Knowledge::builtin();
    let sleep = knowledge
        .by_path("tokio::time::sleep")
        .expect("tokio::time::sleep");
    assert_eq!(sleep.kind, ApiKind::Fn);
    assert_eq!(sleep.verdict, Verdict::Safe);
    assert!(knowledge.named("read_exact").count() >= 3);
}

#[test]
fn a_later_entry_replaces_an_earlier_one() {
    let mut knowledge = Knowledge::from_toml(
        r#"
        [[api]]
        path = "my_crate::Conn::read_frame"
        kind = "method"
        verdict = "safe"
        source = "first"
        "#,
    )
    .unwrap();
    let replacement = Knowledge::from_toml(
        r#"
        [[api]]
        path = "my_crate::Conn::read_frame"
        kind = "method"
        verdict = "data_loss"
        loses = "a partial frame"
        fix = "use `next_frame`"
        source = "config"
        "#,
    )
    .unwrap();
    knowledge.insert(replacement.entries()[0].clone());
    assert_eq!(knowledge.entries().len(), 1);
    assert_eq!(
        knowledge
            .by_path("my_crate::Conn::read_frame")
            .unwrap()
            .verdict,
        Verdict::DataLoss
    );
    assert!(Knowledge::from_toml(
        "[[api]]\npath = \"x::y\"\nkind = \"method\"\nverdict = \"maybe\"\nsource = \"s\""
    )
    .is_err());
}

#[test]
fn arities_keep_user_methods_apart_from_library_ones() {
    let args = |path: &str| {
        Knowledge::builtin()
            .by_path(path)
            .and_then(|entry| entry.args)
    };
    assert_eq!(args("tokio::sync::mpsc::Sender::send"), Some(1));
    assert_eq!(args("tokio::io::AsyncBufReadExt::read_line"), Some(1));
    assert_eq!(args("tokio::io::AsyncReadExt::read_u32"), Some(0));
    assert_eq!(args("tokio::sync::RwLock::read"), Some(0));
    assert_eq!(args("tokio::net::UdpSocket::recv"), Some(1));
}

#[test]
fn every_lost_only_with_method_is_tracked_by_the_model() {
    for entry in Knowledge::builtin().entries() {
        if let Some(method) = &entry.lost_only_with {
            assert!(
                cancel_check_lints::TRACKED_METHODS.contains(&method.as_str()),
                "{}: `{method}` must be in TRACKED_METHODS",
                entry.path
            );
        }
    }
}

#[test]
fn event_listener_keeps_no_permit_unlike_tokio_notify() {
    let knowledge = Knowledge::builtin();
    let listen = knowledge.by_path("event_listener::Event::listen").unwrap();
    assert_eq!(listen.verdict, Verdict::MessageLost);
    assert_eq!(listen.args, Some(0));
    // Every `notify` loses its notification when nobody listens, so the loss does not depend on
    // which notify method the code calls (tokio's `notify_one` stores a permit).
    assert_eq!(listen.lost_only_with, None);
    let notified = knowledge.by_path("tokio::sync::Notify::notified").unwrap();
    assert_eq!(notified.verdict, listen.verdict);
    assert_eq!(notified.lost_only_with.as_deref(), Some("notify_waiters"));
    assert_eq!(
        verdict("event_listener::EventListener::await"),
        Verdict::Conditional
    );
}

#[test]
fn channel_crates_are_covered() {
    // Sends that own their message lose it; kanal documents its receive as unfit for `select!`.
    for path in [
        "flume::Sender::send_async",
        "flume::Sender::into_send_async",
        "kanal::AsyncSender::send",
        "kanal::AsyncReceiver::recv",
        "async_broadcast::Sender::broadcast",
        "async_broadcast::Sender::broadcast_direct",
        "postage::sink::Sink::send",
        "tokio_util::sync::PollSender::send",
        "tokio_util::codec::FramedWrite::feed",
        "async_channel::Sender::send",
    ] {
        assert_eq!(verdict(path), Verdict::MessageLost, "{path}");
    }
    for path in [
        "flume::Receiver::recv_async",
        "async_broadcast::Receiver::recv",
        "async_broadcast::Receiver::recv_direct",
        "postage::stream::Stream::recv",
        "async_channel::Receiver::recv",
        "tokio_util::codec::FramedWrite::flush",
        "tokio_util::codec::FramedRead::next",
        "tokio_util::sync::CancellationToken::cancelled",
    ] {
        assert_eq!(verdict(path), Verdict::Safe, "{path}");
    }
}

#[test]
fn async_lock_distinctions_are_kept() {
    for path in [
        "async_lock::Mutex::lock",
        "async_lock::Mutex::lock_arc",
        "async_lock::RwLock::read",
        "async_lock::RwLock::write",
        "async_lock::RwLock::upgradable_read",
        "async_lock::Semaphore::acquire",
        "async_lock::Semaphore::acquire_arc",
    ] {
        assert_eq!(verdict(path), Verdict::QueuePositionLost, "{path}");
    }
    // The arrival stays counted, as with tokio's `Barrier::wait`.
    assert_eq!(verdict("async_lock::Barrier::wait"), Verdict::MessageLost);
    assert_eq!(
        verdict("async_lock::Barrier::wait"),
        verdict("tokio::sync::Barrier::wait")
    );
    // The guard is moved into the upgrade and released when it is dropped.
    let upgrade = Knowledge::builtin()
        .by_path("async_lock::RwLockUpgradableReadGuard::upgrade")
        .unwrap();
    assert_eq!(upgrade.kind, ApiKind::Assoc);
    assert_eq!(upgrade.verdict, Verdict::MessageLost);
    assert_eq!(
        verdict("async_lock::OnceCell::get_or_init"),
        Verdict::Conditional
    );
    assert_eq!(verdict("async_lock::OnceCell::wait"), Verdict::Safe);
}

/// `updated` (shown by `--version`) is a plain date at the top of the file, before any entry.
#[test]
fn the_data_file_says_when_it_was_last_checked() {
    let updated = Knowledge::builtin()
        .updated()
        .expect("apis.toml has `updated = YYYY-MM-DD` at the top");
    let parts: Vec<u32> = updated
        .split('-')
        .map(|part| part.parse().expect("digits"))
        .collect();
    let [year, month, day] = parts[..] else {
        panic!("`updated = {updated}` is not YYYY-MM-DD");
    };
    assert_eq!(updated.len(), 10, "`updated = {updated}` is not YYYY-MM-DD");
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => panic!("`updated = {updated}`: no month {month}"),
    };
    assert!(
        (2025..2100).contains(&year) && (1..=days).contains(&day),
        "{updated}"
    );
    let field = BUILTIN_DATA
        .find("\nupdated = ")
        .expect("an `updated` line");
    let first_entry = BUILTIN_DATA.find("\n[[api]]").unwrap();
    assert!(
        field < first_entry,
        "`updated` must come before the entries"
    );
}
