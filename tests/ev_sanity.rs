//! Quick sanity of the FD_* machinery (the full catalogue lives in event_select.rs etc.).
mod common;

/// These sanity checks count bytes per event: one send, one segment.
fn whole_segments() -> winsock_sim::sim::SimBuilder {
    winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .segmentation(winsock_sim::sim::Segmentation::Mss)
}
use winsock_sim::prelude::*;

#[test]
fn event_select_reports_write_then_read_then_close() {
    common::run_with(whole_segments(), |ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ | FD_WRITE | FD_CLOSE)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_WRITE);
        ws.send(c, b"hello", 0)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            WSA_WAIT_EVENT_0
        );
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_READ);
        let mut b = [0u8; 16];
        assert_eq!(ws.recv(s, &mut b, 0)?, 5);
        ws.closesocket(c)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            WSA_WAIT_EVENT_0
        );
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_CLOSE);
        assert_eq!(ne.error_code[FD_CLOSE_BIT], 0);
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 500, false)?,
            WSA_WAIT_TIMEOUT
        );
        Ok(())
    });
}

#[test]
fn async_select_posts_connect_then_write() {
    common::run_with(whole_segments(), |ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let hwnd = ws.create_window(None)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.wsa_async_select(c, hwnd, WM_USER, FD_ALL_EVENTS & 0x3f)?;
        assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAEWOULDBLOCK));
        let m1 = ws.get_message(Hwnd::NULL)?.unwrap();
        let m2 = ws.get_message(Hwnd::NULL)?.unwrap();
        assert_eq!(
            (m1.wparam, wsa_get_select_event(m1.lparam)),
            (c.raw(), FD_CONNECT)
        );
        assert_eq!(wsa_get_select_event(m2.lparam), FD_WRITE);
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, None);
        ws.closesocket(l)
    });
}

#[test]
fn select_sees_pending_accept_and_data() {
    common::run_with(whole_segments(), |ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let mut r = FdSet::new();
        r.set(l);
        assert_eq!(
            ws.select(Some(&mut r), None, None, Some(std::time::Duration::ZERO))?,
            0
        );
        assert!(r.is_empty());
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        r.set(l);
        assert_eq!(ws.select(Some(&mut r), None, None, None)?, 1);
        let (s, _) = ws.accept(l)?;
        let mut w = FdSet::new();
        w.set(c);
        w.set(s);
        assert_eq!(ws.select(None, Some(&mut w), None, None)?, 2);
        Ok(())
    });
}
