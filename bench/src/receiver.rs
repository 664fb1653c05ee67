//! A webhook receiver on a free loopback port: reads each whole body, answers 204, and counts
//! what it received — a run ends when the last request arrived, without asking the database
//! over and over while the dispatcher works.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpResponse, HttpServer};

use crate::BenchError;

pub(crate) struct Receiver {
    /// Where to send: `http://127.0.0.1:<port>/hook`.
    pub url: String,
    received: Arc<AtomicUsize>,
    handle: ServerHandle,
}

impl Receiver {
    pub fn start() -> Result<Self, BenchError> {
        let task = |e: std::io::Error| BenchError::Task(e.to_string());
        let listener = TcpListener::bind("127.0.0.1:0").map_err(task)?;
        let url = format!("http://{}/hook", listener.local_addr().map_err(task)?);
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        let server = HttpServer::new(move || {
            let counter = counter.clone();
            App::new().default_service(web::to(move |_body: web::Bytes| {
                counter.fetch_add(1, Ordering::Relaxed);
                async { HttpResponse::NoContent().finish() }
            }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .map_err(task)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self {
            url,
            received,
            handle,
        })
    }

    /// Requests received so far.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::Relaxed)
    }

    /// Waits until `count` requests were received in all, at most `within`: whether they were.
    pub async fn wait_for(&self, count: usize, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.received() < count {
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}
