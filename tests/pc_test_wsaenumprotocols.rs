//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_WSAEnumProtocolsA` (commit 027d7db8,
//! lines 80–145) and `test_WSAEnumProtocolsW` (147–212), with their helper
//! `test_service_flags` (61–78), facts only: sizing with WSAENOBUFS, every entry named and
//! TCP/UDP over IP carrying Windows' service flags, and a protocol list with unknown values
//! (ended by its 0) giving TCP and UDP entries only.
//!
//! The two functions test the same behaviour through the A call (372-byte entries) and the W
//! call (628-byte entries); the API has both calls, so both are ported, by one body.
//!
//! Counted in `ok()` calls as Windows executes them; the loop over the entries a call
//! returns (107–114, 174–181) is counted once (its name check and `test_service_flags`'
//! check, 74), since how many entries Windows lists varies by machine.
//!
//! | part                                                                  | ported | not expressible | failing |
//! |-----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | A: no buffer, length 0: WSAENOBUFS, 87–90                             |      2 |               0 |       0 |
//! | A: a buffer, length 0: WSAENOBUFS, 92–97                              |      2 |               0 |       0 |
//! | A: the whole catalogue; each entry named, TCP/UDP flags, 99–117       |      3 |               0 |       0 |
//! | A: the list {0xdead, TCP, 0xcafe, UDP, 0xbeef, 0}, no buffer, 119–123 |      0 |               2 |       0 |
//! | A: the list into a buffer: at least 2 entries, only TCP and UDP, 125–144 | 3 |               0 |       0 |
//! | W: no buffer, length 0: WSAENOBUFS, 154–157 (conformance `PI-enum`)   |      2 |               0 |       0 |
//! | W: a buffer, length 0: WSAENOBUFS, 159–164                            |      2 |               0 |       0 |
//! | W: the whole catalogue; each entry named, TCP/UDP flags, 166–184      |      3 |               0 |       0 |
//! | W: the list, no buffer, 186–190                                       |      0 |               2 |       0 |
//! | W: the list into a buffer, 192–211                                    |      3 |               0 |       0 |
//! | **total**                                                             |     20 |               4 |       0 |
//!
//! Not expressible, per kind: a NULL buffer with a length large enough (119–123, 186–190:
//! the length left by the whole-catalogue call; Windows fails it with WSAENOBUFS for want of a
//! buffer): the API takes the buffer's length only, not the buffer, so a length that is large
//! enough always succeeds (2 × 2). The length a NULL buffer reports is still used: the list's
//! call into a buffer gets the length a failed call asked for.
//!
//! Already ported elsewhere: 154–157 (W into no buffer, WSAENOBUFS) is conformance rule
//! `PI-enum` (`tests/conformance_suite/protocol_info.rs`), counted as ported there and not
//! repeated here; that rule's other checks (TCP and UDP over IPv4 listed, a UDP-only list)
//! overlap the rows below without matching them.
mod common;

use winsock_sim::api::protocol_info::{
    WsaProtocolInfo, SZ_PROTOCOL_OFFSET, TCP_SERVICE_FLAGS, UDP_SERVICE_FLAGS, XP1_QOS_SUPPORTED,
};
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// The A or the W call.
#[derive(Clone, Copy, Debug)]
enum Form {
    A,
    W,
}

impl Form {
    fn call(
        self,
        ws: &SimWinsock,
        protocols: Option<&[i32]>,
        len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        match self {
            Form::A => ws.wsa_enum_protocols_a(protocols, len),
            Form::W => ws.wsa_enum_protocols_w(protocols, len),
        }
    }

    /// The first character of `szProtocol` as the structure stores it (0: an empty name).
    fn first_name_char(self, e: &WsaProtocolInfo) -> u16 {
        match self {
            Form::A => u16::from(e.encode_a()[SZ_PROTOCOL_OFFSET]),
            Form::W => {
                let b = e.encode_w();
                u16::from_le_bytes([b[SZ_PROTOCOL_OFFSET], b[SZ_PROTOCOL_OFFSET + 1]])
            }
        }
    }

    /// The protocol.c line of an A-function line `a` in this form (W's lines are 67 on).
    fn line(self, a: u32) -> u32 {
        match self {
            Form::A => a,
            Form::W => a + 67,
        }
    }
}

/// The list of 85/152: unknown protocols around TCP and UDP, ended by 0.
const PTEST: [i32; 6] = [0xdead, IPPROTO_TCP, 0xcafe, IPPROTO_UDP, 0xbeef, 0];

/// Expects WSAENOBUFS, as the result and as the last error.
fn no_buffers(ws: &SimWinsock, r: Result<Vec<WsaProtocolInfo>, WsaError>, at: &str) {
    assert_eq!(r, Err(WsaError::WSAENOBUFS), "{at}: the call");
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WSAENOBUFS.code(),
        "{at}: WSAGetLastError"
    );
}

/// `test_service_flags` (61–78): TCP and UDP over IPv4/IPv6, version 2, carry Windows'
/// flags (QoS masked: it may or may not be installed).
fn service_flags(e: &WsaProtocolInfo, at: &str) {
    let expected = match (e.socket_type, e.protocol) {
        (SOCK_STREAM, IPPROTO_TCP) => TCP_SERVICE_FLAGS,
        (SOCK_DGRAM, IPPROTO_UDP) => UDP_SERVICE_FLAGS,
        _ => return,
    };
    if (e.address_family == AF_INET || e.address_family == AF_INET6) && e.version == 2 {
        assert_eq!(
            e.service_flags1 & !XP1_QOS_SUPPORTED,
            expected,
            "74 ({at}): flags of {}",
            e.protocol_name
        );
    }
}

fn check(ws: &SimWinsock, form: Form) {
    let l = |a: u32| format!("{} ({form:?})", form.line(a));
    let mut len = 0u32;
    if let Form::A = form {
        // 87–90: no buffer, length 0: WSAENOBUFS (W: conformance PI-enum).
        no_buffers(ws, form.call(ws, None, &mut len), &l(88));
    }
    // 92–97: a one-entry buffer with its length given as 0: WSAENOBUFS, and the length
    // becomes what the whole catalogue needs.
    len = 0;
    no_buffers(ws, form.call(ws, None, &mut len), &l(95));
    // 99–117: into a buffer of that length: success, every entry named, TCP/UDP flags.
    let all = form
        .call(ws, None, &mut len)
        .unwrap_or_else(|e| panic!("{}: {e}", l(104)));
    assert!(!all.is_empty(), "{}: entries listed", l(104));
    for e in &all {
        assert_ne!(form.first_name_char(e), 0, "{}: a protocol name", l(109));
        service_flags(e, &l(110));
    }
    // 119–123 (not expressible: a NULL buffer with this length). The length such a call
    // reports, for the list:
    let mut len = 0u32;
    no_buffers(ws, form.call(ws, Some(&PTEST), &mut len), "the list's size");
    // 125–144: into a buffer of that length: success, at least 2 entries, and of the list's
    // values only TCP (bit 1) and UDP (bit 3) are found.
    let got = form
        .call(ws, Some(&PTEST), &mut len)
        .unwrap_or_else(|e| panic!("{}: {e}", l(130)));
    assert!(got.len() >= 2, "{}: {} entries", l(132), got.len());
    let found = got.iter().fold(0u32, |bits, e| {
        match PTEST.iter().position(|&p| p == e.protocol) {
            Some(j) => bits | 1 << j,
            None => bits,
        }
    });
    assert_eq!(found, 0x0A, "{}: the list's values found", l(141));
}

#[test]
fn wsa_enum_protocols_a() {
    // Proves: WSAEnumProtocolsA sizes with WSAENOBUFS, names every entry, gives TCP and UDP
    // over IP Windows' service flags, and filters by a 0-ended list of protocols
    // (protocol.c 80–145).
    common::run(|ws| {
        check(ws, Form::A);
        Ok(())
    });
}

#[test]
fn wsa_enum_protocols_w() {
    // Proves: the same for WSAEnumProtocolsW (protocol.c 147–212).
    common::run(|ws| {
        check(ws, Form::W);
        Ok(())
    });
}
