//! Public exports, in every format, carry no internal record, no
//! `notes_internal` and no `contact.person`; coordinators' exports carry
//! them (the positive control). Records are projected by
//! `Audience::project`, as the engine hands them to an exporter.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use tsunagu_export::Format;
use tsunagu_model::{Audience, Visibility};

#[test]
fn public_exports_hold_nothing_internal() {
    let mut control = [false; 3];
    for seed in 0..40 {
        let items = random_items(600 + seed, 30, Texts::Any);
        let internal_ids: Vec<String> = items
            .iter()
            .filter(|(r, _)| r.visibility == Visibility::Internal)
            .map(|(r, _)| format!("\"{}\"", r.id))
            .collect();
        let secrets: Vec<String> = items
            .iter()
            .flat_map(|(r, _)| {
                [
                    r.notes_internal.clone(),
                    r.contact.as_ref().and_then(|c| c.person.clone()),
                ]
            })
            .flatten()
            .collect();
        for (k, format) in [Format::Hsds, Format::Csv, Format::GeoJson]
            .into_iter()
            .enumerate()
        {
            let public = export(
                format,
                options(Audience::Public),
                &projected(Audience::Public, &items),
            );
            let text = String::from_utf8(public).unwrap();
            for id in &internal_ids {
                // CSV cells are not quoted unless they must be.
                let bare = id.trim_matches('"');
                let leaked = if format == Format::Csv {
                    text.lines().any(|l| l.split(',').nth(1) == Some(bare))
                } else {
                    text.contains(id.as_str())
                };
                assert!(!leaked, "{format:?} seed {seed}: internal {id}");
            }
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "{format:?} seed {seed}: {s:?}");
            }
            assert!(!text.contains("visibility:internal"));
            assert!(!text.contains("field:notes_internal"));
            let coordinator = String::from_utf8(export(
                format,
                options(Audience::Coordinator),
                &projected(Audience::Coordinator, &items),
            ))
            .unwrap();
            control[k] |= secrets.iter().any(|s| coordinator.contains(s.as_str()));
        }
    }
    assert_eq!(
        control, [true; 3],
        "positive control: coordinators see them"
    );
}
