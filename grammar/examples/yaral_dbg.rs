//! Debug helper: parse a YARA-L file named by argv[1] and print the tree (with `TREE`) and errors.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let p = qlint_grammar::yaral::parse(&text);
    if std::env::var_os("TREE").is_some() {
        println!("{:#?}", p.tree);
    }
    for e in &p.errors {
        println!("{}..{}: {} [{}]", e.span.start, e.span.end, e.message, e.span.text(&text));
    }
}
