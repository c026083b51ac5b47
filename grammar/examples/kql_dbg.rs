//! Debug helper: parse a KQL text from argv[1] (or stdin) and print the tree and errors.
use std::io::Read;
fn main() {
    let text = match std::env::args().nth(1) {
        Some(t) => t,
        None => {
            let mut s = String::new();
            let _ = std::io::stdin().read_to_string(&mut s);
            s
        }
    };
    let p = qlint_grammar::kql::parse(&text);
    if std::env::var_os("TREE").is_some() {
        println!("{:#?}", p.tree);
    }
    for e in &p.errors {
        println!("{}..{}: {} [{}]", e.span.start, e.span.end, e.message, e.span.text(&text));
    }
}
