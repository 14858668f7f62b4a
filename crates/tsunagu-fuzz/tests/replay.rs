//! Replays every kept fuzz corpus file (and every crash artifact kept as a
//! regression) through its target, in the ordinary test suite.

#![allow(clippy::unwrap_used)]

#[test]
fn kept_fuzz_corpora_replay_cleanly() {
    let fuzz = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../fuzz");
    let mut replayed = 0;
    for (name, target) in tsunagu_fuzz::TARGETS {
        for sub in ["corpus", "regressions"] {
            let dir = fuzz.join(sub).join(name);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                target(&data);
                replayed += 1;
            }
        }
    }
    // Every target has a kept corpus: an empty replay would prove nothing.
    for (name, _) in tsunagu_fuzz::TARGETS {
        assert!(
            fuzz.join("corpus").join(name).is_dir(),
            "fuzz/corpus/{name} is missing"
        );
    }
    assert!(
        replayed >= tsunagu_fuzz::TARGETS.len(),
        "replayed {replayed}"
    );
}
