//! Geography: where records and seniors are, in Chiba City's terms.
//!
//! * [`gazetteer`]: 町・大字 and 丁目 with representative points, imported
//!   from the Address Base Registry, MLIT 位置参照情報 or our own CSV; the
//!   built-in one is the official list (505 町丁目, 「Geolonia 住所データ」).
//! * [`readings`]: the hiragana readings of the town names (a data table).
//! * [`place_names`]: town names to recognise in free text
//!   ([`Gazetteer::place_names`]).
//! * [`address`]: normalising addresses as people write them.
//! * [`centers`]: which あんしんケアセンター covers a town or 丁目.
//! * [`boundaries`]: ward polygons (GeoJSON); built in, replaceable.
//! * [`spatial`]: distances and the R-tree of points.
//! * [`Locator`]: all of the above behind two questions, "where is this
//!   address?" and "what is at this point?".

pub mod address;
pub mod boundaries;
pub mod centers;
pub mod gazetteer;
pub mod place_names;
pub mod readings;
pub mod spatial;

use std::sync::OnceLock;

use thiserror::Error;
use tsunagu_model::Ward;

pub use boundaries::{SEED_WARD_BOUNDARIES, WardBoundaries};
pub use centers::{Center, CenterAreas, CenterAssignment};
pub use gazetteer::{
    Gazetteer, GazetteerFormat, GazetteerImport, Level, Resolution, TownMatch, TownRow,
};
pub use place_names::{PlaceName, PlaceNameKind};
pub use readings::{SEED_READINGS, TownReading, TownReadings};
pub use spatial::{PointIndex, distance_m, walking_minutes};

#[derive(Debug, Error)]
pub enum GeoError {
    #[error("CSV: {0}")]
    Csv(String),
    #[error("unknown gazetteer format; header: {0}")]
    UnknownGazetteerFormat(String),
    #[error("the gazetteer has no column {0}")]
    MissingColumn(String),
    #[error("centre table line {line}: {message}")]
    BadCenterRow { line: usize, message: String },
    #[error("GeoJSON: {0}")]
    GeoJson(String),
    #[error("reading table line {line}: {message}")]
    BadReadingRow { line: usize, message: String },
}

/// The built-in gazetteer: Chiba City's 505 町丁目 with representative points
/// (「Geolonia 住所データ」, CC BY 4.0, based on 国土交通省 位置参照情報), and
/// the centre table. `gazetteer import` replaces the gazetteer in a data
/// directory.
pub const SEED_GAZETTEER: &str = include_str!("../../../seed-data/gazetteer.csv");
pub const SEED_CENTERS: &str = include_str!("../../../seed-data/anshin_centers.csv");

/// Approximate bounds of Chiba City, used only to call a point "outside"
/// when no ward polygons are loaded.
const CITY_BOUNDS: ((f64, f64), (f64, f64)) = ((35.48, 140.01), (35.73, 140.33));
/// A point farther than this from every gazetteer point is not in the city
/// (when no ward polygons are loaded).
const NEAREST_TOWN_LIMIT_M: f64 = 2_500.0;

/// How the ward of a point was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WardMethod {
    /// Point in a ward polygon.
    Polygon,
    /// The ward of the nearest gazetteer point (no polygons loaded).
    NearestTown,
    /// Written in the address.
    Address,
}

/// A located place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub level: Level,
    pub ward: Option<Ward>,
    pub ward_method: Option<WardMethod>,
    pub oaza: Option<String>,
    pub chome: Option<u32>,
    /// Official 町丁目 name (「小仲台二丁目」).
    pub town: Option<String>,
    pub center: CenterAssignment,
    pub point: Option<(f64, f64)>,
    pub candidates: Vec<String>,
    pub note: Option<String>,
    pub inside_city: bool,
    /// What the address resolution did not read (see [`Resolution::unread`]).
    pub unread: Option<String>,
}

pub struct Locator {
    gazetteer: Gazetteer,
    centers: CenterAreas,
    boundaries: Boundaries,
}

/// The ward polygons a locator places points with.
enum Boundaries {
    None,
    Given(WardBoundaries),
    /// The built-in polygons, parsed on the first point query: resolving an
    /// address never needs them, and parsing 9,000 vertices would slow every
    /// `locate` of an address.
    Seed(OnceLock<Option<WardBoundaries>>),
}

impl Locator {
    pub fn new(
        gazetteer: Gazetteer,
        centers: CenterAreas,
        boundaries: Option<WardBoundaries>,
    ) -> Self {
        Locator {
            gazetteer,
            centers,
            boundaries: match boundaries.filter(|b| !b.is_empty()) {
                Some(b) => Boundaries::Given(b),
                None => Boundaries::None,
            },
        }
    }

    /// The built-in gazetteer, readings, centre table and ward polygons.
    pub fn seed() -> Result<Locator, GeoError> {
        Self::load(None, None)
    }

    /// A gazetteer (any format [`Gazetteer::import_csv`] reads) and ward
    /// polygons (GeoJSON) where given, the built-in ones where not, with the
    /// built-in readings and centre table. What a data directory holds after
    /// `gazetteer import` goes through here.
    pub fn load(
        gazetteer_csv: Option<&[u8]>,
        wards_geojson: Option<&str>,
    ) -> Result<Locator, GeoError> {
        let gazetteer = Gazetteer::import_csv(gazetteer_csv.unwrap_or(SEED_GAZETTEER.as_bytes()))?
            .gazetteer
            .with_readings(&TownReadings::seed()?);
        let centers = CenterAreas::parse_csv(SEED_CENTERS)?;
        Ok(match wards_geojson {
            Some(text) => Locator::new(
                gazetteer,
                centers,
                Some(WardBoundaries::from_geojson(text)?),
            ),
            None => Locator {
                gazetteer,
                centers,
                boundaries: Boundaries::Seed(OnceLock::new()),
            },
        })
    }

    /// The ward polygons, parsing the built-in ones on first use. The
    /// built-in GeoJSON is checked by the tests; were it ever unreadable,
    /// points would fall back to the nearest-town rule.
    fn boundaries(&self) -> Option<&WardBoundaries> {
        match &self.boundaries {
            Boundaries::None => None,
            Boundaries::Given(b) => Some(b),
            Boundaries::Seed(cell) => cell
                .get_or_init(|| WardBoundaries::seed().ok().filter(|b| !b.is_empty()))
                .as_ref(),
        }
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    pub fn centers(&self) -> &CenterAreas {
        &self.centers
    }

    pub fn has_polygons(&self) -> bool {
        self.boundaries().is_some()
    }

    /// The ward polygons in use, if any (for drawing).
    pub fn ward_boundaries(&self) -> Option<&WardBoundaries> {
        self.boundaries()
    }

    fn assign(
        &self,
        ward: Option<Ward>,
        oaza: Option<&str>,
        chome: Option<u32>,
    ) -> CenterAssignment {
        match (ward, oaza) {
            (Some(w), Some(o)) => self.centers.assign(w, o, chome),
            _ => CenterAssignment::Unknown,
        }
    }

    /// Where an address is.
    pub fn locate_address(&self, address: &str) -> Place {
        let r = self.gazetteer.resolve(address);
        let mut note = r.note.clone();
        let center = self.assign(r.ward, r.oaza.as_deref(), r.chome);
        if let (CenterAssignment::Undecided(_), Some(oaza)) = (&center, &r.oaza) {
            let split = format!(
                "{oaza}は丁目によって担当のあんしんケアセンターが分かれています。丁目を指定してください"
            );
            // Said even when the note already says how the address was read.
            note = Some(match note {
                Some(n) => format!("{n}。{split}"),
                None => split,
            });
        }
        Place {
            level: r.level,
            ward: r.ward,
            ward_method: r.ward.map(|_| WardMethod::Address),
            oaza: r.oaza.clone(),
            chome: r.chome.filter(|_| r.level == Level::Chome),
            town: r
                .row
                .and_then(|i| self.gazetteer.row(i))
                .map(|t| t.town.clone()),
            center,
            point: r.point,
            candidates: r.candidates,
            note,
            inside_city: r.other_city.is_none() && r.level > Level::None,
            unread: r.unread,
        }
    }

    /// What is at a point: ward (polygon if loaded, else nearest town), the
    /// nearest 町丁目 and its centre.
    pub fn locate_point(&self, lat: f64, lon: f64) -> Place {
        let nearest = self
            .gazetteer
            .nearest(lat, lon)
            .and_then(|i| self.gazetteer.row(i));
        let near_m = nearest
            .and_then(|t| t.point)
            .map(|p| distance_m((lat, lon), p))
            .unwrap_or(f64::INFINITY);
        let (ward, method, inside) = match self.boundaries() {
            Some(b) => {
                let w = b.ward_at(lat, lon);
                (w, w.map(|_| WardMethod::Polygon), w.is_some())
            }
            None => {
                let ((s, w), (n, e)) = CITY_BOUNDS;
                let inside = (s..=n).contains(&lat)
                    && (w..=e).contains(&lon)
                    && near_m <= NEAREST_TOWN_LIMIT_M;
                let ward = nearest.filter(|_| inside).map(|t| t.ward);
                (ward, ward.map(|_| WardMethod::NearestTown), inside)
            }
        };
        // The nearest town must be in the point's ward to name it.
        let town = nearest.filter(|t| inside && Some(t.ward) == ward);
        let center = town
            .map(|t| self.centers.assign(t.ward, &t.oaza, t.chome))
            .unwrap_or(CenterAssignment::Unknown);
        Place {
            level: if town.is_some_and(|t| t.chome.is_some()) {
                Level::Chome
            } else if town.is_some() {
                Level::Town
            } else if ward.is_some() {
                Level::Ward
            } else {
                Level::None
            },
            ward,
            ward_method: method,
            oaza: town.map(|t| t.oaza.clone()),
            chome: town.and_then(|t| t.chome),
            town: town.map(|t| t.town.clone()),
            center,
            point: Some((lat, lon)),
            candidates: Vec::new(),
            note: (!inside).then(|| "千葉市外の地点です".to_string()),
            inside_city: inside,
            unread: None,
        }
    }

    /// The id of an assigned centre.
    pub fn center_id(&self, a: &CenterAssignment) -> Option<&str> {
        match a {
            CenterAssignment::Center(i) => self.centers.center(*i).map(|c| c.id.as_str()),
            _ => None,
        }
    }
}

/// The ward named in an address (text only; no gazetteer).
pub fn ward_in_address(address: &str) -> Option<Ward> {
    address::split_head(&address::clean(address)).ward
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wards_from_addresses() {
        let table = [
            ("千葉県千葉市稲毛区小仲台2丁目5-3", Some(Ward::Inage)),
            ("千葉市美浜区高洲１丁目", Some(Ward::Mihama)),
            ("稲毛区小仲台2-3-1", Some(Ward::Inage)),
            ("千葉市 若葉区 都賀", Some(Ward::Wakaba)),
            ("船橋市本町1丁目", None),
            ("千葉市", None),
            ("", None),
        ];
        for (address, want) in table {
            assert_eq!(ward_in_address(address), want, "{address}");
        }
    }

    #[test]
    fn seed_locator_loads_and_places_points() {
        let l = Locator::seed().unwrap();
        assert_eq!(l.gazetteer().rows().len(), 505);
        assert_eq!(l.centers().centers().len(), 28);
        let p = l.locate_address("千葉市稲毛区小仲台2-3-1");
        assert_eq!(
            (p.level, p.ward, p.chome),
            (Level::Chome, Some(Ward::Inage), Some(2))
        );
        let (lat, lon) = p.point.unwrap();
        let q = l.locate_point(lat, lon);
        assert_eq!(q.ward, Some(Ward::Inage));
        assert_eq!(q.ward_method, Some(WardMethod::Polygon));
        let far = l.locate_point(35.70, 139.90);
        assert!(!far.inside_city && far.ward.is_none());
    }

    #[test]
    fn without_polygons_the_nearest_town_decides() {
        let seed = Locator::seed().unwrap();
        let plain = Locator::new(seed.gazetteer().clone(), seed.centers().clone(), None);
        let q = plain.locate_point(35.6384, 140.1002);
        assert_eq!(
            (q.ward, q.ward_method),
            (Some(Ward::Inage), Some(WardMethod::NearestTown))
        );
    }
}
