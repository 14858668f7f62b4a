//! Ward boundary polygons from GeoJSON (a FeatureCollection with one feature
//! per ward, `ward` or `ward_code` in its properties, Polygon or MultiPolygon
//! geometry), for point-in-polygon ward assignment.

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::Value;
use tsunagu_model::Ward;

use crate::GeoError;

#[derive(Debug, Clone, Default)]
pub struct WardBoundaries {
    wards: Vec<(Ward, MultiPolygon<f64>)>,
}

impl WardBoundaries {
    pub fn from_geojson(text: &str) -> Result<WardBoundaries, GeoError> {
        let v: Value = serde_json::from_str(text).map_err(|e| GeoError::GeoJson(e.to_string()))?;
        let features = v["features"]
            .as_array()
            .ok_or_else(|| GeoError::GeoJson("not a FeatureCollection".into()))?;
        let mut wards = Vec::new();
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
            wards.push((ward, MultiPolygon(polys)));
        }
        Ok(WardBoundaries { wards })
    }

    pub fn is_empty(&self) -> bool {
        self.wards.is_empty()
    }

    /// The ward whose polygon contains the point.
    pub fn ward_at(&self, lat: f64, lon: f64) -> Option<Ward> {
        let p = Point::new(lon, lat);
        self.wards
            .iter()
            .find(|(_, mp)| mp.contains(&p))
            .map(|(w, _)| *w)
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
