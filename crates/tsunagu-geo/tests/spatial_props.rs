//! The spatial index agrees with a brute-force scan, and haversine distances
//! agree with geo's geodesic (Karney) distance within 0.5 %.

#![allow(clippy::unwrap_used)] // tests may unwrap

use geo::{Distance, Geodesic, Point};
use proptest::prelude::*;
use tsunagu_geo::{PointIndex, distance_m};

fn chiba_point() -> impl Strategy<Value = (f64, f64)> {
    (35.50f64..35.72, 140.02f64..140.32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn radius_and_nearest_equal_brute_force(
        points in prop::collection::vec(chiba_point(), 1..300),
        here in chiba_point(),
        radius in 50.0f64..5_000.0,
        k in 1usize..20,
    ) {
        let idx = PointIndex::new(points.iter().enumerate().map(|(i, &(a, b))| (i, a, b)));
        let mut got: Vec<usize> = idx.within(here.0, here.1, radius).into_iter().map(|(i, _)| i).collect();
        got.sort_unstable();
        let mut want: Vec<usize> = points.iter().enumerate()
            .filter(|(_, p)| distance_m(here, **p) <= radius)
            .map(|(i, _)| i).collect();
        want.sort_unstable();
        prop_assert_eq!(got, want);

        let got: Vec<f64> = idx.nearest(here.0, here.1).take(k).map(|(_, d)| d).collect();
        let mut all: Vec<f64> = points.iter().map(|p| distance_m(here, *p)).collect();
        all.sort_by(f64::total_cmp);
        all.truncate(k);
        prop_assert_eq!(got.len(), all.len());
        for (g, w) in got.iter().zip(&all) {
            prop_assert!((g - w).abs() < 1e-6, "nearest order differs: {} vs {}", g, w);
        }
    }

    #[test]
    fn haversine_agrees_with_geodesic(a in chiba_point(), b in chiba_point()) {
        let h = distance_m(a, b);
        let g = Geodesic.distance(Point::new(a.1, a.0), Point::new(b.1, b.0));
        prop_assume!(g > 1.0);
        prop_assert!((h - g).abs() / g < 0.005, "haversine {} vs geodesic {}", h, g);
    }
}
