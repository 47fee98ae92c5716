//! A small HTTP/1 server and client on hyper, for what speaks plain HTTP
//! rather than gRPC: the Prometheus endpoint ([`crate::metrics`]) and
//! partners reached over HTTP (a clearinghouse's real-time endpoint, the
//! payer simulator serving one).
//!
//! Plain `http://` only: the workspace carries no TLS stack, so a partner
//! behind `https://` is reached through an egress proxy or sidecar that
//! terminates TLS, and an `https://` URL is refused when it is configured,
//! not when it is first called.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// A plain-HTTP URL (`http://host[:port][/path]`), checked when it is
/// configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    uri: http::Uri,
    host: String,
    port: u16,
}

/// Why a text is not an [`HttpUrl`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// It does not parse as an absolute URL with a host.
    #[error("{url:?} is not an http:// URL with a host: {reason}")]
    NotAUrl {
        /// The text given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// It is `https://`.
    #[error(
        "{url:?} is https: medbill speaks plain HTTP only; terminate TLS in an egress \
         proxy or sidecar and give its http:// URL"
    )]
    Tls {
        /// The text given.
        url: String,
    },
}

impl HttpUrl {
    /// Parses `text`: `http://` with a host; no user or password in it
    /// (they would reach logs).
    pub fn parse(text: &str) -> Result<HttpUrl, UrlError> {
        let text = text.trim();
        let bad = |reason: &str| UrlError::NotAUrl {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        let uri: http::Uri = text
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(s) if s.eq_ignore_ascii_case("https") => {
                return Err(UrlError::Tls {
                    url: text.to_string(),
                });
            }
            Some(_) | None => return Err(bad("the scheme must be http://")),
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("credentials do not belong in the URL"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = authority.port_u16().unwrap_or(80);
        Ok(HttpUrl { uri, host, port })
    }

    /// The host to connect to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (80 when none is given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path and query requested (`/` when none is given).
    pub fn target(&self) -> &str {
        self.uri.path_and_query().map_or("/", |p| p.as_str())
    }

    fn authority(&self) -> &str {
        self.uri.authority().map_or("", |a| a.as_str())
    }
}

impl std::fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.uri.fmt(f)
    }
}

/// How long one exchange may take: to connect, then from the request
/// sent to the whole answer read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the connection.
    pub connect: Duration,
    /// To send the request and read the whole answer.
    pub answer: Duration,
}

/// What a request got back.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header, when there is one.
    pub content_type: Option<String>,
    /// The whole body.
    pub body: Bytes,
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The connection was refused or failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// Where.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// No connection within the connect timeout.
    #[error("no connection to {url} within {after:?}")]
    ConnectTimeout {
        /// Where.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// No whole answer within the answer timeout.
    #[error("no answer from {url} within {after:?}")]
    AnswerTimeout {
        /// Where.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// The answer is larger than the caller takes.
    #[error("the answer from {url} is larger than {limit} bytes")]
    TooLarge {
        /// Where.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The HTTP exchange itself failed (connection closed, bad framing).
    #[error("HTTP exchange with {url} failed: {reason}")]
    Exchange {
        /// Where.
        url: String,
        /// Why.
        reason: String,
    },
}

/// POSTs `body` as `content_type` to `url` on a connection of its own and
/// reads the whole answer (at most `limit` bytes), within `timeouts`.
pub async fn post(
    url: &HttpUrl,
    content_type: &str,
    body: Bytes,
    timeouts: Timeouts,
    limit: usize,
) -> Result<Answer, HttpError> {
    let at = || url.to_string();
    let stream = match tokio::time::timeout(
        timeouts.connect,
        TcpStream::connect((url.host(), url.port())),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(source)) => return Err(HttpError::Connect { url: at(), source }),
        Err(_) => {
            return Err(HttpError::ConnectTimeout {
                url: at(),
                after: timeouts.connect,
            });
        }
    };
    let _ = stream.set_nodelay(true);
    let failed = |e: &dyn std::fmt::Display| HttpError::Exchange {
        url: at(),
        reason: e.to_string(),
    };
    let request = Request::post(url.target())
        .header(http::header::HOST, url.authority())
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Full::new(body))
        .map_err(|e| failed(&e))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| failed(&e))?;
    // The connection is driven beside the exchange and dropped with it:
    // an answer that times out closes the socket.
    let driver = tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "HTTP client connection ended");
        }
    });
    let exchange = async {
        let response = sender.send_request(request).await.map_err(|e| failed(&e))?;
        let (parts, body) = response.into_parts();
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(HttpError::TooLarge { url: at(), limit });
            }
            Err(e) => return Err(failed(&e)),
        };
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Answer {
            status: parts.status,
            content_type,
            body,
        })
    };
    let answered = tokio::time::timeout(timeouts.answer, exchange).await;
    driver.abort();
    match answered {
        Ok(answer) => answer,
        Err(_) => Err(HttpError::AnswerTimeout {
            url: at(),
            after: timeouts.answer,
        }),
    }
}

/// A response with `status`, `content_type` (left out when it is not a
/// valid header value) and `body`.
pub fn respond(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    response
}

/// Serves HTTP/1 on `listener` until `shutdown` completes: each request's
/// body is read whole (a body over `limit` bytes is answered 413 without
/// calling `handler`) and `handler` answers it. `name` names the server in
/// logs. Connections open at shutdown finish on their own.
pub async fn serve<H, F>(
    listener: TcpListener,
    name: &'static str,
    limit: usize,
    handler: H,
    shutdown: impl Future<Output = ()>,
) where
    H: Fn(Request<Bytes>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(server = name, error = %e, "HTTP accept failed");
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                let handler = handler.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let response = match Limited::new(body, limit).collect().await {
                        Ok(body) => handler(Request::from_parts(parts, body.to_bytes())).await,
                        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => respond(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "text/plain",
                            format!("at most {limit} bytes\n"),
                        ),
                        Err(e) => respond(
                            StatusCode::BAD_REQUEST,
                            "text/plain",
                            format!("request body not read: {e}\n"),
                        ),
                    };
                    Ok::<_, Infallible>(response)
                }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(server = name, error = %e, "HTTP connection ended");
            }
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const LIMITS: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        answer: Duration::from_secs(5),
    };

    #[test]
    fn an_http_url_gives_host_port_and_target() {
        let url = HttpUrl::parse(" http://clearinghouse:8080/core/realtime?x=1 ").unwrap();
        assert_eq!(
            (url.host(), url.port(), url.target()),
            ("clearinghouse", 8080, "/core/realtime?x=1")
        );
        let url = HttpUrl::parse("http://[::1]").unwrap();
        assert_eq!((url.host(), url.port(), url.target()), ("::1", 80, "/"));
    }

    #[test]
    fn an_https_url_is_refused_saying_where_tls_is_terminated() {
        let err = HttpUrl::parse("https://payer.example/core").unwrap_err();
        assert!(matches!(err, UrlError::Tls { .. }), "{err:?}");
        assert!(err.to_string().contains("egress proxy or sidecar"), "{err}");
    }

    #[test]
    fn other_schemes_credentials_and_relative_urls_are_refused() {
        for text in [
            "ftp://host/x",
            "/core/realtime",
            "host:8080",
            "http://user:secret@host/x",
            "",
        ] {
            assert!(
                matches!(HttpUrl::parse(text), Err(UrlError::NotAUrl { .. })),
                "{text:?}"
            );
        }
    }

    async fn echo_server() -> (HttpUrl, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(
            listener,
            "echo",
            16,
            |req: Request<Bytes>| async move {
                let body = format!(
                    "{} {}",
                    req.uri().path(),
                    String::from_utf8_lossy(req.body())
                );
                respond(StatusCode::OK, "text/plain", body)
            },
            async move {
                let _ = stopped.await;
            },
        ));
        let url = HttpUrl::parse(&format!("http://{addr}/echo")).unwrap();
        (url, stop)
    }

    #[tokio::test]
    async fn a_post_gets_the_handlers_answer_and_an_oversized_body_gets_413() {
        let (url, _stop) = echo_server().await;
        let answer = post(&url, "text/plain", Bytes::from("hello"), LIMITS, 1024)
            .await
            .unwrap();
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.content_type.as_deref(), Some("text/plain"));
        assert_eq!(&answer.body[..], b"/echo hello");
        let big = post(
            &url,
            "text/plain",
            Bytes::from(vec![b'x'; 17]),
            LIMITS,
            1024,
        )
        .await
        .unwrap();
        assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn an_answer_larger_than_the_caller_takes_is_refused() {
        let (url, _stop) = echo_server().await;
        let err = post(&url, "text/plain", Bytes::from("hello"), LIMITS, 4)
            .await
            .unwrap_err();
        assert!(matches!(err, HttpError::TooLarge { limit: 4, .. }), "{err}");
    }

    #[tokio::test]
    async fn a_refused_connection_fails_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let url = HttpUrl::parse(&format!("http://{addr}/")).unwrap();
        let err = post(&url, "text/plain", Bytes::new(), LIMITS, 1024)
            .await
            .unwrap_err();
        assert!(matches!(err, HttpError::Connect { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Accepts and holds the connection without a word.
        let held = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            std::future::pending::<()>().await;
            drop(socket);
        });
        let url = HttpUrl::parse(&format!("http://{addr}/")).unwrap();
        let quick = Timeouts {
            connect: Duration::from_secs(5),
            answer: Duration::from_millis(200),
        };
        let err = post(&url, "text/plain", Bytes::from("x"), quick, 1024)
            .await
            .unwrap_err();
        assert!(
            matches!(err, HttpError::AnswerTimeout { after, .. } if after == quick.answer),
            "{err}"
        );
        held.abort();
    }
}
