#[test]
fn placeholder_privacy() {}
