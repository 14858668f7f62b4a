//! Errors as the API says them: `{"error": {"code", "message", "field"}}`
//! with a Japanese message. A server fault is logged in English with its
//! cause and answered with a generic message, never with internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tsunagu_engine::EngineError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable code (`bad_request`, `not_found`…).
    pub code: &'static str,
    /// For people, in Japanese.
    pub message: String,
    /// The parameter or field at fault, when there is one.
    pub field: Option<String>,
    /// Every field at fault, for forms (edits name several).
    pub fields: Vec<String>,
}

/// The error answer: `{"error": {code, message, field, fields}}`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ErrorInner<'a> {
    /// Stable machine-readable code (`bad_request`, `not_found`…).
    code: &'a str,
    /// For people, in Japanese.
    message: &'a str,
    /// The parameter or field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// Every field at fault (forms).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    fields: &'a [String],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            fields: Vec::new(),
        }
    }

    pub fn bad_request(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "ログインが必要です",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// A fault of the server: logged with its cause, answered generically.
    pub fn internal(context: &str, cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "サーバーで問題が起きました。しばらくしてからもう一度お試しください",
        )
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> ApiError {
        if self.field.is_none() {
            self.field = fields.first().cloned();
        }
        self.fields = fields;
        self
    }
}

impl From<EngineError> for ApiError {
    /// What the caller got wrong is a 4xx with the engine's Japanese
    /// message; anything else is the server's fault.
    fn from(e: EngineError) -> ApiError {
        use tsunagu_engine::InputError;
        match &e {
            EngineError::Input(input) => {
                let field = match input {
                    InputError::OutOfRange { name, .. } | InputError::TooLong { name, .. } => {
                        Some((*name).to_string())
                    }
                    _ => None,
                };
                ApiError {
                    field,
                    ..ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.message_ja())
                }
            }
            EngineError::Index(tsunagu_engine::IndexError::EmptyQuery) => ApiError {
                field: Some("q".into()),
                ..ApiError::new(StatusCode::BAD_REQUEST, "empty_query", e.message_ja())
            },
            EngineError::CannotLocate { .. } => ApiError {
                field: Some("near".into()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "cannot_locate",
                    e.message_ja(),
                )
            },
            EngineError::WriterBusy { .. } => ApiError::unavailable(e.message_ja()),
            _ => ApiError::internal("engine error", &e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorInner {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
                fields: &self.fields,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
