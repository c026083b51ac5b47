//! Formats stdin and prints the result: `cargo run -p qlint-fmt --example fmt_one -- kql|spl`.
use std::io::Read;

fn main() {
    let dialect = match std::env::args().nth(1).as_deref() {
        Some("spl") => qlint_fmt::Dialect::Spl,
        _ => qlint_fmt::Dialect::Kql,
    };
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin is UTF-8");
    match qlint_fmt::format(dialect, &text, &qlint_fmt::Options::default()) {
        Ok(out) => print!("{out}"),
        Err(error) => eprintln!("{error}"),
    }
}
