//! WinSock constants with the values of the Windows SDK headers (`winsock2.h`, `ws2def.h`,
//! `ws2ipdef.h`, `mswsock.h`). Types follow the C declarations (`int` → `i32`, `u_long` → `u32`).

/// AF_UNSPEC (0): unspecified address family.
pub const AF_UNSPEC: i32 = 0;
/// AF_INET (2): IPv4.
pub const AF_INET: i32 = 2;
/// AF_INET6 (23): IPv6 (Windows' value; not Linux's 10).
pub const AF_INET6: i32 = 23;

/// SOCK_STREAM (1): a TCP byte stream.
pub const SOCK_STREAM: i32 = 1;
/// SOCK_DGRAM (2): UDP datagrams.
pub const SOCK_DGRAM: i32 = 2;
/// SOCK_RAW (3): raw sockets (not modelled: `socket` gives WSAEACCES, as Windows does to a
/// process without administrator rights).
pub const SOCK_RAW: i32 = 3;

/// IPPROTO_IP (0): the IPv4 option level; as a protocol, "default for the type".
pub const IPPROTO_IP: i32 = 0;
/// IPPROTO_TCP (6).
pub const IPPROTO_TCP: i32 = 6;
/// IPPROTO_UDP (17).
pub const IPPROTO_UDP: i32 = 17;
/// IPPROTO_IPV6 (41): the IPv6 option level.
pub const IPPROTO_IPV6: i32 = 41;
/// IPPROTO_RAW (255): the protocol of a raw IP socket (`SOCK_RAW` only; the sim refuses raw
/// sockets with WSAEACCES).
pub const IPPROTO_RAW: i32 = 255;

/// SOMAXCONN (0x7fffffff): "reasonable maximum" backlog; the sim maps it to [`MAX_BACKLOG`].
pub const SOMAXCONN: i32 = 0x7fff_ffff;
/// SOMAXCONN_HINT(b): a backlog of `b` connections, clamped by Windows to 200..=65535
/// (`listen(s, somaxconn_hint(5000))`).
pub const fn somaxconn_hint(b: i32) -> i32 {
    -b
}
/// The backlog the sim uses for SOMAXCONN and the cap for larger values (Windows client
/// editions use 200).
pub const MAX_BACKLOG: usize = 200;

/// INVALID_SOCKET (~0).
pub const INVALID_SOCKET: usize = usize::MAX;
/// SOCKET_ERROR (-1): the C return value of a failed call (the Rust API returns `Err`).
pub const SOCKET_ERROR: i32 = -1;

/// MSG_OOB (0x1): send or receive urgent (out-of-band) data.
pub const MSG_OOB: i32 = 0x1;
/// MSG_PEEK (0x2): receive without removing the data from the queue.
pub const MSG_PEEK: i32 = 0x2;
/// MSG_DONTROUTE (0x4): accepted and ignored.
pub const MSG_DONTROUTE: i32 = 0x4;
/// MSG_WAITALL (0x8): wait until the buffer is full, the peer closes, or an error.
pub const MSG_WAITALL: i32 = 0x8;
/// MSG_PARTIAL (0x8000): a message was delivered in part (message-oriented sockets).
pub const MSG_PARTIAL: i32 = 0x8000;

/// SD_RECEIVE (0): shut down receiving.
pub const SD_RECEIVE: i32 = 0;
/// SD_SEND (1): shut down sending (sends FIN after queued data).
pub const SD_SEND: i32 = 1;
/// SD_BOTH (2): both directions.
pub const SD_BOTH: i32 = 2;

/// FIONBIO: set (non-zero) or clear nonblocking mode.
pub const FIONBIO: u32 = 0x8004_667e;
/// FIONREAD: bytes available to a normal `recv`.
pub const FIONREAD: u32 = 0x4004_667f;
/// SIOCATMARK: TRUE (non-zero) unless urgent data is waiting to be read (not inline).
pub const SIOCATMARK: u32 = 0x4004_7307;

/// SOL_SOCKET (0xffff): the socket-level option level.
pub const SOL_SOCKET: i32 = 0xffff;
/// SO_DEBUG (0x0001).
pub const SO_DEBUG: i32 = 0x0001;
/// SO_ACCEPTCONN (0x0002): read-only, TRUE on a listening socket.
pub const SO_ACCEPTCONN: i32 = 0x0002;
/// SO_REUSEADDR (0x0004): allow binding an address already in use.
pub const SO_REUSEADDR: i32 = 0x0004;
/// SO_KEEPALIVE (0x0008): send keep-alive probes on an idle connection (inherited by
/// accepted sockets). The sim sends them (2 hours idle, 10 probes 1 s apart by default) and
/// drops a connection whose peer answers none (`WSAETIMEDOUT`, see `TCP_KEEPALIVE`).
pub const SO_KEEPALIVE: i32 = 0x0008;
/// SO_DONTROUTE (0x0010).
pub const SO_DONTROUTE: i32 = 0x0010;
/// SO_BROADCAST (0x0020): allow broadcast datagrams.
pub const SO_BROADCAST: i32 = 0x0020;
/// SO_USELOOPBACK (0x0040).
pub const SO_USELOOPBACK: i32 = 0x0040;
/// SO_LINGER (0x0080): `LINGER { l_onoff: u16, l_linger: u16 }`.
pub const SO_LINGER: i32 = 0x0080;
/// SO_OOBINLINE (0x0100): deliver urgent data in the normal stream.
pub const SO_OOBINLINE: i32 = 0x0100;
/// SO_DONTLINGER (!SO_LINGER): the inverse of `l_onoff`.
pub const SO_DONTLINGER: i32 = !SO_LINGER;
/// SO_EXCLUSIVEADDRUSE (!SO_REUSEADDR).
pub const SO_EXCLUSIVEADDRUSE: i32 = !SO_REUSEADDR;
/// SO_SNDBUF (0x1001): send buffer size in bytes; 0 turns buffering off (an overlapped
/// WSASend then pends until the peer acknowledges it, as the sim models).
pub const SO_SNDBUF: i32 = 0x1001;
/// SO_RCVBUF (0x1002): receive buffer size in bytes.
pub const SO_RCVBUF: i32 = 0x1002;
/// SO_SNDLOWAT (0x1003).
pub const SO_SNDLOWAT: i32 = 0x1003;
/// SO_RCVLOWAT (0x1004).
pub const SO_RCVLOWAT: i32 = 0x1004;
/// SO_SNDTIMEO (0x1005): send timeout in milliseconds (0 = none).
pub const SO_SNDTIMEO: i32 = 0x1005;
/// SO_RCVTIMEO (0x1006): receive timeout in milliseconds (0 = none).
pub const SO_RCVTIMEO: i32 = 0x1006;
/// SO_ERROR (0x1007): the pending socket error (read does not clear it on Windows).
pub const SO_ERROR: i32 = 0x1007;
/// SO_TYPE (0x1008): read-only, SOCK_STREAM or SOCK_DGRAM.
pub const SO_TYPE: i32 = 0x1008;
/// SO_CONNECT_TIME (0x700C): seconds connected, 0xFFFFFFFF when not connected.
pub const SO_CONNECT_TIME: i32 = 0x700C;
/// SO_UPDATE_ACCEPT_CONTEXT (0x700B).
pub const SO_UPDATE_ACCEPT_CONTEXT: i32 = 0x700B;
/// SO_UPDATE_CONNECT_CONTEXT (0x7010).
pub const SO_UPDATE_CONNECT_CONTEXT: i32 = 0x7010;
/// SO_CONDITIONAL_ACCEPT (0x3002): a BOOL on a listening socket. Off (the default), the
/// stack completes every handshake itself and a WSAAccept condition function can only reset
/// an established connection; on, an incoming SYN is held unanswered until `accept` /
/// `WSAAccept` decides: CF_ACCEPT sends the SYN-ACK, CF_REJECT answers with RST (the client's
/// connect fails with WSAECONNREFUSED), CF_DEFER keeps it held. The sim reads it when a SYN
/// arrives.
pub const SO_CONDITIONAL_ACCEPT: i32 = 0x3002;
/// SO_OPENTYPE (0x7008): a per-thread option, not a socket's: the open type of the sockets
/// `socket()` creates on the calling thread (0 = overlapped, the default of every new thread;
/// [`SO_SYNCHRONOUS_ALERT`] or [`SO_SYNCHRONOUS_NONALERT`] = non-overlapped). Read and
/// written whatever the socket argument is (INVALID_SOCKET included); a 4-byte integer.
/// The sim keeps it per simulated thread.
pub const SO_OPENTYPE: i32 = 0x7008;
/// SO_SYNCHRONOUS_ALERT (0x10): an [`SO_OPENTYPE`] value, synchronous alertable sockets.
pub const SO_SYNCHRONOUS_ALERT: i32 = 0x10;
/// SO_SYNCHRONOUS_NONALERT (0x20): an [`SO_OPENTYPE`] value, synchronous non-alertable
/// sockets.
pub const SO_SYNCHRONOUS_NONALERT: i32 = 0x20;
/// SO_MAX_MSG_SIZE (0x2003): read-only, the largest datagram a message-oriented socket can
/// send: 65,507 bytes over IPv4 (65,535 less the IPv4 and UDP headers), 65,527 over IPv6
/// (less the UDP header). Meaningless for stream sockets (WSAENOPROTOOPT in the sim).
pub const SO_MAX_MSG_SIZE: i32 = 0x2003;

/// TCP_NODELAY (0x0001): disable Nagle's algorithm.
pub const TCP_NODELAY: i32 = 0x0001;
/// TCP_KEEPALIVE (3, TCP_KEEPIDLE): seconds without a segment from the peer before the
/// first keep-alive probe (default 7200). The sim probes after this idle time, then every
/// TCP_KEEPINTVL, and after TCP_KEEPCNT unanswered probes drops the connection as timed
/// out: calls fail with WSAETIMEDOUT, FD_CLOSE carries WSAECONNABORTED, completions
/// ERROR_SEM_TIMEOUT (the sim's choice of codes; Microsoft's keep-alive documentation names
/// WSAENETRESET).
pub const TCP_KEEPALIVE: i32 = 3;
/// TCP_MAXRT (5): how long, in seconds, a connection keeps retransmitting unacknowledged
/// data before it is dropped (DWORD; -1, 0xFFFFFFFF: retransmit forever; 0: the system's
/// rule, `TcpMaxDataRetransmissions` = 5). The sim drops the connection, with keep-alive's
/// and the give-up's codes (WSAETIMEDOUT), at the first retransmission that would fall at or
/// after that time since the data was first sent; set before connect, it also bounds the
/// connect attempt, which fails with WSAETIMEDOUT when the time runs out, RST retries
/// included (nmap's measurements of Windows). It reads back in whole seconds, 0 until set
/// (the sim's choice: what Windows reads before a set is not documented).
pub const TCP_MAXRT: i32 = 5;
/// TCP_MAXRTMS (14): [`TCP_MAXRT`] in milliseconds (Windows 10 1703 and later; Windows'
/// counterpart of Linux's TCP_USER_TIMEOUT). The two set one value.
pub const TCP_MAXRTMS: i32 = 14;
/// TCP_KEEPCNT (16): keep-alive probes unanswered before the connection is dropped
/// (default 10, at most 255).
pub const TCP_KEEPCNT: i32 = 16;
/// TCP_KEEPINTVL (17): seconds between keep-alive probes while none is answered (default 1).
pub const TCP_KEEPINTVL: i32 = 17;

/// IP_TOS (3).
pub const IP_TOS: i32 = 3;
/// IP_TTL (4).
pub const IP_TTL: i32 = 4;
/// IP_HDRINCL (2): raw sockets only (WSAEINVAL on TCP and UDP).
pub const IP_HDRINCL: i32 = 2;
/// IP_MULTICAST_IF (9): the interface (IPv4 address, 4 bytes) multicast goes out of.
pub const IP_MULTICAST_IF: i32 = 9;
/// IP_MULTICAST_TTL (10): TTL of outgoing multicast datagrams (default 1).
pub const IP_MULTICAST_TTL: i32 = 10;
/// IP_MULTICAST_LOOP (11): multicast sent is looped back locally (default TRUE).
pub const IP_MULTICAST_LOOP: i32 = 11;
/// IP_ADD_MEMBERSHIP (12): join a multicast group (set only; optval an 8-byte `ip_mreq`,
/// see [`ip_mreq`]).
pub const IP_ADD_MEMBERSHIP: i32 = 12;
/// IP_DROP_MEMBERSHIP (13): leave a multicast group (set only; optval an `ip_mreq`).
pub const IP_DROP_MEMBERSHIP: i32 = 13;
/// IP_DONTFRAGMENT (14): set DF on outgoing packets (TCP default TRUE, UDP FALSE).
pub const IP_DONTFRAGMENT: i32 = 14;
/// IP_PKTINFO (19): WSARecvMsg returns the packet's destination address.
pub const IP_PKTINFO: i32 = 19;
/// IP_RECVTTL (21): WSARecvMsg returns the packet's TTL.
pub const IP_RECVTTL: i32 = 21;
/// IP_RECVTOS (40): WSARecvMsg returns the packet's TOS.
pub const IP_RECVTOS: i32 = 40;
/// IP_OPTIONS (1): the IPv4 options (up to 40 bytes) carried by outgoing packets; any
/// socket type, read back as set (none: optlen 0). The sim stores them and sends none.
pub const IP_OPTIONS: i32 = 1;
/// IP_RECEIVE_BROADCAST (22): whether a datagram socket receives broadcasts; WSAEINVAL on a
/// stream socket. Stored and read back by the sim (0 until set), which does not act on it.
pub const IP_RECEIVE_BROADCAST: i32 = 22;
/// IP_RECVIF (24): WSARecvMsg returns the arrival interface; datagram sockets only (WSAEINVAL
/// on a stream socket). Stored and read back by the sim.
pub const IP_RECVIF: i32 = 24;
/// IP_RECVDSTADDR (25): WSARecvMsg returns the destination address; datagram sockets only
/// (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_RECVDSTADDR: i32 = 25;
/// IP_IFLIST (28): restrict the socket to an interface list; any socket type. Stored and read
/// back by the sim (a host has one interface).
pub const IP_IFLIST: i32 = 28;
/// IP_ADD_IFLIST (29): add an interface to the IP_IFLIST list.
pub const IP_ADD_IFLIST: i32 = 29;
/// IP_DEL_IFLIST (30): remove an interface from the IP_IFLIST list.
pub const IP_DEL_IFLIST: i32 = 30;
/// IP_UNICAST_IF (31): the interface index unicast goes out of; any socket type. Stored and
/// read back by the sim.
pub const IP_UNICAST_IF: i32 = 31;
/// IP_RTHDR (32): the routing header of outgoing packets, bytes; any socket type. Stored and
/// read back by the sim (none: optlen 0).
pub const IP_RTHDR: i32 = 32;
/// IP_GET_IFLIST (33): reads the interface list, which takes an input the plain
/// `getsockopt` cannot give: WSAEINVAL on every socket (the sim answers so).
pub const IP_GET_IFLIST: i32 = 33;
/// IP_RECVRTHDR (38): WSARecvMsg returns the routing header; datagram sockets only
/// (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_RECVRTHDR: i32 = 38;
/// IP_TCLASS (39): the cmsg_type of the traffic class (IPv4 alias of IPV6_TCLASS).
pub const IP_TCLASS: i32 = 39;
/// IP_ORIGINAL_ARRIVAL_IF (47): WSARecvMsg returns the original arrival interface; datagram
/// sockets only (WSAEINVAL on a stream socket), at IPPROTO_IP and IPPROTO_IPV6 alike. Stored
/// and read back by the sim.
pub const IP_ORIGINAL_ARRIVAL_IF: i32 = 47;
/// IP_ECN (50): WSARecvMsg returns the ECN bits; datagram sockets only (WSAEINVAL on a
/// stream socket). Stored and read back by the sim.
pub const IP_ECN: i32 = 50;
/// IP_PKTINFO_EX (51): IP_PKTINFO with the arrival interface; datagram sockets only
/// (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_PKTINFO_EX: i32 = 51;
/// IP_WFP_REDIRECT_RECORDS (60): Windows Filtering Platform redirect records; datagram
/// sockets only (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_WFP_REDIRECT_RECORDS: i32 = 60;
/// IP_WFP_REDIRECT_CONTEXT (70): Windows Filtering Platform redirect context; datagram
/// sockets only (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_WFP_REDIRECT_CONTEXT: i32 = 70;
/// IP_MTU_DISCOVER (71): path-MTU discovery, an [`IP_PMTUDISC_NOT_SET`]… value; reads
/// IP_PMTUDISC_NOT_SET until set; setting a value outside DO / DONT / PROBE is WSAEINVAL.
/// Stored and read back by the sim.
pub const IP_MTU_DISCOVER: i32 = 71;
/// IP_MTU (73): read-only, the path MTU of a connected socket; WSAENOTCONN before
/// `connect`. The sim answers its MSS plus 40 header bytes (1,500 by default).
pub const IP_MTU: i32 = 73;
/// IP_RECVERR (75): ICMP errors are returned as control data; datagram sockets only
/// (WSAEINVAL on a stream socket). Stored and read back by the sim.
pub const IP_RECVERR: i32 = 75;
/// IP_USER_MTU (76): an upper bound the program puts on the path MTU; any socket type.
/// Stored and read back by the sim.
pub const IP_USER_MTU: i32 = 76;
/// IP_PMTUDISC_NOT_SET (0): the value IP_MTU_DISCOVER / IPV6_MTU_DISCOVER read before any
/// set (the system's setting applies); not a value they can be set to.
pub const IP_PMTUDISC_NOT_SET: u32 = 0;
/// IP_PMTUDISC_DO (1): always set DF, never fragment.
pub const IP_PMTUDISC_DO: u32 = 1;
/// IP_PMTUDISC_DONT (2): never set DF.
pub const IP_PMTUDISC_DONT: u32 = 2;
/// IP_PMTUDISC_PROBE (3): set DF, ignore the path MTU.
pub const IP_PMTUDISC_PROBE: u32 = 3;
/// IPV6_HOPOPTS (1): the hop-by-hop options header of outgoing packets, bytes; any socket
/// type. Stored and read back by the sim (none: optlen 0).
pub const IPV6_HOPOPTS: i32 = 1;
/// IPV6_PROTECTION_LEVEL (23): the edge-traversal protection level; any socket type. Stored
/// and read back by the sim.
pub const IPV6_PROTECTION_LEVEL: i32 = 23;
/// IPV6_RECVIF (24): as IP_RECVIF, for IPv6.
pub const IPV6_RECVIF: i32 = 24;
/// IPV6_RECVDSTADDR (25): as IP_RECVDSTADDR, for IPv6.
pub const IPV6_RECVDSTADDR: i32 = 25;
/// IPV6_CHECKSUM (26): the checksum offset of a raw IPv6 socket.
pub const IPV6_CHECKSUM: i32 = 26;
/// IPV6_IFLIST (28): as IP_IFLIST, for IPv6.
pub const IPV6_IFLIST: i32 = 28;
/// IPV6_ADD_IFLIST (29): as IP_ADD_IFLIST, for IPv6.
pub const IPV6_ADD_IFLIST: i32 = 29;
/// IPV6_DEL_IFLIST (30): as IP_DEL_IFLIST, for IPv6.
pub const IPV6_DEL_IFLIST: i32 = 30;
/// IPV6_UNICAST_IF (31): as IP_UNICAST_IF, for IPv6.
pub const IPV6_UNICAST_IF: i32 = 31;
/// IPV6_RTHDR (32): as IP_RTHDR, for IPv6.
pub const IPV6_RTHDR: i32 = 32;
/// IPV6_GET_IFLIST (33): as IP_GET_IFLIST, for IPv6 (WSAEINVAL to `getsockopt`).
pub const IPV6_GET_IFLIST: i32 = 33;
/// IPV6_RECVRTHDR (38): as IP_RECVRTHDR, for IPv6.
pub const IPV6_RECVRTHDR: i32 = 38;
/// IPV6_ECN (50): as IP_ECN, for IPv6.
pub const IPV6_ECN: i32 = 50;
/// IPV6_PKTINFO_EX (51): as IP_PKTINFO_EX, for IPv6.
pub const IPV6_PKTINFO_EX: i32 = 51;
/// IPV6_WFP_REDIRECT_RECORDS (60): as IP_WFP_REDIRECT_RECORDS, for IPv6.
pub const IPV6_WFP_REDIRECT_RECORDS: i32 = 60;
/// IPV6_WFP_REDIRECT_CONTEXT (70): as IP_WFP_REDIRECT_CONTEXT, for IPv6.
pub const IPV6_WFP_REDIRECT_CONTEXT: i32 = 70;
/// IPV6_MTU_DISCOVER (71): as IP_MTU_DISCOVER, for IPv6.
pub const IPV6_MTU_DISCOVER: i32 = 71;
/// IPV6_MTU (72): as IP_MTU, for IPv6 (note: 72, where IP_MTU is 73).
pub const IPV6_MTU: i32 = 72;
/// IPV6_RECVERR (75): as IP_RECVERR, for IPv6.
pub const IPV6_RECVERR: i32 = 75;
/// IPV6_USER_MTU (76): as IP_USER_MTU, for IPv6.
pub const IPV6_USER_MTU: i32 = 76;
/// IPV6_HDRINCL (2): raw sockets only (WSAEINVAL on TCP and UDP, as IP_HDRINCL).
pub const IPV6_HDRINCL: i32 = 2;
/// IPV6_ADD_MEMBERSHIP (12, also IPV6_JOIN_GROUP): join an IPv6 multicast group (set only;
/// optval a 20-byte `ipv6_mreq`, see [`ipv6_mreq`]).
pub const IPV6_ADD_MEMBERSHIP: i32 = 12;
/// IPV6_DROP_MEMBERSHIP (13, also IPV6_LEAVE_GROUP): leave an IPv6 multicast group (set
/// only; optval an `ipv6_mreq`).
pub const IPV6_DROP_MEMBERSHIP: i32 = 13;
/// IPV6_TCLASS (39): the cmsg_type WSARecvMsg uses for the traffic class IPV6_RECVTCLASS
/// asks for.
pub const IPV6_TCLASS: i32 = 39;
/// IPV6_MULTICAST_IF (9): interface index multicast goes out of.
pub const IPV6_MULTICAST_IF: i32 = 9;
/// IPV6_MULTICAST_HOPS (10): hop limit of outgoing multicast (default 1).
pub const IPV6_MULTICAST_HOPS: i32 = 10;
/// IPV6_MULTICAST_LOOP (11): multicast sent is looped back locally (default TRUE).
pub const IPV6_MULTICAST_LOOP: i32 = 11;
/// IPV6_DONTFRAG (14): do not fragment outgoing packets.
pub const IPV6_DONTFRAG: i32 = 14;
/// IPV6_PKTINFO (19): WSARecvMsg returns the packet's destination address.
pub const IPV6_PKTINFO: i32 = 19;
/// IPV6_HOPLIMIT (21): WSARecvMsg returns the packet's hop limit.
pub const IPV6_HOPLIMIT: i32 = 21;
/// IPV6_RECVTCLASS (40): WSARecvMsg returns the packet's traffic class.
pub const IPV6_RECVTCLASS: i32 = 40;
/// SIO_FLUSH (0x28000004): not supported on TCP/UDP sockets (WSAEOPNOTSUPP).
pub const SIO_FLUSH: u32 = 0x2800_0004;
/// IPV6_V6ONLY (27).
pub const IPV6_V6ONLY: i32 = 27;
/// IPV6_UNICAST_HOPS (4).
pub const IPV6_UNICAST_HOPS: i32 = 4;

/// FD_SETSIZE (64): default capacity of an `fd_set`.
pub const FD_SETSIZE: usize = 64;

/// The WinSock version 2.2, as `MAKEWORD(2, 2)`.
pub const WINSOCK_VERSION_2_2: u16 = 0x0202;

/// Windows' default SO_SNDBUF and SO_RCVBUF (64 KiB on current Windows).
pub const DEFAULT_BUFFER_SIZE: usize = 65536;

/// INFINITE (0xFFFFFFFF): wait forever.
pub const INFINITE: u32 = u32::MAX;

/// FD_READ (0x01): data to read (WSAAsyncSelect / WSAEventSelect).
pub const FD_READ: i32 = 0x01;
/// FD_WRITE (0x02): sending possible again.
pub const FD_WRITE: i32 = 0x02;
/// FD_OOB (0x04): urgent data to read.
pub const FD_OOB: i32 = 0x04;
/// FD_ACCEPT (0x08): a connection to accept.
pub const FD_ACCEPT: i32 = 0x08;
/// FD_CONNECT (0x10): a connect attempt completed.
pub const FD_CONNECT: i32 = 0x10;
/// FD_CLOSE (0x20): the connection was closed by the peer (or reset).
pub const FD_CLOSE: i32 = 0x20;
/// FD_READ_BIT (0): index of FD_READ in `iErrorCode`.
pub const FD_READ_BIT: usize = 0;
/// FD_WRITE_BIT (1).
pub const FD_WRITE_BIT: usize = 1;
/// FD_OOB_BIT (2).
pub const FD_OOB_BIT: usize = 2;
/// FD_ACCEPT_BIT (3).
pub const FD_ACCEPT_BIT: usize = 3;
/// FD_CONNECT_BIT (4).
pub const FD_CONNECT_BIT: usize = 4;
/// FD_CLOSE_BIT (5).
pub const FD_CLOSE_BIT: usize = 5;
/// FD_MAX_EVENTS (10): size of `WSANETWORKEVENTS::iErrorCode`.
pub const FD_MAX_EVENTS: usize = 10;
/// FD_ALL_EVENTS: every event bit WinSock defines.
pub const FD_ALL_EVENTS: i32 = (1 << FD_MAX_EVENTS) - 1;

/// WSA_MAXIMUM_WAIT_EVENTS (64): most events one `WSAWaitForMultipleEvents` takes.
pub const WSA_MAXIMUM_WAIT_EVENTS: usize = 64;
/// WSA_WAIT_EVENT_0 (0): first "event N signalled" result.
pub const WSA_WAIT_EVENT_0: u32 = 0;
/// WSA_WAIT_IO_COMPLETION (0xC0 = WAIT_IO_COMPLETION): an alertable wait ran APCs.
pub const WSA_WAIT_IO_COMPLETION: u32 = 0xC0;
/// WSA_WAIT_TIMEOUT (258 = WAIT_TIMEOUT): the wait timed out.
pub const WSA_WAIT_TIMEOUT: u32 = 258;
/// WSA_INFINITE: wait forever.
pub const WSA_INFINITE: u32 = INFINITE;

/// WM_USER (0x0400): first private window message number.
pub const WM_USER: u32 = 0x0400;
/// WM_QUIT (0x0012): ends a message loop (`GetMessage` returns FALSE).
pub const WM_QUIT: u32 = 0x0012;
/// WM_TIMER (0x0113): a window timer (`SetTimer`) is due; wParam is its id.
pub const WM_TIMER: u32 = 0x0113;
/// USER_TIMER_MINIMUM (10 ms): the shortest window timer period (`SetTimer` raises less to it).
pub const USER_TIMER_MINIMUM: u32 = 0x0000_000A;
/// USER_TIMER_MAXIMUM (0x7FFFFFFF ms): the longest window timer period.
pub const USER_TIMER_MAXIMUM: u32 = 0x7FFF_FFFF;
/// QS_POSTMESSAGE (0x0008): a posted message is in the queue (a wake mask bit of
/// `MsgWaitForMultipleObjectsEx`).
pub const QS_POSTMESSAGE: u32 = 0x0008;
/// QS_TIMER (0x0010): a WM_TIMER is due.
pub const QS_TIMER: u32 = 0x0010;
/// QS_ALLPOSTMESSAGE (0x0100): a posted message is in the queue (cleared only by an
/// unfiltered GetMessage or PeekMessage).
pub const QS_ALLPOSTMESSAGE: u32 = 0x0100;
/// QS_SMRESULT (0x8000): a reply to a SendMessage is waiting (the API sends none; accepted
/// by `GetQueueStatus`).
pub const QS_SMRESULT: u32 = 0x8000;
/// The bits `GetQueueStatus` accepts: QS_ALLINPUT as Windows 8 and later define it (with
/// QS_TOUCH 0x0800 and QS_POINTER 0x1000), QS_ALLPOSTMESSAGE and QS_SMRESULT; any other is
/// ERROR_INVALID_FLAGS.
pub const QS_VALID_FLAGS: u32 = 0x1CFF | QS_ALLPOSTMESSAGE | QS_SMRESULT;
/// QS_ALLEVENTS (0x04BF): input, WM_TIMER, WM_PAINT, hot keys and posted messages.
pub const QS_ALLEVENTS: u32 = 0x04BF;
/// QS_ALLINPUT (0x04FF): any message.
pub const QS_ALLINPUT: u32 = 0x04FF;
/// MWMO_WAITALL (0x1): `MsgWaitForMultipleObjectsEx` waits for every object and input.
pub const MWMO_WAITALL: u32 = 0x0001;
/// MWMO_ALERTABLE (0x2): the wait runs queued APCs and returns WAIT_IO_COMPLETION.
pub const MWMO_ALERTABLE: u32 = 0x0002;
/// MWMO_INPUTAVAILABLE (0x4): input already in the queue counts, not only new input.
pub const MWMO_INPUTAVAILABLE: u32 = 0x0004;
/// PM_NOREMOVE (0): `PeekMessage` leaves the message queued.
pub const PM_NOREMOVE: u32 = 0;
/// PM_REMOVE (1): `PeekMessage` removes the message.
pub const PM_REMOVE: u32 = 1;

/// WSAMAKESELECTREPLY(event, error): the `lParam` of a WSAAsyncSelect message.
pub const fn wsa_make_select_reply(event: i32, error: i32) -> isize {
    ((event as u32 & 0xffff) | ((error as u32 & 0xffff) << 16)) as i32 as isize
}

/// WSAGETSELECTEVENT(lParam): the FD_* bit of a WSAAsyncSelect message.
pub const fn wsa_get_select_event(lparam: isize) -> i32 {
    (lparam as u32 & 0xffff) as i32
}

/// WSAGETSELECTERROR(lParam): the error code of a WSAAsyncSelect message.
pub const fn wsa_get_select_error(lparam: isize) -> i32 {
    ((lparam as u32 >> 16) & 0xffff) as i32
}

/// POLLERR (0x0001): an error or a reset (WSAPoll output only).
pub const POLLERR: i16 = 0x0001;
/// POLLHUP (0x0002): the connection was closed or shut down by the peer (output only).
pub const POLLHUP: i16 = 0x0002;
/// POLLNVAL (0x0004): the entry is not a socket (output only).
pub const POLLNVAL: i16 = 0x0004;
/// POLLWRNORM (0x0010): normal data can be sent.
pub const POLLWRNORM: i16 = 0x0010;
/// POLLOUT: POLLWRNORM.
pub const POLLOUT: i16 = POLLWRNORM;
/// POLLWRBAND (0x0020): priority data can be sent (not valid in `events` on Windows).
pub const POLLWRBAND: i16 = 0x0020;
/// POLLRDNORM (0x0100): normal data (or a connection to accept) can be read.
pub const POLLRDNORM: i16 = 0x0100;
/// POLLRDBAND (0x0200): urgent (out-of-band) data can be read.
pub const POLLRDBAND: i16 = 0x0200;
/// POLLIN: POLLRDNORM | POLLRDBAND.
pub const POLLIN: i16 = POLLRDNORM | POLLRDBAND;
/// POLLPRI (0x0400): not valid in `events` on Windows.
pub const POLLPRI: i16 = 0x0400;

/// SIO_KEEPALIVE_VALS (0x98000004): set keep-alive (struct tcp_keepalive: onoff, time ms,
/// interval ms, 12 bytes): turns SO_KEEPALIVE on or off and sets TCP_KEEPALIVE and
/// TCP_KEEPINTVL to the millisecond; the sim probes with these times.
pub const SIO_KEEPALIVE_VALS: u32 = 0x9800_0004;
/// SIO_IDEAL_SEND_BACKLOG_QUERY (0x4004747B): the ideal amount of unacknowledged data.
pub const SIO_IDEAL_SEND_BACKLOG_QUERY: u32 = 0x4004_747B;
/// SIO_IDEAL_SEND_BACKLOG_CHANGE (0x2000747A, `_IO('t', 122)`): completes when the ideal
/// send backlog of the connection changes (then query it again). A connected stream socket
/// only (else WSAEOPNOTSUPP / WSAENOTCONN, checked at once). Overlapped it pends
/// (WSA_IO_PENDING); without OVERLAPPED a nonblocking socket gets WSAEWOULDBLOCK and a
/// blocking one waits. The sim's ideal send backlog never changes, so it completes only
/// when cancelled or its socket is closed (ERROR_OPERATION_ABORTED), as
/// [`SIO_ADDRESS_LIST_CHANGE`] does.
pub const SIO_IDEAL_SEND_BACKLOG_CHANGE: u32 = 0x2000_747A;
/// SIO_BASE_HANDLE (0x48000022): the base provider's socket (the socket itself here).
pub const SIO_BASE_HANDLE: u32 = 0x4800_0022;
/// SIO_ADDRESS_LIST_QUERY (0x48000016): the local interface addresses of the socket's
/// family as a `SOCKET_ADDRESS_LIST` (`api::address_list`); an output buffer too small for
/// it: WSAEFAULT, with the size needed in cbBytesReturned (1 to 3 bytes: WSAEINVAL). The sim
/// lists the host's addresses, loopback excluded.
pub const SIO_ADDRESS_LIST_QUERY: u32 = 0x4800_0016;
/// SIO_ADDRESS_LIST_CHANGE (0x28000017): completes when the local address list changes.
/// Overlapped it pends (WSA_IO_PENDING); without OVERLAPPED it is WSAEWOULDBLOCK on a
/// nonblocking socket and blocks on a blocking one. The sim's hosts never change their
/// addresses, so it completes only when cancelled or its socket is closed
/// (ERROR_OPERATION_ABORTED).
pub const SIO_ADDRESS_LIST_CHANGE: u32 = 0x2800_0017;
/// SIO_ENABLE_CIRCULAR_QUEUEING (0x28000002): a full receive queue drops its oldest datagram
/// instead of the new one. Accepted on datagram sockets, with or without buffers (sock.c
/// test_circular_queueing); other sockets: WSAEOPNOTSUPP. The sim then evicts the oldest
/// queued datagrams until an arriving one fits SO_RCVBUF (one larger than SO_RCVBUF is still
/// dropped, and evicts nothing).
pub const SIO_ENABLE_CIRCULAR_QUEUEING: u32 = 0x2800_0002;
/// SIO_UDP_CONNRESET (0x9800000C, `_WSAIOW(IOC_VENDOR, 12)`): whether an ICMP port
/// unreachable for an earlier datagram is reported, as WSAECONNRESET on the next receive
/// (ERROR_PORT_UNREACHABLE for an overlapped one) and readability for select. The input is a
/// BOOL; on by default. The sim reads its first byte, as AFD reads a BOOLEAN (a one-byte
/// buffer is accepted, as .NET's widespread `IOControl(SIO_UDP_CONNRESET, new byte[] {0})`
/// relies on); no input: WSAEFAULT; a socket other than UDP: WSAEOPNOTSUPP. Turned off, the
/// sim drops port-unreachable replies that arrive afterwards; one already recorded is still
/// reported.
pub const SIO_UDP_CONNRESET: u32 = 0x9800_000C;
/// SIO_UDP_NETRESET (0x9800000F, `_WSAIOW(IOC_VENDOR, 15)`): whether an ICMP "TTL expired"
/// is reported as WSAENETRESET. Accepted on UDP sockets exactly as [`SIO_UDP_CONNRESET`]; the
/// simulated network never expires a datagram's TTL, so there is never anything to report.
pub const SIO_UDP_NETRESET: u32 = 0x9800_000F;
/// SIO_TCP_INITIAL_RTO (0x98000011, `_WSAIOW(IOC_VENDOR, 17)`): the SYN retransmission
/// timeout and the number of SYN retransmissions of the socket's next connection attempts
/// (a [`TcpInitialRtoParameters`](crate::api::TcpInitialRtoParameters), 4 bytes). Stream
/// sockets only (others: WSAEOPNOTSUPP); a shorter input: WSAEFAULT. The sim times the SYN
/// retransmissions of a connect begun afterwards with them (the first after three times
/// `Rtt`, then doubling, at most 60 s), and counts each RST answer's retry as one of them: with [`TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS`] a refused connect
/// fails at once, as libuv, Go and curl rely on for loopback.
pub const SIO_TCP_INITIAL_RTO: u32 = 0x9800_0011;
/// SIO_TCP_SET_ACK_FREQUENCY (0x98000017, `_WSAIOW(IOC_VENDOR, 23)`): a DWORD; 1 makes the
/// socket's TCP acknowledge every data segment at once (no delayed ACK: what latency-bound
/// servers use in place of TCP_QUICKACK), 0 restores Windows' default of every second
/// segment. Other values: WSAEINVAL (Cygwin's measurement: only 0 and 1 are accepted);
/// a shorter input WSAEFAULT; not a stream socket WSAEOPNOTSUPP. The sim applies it to the
/// socket's connection at once, and to connections it makes or accepts later.
pub const SIO_TCP_SET_ACK_FREQUENCY: u32 = 0x9800_0017;
/// TCP_INITIAL_RTO_UNSPECIFIED_RTT (`(USHORT)-1`): keep the configured initial RTT (3 s).
pub const TCP_INITIAL_RTO_UNSPECIFIED_RTT: u16 = 0xFFFF;
/// TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS (`(UCHAR)-1`): keep the configured
/// number of SYN retransmissions (2).
pub const TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS: u8 = 0xFF;
/// TCP_INITIAL_RTO_DEFAULT_RTT (0): the system's default initial RTT (3 s in the sim).
pub const TCP_INITIAL_RTO_DEFAULT_RTT: u16 = 0;
/// TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS (0): the system's default number of SYN
/// retransmissions (2 in the sim).
pub const TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS: u8 = 0;
/// TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS (`(USHORT)-2`, so 0xFE in the UCHAR
/// `MaxSynRetransmissions`): the SYN is never retransmitted, nor retried after an RST.
pub const TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS: u16 = 0xFFFE;
/// FIOASYNC (0x8004667D): not supported by WinSock (WSAEOPNOTSUPP).
pub const FIOASYNC: u32 = 0x8004_667D;

/// TF_DISCONNECT (0x01): TransmitFile closes the sending direction once everything is queued
/// (as DisconnectEx does).
pub const TF_DISCONNECT: u32 = 0x01;
/// TF_REUSE_SOCKET (0x02): DisconnectEx prepares the socket handle for reuse by AcceptEx or
/// ConnectEx.
pub const TF_REUSE_SOCKET: u32 = 0x02;

/// MSG_TRUNC (0x0100): WSARecvMsg's `dwFlags` on return: the datagram was larger than the
/// buffers and the rest was discarded.
pub const MSG_TRUNC: u32 = 0x0100;
/// MSG_CTRUNC (0x0200): WSARecvMsg's `dwFlags` on return: the control data did not fit in
/// `Control.len` bytes.
pub const MSG_CTRUNC: u32 = 0x0200;
/// MSG_BCAST (0x0400): WSARecvMsg's `dwFlags`: the datagram was sent to a broadcast address.
pub const MSG_BCAST: u32 = 0x0400;
/// MSG_MCAST (0x0800): WSARecvMsg's `dwFlags`: the datagram was sent to a multicast address.
pub const MSG_MCAST: u32 = 0x0800;

/// `struct ip_mreq { IN_ADDR imr_multiaddr; IN_ADDR imr_interface; }` as the 8 bytes
/// `setsockopt(IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP)` takes (addresses in network order;
/// an `imr_interface` of 0.0.0.0 is the default interface, 0.x.y.z an interface index).
pub fn ip_mreq(group: [u8; 4], interface: [u8; 4]) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&group);
    b[4..].copy_from_slice(&interface);
    b
}

/// `struct ipv6_mreq { IN6_ADDR ipv6mr_multiaddr; ULONG ipv6mr_interface; }` as the 20 bytes
/// `setsockopt(IPV6_ADD_MEMBERSHIP / IPV6_DROP_MEMBERSHIP)` takes (interface index 0: the
/// default interface).
pub fn ipv6_mreq(group: [u8; 16], interface: u32) -> [u8; 20] {
    let mut b = [0u8; 20];
    b[..16].copy_from_slice(&group);
    b[16..].copy_from_slice(&interface.to_le_bytes());
    b
}
