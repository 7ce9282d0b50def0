//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_addr_to_print` (commit 027d7db8,
//! lines 1093–1223), facts only: the text `inet_ntop` gives for IPv4 and IPv6 addresses
//! (leading and trailing zero groups compressed, an IPv4-compatible address in dotted form),
//! WSAEAFNOSUPPORT for another family, and a buffer length too small for the text and its
//! NUL refused (STATUS_INVALID_PARAMETER, or WSAEINVAL as Windows 7 and the API report it).
//!
//! Counted in `ok()` calls as Windows executes them (there is no loop).
//!
//! | part of test_addr_to_print                                      | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | `inet_ntoa` of 0.0.0.0 and 21.16.32.32, 1112–1123               |      4 |               0 |       0 |
//! | `inet_ntop(AF_INET)` of 21.16.32.32, 1133–1135                  |      2 |               0 |       0 |
//! | family 1: WSAEAFNOSUPPORT, 1137–1140                            |      2 |               0 |       0 |
//! | IPv4 into a NULL buffer, 1142–1147                              |      0 |               2 |       0 |
//! | IPv4 buffer lengths 0, 6 (refused) and 17 (taken), 1149–1170    |      6 |               0 |       0 |
//! | three IPv6 addresses, 1172–1190                                 |      6 |               0 |       0 |
//! | IPv6 into a NULL buffer, 1192–1200                              |      0 |               2 |       0 |
//! | IPv6 buffer lengths 0, 16 (refused) and 18 (taken), 1202–1222   |      5 |               0 |       0 |
//! | **total**                                                       |     25 |               4 |       0 |
//!
//! Each `ok(pdst != NULL)` / `ok(!strcmp(..))` pair is one `assert_eq!` on `Ok(text)`; the
//! error a failed call stores as the last error is `inet_ntop`'s `Err` value.
//!
//! Not expressible: a NULL destination buffer (2 × 2): the API's `inet_ntop` returns the
//! text as a `String` and takes only the buffer's length. (`inet_ntoa`, counted not
//! expressible before the API had it, is ported.)
//!
//! Also checked elsewhere, with other values: `tests/name_resolution.rs` `inet_pton_and_ntop`
//! (lengths 9 and 10 for 192.0.2.1, family 12345).
use winsock_sim::prelude::*;

/// 1103–1104: 0x20201015 as a `u_long` in memory (little-endian): 21.16.32.32.
const ADDR1: [u8; 4] = 0x2020_1015u32.to_le_bytes();
/// 1105–1106: zeros, then ff fe cc 98 bd 74.
const ADDR2: [u8; 16] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0xcc, 0x98, 0xbd, 0x74,
];
/// 1107–1108: 20 30 a4 b1, then zeros.
const ADDR3: [u8; 16] = [0x20, 0x30, 0xa4, 0xb1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// 1109–1110: twelve zero bytes, then cc 98 bd 74 (an IPv4-compatible address).
const ADDR4: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcc, 0x98, 0xbd, 0x74];

#[test]
fn inet_ntoa_agrees_with_inet_ntop() {
    // 1114–1123: inet_ntoa of 0.0.0.0 and of 21.16.32.32 (the in_addr's bytes as in memory,
    // which is what the API's network-order u32 holds), the text inet_ntop gives below.
    assert_eq!(inet_ntoa(0), "0.0.0.0", "protocol.c 1116");
    let addr1 = u32::from_ne_bytes(ADDR1);
    assert_eq!(inet_ntoa(addr1), "21.16.32.32", "protocol.c 1122");
    assert_eq!(
        inet_ntop(AF_INET, &ADDR1, 16).as_deref(),
        Ok(inet_ntoa(addr1).as_str())
    );
}

#[test]
fn ipv4_text_and_buffer_lengths() {
    // Proves: inet_ntop(AF_INET) gives dotted decimal; family 1 is WSAEAFNOSUPPORT; a buffer
    // of 0 or 6 bytes is refused with WSAEINVAL, one of 17 taken (protocol.c 1132–1170).
    // 1133–1135: into a 16-byte buffer.
    assert_eq!(inet_ntop(AF_INET, &ADDR1, 16).as_deref(), Ok("21.16.32.32"));
    // 1138–1140: family 1 (AF_UNIX).
    assert_eq!(inet_ntop(1, &ADDR1, 16), Err(WsaError::WSAEAFNOSUPPORT));
    // 1150–1154 and 1158–1162: lengths 0 and 6 are too small.
    for (line, len) in [(1152, 0), (1160, 6)] {
        assert_eq!(
            inet_ntop(AF_INET, &ADDR1, len),
            Err(WsaError::WSAEINVAL),
            "protocol.c {line}: length {len}"
        );
    }
    // 1166–1170: a length larger than the buffer's declared size is fine.
    assert_eq!(inet_ntop(AF_INET, &ADDR1, 17).as_deref(), Ok("21.16.32.32"));
}

#[test]
fn ipv6_text_and_buffer_lengths() {
    // Proves: inet_ntop(AF_INET6) compresses the longest zero run at the front or the end,
    // writes an IPv4-compatible address (::a.b.c.d) in dotted form; a buffer of 0 or 16
    // bytes (one short of "::fffe:cc98:bd74" and its NUL) is refused with WSAEINVAL, one of
    // 18 taken (protocol.c 1172–1222).
    for (line, addr, text) in [
        (1176, ADDR2, "::fffe:cc98:bd74"),
        (1182, ADDR3, "2030:a4b1::"),
        (1188, ADDR4, "::204.152.189.116"),
    ] {
        assert_eq!(
            inet_ntop(AF_INET6, &addr, 64).as_deref(),
            Ok(text),
            "protocol.c {line}-{}",
            line + 2
        );
    }
    // 1203–1207 and 1211–1215: lengths 0 and 16 are too small.
    for (line, len) in [(1205, 0), (1213, 16)] {
        assert_eq!(
            inet_ntop(AF_INET6, &ADDR2, len),
            Err(WsaError::WSAEINVAL),
            "protocol.c {line}: length {len}"
        );
    }
    // 1219–1222: 18 is enough.
    assert_eq!(
        inet_ntop(AF_INET6, &ADDR2, 18).as_deref(),
        Ok("::fffe:cc98:bd74")
    );
}
