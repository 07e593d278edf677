use std::process::ExitCode;

/// mimalloc: parsing and model building are mostly small allocations, which it serves with
/// about a quarter fewer instructions than the system allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cargo_cancel_check::run(std::env::args_os()) {
        Ok(code) => code,
        Err(error) if cargo_cancel_check::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            cargo_cancel_check::stderr::line(format!("error: {error:#}"));
            ExitCode::from(cargo_cancel_check::FAILURE)
        }
    }
}
