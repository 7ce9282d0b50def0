//! The simulator's layering, checked on the source: a file of a lower layer never names a
//! module of a higher one, and no files import each other in a circle.
//!
//! Layers, lowest first: `crate::api` (the contract), `sim::runtime`, `sim::net`,
//! `sim::socket`, `sim::kernel`, `sim::models`, and the top of `sim` (`world`, `api`, `events`,
//! `calls`, `builder`, `report`, `mod.rs`). `crate::os` (the real backends) may use only
//! `crate::api`. A module's references are read from its `use` lines and from every
//! `crate::…` / `super::…` path in its code (comments and strings excluded).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A source file's module path, e.g. `["sim", "net", "tcp", "input"]` (`mod.rs` and `lib.rs`
/// name their directory's module).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and string literals (so prose naming a layer is not a
/// reference to it).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if let Some(len) = char_literal_len(&b[i..]) {
            i += len; // a char literal such as '"', '\'', '\u{2192}' or a non-ASCII one
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The length in bytes of the char literal `b` starts with (`'x'`, `'\n'`, `'\''`,
/// `'\u{2192}'`, a non-ASCII `'→'`), or `None` when the quote is not one (a lifetime or a
/// label such as `'a`).
fn char_literal_len(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'\'') {
        return None;
    }
    let body = match b.get(1)? {
        // An escape: the literal ends at the first quote after the escaped character.
        b'\\' => 2 + b.get(3..)?.iter().take(10).position(|&c| c == b'\'')?,
        // One character, ASCII or a UTF-8 sequence of 2 to 4 bytes.
        &c if c < 0x80 => 1,
        &c if c >= 0xF0 => 4,
        &c if c >= 0xE0 => 3,
        _ => 2,
    };
    (b.get(1 + body) == Some(&b'\'')).then_some(body + 2)
}

/// Every path in `code` that starts with `crate::` or `super::` (a `use` group such as
/// `use super::{a, b::C}` gives one path per member), resolved to an absolute module path.
fn referenced_paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let words: Vec<(usize, &str)> = code
        .match_indices(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .scan(0, |start, (i, _)| {
            let w = (*start, &code[*start..i]);
            *start = i + 1;
            Some(w)
        })
        .collect();
    for (at, w) in words {
        let (base, rest) = if let Some(r) = w.strip_prefix("crate::") {
            (Vec::new(), r)
        } else if w.starts_with("super::") {
            // `super` is the parent of the file's module (a mod.rs names its directory).
            let mut base: Vec<String> = module.to_vec();
            let mut rest = w;
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            (base, rest)
        } else {
            continue;
        };
        let mut p = base;
        p.extend(rest.split("::").filter(|s| !s.is_empty()).map(String::from));
        if rest.ends_with("::") || code[at + w.len()..].starts_with('{') {
            // A group: the members follow in braces.
            let open = at + w.len();
            if let Some(close) = code[open..].find('}') {
                for member in code[open + 1..open + close].split(',') {
                    let mut q = p.clone();
                    q.extend(
                        member
                            .trim()
                            .split("::")
                            .filter(|s| !s.is_empty() && !s.contains('{'))
                            .map(String::from),
                    );
                    paths.push(q);
                }
                continue;
            }
        }
        paths.push(p);
    }
    paths
}

/// The layer of a module path, lowest 0; `None` for modules outside the layering rule.
fn layer(m: &[String]) -> Option<usize> {
    let s: Vec<&str> = m.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["api", ..] => Some(0),
        ["sim", "runtime", ..] => Some(1),
        ["sim", "net", ..] => Some(2),
        ["sim", "socket", ..] => Some(3),
        ["sim", "kernel", ..] => Some(4),
        ["sim", "models", ..] => Some(5),
        ["sim", ..] => Some(6),
        _ => None,
    }
}

const LAYER_NAMES: [&str; 7] = [
    "api",
    "sim::runtime",
    "sim::net",
    "sim::socket",
    "sim::kernel",
    "sim::models",
    "the top of sim",
];

struct Crate {
    /// Module path → file.
    files: BTreeMap<Vec<String>, PathBuf>,
    /// Module path → the module paths it references (resolved to existing modules).
    refs: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    rust_files(&src, &mut list);
    let mut files = BTreeMap::new();
    for f in &list {
        files.insert(module_of(&src, f), f.clone());
    }
    let mut refs = BTreeMap::new();
    for (m, f) in &files {
        let code = code_only(&fs::read_to_string(f).unwrap());
        let mut targets = BTreeSet::new();
        for p in referenced_paths(m, &code) {
            // The deepest existing module along the path.
            let mut q = p.clone();
            while !q.is_empty() && !files.contains_key(&q) {
                q.pop();
            }
            if !q.is_empty() && &q != m {
                targets.insert(q);
            }
        }
        refs.insert(m.clone(), targets);
    }
    Crate { files, refs }
}

// Proves: no file of a lower layer names a module of a higher layer, and the real backends
// (`os`) name nothing of the simulator.
#[test]
fn lower_layers_never_name_higher_ones() {
    let c = read_crate();
    let mut bad = Vec::new();
    for (m, targets) in &c.refs {
        for t in targets {
            let upward = match (layer(m), layer(t)) {
                (Some(a), Some(b)) => b > a,
                _ => m.first().is_some_and(|s| s == "os") && t.first().is_some_and(|s| s == "sim"),
            };
            if upward {
                bad.push(format!(
                    "{} ({}) names {} ({})",
                    m.join("::"),
                    layer(m).map_or("os", |l| LAYER_NAMES[l]),
                    t.join("::"),
                    layer(t).map_or("?", |l| LAYER_NAMES[l]),
                ));
            }
        }
    }
    assert!(bad.is_empty(), "upward references:\n{}", bad.join("\n"));
    // The rule is not vacuous: the layers exist and reference the ones below.
    for l in ["runtime", "net", "socket", "kernel", "models"] {
        assert!(
            c.files
                .contains_key(&vec!["sim".to_string(), l.to_string()]),
            "sim::{l} is missing"
        );
    }
    let net_refs_runtime = c
        .refs
        .iter()
        .any(|(m, t)| layer(m) == Some(2) && t.iter().any(|x| layer(x) == Some(1)));
    assert!(net_refs_runtime, "the checker found no reference at all");
}

// Proves: the layers import each other in no circle (the layer graph, with every module of a
// layer as one node, is acyclic — it is by the rule above; this also covers `os` and `api`).
#[test]
fn no_circle_between_layers_or_backends() {
    let c = read_crate();
    let node = |m: &[String]| -> String {
        match layer(m) {
            Some(l) => LAYER_NAMES[l].to_string(),
            None => m.first().cloned().unwrap_or_default(),
        }
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, targets) in &c.refs {
        for t in targets {
            let (a, b) = (node(m), node(t));
            if a != b && !a.is_empty() && !b.is_empty() {
                graph.entry(a).or_default().insert(b);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let i = stack.iter().position(|s| s == n).unwrap();
                let mut cyc = stack[i..].to_vec();
                cyc.push(n.to_string());
                return Some(cyc);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if let Some(cyc) = visit(n, &graph, &mut state, &mut Vec::new()) {
            panic!("import circle: {}", cyc.join(" -> "));
        }
    }
}

// Proves: the checker itself sees an upward reference (a test of the test): a file that
// names `crate::sim::models` from the network layer is caught, in a `use` group, in a bare
// path and through `super::`.
#[test]
fn the_checker_catches_upward_references() {
    let m: Vec<String> = ["sim", "net", "udp"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let code = code_only(
        "use crate::sim::{runtime::World, models::overlapped::Op};\n\
         fn f() { crate::sim::kernel::objects::thing(); }\n\
         use super::super::socket::handles; // crate::sim::calls in a comment\n\
         const S: &str = \"crate::sim::world\";",
    );
    let paths = referenced_paths(&m, &code);
    let layers: BTreeSet<usize> = paths.iter().filter_map(|p| layer(p)).collect();
    assert!(layers.contains(&5), "models not seen in {paths:?}");
    assert!(layers.contains(&4), "kernel not seen in {paths:?}");
    assert!(
        layers.contains(&3),
        "socket via super:: not seen in {paths:?}"
    );
    assert!(
        !layers.contains(&6),
        "a comment or string was read as code: {paths:?}"
    );
}

// Proves: no two files import each other in a circle. A file naming its own parent module
// (`super::X` where X is the parent's re-export or its layer trait) is not counted: a module
// file is its children's face, not a peer.
#[test]
fn no_circle_between_files() {
    let c = read_crate();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, targets) in &c.refs {
        for t in targets {
            if m.starts_with(t) {
                continue; // a child naming an ancestor module
            }
            graph.entry(m.join("::")).or_default().insert(t.join("::"));
        }
    }
    let mut cycles = Vec::new();
    // Tarjan would find all; a DFS from each node reporting its first back edge is enough.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        out: &mut Vec<String>,
    ) {
        match state.get(n) {
            Some(1) => {
                let i = stack.iter().position(|s| s == n).unwrap();
                let mut cyc = stack[i..].to_vec();
                cyc.push(n.to_string());
                out.push(cyc.join(" -> "));
                return;
            }
            Some(2) => return,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            visit(m, g, state, stack, out);
        }
        stack.pop();
        state.insert(n.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        visit(n, &graph, &mut state, &mut Vec::new(), &mut cycles);
    }
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

/// The code-only reader skips every kind of char literal, and keeps lifetimes, so a quote
/// inside a literal never starts a string that swallows the code after it.
#[test]
fn char_literals_of_every_kind_are_skipped() {
    let src = "let a = '\"'; let b = '\\''; let c = '\\\"'; let d = '\u{2192}'; \
               let e = '\\u{2192}'; fn f<'a>(x: &'a str) {} use crate::sim::net;";
    let code = code_only(src);
    assert!(code.contains("use crate::sim::net"), "{code}");
    assert!(code.contains("fn f<'a>(x: &'a str)"), "{code}");
    for lit in ["'\"'", "'\\''", "'\\\"'", "'\u{2192}'", "'\\u{2192}'"] {
        assert!(!code.contains(lit), "{lit} kept in {code}");
    }
}
