//! A real HTTP receiver on loopback for webhook tests, with an independent implementation of the
//! Standard Webhooks verification (not the dispatcher's code), and replies chosen per request:
//! success, failure, 429 with Retry-After, 410, hanging, slow-drip, huge, non-UTF-8, redirects,
//! and any bytes at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Whether one of the `v1,` signatures verifies under `secret` (and the timestamp is fresh).
    pub fn verifies(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let id = self.header("webhook-id");
        let ts = self.header("webhook-timestamp");
        let fresh = ts
            .parse::<i64>()
            .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(&self.body);
        let expected = STANDARD.encode(mac.finalize().into_bytes());
        fresh
            && self
                .header("webhook-signature")
                .split(' ')
                .filter_map(|s| s.strip_prefix("v1,"))
                .any(|sig| sig == expected)
    }

    pub fn signatures(&self) -> usize {
        self.header("webhook-signature").split(' ').count()
    }
}

/// What the receiver answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    /// 429 with `Retry-After: secs`.
    TooMany(u64),
    /// Never answers (the dispatcher must time out).
    Hang,
    /// 200 headers, then a byte every 100 ms, forever.
    SlowDrip,
    /// 200 with a body of this many bytes.
    Huge(usize),
    /// 200 with bytes that are not UTF-8.
    NonUtf8,
    /// 302 to this location.
    Redirect(String),
    /// 200, after this long.
    Slow(Duration),
    /// These bytes as they are (head and body, well-formed or not), then the connection closes.
    Raw(Vec<u8>),
}

type Behaviour = Arc<dyn Fn(usize) -> Reply + Send + Sync>;

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    arrived: Arc<Notify>,
    /// Connections accepted so far.
    connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl Receiver {
    /// A receiver that answers 200 to everything.
    pub async fn start() -> Self {
        Self::with(|_| Reply::Status(200)).await
    }

    /// A receiver whose n-th request (from 0) gets `reply(n)`.
    pub async fn with(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            received: Arc::default(),
            behaviour: Arc::new(Mutex::new(Arc::new(reply))),
            arrived: Arc::new(Notify::new()),
            connections: Arc::default(),
        };
        let r = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                r.connections
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let r = r.clone();
                tokio::spawn(async move { r.serve(stream).await });
            }
        });
        receiver
    }

    /// How many connections were opened to it so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Changes how later requests are answered.
    pub fn set(&self, reply: impl Fn(usize) -> Reply + Send + Sync + 'static) {
        *self.behaviour.lock().unwrap() = Arc::new(reply);
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Waits until `done(received)` holds (or panics after `limit`).
    pub async fn until(
        &self,
        limit: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.arrived.notified();
            {
                let all = self.received.lock().unwrap();
                if done(&all) {
                    return all.clone();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "receiver {}: condition not met in time",
                self.url
            );
            let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), notified).await;
        }
    }

    pub async fn until_count(&self, n: usize, limit: Duration) -> Vec<Received> {
        self.until(limit, |r| r.len() >= n).await
    }

    async fn serve(&self, mut stream: TcpStream) {
        loop {
            let Some(request) = read_request(&mut stream).await else {
                return;
            };
            let n = {
                let mut all = self.received.lock().unwrap();
                all.push(request);
                all.len() - 1
            };
            self.arrived.notify_waiters();
            let reply = (self.behaviour.lock().unwrap().clone())(n);
            if !respond(&mut stream, reply).await {
                return;
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = buf[header_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        headers,
        body,
        at: Instant::now(),
    })
}

/// Writes the reply; false when the connection must close.
async fn respond(stream: &mut TcpStream, reply: Reply) -> bool {
    let simple = |status: u16, extra: &str, body: &[u8]| {
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n{extra}\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    };
    let bytes = match reply {
        Reply::Status(s) => simple(s, "", format!("status {s}").as_bytes()),
        Reply::TooMany(secs) => simple(429, &format!("retry-after: {secs}\r\n"), b"slow down"),
        Reply::Huge(n) => {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {n}\r\n\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let block = vec![b'x'; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(block.len());
                if stream.write_all(&block[..k]).await.is_err() {
                    return false; // the dispatcher stopped reading: fine
                }
                left -= k;
            }
            return true;
        }
        Reply::NonUtf8 => simple(200, "", &[0xff, 0xfe, b'o', b'k', 0xc3]),
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            return false;
        }
        Reply::Redirect(to) => simple(302, &format!("location: {to}\r\n"), b""),
        Reply::Slow(delay) => {
            tokio::time::sleep(delay).await;
            simple(200, "", b"ok")
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return false;
        }
        Reply::SlowDrip => {
            let head = "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(b".").await.is_err() {
                    return false;
                }
            }
        }
    };
    stream.write_all(&bytes).await.is_ok()
}
