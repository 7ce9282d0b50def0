//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_gethostname` (commit 027d7db8, lines
//! 2583–2614) and `test_GetHostNameW` (Wine 11's file, as the Kron4ek/wine-tkg mirror holds
//! it at e6d69978: lines 2782–2814), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (no loops or branches).
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | no buffer: -1 and WSAEFAULT, 2589–2593                        |      2 |               0 |       0 |
//! | gethostname, gethostbyname of the name, 2595–2598             |      2 |               0 |       0 |
//! | a buffer of the name's length: -1, untouched, WSAEFAULT, 2600–2607 | 3 |              0 |       0 |
//! | a buffer one longer: success, gethostbyname, 2609–2613        |      2 |               0 |       0 |
//! | `test_GetHostNameW`: the same four steps in UTF-16, 2791–2813 |      7 |               0 |       0 |
//! | **total**                                                     |     16 |               0 |       0 |
//!
//! The buffers go through the C-shaped calls (`Resolve::gethostname_c`,
//! `Resolve::get_host_name_w`), whose slice length is `namelen`; the name itself is
//! `Resolve::gethostname`'s.
mod common;

use common::run;
use winsock_sim::prelude::*;

/// The value the test sets as the last error before each failing call.
const DEADBEEF: i32 = 0xdeadbeef_u32 as i32;

#[test]
fn name_resolves() {
    run(|ws| {
        // 2589–2593: no buffer.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.gethostname_c(None), Err(WsaError::WSAEFAULT), "2591");
        assert_eq!(ws.wsa_get_last_error(), 10014, "2592");
        // 2595–2598.
        let mut name = [0u8; 256];
        assert_eq!(ws.gethostname_c(Some(&mut name)), Ok(()), "2596");
        let len = name.iter().position(|&b| b == 0).expect("a NUL");
        let text = std::str::from_utf8(&name[..len]).expect("ASCII");
        assert_eq!(text, ws.gethostname()?);
        let he = ws.gethostbyname(text);
        assert!(he.is_ok(), "2598: {he:?}");
        // 2600–2607: a buffer of the name's length has no room for the NUL.
        ws.wsa_set_last_error(DEADBEEF);
        let mut short = [0u8; 256];
        short[..9].copy_from_slice(b"deadbeef\0");
        assert_eq!(
            ws.gethostname_c(Some(&mut short[..len])),
            Err(WsaError::WSAEFAULT),
            "2603"
        );
        assert_eq!(&short[..9], b"deadbeef\0", "2604: untouched");
        assert_eq!(ws.wsa_get_last_error(), 10014, "2605");
        // 2609–2613: one more byte is enough.
        assert_eq!(
            ws.gethostname_c(Some(&mut short[..len + 1])),
            Ok(()),
            "2610"
        );
        let again = std::str::from_utf8(&short[..len]).expect("ASCII");
        assert_eq!(short[len], 0);
        let he = ws.gethostbyname(again);
        assert!(he.is_ok(), "2613: {he:?}");
        Ok(())
    });
}

#[test]
fn get_host_name_w_writes_utf16() {
    run(|ws| {
        // 2791–2794: no buffer.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.get_host_name_w(None), Err(WsaError::WSAEFAULT), "2792");
        assert_eq!(ws.wsa_get_last_error(), 10014, "2793");
        // 2796–2797.
        let mut name = [0u16; 256];
        assert_eq!(ws.get_host_name_w(Some(&mut name)), Ok(()), "2797");
        let len = name.iter().position(|&c| c == 0).expect("a NUL");
        assert_eq!(
            String::from_utf16(&name[..len]).ok(),
            Some(ws.gethostname()?)
        );
        // 2799–2807: wcslen(name) WCHARs have no room for the NUL.
        ws.wsa_set_last_error(DEADBEEF);
        let mut buf = [0u16; 64];
        for (d, c) in buf.iter_mut().zip("deadbeef".encode_utf16()) {
            *d = c;
        }
        assert_eq!(
            ws.get_host_name_w(Some(&mut buf[..len])),
            Err(WsaError::WSAEFAULT),
            "2803"
        );
        assert_eq!(
            String::from_utf16(&buf[..8]).ok().as_deref(),
            Some("deadbeef"),
            "2804: untouched"
        );
        assert_eq!(buf[8], 0, "2804: untouched");
        assert_eq!(ws.wsa_get_last_error(), 10014, "2805");
        // 2809–2810: one more WCHAR is enough.
        assert_eq!(
            ws.get_host_name_w(Some(&mut buf[..len + 1])),
            Ok(()),
            "2810"
        );
        assert_eq!(&buf[..=len], &name[..=len]);
        Ok(())
    });
}

#[test]
fn the_buffer_forms_need_wsastartup() {
    let mut sim = winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .build();
    sim.host("host", "192.0.2.1").spawn("main", |ws| {
        let mut buf = [0u8; 64];
        let mut wide = [0u16; 64];
        assert_eq!(
            ws.gethostname_c(Some(&mut buf)),
            Err(WsaError::WSANOTINITIALISED)
        );
        assert_eq!(
            ws.get_host_name_w(Some(&mut wide)),
            Err(WsaError::WSANOTINITIALISED)
        );
        assert_eq!(buf, [0; 64]);
        Ok(())
    });
    sim.run().unwrap();
}
