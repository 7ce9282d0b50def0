//! `impl Resolve for Native`: `getaddrinfo`, `getnameinfo`, `gethostbyname`, `gethostname`,
//! the protocol and service database calls, `WSAStringToAddressA` and `WSAAddressToStringA`
//! on ws2_32 (the host's real resolver and `etc` files).

use std::ffi::{CStr, CString};

use windows_sys::Win32::Networking::WinSock as ws;

use super::native::{addr_buf, addr_from, finish, int_len, last_error, Native};
use crate::api::{
    AddrInfo, AddrInfoHints, Hostent, Protoent, Resolve, Servent, SockAddr, WsaError,
};

/// A Rust string as a C string; an interior NUL cannot name anything: WSAEINVAL.
fn c_string(s: &str) -> Result<CString, WsaError> {
    CString::new(s).map_err(|_| WsaError::WSAEINVAL)
}

/// The text in a NUL-terminated buffer the OS filled.
fn text(buf: &[u8]) -> String {
    CStr::from_bytes_until_nul(buf)
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_else(|_| String::from_utf8_lossy(buf).into_owned())
}

/// The text of a C string ws2_32 returned.
///
/// # Safety
/// `p` is non-null and NUL-terminated, and stays valid for the call.
unsafe fn c_text(p: *const u8) -> String {
    // SAFETY: as the caller promises.
    unsafe { CStr::from_ptr(p.cast()).to_string_lossy().into_owned() }
}

/// The entries of a NULL-terminated array of pointers ws2_32 returned (h_aliases,
/// h_addr_list, p_aliases, s_aliases); none for a null array.
///
/// # Safety
/// `p` is null or points to an array of pointers ending with a null one, valid for the call.
unsafe fn c_array(mut p: *mut *mut i8) -> Vec<*mut i8> {
    let mut v = Vec::new();
    // SAFETY: each `p` read is an element of the array up to its null terminator.
    unsafe {
        while !p.is_null() && !(*p).is_null() {
            v.push(*p);
            p = p.add(1);
        }
    }
    v
}

/// The names of a NULL-terminated array of C strings ws2_32 returned.
///
/// # Safety
/// As [`c_array`], and each element NUL-terminated.
unsafe fn c_names(p: *mut *mut i8) -> Vec<String> {
    // SAFETY: as the caller promises.
    unsafe { c_array(p).into_iter().map(|a| c_text(a.cast())).collect() }
}

/// A copy of the PROTOENT ws2_32 returned, or its last error for null.
fn protoent(p: *const ws::PROTOENT) -> Result<Protoent, WsaError> {
    if p.is_null() {
        return Err(last_error());
    }
    // SAFETY: `p` is the thread's PROTOENT, valid until this thread's next database call
    // (none is made before the copy ends); p_name is NUL-terminated and p_aliases a
    // NULL-terminated array of NUL-terminated names.
    unsafe {
        let e = &*p;
        Ok(Protoent {
            name: c_text(e.p_name),
            aliases: c_names(e.p_aliases),
            proto: e.p_proto,
        })
    }
}

/// A copy of the SERVENT ws2_32 returned, or its last error for null.
fn servent(p: *const ws::SERVENT) -> Result<Servent, WsaError> {
    if p.is_null() {
        return Err(last_error());
    }
    // SAFETY: `p` is the thread's SERVENT, valid until this thread's next database call
    // (none is made before the copy ends); s_name and s_proto are NUL-terminated and
    // s_aliases a NULL-terminated array of NUL-terminated names.
    unsafe {
        let e = &*p;
        Ok(Servent {
            name: c_text(e.s_name),
            aliases: c_names(e.s_aliases),
            port: u16::from_be(e.s_port as u16),
            proto: c_text(e.s_proto),
        })
    }
}

/// A database call's name as the C string it reads: the text before the first NUL (as
/// the simulator reads it, `api::database::c_str`).
fn c_name(s: &str) -> CString {
    CString::new(crate::api::database::c_str(s)).unwrap_or_default()
}

/// An optional protocol name as a C string (null for `None`).
fn c_proto(proto: Option<&str>) -> Option<CString> {
    proto.map(c_name)
}

/// The pointer of an optional C string.
fn ptr(c: &Option<CString>) -> *const u8 {
    c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr().cast())
}

impl Native {
    /// WSAStartup was called through this backend (else WSANOTINITIALISED, no OS call).
    pub(super) fn started(&self) -> Result<(), WsaError> {
        if self.inner.owned.lock().wsa_refs == 0 {
            Err(WsaError::WSANOTINITIALISED)
        } else {
            Ok(())
        }
    }
}

impl Resolve for Native {
    /// `getaddrinfo`: the list the OS returns, copied, then `freeaddrinfo`.
    fn getaddrinfo(
        &self,
        node: Option<&str>,
        service: Option<&str>,
        hints: Option<&AddrInfoHints>,
    ) -> Result<Vec<AddrInfo>, WsaError> {
        let args = self.started().and_then(|_| {
            Ok((
                node.map(c_string).transpose()?,
                service.map(c_string).transpose()?,
            ))
        });
        let (node, service) = match args {
            Ok(a) => a,
            Err(e) => return finish(Err(e)),
        };
        let h = hints.map(|h| ws::ADDRINFOA {
            ai_flags: h.flags,
            ai_family: h.family,
            ai_socktype: h.socktype,
            ai_protocol: h.protocol,
            ..Default::default()
        });
        let mut list: *mut ws::ADDRINFOA = std::ptr::null_mut();
        // SAFETY: the strings are NUL-terminated and live for the call (or null); `h` is null
        // or a live ADDRINFOA with only the hint fields set; `list` is a live local the call
        // fills with a list it allocates.
        let rc = unsafe {
            ws::getaddrinfo(
                node.as_ref()
                    .map_or(std::ptr::null(), |c| c.as_ptr().cast()),
                service
                    .as_ref()
                    .map_or(std::ptr::null(), |c| c.as_ptr().cast()),
                h.as_ref().map_or(std::ptr::null(), |h| h as *const _),
                &mut list,
            )
        };
        if rc != 0 {
            return finish(Err(WsaError::from_code(rc)));
        }
        let mut out = Vec::new();
        let mut p = list;
        while !p.is_null() {
            // SAFETY: `p` is a node of the list getaddrinfo returned, not yet freed; its
            // ai_addr holds ai_addrlen bytes and ai_canonname is null or NUL-terminated.
            unsafe {
                let ai = &*p;
                let addr = if ai.ai_addr.is_null() {
                    SockAddr::from_bytes(&[])
                } else {
                    SockAddr::from_bytes(std::slice::from_raw_parts(
                        ai.ai_addr.cast::<u8>(),
                        ai.ai_addrlen,
                    ))
                };
                out.push(AddrInfo {
                    flags: ai.ai_flags,
                    family: ai.ai_family,
                    socktype: ai.ai_socktype,
                    protocol: ai.ai_protocol,
                    canonname: (!ai.ai_canonname.is_null()).then(|| {
                        CStr::from_ptr(ai.ai_canonname.cast())
                            .to_string_lossy()
                            .into_owned()
                    }),
                    addr,
                });
                p = ai.ai_next;
            }
        }
        // SAFETY: the list getaddrinfo returned, freed once, after the last read above.
        unsafe { ws::freeaddrinfo(list) };
        finish(Ok(out))
    }

    /// `getnameinfo` into NI_MAXHOST and NI_MAXSERV buffers.
    fn getnameinfo(&self, addr: &SockAddr, flags: i32) -> Result<(String, String), WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let a = addr.as_bytes();
        let mut host = [0u8; 1025];
        let mut serv = [0u8; 32];
        // SAFETY: `a` is a live address passed with its length; `host` and `serv` are live
        // buffers passed with their sizes.
        let rc = unsafe {
            ws::getnameinfo(
                a.as_ptr().cast(),
                int_len(a.len()),
                host.as_mut_ptr(),
                host.len() as u32,
                serv.as_mut_ptr(),
                serv.len() as u32,
                flags,
            )
        };
        if rc != 0 {
            return finish(Err(WsaError::from_code(rc)));
        }
        finish(Ok((text(&host), text(&serv))))
    }

    /// `gethostbyname`: the HOSTENT ws2_32 returns (in its per-thread buffer), copied.
    fn gethostbyname(&self, name: &str) -> Result<Hostent, WsaError> {
        let c = match self.started().and_then(|_| c_string(name)) {
            Ok(c) => c,
            Err(e) => return finish(Err(e)),
        };
        // SAFETY: `c` is NUL-terminated and lives for the call.
        let h = unsafe { ws::gethostbyname(c.as_ptr().cast()) };
        if h.is_null() {
            return finish(Err(last_error()));
        }
        // SAFETY: `h` is the thread's HOSTENT, valid until this thread's next database call
        // (none is made before the copy ends): h_name is NUL-terminated; h_aliases and
        // h_addr_list are NULL-terminated arrays of NUL-terminated names and of h_length-byte
        // addresses.
        let out = unsafe {
            let h = &*h;
            let len = usize::try_from(h.h_length).unwrap_or(0);
            Hostent {
                name: c_text(h.h_name),
                aliases: c_names(h.h_aliases),
                family: i32::from(h.h_addrtype),
                addrs: c_array(h.h_addr_list)
                    .into_iter()
                    .filter(|_| len == 4)
                    .map(|a| {
                        let mut b = [0u8; 4];
                        b.copy_from_slice(std::slice::from_raw_parts(a.cast::<u8>(), 4));
                        b
                    })
                    .collect(),
            }
        };
        finish(Ok(out))
    }

    /// `gethostname` into a 256-byte buffer (enough for any DNS name).
    fn gethostname(&self) -> Result<String, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let mut buf = [0u8; 256];
        // SAFETY: a live buffer passed with its size.
        let rc = unsafe { ws::gethostname(buf.as_mut_ptr(), buf.len() as i32) };
        if rc != 0 {
            return finish(Err(last_error()));
        }
        finish(Ok(text(&buf)))
    }

    /// `gethostname` into the caller's buffer (null for `None`), its length as `namelen`.
    fn gethostname_c(&self, name: Option<&mut [u8]>) -> Result<(), WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let (ptr, len) = name.map_or((std::ptr::null_mut(), 0), |b| (b.as_mut_ptr(), b.len()));
        // SAFETY: `ptr` is null or a live buffer of `len` bytes, which is what `namelen`
        // says; the call writes within it.
        let rc = unsafe { ws::gethostname(ptr, int_len(len)) };
        finish(if rc == 0 { Ok(()) } else { Err(last_error()) })
    }

    /// `GetHostNameW` into the caller's buffer (null for `None`), `namelen` in WCHARs.
    fn get_host_name_w(&self, name: Option<&mut [u16]>) -> Result<(), WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let (ptr, len) = name.map_or((std::ptr::null_mut(), 0), |b| (b.as_mut_ptr(), b.len()));
        // SAFETY: `ptr` is null or a live buffer of `len` WCHARs, which is what `namelen`
        // says; the call writes within it.
        let rc = unsafe { ws::GetHostNameW(ptr, int_len(len)) };
        finish(if rc == 0 { Ok(()) } else { Err(last_error()) })
    }

    /// `getprotobyname`: the PROTOENT ws2_32 returns, copied.
    fn getprotobyname(&self, name: &str) -> Result<Protoent, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let c = c_name(name);
        // SAFETY: `c` is NUL-terminated and lives for the call.
        finish(protoent(unsafe { ws::getprotobyname(c.as_ptr().cast()) }))
    }

    /// `getprotobynumber`: the PROTOENT ws2_32 returns, copied.
    fn getprotobynumber(&self, number: i32) -> Result<Protoent, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        // SAFETY: no pointer is passed.
        finish(protoent(unsafe { ws::getprotobynumber(number) }))
    }

    /// `getservbyname`: the SERVENT ws2_32 returns, copied.
    fn getservbyname(&self, name: &str, proto: Option<&str>) -> Result<Servent, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let (c, p) = (c_name(name), c_proto(proto));
        // SAFETY: `c` is NUL-terminated and `p` null or NUL-terminated, both live for the call.
        finish(servent(unsafe {
            ws::getservbyname(c.as_ptr().cast(), ptr(&p))
        }))
    }

    /// `getservbyport` with the port in network byte order, as the C call takes it.
    fn getservbyport(&self, port: u16, proto: Option<&str>) -> Result<Servent, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let p = c_proto(proto);
        let net = i32::from(port.to_be());
        // SAFETY: `p` is null or NUL-terminated and lives for the call.
        finish(servent(unsafe { ws::getservbyport(net, ptr(&p)) }))
    }

    /// `WSAStringToAddressA` into a SOCKADDR_STORAGE.
    fn wsa_string_to_address(&self, s: &str, family: i32) -> Result<SockAddr, WsaError> {
        let c = match self.started().and_then(|_| c_string(s)) {
            Ok(c) => c,
            Err(e) => return finish(Err(e)),
        };
        let (mut buf, mut len) = addr_buf();
        // SAFETY: `c` is NUL-terminated; `buf` (128 bytes) and `len` are live locals.
        let rc = unsafe {
            ws::WSAStringToAddressA(
                c.as_ptr().cast(),
                family,
                std::ptr::null(),
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return finish(Err(last_error()));
        }
        finish(Ok(addr_from(&buf, len)))
    }

    /// `WSAAddressToStringA` into a 64-byte buffer (INET6_ADDRSTRLEN plus a port).
    fn wsa_address_to_string(&self, addr: &SockAddr) -> Result<String, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let a = addr.as_bytes();
        let mut buf = [0u8; 64];
        let mut len = buf.len() as u32;
        // SAFETY: `a` is a live address passed with its length; `buf` and `len` are live.
        let rc = unsafe {
            ws::WSAAddressToStringA(
                a.as_ptr().cast(),
                a.len() as u32,
                std::ptr::null(),
                buf.as_mut_ptr(),
                &mut len,
            )
        };
        if rc != 0 {
            return finish(Err(last_error()));
        }
        finish(Ok(text(&buf)))
    }
}
