//! Problem+json for the answers the HTTP layer gives by itself.
//!
//! A request actix-http cannot parse (a request target or head over its limits, raw non-ASCII
//! bytes in the path, a control character in a header value, a head that never completes) never
//! reaches the app and its error handlers: the protocol layer answers with an empty 400, 408 or
//! 431 and closes the connection. This adapter sits between the socket and that layer and turns
//! such an answer into the API's one error shape. It recognises it by what only the protocol
//! layer writes: a response head with an error status, `content-length: 0` and nothing after it,
//! written on its own (every error of the app carries a problem body). Everything else passes
//! through untouched.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::Problem;
use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longer than any head the protocol layer writes for a bare error (status line, content-length,
/// connection and date).
const MAX_BARE_HEAD: usize = 512;

/// The socket, with the protocol layer's bare errors rewritten on the way out.
pub struct ProblemIo<S> {
    inner: S,
    /// A rewritten answer still being written, and how much of it is out.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> ProblemIo<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> ProblemIo<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
            if *written == bytes.len() {
                self.pending = None;
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(rewritten) = rewrite(buf) {
            self.pending = Some((rewritten, 0));
            // Taken in full now; the rest goes out with the next write, flush or shutdown.
            if let Poll::Ready(Err(e)) = self.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The problem+json answer for a bare error response of the protocol layer, or `None` when
/// `written` is anything else.
pub fn rewrite(written: &[u8]) -> Option<Vec<u8>> {
    // Cheap checks first, for every write: a bare error head is short and has a 4xx/5xx status.
    if written.len() > MAX_BARE_HEAD
        || !written.starts_with(b"HTTP/1.")
        || !matches!(written.get(9), Some(b'4' | b'5'))
    {
        return None;
    }
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let head_length = match response.parse(written) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return None,
    };
    let status = StatusCode::from_u16(response.code?).ok()?;
    let empty = response
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-length") && h.value.trim_ascii() == b"0");
    let typed = response
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-type"));
    if head_length != written.len()
        || !(status.is_client_error() || status.is_server_error())
        || !empty
        || typed
    {
        return None;
    }
    let body = serde_json::to_string(&problem_for(status)).ok()?;
    let mut out = format!(
        "HTTP/1.{} {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n",
        response.version.unwrap_or(1),
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    )
    .into_bytes();
    for h in response.headers.iter() {
        if !h.name.eq_ignore_ascii_case("content-length") {
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

fn problem_for(status: StatusCode) -> Problem {
    match status {
        StatusCode::BAD_REQUEST => Problem::malformed(
            "the request could not be parsed: its request line or a header is malformed (raw \
             non-ASCII bytes in the target, control characters in a header value) or too long",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Problem::new(
            status,
            "request-header-fields-too-large",
            "Request header fields too large",
            "the request line and headers together exceed the server's limit (128 KiB)",
        ),
        StatusCode::REQUEST_TIMEOUT => Problem::new(
            status,
            "request-timeout",
            "Request timeout",
            "the request was not received in time",
        ),
        s => Problem::new(
            s,
            "protocol-error",
            s.canonical_reason().unwrap_or("Error"),
            "the HTTP request could not be processed",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare(status: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\ndate: Wed, 25 Nov 2026 10:00:00 GMT\r\n\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn bare_protocol_errors_become_problems() {
        for (status, code) in [
            ("400 Bad Request", 400),
            ("431 Request Header Fields Too Large", 431),
            ("408 Request Timeout", 408),
        ] {
            let out = String::from_utf8(rewrite(&bare(status)).unwrap()).unwrap();
            let (head, body) = out.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with(&format!("HTTP/1.1 {code} ")), "{head}");
            assert!(head.contains("content-type: application/problem+json"));
            assert!(head.contains(&format!("content-length: {}", body.len())));
            assert!(head.contains("connection: close"));
            let problem: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(problem["status"], code);
        }
    }

    #[test]
    fn everything_else_passes_untouched() {
        let problem_body = r#"{"status":404}"#;
        for written in [
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_string(),
            format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\r\n{problem_body}",
                problem_body.len()
            ),
            // A problem whose body goes out in a later write.
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: 14\r\n\r\n".into(),
            // Body bytes, or half a head.
            "{\"data\": []}".into(),
            "HTTP/1.1 400 Bad Req".into(),
            // An error with a body in the same write.
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}".into(),
        ] {
            assert_eq!(rewrite(written.as_bytes()), None, "{written}");
        }
    }
}
