fn main() -> anyhow::Result<()> {
    println!("qlint: placeholder CLI");
    Ok(())
}
