//! A real DNS server on a loopback port (UDP, and TCP for answers too big for a datagram),
//! answering TXT queries from records a test publishes and takes down while it runs. It speaks
//! the protocol through hickory-proto, the resolver's own wire format, so the app's resolver is
//! exercised as it is against any server. It can also stay silent (a server that never answers).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// Answers bigger than this go over TCP (the resolver retries there when told to).
const UDP_MAX: usize = 1232;

#[derive(Default)]
struct Zone {
    /// TXT records by lower-case name without the trailing dot.
    txt: HashMap<String, Vec<String>>,
    silent: bool,
    /// Queries received, by name.
    asked: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct DnsServer {
    pub addr: SocketAddr,
    zone: Arc<Mutex<Zone>>,
}

impl DnsServer {
    pub async fn start() -> Self {
        // UDP and TCP on one port: a free UDP port whose TCP twin is free too.
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        let zone = Arc::new(Mutex::new(Zone::default()));
        let udp = Arc::new(udp);
        tokio::spawn({
            let zone = zone.clone();
            async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    let Ok((n, from)) = udp.recv_from(&mut buf).await else {
                        return;
                    };
                    if let Some(answer) = answer(&zone, &buf[..n], Some(UDP_MAX)) {
                        let _ = udp.send_to(&answer, from).await;
                    }
                }
            }
        });
        tokio::spawn({
            let zone = zone.clone();
            async move {
                while let Ok((mut stream, _)) = tcp.accept().await {
                    let zone = zone.clone();
                    tokio::spawn(async move {
                        let mut len = [0u8; 2];
                        while stream.read_exact(&mut len).await.is_ok() {
                            let mut query = vec![0u8; u16::from_be_bytes(len) as usize];
                            if stream.read_exact(&mut query).await.is_err() {
                                return;
                            }
                            let Some(answer) = answer(&zone, &query, None) else {
                                continue;
                            };
                            // A DNS message over TCP is at most 65,535 bytes.
                            assert!(answer.len() <= usize::from(u16::MAX), "publish less");
                            let mut framed = (answer.len() as u16).to_be_bytes().to_vec();
                            framed.extend(answer);
                            if stream.write_all(&framed).await.is_err() {
                                return;
                            }
                        }
                    });
                }
            }
        });
        Self { addr, zone }
    }

    /// Adds a TXT record (one string) at `name`.
    pub fn publish(&self, name: &str, value: &str) {
        let mut zone = self.zone.lock().unwrap();
        zone.txt
            .entry(name.to_lowercase())
            .or_default()
            .push(value.to_owned());
    }

    /// Takes every record at `name` down.
    pub fn unpublish(&self, name: &str) {
        self.zone.lock().unwrap().txt.remove(&name.to_lowercase());
    }

    /// From now on, queries get no answer at all.
    pub fn silence(&self) {
        self.zone.lock().unwrap().silent = true;
    }

    /// How many queries for `name` arrived.
    pub fn asked(&self, name: &str) -> usize {
        let zone = self.zone.lock().unwrap();
        zone.asked.get(&name.to_lowercase()).copied().unwrap_or(0)
    }
}

/// The answer to `query` (`None`: stay silent); over UDP (`limit`), one too big is sent
/// truncated and empty so the client asks again over TCP.
fn answer(zone: &Mutex<Zone>, query: &[u8], limit: Option<usize>) -> Option<Vec<u8>> {
    let request = Message::from_vec(query).ok()?;
    let mut zone = zone.lock().unwrap();
    if zone.silent {
        return None;
    }
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.authoritative = true;
    let Some(question) = request.queries.first().cloned() else {
        response.metadata.response_code = ResponseCode::FormErr;
        return response.to_vec().ok();
    };
    let name = question
        .name
        .to_string()
        .trim_end_matches('.')
        .to_lowercase();
    *zone.asked.entry(name.clone()).or_default() += 1;
    response.add_query(question.clone());
    let records = zone.txt.get(&name).cloned().unwrap_or_default();
    if question.query_type == RecordType::TXT && !records.is_empty() {
        for value in records {
            response.add_answer(Record::from_rdata(
                question.name.clone(),
                0,
                RData::TXT(TXT::new(vec![value])),
            ));
        }
    } else if records.is_empty() {
        response.metadata.response_code = ResponseCode::NXDomain;
    }
    drop(zone);
    let bytes = response.to_vec().ok()?;
    match limit {
        Some(max) if bytes.len() > max => {
            let mut truncated = Message::new(
                request.metadata.id,
                MessageType::Response,
                request.metadata.op_code,
            );
            truncated.metadata.truncation = true;
            truncated.metadata.recursion_available = true;
            truncated.add_query(question);
            truncated.to_vec().ok()
        }
        _ => Some(bytes),
    }
}
