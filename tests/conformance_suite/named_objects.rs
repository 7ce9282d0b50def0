//! Named-object rules, written once for the simulator and the real kernel32 (Wine's kernel32
//! sync.c `test_event`, `test_mutex`, `test_semaphore`, `test_waitable_timer`, which pass on
//! Windows, and CreateEvent's documentation). In a real process the names are the machine's,
//! so each rule's names carry the rule, the time and the process id.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn named_object_rules<W: Winsock + NamedObjects + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "NAME-create-open",
            title: "for events, mutexes, semaphores and waitable timers: Create* of a new name gives last error 0, of the same name a new handle with ERROR_ALREADY_EXISTS, of the name in capitals a new object; Open* of the name works and keeps the last error, of the capitals ERROR_FILE_NOT_FOUND, of NULL ERROR_INVALID_PARAMETER; the name is free once its last handle closes",
            body: create_open::<W>,
        },
        Rule {
            id: "NAME-one-object",
            title: "two handles from one name are one object: an event set through one signals the other, a semaphore's count is shared, a CreateMutex(bInitialOwner) of a name in use does not take the mutex (its ReleaseMutex is ERROR_NOT_OWNER, its wait times out while the creator owns it)",
            body: one_object::<W>,
        },
        Rule {
            id: "NAME-kinds",
            title: "a name another kind of object has: Create* and Open* of it are ERROR_INVALID_HANDLE; CreateSemaphore checks its counts first (ERROR_INVALID_PARAMETER even for a name in use)",
            body: kinds::<W>,
        },
        Rule {
            id: "NAME-namespace",
            title: "Local\\name is name, Global\\name another; any other backslash is ERROR_PATH_NOT_FOUND; an empty name makes an unnamed object each time and opens nothing (ERROR_INVALID_HANDLE); a name stops at its NUL; 259 characters are a name, 260 ERROR_FILENAME_EXCED_RANGE",
            body: namespace::<W>,
        },
        Rule {
            id: "NAME-timer-ex",
            title: "CreateWaitableTimerEx: CREATE_WAITABLE_TIMER_MANUAL_RESET makes a timer that stays signalled, no flag or CREATE_WAITABLE_TIMER_HIGH_RESOLUTION one that its wait resets; last error 0, and ERROR_ALREADY_EXISTS for a name in use, whose object the new handle shares; a NULL name makes an unnamed timer",
            body: timer_ex::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

/// A name no other run uses: the rule's tag, the process, the time.
fn unique<W: Winsock + NamedObjects>(ws: &W, tag: &str) -> String {
    format!(
        "winsock-sim {tag} {} {}",
        std::process::id(),
        ws.get_tick_count64()
    )
}

/// One kind's calls, to run the same steps on each.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Event,
    Mutex,
    Semaphore,
    Timer,
}

impl Kind {
    fn create<W: NamedObjects>(self, ws: &W, name: &str) -> Result<(Handle, bool), WsaError> {
        match self {
            Kind::Event => ws
                .create_event_named(false, false, name)
                .map(|(h, x)| (h.into(), x)),
            Kind::Mutex => ws
                .create_mutex_named(false, name)
                .map(|(h, x)| (h.into(), x)),
            Kind::Semaphore => ws
                .create_semaphore_named(0, 1, name)
                .map(|(h, x)| (h.into(), x)),
            Kind::Timer => ws
                .create_waitable_timer_named(false, name)
                .map(|(h, x)| (h.into(), x)),
        }
    }

    fn open<W: NamedObjects>(self, ws: &W, name: Option<&str>) -> Result<Handle, WsaError> {
        match self {
            Kind::Event => ws.open_event(name).map(Handle::from),
            Kind::Mutex => ws.open_mutex(name).map(Handle::from),
            Kind::Semaphore => ws.open_semaphore(name).map(Handle::from),
            Kind::Timer => ws.open_waitable_timer(name).map(Handle::from),
        }
    }
}

const KINDS: [Kind; 4] = [Kind::Event, Kind::Mutex, Kind::Semaphore, Kind::Timer];

fn timer_ex<W: Winsock + NamedObjects>(ws: &W, c: &mut Check) -> Result<(), String> {
    for (flags, manual) in [
        (0, false),
        (CREATE_WAITABLE_TIMER_MANUAL_RESET, true),
        (CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, false),
        (
            CREATE_WAITABLE_TIMER_MANUAL_RESET | CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
            true,
        ),
    ] {
        ws.wsa_set_last_error(MARK);
        let (t, existed) = e(
            "CreateWaitableTimerEx",
            ws.create_waitable_timer_ex(None, flags),
        )?;
        c.eq(&format!("flags {flags}: a name in use"), existed, false)?;
        c.eq(
            &format!("flags {flags}: its last error"),
            ws.wsa_get_last_error(),
            0,
        )?;
        e(
            "SetWaitableTimer",
            ws.set_waitable_timer(t, -FILETIME_TICKS_PER_MS, 0, None, false),
        )?;
        c.eq(
            &format!("flags {flags}: due"),
            ws.wait_for_single_object(t.into(), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        let again = if manual { WAIT_OBJECT_0 } else { WAIT_TIMEOUT };
        c.eq(
            &format!("flags {flags}: signalled after the wait"),
            ws.wait_for_single_object(t.into(), 0),
            Ok(again),
        )?;
        e("CloseHandle", ws.close_handle(t.into()))?;
    }
    let name = unique(ws, "Test TimerEx");
    let (a, _) = e(
        "CreateWaitableTimerEx",
        ws.create_waitable_timer_ex(Some(&name), CREATE_WAITABLE_TIMER_HIGH_RESOLUTION),
    )?;
    ws.wsa_set_last_error(MARK);
    let (b, existed) = e(
        "CreateWaitableTimerEx",
        ws.create_waitable_timer_ex(Some(&name), 0),
    )?;
    c.eq("the same name: in use", existed, true)?;
    c.eq(
        "its last error",
        ws.wsa_get_last_error(),
        WsaError::ERROR_ALREADY_EXISTS.code(),
    )?;
    e(
        "SetWaitableTimer",
        ws.set_waitable_timer(b, -FILETIME_TICKS_PER_MS, 0, None, false),
    )?;
    c.eq(
        "set through one handle, due on the other",
        ws.wait_for_single_object(a.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle", ws.close_handle(a.into()))?;
    e("CloseHandle", ws.close_handle(b.into()))
}

fn create_open<W: Winsock + NamedObjects>(ws: &W, c: &mut Check) -> Result<(), String> {
    for kind in KINDS {
        let name = unique(ws, &format!("Test {kind:?}"));
        let upper = name.to_uppercase();
        ws.wsa_set_last_error(MARK);
        let (h, existed) = e("Create*", kind.create(ws, &name))?;
        c.eq(&format!("{kind:?}: a new name in use"), existed, false)?;
        c.eq(
            &format!("{kind:?}: its last error"),
            ws.wsa_get_last_error(),
            0,
        )?;
        ws.wsa_set_last_error(MARK);
        let (h2, existed) = e("Create*", kind.create(ws, &name))?;
        c.eq(&format!("{kind:?}: the same name in use"), existed, true)?;
        c.eq(
            &format!("{kind:?}: its last error"),
            ws.wsa_get_last_error(),
            WsaError::ERROR_ALREADY_EXISTS.code(),
        )?;
        c.eq(&format!("{kind:?}: a handle of its own"), h2 != h, true)?;
        e("CloseHandle", ws.close_handle(h2))?;
        ws.wsa_set_last_error(MARK);
        let (h3, existed) = e("Create*", kind.create(ws, &upper))?;
        c.eq(
            &format!("{kind:?}: the name in capitals in use"),
            existed,
            false,
        )?;
        c.eq(
            &format!("{kind:?}: its last error"),
            ws.wsa_get_last_error(),
            0,
        )?;
        e("CloseHandle", ws.close_handle(h3))?;
        ws.wsa_set_last_error(MARK);
        let o = e("Open*", kind.open(ws, Some(&name)))?;
        c.eq(
            &format!("{kind:?}: Open*'s last error"),
            ws.wsa_get_last_error(),
            MARK,
        )?;
        e("CloseHandle", ws.close_handle(o))?;
        c.eq(
            &format!("{kind:?}: Open* of the capitals"),
            kind.open(ws, Some(&upper)).map(drop),
            Err(WsaError::ERROR_FILE_NOT_FOUND),
        )?;
        c.eq(
            &format!("{kind:?}: Open* of NULL"),
            kind.open(ws, None).map(drop),
            Err(WsaError::WSA_INVALID_PARAMETER),
        )?;
        e("CloseHandle", ws.close_handle(h))?;
        c.eq(
            &format!("{kind:?}: Open* after the last handle closed"),
            kind.open(ws, Some(&name)).map(drop),
            Err(WsaError::ERROR_FILE_NOT_FOUND),
        )?;
    }
    Ok(())
}

fn one_object<W: Winsock + NamedObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let name = unique(ws, "one event");
    let (a, _) = e("CreateEvent", ws.create_event_named(true, false, &name))?;
    let b = e("OpenEvent", ws.open_event(Some(&name)))?;
    e("SetEvent", ws.set_event(a))?;
    c.eq(
        "the event set through the other handle",
        ws.wait_for_single_object(b.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    // A second create with bInitialState FALSE leaves it set.
    let (d, existed) = e("CreateEvent", ws.create_event_named(true, false, &name))?;
    c.eq("the second create found it", existed, true)?;
    c.eq(
        "and left it set",
        ws.wait_for_single_object(d.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    for h in [a, b, d] {
        e("CloseHandle", ws.close_handle(h.into()))?;
    }

    let name = unique(ws, "one semaphore");
    let (s, _) = e("CreateSemaphore", ws.create_semaphore_named(0, 2, &name))?;
    let (t, _) = e("CreateSemaphore", ws.create_semaphore_named(2, 2, &name))?;
    c.eq(
        "the second create's count is ignored",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "ReleaseSemaphore through one",
        ws.release_semaphore(s, 1),
        Ok(0),
    )?;
    c.eq(
        "taken through the other",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    for h in [s, t] {
        e("CloseHandle", ws.close_handle(h.into()))?;
    }

    let name = unique(ws, "one mutex");
    let (m, _) = e("CreateMutex", ws.create_mutex_named(true, &name))?;
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let n = name.clone();
    let th = e(
        "CreateThread",
        ws.create_thread("named", move |ws: &W| {
            let (m2, existed) = ws.create_mutex_named(true, &n)?;
            let release = ws.release_mutex(m2);
            let wait = ws.wait_for_single_object(m2.into(), 0);
            *s.lock().unwrap() = Some((existed, release, wait));
            ws.close_handle(m2.into())
        }),
    )?;
    c.eq(
        "the thread ends",
        ws.wait_for_single_object(Handle::Thread(th), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the other thread's CreateMutex(TRUE): found, not owned, the wait times out",
        *seen.lock().unwrap(),
        Some((true, Err(WsaError::ERROR_NOT_OWNER), Ok(WAIT_TIMEOUT))),
    )?;
    c.eq("the creator still owns it", ws.release_mutex(m), Ok(()))?;
    e("CloseHandle", ws.close_handle(m.into()))
}

fn kinds<W: Winsock + NamedObjects>(ws: &W, c: &mut Check) -> Result<(), String> {
    let name = unique(ws, "kinds");
    let (ev, _) = e("CreateEvent", ws.create_event_named(false, false, &name))?;
    for kind in [Kind::Mutex, Kind::Semaphore, Kind::Timer] {
        c.eq(
            &format!("Create{kind:?} of an event's name"),
            kind.create(ws, &name).map(drop),
            Err(WsaError::WSA_INVALID_HANDLE),
        )?;
        c.eq(
            &format!("Open{kind:?} of an event's name"),
            kind.open(ws, Some(&name)).map(drop),
            Err(WsaError::WSA_INVALID_HANDLE),
        )?;
    }
    let sem = unique(ws, "kinds semaphore");
    let (s, _) = e("CreateSemaphore", ws.create_semaphore_named(0, 1, &sem))?;
    c.eq(
        "CreateSemaphore with bad counts of a name in use",
        ws.create_semaphore_named(2, 1, &sem).map(drop),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "CreateSemaphore with bad counts of an event's name",
        ws.create_semaphore_named(0, 0, &name).map(drop),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e("CloseHandle", ws.close_handle(s.into()))?;
    e("CloseHandle", ws.close_handle(ev.into()))
}

fn namespace<W: Winsock + NamedObjects>(ws: &W, c: &mut Check) -> Result<(), String> {
    let name = unique(ws, "namespace");
    let (h, _) = e("CreateEvent", ws.create_event_named(false, false, &name))?;
    let local = format!("Local\\{name}");
    let l = ws.open_event(Some(&local));
    c.eq("OpenEvent of Local\\name", l.is_ok(), true)?;
    if let Ok(l) = l {
        e("CloseHandle", ws.close_handle(l.into()))?;
    }
    let (l2, existed) = e("CreateEvent", ws.create_event_named(false, false, &local))?;
    c.eq("CreateEvent of Local\\name found it", existed, true)?;
    e("CloseHandle", ws.close_handle(l2.into()))?;
    let global = format!("Global\\{name}");
    c.eq(
        "OpenEvent of Global\\name",
        ws.open_event(Some(&global)).map(drop),
        Err(WsaError::ERROR_FILE_NOT_FOUND),
    )?;
    let (g, existed) = e("CreateEvent", ws.create_event_named(false, false, &global))?;
    c.eq("CreateEvent of Global\\name: another name", existed, false)?;
    e("CloseHandle", ws.close_handle(g.into()))?;
    let with_nul = format!("{name}\0anything");
    let (n, existed) = e(
        "CreateEvent",
        ws.create_event_named(false, false, &with_nul),
    )?;
    c.eq("a name stops at its NUL", existed, true)?;
    e("CloseHandle", ws.close_handle(n.into()))?;
    e("CloseHandle", ws.close_handle(h.into()))?;
    c.eq(
        "CreateEvent of a\\b",
        ws.create_event_named(false, false, "winsock-sim dir\\b")
            .map(drop),
        Err(WsaError::ERROR_PATH_NOT_FOUND),
    )?;
    c.eq(
        "OpenEvent of a\\b",
        ws.open_event(Some("winsock-sim dir\\b")).map(drop),
        Err(WsaError::ERROR_PATH_NOT_FOUND),
    )?;
    let (u1, existed1) = e("CreateEvent", ws.create_event_named(false, false, ""))?;
    let (u2, existed2) = e("CreateEvent", ws.create_event_named(false, false, ""))?;
    c.eq(
        "the empty name: two new objects",
        (existed1, existed2),
        (false, false),
    )?;
    e("CloseHandle", ws.close_handle(u1.into()))?;
    e("CloseHandle", ws.close_handle(u2.into()))?;
    c.eq(
        "OpenEvent of the empty name",
        ws.open_event(Some("")).map(drop),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let prefix = unique(ws, "long");
    let long = |n: usize| format!("{prefix}{}", "x".repeat(n - prefix.len()));
    let (h259, _) = e(
        "CreateEvent",
        ws.create_event_named(false, false, &long(259)),
    )?;
    e("CloseHandle", ws.close_handle(h259.into()))?;
    c.eq(
        "a name of 260 characters",
        ws.create_event_named(false, false, &long(260)).map(drop),
        Err(WsaError::ERROR_FILENAME_EXCED_RANGE),
    )?;
    c.eq(
        "OpenEvent of it",
        ws.open_event(Some(&long(260))).map(drop),
        Err(WsaError::ERROR_FILENAME_EXCED_RANGE),
    )
}
