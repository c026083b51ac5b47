//! The `qlint` binary: `qlint check`, `qlint rule`, `qlint lsp`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
