//! WinSock's database calls over the `protocol` and `services` files of
//! `%SystemRoot%\System32\drivers\etc`: `getprotobyname`, `getprotobynumber`,
//! `getservbyname`, `getservbyport` (the trait methods are on [`Resolve`](super::Resolve)),
//! and the service names `getaddrinfo` and `getnameinfo` read.
//!
//! The simulator answers from Windows' default files, held here as tables: the `protocol`
//! file (19 lines, which Wine's protocol.c `test_getprotobynumber` pins by asking every
//! number from -1 to 256) and the `services` file (276 lines, Windows 10's), whole. Lookups
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

/// Windows' `services` file (Windows 10's), every line in its order (not quite port order:
/// activesync, 1034, follows nfa, 1155).
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
    ("rtsps", 322, Tcp, &[]),
    ("rtsps", 322, Udp, &[]),
    ("mftp", 349, Tcp, &[]),
    ("mftp", 349, Udp, &[]),
    ("ldap", 389, Tcp, &[]),
    ("https", 443, Tcp, &["MCom"]),
    ("https", 443, Udp, &["MCom"]),
    ("microsoft-ds", 445, Tcp, &[]),
    ("microsoft-ds", 445, Udp, &[]),
    ("kpasswd", 464, Tcp, &[]),
    ("kpasswd", 464, Udp, &[]),
    ("isakmp", 500, Udp, &["ike"]),
    ("crs", 507, Tcp, &[]),
    ("crs", 507, Udp, &[]),
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
    ("ulp", 522, Tcp, &[]),
    ("ulp", 522, Udp, &[]),
    ("timed", 525, Udp, &["timeserver"]),
    ("tempo", 526, Tcp, &["newdate"]),
    ("irc-serv", 529, Tcp, &[]),
    ("irc-serv", 529, Udp, &[]),
    ("courier", 530, Tcp, &["rpc"]),
    ("conference", 531, Tcp, &["chat"]),
    ("netnews", 532, Tcp, &["readnews"]),
    ("uucp", 540, Tcp, &["uucpd"]),
    ("klogin", 543, Tcp, &[]),
    ("kshell", 544, Tcp, &["krcmd"]),
    ("dhcpv6-client", 546, Tcp, &[]),
    ("dhcpv6-client", 546, Udp, &[]),
    ("dhcpv6-server", 547, Tcp, &[]),
    ("dhcpv6-server", 547, Udp, &[]),
    ("afpovertcp", 548, Tcp, &[]),
    ("afpovertcp", 548, Udp, &[]),
    ("new-rwho", 550, Udp, &["new-who"]),
    ("rtsp", 554, Tcp, &[]),
    ("rtsp", 554, Udp, &[]),
    ("remotefs", 556, Tcp, &["rfs", "rfs_server"]),
    ("rmonitor", 560, Udp, &["rmonitord"]),
    ("monitor", 561, Udp, &[]),
    ("nntps", 563, Tcp, &["snntp"]),
    ("nntps", 563, Udp, &["snntp"]),
    ("whoami", 565, Tcp, &[]),
    ("whoami", 565, Udp, &[]),
    ("ms-shuttle", 568, Tcp, &[]),
    ("ms-shuttle", 568, Udp, &[]),
    ("ms-rome", 569, Tcp, &[]),
    ("ms-rome", 569, Udp, &[]),
    ("http-rpc-epmap", 593, Tcp, &[]),
    ("http-rpc-epmap", 593, Udp, &[]),
    ("hmmp-ind", 612, Tcp, &[]),
    ("hmmp-ind", 612, Udp, &[]),
    ("hmmp-op", 613, Tcp, &[]),
    ("hmmp-op", 613, Udp, &[]),
    ("ldaps", 636, Tcp, &["sldap"]),
    ("doom", 666, Tcp, &[]),
    ("doom", 666, Udp, &[]),
    ("msexch-routing", 691, Tcp, &[]),
    ("msexch-routing", 691, Udp, &[]),
    ("kerberos-adm", 749, Tcp, &[]),
    ("kerberos-adm", 749, Udp, &[]),
    ("kerberos-iv", 750, Udp, &[]),
    ("mdbs_daemon", 800, Tcp, &[]),
    ("mdbs_daemon", 800, Udp, &[]),
    ("ftps-data", 989, Tcp, &[]),
    ("ftps", 990, Tcp, &[]),
    ("telnets", 992, Tcp, &[]),
    ("imaps", 993, Tcp, &[]),
    ("ircs", 994, Tcp, &[]),
    ("pop3s", 995, Tcp, &["spop3"]),
    ("pop3s", 995, Udp, &["spop3"]),
    ("kpop", 1109, Tcp, &[]),
    ("nfsd-status", 1110, Tcp, &[]),
    ("nfsd-keepalive", 1110, Udp, &[]),
    ("nfa", 1155, Tcp, &[]),
    ("nfa", 1155, Udp, &[]),
    ("activesync", 1034, Tcp, &[]),
    ("phone", 1167, Udp, &[]),
    ("opsmgr", 1270, Tcp, &[]),
    ("opsmgr", 1270, Udp, &[]),
    ("ms-sql-s", 1433, Tcp, &[]),
    ("ms-sql-s", 1433, Udp, &[]),
    ("ms-sql-m", 1434, Tcp, &[]),
    ("ms-sql-m", 1434, Udp, &[]),
    ("ms-sna-server", 1477, Tcp, &[]),
    ("ms-sna-server", 1477, Udp, &[]),
    ("ms-sna-base", 1478, Tcp, &[]),
    ("ms-sna-base", 1478, Udp, &[]),
    ("wins", 1512, Tcp, &[]),
    ("wins", 1512, Udp, &[]),
    ("ingreslock", 1524, Tcp, &["ingres"]),
    ("stt", 1607, Tcp, &[]),
    ("stt", 1607, Udp, &[]),
    ("l2tp", 1701, Udp, &[]),
    ("pptconference", 1711, Tcp, &[]),
    ("pptconference", 1711, Udp, &[]),
    ("pptp", 1723, Tcp, &[]),
    ("msiccp", 1731, Tcp, &[]),
    ("msiccp", 1731, Udp, &[]),
    ("remote-winsock", 1745, Tcp, &[]),
    ("remote-winsock", 1745, Udp, &[]),
    ("ms-streaming", 1755, Tcp, &[]),
    ("ms-streaming", 1755, Udp, &[]),
    ("msmq", 1801, Tcp, &[]),
    ("msmq", 1801, Udp, &[]),
    ("radius", 1812, Udp, &[]),
    ("radacct", 1813, Udp, &[]),
    ("msnp", 1863, Tcp, &[]),
    ("msnp", 1863, Udp, &[]),
    ("ssdp", 1900, Tcp, &[]),
    ("ssdp", 1900, Udp, &[]),
    ("close-combat", 1944, Tcp, &[]),
    ("close-combat", 1944, Udp, &[]),
    ("nfsd", 2049, Udp, &["nfs"]),
    ("knetd", 2053, Tcp, &[]),
    ("mzap", 2106, Tcp, &[]),
    ("mzap", 2106, Udp, &[]),
    ("qwave", 2177, Tcp, &[]),
    ("qwave", 2177, Udp, &[]),
    ("directplay", 2234, Tcp, &[]),
    ("directplay", 2234, Udp, &[]),
    ("ms-olap3", 2382, Tcp, &[]),
    ("ms-olap3", 2382, Udp, &[]),
    ("ms-olap4", 2383, Tcp, &[]),
    ("ms-olap4", 2383, Udp, &[]),
    ("ms-olap1", 2393, Tcp, &[]),
    ("ms-olap1", 2393, Udp, &[]),
    ("ms-olap2", 2394, Tcp, &[]),
    ("ms-olap2", 2394, Udp, &[]),
    ("ms-theater", 2460, Tcp, &[]),
    ("ms-theater", 2460, Udp, &[]),
    ("wlbs", 2504, Tcp, &[]),
    ("wlbs", 2504, Udp, &[]),
    ("ms-v-worlds", 2525, Tcp, &[]),
    ("ms-v-worlds", 2525, Udp, &[]),
    ("sms-rcinfo", 2701, Tcp, &[]),
    ("sms-rcinfo", 2701, Udp, &[]),
    ("sms-xfer", 2702, Tcp, &[]),
    ("sms-xfer", 2702, Udp, &[]),
    ("sms-chat", 2703, Tcp, &[]),
    ("sms-chat", 2703, Udp, &[]),
    ("sms-remctrl", 2704, Tcp, &[]),
    ("sms-remctrl", 2704, Udp, &[]),
    ("msolap-ptp2", 2725, Tcp, &[]),
    ("msolap-ptp2", 2725, Udp, &[]),
    ("icslap", 2869, Tcp, &[]),
    ("icslap", 2869, Udp, &[]),
    ("cifs", 3020, Tcp, &[]),
    ("cifs", 3020, Udp, &[]),
    ("xbox", 3074, Tcp, &[]),
    ("xbox", 3074, Udp, &[]),
    ("ms-dotnetster", 3126, Tcp, &[]),
    ("ms-dotnetster", 3126, Udp, &[]),
    ("ms-rule-engine", 3132, Tcp, &[]),
    ("ms-rule-engine", 3132, Udp, &[]),
    ("msft-gc", 3268, Tcp, &[]),
    ("msft-gc", 3268, Udp, &[]),
    ("msft-gc-ssl", 3269, Tcp, &[]),
    ("msft-gc-ssl", 3269, Udp, &[]),
    ("ms-cluster-net", 3343, Tcp, &[]),
    ("ms-cluster-net", 3343, Udp, &[]),
    ("ms-wbt-server", 3389, Tcp, &[]),
    ("ms-wbt-server", 3389, Udp, &[]),
    ("ms-la", 3535, Tcp, &[]),
    ("ms-la", 3535, Udp, &[]),
    ("pnrp-port", 3540, Tcp, &[]),
    ("pnrp-port", 3540, Udp, &[]),
    ("teredo", 3544, Tcp, &[]),
    ("teredo", 3544, Udp, &[]),
    ("p2pgroup", 3587, Tcp, &[]),
    ("p2pgroup", 3587, Udp, &[]),
    ("ws-discovery", 3702, Udp, &[]),
    ("ws-discovery", 3702, Tcp, &[]),
    ("dvcprov-port", 3776, Tcp, &[]),
    ("dvcprov-port", 3776, Udp, &[]),
    ("msfw-control", 3847, Tcp, &[]),
    ("msdts1", 3882, Tcp, &[]),
    ("sdp-portmapper", 3935, Tcp, &[]),
    ("sdp-portmapper", 3935, Udp, &[]),
    ("net-device", 4350, Tcp, &[]),
    ("net-device", 4350, Udp, &[]),
    ("ipsec-msft", 4500, Tcp, &[]),
    ("ipsec-msft", 4500, Udp, &[]),
    ("llmnr", 5355, Tcp, &[]),
    ("llmnr", 5355, Udp, &[]),
    ("wsd", 5357, Tcp, &[]),
    ("wsd", 5358, Tcp, &[]),
    ("rrac", 5678, Tcp, &[]),
    ("rrac", 5678, Udp, &[]),
    ("dccm", 5679, Tcp, &[]),
    ("dccm", 5679, Udp, &[]),
    ("ms-licensing", 5720, Tcp, &[]),
    ("ms-licensing", 5720, Udp, &[]),
    ("directplay8", 6073, Tcp, &[]),
    ("directplay8", 6073, Udp, &[]),
    ("ms-do", 7680, Tcp, &[]),
    ("ms-do", 7680, Udp, &[]),
    ("man", 9535, Tcp, &[]),
    ("rasadv", 9753, Tcp, &[]),
    ("rasadv", 9753, Udp, &[]),
    ("imip-channels", 11320, Tcp, &[]),
    ("imip-channels", 11320, Udp, &[]),
    ("directplaysrvr", 47624, Tcp, &[]),
    ("directplaysrvr", 47624, Udp, &[]),
];

/// The C string a callee reads from `s`: the text before its first NUL (the calls take C
/// strings, so "http\0x" names http).
pub(crate) fn c_str(s: &str) -> &str {
    s.split('\0').next().unwrap_or_default()
}

/// Whether a line's name or one of its aliases is `name` (compared without case).
fn named(line_name: &str, aliases: &[&str], name: &str) -> bool {
    let name = c_str(name);
    line_name.eq_ignore_ascii_case(name) || aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
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
        assert_eq!(
            service_by_name("telnet\0x", Some("tcp\0udp")).unwrap().port,
            23
        );
        assert_eq!(c_str("\0http"), "");
    }
}
