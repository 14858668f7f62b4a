//! 地域診断 and the city's returns, computed from what the engine hands in:
//! records reduced to [`ResourceFacts`], the gazetteer's 町丁目, the
//! centres, the population table and the unmet-needs log. The engine
//! gathers them; the CLI, the API and the pages show the result. This
//! crate reads no storage and knows nothing of HTTP or HTML.

pub mod area;
pub mod csv_out;
pub mod population;
pub mod resource;
pub mod survey;

pub use area::{
    AreaReport, AreaReportRequest, CentreInfo, ReportData, ReportScope, TownInfo, UnmetRow,
    area_report,
};
pub use population::{
    ParsedPopulation, Population, PopulationError, PopulationLine, PopulationTable,
    parse_population,
};
pub use resource::ResourceFacts;
pub use survey::{KayoiSurvey, kayoi_survey};
