//! `SOCKET_ADDRESS_LIST`, what `WSAIoctl(SIO_ADDRESS_LIST_QUERY)` writes: the local interface
//! addresses of the socket's family (loopback excluded), laid out as on 64-bit Windows.
//!
//! The layout: `INT iAddressCount` padded to 8 bytes ([`ADDRESS_LIST_HEADER_LEN`],
//! `FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[0])`), then one 16-byte `SOCKET_ADDRESS`
//! (`LPSOCKADDR lpSockaddr; INT iSockaddrLength;` + padding) per address, then the
//! `SOCKADDR_IN` / `SOCKADDR_IN6` structures themselves. On Windows `lpSockaddr` points into
//! the caller's buffer; here, where the buffer has no address, it holds the structure's offset
//! from the start of the buffer, which is what [`decode_address_list`] follows.

use super::types::SockAddr;

/// `FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[0])` on 64-bit Windows: 8.
pub const ADDRESS_LIST_HEADER_LEN: usize = 8;
/// `sizeof(SOCKET_ADDRESS)` on 64-bit Windows: 16.
pub const SOCKET_ADDRESS_LEN: usize = 16;

/// The bytes of a `SOCKET_ADDRESS_LIST` holding `addrs` (the size WSAIoctl reports).
pub(crate) fn encode_address_list(addrs: &[SockAddr]) -> Vec<u8> {
    let mut out = vec![0u8; ADDRESS_LIST_HEADER_LEN + addrs.len() * SOCKET_ADDRESS_LEN];
    out[..4].copy_from_slice(&(addrs.len() as i32).to_le_bytes());
    for (i, a) in addrs.iter().enumerate() {
        let at = ADDRESS_LIST_HEADER_LEN + i * SOCKET_ADDRESS_LEN;
        let offset = out.len() as u64;
        out[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        out[at + 8..at + 12].copy_from_slice(&(a.as_bytes().len() as i32).to_le_bytes());
        out.extend_from_slice(a.as_bytes());
    }
    out
}

/// The addresses of a `SOCKET_ADDRESS_LIST` written by `WSAIoctl(SIO_ADDRESS_LIST_QUERY)`
/// (the first `len` bytes of its buffer); `None` when the bytes do not hold a whole list.
pub fn decode_address_list(b: &[u8]) -> Option<Vec<SockAddr>> {
    let n = i32::from_le_bytes(b.get(..4)?.try_into().ok()?);
    let n = usize::try_from(n).ok()?;
    let mut out = Vec::with_capacity(n.min(64));
    for i in 0..n {
        let at = ADDRESS_LIST_HEADER_LEN.checked_add(i.checked_mul(SOCKET_ADDRESS_LEN)?)?;
        let entry = b.get(at..at.checked_add(12)?)?;
        let offset = usize::try_from(u64::from_le_bytes(entry[..8].try_into().ok()?)).ok()?;
        let len = usize::try_from(i32::from_le_bytes(entry[8..12].try_into().ok()?)).ok()?;
        out.push(SockAddr::from_bytes(
            b.get(offset..offset.checked_add(len)?)?,
        ));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let addrs = [
            SockAddr::v4([192, 0, 2, 1], 0),
            SockAddr::v4([10, 0, 0, 2], 0),
        ];
        let b = encode_address_list(&addrs);
        assert_eq!(b.len(), 8 + 2 * 16 + 2 * 16);
        assert_eq!(decode_address_list(&b), Some(addrs.to_vec()));
        assert_eq!(decode_address_list(&b[..20]), None);
        assert_eq!(decode_address_list(&[0xff; 4]), None);
        assert_eq!(decode_address_list(&encode_address_list(&[])), Some(vec![]));
    }
}
