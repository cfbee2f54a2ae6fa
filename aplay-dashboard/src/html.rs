//! HTML by hand: escaping, the page around the content, and how values are written. Every
//! text that comes from the system (actor names, types, errors, queue names, dead letters)
//! goes through [`esc`] or [`Html::text`]; nothing else writes it.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `text` with the five characters that mean something in HTML (in text and in quoted
/// attribute values) written as entities.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` for a URL's query value: everything but unreserved characters percent-encoded.
pub(crate) fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A page being written.
pub(crate) struct Html(String);

impl Html {
    /// Starts a page titled `title` (escaped), with the navigation; `current` is the link
    /// shown as the current page.
    pub(crate) fn page(title: &str, current: &str, queues: bool) -> Html {
        let mut html = String::with_capacity(8 * 1024);
        let _ = write!(
            html,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} · aplay</title>\
             <link rel=\"stylesheet\" href=\"/assets/app.css\">\
             <script src=\"/assets/app.js\" defer></script></head><body>\
             <header><a class=\"brand\" href=\"/\">aplay</a><nav>",
            esc(title)
        );
        let mut links = vec![("/", "Tree"), ("/undelivered", "Undelivered")];
        if queues {
            links.push(("/queues", "Queues"));
        }
        links.push(("/metrics", "Metrics"));
        for (href, name) in links {
            let class = if href == current {
                " class=\"current\""
            } else {
                ""
            };
            let _ = write!(html, "<a href=\"{href}\"{class}>{name}</a>");
        }
        html.push_str("</nav></header><main>");
        Html(html)
    }

    /// Writes markup as it is: only for literals and already escaped text.
    pub(crate) fn raw(&mut self, markup: &str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Writes `text`, escaped.
    pub(crate) fn text(&mut self, text: &str) -> &mut Self {
        self.0.push_str(&esc(text));
        self
    }

    /// Ends the page.
    pub(crate) fn finish(mut self) -> String {
        self.0.push_str("</main></body></html>\n");
        self.0
    }
}

/// A wall-clock time as `2026-12-04 21:03:43 UTC`.
pub(crate) fn time(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A duration, short: `1.20µs`, `310ms`.
pub(crate) fn duration(d: Duration) -> String {
    format!("{d:.2?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            esc(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(query_value("/a b/<x>&"), "/a%20b/%3Cx%3E%26");
    }

    #[test]
    fn times_are_civil_utc() {
        assert_eq!(time(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        let at = UNIX_EPOCH + Duration::from_secs(1_733_346_223);
        assert_eq!(time(at), "2024-12-04 21:03:43 UTC");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(time(leap), "2000-02-29 00:00:00 UTC");
    }
}
