//! Compact, serialisable facts about the items of one file: what the index is built from. They
//! hold no syntax tree, so they can be cached per file and kept for a whole workspace cheaply.

use super::sig_extras::SigExtras;
use super::ty_ref::TyRef;
use super::types::{path_symbols, Ty};
use crate::symbol::Symbol;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use super::sig_extras::{Forward, Via};

/// A function's signature, as far as the analysis needs it: 32 bytes, the rare parts (see
/// [`SigExtras`]) behind one thin pointer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FnSig {
    pub name: Symbol,
    pub is_async: bool,
    /// The declared return type (for an `async fn`, the future's output); `()` when none is
    /// written.
    pub ret: TyRef,
    pub has_self: bool,
    /// 1-based line of the `fn` name, for call-chain notes.
    pub line: u32,
    /// The return type is a reference (`&mut Self` of a builder): dropping the result drops
    /// nothing.
    pub ret_is_ref: bool,
    /// How many arguments a call passes (the receiver not counted).
    pub params: u32,
    /// `#[must_use]` on the fn.
    pub must_use: bool,
    /// What the fn's own `# Cancel safety` doc section says (a flag, not the text).
    pub cancel_doc: DocCancel,
    /// The parts nearly every fn leaves empty (see [`SigExtras`]): for each parameter that takes
    /// a closure (`impl Fn(A)`, or a generic parameter bound by `Fn(A)`), by position (the
    /// receiver not counted), the types the closure is called with
    /// ([`SigExtras::closure_inputs`]); the type parameters the return type names that a
    /// parameter has as its whole type (`fn instrument<F>(&self, task: F) -> Instrumented<F>`),
    /// each with that parameter's position: at a call, the parameter is what the argument is
    /// ([`SigExtras::ret_from_args`]); and what [`FnSig::forwards_to`], [`FnSig::cfg`],
    /// [`FnSig::runtime_attr`], [`FnSig::offloads_param`], [`FnSig::catches_param`] and
    /// [`FnSig::async_by_feature`] answer.
    pub extras: SigExtras,
    /// A plain fn returning a future whose body does work before it returns it (see
    /// [`starts_work`]): dropping the future loses only the wait for that work.
    pub starts_work: bool,
    /// A trait method declared without a body: what its future does before it is first polled
    /// is up to each implementation (some start the work when they make it).
    pub body_unknown: bool,
}

impl FnSig {
    /// `#[tokio::main]`, `#[actix_web::main]`, `#[tokio::test]`, ...: a runtime drives the body.
    pub fn runtime_attr(&self) -> bool {
        self.extras.runtime_attr()
    }

    /// The body hands one of its parameters to an offloading call (`spawn_blocking(f)`), so
    /// closures passed to this function run where blocking is fine.
    pub fn offloads_param(&self) -> bool {
        self.extras.offloads_param()
    }

    /// A plain fn returning a future that does no work of its own and returns, as its tail, the
    /// future a call makes (`self.inner.get_mut().close(err)`): its future has started its work
    /// when that callee's has (see [`forwarded_call`]).
    pub fn forwards_to(&self) -> Option<&Forward> {
        self.extras.forwards_to()
    }

    /// The body hands one of its parameters to `catch_unwind`: a panic in a closure passed to
    /// this function is expected and caught (a test helper checking that something panics).
    pub fn catches_param(&self) -> bool {
        self.extras.catches_param()
    }

    /// A module-level fn's own `#[cfg(..)]` predicates, as written (tokens), when it has any: of
    /// two same-named fns of a module, a call picks the one whose `cfg` its own fn shares.
    pub fn cfg(&self) -> Option<Symbol> {
        self.extras.cfg()
    }

    /// An `async fn` under the `maybe-async` crate's `#[maybe_async]` (on the fn, its impl or
    /// its trait, written plainly or under `cfg_attr`): `async` only while maybe-async's
    /// `is_sync` feature is off, a plain fn when it is on.
    pub fn async_by_feature(&self) -> bool {
        self.extras.async_by_feature()
    }
}

pub use super::doc_cancel::{DocCancel, CANCEL_SAFE_MARK, CANCEL_UNSAFE_MARK};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeKind {
    Struct,
    Enum,
    Union,
    Trait,
    Alias,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    pub name: Symbol,
    pub kind: TypeKind,
    /// Named struct fields and their types; for a trait, its associated types and what their
    /// bounds say.
    pub fields: Vec<(Symbol, Ty)>,
    /// For a type alias, what it stands for.
    pub alias_of: Option<Box<Ty>>,
    /// A unit struct (`struct Never;`): its name is also a value.
    #[serde(default)]
    pub is_unit: bool,
    /// The type parameters, in order, each with what its bounds say (`Unknown` when nothing
    /// useful): a generic alias substitutes its arguments, a generic field means its bound.
    #[serde(default)]
    pub generics: Vec<(Symbol, Ty)>,
    /// `#[must_use]` on the type.
    #[serde(default)]
    pub must_use: bool,
    /// A trait with a `Future` or `IntoFuture` supertrait (`trait Action: IntoFuture`): a value
    /// known only by it is a future to be.
    #[serde(default)]
    pub future_trait: bool,
    /// A trait with an `Fn*` supertrait (`trait Subsys<A>: FnOnce(A) -> Self::Fut { type Fut:
    /// Future; }`): what calling a value known only by it gives, `Self::X` read as what the
    /// bounds of the trait's associated type `X` say.
    #[serde(default)]
    pub call_ret: Option<Box<Ty>>,
    /// A trait's supertraits written as paths, with their arguments (`trait NotificationCode:
    /// ToCode<Box<Cb>>`): a method found through one reads the supertrait's parameters as
    /// those arguments.
    #[serde(default)]
    pub supertraits: Vec<Ty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseFact {
    /// The name the import binds (`*` for a glob).
    pub alias: Symbol,
    /// The path imported, as written.
    pub target: Box<[Symbol]>,
    pub glob: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImplFacts {
    pub self_ty: Ty,
    /// The implemented trait's path, as written.
    pub trait_path: Option<Box<[Symbol]>>,
    pub fns: Vec<FnSig>,
    /// The associated types it defines (`type Output = Option<Incoming>;`), the impl's
    /// parameters meaning their bounds.
    #[serde(default)]
    pub assoc_types: Vec<(Symbol, Ty)>,
    /// The positions of the self type's arguments that the impl requires to be futures
    /// (`impl<L: Future, R: Future> Future for Either<L, R>`: 0 and 1): the impl holds only when
    /// they are.
    #[serde(default)]
    pub cond_args: Vec<usize>,
    /// The position of the self type's argument that an associated `type Target` names
    /// (`impl<T> Deref for Shared<T> { type Target = T; }`: 0), so that auto-deref of a
    /// `Shared<Client>` reaches `Client`.
    #[serde(default)]
    pub target_arg: Option<usize>,
    /// An attribute macro is applied to the impl (`#[action] impl Action for InsertOne`): what
    /// it expands to may implement more traits for the self type than the source shows.
    #[serde(default)]
    pub by_macro: bool,
    /// An `impl Drop` whose `drop` body was read and hands nothing off (see
    /// [`drop_hands_off`]): dropping the value only frees or deregisters what it holds, so a
    /// future of that type is still lazy.
    #[serde(default)]
    pub drop_cleans_up: bool,
    /// An `impl Drop` whose `drop` body, besides cleaning up, only locks, notifies and wakes
    /// (see [`drop_passes_wake`]): it passes a wake-up on to another waiter (an event
    /// listener handing its notification on), which the names alone do not prove.
    #[serde(default)]
    pub drop_passes_wake: bool,
    /// A blanket impl (`impl<T: Clone> Ext for T`): the bounds its self type must meet, as
    /// written (see [`super::blanket::self_param_bounds`]); `None` for any other impl.
    #[serde(default)]
    pub blanket_bounds: Option<Box<[Box<[Symbol]>]>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModDecl {
    pub name: Symbol,
    /// `#[path = ".."]`.
    pub path_attr: Option<String>,
    /// `#[cfg_attr(.., path = "..")]`: the files the module is read from when a cfg holds.
    #[serde(default)]
    pub cfg_paths: Vec<String>,
}

/// The items of one module body (a file's top level, or an inline `mod x { .. }`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModFacts {
    /// Names of the inline modules leading here from the file's top level.
    pub inline_path: Vec<Symbol>,
    pub out_of_line: Vec<ModDecl>,
    pub uses: Vec<UseFact>,
    /// Held by value, 32 bytes each; the index holds its own copy in its [`super::FnInfo`]
    /// (an `Arc` shared by both cost 16 bytes of counts and a pointer on each side: a
    /// generated file's 257,000 fns, 6 MB more once the facts are dropped).
    pub fns: Vec<FnSig>,
    /// Shared with the index (its [`super::TypeInfo`]), which would otherwise hold a copy.
    pub types: Vec<Arc<TypeDef>>,
    pub impls: Vec<ImplFacts>,
    /// Trait name → its methods (declared or with default bodies).
    pub traits: Vec<(Symbol, Vec<FnSig>)>,
    /// Files pulled in with `include!("..")`, as written (relative to this file's folder).
    #[serde(default)]
    pub includes: Vec<String>,
    /// Item-position calls of macros the file does not define, whose tokens are not items,
    /// expanded when the index is built if another file defines the macro (see
    /// [`expand_across_files`]).
    #[serde(default)]
    pub macro_calls: Vec<MacroCall>,
    /// The module's statics and consts with their declared types (see
    /// [`super::statics::declared`]: those whose type can say something here).
    #[serde(default)]
    pub statics: Vec<(Symbol, Ty)>,
}

/// An item-position call of a macro that another file may define.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MacroCall {
    /// The macro's last path segment.
    pub name: Symbol,
    /// The 1-based line of that segment.
    pub line: usize,
    /// The call's tokens, as text: what the macro is expanded with, without reading the file
    /// again.
    pub tokens: String,
}

impl ModFacts {
    /// Adds the items of `other` (the same module's) to these.
    pub fn absorb(&mut self, other: ModFacts) {
        self.out_of_line.extend(other.out_of_line);
        self.uses.extend(other.uses);
        self.fns.extend(other.fns);
        self.types.extend(other.types);
        self.impls.extend(other.impls);
        self.traits.extend(other.traits);
        self.includes.extend(other.includes);
        self.statics.extend(other.statics);
    }
}

impl ModFacts {
    /// [`ModFacts::append`] for a large body read part by part, `done` of its `total` bytes
    /// read with `later`: a table too small grows to what the whole body will hold if the rest
    /// is like what has been read (and a sixteenth), never more than twice what it holds then,
    /// rather than to twice its size. A generated file's 257,000 fns, 32 bytes each, took 16.8
    /// MB by doubling for 8.2 MB held.
    pub fn append_projected(&mut self, later: ModFacts, done: usize, total: usize) {
        fn grow<T>(v: &mut Vec<T>, adding: usize, done: usize, total: usize) {
            let need = v.len() + adding;
            if need <= v.capacity() {
                return;
            }
            let projected = need.saturating_mul(total) / done.max(1);
            let target = projected
                .saturating_add(projected / 16)
                .min(need.saturating_mul(2));
            v.reserve_exact(target.max(need) - v.len());
        }
        grow(&mut self.fns, later.fns.len(), done, total);
        grow(&mut self.uses, later.uses.len(), done, total);
        grow(&mut self.types, later.types.len(), done, total);
        grow(&mut self.impls, later.impls.len(), done, total);
        grow(&mut self.statics, later.statics.len(), done, total);
        self.append(later);
    }

    /// Adds the items of `later`, the facts of the items that follow in the same module body.
    pub fn append(&mut self, later: ModFacts) {
        let ModFacts {
            inline_path: _,
            out_of_line,
            uses,
            fns,
            types,
            impls,
            traits,
            includes,
            macro_calls,
            statics,
        } = later;
        self.statics.extend(statics);
        self.macro_calls.extend(macro_calls);
        self.out_of_line.extend(out_of_line);
        self.uses.extend(uses);
        self.fns.extend(fns);
        self.types.extend(types);
        self.impls.extend(impls);
        self.traits.extend(traits);
        self.includes.extend(includes);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub modules: Vec<ModFacts>,
    /// The multi-segment paths the text mentions (`tokio::time::sleep`), each once, whatever
    /// their first segment could be an import of: what the file may need of its dependencies.
    #[serde(default)]
    pub paths: Vec<Box<[Symbol]>>,
    /// The file was read as Rust. When it was not (it does not parse, nests too deeply, is not
    /// UTF-8), its module declarations are unknown.
    #[serde(default)]
    pub read: bool,
    /// The file's `macro_rules!` (inline modules included): name and rules, as text, sorted by
    /// name. Another file's calls are expanded with them when the index is built.
    #[serde(default)]
    pub macro_defs: Vec<(String, String)>,
    /// How the text calls each callee path of two segments or more, and how often it awaits
    /// the call directly (see [`super::call_scan`]): what the other files of its package read
    /// as evidence from use.
    #[serde(default)]
    pub call_uses: Vec<super::call_scan::PathUses>,
}

impl FileFacts {
    pub fn extract(file: &syn::File) -> FileFacts {
        FileFacts::extract_sharing(file, &ItemMacros::default(), true)
    }

    /// [`FileFacts::extract`], the item macros' items taken from `shared` where it has them.
    /// `macro_mods`: whether a macro call's tokens may declare a module (see
    /// [`may_write_mod`]); when not, they are not searched for `mod x;`.
    fn extract_sharing(file: &syn::File, shared: &ItemMacros, macro_mods: bool) -> FileFacts {
        let defs = super::macro_expand::definitions(&file.items);
        let cx = Reading {
            defs: &defs,
            shared,
            macro_mods,
        };
        let mut facts = FileFacts::extract_expanding(file, &cx);
        facts.macro_defs = rules_as_text(&defs);
        facts
    }

    /// [`FileFacts::extract`] for a dependency's file: calls of `crate_defs` (macros its crate
    /// defines elsewhere) expanded too, the file's own definitions winning; they are not kept.
    pub fn extract_with(file: &syn::File, crate_defs: &Defs) -> FileFacts {
        let own = super::macro_expand::definitions(&file.items);
        let shared = ItemMacros::default();
        let read = |defs: &Defs| {
            FileFacts::extract_expanding(
                file,
                &Reading {
                    defs,
                    shared: &shared,
                    macro_mods: true,
                },
            )
        };
        if crate_defs.is_empty() {
            return read(&own);
        }
        let mut defs = crate_defs.clone();
        defs.extend(own);
        read(&defs)
    }

    fn extract_expanding(file: &syn::File, cx: &Reading<'_>) -> FileFacts {
        let mut facts = FileFacts {
            read: true,
            ..FileFacts::default()
        };
        collect_module(&file.items, Vec::new(), &mut facts, 0, cx);
        facts
    }

    /// The facts of one group of a large file's top-level items parsed alone (see
    /// [`crate::source::groups`]), `macros` the file's `macro_rules!` parsed with them (when the
    /// group names one): their top-level module first, then its inline modules, as
    /// [`FileFacts::extract`] gives them for the group. `None` when they would depend on the
    /// items of other groups: types, traits, impls or modules declared in fn bodies, which count
    /// only when no item of the module has their name.
    pub fn extract_group(items: &[syn::Item], macros: &[syn::Item]) -> Option<FileFacts> {
        let defs = super::macro_expand::definitions(macros);
        let unshared = ItemMacros::default();
        if !items_in_bodies(&flatten_expanding(items, &defs, &unshared)).is_empty() {
            return None;
        }
        let mut facts = FileFacts {
            read: true,
            macro_defs: rules_as_text(&super::macro_expand::definitions(items)),
            ..FileFacts::default()
        };
        let cx = Reading {
            defs: &defs,
            shared: &unshared,
            macro_mods: true,
        };
        collect_module(items, Vec::new(), &mut facts, 0, &cx);
        Some(facts)
    }

    /// The facts of a file from its full syntax tree and its text: what [`FileFacts::of_text`]
    /// gives, for a file parsed in full anyway (a file to report: one parse gives both its facts
    /// and its body IR). `shared`: the tree's item macros, parsed once for the facts and the
    /// lowering ([`ItemMacros::of`]).
    pub fn of_tree(file: &syn::File, text: &str, shared: &ItemMacros) -> FileFacts {
        let macro_mods = may_write_mod(text);
        let mut facts = FileFacts::extract_sharing(file, shared, macro_mods);
        facts.read_text(text.as_bytes());
        facts
    }

    /// The facts of a file's text, from its item skeleton (a full parse when that fails); empty
    /// when the file cannot be parsed or nests too deeply to be analysed.
    pub fn of_text(text: &str) -> FileFacts {
        let mut facts = if crate::source::too_deep(text, crate::source::MAX_NESTING).is_some() {
            None
        } else {
            super::skeleton::parse(text)
                .or_else(|| crate::source::parse_text(text).ok())
                .map(|ast| {
                    let shared = ItemMacros::default();
                    FileFacts::extract_sharing(&ast, &shared, may_write_mod(text))
                })
        }
        .unwrap_or_default();
        facts.read_text(text.as_bytes());
        facts
    }

    /// The facts of a file that cannot be read as Rust (not UTF-8; the parser panicked): only
    /// the paths its bytes mention.
    pub fn of_bytes(bytes: &[u8]) -> FileFacts {
        let mut facts = FileFacts::default();
        facts.read_text(bytes);
        facts
    }

    /// Sets what a scan of the file's bytes gives, whichever way its items were read: the
    /// paths it names and its calls of paths.
    pub fn read_text(&mut self, bytes: &[u8]) {
        self.paths = named_paths(bytes);
        self.call_uses = super::call_scan::of_bytes(bytes);
    }
}

/// The paths of [`FileFacts::paths`]: each once, in order, leaving out those that start with
/// `crate`, `self`, `super` or `Self`, which no import or dependency can be.
fn named_paths(bytes: &[u8]) -> Vec<Box<[Symbol]>> {
    let mut seen: rustc_hash::FxHashSet<Vec<&[u8]>> = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    super::path_scan::for_each_path(bytes, |segs| {
        let keyword = matches!(segs[0], b"crate" | b"self" | b"super" | b"Self");
        if !keyword && !seen.contains(segs) {
            seen.insert(segs.to_vec());
            out.push(
                segs.iter()
                    .map(|s| Symbol::intern(&String::from_utf8_lossy(s)))
                    .collect(),
            );
        }
    });
    out
}

/// The items inside an item-position macro call whose body is a list of items
/// (`cfg_rt! { pub mod task; }`), so that what such macros wrap is indexed and analysed too.
pub fn macro_items(item: &syn::Item) -> Option<Vec<syn::Item>> {
    let syn::Item::Macro(m) = item else {
        return None;
    };
    if m.ident.is_some() || m.mac.tokens.is_empty() {
        return None;
    }
    // No item starts with a literal (`windows_targets::link!("kernel32.dll" "system" fn ..)`,
    // 20,000 calls in windows-sys): the first token tells without the whole call copied into a
    // parse buffer.
    let first = m.mac.tokens.clone().into_iter().next();
    if matches!(first, Some(proc_macro2::TokenTree::Literal(_))) {
        return None;
    }
    // A tree read with the file's and dropped with it: in the trees' heap, as the file's.
    let file: syn::File =
        crate::source::tree_heap::in_tree_heap(|| syn::parse2(m.mac.tokens.clone())).ok()?;
    (!file.items.is_empty()).then_some(file.items)
}

/// The items of the item macros of a file's modules ([`macro_items`]), each parsed once: a file
/// parsed in full gives both its facts and its lowered body, and both splice them in. A macro
/// is known by its place in the tree (or in the items of another macro kept here), so the
/// tree must outlive this; one it does not hold is parsed where it is met.
#[derive(Default)]
pub struct ItemMacros(std::collections::HashMap<usize, Option<Vec<syn::Item>>>);

impl ItemMacros {
    /// Every item macro of the file's module item lists (inline modules too, and those inside
    /// what the macros hold), parsed.
    pub fn of(file: &syn::File) -> ItemMacros {
        let mut out = ItemMacros::default();
        out.add(&file.items, 0, true);
        out
    }

    fn add(&mut self, items: &[syn::Item], depth: usize, macros: bool) {
        if depth > 64 {
            return;
        }
        for item in items {
            match item {
                syn::Item::Macro(m) if macros && m.ident.is_none() && !m.mac.tokens.is_empty() => {
                    let inner = macro_items(item);
                    // Spliced in, their items are the module's: only their modules are read
                    // further (a macro among them stays a macro).
                    if let Some(inner) = &inner {
                        self.add(inner, depth, false);
                    }
                    self.0.insert(std::ptr::from_ref(m) as usize, inner);
                }
                syn::Item::Mod(md) => {
                    if let Some((_, items)) = &md.content {
                        self.add(items, depth + 1, true);
                    }
                }
                _ => {}
            }
        }
    }

    /// What [`macro_items`] gives for the item, when it is kept here.
    fn get(&self, item: &syn::Item) -> Option<Option<&[syn::Item]>> {
        let syn::Item::Macro(m) = item else {
            return None;
        };
        let kept = self.0.get(&(std::ptr::from_ref(m) as usize))?;
        Some(kept.as_deref())
    }
}

/// Items with the bodies of item macros spliced in (from `shared` where it has them).
pub fn flatten_items<'a>(
    items: &'a [syn::Item],
    shared: &'a ItemMacros,
) -> Vec<std::borrow::Cow<'a, syn::Item>> {
    flatten_expanding(items, &Defs::new(), shared)
}

/// The `macro_rules!` in reach, by name.
pub type Defs = std::collections::HashMap<String, proc_macro2::TokenStream>;

/// Macro rules as the facts keep them: (name, rules as text), sorted by name.
fn rules_as_text(defs: &Defs) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = defs
        .iter()
        .map(|(name, rules)| (name.clone(), rules.to_string()))
        .collect();
    out.sort_unstable();
    out
}

/// The facts that calls of macros defined in another of `files` (a context's own files' facts)
/// add, expanded where certain. For each file with such calls (by position in `files`), the
/// facts of what they expand to, one [`ModFacts`] per module (the calling module's inline path;
/// modules the expansion declares inline below it). The facts keep both the rules and the
/// calls' tokens as text, so no file is read again: what is expanded is the text the run read
/// (an editor's buffer included).
pub fn expand_across_files(files: &[&FileFacts]) -> Vec<(usize, Vec<ModFacts>)> {
    use std::collections::HashMap;
    // Each macro name → the one file defining it (a name two files define is left out: which
    // one a call means depends on textual order and scope).
    let mut defined_in: HashMap<&str, Option<(usize, &str)>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        for (name, rules) in &f.macro_defs {
            defined_in
                .entry(name.as_str())
                .and_modify(|old| *old = None)
                .or_insert(Some((i, rules.as_str())));
        }
    }
    if defined_in.is_empty() {
        return Vec::new();
    }
    // The rules of every macro some call names, parsed once.
    let mut defs = Defs::new();
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let mut added: Vec<ModFacts> = Vec::new();
        for mf in &f.modules {
            for call in &mf.macro_calls {
                let Some(Some((_, rules))) = defined_in.get(call.name.as_str()) else {
                    continue;
                };
                if !defs.contains_key(call.name.as_str()) {
                    let Ok(parsed) = rules.parse::<proc_macro2::TokenStream>() else {
                        continue;
                    };
                    defs.insert(call.name.to_string(), parsed);
                }
                let Ok(tokens) = call.tokens.parse::<proc_macro2::TokenStream>() else {
                    continue;
                };
                let Some(items) = super::macro_expand::expand(&defs[call.name.as_str()], &tokens)
                else {
                    continue;
                };
                let mut facts = FileFacts::default();
                let unshared = ItemMacros::default();
                let cx = Reading {
                    defs: &defs,
                    shared: &unshared,
                    macro_mods: true,
                };
                collect_module(&items, mf.inline_path.clone(), &mut facts, 1, &cx);
                // What the call writes is placed at the call (its tokens' own lines are the
                // macro's).
                for m in &mut facts.modules {
                    let impl_fns = m.impls.iter_mut().flat_map(|i| &mut i.fns);
                    let trait_fns = m.traits.iter_mut().flat_map(|(_, fns)| fns);
                    for f in m.fns.iter_mut().chain(impl_fns).chain(trait_fns) {
                        f.line = u32::try_from(call.line).unwrap_or(u32::MAX);
                    }
                }
                added.extend(facts.modules);
            }
        }
        if !added.is_empty() {
            out.push((i, added));
        }
    }
    out
}

/// Whether a macro path can name a `macro_rules!` of the crate's own files: a bare name
/// (textual scope, `#[macro_use]`) or a path from `crate`, `self`, `super` or `$crate` (an
/// exported one). `::dep::m!` and `dep::m!` name another crate's macro (`windows_targets::link!`
/// is written 20,000 times in windows-sys: its tokens are not kept).
fn may_name_own_macro(path: &syn::Path) -> bool {
    path.leading_colon.is_none()
        && (path.segments.len() == 1
            || path.segments.first().is_some_and(|s| {
                ["crate", "self", "super", "$crate"]
                    .iter()
                    .any(|k| s.ident == k)
            }))
}

/// [`flatten_items`], a call of one of the file's own macros replaced by what it expands to
/// when that is certain, and by nothing when it is not (its items are unknown).
fn flatten_expanding<'a>(
    items: &'a [syn::Item],
    defs: &Defs,
    shared: &'a ItemMacros,
) -> Vec<std::borrow::Cow<'a, syn::Item>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let syn::Item::Macro(m) = item {
            let def = m
                .ident
                .is_none()
                .then(|| m.mac.path.segments.last().map(|s| &s.ident))
                .flatten();
            if let Some(rules) = def.and_then(|name| defs.get(&name.to_string())) {
                if let Some(inner) = super::macro_expand::expand(rules, &m.mac.tokens) {
                    out.extend(inner.into_iter().map(std::borrow::Cow::Owned));
                }
                continue;
            }
        }
        match shared.get(item) {
            Some(Some(inner)) => out.extend(inner.iter().map(std::borrow::Cow::Borrowed)),
            Some(None) => out.push(std::borrow::Cow::Borrowed(item)),
            None => match macro_items(item) {
                Some(inner) => out.extend(inner.into_iter().map(std::borrow::Cow::Owned)),
                None => out.push(std::borrow::Cow::Borrowed(item)),
            },
        }
    }
    out
}

/// What the facts of a file's items are read with: the macros its calls expand to, its item
/// macros' items parsed already, and whether a macro call's tokens may declare a module.
struct Reading<'a> {
    defs: &'a Defs,
    shared: &'a ItemMacros,
    /// False when no token of the file (and of `defs`) can be the keyword `mod`
    /// ([`may_write_mod`]): a macro call's tokens are then not searched for `mod x;`, which
    /// copies them all (20,000 `link!` calls in windows-sys).
    macro_mods: bool,
}

/// Whether `text` may hold the keyword `mod` as a token: `mod` not inside a longer identifier
/// (`GetModuleHandleW`). Every identifier token of a tree parsed from the text, of a macro
/// call's body parsed from its tokens, or of a `macro_rules!` expansion of the text's own rules
/// is a piece of the text, so when this is false none of them is `mod`. Bytes past ASCII count
/// as not part of an identifier: a doubt answers true.
fn may_write_mod(text: &str) -> bool {
    let ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = text.as_bytes();
    // From one `mod` to the next with memchr's vectorised search, its searcher built once
    // (`contains` then `match_indices` were 0.4% of a cold run's samples on the four largest
    // vendored trees); `mod` cannot overlap itself, so every occurrence is seen.
    static MOD: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("mod"));
    MOD.find_iter(bytes).any(|at| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        !before.is_some_and(ident) && !bytes.get(at + 3).is_some_and(ident)
    })
}

fn collect_module(
    items: &[syn::Item],
    inline_path: Vec<Symbol>,
    out: &mut FileFacts,
    depth: usize,
    cx: &Reading<'_>,
) {
    collect_items(items, inline_path, out, depth, cx, true);
}

/// The facts of one module body (`bodies`), or of the items declared in one fn body (its
/// scope, [`fn_scope_name`]): a fn body's own items go to a module of their own below the
/// fn's module, so that same-named items of two fns' bodies (a test's local `struct Srv`)
/// never meet, and a body's item shadows the module's of its name inside that body only.
fn collect_items(
    items: &[syn::Item],
    inline_path: Vec<Symbol>,
    out: &mut FileFacts,
    depth: usize,
    cx: &Reading<'_>,
    bodies: bool,
) {
    let (defs, shared) = (cx.defs, cx.shared);
    let mut m = ModFacts {
        inline_path: inline_path.clone(),
        ..ModFacts::default()
    };
    let mut inline = Vec::new();
    let flat = flatten_expanding(items, defs, shared);
    let scopes = if bodies {
        items_in_bodies(&flat)
    } else {
        Vec::new()
    };
    for item in flat.iter().map(|c| c.as_ref()) {
        match item {
            syn::Item::Fn(f) => {
                let mut sig = sig_with_body(&f.sig, &f.attrs, &f.block);
                sig.extras.set_cfg(cfg_of(&f.attrs).map(Symbol::from));
                m.fns.push(sig);
            }
            syn::Item::Use(u) => collect_use(&u.tree, &mut Vec::new(), &mut m.uses),
            syn::Item::Static(s) => m
                .statics
                .extend(super::statics::declared(&s.ident, &s.ty, false)),
            syn::Item::Const(c) => m
                .statics
                .extend(super::statics::declared(&c.ident, &c.ty, true)),
            syn::Item::Mod(md) => match &md.content {
                Some((_, items)) if depth < 64 => {
                    inline.push((Symbol::shown(&md.ident), items.as_slice()))
                }
                Some(_) => {}
                None => m.out_of_line.push(ModDecl {
                    name: Symbol::shown(&md.ident),
                    path_attr: path_attr(&md.attrs),
                    cfg_paths: cfg_path_attrs(&md.attrs),
                }),
            },
            syn::Item::Struct(s) => m.types.push(Arc::new(TypeDef {
                name: Symbol::shown(&s.ident),
                kind: TypeKind::Struct,
                fields: s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let name = match &f.ident {
                            Some(ident) => Symbol::shown(ident),
                            None => Symbol::shown(&i),
                        };
                        (name, Ty::from_syn(&f.ty))
                    })
                    .collect(),
                alias_of: None,
                is_unit: matches!(s.fields, syn::Fields::Unit),
                generics: generic_params(&s.generics),
                must_use: has_must_use(&s.attrs),
                future_trait: false,
                call_ret: None,
                supertraits: Vec::new(),
            })),
            syn::Item::Enum(e) => m.types.push(Arc::new(TypeDef {
                must_use: has_must_use(&e.attrs),
                fields: variant_fields(e),
                generics: generic_params(&e.generics),
                ..plain_type(&e.ident, TypeKind::Enum)
            })),
            syn::Item::Union(u) => m
                .types
                .push(Arc::new(plain_type(&u.ident, TypeKind::Union))),
            syn::Item::Type(t) => m.types.push(Arc::new(TypeDef {
                name: Symbol::shown(&t.ident),
                kind: TypeKind::Alias,
                fields: Vec::new(),
                alias_of: Some(Box::new(Ty::from_syn(&t.ty))),
                is_unit: false,
                generics: generic_params(&t.generics),
                must_use: false,
                future_trait: false,
                call_ret: None,
                supertraits: Vec::new(),
            })),
            syn::Item::Macro(mac) => {
                if let Some(file) = included_file(mac) {
                    m.includes.push(file);
                } else if mac.ident.is_none() {
                    // A macro whose body is not a list of items (or it would have been spliced
                    // in): the `mod x;` it declares still name files a crate compiles.
                    if cx.macro_mods {
                        macro_mod_decls(mac.mac.tokens.clone(), &mut m.out_of_line);
                    }
                    // Another file of the crate may define it: kept for the index to expand.
                    let last = mac.mac.path.segments.last();
                    if let Some(last) = last.filter(|_| may_name_own_macro(&mac.mac.path)) {
                        let name = last.ident.to_string();
                        if !defs.contains_key(&name) {
                            m.macro_calls.push(MacroCall {
                                name: name.into(),
                                line: last.ident.span().start().line,
                                tokens: mac.mac.tokens.to_string(),
                            });
                        }
                    }
                }
            }
            syn::Item::Trait(t) => {
                let mut def = plain_type(&t.ident, TypeKind::Trait);
                let supertraits = Ty::from_bounds(t.supertraits.iter(), 0);
                def.future_trait = matches!(supertraits, Ty::Future(_));
                def.generics = generic_params(&t.generics);
                def.supertraits = supertrait_paths(&t.supertraits);
                // `type Rt: Runtime;`: what its bounds say, for `C::Rt::sleep(..)`.
                def.fields = t
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::TraitItem::Type(at) => {
                            let name = Symbol::shown(&at.ident);
                            Some((name, Ty::from_bounds(at.bounds.iter(), 0)))
                        }
                        _ => None,
                    })
                    .collect();
                if let Ty::Callable(ret) = supertraits {
                    def.call_ret = Some(Box::new(match &*ret {
                        Ty::Path { segs, args }
                            if args.is_empty() && segs.len() == 2 && segs[0] == "Self" =>
                        {
                            let assoc = def.fields.iter().find(|(n, _)| *n == segs[1]);
                            assoc.map(|(_, bound)| bound.clone()).unwrap_or(Ty::Unknown)
                        }
                        other => other.clone(),
                    }));
                }
                let future_trait = def.future_trait;
                let outer = FeatureAsync::of_attrs(&t.attrs);
                m.types.push(Arc::new(def));
                let fns = t
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::TraitItem::Fn(f) => {
                            let mut sig = match &f.default {
                                // A provided method: its body says what it does, as a fn's does.
                                Some(body) => sig_with_body(&f.sig, &f.attrs, body),
                                None => FnSig {
                                    body_unknown: true,
                                    ..sig_of(&f.sig, &f.attrs)
                                },
                            };
                            if future_trait {
                                sig.ret = self_args_as_future(&sig.ret, 0).into();
                            }
                            outer.apply(&mut sig);
                            Some(sig)
                        }
                        _ => None,
                    })
                    .collect();
                m.traits.push((Symbol::shown(&t.ident), fns));
            }
            syn::Item::Impl(i) => {
                let impl_generics = generic_params(&i.generics);
                // A parameter without a bound that says anything keeps its name: what it means
                // is the receiver's type argument (`impl<T> Chan<T>` called on a `Chan<Job>`).
                let bounded: Vec<(Symbol, Ty)> = impl_generics
                    .iter()
                    .filter(|(_, b)| *b != Ty::Unknown)
                    .cloned()
                    .collect();
                let self_ty = Ty::from_syn(&i.self_ty);
                let (drop_cleans_up, drop_passes_wake) = drop_kind(i);
                let outer = FeatureAsync::of_attrs(&i.attrs);
                m.impls.push(ImplFacts {
                    cond_args: future_bound_args(&self_ty, &impl_generics),
                    target_arg: target_arg(i, &self_ty, &impl_generics),
                    drop_cleans_up,
                    drop_passes_wake,
                    blanket_bounds: super::blanket::self_param_bounds(i),
                    self_ty,
                    trait_path: i.trait_.as_ref().map(|(p, _)| path_symbols(p)),
                    fns: i
                        .items
                        .iter()
                        .filter_map(|it| match it {
                            syn::ImplItem::Fn(f) => {
                                let mut sig = sig_with_body(&f.sig, &f.attrs, &f.block);
                                // `impl<S: Store> Svc<S> { fn store(&self) -> &S }`: the impl's
                                // parameters mean their bounds.
                                sig.ret = sig.ret.substitute(&bounded).into();
                                outer.apply(&mut sig);
                                Some(sig)
                            }
                            _ => None,
                        })
                        .collect(),
                    assoc_types: i
                        .items
                        .iter()
                        .filter_map(|it| match it {
                            syn::ImplItem::Type(t) => Some((
                                Symbol::shown(&t.ident),
                                Ty::from_syn(&t.ty).substitute(&bounded),
                            )),
                            _ => None,
                        })
                        .collect(),
                    by_macro: i.attrs.iter().any(may_write_impls),
                })
            }
            _ => {}
        }
    }
    if !bodies {
        body_scope_uses(&mut m.uses);
    }
    out.modules.push(m);
    for (name, items) in inline {
        let mut path = inline_path.clone();
        path.push(name);
        collect_items(items, path, out, depth + 1, cx, true);
    }
    for (name, items) in scopes {
        let mut path = inline_path.clone();
        path.push(name);
        collect_items(&items, path, out, depth + 1, cx, false);
    }
}

/// The imports of a fn body's scope (all its blocks' together) that its items may use: named
/// ones that no two blocks import differently. Glob imports are left to the walk of each block
/// (`use Enum::*;` in one block would otherwise answer for every capitalised name of the body).
fn body_scope_uses(uses: &mut Vec<UseFact>) {
    uses.retain(|u| !u.glob);
    let ambiguous: Vec<Symbol> = uses
        .iter()
        .filter(|u| {
            uses.iter()
                .any(|o| o.alias == u.alias && o.target != u.target)
        })
        .map(|u| u.alias)
        .collect();
    uses.retain(|u| !ambiguous.contains(&u.alias));
}

/// The name of the module that holds the items declared in the body of the fn `name` whose
/// name is on line `line` (see [`collect_items`]): no identifier, so no path can name it.
pub fn fn_scope_name(name: &str, line: usize) -> String {
    format!("fn#{name}@{line}")
}

fn type_item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Union(u) => Some(u.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Trait(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// Type, trait, impl and `use` items declared in the bodies of the functions and methods of
/// `items` (at any depth of blocks, not inside nested modules), per body: the name of its
/// scope ([`fn_scope_name`]) and its items.
fn items_in_bodies(items: &[std::borrow::Cow<'_, syn::Item>]) -> Vec<(Symbol, Vec<syn::Item>)> {
    struct Collect(Vec<syn::Item>);
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
            if let syn::Stmt::Item(item) = stmt {
                let wanted = match item {
                    syn::Item::Impl(_) | syn::Item::Use(_) => true,
                    syn::Item::Mod(md) => md.content.is_some(),
                    other => type_item_name(other).is_some(),
                };
                if wanted {
                    self.0.push(item.clone());
                }
            }
            syn::visit::visit_stmt(self, stmt);
        }
        fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}
    }
    let mut blocks: Vec<(&syn::Ident, &syn::Block)> = Vec::new();
    for item in items {
        match item.as_ref() {
            syn::Item::Fn(f) => blocks.push((&f.sig.ident, &f.block)),
            syn::Item::Impl(i) => {
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        blocks.push((&f.sig.ident, &f.block));
                    }
                }
            }
            syn::Item::Trait(t) => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(syn::TraitItemFn {
                        sig,
                        default: Some(b),
                        ..
                    }) = it
                    {
                        blocks.push((&sig.ident, b));
                    }
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<(Symbol, Vec<syn::Item>)> = Vec::new();
    for (ident, block) in blocks {
        let mut c = Collect(Vec::new());
        syn::visit::Visit::visit_block(&mut c, block);
        // A body's `use` items count only with the items it declares (the skeleton keeps
        // exactly those bodies).
        if c.0.iter().any(|i| !matches!(i, syn::Item::Use(_))) {
            let name = fn_scope_name(&ident.to_string(), ident.span().start().line);
            let name = Symbol::from(name);
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some((_, items)) => items.append(&mut c.0),
                None => out.push((name, c.0)),
            }
        }
    }
    out
}

/// An enum's variant fields, each named `Variant::0` (a tuple variant's field by position) or
/// `Variant::name`, so that a pattern `Job::Work(fut)` gives `fut` the field's declared type.
fn variant_fields(e: &syn::ItemEnum) -> Vec<(Symbol, Ty)> {
    e.variants
        .iter()
        .flat_map(|v| {
            v.fields.iter().enumerate().map(move |(i, f)| {
                let field = f
                    .ident
                    .as_ref()
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| i.to_string());
                (
                    Symbol::from(format!("{}::{field}", v.ident)),
                    Ty::from_syn(&f.ty),
                )
            })
        })
        .filter(|(_, ty)| *ty != Ty::Unknown)
        .collect()
}

/// The supertraits of a trait that are plain paths with type arguments (`ToCode<Box<Cb>>`),
/// as types; those without arguments add nothing the trait's impls do not already say.
fn supertrait_paths<'a>(bounds: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> Vec<Ty> {
    bounds
        .into_iter()
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(t) => {
                let last = t.path.segments.last()?;
                let generic = matches!(&last.arguments, syn::PathArguments::AngleBracketed(a)
                    if a.args.iter().any(|a| matches!(a, syn::GenericArgument::Type(_))));
                generic.then(|| {
                    Ty::from_syn(&syn::Type::Path(syn::TypePath {
                        attrs: Vec::new(),
                        qself: None,
                        path: t.path.clone(),
                    }))
                })
            }
            _ => None,
        })
        .filter(|t| matches!(t, Ty::Path { args, .. } if !args.is_empty()))
        .collect()
}

fn plain_type(ident: &syn::Ident, kind: TypeKind) -> TypeDef {
    TypeDef {
        name: Symbol::shown(ident),
        kind,
        fields: Vec::new(),
        alias_of: None,
        is_unit: false,
        generics: Vec::new(),
        must_use: false,
        future_trait: false,
        call_ret: None,
        supertraits: Vec::new(),
    }
}

/// The positions of `self_ty`'s arguments that are the impl's own parameters bound to be futures.
fn future_bound_args(self_ty: &Ty, impl_generics: &[(Symbol, Ty)]) -> Vec<usize> {
    let Ty::Path { args, .. } = self_ty else {
        return Vec::new();
    };
    let future_param = |t: &Ty| match t {
        Ty::Path { segs, args } if segs.len() == 1 && args.is_empty() => impl_generics
            .iter()
            .any(|(n, b)| *n == segs[0] && matches!(b, Ty::Future(_))),
        _ => false,
    };
    args.iter()
        .enumerate()
        .filter(|(_, a)| future_param(a))
        .map(|(k, _)| k)
        .collect()
}

/// Which argument of the self type `type Target = P;` names, when `P` is a parameter of the
/// impl (`impl<T> Deref for Shared<T>`).
fn target_arg(i: &syn::ItemImpl, self_ty: &Ty, impl_generics: &[(Symbol, Ty)]) -> Option<usize> {
    let target = i.items.iter().find_map(|it| match it {
        syn::ImplItem::Type(t) if t.ident == "Target" => Some(Ty::from_syn(&t.ty)),
        _ => None,
    })?;
    let Ty::Path { segs, args } = target else {
        return None;
    };
    if segs.len() != 1 || !args.is_empty() || !impl_generics.iter().any(|(n, _)| *n == segs[0]) {
        return None;
    }
    let Ty::Path {
        args: self_args, ..
    } = self_ty
    else {
        return None;
    };
    self_args
        .iter()
        .position(|a| matches!(a, Ty::Path { segs: s, args } if args.is_empty() && *s == segs))
}

/// `#[must_use]`, bare or with a message.
pub fn has_must_use(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("must_use"))
}

/// Whether an attribute on an impl block may be a procedural macro that writes more items than
/// the block shows. Attributes of the language (`cfg`, `doc`, lint levels, `inline`...) and
/// `async_trait`, whose rewrite the facts already model, write none.
fn may_write_impls(attr: &syn::Attribute) -> bool {
    const INERT: &[&str] = &[
        "cfg",
        "cfg_attr",
        "doc",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "inline",
        "must_use",
        "deprecated",
        "automatically_derived",
        "async_trait",
        "maybe_async",
        "must_be_sync",
        "must_be_async",
        "async_impl",
        "sync_impl",
        "diagnostic",
        "rustfmt",
        "clippy",
        "coverage",
        "unsafe",
        "instrument",
        "trace",
    ];
    let path = attr.path();
    let first = path.segments.first().map(|s| s.ident.to_string());
    let last = path.segments.last().map(|s| s.ident.to_string());
    !(first.as_deref().is_some_and(|f| INERT.contains(&f))
        || last.as_deref().is_some_and(|l| INERT.contains(&l)))
}

/// The type parameters of an item, each with the meaning of its bounds (inline and `where`).
pub fn generic_params(generics: &syn::Generics) -> Vec<(Symbol, Ty)> {
    generics
        .type_params()
        .map(|tp| {
            let name = Symbol::shown(&tp.ident);
            let mut bound = Ty::from_bounds(tp.bounds.iter(), 0);
            if bound == Ty::Unknown {
                let me = Ty::Path {
                    segs: Box::new([name]),
                    args: Vec::new(),
                };
                for pred in generics.where_clause.iter().flat_map(|w| &w.predicates) {
                    if let syn::WherePredicate::Type(pt) = pred {
                        if Ty::from_syn(&pt.bounded_ty) == me {
                            bound = Ty::from_bounds(pt.bounds.iter(), 0);
                        }
                    }
                }
            }
            (name, bound)
        })
        .chain(projection_bounds(generics))
        .collect()
}

/// `where E::Handle: Hnd` (also `<E as Env>::Handle: Hnd`): a bound on an associated type of a
/// parameter, kept after the parameters as one more entry named by the projection's path
/// (`E::Handle`), so a value of that type means its bound as a parameter's does. Positions of
/// the parameters (a turbofish binds them in order) are unchanged.
fn projection_bounds(generics: &syn::Generics) -> Vec<(Symbol, Ty)> {
    let params: Vec<String> = generics
        .type_params()
        .map(|t| t.ident.to_string())
        .collect();
    let mut out = Vec::new();
    for pred in generics.where_clause.iter().flat_map(|w| &w.predicates) {
        let syn::WherePredicate::Type(pt) = pred else {
            continue;
        };
        let Ty::Path { segs, args } = Ty::from_syn(&pt.bounded_ty) else {
            continue;
        };
        let first_is_param = segs
            .first()
            .is_some_and(|f| params.iter().any(|p| p == f.as_str()));
        if !(segs.len() >= 2 && args.is_empty() && first_is_param) {
            continue;
        }
        let bound = Ty::from_bounds(pt.bounds.iter(), 0);
        if bound != Ty::Unknown {
            let name = segs
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("::");
            out.push((Symbol::from(name), bound));
        }
    }
    out
}

/// `#[cfg_attr(cond, path = "x.rs")]`: the paths, as written.
fn cfg_path_attrs(attrs: &[syn::Attribute]) -> Vec<String> {
    use proc_macro2::TokenTree;
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("cfg_attr")) {
        let Ok(list) = a.meta.require_list() else {
            continue;
        };
        let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
        for w in tokens.windows(3) {
            if let [TokenTree::Ident(i), TokenTree::Punct(p), TokenTree::Literal(l)] = w {
                if i == "path" && p.as_char() == '=' {
                    if let Ok(s) = syn::parse_str::<syn::LitStr>(&l.to_string()) {
                        out.push(s.value());
                    }
                }
            }
        }
    }
    out
}

/// The `mod name;` declarations written inside a macro call's tokens (at any depth).
fn macro_mod_decls(tokens: proc_macro2::TokenStream, out: &mut Vec<ModDecl>) {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Group(g) => macro_mod_decls(g.stream(), out),
            TokenTree::Ident(kw) if kw == "mod" => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(semi))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    let name = name.to_string();
                    let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                    if semi.as_char() == ';' && !out.iter().any(|d| d.name == name) {
                        out.push(ModDecl {
                            name: name.into(),
                            path_attr: None,
                            cfg_paths: Vec::new(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// `include!("file.rs")` at item level: the file's path as written.
fn included_file(mac: &syn::ItemMacro) -> Option<String> {
    if mac.ident.is_some() || !mac.mac.path.is_ident("include") {
        return None;
    }
    match syn::parse2::<syn::LitStr>(mac.mac.tokens.clone()) {
        Ok(lit) => Some(lit.value()),
        Err(_) => None,
    }
}

/// Calls whose closure argument runs on another thread, or where blocking is allowed.
pub const OFFLOADING_NAMES: &[&str] = &["spawn_blocking", "block_in_place", "unblock"];

fn sig_with_body(sig: &syn::Signature, attrs: &[syn::Attribute], body: &syn::Block) -> FnSig {
    let mut s = sig_of(sig, attrs);
    s.starts_work = !s.is_async
        && mentions_future(&s.ret)
        && (starts_work(body) || is_offloading_name(&s.name));
    if !s.is_async && !s.starts_work && mentions_future(&s.ret) {
        s.extras.set_forwards_to(forwarded_call(body));
    }
    let params: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|i| match i {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if !params.is_empty() {
        let mut finder = OffloadFinder {
            params: &params,
            found: false,
            caught: false,
        };
        syn::visit::Visit::visit_block(&mut finder, body);
        s.extras.set_offloads_param(finder.found);
        s.extras.set_catches_param(finder.caught);
    }
    s
}

/// Whether a declared return type is or holds a future (`impl Future`, `BoxFuture`,
/// `Pin<Box<dyn Future>>`, a type named `..Future`).
pub fn mentions_future(ty: &Ty) -> bool {
    match ty {
        Ty::Future(_) => true,
        Ty::Tuple(items) => items.iter().any(mentions_future),
        Ty::Path { segs, args } => {
            segs.last().is_some_and(|s| s.ends_with("Future")) || args.iter().any(mentions_future)
        }
        _ => false,
    }
}

/// Whether a plain fn's body does work before it returns its future: a statement before the
/// tail that is an expression statement with a call or an assignment (`self.tx.send(cmd)?;`,
/// `self.closed = true;`), a `let _ = call();`, or a `let` whose value is a call passed through
/// `?` (`let id = self.register()?;`); also such a statement inside a branch or loop body of an
/// `if`, `match`, block or loop statement before the tail (`if ending { let _ = tx.send(..); }
/// else { self.detach(id); }`), whose conditions are read, not work. Bindings of plain values
/// (`let tx = self.tx.clone();`), items, macros (logging) and `return`s (an early future) are
/// not work. The future it returns may still do more; what dropping it loses is the rest, not
/// everything.
pub fn starts_work(body: &syn::Block) -> bool {
    let Some((_, before)) = body.stmts.split_last() else {
        return false;
    };
    if body.stmts.iter().any(|stmt| match stmt {
        syn::Stmt::Expr(e, None) => hands_off(e),
        _ => false,
    }) {
        return true;
    }
    before.iter().any(|stmt| match stmt {
        syn::Stmt::Expr(e, None) => branches_work(e),
        other => stmt_works(other),
    })
}

/// Whether one statement before a fn's tail is work (see [`starts_work`]).
fn stmt_works(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Expr(syn::Expr::Return(_), _) => false,
        syn::Stmt::Expr(e, Some(_)) => expr_works(e),
        syn::Stmt::Local(l) => l.init.as_ref().is_some_and(|init| match &l.pat {
            syn::Pat::Wild(_) => has_call(&init.expr),
            _ => matches!(&*init.expr, syn::Expr::Try(t) if has_call(&t.expr)),
        }),
        _ => false,
    }
}

/// A call, or an assignment to something other than a plain local.
fn expr_works(e: &syn::Expr) -> bool {
    matches!(e, syn::Expr::Assign(_) | syn::Expr::Binary(_)) && !is_local_assign(e) || has_call(e)
}

/// Whether a block-like statement before a fn's tail runs work in one of its branches or its
/// loop body: each statement there, and each branch's own tail, counts as a statement of the fn
/// would. A `return` in a branch hands back an early future, which is not work.
fn branches_work(e: &syn::Expr) -> bool {
    let block_works = |b: &syn::Block| {
        b.stmts.iter().any(|stmt| match stmt {
            syn::Stmt::Expr(e, None) => branches_work(e),
            other => stmt_works(other),
        })
    };
    match e {
        syn::Expr::If(i) => {
            block_works(&i.then_branch)
                || i.else_branch
                    .as_ref()
                    .is_some_and(|(_, e)| branches_work(e))
        }
        syn::Expr::Match(m) => m.arms.iter().any(|arm| branches_work(&arm.body)),
        syn::Expr::Block(b) => block_works(&b.block),
        syn::Expr::Unsafe(b) => block_works(&b.block),
        syn::Expr::ForLoop(l) => block_works(&l.body),
        syn::Expr::While(l) => block_works(&l.body),
        syn::Expr::Loop(l) => block_works(&l.body),
        syn::Expr::Return(_) => false,
        other => expr_works(other),
    }
}

/// The call that is a body's tail (`self.inner.get_mut().close(None)` → `close` on the field
/// `inner`, `detach(id)` → `detach`), through parentheses: the future the body returns is the
/// one that call makes.
pub fn forwarded_call(body: &syn::Block) -> Option<Forward> {
    let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() else {
        return None;
    };
    let mut e = tail;
    while let syn::Expr::Paren(p) = e {
        e = &p.expr;
    }
    match e {
        syn::Expr::MethodCall(c) => Some(Forward {
            name: Symbol::shown(&c.method),
            via: receiver_root(&c.receiver),
        }),
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => Some(Forward {
                name: Symbol::shown(&p.path.segments.last()?.ident),
                via: Via::Unknown,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Where a receiver expression starts: `self`, a field of `self` (through method calls, `?`,
/// further fields, references and parentheses), or something else.
fn receiver_root(e: &syn::Expr) -> Via {
    let mut e = e;
    let mut field = None;
    loop {
        e = match e {
            syn::Expr::MethodCall(c) => &c.receiver,
            syn::Expr::Try(t) => &t.expr,
            syn::Expr::Paren(p) => &p.expr,
            syn::Expr::Reference(r) => &r.expr,
            syn::Expr::Field(f) => {
                field = match &f.member {
                    syn::Member::Named(id) => Some(id.to_string()),
                    syn::Member::Unnamed(i) => Some(i.index.to_string()),
                };
                &f.base
            }
            syn::Expr::Path(p) if p.path.is_ident("self") => {
                return match field {
                    Some(f) => Via::Field(Symbol::intern(&f)),
                    None => Via::SelfValue,
                }
            }
            _ => return Via::Unknown,
        };
    }
}

/// For an `impl Drop for T` whose `drop` body is there (not blanked): whether it cleans up
/// (hands no work off), and whether it hands off nothing but a wake-up (beyond cleaning up, it
/// only locks, notifies and wakes: [`DROP_WAKE_NAMES`]). Both false for any other impl.
fn drop_kind(i: &syn::ItemImpl) -> (bool, bool) {
    let Some(body) = drop_body(i) else {
        return (false, false);
    };
    let hands_off = drop_hands_off(body);
    (
        !hands_off,
        hands_off && !calls_beyond(body, DROP_WAKE_NAMES),
    )
}

/// The body of an `impl Drop`'s `drop`, when it is there (not blanked).
fn drop_body(i: &syn::ItemImpl) -> Option<&syn::Block> {
    let is_drop = i
        .trait_
        .as_ref()
        .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Drop"));
    if !is_drop {
        return None;
    }
    i.items.iter().find_map(|it| match it {
        syn::ImplItem::Fn(f) if f.sig.ident == "drop" && !f.block.stmts.is_empty() => {
            Some(&f.block)
        }
        _ => None,
    })
}

/// Whether a `drop` body may hand work to someone else: any call or macro but the freeing and
/// reading ones of [`DROP_CLEANUP_NAMES`], constructors and logging (`tx.send(Cancel(id))`,
/// `self.waker.wake()`, `spawn(cleanup)`, `self.conn.close()` all may). A body that only sets
/// fields, removes its slot or logs cleans up.
pub fn drop_hands_off(body: &syn::Block) -> bool {
    calls_beyond(body, &[])
}

/// Whether a `drop` body calls anything but what [`drop_hands_off`] allows and the names in
/// `also` (names, or the first word of longer names: `notify` allows `notify_one`).
fn calls_beyond(body: &syn::Block, also: &[&str]) -> bool {
    struct Finder<'a>(bool, &'a [&'a str]);
    impl Finder<'_> {
        fn hands_off(&self, name: &str) -> bool {
            let verb = name.split('_').next().unwrap_or(name);
            !DROP_CLEANUP_NAMES.contains(&name)
                && !DROP_CLEANUP_VERBS.contains(&verb)
                && !self.1.contains(&name)
                && !self.1.contains(&verb)
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let syn::Expr::Path(p) = &*c.func {
                let name = p.path.segments.last().map(|s| s.ident.to_string());
                let ctor = name
                    .as_deref()
                    .is_some_and(|n| n.starts_with(char::is_uppercase));
                if !ctor && name.is_some_and(|n| self.hands_off(&n)) {
                    self.0 = true;
                }
            } else {
                self.0 = true;
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, c: &'ast syn::ExprMethodCall) {
            if self.hands_off(&c.method.to_string()) {
                self.0 = true;
            }
            syn::visit::visit_expr_method_call(self, c);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            let name = m.path.segments.last().map(|s| s.ident.to_string());
            if !name.is_some_and(|n| LOG_MACROS.contains(&n.as_str())) {
                self.0 = true;
            }
        }
    }
    let mut f = Finder(false, also);
    syn::visit::Visit::visit_block(&mut f, body);
    f.0
}

/// What a `drop` body that passes a wake-up on calls besides cleaning up: the lock around the
/// waiters, the notification handed to the next one, the wake, a default-made waker list.
const DROP_WAKE_NAMES: &[&str] = &[
    "lock", "try_lock", "read", "write", "notify", "wake", "default",
];

/// Calls a `drop` body makes to free or deregister what the value holds, and to read it.
const DROP_CLEANUP_NAMES: &[&str] = &[
    "remove",
    "take",
    "clear",
    "release",
    "free",
    "dealloc",
    "drop",
    "drop_in_place",
    "forget",
    "get",
    "get_mut",
    "get_ref",
    "borrow",
    "borrow_mut",
    "as_ref",
    "as_mut",
    "is_some",
    "is_none",
    "set",
    "replace",
    "swap",
    "len",
    "is_empty",
    "retain",
    "truncate",
    "unregister",
    "deregister",
    "fetch_sub",
    "load",
    "store",
    "as_ptr",
    "cast",
    "deref",
    "deref_mut",
    "unwrap",
    "expect",
    "contains",
    "contains_key",
    "iter",
    "iter_mut",
    "pop",
    "pop_front",
    "pop_back",
];

/// Verbs that name freeing or deregistering as the first word of a longer name
/// (`remove_waker`, `release_slot`, `unregister_token`).
const DROP_CLEANUP_VERBS: &[&str] = &[
    "remove",
    "clear",
    "release",
    "free",
    "unregister",
    "deregister",
    "drop",
];

/// Logging and assertion macros: no work handed off.
const LOG_MACROS: &[&str] = &[
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "log",
    "debug_assert",
    "debug_assert_eq",
    "assert",
    "assert_eq",
];

/// Whether a returned expression makes its future by handing the work to another thread or
/// task (`Box::pin(unblock(work))`, `tokio::spawn(fut)`, `spawn_blocking(f)`): that work runs
/// whether or not the future is polled. Looks through blocks (each `cfg` alternative is a
/// block-like statement of its own), parentheses and `Box::pin(..)`.
fn hands_off(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Block(b) => b.block.stmts.iter().any(|stmt| match stmt {
            syn::Stmt::Expr(e, None) => hands_off(e),
            _ => false,
        }),
        syn::Expr::Paren(p) => hands_off(&p.expr),
        syn::Expr::Call(c) => {
            let syn::Expr::Path(callee) = &*c.func else {
                return false;
            };
            let Some(last) = callee.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if name == "pin" && callee.path.segments.len() >= 2 {
                return c.args.first().is_some_and(hands_off);
            }
            is_offloading_name(&name)
        }
        _ => false,
    }
}

/// A name the runtimes give their calls that hand work to another task or thread (`spawn`,
/// `spawn_local`, `spawn_blocking`, `unblock`).
fn is_offloading_name(name: &str) -> bool {
    name.starts_with("spawn") || OFFLOADING_NAMES.contains(&name)
}

/// `x = ..` or `x += ..` on a plain local name (not a field or a dereference).
fn is_local_assign(e: &syn::Expr) -> bool {
    let left = match e {
        syn::Expr::Assign(a) => &a.left,
        syn::Expr::Binary(b) => &b.left,
        _ => return false,
    };
    matches!(&**left, syn::Expr::Path(p) if p.path.get_ident().is_some())
}

/// Whether an expression calls something (outside closures and async blocks, which run later).
fn has_call(e: &syn::Expr) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr_call(&mut self, _: &'ast syn::ExprCall) {
            self.0 = true;
        }
        fn visit_expr_method_call(&mut self, _: &'ast syn::ExprMethodCall) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_expr(&mut f, e);
    f.0
}

/// Looks for `spawn_blocking(param)`, `x.spawn_blocking(param)`, `thread::spawn(param)`.
struct OffloadFinder<'a> {
    params: &'a [String],
    found: bool,
    /// A parameter is passed to `catch_unwind` (bare or in `AssertUnwindSafe(..)`).
    caught: bool,
}

impl OffloadFinder<'_> {
    fn check(
        &mut self,
        callee: &syn::Ident,
        is_thread_spawn: bool,
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
    ) {
        // Compared as identifiers: no text made of every call's name.
        let catches = callee == "catch_unwind";
        if !(OFFLOADING_NAMES.iter().any(|n| callee == n) || is_thread_spawn || catches) {
            return;
        }
        let is_param = |a: &syn::Expr| match a {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.params.iter().any(|n| i == n)),
            _ => false,
        };
        let passes_param = args.iter().any(|a| match a {
            // `catch_unwind(AssertUnwindSafe(f))`
            syn::Expr::Call(c) if catches => c.args.iter().any(is_param),
            a => is_param(a),
        });
        if catches {
            self.caught |= passes_param;
        } else {
            self.found |= passes_param;
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for OffloadFinder<'_> {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            let segs = &p.path.segments;
            if let Some(last) = segs.last() {
                let is_thread_spawn =
                    last.ident == "spawn" && segs.iter().any(|s| s.ident == "thread");
                self.check(&last.ident, is_thread_spawn, &c.args);
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_method_call(&mut self, c: &'ast syn::ExprMethodCall) {
        self.check(&c.method, false, &c.args);
        syn::visit::visit_expr_method_call(self, c);
    }
}

pub fn sig_of(sig: &syn::Signature, attrs: &[syn::Attribute]) -> FnSig {
    let ret = match &sig.output {
        syn::ReturnType::Default => Ty::Tuple(Vec::new()),
        syn::ReturnType::Type(_, ty) => {
            let t = Ty::from_syn(ty);
            // A generic return type `F` with `F: Future` bounds is a future too.
            match (&t, generic_bound(sig, &t)) {
                (Ty::Path { segs, .. }, Some(bound)) if segs.len() == 1 => bound,
                _ => bound_type_args(sig, t, 0),
            }
        }
    };
    let from_args = ret_from_args(sig, &ret);
    let mut s = FnSig {
        name: Symbol::shown(&sig.ident),
        is_async: sig.asyncness.is_some(),
        ret: ret.into(),
        has_self: sig.receiver().is_some(),
        line: u32::try_from(sig.ident.span().start().line).unwrap_or(u32::MAX),
        ret_is_ref: matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Reference(_))),
        params: sig
            .inputs
            .iter()
            .filter(|i| matches!(i, syn::FnArg::Typed(_)))
            .count()
            .try_into()
            .unwrap_or(u32::MAX),
        must_use: has_must_use(attrs),
        cancel_doc: DocCancel::of_attrs(attrs),
        extras: SigExtras::new(closure_inputs(sig), from_args),
        starts_work: false,
        body_unknown: false,
    };
    s.extras.set_runtime_attr(has_runtime_attr(attrs));
    FeatureAsync::of_attrs(attrs).apply(&mut s);
    s
}

/// What an attribute of the `maybe-async` crate says of a fn's `async`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureAsync {
    /// No such attribute: `async` as written.
    AsWritten,
    /// `#[maybe_async]` or `#[async_impl]`: `async` only while maybe-async's `is_sync` feature
    /// is off.
    WhileNotSync,
    /// `#[must_be_sync]`: never `async`.
    Removed,
}

impl FeatureAsync {
    /// What the attributes of a fn, an impl or a trait say, also under `cfg_attr(.., ..)`.
    pub fn of_attrs(attrs: &[syn::Attribute]) -> FeatureAsync {
        let mut found = FeatureAsync::AsWritten;
        for a in attrs {
            if a.path().is_ident("cfg_attr") {
                let inner = a.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                );
                for m in inner.iter().flatten().skip(1) {
                    found = found.or(Self::of_path(m.path()));
                }
            } else {
                found = found.or(Self::of_path(a.path()));
            }
        }
        found
    }

    fn of_path(path: &syn::Path) -> FeatureAsync {
        match path.segments.last() {
            Some(s) if s.ident == "maybe_async" || s.ident == "async_impl" => {
                FeatureAsync::WhileNotSync
            }
            Some(s) if s.ident == "must_be_sync" => FeatureAsync::Removed,
            _ => FeatureAsync::AsWritten,
        }
    }

    fn or(self, other: FeatureAsync) -> FeatureAsync {
        if self == FeatureAsync::AsWritten {
            other
        } else {
            self
        }
    }

    /// Applies what the attributes say to a signature.
    pub fn apply(self, sig: &mut FnSig) {
        match self {
            FeatureAsync::AsWritten => {}
            FeatureAsync::WhileNotSync => {
                if sig.is_async {
                    sig.extras.set_async_by_feature(true);
                }
            }
            FeatureAsync::Removed => {
                sig.is_async = false;
                sig.extras.set_async_by_feature(false);
            }
        }
    }
}

/// The `#[cfg(..)]` predicates of an item, joined; `None` without any.
fn cfg_of(attrs: &[syn::Attribute]) -> Option<String> {
    let preds: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| match &a.meta {
            syn::Meta::List(l) => Some(l.tokens.to_string()),
            _ => None,
        })
        .collect();
    (!preds.is_empty()).then(|| preds.join(" & "))
}

/// See [`SigExtras::ret_from_args`].
fn ret_from_args(sig: &syn::Signature, ret: &Ty) -> Vec<(Symbol, u32)> {
    fn mentions(ty: &Ty, name: &str) -> bool {
        match ty {
            Ty::Path { segs, args } => {
                matches!(&segs[..], [only] if only == name)
                    || args.iter().any(|a| mentions(a, name))
            }
            Ty::Tuple(ts) => ts.iter().any(|t| mentions(t, name)),
            Ty::Future(Some(t)) | Ty::Callable(t) => mentions(t, name),
            _ => false,
        }
    }
    let mut out: Vec<(Symbol, u32)> = Vec::new();
    if sig.generics.type_params().next().is_none() {
        return out;
    }
    let typed = sig.inputs.iter().filter_map(|i| match i {
        syn::FnArg::Typed(pt) => Some(&*pt.ty),
        _ => None,
    });
    for (i, ty) in typed.enumerate() {
        let syn::Type::Path(p) = ty else { continue };
        let Some(id) = p.path.get_ident().filter(|_| p.qself.is_none()) else {
            continue;
        };
        let name = id.to_string();
        let is_param = sig.generics.type_params().any(|t| t.ident == name);
        if is_param && mentions(ret, &name) && !out.iter().any(|(n, _)| n.as_str() == name) {
            out.push((Symbol::intern(&name), u32::try_from(i).unwrap_or(u32::MAX)));
        }
    }
    out
}

/// The argument types of the `Fn*` bound of each parameter that takes a closure.
fn closure_inputs(sig: &syn::Signature) -> Vec<(usize, Vec<Ty>)> {
    let mut out = Vec::new();
    let typed = sig.inputs.iter().filter_map(|i| match i {
        syn::FnArg::Typed(pt) => Some(&*pt.ty),
        _ => None,
    });
    for (i, ty) in typed.enumerate() {
        let found = match ty {
            syn::Type::ImplTrait(t) => fn_bound_inputs(t.bounds.iter()),
            syn::Type::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(name) => generic_fn_inputs(sig, name),
                None => None,
            },
            _ => None,
        };
        if let Some(inputs) = found {
            out.push((i, inputs));
        }
    }
    out
}

/// `F` with `F: FnOnce(A) -> R` (inline or in the `where` clause): `[A]`.
fn generic_fn_inputs(sig: &syn::Signature, name: &syn::Ident) -> Option<Vec<Ty>> {
    let name = name.to_string();
    let inputs = bounds_of(sig, &name).find_map(|bounds| fn_bound_inputs(bounds.iter()));
    inputs
}

/// The bound lists written for the generic type parameter `name` of `sig`: inline
/// (`<F: Fn()>`), then in the `where` clause.
fn bounds_of<'a>(
    sig: &'a syn::Signature,
    name: &'a str,
) -> impl Iterator<Item = &'a syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>> + 'a
{
    let inline = sig
        .generics
        .params
        .iter()
        .filter_map(move |param| match param {
            syn::GenericParam::Type(tp) if tp.ident == name => Some(&tp.bounds),
            _ => None,
        });
    let in_where = sig
        .generics
        .where_clause
        .iter()
        .flat_map(|w| &w.predicates)
        .filter_map(move |pred| match pred {
            syn::WherePredicate::Type(pt)
                if matches!(&pt.bounded_ty, syn::Type::Path(p)
                    if p.qself.is_none() && p.path.is_ident(name)) =>
            {
                Some(&pt.bounds)
            }
            _ => None,
        });
    inline.chain(in_where)
}

/// The argument types of the first `Fn`/`FnMut`/`FnOnce`/`AsyncFn*` bound among `bounds`.
fn fn_bound_inputs<'a>(
    mut bounds: impl Iterator<Item = &'a syn::TypeParamBound>,
) -> Option<Vec<Ty>> {
    bounds.find_map(|b| {
        let syn::TypeParamBound::Trait(tb) = b else {
            return None;
        };
        let last = tb.path.segments.last()?;
        if !crate::source::FN_TRAITS.contains(&last.ident.to_string().as_str()) {
            return None;
        }
        let syn::PathArguments::Parenthesized(p) = &last.arguments else {
            return None;
        };
        Some(p.inputs.iter().map(|a| Ty::from_syn(&a.ty)).collect())
    })
}

/// The meaning of a generic parameter's bounds, when `ty` names one (`F` with `F: Future`),
/// following callables to their return type (`C: FnOnce() -> Fut`, `Fut: Future`).
pub fn generic_bound(sig: &syn::Signature, ty: &Ty) -> Option<Ty> {
    let bound = direct_generic_bound(sig, ty)?;
    Some(match bound {
        Ty::Callable(ret) => match direct_generic_bound(sig, &ret) {
            Some(inner) => Ty::Callable(Box::new(inner)),
            None => Ty::Callable(ret),
        },
        other => other,
    })
}

/// A return type whose type arguments name the fn's own bounded parameters, with each such
/// argument read as its bound (`fn mk<C: Config>() -> SleepOf<C>` returns a `SleepOf` of what
/// `C: Config` means, so the alias's `<C as Config>::..` goes through `Config`; `fn
/// with_deadline<F: Future>(f: F) -> Deadline<F>` returns a `Deadline` of a future).
fn bound_type_args(sig: &syn::Signature, ty: Ty, depth: usize) -> Ty {
    let Ty::Path { segs, args } = ty else {
        return ty;
    };
    if depth > 8 || args.is_empty() {
        return Ty::Path { segs, args };
    }
    let args = args
        .into_iter()
        .map(|a| match direct_generic_bound(sig, &a) {
            // `F: Future`: `Deadline<F>` is a `Deadline` of a future, so an impl that needs its
            // argument to be one (`impl<F: Future> Future for Deadline<F>`) can tell.
            Some(bound @ (Ty::Path { .. } | Ty::Future(_))) => bound,
            _ => bound_type_args(sig, a, depth + 1),
        })
        .collect();
    Ty::Path { segs, args }
}

/// In a trait whose supertrait is `Future` (`trait DeadlineExt: Future`), `Self` is a future:
/// a method's `-> Deadline<Self>` returns a `Deadline` of a future, so an impl that needs its
/// argument to be one can tell. (`Self` itself as the return type is left as it is: what the
/// implementing type's value is, where one is known.)
fn self_args_as_future(ty: &Ty, depth: usize) -> Ty {
    match ty {
        Ty::Path { segs, args } if depth < 8 && !args.is_empty() => Ty::Path {
            segs: segs.clone(),
            args: args
                .iter()
                .map(|a| match a {
                    Ty::SelfTy => Ty::Future(None),
                    other => self_args_as_future(other, depth + 1),
                })
                .collect(),
        },
        other => other.clone(),
    }
}

fn direct_generic_bound(sig: &syn::Signature, ty: &Ty) -> Option<Ty> {
    let Ty::Path { segs, args } = ty else {
        return None;
    };
    if segs.len() != 1 || !args.is_empty() {
        return None;
    }
    bounds_of(sig, &segs[0])
        .map(|bounds| Ty::from_bounds(bounds.iter(), 0))
        .find(|t| *t != Ty::Unknown)
}

/// `#[tokio::main]`, `#[tokio::test]`, `#[actix_web::main]`, `#[async_std::main]`, ...
pub fn has_runtime_attr(attrs: &[syn::Attribute]) -> bool {
    // Compared as identifiers: no text made of every attribute's path (a fn's doc lines).
    attrs.iter().any(|a| {
        let segs = &a.path().segments;
        segs.len() == 2 && (segs[1].ident == "main" || segs[1].ident == "test")
    })
}

pub(crate) fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("path") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

pub fn collect_use(tree: &syn::UseTree, prefix: &mut Vec<Symbol>, out: &mut Vec<UseFact>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(Symbol::shown(&p.ident));
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last() {
                    out.push(UseFact {
                        alias: *last,
                        target: prefix.as_slice().into(),
                        glob: false,
                    });
                }
            } else {
                let name = Symbol::shown(&n.ident);
                let mut target = prefix.clone();
                target.push(name);
                out.push(UseFact {
                    alias: name,
                    target: target.into(),
                    glob: false,
                });
            }
        }
        syn::UseTree::Rename(r) => {
            let mut target = prefix.clone();
            if r.ident != "self" {
                target.push(Symbol::shown(&r.ident));
            }
            let alias = r.rename.to_string();
            if alias != "_" {
                out.push(UseFact {
                    alias: alias.into(),
                    target: target.into(),
                    glob: false,
                });
            }
        }
        syn::UseTree::Glob(_) => out.push(UseFact {
            alias: "*".into(),
            target: prefix.as_slice().into(),
            glob: true,
        }),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                collect_use(t, prefix, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileFacts;

    /// `mod` as a keyword token, never inside a longer identifier; past ASCII is a doubt.
    #[test]
    fn a_text_may_write_mod_only_as_a_word() {
        for yes in [
            "mod a;",
            "m! { pub mod a; }",
            "x!(r#mod)",
            "// mod",
            "a.mod",
            "émod x;",
            "\"mod\"",
        ] {
            assert!(super::may_write_mod(yes), "{yes}");
        }
        for no in [
            "",
            "mo",
            "fn module() {}",
            "GetModuleHandleW",
            "const MODE: u32 = 1;",
            "let _mod = 1; let mod_x = 2; let xmod = 3; let mod2 = 4;",
        ] {
            assert!(!super::may_write_mod(no), "{no}");
        }
    }

    /// A file read from its text searches macro calls for `mod x;` only when the text may
    /// write `mod`: the same modules as the facts of its tree read without that shortcut.
    #[test]
    fn macro_module_declarations_are_found_from_the_text_as_from_the_tree() {
        for text in [
            "cfg_x! { 1 pub mod a; mod b; }\nm!(mod c;);",
            "windows_targets::link!(\"k.dll\" \"system\" fn GetModuleHandleW(m: u32) -> u32);",
            "m! { #[path = \"x.rs\"] mod d; }",
            "m!(\"lit\" mod e;);",
            "macro_rules! k { () => { mod f; } }\nk!();\nn!(1 k!());",
        ] {
            let ast = syn::parse_file(text).expect("parses");
            let shared = super::ItemMacros::of(&ast);
            let from_text = FileFacts::of_text(text);
            let from_tree = FileFacts::of_tree(&ast, text, &shared);
            let whole = FileFacts::extract(&ast);
            let mods = |f: &FileFacts| -> Vec<Vec<String>> {
                f.modules
                    .iter()
                    .map(|m| m.out_of_line.iter().map(|d| d.name.to_string()).collect())
                    .collect()
            };
            assert_eq!(mods(&from_text), mods(&whole), "{text}");
            assert_eq!(mods(&from_tree), mods(&whole), "{text}");
        }
        let found = FileFacts::of_text("m!(1 mod c;);");
        assert_eq!(found.modules[0].out_of_line.len(), 1);
        assert_eq!(found.modules[0].out_of_line[0].name.to_string(), "c");
    }

    /// A module body read in parts holds what appending them one by one holds, its tables
    /// grown to about what they end up holding, not to twice it.
    #[test]
    fn a_body_read_in_parts_grows_its_tables_to_the_projection() {
        let part = |i: usize| {
            let text: String = (0..7).map(|j| format!("fn f{i}_{j}() {{}}\n")).collect();
            let mut facts = FileFacts::of_text(&format!("use a::b{i};\n{text}"));
            facts.modules.swap_remove(0)
        };
        let (parts, size) = (600, 800);
        let (mut projected, mut doubled) = (super::ModFacts::default(), super::ModFacts::default());
        for i in 0..parts {
            projected.append_projected(part(i), (i + 1) * size, parts * size);
            doubled.append(part(i));
        }
        assert_eq!(projected, doubled);
        assert_eq!(projected.fns.len(), 4200);
        // Doubling: room for 7,168 fns; the projection grows to what the parts read so far say
        // the whole holds, and a sixteenth.
        assert!(doubled.fns.capacity() >= 7000);
        assert!(
            projected.fns.capacity() <= 4200 + 4200 / 16 + 16,
            "{}",
            projected.fns.capacity()
        );
        assert!(projected.uses.capacity() <= 600 + 600 / 16 + 16);
        // A body whose rest holds no fn: at most twice what was held when it last grew.
        let mut front = super::ModFacts::default();
        for i in 0..10 {
            front.append_projected(part(i), (i + 1) * size, 1000 * size);
        }
        assert!(front.fns.capacity() <= 2 * 70, "{}", front.fns.capacity());
    }

    /// An item macro's body is read as items when it parses as items; one that starts with a
    /// literal never does (and is not parsed to find out).
    #[test]
    fn an_item_macro_starting_with_a_literal_has_no_items() {
        let items = |text: &str| {
            let item: syn::Item = syn::parse_str(text).unwrap();
            super::macro_items(&item).map(|items| items.len())
        };
        assert_eq!(
            items("windows_targets::link!(\"k.dll\" \"system\" fn a() -> u32);"),
            None
        );
        assert_eq!(items("m!(\"k.dll\");"), None);
        assert_eq!(items("m!(1 fn a() {});"), None);
        assert_eq!(items("cfg_rt! { fn a() {} struct B; }"), Some(2));
        assert_eq!(items("m!(#[cfg(x)] fn a() {});"), Some(1));
        assert_eq!(items("m!(extern \"C\" { fn a(); });"), Some(1));
        assert_eq!(items("m!(a b);"), None);
    }

    /// Only calls that can name one of the crate's own `macro_rules!` keep their tokens for
    /// the index: not those naming another crate's macro.
    #[test]
    fn calls_of_other_crates_macros_are_not_kept() {
        let facts = FileFacts::of_text(
            "::windows_targets::link!(\"k.dll\" fn a());\ndep::make!(b);\n\
             own!(c);\ncrate::exported!(d);\nsuper::up!(e);\n",
        );
        let names: Vec<&str> = facts.modules[0]
            .macro_calls
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["own", "exported", "up"]);
        assert_eq!(facts.modules[0].macro_calls[0].tokens, "c");
    }

    #[test]
    fn paths_are_kept_once_and_never_start_with_a_keyword() {
        let text = "use tokio::sync::mpsc;\n\
                    fn f() { tokio::spawn(a()); crate::x::y(); self::z::w(); tokio::spawn(b()); }\n\
                    // a comment naming futures::future::join\n";
        let facts = FileFacts::of_text(text);
        let got: Vec<String> = facts.paths.iter().map(|p| p.join("::")).collect();
        assert_eq!(
            got,
            ["tokio::sync::mpsc", "tokio::spawn", "futures::future::join"]
        );
        // A file that does not parse still says what it names.
        let broken = FileFacts::of_text("fn f( { tokio::time::sleep(d) ");
        assert!(broken.modules.is_empty());
        assert_eq!(broken.paths.len(), 1);
        assert_eq!(&broken.paths[0][..], ["tokio", "time", "sleep"]);
    }

    /// A plain fn returning a future starts work when a statement before its tail calls
    /// something or assigns a field; bindings of plain values, locals and macros are no work.
    #[test]
    fn fns_that_start_their_work_before_returning_the_future() {
        let text = "impl C {\n\
            fn send(&self) -> impl Future<Output = ()> { self.tx.send(1).ok(); async {} }\n\
            fn mark(&mut self) -> BoxFuture<'static, ()> { self.closed = true; Box::pin(async {}) }\n\
            fn discard(&self) -> impl Future<Output = ()> { let _ = self.tx.send(1); async {} }\n\
            fn tried(&self) -> impl Future<Output = ()> { let id = self.reg()?; async {} }\n\
            fn clone_only(&self) -> impl Future<Output = ()> { let tx = self.tx.clone(); async move {} }\n\
            fn logs(&self) -> impl Future<Output = ()> { debug!(\"x\"); async {} }\n\
            fn local(&self) -> impl Future<Output = ()> { let mut n = 0; n += 1; async {} }\n\
            fn deferred(&self) -> impl Future<Output = ()> { let f = || self.go(); async {} }\n\
            fn branch(&self) -> impl Future<Output = ()> { if self.x { self.tx.send(1).ok(); } async {} }\n\
            fn arm(&self) -> impl Future<Output = ()> { match self.x { true => self.go(), _ => {} } async {} }\n\
            fn early(&self) -> impl Future<Output = ()> { if self.x { return ready(()); } async {} }\n\
            fn read(&self) -> impl Future<Output = ()> { if self.ok() { let n = 1; } async {} }\n\
            async fn not_plain(&self) { self.tx.send(1).ok(); work().await }\n\
            fn not_future(&self) -> u8 { self.tx.send(1).ok(); 1 }\n\
        }\n";
        let full = FileFacts::extract(&syn::parse_file(text).expect("parses"));
        for facts in [FileFacts::of_text(text), full] {
            let fns = &facts.modules[0].impls[0].fns;
            let started: Vec<&str> = fns
                .iter()
                .filter(|f| f.starts_work)
                .map(|f| f.name.as_str())
                .collect();
            assert_eq!(
                started,
                ["send", "mark", "discard", "tried", "branch", "arm"]
            );
        }
        // The skeleton keeps such bodies, so its facts are those of a full parse.
        assert!(super::super::skeleton::skeleton_text(text).contains("self.tx.send(1).ok()"));
    }

    /// A `Drop` impl cleans up when its body only frees, deregisters or logs; one that sends,
    /// wakes, closes or calls anything else may hand work off. The skeleton keeps `drop` bodies.
    #[test]
    fn drop_impls_that_only_clean_up() {
        let text = "impl Drop for Waiter { fn drop(&mut self) { trace!(\"x\"); self.inner.get_mut().data.remove(self.token); self.io.remove_waker(&self.w); } }\n\
            impl<T> Drop for Slot<T> { fn drop(&mut self) { self.count -= 1; } }\n\
            impl Drop for Ack { fn drop(&mut self) { if let Some(s) = self.sub.take() { let _ = self.tx.try_send(s); } } }\n\
            impl Drop for Conn { fn drop(&mut self) { self.io.close(); } }\n\
            impl Drop for Empty { fn drop(&mut self) {} }\n\
            impl Clone for Waiter { fn clone(&self) -> Self { self.inner.get_mut().data.remove(0); todo!() } }\n\
            impl Drop for Listener { fn drop(&mut self) { let mut w = Wakers::default(); let mut l = self.shared.lock(); l.remove(self.key); l.notify_one(&mut w); w.wake(); } }\n\
            impl Drop for Sender { fn drop(&mut self) { self.shared.lock().notify_all(); self.tx.send(()).ok(); } }\n";
        let full = FileFacts::extract(&syn::parse_file(text).expect("parses"));
        for facts in [FileFacts::of_text(text), full] {
            let impls = &facts.modules[0].impls;
            let cleans: Vec<bool> = impls.iter().map(|i| i.drop_cleans_up).collect();
            assert_eq!(
                cleans,
                [true, true, false, false, false, false, false, false]
            );
            // Only locking, notifying and waking beyond cleaning up: it passes a wake-up on.
            let wakes: Vec<bool> = impls.iter().map(|i| i.drop_passes_wake).collect();
            assert_eq!(
                wakes,
                [false, false, false, false, false, false, true, false]
            );
        }
    }

    /// A plain fn whose tail is a call returns that call's future: it says the callee's name
    /// and where the receiver comes from.
    #[test]
    fn fns_that_forward_the_future_of_a_call() {
        let text = "impl C {\n\
            fn field(&self) -> impl Future<Output = ()> { self.inner.get_mut().close(None) }\n\
            fn own(&self) -> impl Future<Output = ()> { (self.close_inner(1)) }\n\
            fn free(&self) -> impl Future<Output = ()> { detach_response(self.rx()) }\n\
            fn local(&self, l: L) -> impl Future<Output = ()> { l.close() }\n\
            fn started(&self) -> impl Future<Output = ()> { self.go(); self.inner.close() }\n\
            fn plain(&self) -> u8 { self.inner.len() }\n\
        }\n";
        let facts = super::FileFacts::of_text(text);
        use super::Via;
        let forwards: Vec<(&str, Option<(&str, &Via)>)> = facts.modules[0].impls[0]
            .fns
            .iter()
            .map(|f| {
                let to = f.forwards_to().map(|t| (t.name.as_str(), &t.via));
                (f.name.as_str(), to)
            })
            .collect();
        let field = Via::Field("inner".into());
        assert_eq!(
            forwards,
            [
                ("field", Some(("close", &field))),
                ("own", Some(("close_inner", &Via::SelfValue))),
                ("free", Some(("detach_response", &Via::Unknown))),
                ("local", Some(("close", &Via::Unknown))),
                ("started", None),
                ("plain", None),
            ]
        );
    }

    /// `impl<L: Future, R: Future> Future for Either<L, R>` holds only for future halves.
    #[test]
    fn conditional_future_impls_name_their_conditions() {
        let text = "impl<L, R> Future for Either<L, R> where L: Future, R: Future { }\n\
                    impl<T> Future for JoinHandle<T> { }\n\
                    impl<'a, F: Future + Unpin> Future for PollOnce<'a, F> { }\n";
        let facts = FileFacts::of_text(text);
        let conds: Vec<Vec<usize>> = facts.modules[0]
            .impls
            .iter()
            .map(|i| i.cond_args.clone())
            .collect();
        assert_eq!(conds, [vec![0, 1], vec![], vec![0]]);
    }
}
