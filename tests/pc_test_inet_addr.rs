//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_inet_addr` and `test_inet_ntoa` (Wine
//! 11's file, as the Kron4ek/wine-tkg mirror holds it at e6d69978: lines 657–775), facts
//! only: the address `inet_addr` reads from each of 51 strings, which character after "1.2.3"
//! ends an address (white space) and which spoils it (anything else but a digit), and the
//! text `inet_ntoa` writes.
//!
//! Counted in `ok()` calls as Windows executes them, each loop body once per row.
//!
//! | part                                                         | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | `test_inet_addr`: NULL, 750–753                              |      0 |               2 |       0 |
//! | `test_inet_addr`: the table, 754–762 (51 × 2)                |     51 |              51 |       0 |
//! | `test_inet_addr`: "1.2.3" and each non-digit 1–255, 764–774  |    245 |               0 |       0 |
//! | `test_inet_ntoa` and its thread, 640–683                     |      4 |               1 |       0 |
//! | **total**                                                    |    300 |              54 |       0 |
//!
//! Not expressible: a NULL string (the API takes a slice; Windows returns INADDR_NONE and sets
//! WSAEFAULT); the last error `inet_addr` leaves untouched (a pure function, there is nothing
//! to observe); and that a second thread's `inet_ntoa` leaves the first thread's string alone
//! (Windows' buffer is per thread; here each call returns its own `String`).
use winsock_sim::prelude::*;

/// protocol.c test_inet_addr's table (693–744): a string and the address Windows reads, as
/// the test's x86 machine reads `S_addr` (the octets' bytes in memory, little-endian).
const ROWS: &[(&[u8], u32)] = &[
    (b"1.2.3.4", 0x04030201),
    (b"1 2 3 4", 0x01000000),
    (b"1.2.3. 4", 0xffffffff),
    (b"1.2.3 .4", 0x03000201),
    (b"1.2.3 \xfe\xff", 0x03000201),
    (b"3.4.5.6.7", 0xffffffff),
    (b"3.4.5.6. 7", 0xffffffff),
    (b"3.4.5.6  7", 0x06050403),
    (b" 3.4.5.6", 0xffffffff),
    (b"\t3.4.5.6", 0xffffffff),
    (b"3.4.5.6 ", 0x06050403),
    (b"3.4.5.6  ", 0x06050403),
    (b"3. 4.5.6", 0xffffffff),
    (b"3 .4.5.6", 0x03000000),
    (b"1.2.3", 0x03000201),
    (b".1.2.3", 0xffffffff),
    (b"0.0.0.0", 0x00000000),
    (b"", 0xffffffff),
    (b" 0", 0xffffffff),
    (b"0xa1a2b3b4 ", 0xb4b3a2a1),
    (b".", 0xffffffff),
    (b" ", 0x00000000),
    (b"\t", 0xffffffff),
    (b"  ", 0xffffffff),
    (b"127.127.127.255", 0xff7f7f7f),
    (b"127.127.127.255:123", 0xffffffff),
    (b"127.127.127.256", 0xffffffff),
    (b"a", 0xffffffff),
    (b"1.2.3.0xaA", 0xaa030201),
    (b"1.1.1.0x", 0xffffffff),
    (b"1.2.3.010", 0x08030201),
    (b"1.2.3.00", 0x00030201),
    (b"1.2.3.0a", 0xffffffff),
    (b"1.1.1.0o10", 0xffffffff),
    (b"1.1.1.0b10", 0xffffffff),
    (b"1.1.1.-2", 0xffffffff),
    (b"1", 0x01000000),
    (b"1.2", 0x02000001),
    (b"1.2.3", 0x03000201),
    (b"203569230", 0x4e38220c),
    (b"[0.1.2.3]", 0xffffffff),
    (b"0x00010203", 0x03020100),
    (b"0x2134", 0x34210000),
    (b"1234BEEF", 0xffffffff),
    (b"017700000001", 0x0100007f),
    (b"0777", 0xff010000),
    (b"2607:f0d0:1002:51::4", 0xffffffff),
    (b"::177.32.45.20", 0xffffffff),
    (b"::1/128", 0xffffffff),
    (b"::1", 0xffffffff),
    (b":1", 0xffffffff),
];

/// `inet_addr`'s result as the test's x86 machine sees it.
fn as_x86(addr: u32) -> u32 {
    u32::from_le_bytes(addr.to_ne_bytes())
}

#[test]
fn inet_addr_reads_the_old_forms_as_windows_does() {
    assert_eq!(ROWS.len(), 51);
    for &(input, expected) in ROWS {
        assert_eq!(
            as_x86(inet_addr(input)),
            expected,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn only_white_space_ends_an_address_early() {
    // "1.2.3" followed by each byte from 1 to 255 but the digits (764–774): C's isspace
    // (tab, newline, vertical tab, form feed, carriage return, space) ends the address;
    // anything else makes it INADDR_NONE.
    let mut checked = 0;
    for c in 1..=255u8 {
        if c.is_ascii_digit() {
            continue;
        }
        let s = [b'1', b'.', b'2', b'.', b'3', c];
        let expected = if c == b' ' || (9..=13).contains(&c) {
            0x0300_0201
        } else {
            INADDR_NONE
        };
        assert_eq!(as_x86(inet_addr(&s)), expected, "byte {c}");
        checked += 1;
    }
    assert_eq!(checked, 245);
}

#[test]
fn a_nul_byte_ends_the_string() {
    // A C string ends at its NUL: what follows is not read.
    assert_eq!(inet_addr(b"1.2.3.4\0garbage"), inet_addr(b"1.2.3.4"));
    assert_eq!(inet_addr(b"\0"), INADDR_NONE);
    assert_eq!(inet_addr(b" \0x"), 0);
}

#[test]
fn inet_ntoa_writes_dotted_decimal() {
    // 664–667, and the thread's 646–649.
    let addr = inet_addr(b"1.2.3.4");
    assert_eq!(as_x86(addr), 0x0403_0201);
    assert_eq!(inet_ntoa(addr), "1.2.3.4");
    let other = std::thread::spawn(|| {
        let addr = inet_addr(b"4.3.2.1");
        assert_eq!(as_x86(addr), 0x0102_0304);
        inet_ntoa(addr)
    });
    assert_eq!(other.join().unwrap(), "4.3.2.1");
    assert_eq!(inet_ntoa(INADDR_NONE), "255.255.255.255");
    assert_eq!(inet_ntoa(0), "0.0.0.0");
}
