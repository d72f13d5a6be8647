//! Where webhooks may connect: public addresses, and what the operator allows.
//!
//! A tenant admin chooses the URL of a webhook, so without a rule the host
//! would post to its own loopback, the private network it sits in, or a
//! cloud's metadata service on the tenant's behalf. The rule is applied when
//! the connection is made, to the addresses the name resolves to at that
//! moment, so a name that answered with a public address when the webhook
//! was saved and a private one now (DNS rebinding) is refused too.
//!
//! `AFTERSALE_WEBHOOK_ALLOW` lists what the operator permits besides public
//! addresses: CIDRs (`10.20.0.0/16`), single addresses (`127.0.0.1`) or host
//! names (`hooks.internal`), separated by commas or spaces.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use ipnet::IpNet;

/// The addresses webhooks may reach besides public ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Egress {
    nets: Vec<IpNet>,
    hosts: Vec<String>,
}

impl Egress {
    /// Parse an allow-list: CIDRs, addresses or host names separated by
    /// commas or whitespace.
    pub fn parse(list: &str) -> Result<Egress, String> {
        let mut egress = Egress::default();
        for entry in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            if let Ok(net) = entry.parse::<IpNet>() {
                egress.nets.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                egress.nets.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                egress.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "`{entry}` is neither a CIDR, an address nor a host name"
                ));
            }
        }
        Ok(egress)
    }

    /// The allow-list in `AFTERSALE_WEBHOOK_ALLOW`; empty when unset.
    pub fn from_env() -> Result<Egress, String> {
        match std::env::var("AFTERSALE_WEBHOOK_ALLOW") {
            Ok(list) => Egress::parse(&list).map_err(|e| format!("AFTERSALE_WEBHOOK_ALLOW: {e}")),
            Err(_) => Ok(Egress::default()),
        }
    }

    /// Whether a webhook addressed to `host` may connect to `ip`.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        is_public(ip)
            || self.nets.iter().any(|net| net.contains(&ip))
            || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

fn is_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `ip` is on the public internet: not loopback, private, shared,
/// link-local (which holds the cloud metadata service), multicast, or any
/// other special-purpose range, including IPv4 addresses dressed as IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local, fec0::/10
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)) // documentation
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (b & 0xc0) == 64) // shared address space, 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking, 198.18.0.0/15
        || a >= 240) // reserved
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 address.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let compatible = s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1);
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (mapped || compatible || nat64).then_some(tail)
}

/// The refusal a connection attempt ends with; the worker shows tenants
/// this and nothing of the socket.
#[derive(Debug)]
pub struct Refused {
    pub host: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not a public address", self.host)
    }
}

impl StdError for Refused {}

impl Refused {
    /// The refusal somewhere in an error's chain of causes.
    pub fn find<'a>(mut error: &'a (dyn StdError + 'static)) -> Option<&'a Refused> {
        loop {
            if let Some(refused) = error.downcast_ref::<Refused>() {
                return Some(refused);
            }
            if let Some(inner) = error
                .downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<Refused>())
            {
                return Some(inner);
            }
            error = error.source()?;
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Resolves a webhook's host name and keeps only the addresses it may reach.
#[derive(Debug, Clone)]
pub struct Resolver {
    egress: Arc<Egress>,
}

impl tower::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = BoxFuture<io::Result<Self::Response>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let egress = self.egress.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| egress.permits(&host, addr.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(io::Error::other(Refused { host }));
            }
            Ok(allowed.into_iter())
        })
    }
}

/// A TCP connector that refuses what [`Egress`] does not permit: host names
/// through its [`Resolver`], address literals (which skip resolution) here.
#[derive(Debug, Clone)]
pub struct Connector {
    egress: Arc<Egress>,
    inner: HttpConnector<Resolver>,
}

impl Connector {
    pub fn new(egress: Egress) -> Connector {
        let egress = Arc::new(egress);
        let mut inner = HttpConnector::new_with_resolver(Resolver {
            egress: egress.clone(),
        });
        // TLS is layered on top of this connector.
        inner.enforce_http(false);
        Connector { egress, inner }
    }
}

impl tower::Service<Uri> for Connector {
    type Response = <HttpConnector<Resolver> as tower::Service<Uri>>::Response;
    type Error = Box<dyn StdError + Send + Sync>;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let host = uri.host().unwrap_or_default();
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        if let Ok(ip) = literal
            && !self.egress.permits(host, ip)
        {
            let refused = Refused {
                host: host.to_string(),
            };
            return Box::pin(async move { Err(refused.into()) });
        }
        let connecting = self.inner.call(uri);
        Box::pin(async move { connecting.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(private)), "{private} is not public");
        }
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn the_allow_list_takes_cidrs_addresses_and_names() {
        let egress = Egress::parse("10.20.0.0/16, 127.0.0.1 hooks.internal").unwrap();
        assert!(egress.permits("x", ip("10.20.3.4")));
        assert!(!egress.permits("x", ip("10.21.3.4")));
        assert!(egress.permits("localhost", ip("127.0.0.1")));
        assert!(!egress.permits("localhost", ip("127.0.0.2")));
        assert!(egress.permits("HOOKS.internal", ip("192.168.0.9")));
        assert!(egress.permits("example.com", ip("1.1.1.1")));
        assert!(Egress::parse("").unwrap() == Egress::default());
        let bad = Egress::parse("10.0.0.0/33").unwrap_err();
        assert!(bad.contains("10.0.0.0/33"), "{bad}");
    }

    #[tokio::test]
    async fn a_connection_to_loopback_is_refused_before_any_socket_opens() {
        use tower::Service;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://localhost:{port}/"),
        ] {
            let mut connector = Connector::new(Egress::default());
            let error = connector.call(url.parse().unwrap()).await.unwrap_err();
            let refused = Refused::find(&*error).unwrap_or_else(|| panic!("refused: {error:?}"));
            assert!(refused.to_string().contains("not a public address"));
        }
        let accepting = tokio::spawn(async move { listener.accept().await.is_ok() });
        let mut allowed = Connector::new(Egress::parse("127.0.0.0/8").unwrap());
        allowed
            .call(format!("http://127.0.0.1:{port}/").parse().unwrap())
            .await
            .expect("an allowed address connects");
        assert!(accepting.await.unwrap());
    }
}
