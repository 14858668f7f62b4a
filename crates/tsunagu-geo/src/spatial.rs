//! Points, distances and the spatial index of record locations.
//!
//! Points are kept in an R-tree as unit-sphere xyz (as meilisearch does):
//! straight-line order in 3-D is great-circle order, so nearest-neighbour and
//! radius queries are exact without projection. Distances shown to people are
//! haversine metres on the mean Earth radius.

use rstar::RTree;
use rstar::primitives::GeomWithData;

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Walking speed used for minutes shown to people (不動産の表示に関する公正競争規約: 80 m/min).
pub const WALK_M_PER_MIN: f64 = 80.0;

pub fn unit_xyz(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance in metres (haversine).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Walking minutes, rounded up.
pub fn walking_minutes(metres: f64) -> u32 {
    (metres / WALK_M_PER_MIN).ceil().max(0.0) as u32
}

/// Squared chord length on the unit sphere for a great-circle distance.
fn chord2(metres: f64) -> f64 {
    let c = 2.0
        * (metres / (2.0 * EARTH_RADIUS_M))
            .min(std::f64::consts::FRAC_PI_2)
            .sin();
    c * c
}

type Entry<T> = GeomWithData<[f64; 3], (T, f64, f64)>;

fn finite_point(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite()
}

/// An R-tree of points carrying a value each.
#[derive(Debug, Clone)]
pub struct PointIndex<T> {
    tree: RTree<Entry<T>>,
}

impl<T: Clone> PointIndex<T> {
    pub fn new(points: impl IntoIterator<Item = (T, f64, f64)>) -> Self {
        PointIndex {
            tree: RTree::bulk_load(
                points
                    .into_iter()
                    .filter(|(_, lat, lon)| finite_point(*lat, *lon))
                    .map(|(v, lat, lon)| GeomWithData::new(unit_xyz(lat, lon), (v, lat, lon)))
                    .collect(),
            ),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    pub fn insert(&mut self, value: T, lat: f64, lon: f64) {
        if !finite_point(lat, lon) {
            return;
        }
        self.tree
            .insert(GeomWithData::new(unit_xyz(lat, lon), (value, lat, lon)));
    }

    /// Removes the entry with this value at this point.
    pub fn remove(&mut self, value: &T, lat: f64, lon: f64) -> bool
    where
        T: PartialEq,
    {
        let target = GeomWithData::new(unit_xyz(lat, lon), (value.clone(), lat, lon));
        self.tree.remove(&target).is_some()
    }

    /// Values within `metres` of the point, with their distance, unordered.
    /// A point or radius that is not a finite number finds nothing (rstar
    /// cannot order NaN distances).
    pub fn within(&self, lat: f64, lon: f64, metres: f64) -> Vec<(T, f64)> {
        if !(finite_point(lat, lon) && metres.is_finite() && metres >= 0.0) {
            return Vec::new();
        }
        let here = (lat, lon);
        self.tree
            .locate_within_distance(unit_xyz(lat, lon), chord2(metres) * (1.0 + 1e-9))
            .map(|e| (e.data.0.clone(), distance_m(here, (e.data.1, e.data.2))))
            .filter(|(_, d)| *d <= metres)
            .collect()
    }

    /// Values in order of distance, lazily, with their distance.
    /// A point that is not finite finds nothing.
    pub fn nearest(&self, lat: f64, lon: f64) -> impl Iterator<Item = (T, f64)> + '_ {
        let here = (lat, lon);
        finite_point(lat, lon)
            .then(|| self.tree.nearest_neighbor_iter(&unit_xyz(lat, lon)))
            .into_iter()
            .flatten()
            .map(move |e| (e.data.0.clone(), distance_m(here, (e.data.1, e.data.2))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_minutes() {
        // 千葉駅 → 稲毛駅, about 4 km.
        let d = distance_m((35.6130, 140.1137), (35.6369, 140.0925));
        assert!((3000.0..4000.0).contains(&d), "{d}");
        assert_eq!(walking_minutes(640.0), 8);
        assert_eq!(walking_minutes(641.0), 9);
        assert_eq!(walking_minutes(0.0), 0);
    }

    #[test]
    fn index_queries() {
        let idx = PointIndex::new([
            ("a", 35.60, 140.10),
            ("b", 35.61, 140.10),
            ("c", 35.70, 140.10),
        ]);
        let mut near: Vec<&str> = idx
            .within(35.60, 140.10, 1500.0)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        near.sort();
        assert_eq!(near, vec!["a", "b"]);
        let order: Vec<&str> = idx.nearest(35.705, 140.10).map(|(v, _)| v).collect();
        assert_eq!(order, vec!["c", "b", "a"]);
    }
}
