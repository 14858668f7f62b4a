//! Reports over the whole directory: the engine gathers what
//! `tsunagu-report` computes from (records reduced to their facts, the
//! gazetteer's 町丁目 with their centres, the population table, the unmet
//! needs log), and imports the population table, matching its towns to
//! the gazetteer.

use chrono::NaiveDate;
use serde::Serialize;
use tsunagu_geo::CenterAssignment;
use tsunagu_model::Ward;
use tsunagu_report::area::{Points, WardOutline};
use tsunagu_report::{
    AreaReport, AreaReportRequest, CentreInfo, KayoiSurvey, Population, PopulationError,
    PopulationTable, ReportData, ResourceFacts, TownInfo, UnmetRow,
};
use tsunagu_store::PopulationRow;

use crate::{Directory, EngineError};

/// What a population import did.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationImport {
    pub source: String,
    pub as_of: Option<String>,
    /// `utf-8` or `cp932`.
    pub encoding: &'static str,
    /// Town lines read, and the gazetteer 町丁目 they were matched to.
    pub lines: usize,
    pub towns: usize,
    /// Lines whose town is not a 町丁目 of the gazetteer, with why.
    pub unmatched: Vec<UnmatchedTown>,
    /// Residents aged 65+ of the matched towns (where known).
    pub aged_65: u64,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedTown {
    pub line: usize,
    pub text: String,
    pub candidates: Vec<String>,
}

/// Why a population file was refused (nothing stored).
#[derive(Debug, thiserror::Error)]
pub enum PopulationImportError {
    #[error(transparent)]
    Parse(#[from] PopulationError),
    #[error("no line of the file names a 町丁目 of the gazetteer")]
    NothingMatched,
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl PopulationImportError {
    pub fn message_ja(&self) -> String {
        match self {
            PopulationImportError::Parse(e) => e.message_ja(),
            PopulationImportError::NothingMatched => {
                "町丁目の一覧（ガゼティア）にある町丁名が1行もありません".into()
            }
            PopulationImportError::Engine(e) => e.message_ja(),
        }
    }
}

impl From<tsunagu_store::StoreError> for PopulationImportError {
    fn from(e: tsunagu_store::StoreError) -> Self {
        PopulationImportError::Engine(EngineError::Store(e))
    }
}

/// What [`ReportData`] borrows, owned.
struct ReportInputs {
    resources: Vec<ResourceFacts>,
    towns: Vec<TownInfo>,
    centres: Vec<CentreInfo>,
    population: Option<PopulationTable>,
    unmet: Vec<UnmetRow>,
}

impl ReportInputs {
    fn data(&self) -> ReportData<'_> {
        ReportData {
            resources: &self.resources,
            towns: &self.towns,
            centres: &self.centres,
            population: self.population.as_ref(),
            unmet: &self.unmet,
        }
    }
}

impl Directory {
    /// Reads a 町丁別年齢別人口 file and replaces the stored population
    /// table with its towns. Lines naming no 町丁目 of the gazetteer are
    /// reported, not guessed; a file with none is refused and the table
    /// stays as it was.
    pub fn import_population(
        &mut self,
        bytes: &[u8],
        source: &str,
        as_of: Option<&str>,
    ) -> Result<PopulationImport, PopulationImportError> {
        self.writable("population import")?;
        let parsed = tsunagu_report::parse_population(bytes)?;
        let mut table = PopulationTable::new(as_of.map(String::from), source.to_string());
        let mut unmatched = Vec::new();
        for line in &parsed.lines {
            let text = format!("{}{}", line.ward.as_deref().unwrap_or(""), line.town);
            let place = self.locator.locate_address(&text);
            match (place.ward, place.town.as_deref()) {
                (Some(ward), Some(town)) if place.unread.is_none() => {
                    table.add(ward, town, line.population);
                }
                _ => unmatched.push(UnmatchedTown {
                    line: line.line,
                    text,
                    candidates: place.candidates.into_iter().take(5).collect(),
                }),
            }
        }
        if table.is_empty() {
            return Err(PopulationImportError::NothingMatched);
        }
        let rows: Vec<PopulationRow> = table
            .rows()
            .into_iter()
            .map(|(ward, town, p)| PopulationRow {
                ward: ward.name().to_string(),
                town: town.to_string(),
                total: p.total,
                aged_65: p.aged_65,
                aged_75: p.aged_75,
            })
            .collect();
        let aged_65 = rows.iter().filter_map(|r| r.aged_65).sum();
        self.store.replace_population(&rows, source, as_of)?;
        Ok(PopulationImport {
            source: source.to_string(),
            as_of: as_of.map(String::from),
            encoding: parsed.encoding,
            lines: parsed.lines.len(),
            towns: rows.len(),
            unmatched,
            aged_65,
            notes: parsed.notes,
        })
    }

    /// The stored population table, if one was imported.
    pub fn population_table(&self) -> Result<Option<PopulationTable>, EngineError> {
        let Some((source, rows)) = self.store.population()? else {
            return Ok(None);
        };
        let mut table = PopulationTable::new(source.as_of, source.source);
        for r in rows {
            if let Some(ward) = Ward::parse(&r.ward) {
                table.add(
                    ward,
                    &r.town,
                    Population {
                        total: r.total,
                        aged_65: r.aged_65,
                        aged_75: r.aged_75,
                    },
                );
            }
        }
        Ok(Some(table))
    }

    /// Every record reduced to what reports read.
    pub fn resource_facts(&self) -> Result<Vec<ResourceFacts>, EngineError> {
        let mut out = Vec::new();
        self.store.for_each_since(0, |s| {
            out.push(ResourceFacts::of(
                &s.record,
                &s.placement,
                &s.first_imported,
                &s.last_changed,
            ));
            Ok(())
        })?;
        Ok(out)
    }

    /// The gazetteer's 町丁目 with their points and centres.
    pub fn report_towns(&self) -> Vec<TownInfo> {
        let centres = self.locator.centers();
        self.locator
            .gazetteer()
            .rows()
            .iter()
            .map(|row| {
                let centre = match centres.assign(row.ward, &row.oaza, row.chome) {
                    CenterAssignment::Center(i) => centres.center(i).map(|c| c.id.clone()),
                    _ => None,
                };
                TownInfo {
                    ward: row.ward,
                    name: row.town.clone(),
                    point: row.point,
                    centre,
                }
            })
            .collect()
    }

    pub fn report_centres(&self) -> Vec<CentreInfo> {
        self.locator
            .centers()
            .centers()
            .iter()
            .map(|c| CentreInfo {
                id: c.id.clone(),
                ward: c.ward,
                name: c.name.clone(),
            })
            .collect()
    }

    fn unmet_rows(&self) -> Result<Vec<UnmetRow>, EngineError> {
        Ok(self
            .store
            .unmet_log()?
            .into_iter()
            .filter_map(|(day, centre, need)| {
                Some(UnmetRow {
                    day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?,
                    centre,
                    need,
                })
            })
            .collect())
    }

    /// Everything a report is computed from, read once.
    fn report_inputs(&self) -> Result<ReportInputs, EngineError> {
        Ok(ReportInputs {
            resources: self.resource_facts()?,
            towns: self.report_towns(),
            centres: self.report_centres(),
            population: self.population_table()?,
            unmet: self.unmet_rows()?,
        })
    }

    /// The 地域診断 report.
    pub fn area_report(&self, request: &AreaReportRequest) -> Result<AreaReport, EngineError> {
        let inputs = self.report_inputs()?;
        Ok(tsunagu_report::area_report(request, &inputs.data()))
    }

    /// The report with what its map draws: the scope's active 通いの場 and
    /// its 町丁目 points.
    pub fn area_report_with_points(
        &self,
        request: &AreaReportRequest,
    ) -> Result<(AreaReport, Points, Points), EngineError> {
        let inputs = self.report_inputs()?;
        let data = inputs.data();
        let report = tsunagu_report::area_report(request, &data);
        let (points, frame) = tsunagu_report::area::map_points(request, &data);
        Ok((report, points, frame))
    }

    /// Ward outlines for maps, when polygons are loaded.
    pub fn ward_outlines(&self) -> Vec<WardOutline> {
        self.locator
            .ward_boundaries()
            .map(|b| b.outlines().collect())
            .unwrap_or_default()
    }

    /// The 通いの場 survey's counts for a 年度; `None` for a year out of range.
    pub fn kayoi_survey(&self, year: i32) -> Result<Option<KayoiSurvey>, EngineError> {
        let resources = self.resource_facts()?;
        Ok(tsunagu_report::kayoi_survey(year, &resources))
    }
}
