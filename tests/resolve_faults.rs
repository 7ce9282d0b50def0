//! Name-resolution faults (`FaultRule::Resolve`): lookups that fail with a chosen code or
//! answer late, scoped by host and name, printed as code and as text that parses back, and
//! drawn by `FaultPlan::resolve_strategy`.
mod common;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::*;
use winsock_sim::sim::{Sim, SimWinsock};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// Runs `body` on host "client" (192.0.2.1) beside hosts "db" (192.0.2.2) and "web"
/// (192.0.2.3), under `plan`.
fn run_plan<F>(plan: FaultPlan, body: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    sim.host("db", "192.0.2.2");
    sim.host("web", "192.0.2.3");
    let h = sim.host("client", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}

fn v4() -> AddrInfoHints {
    AddrInfoHints {
        family: AF_INET,
        ..AddrInfoHints::default()
    }
}

fn lookup(ws: &SimWinsock, name: &str) -> Result<IpAddr, WsaError> {
    let ai = ws.getaddrinfo(Some(name), Some("80"), Some(&v4()))?;
    Ok(ai[0].addr.parse().expect("an address").ip())
}

#[test]
fn each_failure_code_of_a_named_lookup() {
    // Proves: a Resolve rule makes the lookup of its name fail with the chosen code
    // (WSAHOST_NOT_FOUND = EAI_NONAME, WSATRY_AGAIN = EAI_AGAIN, WSANO_RECOVERY = EAI_FAIL,
    // WSANO_DATA) and WSAGetLastError says so; other names, numeric hosts, localhost and the
    // empty name are not looked up and resolve; a once-only rule (nth=1) fires once.
    for (error, code) in [
        (WsaError::WSAHOST_NOT_FOUND, 11001),
        (WsaError::WSATRY_AGAIN, 11002),
        (WsaError::WSANO_RECOVERY, 11003),
        (WsaError::WSANO_DATA, 11004),
    ] {
        assert_eq!(error.code(), code);
        let plan = FaultPlan::none().with(FaultRule::Resolve {
            when: When::Nth(1),
            scope: Scope::All,
            name: Some("DB".into()),
            action: ResolveAction::Fail(error),
        });
        run_plan(plan, move |ws| {
            assert_eq!(
                lookup(ws, "web")?,
                IpAddr::from([192, 0, 2, 3]),
                "another name"
            );
            for numeric in ["192.0.2.2", "localhost", ""] {
                ws.getaddrinfo(Some(numeric), Some("80"), Some(&v4()))?;
            }
            common::fails(ws, lookup(ws, "db"), error, "the named lookup");
            assert_eq!(lookup(ws, "db")?, IpAddr::from([192, 0, 2, 2]), "only once");
            Ok(())
        });
    }
}

#[test]
fn scope_host_limits_the_rule_to_lookups_made_there() {
    // Proves: with Scope::Host the rule fires only for lookups made on that host (every
    // lookup: rate 1/1, any name); getnameinfo's reverse lookup of a non-loopback address is
    // a lookup too, with NI_NUMERICHOST it is not.
    let plan = FaultPlan::none().with(FaultRule::Resolve {
        when: When::Rate { num: 1, den: 1 },
        scope: Scope::Host(IpAddr::from([192, 0, 2, 1])),
        name: None,
        action: ResolveAction::Fail(WsaError::WSATRY_AGAIN),
    });
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    sim.host("db", "192.0.2.2");
    let other = sim.host("other", "192.0.2.9");
    let ok = Arc::new(Mutex::new(None));
    let ok2 = ok.clone();
    other.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        *ok2.lock().unwrap() = Some(lookup(ws, "db"));
        Ok(())
    });
    let client = sim.host("client", "192.0.2.1");
    client.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        common::fails(ws, lookup(ws, "db"), WsaError::WSATRY_AGAIN, "getaddrinfo");
        let db = SockAddr::v4([192, 0, 2, 2], 80);
        common::fails(
            ws,
            ws.getnameinfo(&db, 0),
            WsaError::WSATRY_AGAIN,
            "getnameinfo",
        );
        assert_eq!(ws.getnameinfo(&db, NI_NUMERICHOST)?.0, "192.0.2.2");
        let lo = SockAddr::v4([127, 0, 0, 1], 80);
        assert_eq!(
            ws.getnameinfo(&lo, 0)?.0,
            "client",
            "loopback is not looked up"
        );
        Ok(())
    });
    sim.run().unwrap();
    assert_eq!(
        *ok.lock().unwrap(),
        Some(Ok(IpAddr::from([192, 0, 2, 2]))),
        "another host's lookups"
    );
}

#[test]
fn a_slow_lookup_takes_its_delay_in_virtual_time() {
    // Proves: ResolveAction::Delay makes the lookup answer that much later (virtual time),
    // with the normal answer; a lookup the rule does not fire on is immediate.
    let plan = FaultPlan::none().with(FaultRule::Resolve {
        when: When::Nth(1),
        scope: Scope::All,
        name: None,
        action: ResolveAction::Delay(Duration::from_secs(3)),
    });
    run_plan(plan, |ws| {
        let t0 = ws.get_tick_count();
        assert_eq!(lookup(ws, "web")?, IpAddr::from([192, 0, 2, 3]));
        let t1 = ws.get_tick_count();
        assert_eq!(t1.wrapping_sub(t0), 3000, "3 s later");
        lookup(ws, "db")?;
        assert_eq!(ws.get_tick_count(), t1, "the next one at once");
        Ok(())
    });
}

#[test]
fn resolve_rules_print_as_code_and_text_that_parse_back() {
    // Proves: the rule's one-line form and its Rust code; the text parses back to the same
    // plan; malformed forms are refused with a message.
    let plan = FaultPlan::none()
        .with(FaultRule::Resolve {
            when: When::Nth(1),
            scope: Scope::Host(IpAddr::from([192, 0, 2, 1])),
            name: Some("db".to_string()),
            action: ResolveAction::Fail(WsaError::WSATRY_AGAIN),
        })
        .with(FaultRule::Resolve {
            when: When::Rate { num: 1, den: 2 },
            scope: Scope::All,
            name: None,
            action: ResolveAction::Delay(Duration::from_millis(2500)),
        });
    let text = plan.to_string();
    assert_eq!(
        text,
        "resolve(nth=1,host=192.0.2.1,db,fail=WSATRY_AGAIN)+resolve(rate=1/2,all,*,delay=2500ms)"
    );
    assert_eq!(text.parse::<FaultPlan>(), Ok(plan.clone()));
    assert_eq!(
        format!("{plan:?}"),
        "FaultPlan::none().with(FaultRule::Resolve { when: When::Nth(1), scope: \
         Scope::Host(IpAddr::from([192, 0, 2, 1])), name: Some(\"db\".to_string()), action: \
         ResolveAction::Fail(WsaError::WSATRY_AGAIN) }).with(FaultRule::Resolve { when: \
         When::Rate { num: 1, den: 2 }, scope: Scope::All, name: None, action: \
         ResolveAction::Delay(Duration::from_millis(2500)) })"
    );
    assert_eq!(
        "resolve(at=1s,all,*,fail=11004)".parse::<FaultPlan>(),
        Ok(FaultPlan::none().with(FaultRule::Resolve {
            when: When::At(Duration::from_secs(1)),
            scope: Scope::All,
            name: None,
            action: ResolveAction::Fail(WsaError::WSANO_DATA),
        }))
    );
    for bad in [
        "resolve(nth=1,all,db)",
        "resolve(nth=1,all,d b,fail=WSATRY_AGAIN)",
        "resolve(nth=1,all,db,crash)",
        "resolve(nth=1,all,db,fail=NOT_AN_ERROR)",
        "resolve(nth=1,all,db,delay=5)",
    ] {
        assert!(bad.parse::<FaultPlan>().is_err(), "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn drawn_resolve_plans_round_trip_and_lookups_end_with_a_resolution_result(
        plan in FaultPlan::resolve_strategy(vec!["db".into(), "web".into()], 5_000)
    ) {
        // Proves: every drawn plan prints as text that parses back, holds only Resolve rules,
        // and a client's lookups under it end (no hang) with an address or one of the
        // resolution codes.
        prop_assert_eq!(plan.to_string().parse::<FaultPlan>(), Ok(plan.clone()));
        let only_resolve = plan.rules.iter().all(|r| matches!(r, FaultRule::Resolve { .. }));
        prop_assert!(only_resolve, "only Resolve rules");
        run_plan(plan, |ws| {
            for name in ["db", "web", "db", "web", "db"] {
                match lookup(ws, name) {
                    Ok(ip) => assert!(ip.is_ipv4()),
                    Err(e) => assert!(
                        matches!(
                            e,
                            WsaError::WSAHOST_NOT_FOUND
                                | WsaError::WSATRY_AGAIN
                                | WsaError::WSANO_RECOVERY
                                | WsaError::WSANO_DATA
                        ),
                        "{e:?}"
                    ),
                }
            }
            Ok(())
        });
    }
}
