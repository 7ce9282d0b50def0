//! The argument rules of `socket(af, type, protocol)`, shared by every backend so that an
//! invalid triple gives the error Windows gives before any OS or simulated state is touched.

use super::consts::*;
use super::WsaError;

/// Windows' validation of `socket(af, type, protocol)` (conformance ER-03), shared by every
/// backend: the resolved (family, type, protocol), or the error Windows gives.
pub(crate) fn resolve_socket_args(
    af: i32,
    ty: i32,
    proto: i32,
) -> Result<(i32, i32, i32), WsaError> {
    use WsaError::*;
    let known_ty = matches!(ty, 0 | SOCK_STREAM | SOCK_DGRAM);
    let known_proto = matches!(proto, 0 | IPPROTO_TCP | IPPROTO_UDP);
    match af {
        AF_INET | AF_INET6 => {}
        AF_UNSPEC if !known_ty => {
            return Err(if known_proto && proto != 0 {
                WSAESOCKTNOSUPPORT
            } else if proto == 0 {
                WSAEINVAL
            } else {
                WSAEPROTONOSUPPORT
            })
        }
        AF_UNSPEC if !known_proto => return Err(WSAEPROTONOSUPPORT),
        AF_UNSPEC if proto == 0 => return Err(WSAEINVAL),
        // (AF_UNSPEC, type, TCP/UDP) picks AF_INET (Windows before 11).
        AF_UNSPEC => return resolve_socket_args(AF_INET, ty, proto),
        _ if !known_ty && known_proto => return Err(WSAESOCKTNOSUPPORT),
        _ => return Err(WSAEAFNOSUPPORT),
    }
    match (ty, proto) {
        // Raw sockets need administrator rights; the process is taken as unprivileged, where
        // Windows refuses them at creation (sock.c test_WSASocket, test_icmp, the raw half of
        // test_ipv4_cmsg).
        (SOCK_RAW, _) => Err(WSAEACCES),
        (0 | SOCK_STREAM, 0 | IPPROTO_TCP) => Ok((af, SOCK_STREAM, IPPROTO_TCP)),
        (0 | SOCK_DGRAM, IPPROTO_UDP) | (SOCK_DGRAM, 0) => Ok((af, SOCK_DGRAM, IPPROTO_UDP)),
        (0 | SOCK_STREAM | SOCK_DGRAM, _) => Err(WSAEPROTONOSUPPORT),
        _ => Err(WSAESOCKTNOSUPPORT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WsaError::*;

    const BAD: i32 = 0xdead;

    #[test]
    fn er_03_socket_argument_table() {
        type Case = (i32, i32, i32, Result<(i32, i32, i32), WsaError>);
        let cases: &[Case] = &[
            (BAD, SOCK_STREAM, 0, Err(WSAEAFNOSUPPORT)),
            (-1, SOCK_STREAM, 0, Err(WSAEAFNOSUPPORT)),
            (AF_INET, BAD, 0, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
            (BAD, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
            (BAD, SOCK_STREAM, BAD, Err(WSAEAFNOSUPPORT)),
            (AF_INET, BAD, BAD, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, SOCK_STREAM, IPPROTO_UDP, Err(WSAEPROTONOSUPPORT)),
            (AF_INET, SOCK_DGRAM, IPPROTO_TCP, Err(WSAEPROTONOSUPPORT)),
            (AF_INET, SOCK_RAW, 1, Err(WSAEACCES)),
            (AF_INET, 0, 0, Ok((AF_INET, SOCK_STREAM, IPPROTO_TCP))),
            (
                AF_INET,
                SOCK_STREAM,
                0,
                Ok((AF_INET, SOCK_STREAM, IPPROTO_TCP)),
            ),
            (
                AF_INET,
                SOCK_DGRAM,
                0,
                Ok((AF_INET, SOCK_DGRAM, IPPROTO_UDP)),
            ),
            (
                AF_INET,
                0,
                IPPROTO_TCP,
                Ok((AF_INET, SOCK_STREAM, IPPROTO_TCP)),
            ),
            (
                AF_INET,
                0,
                IPPROTO_UDP,
                Ok((AF_INET, SOCK_DGRAM, IPPROTO_UDP)),
            ),
            (AF_INET, BAD, 0, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, 0, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, SOCK_STREAM, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, SOCK_DGRAM, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, BAD, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, 0, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, 0, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, BAD, IPPROTO_UDP, Err(WSAESOCKTNOSUPPORT)),
            (
                AF_UNSPEC,
                SOCK_STREAM,
                IPPROTO_TCP,
                Ok((AF_INET, SOCK_STREAM, IPPROTO_TCP)),
            ),
            (
                AF_UNSPEC,
                0,
                IPPROTO_TCP,
                Ok((AF_INET, SOCK_STREAM, IPPROTO_TCP)),
            ),
            (
                AF_UNSPEC,
                0,
                IPPROTO_UDP,
                Ok((AF_INET, SOCK_DGRAM, IPPROTO_UDP)),
            ),
            (
                AF_INET6,
                SOCK_STREAM,
                0,
                Ok((AF_INET6, SOCK_STREAM, IPPROTO_TCP)),
            ),
        ];
        for &(af, ty, proto, want) in cases {
            assert_eq!(
                resolve_socket_args(af, ty, proto),
                want,
                "socket({af:#x}, {ty:#x}, {proto:#x})"
            );
        }
    }
}
