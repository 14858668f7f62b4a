//! Record ids per segment, in memory: id → documents and document → id.
//!
//! A search near a place restricts the text query to the records inside
//! the radius, about a thousand ids at 1 km over 100,000 records. Looking
//! each id up in every segment's term dictionary, and then reading the
//! stored document of every hit to learn its id, were most of the time of
//! such a search. Segments never change once written, so both directions
//! are built once per segment when a new searcher generation is warmed
//! (tantivy's `Warmer`: the writer's reload pays, never a query) and
//! dropped with the last generation that holds the segment.
//!
//! Each id is hashed once per query, not once per segment: ids get a
//! number the first time any segment holds them (the interner), and each
//! segment maps numbers to documents with a plain array.
//!
//! Deleted documents stay in a segment's maps, as they stay in its
//! postings; every collector skips them through the segment's alive bits.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, TERMINATED, Warmer};

/// Marks a document without an id in [`SegmentIds::doc_ord`].
const NO_ID: u32 = u32::MAX;

/// Every id any warmed segment has held, numbered. Only grows: an id that
/// leaves the index keeps its number, which costs a few bytes per record
/// ever seen by this process.
#[derive(Debug, Default)]
struct Interner {
    ords: FxHashMap<Arc<str>, u32>,
    ids: Vec<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, id: &str) -> Option<u32> {
        if let Some(&ord) = self.ords.get(id) {
            return Some(ord);
        }
        let ord = u32::try_from(self.ids.len()).ok().filter(|o| *o != NO_ID)?;
        let id: Arc<str> = Arc::from(id);
        self.ords.insert(id.clone(), ord);
        self.ids.push(id);
        Some(ord)
    }
}

/// One segment's ids, by interned number.
#[derive(Debug, Default)]
pub(crate) struct SegmentIds {
    /// Number → the document holding it (TERMINATED for none).
    first_doc: Vec<DocId>,
    /// Further documents of a number: a record replaced inside one segment.
    more_docs: HashMap<u32, Vec<DocId>>,
    /// Document → number of its id (NO_ID for none).
    doc_ord: Vec<u32>,
}

impl SegmentIds {
    fn build(
        reader: &SegmentReader,
        field: Field,
        interner: &mut Interner,
    ) -> tantivy::Result<SegmentIds> {
        let index = reader.inverted_index(field)?;
        let mut out = SegmentIds {
            first_doc: Vec::new(),
            more_docs: HashMap::new(),
            doc_ord: vec![NO_ID; reader.max_doc() as usize],
        };
        let mut stream = index.terms().stream()?;
        let mut found: Vec<(u32, DocId)> = Vec::new();
        while stream.advance() {
            // Ids are checked UTF-8 text when records are read; a key that
            // is not is no record's and is left out.
            let Ok(id) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let Some(ord) = interner.intern(id) else {
                break;
            };
            let mut postings = index
                .read_block_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
            loop {
                let block = postings.docs();
                if block.is_empty() {
                    break;
                }
                found.extend(block.iter().map(|&doc| (ord, doc)));
                postings.advance();
            }
        }
        out.first_doc = vec![TERMINATED; interner.ids.len()];
        for (ord, doc) in found {
            if let Some(slot) = out.doc_ord.get_mut(doc as usize) {
                *slot = ord;
            }
            match out.first_doc.get_mut(ord as usize) {
                Some(first) if *first == TERMINATED => *first = doc,
                Some(_) => out.more_docs.entry(ord).or_default().push(doc),
                None => {}
            }
        }
        Ok(out)
    }

    /// Calls `f` with each document holding the id numbered `ord`.
    pub(crate) fn for_each_doc(&self, ord: u32, mut f: impl FnMut(DocId)) {
        match self.first_doc.get(ord as usize) {
            Some(&doc) if doc != TERMINATED => f(doc),
            _ => return,
        }
        if let Some(more) = self.more_docs.get(&ord) {
            more.iter().copied().for_each(f);
        }
    }
}

/// The maps of every segment of the live searcher generations.
#[derive(Debug)]
pub(crate) struct IdMaps {
    field: Field,
    interner: RwLock<Interner>,
    segments: RwLock<HashMap<SegmentId, Arc<SegmentIds>>>,
}

/// Reads ids back from numbers while the interner is held for reading.
pub(crate) struct IdNames<'a>(std::sync::RwLockReadGuard<'a, Interner>);

impl IdNames<'_> {
    /// The id of a document of the segment.
    pub(crate) fn id(&self, segment: &SegmentIds, doc: DocId) -> Option<&str> {
        let ord = *segment.doc_ord.get(doc as usize)?;
        self.0.ids.get(ord as usize).map(|id| &**id)
    }
}

impl IdMaps {
    pub(crate) fn new(field: Field) -> IdMaps {
        IdMaps {
            field,
            interner: RwLock::new(Interner::default()),
            segments: RwLock::new(HashMap::new()),
        }
    }

    /// The segment's maps, when it has been warmed (always, for searchers
    /// of the index's reader; callers fall back to the term dictionary).
    pub(crate) fn segment(&self, reader: &SegmentReader) -> Option<Arc<SegmentIds>> {
        self.segments
            .read()
            .ok()?
            .get(&reader.segment_id())
            .cloned()
    }

    /// The numbers of those ids any warmed segment holds.
    pub(crate) fn ords(&self, ids: &[String]) -> Vec<u32> {
        match self.interner.read() {
            Ok(interner) => ids
                .iter()
                .filter_map(|id| interner.ords.get(id.as_str()).copied())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    pub(crate) fn names(&self) -> Option<IdNames<'_>> {
        self.interner.read().ok().map(IdNames)
    }
}

impl Warmer for IdMaps {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        let missing: Vec<&SegmentReader> = {
            let known = self
                .segments
                .read()
                .map_err(|_| tantivy::TantivyError::Poisoned)?;
            searcher
                .segment_readers()
                .iter()
                .filter(|r| !known.contains_key(&r.segment_id()))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        // Searches of the current generation go on meanwhile, except for
        // reading ids back, which waits for the interner.
        let mut built = Vec::with_capacity(missing.len());
        {
            let mut interner = self
                .interner
                .write()
                .map_err(|_| tantivy::TantivyError::Poisoned)?;
            for reader in missing {
                let ids = SegmentIds::build(reader, self.field, &mut interner)?;
                built.push((reader.segment_id(), Arc::new(ids)));
            }
        }
        let mut known = self
            .segments
            .write()
            .map_err(|_| tantivy::TantivyError::Poisoned)?;
        known.extend(built);
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        if let Ok(mut known) = self.segments.write() {
            known.retain(|id, _| live.contains(id));
        }
    }
}
