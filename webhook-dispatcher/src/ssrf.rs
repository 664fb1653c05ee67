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

/// IPv4 networks that are not the public internet (RFC 6890 and its successors).
const NOT_PUBLIC_V4: [&str; 16] = [
    "0.0.0.0/8",          // "this network"
    "10.0.0.0/8",         // private
    "100.64.0.0/10",      // shared address space (CGNAT)
    "127.0.0.0/8",        // loopback
    "169.254.0.0/16",     // link-local (cloud metadata)
    "172.16.0.0/12",      // private
    "192.0.0.0/24",       // IETF protocol assignments
    "192.0.2.0/24",       // documentation
    "192.88.99.0/24",     // 6to4 relay anycast
    "192.168.0.0/16",     // private
    "198.18.0.0/15",      // benchmarking
    "198.51.100.0/24",    // documentation
    "203.0.113.0/24",     // documentation
    "224.0.0.0/4",        // multicast
    "240.0.0.0/4",        // reserved, broadcast
    "255.255.255.255/32", // broadcast
];

/// IPv6 networks that are not the public internet (those that embed an IPv4 address are judged
/// by that address instead, below).
const NOT_PUBLIC_V6: [&str; 10] = [
    "::/128",         // unspecified
    "::1/128",        // loopback
    "64:ff9b:1::/48", // local-use NAT64
    "100::/64",       // discard-only
    "2001:2::/48",    // benchmarking
    "2001:db8::/32",  // documentation
    "fc00::/7",       // unique local
    "fe80::/10",      // link-local
    "fec0::/10",      // site-local (deprecated)
    "ff00::/8",       // multicast
];

fn listed(ip: IpAddr, nets: &[&str]) -> bool {
    nets.iter()
        .filter_map(|n| n.parse::<IpNet>().ok())
        .any(|net| net.contains(&ip))
}

fn public_v4(ip: Ipv4Addr) -> bool {
    !listed(IpAddr::V4(ip), &NOT_PUBLIC_V4)
}

/// The IPv4 address an IPv6 address carries, in the forms that route to it: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4
/// (`2002:AABB:CCDD::`) and Teredo (`2001:0::`, client address inverted in the last 32 bits).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(v4(hi, lo)),
        [0, 0, 0, 0, 0, 0, hi, lo] if !ip.is_loopback() && !ip.is_unspecified() => Some(v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        [0x2001, 0, _, _, _, _, hi, lo] => Some(v4(!hi, !lo)),
        _ => None,
    }
}

fn public_v6(ip: Ipv6Addr) -> bool {
    match embedded_v4(ip) {
        Some(v4) => public_v4(v4),
        None => !listed(IpAddr::V6(ip), &NOT_PUBLIC_V6),
    }
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
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::8.8.8.8",
            "198.18.0.1",
            "198.19.255.254",
            "192.0.0.8",
            "100.127.255.255",
            "2002:7f00:1::",     // 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
            "2002:c0a8:101::",   // 6to4 of 192.168.1.1
            "::10.0.0.1",        // IPv4-compatible
            "::169.254.169.254",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
            "2001:2::1",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "100.128.0.1",
            "198.20.0.1",
            "2002:808:808::1",  // 6to4 of 8.8.8.8
            "64:ff9b::8.8.8.8", // NAT64 of 8.8.8.8
            "::8.8.8.8",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo, client 8.8.8.8
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
