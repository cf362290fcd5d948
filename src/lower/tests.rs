use super::ir::{self, ExprKind, Stmt};
use super::{lower_file, spans};
use crate::diagnostic::Span;
use crate::source::SourceFile;
use syn::spanned::Spanned;

fn lower(text: &str) -> (ir::File, SourceFile) {
    let source = SourceFile::new("t.rs".into(), text.into());
    let ast = crate::source::parse(&source).expect("parses");
    (lower_file(&ast, &source), source)
}

/// Every expression span of the IR, in no particular order.
fn ir_spans(file: &ir::File) -> Vec<Span> {
    fn block(b: &ir::Block, out: &mut Vec<Span>) {
        for s in b.stmts.iter() {
            match s {
                Stmt::Let(l) => l
                    .init
                    .iter()
                    .chain(l.diverge.as_deref())
                    .for_each(|e| expr(e, out)),
                Stmt::Expr { expr: e, .. } => expr(e, out),
                Stmt::Item(ir::Item::Fn(f)) => block(&f.body, out),
                _ => {}
            }
        }
    }
    fn expr(e: &ir::Expr, out: &mut Vec<Span>) {
        out.push(e.span.get());
        let mut kids: Vec<&ir::Expr> = Vec::new();
        match &e.kind {
            ExprKind::Call(c) => {
                kids.push(&c.func);
                kids.extend(c.args.iter());
            }
            ExprKind::MethodCall(m) => {
                kids.push(&m.receiver);
                kids.extend(m.args.iter());
            }
            ExprKind::Await(a) => kids.push(&a.base),
            ExprKind::Field(f) => kids.push(&f.base),
            ExprKind::Cast(c) => kids.push(&c.expr),
            ExprKind::Struct(s) => kids.extend(s.exprs.iter()),
            ExprKind::Try(x)
            | ExprKind::Paren(x)
            | ExprKind::Group(x)
            | ExprKind::Ref(x)
            | ExprKind::Unary { expr: x, .. } => kids.push(x),
            ExprKind::Async(a) => block(&a.block, out),
            ExprKind::Closure(c) => kids.push(&c.body),
            ExprKind::Block(b) | ExprKind::TryBlock(b) | ExprKind::Loop(b) => block(b, out),
            ExprKind::If(i) => {
                kids.push(&i.cond);
                block(&i.then, out);
                kids.extend(&i.otherwise);
            }
            ExprKind::Let(l) => kids.push(&l.expr),
            ExprKind::Match(m) => {
                kids.push(&m.expr);
                for arm in m.arms.iter() {
                    kids.extend(&arm.guard);
                    kids.push(&arm.body);
                }
            }
            ExprKind::For(f) => {
                kids.push(&f.expr);
                block(&f.body, out);
            }
            ExprKind::While { cond, body } => {
                kids.push(cond);
                block(body, out);
            }
            ExprKind::Tuple(xs) | ExprKind::Array(xs) | ExprKind::Other(xs) => {
                kids.extend(xs.iter())
            }
            ExprKind::Path(_) | ExprKind::Macro(_) | ExprKind::Opaque => {}
        }
        kids.into_iter().for_each(|k| expr(k, out));
    }
    let mut out = Vec::new();
    for item in file.items.iter() {
        if let ir::Item::Fn(f) = item {
            block(&f.body, &mut out);
        }
    }
    out
}

/// The spans the walk computed before lowering existed, for every expression syn visits
/// (`spans::start`/`end`), and those syn itself gives (`Spanned::span`, which tokenises).
fn syn_spans(ast: &syn::File, source: &SourceFile) -> (Vec<Span>, Vec<Span>) {
    struct V<'s>(&'s SourceFile, Vec<Span>, Vec<Span>);
    impl<'ast> syn::visit::Visit<'ast> for V<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.1.push(Span {
                start: self.0.position(spans::start(e)),
                end: self.0.position(spans::end(e)),
            });
            self.2.push(self.0.span(e.span()));
            syn::visit::visit_expr(self, e);
        }
    }
    let mut v = V(source, Vec::new(), Vec::new());
    syn::visit::Visit::visit_file(&mut v, ast);
    (v.1, v.2)
}

fn sorted(mut v: Vec<Span>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = v.drain(..).map(|s| (s.start.byte, s.end.byte)).collect();
    out.sort_unstable();
    out
}

const TRICKY: &str = "\u{feff}// é — a line that is not ASCII
async fn f(x: Option<u8>, v: Vec<u8>) -> Result<(), E> {
    let é = x.map(|y| y + 1).unwrap_or_default().to_string().len();
    let s = #[allow(unused)] || { 1 };
    let t = async move |a: u8| -> u8 { a };
    let u = for<'a> |b: &'a u8| *b;
    #[allow(unused_must_use)]
    !flag;
    -x.unwrap() as i64;
    *v.first().unwrap() as u32 as u64;
    'outer: for i in 0..v.len() { if i > 2 { break 'outer; } else if i == 1 { continue; } else { } }
    'w: while let Some(_) = x { break 'w; }
    #[cfg(test)] loop { break; }
    let r = ..;
    let r2 = ..=3;
    let r3 = 1..;
    let a = [1, 2, 3][0];
    let rep = [0u8; 4];
    let t = (1, \"é\", 'x');
    let z = Foo::<u8> { a: 1, ..Default::default() };
    let p = Vec::<u8>::new;
    let q = <Vec<u8>>::new();
    let m = match x { Some(1) | None => 1, Some(n) if n > 3 => n, _ => { 0 } };
    if let Some(y) = x && y > 1 { return Ok(()); }
    s.0.1;
    v[0] += 1;
    unsafe { g() };
    const { 1 };
    w().await?;
    (a, b) = (1, 2);
    return;
}
";

#[test]
fn spans_are_those_the_walk_computed_from_syn() {
    let (file, source) = lower(TRICKY);
    let ast = crate::source::parse(&source).unwrap();
    let (old, tokens) = syn_spans(&ast, &source);
    let new = ir_spans(&file);
    assert_eq!(
        sorted(new),
        sorted(old.clone()),
        "IR spans vs spans::start/end"
    );
    // Syn's own spans agree too, but for a qualified path (`<Vec<u8>>::new`), which the span
    // functions start at its first segment: the IR keeps what the walk always reported.
    let differ: Vec<_> = sorted(old)
        .into_iter()
        .zip(sorted(tokens))
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &source.text[a.0..a.1])
        .collect();
    assert_eq!(differ, ["new", "new()"]);
}

#[test]
fn the_ir_can_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<ir::File>();
}

#[test]
fn a_long_chain_lowers_in_linear_time_with_a_bounded_depth() {
    let text = format!(
        "fn f(x: u8) {{\n    let _ = x{};\n}}\n",
        ".clone()".repeat(50_000)
    );
    // The engine's workers have 256 MiB stacks; syn needs them for such input too.
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let start = std::time::Instant::now();
            let (file, source) = lower(&text);
            let elapsed = start.elapsed();
            let ir::Item::Fn(f) = &file.items[0] else {
                panic!("a fn")
            };
            let Stmt::Let(l) = &f.body.stmts[0] else {
                panic!("a let")
            };
            let init = l.init.as_ref().unwrap();
            let span = init.span.get();
            // The whole chain, from `x` to the last `)`.
            assert_eq!(
                &source.text[span.start.byte..span.start.byte + 9],
                "x.clone()"
            );
            assert_eq!(span.end.byte, source.text.rfind(')').unwrap() + 1);
            let mut depth = 0;
            let mut e = init;
            while let ExprKind::MethodCall(m) = &e.kind {
                e = &m.receiver;
                depth += 1;
            }
            assert!(matches!(e.kind, ExprKind::Opaque), "cut below the limit");
            assert!((super::MAX_DEPTH..super::MAX_DEPTH + 8).contains(&depth));
            // The cut node still spans the rest of the chain.
            let cut = e.span.get();
            assert_eq!(&source.text[cut.start.byte..cut.start.byte + 1], "x");
            (elapsed, file)
        })
        .unwrap();
    let (elapsed, file) = run.join().expect("no stack overflow");
    drop(file);
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

#[test]
fn macros_are_lowered_as_the_walk_reads_them() {
    let (file, _) = lower(
        "macro_rules! go { () => { spawn(work()) }; }
fn f() {
    go!();
    tokio::select! { biased; v = rx.recv() => { break; } _ = tick() => {} }
    tokio::pin!(a, b);
    some_dsl!(a b c a);
    vec![one(), two()];
}
",
    );
    assert_eq!(file.macro_bodies.len(), 1);
    let ir::Item::Fn(f) = &file.items[0] else {
        panic!()
    };
    let form = |i: usize| match &f.body.stmts[i] {
        Stmt::Macro { mac, .. } => mac,
        other => panic!("{other:?}"),
    };
    assert_eq!(form(0).local, Some(0));
    let ir::MacroForm::Select(branches) = &form(1).form else {
        panic!()
    };
    assert!(branches[0].leaves_loop && !branches[1].leaves_loop);
    assert!(
        matches!(&f.body.stmts[2], Stmt::Pin { form: ir::PinForm::Names(n), .. } if n.len() == 2)
    );
    let ir::MacroForm::Idents(names) = &form(3).form else {
        panic!()
    };
    assert_eq!(&names[..], ["a", "b", "c"]);
    assert!(matches!(&form(4).form, ir::MacroForm::Exprs(args) if args.len() == 2));
}

/// Counts live heap bytes, to weigh the IR (only in this test binary).
struct Counting;

static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Lowers every `.rs` file under `UNAWAITED_MEASURE_DIRS` (separated by `:`) on one thread and
/// prints the source size, the heap the IRs hold, and the time parsing and lowering take.
/// `UNAWAITED_MEASURE_DIRS=.. cargo test --release --lib measure_ir -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_ir() {
    let dirs = std::env::var("UNAWAITED_MEASURE_DIRS").unwrap_or_default();
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let (mut source_bytes, mut ir_bytes, mut files) = (0usize, 0isize, 0usize);
            let mut census = Census::default();
            let (mut parse, mut lowering) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
            let mut kept = Vec::new();
            for dir in dirs.split(':').filter(|d| !d.is_empty()) {
                for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                    if entry.path().extension().is_none_or(|e| e != "rs") {
                        continue;
                    }
                    let Ok(text) = std::fs::read_to_string(entry.path()) else {
                        continue;
                    };
                    let source = SourceFile::new(String::new(), text);
                    let t = std::time::Instant::now();
                    let Ok(ast) = crate::source::parse(&source) else {
                        continue;
                    };
                    parse += t.elapsed();
                    let before = LIVE.load(std::sync::atomic::Ordering::Relaxed);
                    let t = std::time::Instant::now();
                    let file = lower_file(&ast, &source);
                    lowering += t.elapsed();
                    ir_bytes += LIVE.load(std::sync::atomic::Ordering::Relaxed) - before;
                    source_bytes += source.text.len();
                    files += 1;
                    drop(ast);
                    proc_macro2::extra::invalidate_current_thread_spans();
                    census.items(&file.items);
                    kept.push(file);
                }
            }
            println!(
                "{files} files, {:.1} MB of source; IR {:.1} MB on the heap ({:.2} bytes per source byte; {census:?}); parse {:.3} s, lowering {:.3} s",
                source_bytes as f64 / 1e6,
                ir_bytes as f64 / 1e6,
                ir_bytes as f64 / source_bytes.max(1) as f64,
                parse.as_secs_f64(),
                lowering.as_secs_f64()
            );
        })
        .unwrap();
    run.join().unwrap();
}

#[test]
#[ignore]
fn print_sizes() {
    use std::mem::size_of;
    println!(
        "Expr {} ExprKind {} Stmt {} Pat {} Ty {} Span {} Local {} Macro {} Fn {} Block {}",
        size_of::<ir::Expr>(),
        size_of::<ExprKind>(),
        size_of::<Stmt>(),
        size_of::<ir::Pat>(),
        size_of::<crate::index::types::Ty>(),
        size_of::<Span>(),
        size_of::<ir::Local>(),
        size_of::<ir::Macro>(),
        size_of::<ir::Fn>(),
        size_of::<ir::Block>()
    );
}

/// Counts of what an IR holds: expressions, statements, patterns, identifiers kept for
/// unparsed macros, and the bytes of all strings.
#[derive(Default, Debug)]
struct Census {
    exprs: usize,
    stmts: usize,
    pats: usize,
    macro_idents: usize,
    string_bytes: usize,
    strings: usize,
}

impl Census {
    fn s(&mut self, s: &str) {
        self.strings += 1;
        self.string_bytes += s.len();
    }
    fn items(&mut self, items: &[ir::Item]) {
        for item in items {
            match item {
                ir::Item::Fn(f) => self.func(f),
                ir::Item::Impl(i) => i.fns.iter().for_each(|f| self.func(f)),
                ir::Item::Trait(t) => t.fns.iter().for_each(|f| self.func(f)),
                ir::Item::Mod { items, .. } => self.items(items),
                ir::Item::Const(e) => self.expr(e),
                ir::Item::Use(u) => u
                    .iter()
                    .for_each(|u| u.target.iter().for_each(|t| self.s(t))),
            }
        }
    }
    fn func(&mut self, f: &ir::Fn) {
        self.s(&f.name);
        for p in f.params.iter() {
            if let ir::Param::Typed(p, _) = p {
                self.pat(p);
            }
        }
        self.block(&f.body);
    }
    fn block(&mut self, b: &ir::Block) {
        b.stmts.iter().for_each(|s| self.stmt(s));
    }
    fn stmt(&mut self, s: &Stmt) {
        self.stmts += 1;
        match s {
            Stmt::Let(l) => {
                self.pat(&l.pat);
                l.init.iter().for_each(|e| self.expr(e));
                l.diverge.iter().for_each(|e| self.expr(e));
            }
            Stmt::Expr { expr, .. } => self.expr(expr),
            Stmt::Macro { mac, .. } => self.mac(mac),
            Stmt::Pin { form, .. } => match form {
                ir::PinForm::Names(n) => n.iter().for_each(|n| self.s(n)),
                ir::PinForm::Lets(s) => s.iter().for_each(|s| self.stmt(s)),
                ir::PinForm::Macro(m) => self.mac(m),
            },
            Stmt::Item(i) => self.items(std::slice::from_ref(i)),
            Stmt::Other => {}
        }
    }
    fn mac(&mut self, m: &ir::Macro) {
        use ir::MacroForm as F;
        match &m.form {
            F::AssertOk(xs) | F::Exprs(xs) | F::QuietExprs(xs) => {
                xs.iter().for_each(|x| self.expr(x))
            }
            F::Pin(x) => self.expr(x),
            F::Select(bs) => {
                for b in bs.iter() {
                    b.future
                        .iter()
                        .chain(&b.condition)
                        .for_each(|x| self.expr(x));
                    self.expr(&b.handler);
                }
            }
            F::QuietStmts(s, names) => {
                s.iter().for_each(|s| self.stmt(s));
                self.macro_idents += names.len();
                names.iter().for_each(|n| self.s(n));
            }
            F::Idents(names) => {
                self.macro_idents += names.len();
                names.iter().for_each(|n| self.s(n));
            }
        }
    }
    fn pat(&mut self, p: &ir::Pat) {
        self.pats += 1;
        p.idents().iter().for_each(|n| self.s(n));
    }
    fn expr(&mut self, e: &ir::Expr) {
        self.exprs += 1;
        match &e.kind {
            ExprKind::Path(p) => p.segs.iter().for_each(|s| self.s(s)),
            ExprKind::Call(c) => {
                self.expr(&c.func);
                c.args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::MethodCall(m) => {
                self.s(&m.method);
                self.expr(&m.receiver);
                m.args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Await(a) => self.expr(&a.base),
            ExprKind::Field(f) => {
                self.s(&f.member);
                self.expr(&f.base);
            }
            ExprKind::Cast(c) => self.expr(&c.expr),
            ExprKind::Struct(s) => s.exprs.iter().for_each(|x| self.expr(x)),
            ExprKind::Try(x)
            | ExprKind::Paren(x)
            | ExprKind::Group(x)
            | ExprKind::Ref(x)
            | ExprKind::Unary { expr: x, .. } => self.expr(x),
            ExprKind::Async(a) => self.block(&a.block),
            ExprKind::Closure(c) => {
                c.inputs.iter().for_each(|p| self.pat(p));
                self.expr(&c.body);
            }
            ExprKind::Block(b) | ExprKind::TryBlock(b) | ExprKind::Loop(b) => self.block(b),
            ExprKind::If(i) => {
                self.expr(&i.cond);
                self.block(&i.then);
                i.otherwise.iter().for_each(|x| self.expr(x));
            }
            ExprKind::Let(l) => {
                self.pat(&l.pat);
                self.expr(&l.expr);
            }
            ExprKind::Match(m) => {
                self.expr(&m.expr);
                for arm in m.arms.iter() {
                    self.pat(&arm.pat);
                    arm.guard.iter().for_each(|x| self.expr(x));
                    self.expr(&arm.body);
                }
            }
            ExprKind::For(f) => {
                self.pat(&f.pat);
                self.expr(&f.expr);
                self.block(&f.body);
            }
            ExprKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            ExprKind::Tuple(xs) | ExprKind::Array(xs) | ExprKind::Other(xs) => {
                xs.iter().for_each(|x| self.expr(x))
            }
            ExprKind::Macro(m) => self.mac(m),
            ExprKind::Opaque => {}
        }
    }
}

/// The language server checks a buffer on a thread with a default 2 MiB stack: a long method
/// chain must not overflow it in lowering or in the walk (as it did not before lowering).
/// Release builds only (debug frames are several times larger):
/// `cargo test --release --lib small_stacks -- --ignored`
#[test]
#[ignore]
fn small_stacks_hold_long_chains() {
    for n in [1_000usize, 2_500, 5_000] {
        let text = format!(
            "async fn w() {{}}\nfn f(x: u8) {{\n    let _ = x{};\n}}\n",
            ".clone()".repeat(n)
        );
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || crate::engine::check_source("t.rs", &text, &Default::default()).len())
            .unwrap()
            .join()
            .expect("no stack overflow");
    }
}
