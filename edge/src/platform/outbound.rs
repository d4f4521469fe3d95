//! Where the edge may send its own requests (webhook deliveries, copies of imported photos):
//! never to its own network, and only over https outside the tests.

use memnun_protocol::text::FieldProblem;
use worker::Env;

/// Whether the tests' receivers on 127.0.0.1 may be sent to (`WEBHOOK_LOOPBACK_ALLOWED =
/// "true"` in `wrangler.toml [env.test]` only).
pub fn loopback_allowed(env: &Env) -> bool {
    env.var("WEBHOOK_LOOPBACK_ALLOWED")
        .is_ok_and(|v| v.to_string() == "true")
}

/// Why the edge will not send to `url`, read the way `fetch` will read it (WHATWG: so
/// `http://2130706433/` and `http://0x7f.1/` are 127.0.0.1), or `None` if it may. A key holder
/// must not point deliveries at the edge's own network: `localhost`, loopback, private,
/// link-local (cloud metadata at 169.254.169.254), shared and unspecified addresses, and their
/// IPv6 forms. A credential in the URL would sit in the merchant's settings in clear and be sent
/// with every delivery. A public name that resolves to a private address is not caught here:
/// Cloudflare's runtime cannot reach private networks from `fetch` in production.
pub fn problem(url: &str, loopback_allowed: bool) -> Option<FieldProblem> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let Ok(parsed) = worker::Url::parse(url) else {
        return Some(FieldProblem::NotAUrl);
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(FieldProblem::NotAUrl);
    }
    // Events carry shoppers' orders and answers: never in clear over the internet. Only the
    // tests' own receivers on 127.0.0.1 speak plain http.
    if parsed.scheme() != "https" && !loopback_allowed {
        return Some(FieldProblem::NotHttps);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(FieldProblem::NotPublic);
    }
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let ip: Option<IpAddr> = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(|a| match embedded_ipv4(a) {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(a),
        }),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    };
    let internal = match ip {
        // The tests' exception is for 127.0.0.1 written so: its other spellings stay refused, so
        // that the tests see them refused as production does.
        Some(IpAddr::V4(a)) if a.is_loopback() => {
            let literal =
                url.starts_with("http://127.0.0.1:") || url.starts_with("http://127.0.0.1/");
            !(loopback_allowed && a == Ipv4Addr::LOCALHOST && literal)
        }
        Some(IpAddr::V4(a)) => {
            let [first, second, ..] = a.octets();
            a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || first == 0
                // Shared address space (RFC 6598), the carrier-grade NAT inside networks.
                || (first == 100 && (64..128).contains(&second))
                // IETF protocol assignments (192.0.0.0/24), benchmarking networks
                // (198.18.0.0/15) and the reserved 240.0.0.0/4: never a merchant's server.
                || (first == 192 && second == 0 && a.octets()[2] == 0)
                || (first == 198 && (second & 0xfe) == 18)
                || first >= 240
                // Documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
                || matches!(a.octets(), [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _])
        }
        Some(IpAddr::V6(a)) => {
            let [first, second, third, ..] = a.segments();
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // Local-use NAT64 (64:ff9b:1::/48): translated inside a network, never public.
                || (first == 0x64 && second == 0xff9b && third == 1)
                // Teredo (2001::/32), whose server and client addresses are hidden in it, and
                // documentation (2001:db8::/32) and discard-only (100::/64) addresses.
                || (first == 0x2001 && (second == 0 || second == 0xdb8))
                // Benchmarking (2001:2::/48) and the newer documentation range (3fff::/20).
                || (first == 0x2001 && second == 2 && third == 0)
                || (first == 0x3fff && second < 0x1000)
                || (first == 0x100 && a.segments()[1..4] == [0; 3])
        }
        None => {
            let name = host.trim_end_matches('.');
            name == "localhost"
                || [".localhost", ".local", ".internal", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
                || !name.contains('.')
        }
    };
    internal.then_some(FieldProblem::NotPublic)
}

/// The IPv4 address an IPv6 address stands for, where it stands for one: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated but still routed by some
/// stacks), NAT64 (`64:ff9b::/96`) and 6to4 (`2002:a.b.c.d::/48`): each reaches the IPv4
/// address it holds, so each is judged as that address.
fn embedded_ipv4(a: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = a.segments();
    let v4 = |high: u16, low: u16| {
        std::net::Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    if let Some(v4) = a.to_ipv4_mapped() {
        Some(v4)
    } else if s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0 {
        // IPv4-translated (`::ffff:0:a.b.c.d`, RFC 2765).
        Some(v4(s[6], s[7]))
    } else if (s[..6] == [0; 6] && !a.is_loopback() && !a.is_unspecified())
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4])
    {
        Some(v4(s[6], s[7]))
    } else if s[0] == 0x2002 {
        Some(v4(s[1], s[2]))
    } else {
        None
    }
}
