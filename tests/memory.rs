//! What the tool holds for a whole run stays compact (issue 29's memory targets, issue 30 item
//! 9): the body IR's nodes keep their sizes, names are interned symbols, the index shares the
//! facts' type definitions rather than holding copies of them, and holds each signature inline.

use std::path::PathBuf;
use std::sync::Arc;
use unawaited::discover::CrateRoot;
use unawaited::index::facts::FileFacts;
use unawaited::index::{Index, IndexedFile};
use unawaited::lower::ir;

#[test]
fn ir_nodes_keep_their_sizes() {
    // An expression 48 bytes (a `u128` literal inline made it 64), a statement 56 (80), an
    // item 24 (48): generated files hold hundreds of thousands of each.
    assert!(std::mem::size_of::<ir::Expr>() <= 48);
    assert!(std::mem::size_of::<ir::Stmt>() <= 56);
    assert!(std::mem::size_of::<ir::Item>() <= 24);
    let lit = ir::IntLit::new(u128::MAX - 7);
    assert_eq!(lit.get(), u128::MAX - 7);
    assert_eq!(ir::IntLit::new(42).get(), 42);
}

#[test]
fn the_index_shares_the_facts_types_and_copies_their_signatures() {
    let text = "pub struct Conn { pub inner: Inner }\n\
                pub struct Inner;\n\
                impl Conn { pub async fn send(&self) {} }\n\
                pub fn open() -> Conn { Conn { inner: Inner } }\n";
    let path = PathBuf::from("/m/src/lib.rs");
    let facts = FileFacts::of_text(text);
    let module = &facts.modules[0];
    let (conn, open, send) = (
        module.types[0].clone(),
        module.fns[0].clone(),
        module.impls[0].fns[0].clone(),
    );
    let files = vec![IndexedFile {
        path: path.clone(),
        facts,
    }];
    let roots = [CrateRoot {
        file: path,
        name: "m".into(),
        is_lib: true,
    }];
    let ix = Index::build(&files, &roots);
    let info = ix.type_info("m::Conn").expect("indexed");
    assert!(Arc::ptr_eq(&info.def, &conn), "a copy of the type");
    // Signatures are held inline, 32 bytes each, by the facts and by the index alike (an `Arc`
    // shared by both cost 16 bytes of counts besides a pointer on each side).
    let fns: Vec<_> = ix.fns().map(|f| f.sig).collect();
    assert!(fns.contains(&&open), "`open` not indexed as read");
    assert!(fns.contains(&&send), "`send` not indexed as read");
}

#[test]
fn names_are_interned_symbols() {
    use unawaited::index::facts::{FnSig, TypeDef, UseFact};
    use unawaited::index::types::Ty;
    use unawaited::symbol::Symbol;
    // A name is a 4-byte symbol (a `String` was 24 bytes and its own allocation), with a niche:
    // an optional name costs nothing more.
    assert_eq!(std::mem::size_of::<Symbol>(), 4);
    assert_eq!(std::mem::size_of::<Option<Symbol>>(), 4);
    // A written type's path is a boxed slice of symbols: 40 bytes (48 with `Vec<String>`,
    // besides one allocation per segment).
    assert!(std::mem::size_of::<Ty>() <= 40);
    // An import: 24 bytes (56 with a `String` and a `Vec<String>`).
    assert!(std::mem::size_of::<UseFact>() <= 24);
    // A signature and a type definition, their names symbols (each was 24 bytes more, with a
    // `String` name, and a type definition's fields and parameters each a `String` too). A
    // signature is 48 bytes (120 with its return type inline, `usize` line and count, its
    // closure inputs a `Vec` and its `cfg` a `Box<str>`).
    assert!(std::mem::size_of::<FnSig>() <= 32);
    assert!(std::mem::size_of::<TypeDef>() <= 96);
    // The IR's fn: its name a symbol (136 bytes with a `String`).
    assert!(std::mem::size_of::<ir::Fn>() <= 120);
    let a = Symbol::intern("spawn");
    assert_eq!(a, Symbol::intern(&String::from("spawn")));
    assert_eq!(a.as_str(), "spawn");
}

#[test]
fn a_signature_and_an_indexed_fn_are_compact() {
    use unawaited::index::facts::FnSig;
    use unawaited::index::sig_extras::SigExtras;
    use unawaited::index::ty_ref::TyRef;
    use unawaited::index::FnInfo;
    // A generated file holds hundreds of thousands of fns: each signature's return type is an
    // interned 4-byte ref (the 10 MB `fns` file's all return `u32`: one type), its closure
    // inputs and the type parameters it takes from its arguments one thin pointer; an indexed
    // fn holds its signature inline, with its module, file, self type and trait, in 48 bytes
    // (24, and 48 more for an `Arc` block of the signature; 56 with `usize` ids and two
    // `Option<Arc<str>>`).
    assert_eq!(std::mem::size_of::<TyRef>(), 4);
    assert_eq!(std::mem::size_of::<SigExtras>(), 8);
    assert!(std::mem::size_of::<FnSig>() <= 32);
    assert!(std::mem::size_of::<FnInfo>() <= 48);
    let text = "pub fn a() -> u32 { 1 }\npub fn b() -> u32 { 2 }\npub fn c() -> u64 { 3 }\n";
    let facts = FileFacts::of_text(text);
    let fns = &facts.modules[0].fns;
    assert_eq!(fns[0].ret, fns[1].ret, "one interned `u32`");
    assert_ne!(fns[0].ret, fns[2].ret);
    assert!(fns[0].extras.closure_inputs().is_empty() && fns[0].extras.ret_from_args().is_empty());
}

#[test]
fn inert_constants_are_not_held_in_the_ir() {
    use unawaited::lower::lower_file;
    use unawaited::source::SourceFile;
    // Generated bindings hold hundreds of thousands of `const`s of literals: their walk gives
    // nothing, so the IR keeps none of them, nor impls and traits with no fn body, nor inline
    // modules left empty. A `const` whose initialiser names something (a call, a path, a
    // block) is kept: its walk may reach a fn or hold a future; so is an impl with a method.
    let text = "pub const A: i32 = 4i32;\n\
                pub const B: u32 = -1i32 as u32;\n\
                pub static C: u64 = (1 << 3) | 2;\n\
                pub const D: (u8, [u8; 2]) = (1, [2, 3]);\n\
                const E: &str = \"text\";\n\
                pub const G: Guid = Guid::from_u128(0x1234);\n\
                pub const H: u32 = A as u32;\n\
                static F: fn() = make;\n\
                pub mod inner { pub const I: u8 = 1; pub const J: u8 = { 2 }; }\n\
                pub mod empty { pub const K: u8 = 1; impl Copy for X {} }\n\
                impl Clone for X { fn clone(&self) -> Self { *self } }\n\
                pub trait T { fn f(&self); }\n";
    let file = SourceFile::new("/m/src/lib.rs".into(), text.into());
    let ast = unawaited::source::parse(&file).expect("parses");
    let ir = lower_file(&ast, &file);
    let kept: Vec<String> = ir
        .items
        .iter()
        .map(|i| match i {
            ir::Item::Const(e) => format!("const at line {}", e.span.start.line),
            ir::Item::Mod(m) => format!("mod {} with {} items", m.name, m.items.len()),
            ir::Item::Impl(imp) => format!("impl with {} fns", imp.fns.len()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kept,
        [
            "const at line 6",
            "const at line 7",
            "const at line 8",
            "mod inner with 1 items",
            "impl with 1 fns"
        ]
    );
}

/// The binary's allocator asks for no transparent huge pages: with them (mimalloc's default
/// `madvise(MADV_HUGEPAGE)` of its arenas), every 2 MB page touched is resident as a whole,
/// and the pages left sparse by the syn trees parsed and dropped file by file held up to half
/// of the peak (tokio: 105 → 55 MB). Checked where the kernel gives huge pages only to memory
/// that asks for them (`[madvise]`): the process's `AnonHugePages`, sampled while it runs,
/// stays 0 (with the default it was 36 MB on `fixtures/pipeline`).
#[cfg(target_os = "linux")]
#[test]
fn the_allocator_asks_for_no_huge_pages() {
    let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
    if !mode.is_ok_and(|m| m.contains("[madvise]")) {
        eprintln!("transparent huge pages not in `madvise` mode here: nothing to check");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"gen\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let mut text = String::from("async fn w() {}\n");
    for i in 0..20_000 {
        text.push_str(&format!("pub fn f{i}(x: u32) -> u32 {{\n    x + {i}\n}}\n"));
    }
    std::fs::write(dir.path().join("src/lib.rs"), text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_unawaited"))
        .args(["check", "--no-cache", "-q", "--exit-zero"])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let rollup = format!("/proc/{}/smaps_rollup", child.id());
    let mut most = 0u64;
    let mut samples = 0;
    while child.try_wait().unwrap().is_none() {
        let huge = std::fs::read_to_string(&rollup).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("AnonHugePages:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        if let Some(kb) = huge {
            most = most.max(kb);
            samples += 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(most, 0, "{most} kB of huge pages ({samples} samples)");
}
