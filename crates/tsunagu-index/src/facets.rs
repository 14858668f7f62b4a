//! Facet counts from one dense fast field holding the categories as a bit set
//! and the ward as an ordinal: counting a matching document is one column
//! read and a few increments, with no string lookups.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use tsunagu_model::{Category, Ward};

use crate::schema::FACET_KEY_FIELD;

/// Counts per category (index in `Category::ALL`) and per ward (index in
/// `Ward::ALL`).
#[derive(Debug, Clone, Default)]
pub struct FacetCounts {
    pub categories: [u64; 32],
    pub wards: [u64; 32],
}

impl FacetCounts {
    pub fn category_counts(&self) -> Vec<(Category, u64)> {
        Category::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.categories[*i] > 0)
            .map(|(i, c)| (*c, self.categories[i]))
            .collect()
    }

    pub fn ward_counts(&self) -> Vec<(Ward, u64)> {
        Ward::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.wards[*i] > 0)
            .map(|(i, w)| (*w, self.wards[i]))
            .collect()
    }
}

pub struct FacetCollector;

pub struct FacetSegmentCollector {
    keys: Option<Column<u64>>,
    counts: Box<FacetCounts>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        Ok(FacetSegmentCollector {
            keys: reader.fast_fields().u64(FACET_KEY_FIELD).ok(),
            counts: Box::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut total = FacetCounts::default();
        for fruit in fruits {
            for i in 0..32 {
                total.categories[i] += fruit.categories[i];
                total.wards[i] += fruit.wards[i];
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(key) = self.keys.as_ref().and_then(|c| c.first(doc)) else {
            return;
        };
        let mut bits = key & 0xFFFF_FFFF;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            self.counts.categories[i] += 1;
            bits &= bits - 1;
        }
        if let Some(c) = self.counts.wards.get_mut((key >> 32) as usize) {
            *c += 1;
        }
    }

    fn harvest(self) -> FacetCounts {
        *self.counts
    }
}
