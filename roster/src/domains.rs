//! How `roster serve` verifies domains: the resolver and free-mail list from its flags, and the
//! background check of pending domains.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use command_service::app::domains::{self, DomainSettings, Schedule};
use command_service::dns::Dns;
use domain::values::DomainName;

/// A free-mail list is a short text file; anything bigger is refused, not read into memory.
const MAX_LIST_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum DomainsError {
    #[error("cannot read the free-mail list {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the free-mail list {path} is larger than 1 MiB")]
    TooLarge { path: String },
    #[error("the free-mail list {path}, line {line}: {reason}")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

/// The settings `--dns-server` and `--free-mail-domains` give (the system's resolver and the
/// built-in list without them).
pub fn settings(
    dns_servers: &[std::net::SocketAddr],
    free_mail: Option<&Path>,
) -> Result<DomainSettings, DomainsError> {
    let mut settings = DomainSettings::system();
    if !dns_servers.is_empty() {
        settings.dns = Dns::servers(dns_servers);
    }
    if let Some(path) = free_mail {
        settings.free_mail = Arc::new(read_list(path)?);
    }
    Ok(settings)
}

/// One domain per line; blank lines and `#` comments skipped; each parsed like an API input.
fn read_list(path: &Path) -> Result<BTreeSet<DomainName>, DomainsError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| DomainsError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| DomainsError::Read {
            path: shown.clone(),
            source,
        })?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(DomainsError::TooLarge { path: shown });
    }
    let text = String::from_utf8(bytes).map_err(|_| DomainsError::Line {
        path: shown.clone(),
        line: 1,
        reason: "the file is not UTF-8 text".into(),
    })?;
    let mut list = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or_default().trim();
        if entry.is_empty() {
            continue;
        }
        let domain = DomainName::parse(entry).map_err(|e| DomainsError::Line {
            path: shown.clone(),
            line: n + 1,
            reason: e.0,
        })?;
        list.insert(domain);
    }
    Ok(list)
}

/// Checks pending domains every `every` (verifying those whose record appeared, expiring those
/// past their window), until the pool closes.
pub async fn check_pending(state: Arc<command_service::CommandState>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let closed = state.pool.close_event();
    tokio::pin!(closed);
    let mut schedule = Schedule::default();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut closed => return,
        }
        match domains::check_pending(&state, &mut schedule, chrono::Utc::now()).await {
            Ok(done) if done.verified + done.expired > 0 => {
                tracing::info!(
                    verified = done.verified,
                    expired = done.expired,
                    "domains checked"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "domain check failed; will retry"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_mail_list_is_parsed_line_by_line_and_a_bad_line_is_named() {
        let dir = std::env::temp_dir().join(format!("roster-free-mail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.txt");
        std::fs::write(&good, "# mine\nMail.Example.\n\nexample.org  # trailing\n").unwrap();
        let list = read_list(&good).unwrap();
        let names: Vec<&str> = list.iter().map(DomainName::as_str).collect();
        assert_eq!(names, ["example.org", "mail.example"]);
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "example.org\nco.uk\n").unwrap();
        let e = read_list(&bad).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("public suffix"), "{e}");
        let big = dir.join("big.txt");
        std::fs::write(&big, vec![b'a'; (MAX_LIST_BYTES + 1) as usize]).unwrap();
        assert!(matches!(
            read_list(&big),
            Err(DomainsError::TooLarge { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
