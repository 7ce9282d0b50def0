//! WinSock's database calls over the `protocol` and `services` files of
//! `%SystemRoot%\System32\drivers\etc`: `getprotobyname`, `getprotobynumber`,
//! `getservbyname`, `getservbyport` (the trait methods are on [`Resolve`](super::Resolve)),
//! and the service names `getaddrinfo` and `getnameinfo` read.
//!
//! The simulator answers from Windows' default files, held here as tables: the `protocol`
//! file whole (19 lines, which Wine's protocol.c `test_getprotobynumber` pins by asking every
//! number from -1 to 256), and the lines of the `services` file below port 1024. Lookups
//! follow ws2_32: names, aliases and protocols compare without case, the first matching line
//! wins (so `getservbyname("domain", None)` is 53/tcp), and a name or number not in the file
//! fails with WSANO_DATA (as Wine's ws2_32 sets it; no Windows test records the code).

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

/// The transport of a `services` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// `/tcp`.
    Tcp,
    /// `/udp`.
    Udp,
}

impl Transport {
    /// The line's protocol as the file writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }
}

/// One line of the `services` file: name, port, transport, aliases.
type ServiceLine = (&'static str, u16, Transport, &'static [&'static str]);

use Transport::{Tcp, Udp};

/// Windows' `services` file below port 1024, in its order.
const SERVICES: &[ServiceLine] = &[
    ("echo", 7, Tcp, &[]),
    ("echo", 7, Udp, &[]),
    ("discard", 9, Tcp, &["sink", "null"]),
    ("discard", 9, Udp, &["sink", "null"]),
    ("systat", 11, Tcp, &["users"]),
    ("systat", 11, Udp, &["users"]),
    ("daytime", 13, Tcp, &[]),
    ("daytime", 13, Udp, &[]),
    ("qotd", 17, Tcp, &["quote"]),
    ("qotd", 17, Udp, &["quote"]),
    ("chargen", 19, Tcp, &["ttytst", "source"]),
    ("chargen", 19, Udp, &["ttytst", "source"]),
    ("ftp-data", 20, Tcp, &[]),
    ("ftp", 21, Tcp, &[]),
    ("ssh", 22, Tcp, &[]),
    ("telnet", 23, Tcp, &[]),
    ("smtp", 25, Tcp, &["mail"]),
    ("time", 37, Tcp, &["timserver"]),
    ("time", 37, Udp, &["timserver"]),
    ("rlp", 39, Udp, &["resource"]),
    ("nameserver", 42, Tcp, &["name"]),
    ("nameserver", 42, Udp, &["name"]),
    ("nicname", 43, Tcp, &["whois"]),
    ("domain", 53, Tcp, &[]),
    ("domain", 53, Udp, &[]),
    ("bootps", 67, Udp, &["dhcps"]),
    ("bootpc", 68, Udp, &["dhcpc"]),
    ("tftp", 69, Udp, &[]),
    ("gopher", 70, Tcp, &[]),
    ("finger", 79, Tcp, &[]),
    ("http", 80, Tcp, &["www", "www-http"]),
    ("hosts2-ns", 81, Tcp, &[]),
    ("hosts2-ns", 81, Udp, &[]),
    ("kerberos", 88, Tcp, &["krb5", "kerberos-sec"]),
    ("kerberos", 88, Udp, &["krb5", "kerberos-sec"]),
    ("hostname", 101, Tcp, &["hostnames"]),
    ("iso-tsap", 102, Tcp, &[]),
    ("rtelnet", 107, Tcp, &[]),
    ("pop2", 109, Tcp, &["postoffice"]),
    ("pop3", 110, Tcp, &[]),
    ("sunrpc", 111, Tcp, &["rpcbind", "portmap"]),
    ("sunrpc", 111, Udp, &["rpcbind", "portmap"]),
    ("auth", 113, Tcp, &["ident", "tap"]),
    ("uucp-path", 117, Tcp, &[]),
    ("sqlserv", 118, Tcp, &[]),
    ("nntp", 119, Tcp, &["usenet"]),
    ("ntp", 123, Udp, &[]),
    ("epmap", 135, Tcp, &["loc-srv"]),
    ("epmap", 135, Udp, &["loc-srv"]),
    ("netbios-ns", 137, Tcp, &["nbname"]),
    ("netbios-ns", 137, Udp, &["nbname"]),
    ("netbios-dgm", 138, Udp, &["nbdatagram"]),
    ("netbios-ssn", 139, Tcp, &["nbsession"]),
    ("imap", 143, Tcp, &["imap4"]),
    ("sql-net", 150, Tcp, &[]),
    ("sqlsrv", 156, Tcp, &[]),
    ("pcmail-srv", 158, Tcp, &[]),
    ("snmp", 161, Udp, &[]),
    ("snmptrap", 162, Udp, &["snmp-trap"]),
    ("print-srv", 170, Tcp, &[]),
    ("bgp", 179, Tcp, &[]),
    ("irc", 194, Tcp, &[]),
    ("ipx", 213, Udp, &[]),
    ("ldap", 389, Tcp, &[]),
    ("https", 443, Tcp, &["MCom"]),
    ("https", 443, Udp, &["MCom"]),
    ("microsoft-ds", 445, Tcp, &[]),
    ("microsoft-ds", 445, Udp, &[]),
    ("kpasswd", 464, Tcp, &[]),
    ("kpasswd", 464, Udp, &[]),
    ("isakmp", 500, Udp, &["ike"]),
    ("exec", 512, Tcp, &[]),
    ("biff", 512, Udp, &["comsat"]),
    ("login", 513, Tcp, &[]),
    ("who", 513, Udp, &["whod"]),
    ("cmd", 514, Tcp, &["shell"]),
    ("syslog", 514, Udp, &[]),
    ("printer", 515, Tcp, &["spooler"]),
    ("talk", 517, Udp, &[]),
    ("ntalk", 518, Udp, &[]),
    ("efs", 520, Tcp, &[]),
    ("router", 520, Udp, &["route", "routed"]),
    ("timed", 525, Udp, &["timeserver"]),
    ("tempo", 526, Tcp, &["newdate"]),
    ("courier", 530, Tcp, &["rpc"]),
    ("conference", 531, Tcp, &["chat"]),
    ("netnews", 532, Tcp, &["readnews"]),
    ("netwall", 533, Udp, &[]),
    ("uucp", 540, Tcp, &["uucpd"]),
    ("klogin", 543, Tcp, &[]),
    ("kshell", 544, Tcp, &["krcmd"]),
    ("dhcpv6-client", 546, Tcp, &[]),
    ("dhcpv6-client", 546, Udp, &[]),
    ("dhcpv6-server", 547, Tcp, &[]),
    ("dhcpv6-server", 547, Udp, &[]),
    ("new-rwho", 550, Udp, &["new-who"]),
    ("rtsp", 554, Tcp, &[]),
    ("rtsp", 554, Udp, &[]),
    ("remotefs", 556, Tcp, &["rfs", "rfs_server"]),
    ("rmonitor", 560, Udp, &["rmonitord"]),
    ("monitor", 561, Udp, &[]),
    ("nntps", 563, Tcp, &["snntp"]),
    ("nntps", 563, Udp, &["snntp"]),
    ("http-rpc-epmap", 593, Tcp, &[]),
    ("http-rpc-epmap", 593, Udp, &[]),
    ("ldaps", 636, Tcp, &["sldap"]),
    ("doom", 666, Tcp, &[]),
    ("doom", 666, Udp, &[]),
    ("kerberos-adm", 749, Tcp, &[]),
    ("kerberos-adm", 749, Udp, &[]),
    ("kerberos-iv", 750, Udp, &[]),
    ("ftps-data", 989, Tcp, &[]),
    ("ftps", 990, Tcp, &[]),
    ("telnets", 992, Tcp, &[]),
    ("imaps", 993, Tcp, &[]),
    ("ircs", 994, Tcp, &[]),
    ("pop3s", 995, Tcp, &["spop3"]),
    ("pop3s", 995, Udp, &["spop3"]),
];

/// Whether a line's name or one of its aliases is `name` (compared without case).
fn named(line_name: &str, aliases: &[&str], name: &str) -> bool {
    line_name.eq_ignore_ascii_case(name) || aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// Whether a line's transport is the one asked for (`None` takes any).
fn of_proto(t: Transport, proto: Option<&str>) -> bool {
    proto.is_none_or(|p| t.name().eq_ignore_ascii_case(p))
}

/// The PROTOENT of a `protocol` line.
fn protoent(&(name, proto, aliases): &ProtocolLine) -> Protoent {
    Protoent {
        name: name.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        proto,
    }
}

/// The SERVENT of a `services` line.
fn servent(&(name, port, t, aliases): &ServiceLine) -> Servent {
    Servent {
        name: name.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        port,
        proto: t.name().to_string(),
    }
}

/// `getprotobyname(name)`'s answer from the `protocol` file.
pub(crate) fn protocol_by_name(name: &str) -> Option<Protoent> {
    PROTOCOLS
        .iter()
        .find(|&&(n, _, aliases)| named(n, aliases, name))
        .map(protoent)
}

/// `getprotobynumber(number)`'s answer from the `protocol` file.
pub(crate) fn protocol_by_number(number: i32) -> Option<Protoent> {
    PROTOCOLS
        .iter()
        .find(|&&(_, p, _)| i32::from(p) == number)
        .map(protoent)
}

/// `getservbyname(name, proto)`'s answer from the `services` file.
pub(crate) fn service_by_name(name: &str, proto: Option<&str>) -> Option<Servent> {
    SERVICES
        .iter()
        .find(|&&(n, _, t, aliases)| named(n, aliases, name) && of_proto(t, proto))
        .map(servent)
}

/// `getservbyport(htons(port), proto)`'s answer from the `services` file.
pub(crate) fn service_by_port(port: u16, proto: Option<&str>) -> Option<Servent> {
    SERVICES
        .iter()
        .find(|&&(_, p, t, _)| p == port && of_proto(t, proto))
        .map(servent)
}

/// The name `getnameinfo` gives a port: that of the port's line for `transport` (NI_DGRAM
/// asks for udp), if there is one.
pub(crate) fn service_name(port: u16, transport: Transport) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|&&(_, p, t, _)| p == port && t == transport)
        .map(|&(n, ..)| n)
}

/// The port a named service has in the file, of any transport (`getaddrinfo`'s service).
pub(crate) fn service_port_by_name(name: &str) -> Option<u16> {
    SERVICES
        .iter()
        .find(|&&(n, _, _, aliases)| named(n, aliases, name))
        .map(|&(_, p, ..)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_in_port_order_and_names_have_no_spaces() {
        assert!(PROTOCOLS.windows(2).all(|w| w[0].1 < w[1].1));
        assert!(SERVICES.windows(2).all(|w| w[0].1 <= w[1].1));
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
        assert_eq!(service_by_name("DOMAIN", None).unwrap().proto, "tcp");
        assert_eq!(service_by_name("domain", Some("UDP")).unwrap().proto, "udp");
        assert_eq!(service_by_name("www", Some("tcp")).unwrap().name, "http");
        assert_eq!(service_by_name("http", Some("udp")), None);
        assert_eq!(service_by_port(512, None).unwrap().name, "exec");
        assert_eq!(service_by_port(512, Some("udp")).unwrap().name, "biff");
        assert_eq!(service_name(123, Transport::Tcp), None);
        assert_eq!(service_name(123, Transport::Udp), Some("ntp"));
        assert_eq!(protocol_by_name("ipv6-icmp").unwrap().proto, 58);
        assert_eq!(protocol_by_number(-1), None);
    }
}
