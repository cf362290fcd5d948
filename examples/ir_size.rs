//! The size of the body IR: lowers every `.rs` file under the given folders on one thread and
//! prints the source size, the heap the IRs hold (counted by this example's allocator), the time
//! parsing and lowering take, what the IRs hold, and the size of each IR node type.
//!
//! `cargo run --release --example ir_size -- DIR...`

use unawaited::lower::ir::{self, ExprKind, Stmt};
use unawaited::lower::lower_file;
use unawaited::source::SourceFile;

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
fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    print_sizes();
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let (mut source_bytes, mut ir_bytes, mut files) = (0usize, 0isize, 0usize);
            let mut census = Census::default();
            let (mut parse, mut lowering) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
            let mut kept = Vec::new();
            for dir in &dirs {
                for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                    if entry.path().extension().is_none_or(|e| e != "rs") {
                        continue;
                    }
                    let Ok(text) = std::fs::read_to_string(entry.path()) else {
                        continue;
                    };
                    let source = SourceFile::new(String::new(), text);
                    let t = std::time::Instant::now();
                    let Ok(ast) = unawaited::source::parse(&source) else {
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

fn print_sizes() {
    use std::mem::size_of;
    println!(
        "Expr {} ExprKind {} Stmt {} Pat {} Ty {} Span {} Local {} Macro {} Fn {} Block {} Item {}",
        size_of::<ir::Expr>(),
        size_of::<ExprKind>(),
        size_of::<Stmt>(),
        size_of::<ir::Pat>(),
        size_of::<unawaited::index::types::Ty>(),
        size_of::<ir::Span>(),
        size_of::<ir::Local>(),
        size_of::<ir::Macro>(),
        size_of::<ir::Fn>(),
        size_of::<ir::Block>(),
        size_of::<ir::Item>()
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
                ir::Item::Mod(md) => self.items(&md.items),
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
            ExprKind::Tuple(xs)
            | ExprKind::Array(xs)
            | ExprKind::Other(xs)
            | ExprKind::Index(xs)
            | ExprKind::Return(xs)
            | ExprKind::Break(xs) => xs.iter().for_each(|x| self.expr(x)),
            ExprKind::Macro(m) => self.mac(m),
            ExprKind::Lit(_) | ExprKind::Opaque => {}
        }
    }
}
