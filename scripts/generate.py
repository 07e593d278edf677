#!/usr/bin/env python3
"""Generated inputs for the scale checks of scripts/bench.sh (docs/performance.md).

    scripts/generate.py chain DIR N [FILES]   N async fns, each awaiting the next, callers first,
                                               in one file (src/lib.rs) or spread over FILES
                                               module files; the last one reads a stream, and a
                                               select! in a loop races the first
    scripts/generate.py guards DIR N          one async fn holding N std Mutex guards across an
                                               await, and N guards dropped before one
    scripts/generate.py big DIR MB            one file of about MB megabytes of small fns

Each writes a crate folder (DIR/src/...) to give cargo-cancel-check as a PATH.
"""
import os
import sys

HEADER = "use tokio::io::AsyncReadExt;\nuse tokio::net::TcpStream;\n"

RACE = """
pub async fn run(mut stream: TcpStream, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            _ = f0(&mut stream) => {}
            _ = stop.recv() => {}
        }
    }
}
"""


def chain_fn(index, last, callee):
    if index == last:
        return (
            f"pub async fn f{index}(s: &mut TcpStream) {{\n"
            "    let mut len = [0u8; 4];\n"
            "    s.read_exact(&mut len).await.unwrap();\n"
            "}\n"
        )
    return f"pub async fn f{index}(s: &mut TcpStream) {{\n    {callee}(s).await;\n}}\n"


def chain(root, count, files):
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    if files <= 1:
        parts = [HEADER, RACE]
        for index in range(count):
            parts.append(chain_fn(index, count - 1, f"f{index + 1}"))
        write(os.path.join(src, "lib.rs"), "".join(parts))
        return
    per_file = -(-count // files)
    width = len(str(files - 1))
    name = lambda module: f"m{module:0{width}}"
    lib = [HEADER, f"pub use {name(0)}::f0;\n", RACE]
    for module in range(files):
        lib.append(f"pub mod {name(module)};\n")
        start = module * per_file
        parts = [HEADER]
        for index in range(start, min(start + per_file, count)):
            next_module = (index + 1) // per_file
            callee = f"f{index + 1}" if next_module == module else f"crate::{name(next_module)}::f{index + 1}"
            parts.append(chain_fn(index, count - 1, callee))
        write(os.path.join(src, f"{name(module)}.rs"), "".join(parts))
    write(os.path.join(src, "lib.rs"), "".join(lib))


def guards(root, count):
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    held = ["pub async fn held(m: &std::sync::Mutex<u32>) {\n"]
    for index in range(count):
        held.append(f"    let g{index} = m.lock().unwrap();\n")
    held.append("    tokio::task::yield_now().await;\n")
    for index in range(count):
        held.append(f"    drop(g{index});\n")
    held.append("}\n")
    dropped = ["pub async fn dropped(m: &std::sync::Mutex<u32>) {\n"]
    for index in range(count):
        dropped.append(f"    let g{index} = m.lock().unwrap();\n    drop(g{index});\n")
    dropped.append("    tokio::task::yield_now().await;\n}\n")
    write(os.path.join(src, "lib.rs"), "".join(held) + "".join(dropped))


def big(root, megabytes):
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    target = int(megabytes * 1e6)
    path = os.path.join(src, "lib.rs")
    with open(path, "w") as out:
        out.write(HEADER)
        out.write(chain_fn(0, 0, ""))
        written, index = 0, 0
        while written < target:
            text = (
                f"pub fn helper_{index}(a: u64, b: u64) -> u64 {{\n"
                f"    let c = a.wrapping_mul(b) ^ {index};\n"
                "    if c > 10 { c - 1 } else { c + 1 }\n}\n"
            )
            out.write(text)
            written += len(text)
            index += 1


def write(path, text):
    with open(path, "w") as out:
        out.write(text)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    kind, root = sys.argv[1], sys.argv[2]
    if kind == "chain":
        files = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        chain(root, int(sys.argv[3]), files)
    elif kind == "guards":
        guards(root, int(sys.argv[3]))
    elif kind == "big":
        big(root, float(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
