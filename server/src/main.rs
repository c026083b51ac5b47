fn main() -> anyhow::Result<()> {
    // Minimal `qlint lsp` until the CLI (issue 4) lands its subcommands.
    if std::env::args().nth(1).as_deref() == Some("lsp") {
        qlint::lsp::serve_stdio()?;
        return Ok(());
    }
    println!("qlint: placeholder CLI");
    Ok(())
}
