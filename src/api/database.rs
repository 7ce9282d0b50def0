//! WinSock's database calls over the `protocol` and `services` files of
//! `%SystemRoot%\System32\drivers\etc`: `getprotobyname`, `getprotobynumber`,
//! `getservbyname`, `getservbyport` (the trait methods are on [`Resolve`](super::Resolve)),
//! and the service names `getaddrinfo` and `getnameinfo` read.
//!
//! The simulator answers from Windows' default files, held as tables: the `protocol` file
//! (19 lines, here, which Wine's protocol.c `test_getprotobynumber` pins by asking every
//! number from -1 to 256) and the `services` file (276 lines, Windows 10's, in
//! `services_file.rs`), whole, followed by the lines a simulated host's
//! administrator added (`HostHandle::add_service`). Lookups
//! follow ws2_32: names, aliases and protocols compare without case, the first matching line
//! wins (so `getservbyname("domain", None)` is 53/tcp), and a name or number not in the file
//! fails with WSANO_DATA (as Wine's ws2_32 sets it; no Windows test records the code).

pub(crate) use super::services_file::Transport;
use super::services_file::{ServiceLine, SERVICES};

/// A PROTOENT from `getprotobyname` / `getprotobynumber`: the structure's pointers as owned
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protoent {
    /// p_name: the protocol's official name (`"tcp"`).
    pub name: String,
    /// p_aliases: its other names (`["TCP"]`).
    pub aliases: Vec<String>,
    /// p_proto: its number (`IPPROTO_TCP`, 6).
    pub proto: i16,
}

/// A SERVENT from `getservbyname` / `getservbyport`: the structure's pointers as owned
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Servent {
    /// s_name: the service's official name (`"http"`).
    pub name: String,
    /// s_aliases: its other names (`["www", "www-http"]`).
    pub aliases: Vec<String>,
    /// s_port: its port, in host byte order here (the C structure holds it in network order:
    /// `ntohs(s_port)` is this value).
    pub port: u16,
    /// s_proto: the protocol of the line that matched (`"tcp"` or `"udp"`).
    pub proto: String,
}

/// One line of the `protocol` file: name, number, aliases.
type ProtocolLine = (&'static str, i16, &'static [&'static str]);

/// Windows' `protocol` file, in its order.
const PROTOCOLS: &[ProtocolLine] = &[
    ("ip", 0, &["IP"]),
    ("icmp", 1, &["ICMP"]),
    ("ggp", 3, &["GGP"]),
    ("tcp", 6, &["TCP"]),
    ("egp", 8, &["EGP"]),
    ("pup", 12, &["PUP"]),
    ("udp", 17, &["UDP"]),
    ("hmp", 20, &["HMP"]),
    ("xns-idp", 22, &["XNS-IDP"]),
    ("rdp", 27, &["RDP"]),
    ("ipv6", 41, &["IPv6"]),
    ("ipv6-route", 43, &["IPv6-Route"]),
    ("ipv6-frag", 44, &["IPv6-Frag"]),
    ("esp", 50, &["ESP"]),
    ("ah", 51, &["AH"]),
    ("ipv6-icmp", 58, &["IPv6-ICMP"]),
    ("ipv6-nonxt", 59, &["IPv6-NoNxt"]),
    ("ipv6-opts", 60, &["IPv6-Opts"]),
    ("rvd", 66, &["RVD"]),
];

/// The C string a callee reads from `s`: the text before its first NUL (the calls take C
/// strings, so "http\0x" names http).
pub(crate) fn c_str(s: &str) -> &str {
    s.split('\0').next().unwrap_or_default()
}

/// Whether `line_name` or one of `aliases` is `name` (compared without case).
fn named<'a>(line_name: &str, mut aliases: impl Iterator<Item = &'a str>, name: &str) -> bool {
    let name = c_str(name);
    line_name.eq_ignore_ascii_case(name) || aliases.any(|a| a.eq_ignore_ascii_case(name))
}

/// Whether a line's transport is the one asked for (`None` takes any).
fn of_proto(t: Transport, proto: Option<&str>) -> bool {
    proto.is_none_or(|p| t.name().eq_ignore_ascii_case(c_str(p)))
}

/// The PROTOENT of a `protocol` line.
fn protoent(&(name, proto, aliases): &ProtocolLine) -> Protoent {
    Protoent {
        name: name.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        proto,
    }
}

/// `getprotobyname(name)`'s answer from the `protocol` file.
pub(crate) fn protocol_by_name(name: &str) -> Option<Protoent> {
    PROTOCOLS
        .iter()
        .find(|&&(n, _, aliases)| named(n, aliases.iter().copied(), name))
        .map(protoent)
}

/// `getprotobynumber(number)`'s answer from the `protocol` file.
pub(crate) fn protocol_by_number(number: i32) -> Option<Protoent> {
    PROTOCOLS
        .iter()
        .find(|&&(_, p, _)| i32::from(p) == number)
        .map(protoent)
}

/// A line a host's administrator added to its `services` file, after Windows' own lines
/// (`HostHandle::add_service` in the simulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceEntry {
    name: String,
    port: u16,
    transport: Transport,
    aliases: Vec<String>,
}

impl ServiceEntry {
    /// A `services` line as ws2_32 reads it: `name port/protocol [aliases...] [# comment]`,
    /// with tcp or udp for the protocol; `None` for anything else.
    pub(crate) fn parse(line: &str) -> Option<ServiceEntry> {
        let text = line.split('#').next().unwrap_or_default();
        let mut words = text.split_ascii_whitespace();
        let name = words.next()?;
        let (port, proto) = words.next()?.split_once('/')?;
        let transport = match proto.to_ascii_lowercase().as_str() {
            "tcp" => Transport::Tcp,
            "udp" => Transport::Udp,
            _ => return None,
        };
        Some(ServiceEntry {
            name: name.to_string(),
            port: port.parse().ok()?,
            transport,
            aliases: words.map(str::to_string).collect(),
        })
    }
}

/// A `services` line, Windows' or a host's own.
trait ServiceView {
    fn name(&self) -> &str;
    fn port(&self) -> u16;
    fn transport(&self) -> Transport;
    fn alias_list(&self) -> Vec<&str>;
    /// Whether the line's name or an alias is `name`.
    fn named(&self, name: &str) -> bool;
    /// The SERVENT of the line.
    fn servent(&self) -> Servent {
        Servent {
            name: self.name().to_string(),
            aliases: self.alias_list().into_iter().map(str::to_string).collect(),
            port: self.port(),
            proto: self.transport().name().to_string(),
        }
    }
}

impl ServiceView for ServiceLine {
    fn name(&self) -> &str {
        self.0
    }
    fn port(&self) -> u16 {
        self.1
    }
    fn transport(&self) -> Transport {
        self.2
    }
    fn alias_list(&self) -> Vec<&str> {
        self.3.to_vec()
    }
    fn named(&self, name: &str) -> bool {
        named(self.0, self.3.iter().copied(), name)
    }
}

impl ServiceView for ServiceEntry {
    fn name(&self) -> &str {
        &self.name
    }
    fn port(&self) -> u16 {
        self.port
    }
    fn transport(&self) -> Transport {
        self.transport
    }
    fn alias_list(&self) -> Vec<&str> {
        self.aliases.iter().map(String::as_str).collect()
    }
    fn named(&self, name: &str) -> bool {
        named(&self.name, self.aliases.iter().map(String::as_str), name)
    }
}

/// The first line, Windows' own and then the host's `extra` ones, that `hit` takes, mapped
/// by `out`.
fn first<T>(
    extra: &[ServiceEntry],
    hit: impl Fn(&dyn ServiceView) -> bool,
    out: impl Fn(&dyn ServiceView) -> T,
) -> Option<T> {
    let own = SERVICES.iter().map(|l| l as &dyn ServiceView);
    let added = extra.iter().map(|l| l as &dyn ServiceView);
    own.chain(added).find(|l| hit(*l)).map(out)
}

/// `getservbyname(name, proto)`'s answer from the `services` file (and the host's `extra`
/// lines after it).
pub(crate) fn service_by_name(
    extra: &[ServiceEntry],
    name: &str,
    proto: Option<&str>,
) -> Option<Servent> {
    first(
        extra,
        |l| l.named(name) && of_proto(l.transport(), proto),
        |l| l.servent(),
    )
}

/// `getservbyport(htons(port), proto)`'s answer from the `services` file and `extra`.
pub(crate) fn service_by_port(
    extra: &[ServiceEntry],
    port: u16,
    proto: Option<&str>,
) -> Option<Servent> {
    first(
        extra,
        |l| l.port() == port && of_proto(l.transport(), proto),
        |l| l.servent(),
    )
}

/// The name `getnameinfo` gives a port: that of the port's line for `transport` (NI_DGRAM
/// asks for udp), if there is one.
pub(crate) fn service_name(
    extra: &[ServiceEntry],
    port: u16,
    transport: Transport,
) -> Option<String> {
    first(
        extra,
        |l| l.port() == port && l.transport() == transport,
        |l| l.name().to_string(),
    )
}

/// The port a named service has in the file, of any transport (`getaddrinfo`'s service).
pub(crate) fn service_port_by_name(extra: &[ServiceEntry], name: &str) -> Option<u16> {
    first(extra, |l| l.named(name), |l| l.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_whole_and_names_have_no_spaces() {
        assert!(PROTOCOLS.windows(2).all(|w| w[0].1 < w[1].1));
        assert_eq!((PROTOCOLS.len(), SERVICES.len()), (19, 276));
        let words = PROTOCOLS
            .iter()
            .flat_map(|l| std::iter::once(l.0).chain(l.2.iter().copied()))
            .chain(
                SERVICES
                    .iter()
                    .flat_map(|l| std::iter::once(l.0).chain(l.3.iter().copied())),
            );
        for w in words {
            assert!(
                !w.is_empty() && !w.bytes().any(|b| b.is_ascii_whitespace()),
                "{w:?}"
            );
        }
    }

    #[test]
    fn first_line_wins_and_case_is_ignored() {
        assert_eq!(service_by_name(&[], "DOMAIN", None).unwrap().proto, "tcp");
        assert_eq!(
            service_by_name(&[], "domain", Some("UDP")).unwrap().proto,
            "udp"
        );
        assert_eq!(
            service_by_name(&[], "www", Some("tcp")).unwrap().name,
            "http"
        );
        assert_eq!(service_by_name(&[], "http", Some("udp")), None);
        assert_eq!(service_by_port(&[], 512, None).unwrap().name, "exec");
        assert_eq!(service_by_port(&[], 512, Some("udp")).unwrap().name, "biff");
        assert_eq!(service_name(&[], 123, Transport::Tcp), None);
        assert_eq!(
            service_name(&[], 123, Transport::Udp).as_deref(),
            Some("ntp")
        );
        assert_eq!(protocol_by_name("ipv6-icmp").unwrap().proto, 58);
        assert_eq!(protocol_by_number(-1), None);
        assert_eq!(
            service_by_name(&[], "telnet\0x", Some("tcp\0udp"))
                .unwrap()
                .port,
            23
        );
        assert_eq!(c_str("\0http"), "");
    }

    #[test]
    fn a_host_s_own_lines_come_after_windows_lines() {
        let extra = [
            ServiceEntry::parse("mygame   27015/udp  mg   # the game's port").unwrap(),
            ServiceEntry::parse("http 8080/tcp").unwrap(),
        ];
        assert_eq!(service_by_name(&extra, "MG", None).unwrap().port, 27015);
        assert_eq!(
            service_by_port(&extra, 27015, Some("udp")).unwrap().aliases,
            ["mg"]
        );
        // Windows' http line comes first.
        assert_eq!(service_port_by_name(&extra, "http"), Some(80));
        assert_eq!(
            service_name(&extra, 8080, Transport::Tcp).as_deref(),
            Some("http")
        );
        for bad in [
            "",
            "name",
            "name 80",
            "name x/tcp",
            "name 80/ddp",
            "name 70000/tcp",
        ] {
            assert_eq!(ServiceEntry::parse(bad), None, "{bad:?}");
        }
    }
}
