//! Port of Wine's `dlls/ntdll/tests/rtl.c` (wine-mirror/wine as stored at commit
//! 0221b1a7c64be7f8982ef158f9330c45a6bf35f7) `test_RtlIpv6AddressToString` (lines 1672–1794,
//! table 1683–1763) and `test_RtlIpv6AddressToStringEx` (lines 1796–1913, table 1809–1859),
//! facts only: the text ntdll's `RtlIpv6AddressToString(Ex)A` writes for an IPv6 address,
//! which Windows' `inet_ntop(AF_INET6)` and `WSAAddressToString` use.
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates (77 rows in the first function, 42 in the second).
//!
//! | part                                                            | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | `RtlIpv6AddressToStringA` of `::`, 1766–1773                    |      1 |               0 |       0 |
//! | `RtlIpv6AddressToStringA` into NULL, 1775–1777                  |      0 |               1 |       0 |
//! | `RtlIpv6AddressToStringA` table, 1779–1793: 77 rows × 3         |     77 |             154 |       0 |
//! | `RtlIpv6AddressToStringExA` of `::`, 1868–1876                  |      2 |               0 |       0 |
//! | Ex with a NULL address, buffer or length, 1878–1890             |      0 |               3 |       0 |
//! | Ex with a length of 2, 1892–1898                                |      2 |               1 |       0 |
//! | `RtlIpv6AddressToStringExA` table, 1900–1912: 42 rows × 2       |     84 |               0 |       0 |
//! | **total**                                                       |    166 |             159 |       0 |
//!
//! Ported per row: the text is the row's, through `inet_ntop(AF_INET6)` and
//! `address_to_string` (port 0, scope 0) for the first table; through the simulator's
//! `wsa_address_to_string` (the row's scope and port in a SOCKADDR_IN6), and `inet_ntop` for
//! the rows without scope or port, for the second. The Ex calls' `STATUS_SUCCESS` is the
//! `Ok`, their length the text's plus its NUL. The length-2 call: refused (`inet_ntop` with
//! a buffer of 2 gives WSAEINVAL, as Windows' inet_ntop reports STATUS_INVALID_PARAMETER) and
//! 3 reported as needed (a buffer of 3 is taken).
//!
//! Not expressible, per kind:
//! - NULL pointers (1775–1777, 1878–1890: 4): the API takes references and returns a `String`;
//! - buffer contents around the text: the NUL at `buffer[45]` and the untouched `buffer[46]`
//!   (2 per row of the first table), the untouched buffer after the length-2 call (1).
//!
//! The functions test only the A forms, so there are no W rows. No row is `todo_wine` or has
//! a `broken()` alternative for its text (the `broken()`s are on the NULL-buffer return and
//! `buffer[45]`, both not expressible).
//!
//! Before `addr_text` followed these rules, 27 rows failed (Rust's `Ipv6Addr` text): 1685,
//! 1686, 1688 (`address_to_string` only), 1697, 1700–1703, 1708–1713, 1715, 1811–1816 and
//! 1825–1830; the others fail under a formatter with uppercase hex, the last of equal zero
//! runs, single zero groups compressed, a dotted tail on every address, or a port or scope
//! read with the wrong width or order (checked by mutation).
//!
//! The tables store each address as eight 16-bit words written natively (little-endian), the
//! port as a 16-bit network-order value written natively: port 0xeeff is 65518, 1 is 256.
mod common;

use common::run;
use winsock_sim::api::addr_text::{address_to_string, inet_ntop};
use winsock_sim::prelude::*;

/// `test_RtlIpv6AddressToString` `tests`: (line, `s6_words` as stored, Windows' text).
#[rustfmt::skip]
const PLAIN: &[(u32, [u16; 8], &str)] = &[
    (1685, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], "::13.1.68.3"),
    (1686, [0, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b], "::123.123.123.123"),
    (1687, [0, 0, 0, 0, 0, 0, 0, 0xffff], "::ffff"),
    (1688, [0, 0, 0, 0, 0, 0, 0x100, 0], "::0.1.0.0"),
    (1689, [0, 0, 0, 0, 0, 0xffff, 0x10d, 0x344], "::ffff:13.1.68.3"),
    (1690, [0, 0, 0, 0, 0, 0xfffe, 0x10d, 0x344], "::feff:d01:4403"),
    (1691, [0, 0, 0, 0, 0, 0xfeff, 0x10d, 0x344], "::fffe:d01:4403"),
    (1692, [0, 0, 0, 0, 0, 0x1, 0x10d, 0x344], "::100:d01:4403"),
    (1693, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], "::1:d01:4403"),
    (1694, [0, 0, 0, 0, 0x100, 0, 0x10d, 0x344], "::1:0:d01:4403"),
    (1695, [0, 0, 0, 0, 0, 0xfeff, 0x10d, 0x344], "::fffe:d01:4403"),
    (1696, [0, 0, 0, 0, 0xfeff, 0, 0x10d, 0x344], "::fffe:0:d01:4403"),
    (1697, [0, 0, 0, 0, 0, 0xffff, 0, 0x344], "::ffff:0:4403"),
    (1698, [0, 0, 0, 0, 0, 0xffff, 0x100, 0], "::ffff:0.1.0.0"),
    (1699, [0, 0, 0, 0, 0, 0xffff, 0x10d, 0], "::ffff:13.1.0.0"),
    (1700, [0, 0, 0, 0, 0, 0xffff, 0, 0], "::ffff:0:0"),
    (1701, [0, 0, 0, 0, 0, 0xffff, 0, 0xffff], "::ffff:0:ffff"),
    (1702, [0, 0, 0, 0, 0xffff, 0, 0x100, 0], "::ffff:0:0.1.0.0"),
    (1703, [0, 0, 0, 0, 0xffff, 0, 0x10d, 0x344], "::ffff:0:13.1.68.3"),
    (1704, [0, 0, 0, 0, 0xffff, 0xffff, 0x10d, 0x344], "::ffff:ffff:d01:4403"),
    (1705, [0, 0, 0, 0xffff, 0, 0, 0x10d, 0x344], "::ffff:0:0:d01:4403"),
    (1706, [0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff], "::ffff:255.255.255.255"),
    (1707, [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634], "::ffff:129.144.52.38"),
    (1708, [0, 0, 0, 0, 0, 0xfe5e, 0, 0], "::5efe:0.0.0.0"),
    (1709, [0, 0, 0, 0, 0, 0xfe5e, 0x9081, 0x2634], "::5efe:129.144.52.38"),
    (1710, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], "1111:2222:3333:4444:0:5efe:129.144.52.38"),
    (1711, [0x1111, 0x2222, 0x3333, 0, 0, 0xfe5e, 0x9081, 0x2634], "1111:2222:3333::5efe:129.144.52.38"),
    (1712, [0x1111, 0x2222, 0, 0, 0, 0xfe5e, 0x9081, 0x2634], "1111:2222::5efe:129.144.52.38"),
    (1713, [0x1111, 0, 0, 0, 0, 0xfe5e, 0x9081, 0x2634], "1111::5efe:129.144.52.38"),
    (1714, [0, 0, 0, 0, 0x3, 0xfe5e, 0x9081, 0x2634], "::300:5efe:8190:3426"),
    (1715, [0, 0, 0, 0, 0x2, 0xfe5e, 0x9081, 0x2634], "::200:5efe:129.144.52.38"),
    (1716, [0, 0, 0, 0, 0x1, 0xfe5e, 0x9081, 0x2634], "::100:5efe:8190:3426"),
    (1718, [0, 0, 0, 0, 0, 0, 0, 0x100], "::1"),
    (1719, [0, 0, 0, 0, 0, 0, 0, 0x200], "::2"),
    (1720, [0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700], "0:1:2:3:4:5:6:7"),
    (1721, [0x8010, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41], "1080::8:800:200c:417a"),
    (1722, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], "1111:2222:3333:4444:5555:6666:7b7b:7b7b"),
    (1723, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888], "1111:2222:3333:4444:5555:6666:7777:8888"),
    (1724, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0], "1111:2222:3333:4444:5555:6666::"),
    (1725, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888], "1111:2222:3333:4444:5555:6666:0:8888"),
    (1726, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0], "1111:2222:3333:4444:5555::"),
    (1727, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7b7b, 0x7b7b], "1111:2222:3333:4444:5555:0:7b7b:7b7b"),
    (1728, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7777, 0x8888], "1111:2222:3333:4444:5555:0:7777:8888"),
    (1729, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8888], "1111:2222:3333:4444:5555::8888"),
    (1730, [0x1111, 0, 0, 0, 0, 0, 0, 0], "1111::"),
    (1731, [0x1111, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b], "1111::7b7b:7b7b"),
    (1732, [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], "1111:0:3333:4444:5555:6666:7b7b:7b7b"),
    (1733, [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888], "1111:0:3333:4444:5555:6666:7777:8888"),
    (1734, [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], "1111::4444:5555:6666:7b7b:7b7b"),
    (1735, [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888], "1111::4444:5555:6666:7777:8888"),
    (1736, [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7b7b, 0x7b7b], "1111::5555:6666:7b7b:7b7b"),
    (1737, [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7777, 0x8888], "1111::5555:6666:7777:8888"),
    (1738, [0x1111, 0, 0, 0, 0, 0x6666, 0x7b7b, 0x7b7b], "1111::6666:7b7b:7b7b"),
    (1739, [0x1111, 0, 0, 0, 0, 0x6666, 0x7777, 0x8888], "1111::6666:7777:8888"),
    (1740, [0x1111, 0, 0, 0, 0, 0, 0x7777, 0x8888], "1111::7777:8888"),
    (1741, [0x1111, 0, 0, 0, 0, 0, 0, 0x8888], "1111::8888"),
    (1742, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x201, 0x403], "1:2:3:4:5:6:102:304"),
    (1743, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800], "1:2:3:4:5:6:7:8"),
    (1744, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0], "1:2:3:4:5:6::"),
    (1745, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0x800], "1:2:3:4:5:6:0:8"),
    (1746, [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608], "2001:0:1234::c1c0:abcd:876"),
    (1747, [0x120, 0, 0x3641, 0x78e3, 0x80, 0xbf63, 0xff3f, 0xd2fd], "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
    (1748, [0x120, 0xb80d, 0, 0, 0, 0, 0x2814, 0xab57], "2001:db8::1428:57ab"),
    (1749, [0x120, 0xb80d, 0x3412, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], "2001:db8:1234:ffff:ffff:ffff:ffff:ffff"),
    (1750, [0x120, 0, 0x49ce, 0x176, 0xad2c, 0xffdf, 0x947c, 0xfeff], "2001:0:ce49:7601:2cad:dfff:7c94:fffe"),
    (1751, [0x120, 0xb80d, 0xa385, 0, 0, 0x2e8a, 0x7003, 0x3473], "2001:db8:85a3::8a2e:370:7334"),
    (1752, [0xfe3f, 0xb, 0, 0, 0x100, 0, 0, 0xa00], "3ffe:b00::1:0:0:a"),
    (1753, [0, 0, 0, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00], "::a:b:c:d:e"),
    (1754, [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    (1755, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x100], "1111:2222:3333:4444:5555:6666:7777:1"),
    (1756, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888], "1111:2222:3333:4444:5555:6666:7777:8888"),
    (1757, [0x1111, 0x2222, 0, 0, 0, 0, 0, 0], "1111:2222::"),
    (1758, [0x1111, 0, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777], "1111::3333:4444:5555:6666:7777"),
    (1759, [0x1111, 0x2222, 0, 0, 0, 0, 0, 0], "1111:2222::"),
    (1760, [0x1111, 0, 0, 0, 0, 0, 0, 0x3333], "1111::3333"),
    (1761, [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608], "2001:0:1234::c1c0:abcd:876"),
    (1762, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], "2001::ffd3"),
];

/// `test_RtlIpv6AddressToStringEx` `tests`: (line, `s6_words` as stored, scope id, port as
/// stored, Windows' text).
#[rustfmt::skip]
const EX: &[(u32, [u16; 8], u32, u16, &str)] = &[
    (1811, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 0, 0, "::13.1.68.3"),
    (1812, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 1, 0, "::13.1.68.3%1"),
    (1813, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 0xffffbbbb, 0, "::13.1.68.3%4294949819"),
    (1814, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 0xffffbbbb, 0xeeff, "[::13.1.68.3%4294949819]:65518"),
    (1815, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 0xffffbbbb, 1, "[::13.1.68.3%4294949819]:256"),
    (1816, [0, 0, 0, 0, 0, 0, 0x10d, 0x344], 0, 1, "[::13.1.68.3]:256"),
    (1818, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 0, 0, "::1:d01:4403"),
    (1819, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 1, 0, "::1:d01:4403%1"),
    (1820, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 0xffffbbbb, 0, "::1:d01:4403%4294949819"),
    (1821, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 0xffffbbbb, 0xeeff, "[::1:d01:4403%4294949819]:65518"),
    (1822, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 0xffffbbbb, 1, "[::1:d01:4403%4294949819]:256"),
    (1823, [0, 0, 0, 0, 0, 0x100, 0x10d, 0x344], 0, 1, "[::1:d01:4403]:256"),
    (1825, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 0, 0, "1111:2222:3333:4444:0:5efe:129.144.52.38"),
    (1826, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 1, 0, "1111:2222:3333:4444:0:5efe:129.144.52.38%1"),
    (1827, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 0xffffbbbb, 0, "1111:2222:3333:4444:0:5efe:129.144.52.38%4294949819"),
    (1828, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 0xffffbbbb, 0xeeff, "[1111:2222:3333:4444:0:5efe:129.144.52.38%4294949819]:65518"),
    (1829, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 0xffffbbbb, 1, "[1111:2222:3333:4444:0:5efe:129.144.52.38%4294949819]:256"),
    (1830, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0xfe5e, 0x9081, 0x2634], 0, 1, "[1111:2222:3333:4444:0:5efe:129.144.52.38]:256"),
    (1832, [0, 0, 0, 0, 0, 0, 0, 0x100], 0, 0, "::1"),
    (1833, [0, 0, 0, 0, 0, 0, 0, 0x100], 1, 0, "::1%1"),
    (1834, [0, 0, 0, 0, 0, 0, 0, 0x100], 0xffffbbbb, 0, "::1%4294949819"),
    (1835, [0, 0, 0, 0, 0, 0, 0, 0x100], 0xffffbbbb, 0xeeff, "[::1%4294949819]:65518"),
    (1836, [0, 0, 0, 0, 0, 0, 0, 0x100], 0xffffbbbb, 1, "[::1%4294949819]:256"),
    (1837, [0, 0, 0, 0, 0, 0, 0, 0x100], 0, 1, "[::1]:256"),
    (1839, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 0, 0, "1111:2222:3333:4444:5555:6666:7b7b:7b7b"),
    (1840, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 1, 0, "1111:2222:3333:4444:5555:6666:7b7b:7b7b%1"),
    (1841, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 0xffffbbbb, 0, "1111:2222:3333:4444:5555:6666:7b7b:7b7b%4294949819"),
    (1842, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 0xffffbbbb, 0xeeff, "[1111:2222:3333:4444:5555:6666:7b7b:7b7b%4294949819]:65518"),
    (1843, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 0xffffbbbb, 1, "[1111:2222:3333:4444:5555:6666:7b7b:7b7b%4294949819]:256"),
    (1844, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b], 0, 1, "[1111:2222:3333:4444:5555:6666:7b7b:7b7b]:256"),
    (1846, [0x1111, 0, 0, 0, 0, 0, 0, 0], 0, 0, "1111::"),
    (1847, [0x1111, 0, 0, 0, 0, 0, 0, 0], 1, 0, "1111::%1"),
    (1848, [0x1111, 0, 0, 0, 0, 0, 0, 0], 0xffffbbbb, 0, "1111::%4294949819"),
    (1849, [0x1111, 0, 0, 0, 0, 0, 0, 0], 0xffffbbbb, 0xeeff, "[1111::%4294949819]:65518"),
    (1850, [0x1111, 0, 0, 0, 0, 0, 0, 0], 0xffffbbbb, 1, "[1111::%4294949819]:256"),
    (1851, [0x1111, 0, 0, 0, 0, 0, 0, 0], 0, 1, "[1111::]:256"),
    (1853, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 0, 0, "2001::ffd3"),
    (1854, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 1, 0, "2001::ffd3%1"),
    (1855, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 0xffffbbbb, 0, "2001::ffd3%4294949819"),
    (1856, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 0xffffbbbb, 0xeeff, "[2001::ffd3%4294949819]:65518"),
    (1857, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 0xffffbbbb, 1, "[2001::ffd3%4294949819]:256"),
    (1858, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff], 0, 1, "[2001::ffd3]:256"),
];

/// The 16 address bytes as `init_ip6` leaves them: each word stored little-endian.
fn bytes(words: [u16; 8]) -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, w) in words.iter().enumerate() {
        b[2 * i..2 * i + 2].copy_from_slice(&w.to_le_bytes());
    }
    b
}

/// A SOCKADDR_IN6 holding the address, `port` as stored (network order written natively)
/// and the scope id; flow info 0.
fn sockaddr_in6(words: [u16; 8], scope: u32, port: u16) -> SockAddr {
    let mut b = [0u8; SOCKADDR_IN6_LEN];
    b[0..2].copy_from_slice(&(AF_INET6 as u16).to_le_bytes());
    b[2..4].copy_from_slice(&port.to_le_bytes());
    b[8..24].copy_from_slice(&bytes(words));
    b[24..28].copy_from_slice(&scope.to_le_bytes());
    SockAddr::from_bytes(&b)
}

/// Every mismatch, one line each, so that one run shows all the rows that differ.
fn check(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// 1766–1773 and 1868–1876: the unspecified address is "::" (Ex: success, length 3).
// 1892–1898: Ex with a length of 2 is refused; the length it asks for is 3.
#[test]
fn unspecified_address_and_short_buffer() {
    let zero = [0u8; 16];
    assert_eq!(
        inet_ntop(AF_INET6, &zero, INET6_ADDRSTRLEN).as_deref(),
        Ok("::")
    );
    assert_eq!(
        address_to_string(&sockaddr_in6([0; 8], 0, 0)).as_deref(),
        Ok("::")
    );
    assert_eq!(inet_ntop(AF_INET6, &zero, 2), Err(WsaError::WSAEINVAL));
    assert_eq!(inet_ntop(AF_INET6, &zero, 3).as_deref(), Ok("::"));
}

// 1779–1793: RtlIpv6AddressToStringA writes each row's text (1787): IPv4-compatible,
// mapped, SIIT and ISATAP addresses end in dotted form, the rest is hex with the longest run
// of two or more zero groups (the first of equal runs) written "::".
#[test]
fn address_to_string_table() {
    let mut failures = Vec::new();
    for &(line, words, text) in PLAIN {
        let ntop = inet_ntop(AF_INET6, &bytes(words), INET6_ADDRSTRLEN);
        if ntop.as_deref() != Ok(text) {
            failures.push(format!(
                "rtl.c {line}: inet_ntop gave {ntop:?}, Windows {text:?}"
            ));
        }
        let wsa = address_to_string(&sockaddr_in6(words, 0, 0));
        if wsa.as_deref() != Ok(text) {
            failures.push(format!(
                "rtl.c {line}: address_to_string gave {wsa:?}, Windows {text:?}"
            ));
        }
    }
    check(&failures);
}

// 1900–1912: RtlIpv6AddressToStringExA succeeds (1909) with each row's text (1910): a scope
// other than 0 as "%scope" in decimal, a port other than 0 as "[...]:port" in decimal.
#[test]
fn address_to_string_ex_table() {
    run(|ws| {
        let mut failures = Vec::new();
        for &(line, words, scope, port, text) in EX {
            let wsa = ws.wsa_address_to_string(&sockaddr_in6(words, scope, port));
            if wsa.as_deref() != Ok(text) {
                failures.push(format!(
                    "rtl.c {line}: WSAAddressToString gave {wsa:?}, Windows {text:?}"
                ));
            }
            if scope == 0 && port == 0 {
                let ntop = inet_ntop(AF_INET6, &bytes(words), INET6_ADDRSTRLEN);
                if ntop.as_deref() != Ok(text) {
                    failures.push(format!(
                        "rtl.c {line}: inet_ntop gave {ntop:?}, Windows {text:?}"
                    ));
                }
            }
        }
        check(&failures);
        Ok(())
    });
}
