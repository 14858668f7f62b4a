//! Ward boundary polygons from GeoJSON (a FeatureCollection with one feature
//! per ward, `ward` or `ward_code` in its properties, Polygon or MultiPolygon
//! geometry), for point-in-polygon ward assignment.
//!
//! The built-in polygons (`seed-data/wards.geojson`, 国土数値情報 行政区域,
//! not simplified) have about 9,000 vertices, so each polygon keeps its
//! bounding box and a point is tested only against the polygons whose box
//! holds it.

use geo::{BoundingRect, Contains, Coord, LineString, Point, Polygon, Rect};
use serde_json::Value;
use tsunagu_model::Ward;

use crate::GeoError;

/// The built-in ward polygons of Chiba City.
pub const SEED_WARD_BOUNDARIES: &str = include_str!("../../../seed-data/wards.geojson");

#[derive(Debug, Clone, Default)]
pub struct WardBoundaries {
    /// Every polygon of every ward, with its bounding box.
    parts: Vec<(Ward, Rect<f64>, Polygon<f64>)>,
}

impl WardBoundaries {
    pub fn from_geojson(text: &str) -> Result<WardBoundaries, GeoError> {
        let v: Value = serde_json::from_str(text).map_err(|e| GeoError::GeoJson(e.to_string()))?;
        let features = v["features"]
            .as_array()
            .ok_or_else(|| GeoError::GeoJson("not a FeatureCollection".into()))?;
        let mut parts = Vec::new();
        for (i, f) in features.iter().enumerate() {
            let props = &f["properties"];
            let name = ["ward", "ward_code", "lg_code", "name", "N03_004"]
                .iter()
                .find_map(|k| props[*k].as_str().and_then(Ward::parse));
            let Some(ward) = name else {
                return Err(GeoError::GeoJson(format!(
                    "feature {i}: no ward in properties"
                )));
            };
            let geom = &f["geometry"];
            let polys = match geom["type"].as_str() {
                Some("Polygon") => vec![polygon(&geom["coordinates"])?],
                Some("MultiPolygon") => geom["coordinates"]
                    .as_array()
                    .ok_or_else(|| GeoError::GeoJson(format!("feature {i}: bad coordinates")))?
                    .iter()
                    .map(polygon)
                    .collect::<Result<_, _>>()?,
                other => {
                    return Err(GeoError::GeoJson(format!(
                        "feature {i}: geometry {other:?}"
                    )));
                }
            };
            for poly in polys {
                // A polygon without points has no box and contains nothing.
                if let Some(rect) = poly.bounding_rect() {
                    parts.push((ward, rect, poly));
                }
            }
        }
        Ok(WardBoundaries { parts })
    }

    /// The built-in polygons (`seed-data/wards.geojson`).
    pub fn seed() -> Result<WardBoundaries, GeoError> {
        Self::from_geojson(SEED_WARD_BOUNDARIES)
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The wards that have polygons.
    pub fn wards(&self) -> Vec<Ward> {
        let mut w: Vec<Ward> = self.parts.iter().map(|(w, _, _)| *w).collect();
        w.sort();
        w.dedup();
        w
    }

    /// Each ward's polygons as rings of (lat, lon), outer ring first, for
    /// drawing maps (reports draw them as SVG).
    pub fn outlines(&self) -> impl Iterator<Item = (Ward, Vec<Vec<(f64, f64)>>)> + '_ {
        self.parts.iter().map(|(ward, _, poly)| {
            let ring = |l: &LineString<f64>| l.coords().map(|c| (c.y, c.x)).collect::<Vec<_>>();
            let mut rings = vec![ring(poly.exterior())];
            rings.extend(poly.interiors().iter().map(ring));
            (*ward, rings)
        })
    }

    /// The ward whose polygon contains the point.
    pub fn ward_at(&self, lat: f64, lon: f64) -> Option<Ward> {
        if !(lat.is_finite() && lon.is_finite()) {
            return None;
        }
        let p = Point::new(lon, lat);
        let c = p.0;
        self.parts
            .iter()
            .filter(|(_, rect, _)| {
                let (min, max) = (rect.min(), rect.max());
                (min.x..=max.x).contains(&c.x) && (min.y..=max.y).contains(&c.y)
            })
            .find(|(_, _, poly)| poly.contains(&p))
            .map(|(w, _, _)| *w)
    }
}

fn ring(v: &Value) -> Result<LineString<f64>, GeoError> {
    let pts = v
        .as_array()
        .ok_or_else(|| GeoError::GeoJson("ring is not an array".into()))?;
    pts.iter()
        .map(|p| match (p[0].as_f64(), p[1].as_f64()) {
            (Some(x), Some(y)) => Ok(Coord { x, y }),
            _ => Err(GeoError::GeoJson("bad position".into())),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn polygon(v: &Value) -> Result<Polygon<f64>, GeoError> {
    let rings = v
        .as_array()
        .ok_or_else(|| GeoError::GeoJson("polygon is not an array".into()))?;
    let mut it = rings.iter();
    let exterior = ring(
        it.next()
            .ok_or_else(|| GeoError::GeoJson("empty polygon".into()))?,
    )?;
    let holes = it.map(ring).collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}
