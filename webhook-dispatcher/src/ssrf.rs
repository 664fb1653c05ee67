//! The SSRF guard: webhook URLs may only reach public addresses, unless an operator allows
//! networks explicitly. Checked when an endpoint is saved and again at every delivery, inside the
//! resolver the HTTP client connects with, so a DNS answer that changes after the check (DNS
//! rebinding) cannot reach an internal address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Networks allowed even though they are not public (tests allow 127.0.0.0/8).
    pub allow: Vec<IpNet>,
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    // Forms that carry an IPv4 address: judge that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let s = ip.segments();
    let embedded = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return public_v4(embedded); // IPv4-compatible (deprecated)
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return public_v4(embedded); // NAT64
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || s[0] == 0x2001 && s[1] == 0x0db8) // documentation
}

impl AddressPolicy {
    pub fn permits(&self, ip: IpAddr) -> bool {
        if self.allow.iter().any(|net| net.contains(&ip)) {
            return true;
        }
        match ip {
            IpAddr::V4(v4) => public_v4(v4),
            IpAddr::V6(v6) => public_v6(v6),
        }
    }

    /// Checks a URL's form (http or https, a host) and, for an IP literal, its address.
    pub fn check_url(&self, raw: &str) -> Result<Url, UrlProblem> {
        let url = Url::parse(raw).map_err(|e| UrlProblem::Invalid(format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlProblem::Invalid(
                "the scheme must be http or https".into(),
            ));
        }
        match url.host() {
            None => return Err(UrlProblem::Invalid("the URL has no host".into())),
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip))?,
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip))?,
            Some(url::Host::Domain(_)) => {}
        }
        Ok(url)
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), UrlProblem> {
        if self.permits(ip) {
            Ok(())
        } else {
            Err(UrlProblem::Disallowed(format!(
                "{ip} is not a public address (loopback, private, link-local, multicast or \
                 unspecified) and is not in the allowed networks"
            )))
        }
    }

    /// Checks the URL and every address its host resolves to now.
    pub async fn check_url_resolving(&self, raw: &str) -> Result<Url, UrlProblem> {
        let url = self.check_url(raw)?;
        if let Some(url::Host::Domain(host)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| UrlProblem::Disallowed(format!("`{host}` does not resolve: {e}")))?
                .collect();
            for a in &addrs {
                self.check_ip(a.ip())?;
            }
        }
        Ok(url)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an http(s) URL.
    Invalid(String),
    /// A well-formed URL that leads to an address we refuse.
    Disallowed(String),
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(m) | Self::Disallowed(m) => f.write_str(m),
        }
    }
}

/// The HTTP client's resolver: hands out only permitted addresses.
pub struct GuardedResolver(pub Arc<AddressPolicy>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> =
                all.into_iter().filter(|a| policy.permits(a.ip())).collect();
            if permitted.is_empty() {
                return Err(format!("`{host}` resolves to no permitted address").into());
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        !AddressPolicy::default().permits(ip.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_refused_in_every_form() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(ip), "{ip} is public");
        }
    }

    #[test]
    fn an_allowlist_opens_exactly_its_networks() {
        let policy = AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
        };
        assert!(policy.permits("127.0.0.1".parse().unwrap()));
        assert!(!policy.permits("10.0.0.1".parse().unwrap()));
        assert!(!policy.permits("::1".parse().unwrap()));
    }

    #[test]
    fn urls_need_http_and_a_permitted_literal() {
        let p = AddressPolicy::default();
        assert!(matches!(
            p.check_url("ftp://example.com/"),
            Err(UrlProblem::Invalid(_))
        ));
        assert!(matches!(
            p.check_url("not a url"),
            Err(UrlProblem::Invalid(_))
        ));
        assert!(matches!(
            p.check_url("http://127.0.0.1:8080/hook"),
            Err(UrlProblem::Disallowed(_))
        ));
        assert!(matches!(
            p.check_url("http://[::ffff:7f00:1]/hook"),
            Err(UrlProblem::Disallowed(_))
        ));
        assert!(p.check_url("https://example.com/hook").is_ok());
    }
}
