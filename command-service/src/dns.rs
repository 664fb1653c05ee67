//! The one DNS look-up roster makes: a domain's verification TXT records, through one resolver
//! (the system's, or the name servers the deployment names). Its answers are hostile input: each
//! look-up is bounded in time, only the first records are read, and nothing is cached (a record
//! just published must be seen by the next check).

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

/// How long one look-up may take, retries included.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Records read from one answer (a name may carry many; the token is among the first).
const MAX_RECORDS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    #[error("the DNS server did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the DNS look-up failed: {0}")]
    Failed(String),
    #[error("no DNS resolver is configured: {0}")]
    Unconfigured(String),
}

/// The resolver the domain checks use; cheap to clone.
#[derive(Clone)]
pub struct Dns {
    resolver: Result<TokioResolver, String>,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns")
            .field("configured", &self.resolver.is_ok())
            .finish()
    }
}

impl Dns {
    /// The system's resolver (`/etc/resolv.conf`); if it cannot be read, look-ups say why.
    pub fn system() -> Self {
        let resolver = TokioResolver::builder_tokio()
            .map(|mut b| {
                bounded(b.options_mut());
                b.build()
            })
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        Self { resolver }
    }

    /// A resolver asking exactly `servers` (UDP, then TCP for truncated answers).
    pub fn servers(servers: &[SocketAddr]) -> Self {
        let name_servers = servers
            .iter()
            .map(|s| {
                let mut udp = ConnectionConfig::udp();
                udp.port = s.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = s.port();
                NameServerConfig::new(s.ip(), true, vec![udp, tcp])
            })
            .collect();
        let mut builder = TokioResolver::builder_with_config(
            ResolverConfig::from_parts(None, Vec::new(), name_servers),
            TokioRuntimeProvider::default(),
        );
        bounded(builder.options_mut());
        Self {
            resolver: builder.build().map_err(|e| e.to_string()),
        }
    }

    /// The TXT records at `name` (each record's strings joined, as RFC 7208 reads them); none
    /// when the name has no TXT record.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        let resolver = self
            .resolver
            .as_ref()
            .map_err(|e| DnsError::Unconfigured(e.clone()))?;
        // Fully qualified: no search domains appended.
        let fqdn = format!("{name}.");
        let lookup = match tokio::time::timeout(LOOKUP_TIMEOUT, resolver.txt_lookup(fqdn)).await {
            Err(_) => return Err(DnsError::Timeout(LOOKUP_TIMEOUT)),
            Ok(Err(e)) if e.is_no_records_found() => return Ok(Vec::new()),
            Ok(Err(e)) => return Err(DnsError::Failed(e.to_string())),
            Ok(Ok(lookup)) => lookup,
        };
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .take(MAX_RECORDS)
            .collect())
    }
}

/// Short timeouts, few attempts, no cache: a check answers within seconds and sees a record as
/// soon as it is published.
fn bounded(options: &mut ResolverOpts) {
    options.timeout = Duration::from_secs(2);
    options.attempts = 2;
    options.cache_size = 0;
    options.positive_max_ttl = Some(Duration::ZERO);
    options.negative_max_ttl = Some(Duration::ZERO);
}
