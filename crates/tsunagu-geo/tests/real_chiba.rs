//! Against the real public Chiba data in ../shared/ext/geo (never copied into
//! the repository). Each test skips, saying so, when ../shared is absent.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::PathBuf;

use tsunagu_geo::{
    CenterAreas, Gazetteer, GazetteerFormat, Level, Locator, WardBoundaries, distance_m,
};
use tsunagu_model::Ward;

fn ext(file: &str) -> Option<PathBuf> {
    let p = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../../shared/ext/geo")
    .join(file);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (../shared is absent)", p.display());
        None
    }
}

fn real_locator(with_polygons: bool) -> Option<Locator> {
    let g = Gazetteer::import_csv(&std::fs::read(ext("chiba_city_machi_gazetteer.csv")?).ok()?)
        .unwrap();
    let centers = CenterAreas::parse_csv(
        &std::fs::read_to_string(ext("anshin_care_center_areas.csv")?)
            .ok()?
            .replace("area_raw", "area"),
    )
    .unwrap();
    let polygons = if with_polygons {
        Some(
            WardBoundaries::from_geojson(
                &std::fs::read_to_string(ext("chiba_city_wards.geojson")?).ok()?,
            )
            .unwrap(),
        )
    } else {
        None
    };
    Some(Locator::new(g.gazetteer, centers, polygons))
}

#[test]
fn the_real_town_file_imports_and_every_town_resolves_to_its_ward() {
    let Some(path) = ext("chiba_city_machi_gazetteer.csv") else {
        return;
    };
    let imported = Gazetteer::import_csv(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(imported.format, GazetteerFormat::Tsunagu);
    assert_eq!(imported.rows, 505);
    assert!(imported.rejected.is_empty(), "{:?}", imported.rejected);
    let locator = real_locator(false).unwrap();
    let mut wrong = Vec::new();
    for row in locator.gazetteer().rows() {
        let address = format!("千葉市{}{}", row.ward.name(), row.town);
        let p = locator.locate_address(&address);
        let expected_level = if row.chome.is_some() {
            Level::Chome
        } else {
            Level::Town
        };
        if p.ward != Some(row.ward)
            || p.level != expected_level
            || p.oaza.as_deref() != Some(row.oaza.as_str())
        {
            wrong.push(format!(
                "{address}: {:?} {:?} {:?}",
                p.ward, p.level, p.oaza
            ));
        }
        // Without the ward too: town names are unique city-wide.
        let p = locator.locate_address(&row.town);
        if p.ward != Some(row.ward) {
            wrong.push(format!("{} (no ward): {:?}", row.town, p.ward));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} towns resolve wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_real_town_gets_exactly_the_centre_of_the_derived_table() {
    let Some(path) = ext("anshin_area_by_town.csv") else {
        return;
    };
    let Some(locator) = real_locator(false) else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut wrong = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (ward, oaza, chome, center) = (
            Ward::parse(c[0]).unwrap(),
            c[2],
            c[3].parse::<u32>().ok(),
            c[4],
        );
        let a = locator.centers().assign(ward, oaza, chome);
        if locator.center_id(&a) != Some(center) {
            wrong.push(format!(
                "{} {oaza} {chome:?}: want {center}, got {a:?}",
                ward.name()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Points resolve to the right ward: with polygons always; with the
/// nearest-gazetteer-point rule at least 99 % of the time (rate printed).
#[test]
fn points_resolve_to_their_ward() {
    let (Some(plain), Some(polys)) = (real_locator(false), real_locator(true)) else {
        return;
    };
    // Sample points around every town's representative point (on a ring of
    // 150 m), whose ward is known from the polygons.
    let mut total = 0;
    let mut nearest_ok = 0;
    for row in plain.gazetteer().rows() {
        let Some((lat, lon)) = row.point else {
            continue;
        };
        assert_eq!(
            polys.locate_point(lat, lon).ward,
            Some(row.ward),
            "{}",
            row.town
        );
        for k in 0..8 {
            let a = k as f64 * std::f64::consts::PI / 4.0;
            let (dlat, dlon) = (
                150.0 * a.sin() / 111_000.0,
                150.0 * a.cos() / (111_000.0 * lat.to_radians().cos()),
            );
            let (plat, plon) = (lat + dlat, lon + dlon);
            let Some(truth) = polys.locate_point(plat, plon).ward else {
                continue;
            };
            total += 1;
            if plain.locate_point(plat, plon).ward == Some(truth) {
                nearest_ok += 1;
            }
        }
    }
    let rate = nearest_ok as f64 / total as f64;
    eprintln!(
        "nearest-town ward rule: {nearest_ok}/{total} = {:.2} % correct",
        rate * 100.0
    );
    assert!(
        rate >= 0.99,
        "nearest-town rule {:.2} % < 99 %",
        rate * 100.0
    );
    // And a point well outside the city is outside.
    assert!(!polys.locate_point(35.70, 139.95).inside_city);
    let d = distance_m((35.6, 140.1), (35.6, 140.1));
    assert_eq!(d, 0.0);
}
