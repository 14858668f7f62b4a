//! Reports over HTTP: `GET /api/v1/reports/area` (the public report for
//! anyone, the coordinators' one with a login) and
//! `GET /api/v1/reports/kayoi-survey` (logged in), and the console's
//! report pages (`/console/reports…`), which show the same report as a
//! printable page with its downloads and one agenda page per area.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use tsunagu_engine::Audience;
use tsunagu_model::Ward;
use tsunagu_report::{AreaReport, AreaReportRequest, ReportScope};
use tsunagu_web::Template;
use tsunagu_web::report::{AgendaPage, Css, MapInput, ReportPage, SurveyPage};

use crate::AppState;
use crate::auth::{Caller, Signed};
use crate::error::ApiError;
use crate::pages::{html, message_page};
use crate::params::{Params, parse_centre};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/area", get(area_api))
        .route("/api/v1/reports/kayoi-survey", get(survey_api))
        .route("/console/reports", get(reports_page))
        .route("/console/reports/area", get(area_page))
        .route("/console/reports/agenda", get(agenda_page))
        .route("/console/reports/kayoi-survey", get(survey_page))
}

const AREA_PARAMS: &[&str] = &[
    "ward", "centre", "center", "from", "to", "since", "audience", "format",
];

/// What the area report is asked, from the query string.
fn area_request(p: &Params, audience: Audience) -> Result<AreaReportRequest, ApiError> {
    let day = |key: &str| -> Result<Option<NaiveDate>, ApiError> {
        p.one(key)?
            .filter(|v| !v.is_empty())
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(key, format!("{key} は YYYY-MM-DD の日付です"))
                })
            })
            .transpose()
    };
    let ward = p.one("ward")?.filter(|v| !v.is_empty());
    let centre = p
        .one("centre")?
        .or(p.one("center")?)
        .filter(|v| !v.is_empty());
    let scope =
        match (ward, centre) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "centre",
                    "ward と centre はどちらか一方を指定してください",
                ));
            }
            (Some(w), None) => ReportScope::Ward(Ward::parse(w).ok_or_else(|| {
                ApiError::bad_request("ward", "ward は千葉市の区（稲毛区など）です")
            })?),
            (None, Some(c)) => ReportScope::Centre(
                parse_centre(c)
                    .ok_or_else(|| ApiError::bad_request("centre", "centre は AC01〜AC28 です"))?,
            ),
            (None, None) => ReportScope::City,
        };
    let (from, to) = (day("from")?, day("to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad_request("to", "to は from より後の日付です"));
    }
    Ok(AreaReportRequest {
        scope,
        from,
        to,
        since: day("since")?,
        today: crate::today_jst(),
        public_only: audience == Audience::Public,
    })
}

fn attachment(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // RFC 6266 with the UTF-8 name (「内部用」) and an ASCII fallback.
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    response
}

/// The file name of a report: the scope, and 「内部用」 for the
/// coordinators' report so a shared file says what it holds.
fn file_name(report: &AreaReport, ext: &str) -> String {
    let internal = if report.audience == "public" {
        ""
    } else {
        "_内部用"
    };
    format!(
        "地域診断_{}_{}{internal}.{ext}",
        report.scope.label, report.generated_on
    )
}

async fn build(
    app: &AppState,
    request: AreaReportRequest,
    with_map: bool,
) -> Result<(AreaReport, MapInput), ApiError> {
    app.readers
        .run(move |dir| {
            if with_map {
                let (report, points, frame) = dir.area_report_with_points(&request)?;
                Ok((
                    report,
                    MapInput {
                        outlines: dir.ward_outlines(),
                        points,
                        frame,
                    },
                ))
            } else {
                Ok((dir.area_report(&request)?, MapInput::default()))
            }
        })
        .await
}

fn css() -> Css {
    Css::Href(tsunagu_web::assets::url("site.css"))
}

/// `GET /api/v1/reports/area?ward=|centre=&from=&to=&since=&audience=&format=json|csv|html`
async fn area_api(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), AREA_PARAMS)?;
    let audience = caller.reach().audience(p.one("audience")?)?;
    let request = area_request(&p, audience)?;
    let format = p.one("format")?.unwrap_or("json");
    match format {
        "json" => {
            let (report, _) = build(&app, request, false).await?;
            let body = serde_json::to_vec(&report).map_err(|e| ApiError::internal("report", &e))?;
            let mut response = attachment(body, "application/json", &file_name(&report, "json"));
            // JSON is read in place by scripts; the name is for saving.
            response.headers_mut().remove(header::CONTENT_DISPOSITION);
            Ok(response)
        }
        "csv" => {
            let (report, _) = build(&app, request, false).await?;
            let mut body = Vec::new();
            tsunagu_report::csv_out::area_report_csv(&report, &mut body)
                .map_err(|e| ApiError::internal("report csv", &e))?;
            Ok(attachment(
                body,
                "text/csv; charset=utf-8",
                &file_name(&report, "csv"),
            ))
        }
        "html" => {
            let (report, map) = build(&app, request, true).await?;
            let page = ReportPage::new(&report, &map, css(), None);
            let body = page
                .render()
                .map_err(|e| ApiError::internal("report page", &e))?;
            Ok(html(&app, StatusCode::OK, body, false))
        }
        other => Err(ApiError::bad_request(
            "format",
            format!(
                "format は json、csv、html のどれかです（「{}」）",
                tsunagu_model::cut_for_message(other)
            ),
        )),
    }
}

/// `GET /api/v1/reports/kayoi-survey?year=2025&format=json|csv`
async fn survey_api(
    State(app): State<AppState>,
    signed: Signed,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let _ = signed;
    let p = Params::parse(raw.as_deref(), &["year", "format"])?;
    let year: i32 = p
        .number("year")?
        .ok_or_else(|| ApiError::bad_request("year", "year（年度）を指定してください"))?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::bad_request(
            "year",
            "year は 2000〜2100 の年度です",
        ));
    }
    let survey = app
        .readers
        .run(move |dir| Ok(dir.kayoi_survey(year)?))
        .await?
        .ok_or_else(|| ApiError::bad_request("year", "その年度は扱えません"))?;
    match p.one("format")?.unwrap_or("json") {
        "json" => Ok(axum::Json(survey).into_response()),
        "csv" => {
            let mut body = Vec::new();
            tsunagu_report::csv_out::kayoi_survey_csv(&survey, &mut body)
                .map_err(|e| ApiError::internal("survey csv", &e))?;
            Ok(attachment(
                body,
                "text/csv; charset=utf-8",
                &format!("通いの場調査_{year}年度_内部用.csv"),
            ))
        }
        _ => Err(ApiError::bad_request(
            "format",
            "format は json か csv です",
        )),
    }
}

/// The console's report pages need a login; without one, the login page.
async fn console_signed(
    app: &AppState,
    headers: &HeaderMap,
    back: &str,
) -> Result<Signed, Response> {
    let (account, csrf) = crate::console::signed_in(app, headers, back).await?;
    Ok(Signed {
        account,
        csrf: Some(csrf),
    })
}

/// The public report unless the coordinators' one is asked for by an
/// account that may read internal records: a report is often shown at a
/// 協議体 meeting, where internal records have no place.
fn console_audience(p: &Params, signed: &Signed) -> Result<Audience, ApiError> {
    Ok(match p.one("audience")? {
        Some("coordinator") if tsunagu_accounts::can_read_internal(&signed.account) => {
            Audience::Coordinator
        }
        Some("coordinator") => {
            return Err(ApiError::forbidden(
                "内部用の地域診断を見る権限がありません",
            ));
        }
        None | Some("public") => Audience::Public,
        Some(_) => {
            return Err(ApiError::bad_request(
                "audience",
                "audience は public か coordinator です",
            ));
        }
    })
}

/// The form: which area and period.
async fn reports_page(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let signed = match console_signed(&app, &headers, "/console/reports").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let today = crate::today_jst();
    let centres = app
        .readers
        .run(|dir| Ok(dir.report_centres()))
        .await
        .unwrap_or_default();
    let page = tsunagu_web::console::ReportsForm::new(
        crate::pages::page_for(&app, &headers, "/console/reports".into()),
        crate::console::signed_view(&signed.account, signed.csrf.unwrap_or_default()),
        centres.into_iter().map(|c| (c.id, c.name)).collect(),
        signed.account.center_id.clone(),
        (today - chrono::Months::new(3)).to_string(),
        today.to_string(),
    );
    match page.render() {
        Ok(body) => html(&app, StatusCode::OK, body, false),
        Err(e) => message_page(
            &app,
            &headers,
            StatusCode::INTERNAL_SERVER_ERROR,
            "表示できませんでした",
            &e.to_string(),
        ),
    }
}

/// A console page's answer: its HTML, or the message page saying why not.
fn answer_page(
    app: &AppState,
    headers: &HeaderMap,
    answer: Result<String, ApiError>,
    failed: &str,
) -> Response {
    match answer {
        Ok(body) => html(app, StatusCode::OK, body, false),
        Err(e) => message_page(app, headers, e.status, failed, &e.message),
    }
}

fn query_of(raw: Option<&str>) -> String {
    raw.unwrap_or_default().to_string()
}

async fn area_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let back = format!("/console/reports/area?{}", query_of(raw.as_deref()));
    let signed = match console_signed(&app, &headers, &back).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let answer = async {
        let p = Params::parse(raw.as_deref(), AREA_PARAMS)?;
        let audience = console_audience(&p, &signed)?;
        let request = area_request(&p, audience)?;
        let (report, map) = build(&app, request, true).await?;
        let mut page = ReportPage::new(&report, &map, css(), Some("/console/reports".into()));
        let q = query_of(raw.as_deref());
        let with_format = |f: &str| {
            let rest: String = q
                .split('&')
                .filter(|kv| {
                    !kv.is_empty() && !kv.starts_with("format=") && !kv.starts_with("audience=")
                })
                .collect::<Vec<_>>()
                .join("&");
            format!(
                "/api/v1/reports/area?{rest}&format={f}&audience={}",
                report.audience
            )
        };
        page.downloads = vec![
            ("CSV（Excel）".into(), with_format("csv")),
            ("JSON".into(), with_format("json")),
        ];
        page.agenda_links = report
            .areas
            .iter()
            .filter(|a| report.scope.kind != "city" || a.kind == "ward")
            .map(|a| {
                let key = if a.kind == "ward" { "ward" } else { "centre" };
                let params = tsunagu_web::query_string([
                    (key, a.id.as_str()),
                    (
                        "from",
                        &report
                            .period
                            .from
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                    (
                        "to",
                        &report.period.to.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("since", &report.period.since.to_string()),
                    ("audience", report.audience),
                ]);
                (a.label.clone(), format!("/console/reports/agenda?{params}"))
            })
            .collect();
        page.render()
            .map_err(|e| ApiError::internal("report page", &e))
    }
    .await;
    answer_page(&app, &headers, answer, "地域診断を作れませんでした")
}

async fn agenda_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let back = format!("/console/reports/agenda?{}", query_of(raw.as_deref()));
    let signed = match console_signed(&app, &headers, &back).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let answer = async {
        let p = Params::parse(raw.as_deref(), AREA_PARAMS)?;
        let audience = console_audience(&p, &signed)?;
        let request = area_request(&p, audience)?;
        if request.scope == ReportScope::City {
            return Err(ApiError::bad_request(
                "ward",
                "協議体の資料は区かセンターごとです（ward か centre を指定してください）",
            ));
        }
        let (report, _) = build(&app, request, false).await?;
        AgendaPage::new(&report, css(), Some("/console/reports".into()))
            .render()
            .map_err(|e| ApiError::internal("agenda page", &e))
    }
    .await;
    answer_page(&app, &headers, answer, "協議体の資料を作れませんでした")
}

async fn survey_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let back = format!("/console/reports/kayoi-survey?{}", query_of(raw.as_deref()));
    if let Err(r) = console_signed(&app, &headers, &back).await {
        return r;
    }
    let answer = async {
        let p = Params::parse(raw.as_deref(), &["year"])?;
        let year: i32 = p
            .number("year")?
            .ok_or_else(|| ApiError::bad_request("year", "年度を指定してください"))?;
        if !(2000..=2100).contains(&year) {
            return Err(ApiError::bad_request("year", "年度は 2000〜2100 です"));
        }
        let survey = app
            .readers
            .run(move |dir| Ok(dir.kayoi_survey(year)?))
            .await?
            .ok_or_else(|| ApiError::bad_request("year", "その年度は扱えません"))?;
        SurveyPage {
            title: format!("通いの場の実施状況（{year}年度）"),
            css: css(),
            back_href: Some("/console/reports".into()),
            survey,
        }
        .render()
        .map_err(|e| ApiError::internal("survey page", &e))
    }
    .await;
    answer_page(&app, &headers, answer, "集計できませんでした")
}
