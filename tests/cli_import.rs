#[test]
fn placeholder_cli_import() {}
