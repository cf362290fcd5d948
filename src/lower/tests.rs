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
            ExprKind::Tuple(xs)
            | ExprKind::Array(xs)
            | ExprKind::Other(xs)
            | ExprKind::Index(xs)
            | ExprKind::Return(xs)
            | ExprKind::Break(xs) => kids.extend(xs.iter()),
            ExprKind::Path(_) | ExprKind::Macro(_) | ExprKind::Lit(_) | ExprKind::Opaque => {}
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
    let k = (#[allow(unused)] 7u8, 1 << 2, 3 as u64, b\"x\", 'q', -4);
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

/// Each callee written as a plain path is counted by its path as written (generic arguments
/// left out), each method by `.name`, calls and direct awaits apart; other callees not at all.
#[test]
fn call_uses_count_callees_by_their_written_path() {
    let (file, _) = lower(
        "async fn f(c: C) { a::b(1); a::b(2).await; c.m(); c.m().await; crate::x::<u8>();\n\
         (g)(); h(); r#try::k(); <T as U>::v(); }",
    );
    let mut got: Vec<(String, u32, u32)> = file
        .call_uses
        .iter()
        .map(|(k, u)| (k.to_string(), u.calls, u.awaited))
        .collect();
    got.sort();
    let want = [
        (".m", 2, 1),
        ("a::b", 2, 1),
        ("crate::x", 1, 0),
        ("h", 1, 0),
        ("r#try::k", 1, 0),
    ];
    let want: Vec<(String, u32, u32)> = want
        .iter()
        .map(|(k, c, a)| (k.to_string(), *c, *a))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn macro_statements_span_what_syn_spans() {
    let text = "fn f() {
    println!(\"é {}\", 1);
    ::std::println! { \"x\" }
    vec![1, 2];
    tokio::pin!(fut);
    self::m!(é);
    futures::pin_mut! { a }
}
";
    let (file, source) = lower(text);
    let ast = crate::source::parse(&source).unwrap();
    let syn::Item::Fn(f) = &ast.items[0] else {
        panic!("a fn");
    };
    let expected: Vec<(usize, usize)> = f
        .block
        .stmts
        .iter()
        .map(|s| {
            let syn::Stmt::Macro(m) = s else {
                panic!("a macro statement");
            };
            let span = source.span(m.mac.span());
            (span.start.byte, span.end.byte)
        })
        .collect();
    let ir::Item::Fn(lowered) = &file.items[0] else {
        panic!("a fn");
    };
    let got: Vec<(usize, usize)> = lowered
        .body
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Macro { span, .. } | Stmt::Pin { span, .. } => {
                let span = span.get();
                (span.start.byte, span.end.byte)
            }
            _ => panic!("a macro statement"),
        })
        .collect();
    assert_eq!(got.len(), 6);
    assert_eq!(got, expected);
    assert_eq!(&text[got[1].0..got[1].1], "::std::println! { \"x\" }");
}
