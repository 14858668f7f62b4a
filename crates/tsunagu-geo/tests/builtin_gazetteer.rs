//! The built-in geography: the official gazetteer (505 町丁目), the ward
//! polygons, the reading table and the place names derived from them.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeSet;
use std::path::PathBuf;

use geo::{Contains, Point};
use tsunagu_geo::address::name_key;
use tsunagu_geo::{
    CenterAssignment, Level, Locator, PlaceNameKind, TownMatch, TownReadings, WardBoundaries,
};
use tsunagu_model::Ward;

fn repo(path: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..")
    .join(path)
}

fn shared(file: &str) -> Option<PathBuf> {
    let p = repo("../shared/ext/geo").join(file);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (../shared is absent)", p.display());
        None
    }
}

#[test]
fn the_bundled_files_are_the_published_ones_unchanged() {
    for (ours, theirs) in [
        ("seed-data/gazetteer.csv", "chiba_city_machi_gazetteer.csv"),
        ("seed-data/wards.geojson", "chiba_city_wards.geojson"),
    ] {
        let Some(theirs) = shared(theirs) else {
            return;
        };
        assert!(
            std::fs::read(repo(ours)).unwrap() == std::fs::read(theirs).unwrap(),
            "{ours} differs from its source"
        );
    }
}

#[test]
fn the_built_in_gazetteer_has_every_town_and_its_point() {
    let l = Locator::seed().unwrap();
    let rows = l.gazetteer().rows();
    assert_eq!(rows.len(), 505);
    let towns: BTreeSet<(Ward, &str)> = rows.iter().map(|r| (r.ward, r.oaza.as_str())).collect();
    assert_eq!(towns.len(), 234);
    let without: Vec<&str> = rows
        .iter()
        .filter(|r| r.point.is_none())
        .map(|r| r.town.as_str())
        .collect();
    assert_eq!(
        without,
        [
            "都町四丁目",
            "都町五丁目",
            "都町六丁目",
            "都町七丁目",
            "都町八丁目"
        ]
    );
    for ward in Ward::ALL {
        assert!(rows.iter().any(|r| r.ward == ward), "{ward:?}");
    }
}

/// Every representative point lies in its own ward's polygon, and the
/// bounding-box shortcut of `ward_at` answers as a plain test of every
/// polygon does, on the points and on a grid over the city and the bay.
#[test]
fn points_lie_in_their_wards_and_the_box_shortcut_changes_nothing() {
    let b = WardBoundaries::seed().unwrap();
    assert_eq!(b.wards(), Ward::ALL.to_vec());
    let l = Locator::seed().unwrap();
    for r in l.gazetteer().rows() {
        if let Some((lat, lon)) = r.point {
            assert_eq!(b.ward_at(lat, lon), Some(r.ward), "{}", r.town);
            let at = l.locate_point(lat, lon);
            assert_eq!(
                (at.ward, at.inside_city),
                (Some(r.ward), true),
                "{}",
                r.town
            );
        }
    }
    // The plain test, on the GeoJSON read independently.
    let v: serde_json::Value = serde_json::from_str(tsunagu_geo::SEED_WARD_BOUNDARIES).unwrap();
    let mut polygons: Vec<(Ward, geo::Polygon<f64>)> = Vec::new();
    for f in v["features"].as_array().unwrap() {
        let ward = Ward::parse(f["properties"]["ward"].as_str().unwrap()).unwrap();
        let g = &f["geometry"];
        let list: Vec<&serde_json::Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&g["coordinates"]],
            _ => g["coordinates"].as_array().unwrap().iter().collect(),
        };
        for p in list {
            let rings: Vec<geo::LineString<f64>> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|ring| {
                    ring.as_array()
                        .unwrap()
                        .iter()
                        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                        .collect::<Vec<_>>()
                        .into()
                })
                .collect();
            let (outer, holes) = rings.split_first().unwrap();
            polygons.push((ward, geo::Polygon::new(outer.clone(), holes.to_vec())));
        }
    }
    let mut inside = 0;
    for i in 0..60 {
        for j in 0..60 {
            let (lat, lon) = (35.48 + i as f64 * 0.0042, 140.00 + j as f64 * 0.0055);
            let p = Point::new(lon, lat);
            let plain = polygons
                .iter()
                .find(|(_, poly)| poly.contains(&p))
                .map(|(w, _)| *w);
            assert_eq!(b.ward_at(lat, lon), plain, "{lat},{lon}");
            inside += usize::from(plain.is_some());
        }
    }
    assert!(
        (1000..3000).contains(&inside),
        "{inside} grid points inside"
    );
    assert_eq!(b.ward_at(f64::NAN, 140.1), None);
}

#[test]
fn every_row_has_exactly_one_centre() {
    let l = Locator::seed().unwrap();
    let mut per_centre = vec![0; l.centers().centers().len()];
    for r in l.gazetteer().rows() {
        match l.centers().assign(r.ward, &r.oaza, r.chome) {
            CenterAssignment::Center(i) => {
                assert_eq!(l.centers().center(i).unwrap().ward, r.ward, "{}", r.town);
                per_centre[i] += 1;
            }
            other => panic!("{} {}: {other:?}", r.ward.name(), r.town),
        }
    }
    assert!(per_centre.iter().all(|&n| n > 0), "{per_centre:?}");
}

/// The centre of each built-in row is the one of the table derived from the
/// city's published areas (../shared/ext/geo/anshin_area_by_town.csv).
#[test]
fn every_row_gets_the_centre_of_the_derived_table() {
    let Some(path) = shared("anshin_area_by_town.csv") else {
        return;
    };
    let l = Locator::seed().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let p = l.locate_address(&format!("千葉市{}{}", c[0], c[1]));
        checked += 1;
        if l.center_id(&p.center) != Some(c[4]) {
            wrong.push(format!(
                "{} {}: want {}, got {:?}",
                c[0], c[1], c[4], p.center
            ));
        }
    }
    assert_eq!(checked, 505);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_reading_table_names_exactly_the_towns() {
    let l = Locator::seed().unwrap();
    let table = TownReadings::seed().unwrap();
    let towns: BTreeSet<(Ward, String)> = l
        .gazetteer()
        .rows()
        .iter()
        .map(|r| (r.ward, name_key(&r.oaza)))
        .collect();
    let listed: BTreeSet<(Ward, String)> = table
        .iter()
        .map(|r| (r.ward, name_key(&r.name())))
        .collect();
    assert_eq!(towns, listed);
    for r in l.gazetteer().rows() {
        assert!(
            l.gazetteer().reading(r.ward, &r.oaza).is_some(),
            "{}",
            r.oaza
        );
    }
}

/// Each town's reading — whole, in katakana, with a 丁目, and with the first
/// part read and the rest written (おゆみの中央) — resolves to that town.
#[test]
fn every_town_resolves_from_its_reading() {
    let l = Locator::seed().unwrap();
    let table = TownReadings::seed().unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for t in table.iter() {
        let oaza = t.name();
        let chome = l
            .gazetteer()
            .rows()
            .iter()
            .find(|r| r.ward == t.ward && r.oaza == oaza)
            .and_then(|r| r.chome);
        let katakana: String = t
            .reading()
            .chars()
            .map(|c| char::from_u32(c as u32 + 0x60).unwrap())
            .collect();
        let mut forms = vec![t.reading(), katakana];
        if t.parts.len() >= 2 {
            let rest: String = t.parts[1..].iter().map(|(w, _)| w.as_str()).collect();
            forms.push(format!("{}{rest}", t.parts[0].1));
        }
        if let Some(c) = chome {
            forms.push(format!("{}{c}丁目", t.reading()));
        }
        for form in forms {
            n += 1;
            let r = l.gazetteer().resolve(&form);
            let level = if form.ends_with("丁目") {
                Level::Chome
            } else {
                Level::Town
            };
            if (r.ward, r.oaza.as_deref(), r.town_match)
                != (Some(t.ward), Some(oaza.as_str()), Some(TownMatch::Reading))
                || r.level < level
                || r.unread.is_some()
            {
                wrong.push(format!(
                    "{form}: {:?} {:?} {:?} {:?}",
                    r.ward, r.oaza, r.level, r.note
                ));
            }
        }
    }
    assert!(n > 234 * 2);
    assert!(
        wrong.is_empty(),
        "{} of {n}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn place_names_cover_every_row_with_readings_and_points() {
    let l = Locator::seed().unwrap();
    let names = l.gazetteer().place_names();
    let keys: BTreeSet<(Ward, &str)> = names.iter().map(|p| (p.ward, p.name.as_str())).collect();
    assert_eq!(keys.len(), names.len(), "(ward, name) is unique");
    let towns: Vec<_> = names
        .iter()
        .filter(|p| p.kind == PlaceNameKind::Town)
        .collect();
    assert_eq!(towns.len(), 234);
    // Every row is covered by the name of its own town, with a reading and
    // a point for every name (the 5 rows without a point share 都町's).
    for r in l.gazetteer().rows() {
        let own = towns
            .iter()
            .find(|p| p.ward == r.ward && p.name == r.oaza)
            .unwrap();
        assert!(own.towns.contains(&r.town), "{}", r.town);
    }
    for p in &names {
        assert!(p.reading.is_some(), "{} has no reading", p.name);
        assert!(p.point.is_some(), "{} has no point", p.name);
        assert!(!p.towns.is_empty(), "{} covers nothing", p.name);
    }
    let find = |ward: Ward, name: &str| {
        names
            .iter()
            .find(|p| p.ward == ward && p.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let chishirodai = find(Ward::Wakaba, "千城台");
    assert_eq!(chishirodai.kind, PlaceNameKind::Group);
    assert_eq!(chishirodai.reading.as_deref(), Some("ちしろだい"));
    assert_eq!(chishirodai.towns.len(), 15, "{:?}", chishirodai.towns);
    assert!(chishirodai.towns.iter().all(|t| t.starts_with("千城台")));
    let kemigawa = find(Ward::Hanamigawa, "検見川");
    assert_eq!(kemigawa.kind, PlaceNameKind::ShortForm);
    assert_eq!(kemigawa.towns, find(Ward::Hanamigawa, "検見川町").towns);
    assert_eq!(kemigawa.reading.as_deref(), Some("けみがわ"));
    let hongo = find(Ward::Hanamigawa, "幕張本郷");
    assert_eq!(hongo.towns.len(), 7);
    let (lat, lon) = hongo.point.unwrap();
    assert!((35.66..35.69).contains(&lat) && (140.02..140.06).contains(&lon));
    assert_eq!(
        find(Ward::Midori, "おゆみ野中央").reading.as_deref(),
        Some("おゆみのちゅうおう")
    );
    assert_eq!(find(Ward::Mihama, "稲毛海岸").towns.len(), 5);
    assert_eq!(find(Ward::Mihama, "若葉").ward, Ward::Mihama);
    // The town 宮崎 also covers its neighbour 宮崎町, which has a name of
    // its own; no short form 宮崎 of 宮崎町, nor 幕張 of 幕張町 (幕張本郷 and
    // 幕張西 begin with it: 幕張 is the 花見川区 group), nor 本 of 本町.
    assert_eq!(find(Ward::Chuo, "宮崎").kind, PlaceNameKind::Town);
    assert!(
        find(Ward::Chuo, "宮崎")
            .towns
            .contains(&"宮崎町".to_string())
    );
    assert_eq!(find(Ward::Hanamigawa, "幕張").kind, PlaceNameKind::Group);
    assert!(!keys.contains(&(Ward::Mihama, "幕張")));
    assert!(!keys.contains(&(Ward::Chuo, "本")));
    assert!(!keys.contains(&(Ward::Chuo, "東本")));
    assert!(
        !keys.contains(&(Ward::Inage, "宮野木")),
        "宮野木町 or 宮野木台"
    );
    // Short forms are at least 2 characters and their town's only cover.
    for p in names.iter().filter(|p| p.kind == PlaceNameKind::ShortForm) {
        assert!(p.name.chars().count() >= 2, "{}", p.name);
        let town = find(p.ward, &format!("{}町", p.name));
        assert_eq!(p.towns, town.towns, "{}", p.name);
    }
}

/// What the resolution leaves unread, and whether it says so
/// (tests/unread_cases.tsv beside this file).
#[test]
fn unread_words_are_reported() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("tests/unread_cases.tsv"),
    )
    .unwrap();
    let l = Locator::seed().unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        n += 1;
        let c: Vec<&str> = line.split('\t').collect();
        let (input, town, unread, noted) = (c[0], c[1], c[2], c[3] == "yes");
        let p = l.locate_address(input);
        let got_town = p.town.as_deref().or(p.oaza.as_deref()).unwrap_or("-");
        let got_unread = p.unread.as_deref().unwrap_or("-");
        let said = p
            .note
            .as_deref()
            .is_some_and(|n| unread != "-" && n.contains(&format!("「{unread}」")));
        if (got_town, got_unread, said) != (town, unread, noted) {
            failures.push(format!(
                "{input:?}: want ({town}, {unread}, noted {noted}), got ({got_town}, {got_unread}, noted {said}); note {:?}",
                p.note
            ));
        }
    }
    assert!(n >= 10);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Readings a first draft from IPADIC got wrong or could not know, as
/// Chiba's place names are read (checked by hand; see the table's header).
#[test]
fn hand_checked_readings_are_in_the_table() {
    let table = TownReadings::seed().unwrap();
    let known = [
        (Ward::Hanamigawa, "犢橋町", "こてはしちょう"),
        (Ward::Midori, "誉田町", "ほんだちょう"),
        (Ward::Midori, "土気町", "とけちょう"),
        (Ward::Chuo, "生実町", "おゆみちょう"),
        (Ward::Midori, "おゆみ野", "おゆみの"),
        (Ward::Hanamigawa, "幕張町", "まくはりちょう"),
        (Ward::Hanamigawa, "検見川町", "けみがわちょう"),
        (Ward::Wakaba, "千城台北", "ちしろだいきた"),
        (Ward::Wakaba, "都賀", "つが"),
        (Ward::Inage, "作草部", "さくさべ"),
        (Ward::Chuo, "蘇我", "そが"),
        (Ward::Midori, "椎名崎町", "しいなざきちょう"),
        (Ward::Midori, "鎌取町", "かまとりちょう"),
        (Ward::Hanamigawa, "花見川", "はなみがわ"),
        (Ward::Inage, "稲毛", "いなげ"),
        (Ward::Mihama, "美浜", "みはま"),
        (Ward::Mihama, "若葉", "わかば"),
        (Ward::Mihama, "真砂", "まさご"),
        (Ward::Mihama, "磯辺", "いそべ"),
        (Ward::Mihama, "幸町", "さいわいちょう"),
        (Ward::Mihama, "高洲", "たかす"),
        (Ward::Mihama, "打瀬", "うたせ"),
        (Ward::Mihama, "中瀬", "なかせ"),
        (Ward::Mihama, "浜田", "はまだ"),
        (Ward::Inage, "千草台", "ちぐさだい"),
        (Ward::Inage, "園生町", "そんのうちょう"),
        (Ward::Inage, "長沼町", "ながぬまちょう"),
        (Ward::Inage, "六方町", "ろっぽうちょう"),
        (Ward::Chuo, "大巌寺町", "だいがんじちょう"),
        (Ward::Chuo, "亥鼻", "いのはな"),
        (Ward::Chuo, "院内", "いんない"),
        (Ward::Chuo, "登戸", "のぶと"),
        (Ward::Chuo, "寒川町", "さむかわちょう"),
        (Ward::Chuo, "星久喜町", "ほしくきちょう"),
        (Ward::Chuo, "仁戸名町", "にとなちょう"),
        (Ward::Chuo, "宮崎", "みやざき"),
        (Ward::Chuo, "赤井町", "あかいちょう"),
        (Ward::Chuo, "川戸町", "かわどちょう"),
        (Ward::Chuo, "大森町", "おおもりちょう"),
        (Ward::Chuo, "南生実町", "みなみおゆみちょう"),
        (Ward::Chuo, "村田町", "むらたちょう"),
        (Ward::Chuo, "春日", "かすが"),
        (Ward::Chuo, "白旗", "しらはた"),
        (Ward::Chuo, "市場町", "いちばちょう"),
        (Ward::Chuo, "新町", "しんまち"),
        (Ward::Chuo, "本町", "ほんちょう"),
        (Ward::Midori, "小食土町", "やさしどちょう"),
        (Ward::Wakaba, "五十土町", "いかづちちょう"),
        (Ward::Mihama, "新港", "しんみなと"),
    ];
    for (ward, town, reading) in known {
        assert_eq!(
            table.get(ward, town).map(|r| r.reading()).as_deref(),
            Some(reading),
            "{town}"
        );
    }
}
