//! Who may look, and who may act: credentials checked on every request (when set), the
//! security headers of every answer, and the CSRF token of the forms that change things.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Shared;

/// The credentials a dashboard asks for: what an `Authorization` header must say.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    /// `Basic base64(user:password)`.
    basic: Option<String>,
    /// `Bearer token`.
    bearer: Option<String>,
}

impl Credentials {
    pub(crate) fn basic(&mut self, user: &str, password: &str) {
        self.basic = Some(format!(
            "Basic {}",
            base64(format!("{user}:{password}").as_bytes())
        ));
    }

    pub(crate) fn bearer(&mut self, token: &str) {
        self.bearer = Some(format!("Bearer {token}"));
    }

    /// Whether any are set: then every request must carry them, and actions are allowed.
    pub(crate) fn any(&self) -> bool {
        self.basic.is_some() || self.bearer.is_some()
    }

    /// Whether `headers` carry one of them.
    fn accept(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers.get(header::AUTHORIZATION) else {
            return false;
        };
        [&self.basic, &self.bearer]
            .into_iter()
            .flatten()
            .any(|expected| same(given.as_bytes(), expected.as_bytes()))
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("basic", &self.basic.is_some())
            .field("bearer", &self.bearer.is_some())
            .finish()
    }
}

/// Compares in a time that depends on the lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Standard base64, with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// 128 unpredictable bits as hex: the standard library's hasher keys are drawn from the
/// operating system's randomness.
pub(crate) fn random_token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let mut token = String::with_capacity(32);
    for part in 0..2u8 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u8(part);
        hasher.write_u128(nanos);
        let _ = write!(token, "{:016x}", hasher.finish());
    }
    token
}

/// Checks the credentials (when the dashboard has some) and adds the security headers to
/// every answer.
pub(crate) async fn guard(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let credentials = &shared.credentials;
    let mut response = if credentials.any() && !credentials.accept(request.headers()) {
        let mut refused = (StatusCode::UNAUTHORIZED, "credentials needed\n").into_response();
        if credentials.basic.is_some() {
            refused.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"aplay\", charset=\"UTF-8\""),
            );
        }
        refused
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        // Not `no-referrer`: with it, a browser sends `Origin: null` with the forms' POSTs.
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Why an action (a POST) is refused, if it is: the dashboard has no credentials, the form's
/// CSRF token is not this dashboard's, or the browser says the request came from another site.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) fn refuse_action(shared: &Shared, headers: &HeaderMap, csrf: &str) -> Option<Response> {
    if !shared.credentials.any() {
        return Some(
            (
                StatusCode::FORBIDDEN,
                "actions need credentials: start the dashboard with basic_auth(..) or token(..)\n",
            )
                .into_response(),
        );
    }
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|site| site != "same-origin" && site != "none");
    let foreign_origin = match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            origin
                .split_once("://")
                .is_none_or(|(_, authority)| authority != host)
        }
        _ => false,
    };
    let why = if cross_site {
        "the browser says the request came from another site"
    } else if foreign_origin {
        "the request's Origin is not this dashboard"
    } else if !same(csrf.as_bytes(), shared.csrf.as_bytes()) {
        "the form's token is not this dashboard's"
    } else {
        return None;
    };
    Some(
        (
            StatusCode::FORBIDDEN,
            format!("refused: not a form of this dashboard: {why}\n"),
        )
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_one() {
        assert_eq!(base64(b"aladdin:opensesame"), "YWxhZGRpbjpvcGVuc2VzYW1l");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn tokens_differ() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn credentials_are_checked_whole() {
        let mut credentials = Credentials::default();
        credentials.basic("ops", "secret");
        credentials.bearer("t0k");
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            credentials.accept(&headers)
        };
        assert!(with("Basic b3BzOnNlY3JldA=="));
        assert!(with("Bearer t0k"));
        assert!(!with("Bearer t0"));
        assert!(!with("Basic b3BzOnNlY3JldB=="));
        assert!(!credentials.accept(&HeaderMap::new()));
    }
}
