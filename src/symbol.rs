//! Interned names: one [`Symbol`] (4 bytes, `Copy`) per distinct identifier or path segment, so
//! the facts, the index and the IR hold a name once however often it is written.
//!
//! The interner is one per process, shared by every thread. It holds each distinct text once
//! (never freed), a table from symbol to text, and a map from text to symbol split into shards
//! behind their own locks; reading a symbol's text takes no lock. It only grows, and only with
//! names not seen before: a long-lived server re-reading the same workspace adds nothing, and a
//! workspace's distinct names are a small part of its source.
//!
//! A symbol reads as its text: it derefs to `&str`, compares with `&str` and `String`, shows
//! (`Display`, `Debug`) and orders as its text, and hashes as its text, so a map keyed by symbols
//! visits its keys in the same order a map keyed by the same strings does (the numbers depend
//! on which thread interned a name first; nothing shown may depend on them). Serialised, a
//! symbol is its text (the caches' encoding is that of a `String`); deserialised, it is
//! interned.

use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// An interned name: the same text is always the same symbol, within one process.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Symbol(NonZeroU32);

/// How many locks the text → symbol map is split under (threads interning at once rarely wait).
const SHARDS: usize = 32;

struct Interner {
    /// Symbol `n` is the text at index `n - 1`, in block `(n - 1) / TEXTS_BLOCK`; appended
    /// under a shard's lock, read without one.
    texts: Texts,
    /// Text → symbol, as a table of bare symbols (4 bytes a name; a map keyed by `&str` took
    /// 24) found by their texts' hashes, and where the shard's new texts are written.
    shards: [Mutex<Shard>; SHARDS],
}

/// One shard of the text → symbol map.
struct Shard {
    map: HashTable<Symbol>,
    /// The unwritten end of the block the shard's new texts are copied into, one after the
    /// other, each after its length ([`Shard::store`]): no allocation a name, and no
    /// allocator's rounding up (a name of 17 to 24 bytes took 24 in a block of its own).
    spare: &'static mut [u8],
}

/// A stored text's length is one byte when below this, else this byte and [`WIDE`] more.
const LONG: u8 = u8::MAX;

/// How many bytes a long text's length takes after [`LONG`] (a `usize`, little-endian).
const WIDE: usize = std::mem::size_of::<usize>();

/// How many bytes the length of a text of `len` bytes takes in front of it.
fn head_len(len: usize) -> usize {
    match len < usize::from(LONG) {
        true => 1,
        false => 1 + WIDE,
    }
}

/// How many bytes a block of texts holds. A text longer than an eighth of it has a block of its
/// own, so at most an eighth of a block is left unwritten when a text does not fit.
const TEXT_BLOCK: usize = 4096;

impl Shard {
    /// A copy of `text` after its length (one byte, or [`LONG`] and [`WIDE`] bytes), that
    /// lives as long as the process and is never written again: what [`read_stored`] reads.
    /// Its length there rather than in the table saves 8 bytes a name (2 MB of a 10 MB file of
    /// fns), for one byte a text.
    fn store(&mut self, text: &str) -> &'static [u8] {
        let head = head_len(text.len());
        let size = head + text.len();
        let record: &'static mut [u8] = if size > TEXT_BLOCK / 8 {
            Box::leak(vec![0u8; size].into_boxed_slice())
        } else {
            if self.spare.len() < size {
                self.spare = Box::leak(vec![0u8; TEXT_BLOCK].into_boxed_slice());
            }
            let (copy, rest) = std::mem::take(&mut self.spare).split_at_mut(size);
            self.spare = rest;
            copy
        };
        match head {
            1 => record[0] = text.len() as u8,
            _ => {
                record[0] = LONG;
                record[1..head].copy_from_slice(&text.len().to_le_bytes());
            }
        }
        record[head..].copy_from_slice(text.as_bytes());
        record
    }
}

/// The text stored at `start` by [`Shard::store`].
///
/// # Safety
///
/// `start` is the start of a record [`Shard::store`] returned.
unsafe fn read_stored(start: *const u8) -> &'static str {
    // SAFETY (the reads): `store` wrote the record as its first byte, then, when that byte is
    // `LONG`, `WIDE` bytes of the length (read unaligned, as written), then `len` bytes copied
    // from a `str`; all inside the one leaked allocation `start` points into, so every read
    // below is in bounds of it and the bytes are valid UTF-8.
    let (len, head) = match *start {
        LONG => (
            usize::from_le_bytes(std::ptr::read_unaligned(start.add(1).cast::<[u8; WIDE]>())),
            1 + WIDE,
        ),
        short => (usize::from(short), 1),
    };
    std::str::from_utf8_unchecked(std::slice::from_raw_parts(start.add(head), len))
}

/// How many texts a block of the symbol → text table holds.
const TEXTS_BLOCK: usize = 8192;

/// How many blocks the table can have: 2^27 names (the list of blocks is 384 KB).
const TEXTS_BLOCKS: usize = 1 << 14;

/// A block of the table: its texts, each set once.
type TextBlock = Box<[TextSlot]>;

/// One symbol's text: where its record ([`Shard::store`]: its length, then its bytes) starts,
/// set once (8 bytes; the start and the length side by side took 16, a `OnceLock<&'static
/// str>` 24). The record is written before its start is published (`Release`), so a reader
/// that sees the start (`Acquire`) sees the record whole.
struct TextSlot {
    start: AtomicPtr<u8>,
}

impl TextSlot {
    fn empty() -> TextSlot {
        TextSlot {
            start: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Sets the slot to the record `stored` (each slot is set once: its index is taken once).
    fn set(&self, stored: &'static [u8]) {
        self.start
            .store(stored.as_ptr().cast_mut(), Ordering::Release);
    }

    fn get(&self) -> Option<&'static str> {
        let start = self.start.load(Ordering::Acquire);
        if start.is_null() {
            return None;
        }
        // SAFETY: a non-null start was stored by `set`, from a record `Shard::store` returned:
        // leaked (never freed) and written whole (its length, then a `str`'s bytes) before
        // `set` published it; the `Release` store and the `Acquire` load above order those
        // writes before this read, and nothing writes the record again, so `read_stored`
        // reads exactly that `str`, alive and unchanged for the whole process.
        Some(unsafe { read_stored(start) })
    }
}

/// The symbol → text table: blocks of a fixed size, each allocated when its first symbol is
/// made, so that at most one block is partly empty (a `boxcar::Vec`'s blocks double: after
/// 257,000 names it had room for 524,000, 24 bytes each).
struct Texts {
    blocks: Box<[OnceLock<TextBlock>]>,
    count: AtomicUsize,
}

impl Texts {
    fn new() -> Texts {
        Texts {
            blocks: std::iter::repeat_with(OnceLock::new)
                .take(TEXTS_BLOCKS)
                .collect(),
            count: AtomicUsize::new(0),
        }
    }

    /// Appends the text stored at `stored` ([`Shard::store`]), giving its index.
    fn push(&self, stored: &'static [u8]) -> usize {
        let index = self.count.fetch_add(1, Ordering::Relaxed);
        let block = self
            .blocks
            .get(index / TEXTS_BLOCK)
            .expect("fewer than 2^27 distinct names")
            .get_or_init(|| {
                std::iter::repeat_with(TextSlot::empty)
                    .take(TEXTS_BLOCK)
                    .collect()
            });
        // Each index is taken once (the counter), so its slot is empty.
        block[index % TEXTS_BLOCK].set(stored);
        index
    }

    fn get(&self, index: usize) -> Option<&'static str> {
        self.blocks
            .get(index / TEXTS_BLOCK)?
            .get()?
            .get(index % TEXTS_BLOCK)?
            .get()
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

fn interner() -> &'static Interner {
    static INTERNER: OnceLock<Interner> = OnceLock::new();
    INTERNER.get_or_init(|| Interner {
        texts: Texts::new(),
        shards: std::array::from_fn(|_| {
            Mutex::new(Shard {
                map: HashTable::new(),
                spare: &mut [],
            })
        }),
    })
}

impl Symbol {
    /// The symbol of `text`, interning it when it is new.
    pub fn intern(text: &str) -> Symbol {
        let hash = rustc_hash::FxBuildHasher.hash_one(text);
        // The thread's last symbols of this set, when one is this text: no lock taken.
        let set = (hash >> 20) as usize % RECENT_SETS;
        // Compared with the texts the set keeps, not the table's: no look-up in the table.
        let remembered = RECENT.with(|r| {
            let [first, second] = &r[set];
            let (a, b) = (first.get(), second.get());
            if a.text == text && a.symbol != 0 {
                Some(a.symbol)
            } else if b.text == text && b.symbol != 0 {
                // The later one first: a name used again stays, one used once moves out.
                first.set(b);
                second.set(a);
                Some(b.symbol)
            } else {
                None
            }
        });
        if let Some(symbol) = remembered.and_then(NonZeroU32::new) {
            return Symbol(symbol);
        }
        let symbol = Symbol::intern_hashed(text, hash);
        RECENT.with(|r| {
            let [first, second] = &r[set];
            second.set(first.get());
            first.set(Recent {
                symbol: symbol.0.get(),
                text: symbol.as_str(),
            })
        });
        symbol
    }

    /// [`Symbol::intern`] of `text` whose hash is `hash`, from the shared map.
    fn intern_hashed(text: &str, hash: u64) -> Symbol {
        let interner = interner();
        // Bits the table uses for neither its buckets (the low ones) nor its tags (the top 7).
        let which = (hash >> 32) as usize % SHARDS;
        // A poisoned lock only means another thread panicked while holding it: the map is
        // still whole (an insert is the last step), so keep using it.
        let mut shard = interner.shards[which]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&symbol) = shard.map.find(hash, |s| s.as_str() == text) {
            return symbol;
        }
        let stored = shard.store(text);
        let index = interner.texts.push(stored);
        let symbol = Symbol(
            u32::try_from(index + 1)
                .ok()
                .and_then(NonZeroU32::new)
                .expect("fewer than 2^32 distinct names"),
        );
        shard.map.insert_unique(hash, symbol, |s| {
            rustc_hash::FxBuildHasher.hash_one(s.as_str())
        });
        symbol
    }

    /// The symbol of what `value` shows (an identifier: `Symbol::shown(&ident)`), written into
    /// a buffer on the stack when it is short: the same symbol as `Symbol::intern(&value
    /// .to_string())`, without a `String` made and freed for every name read.
    pub fn shown(value: &impl fmt::Display) -> Symbol {
        let mut text = ShortText {
            bytes: [0; SHORT_TEXT],
            len: 0,
            long: None,
        };
        if fmt::write(&mut text, format_args!("{value}")).is_err() {
            return Symbol::intern(&value.to_string());
        }
        match &text.long {
            Some(long) => Symbol::intern(long),
            None => {
                let written = &text.bytes[..text.len];
                // SAFETY: `ShortText::write_str` only ever appends a whole `&str` to `bytes`
                // (a piece that does not fit moves the text to `long`, and `bytes` is no longer
                // read), so `written` is a concatenation of `str`s: UTF-8. Not checking it
                // again saved `from_utf8`'s 0.3% of the four largest trees' samples.
                Symbol::intern(unsafe { std::str::from_utf8_unchecked(written) })
            }
        }
    }

    /// The symbol's text.
    pub fn as_str(self) -> &'static str {
        interner()
            .texts
            .get(self.0.get() as usize - 1)
            .expect("a symbol is made only by interning its text")
    }

    /// How many distinct names have been interned (for measurements).
    pub fn count() -> usize {
        interner().texts.count()
    }
}

/// How many sets of two symbols each thread remembers ([`RECENT`]).
const RECENT_SETS: usize = 2048;

thread_local! {
    /// The symbols this thread interned last, two a set, by a part of their texts' hashes
    /// (symbol 0: none), each with its text: most names repeat (a file's own, the
    /// language's), and these are found without the shard's lock or a look-up of the symbol's
    /// text. On the four largest trees, of 1.36 million calls, one slot in each of 1,024 sets
    /// answered 1,058,000 and sent 225,000 names seen before to the shared map; two in each
    /// of 2,048 answer 1,167,000 and send 116,000 (79,000 are new either way). A symbol's
    /// text never changes, so a slot only ever saves the map's answer.
    static RECENT: [[std::cell::Cell<Recent>; 2]; RECENT_SETS] = const {
        [const {
            [const {
                std::cell::Cell::new(Recent {
                    symbol: 0,
                    text: "",
                })
            }; 2]
        }; RECENT_SETS]
    };
}

/// A slot of [`RECENT`]: a symbol and its (interned, never freed) text.
#[derive(Clone, Copy)]
struct Recent {
    symbol: u32,
    text: &'static str,
}

/// How long a text [`Symbol::shown`] writes on the stack can be.
const SHORT_TEXT: usize = 64;

/// A text written piece by piece: on the stack up to [`SHORT_TEXT`] bytes, else in a `String`.
struct ShortText {
    bytes: [u8; SHORT_TEXT],
    len: usize,
    long: Option<String>,
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        if let Some(long) = &mut self.long {
            long.push_str(piece);
        } else if self.len + piece.len() <= SHORT_TEXT {
            self.bytes[self.len..self.len + piece.len()].copy_from_slice(piece.as_bytes());
            self.len += piece.len();
        } else {
            let mut long = String::with_capacity(self.len + piece.len());
            long.push_str(std::str::from_utf8(&self.bytes[..self.len]).map_err(|_| fmt::Error)?);
            long.push_str(piece);
            self.long = Some(long);
        }
        Ok(())
    }
}

/// Symbols of the segments `parts` names, in order.
pub fn symbols<'a>(parts: impl IntoIterator<Item = &'a str>) -> Vec<Symbol> {
    parts.into_iter().map(Symbol::intern).collect()
}

impl Default for Symbol {
    /// The empty name.
    fn default() -> Symbol {
        Symbol::intern("")
    }
}

impl Deref for Symbol {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Symbol {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Legal because a symbol hashes, compares and orders as its text.
impl Borrow<str> for Symbol {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Symbol {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Symbol {
    fn partial_cmp(&self, other: &Symbol) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Symbol {
    fn cmp(&self, other: &Symbol) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Symbol {
    fn from(text: &str) -> Symbol {
        Symbol::intern(text)
    }
}

impl From<&String> for Symbol {
    fn from(text: &String) -> Symbol {
        Symbol::intern(text)
    }
}

impl From<String> for Symbol {
    fn from(text: String) -> Symbol {
        Symbol::intern(&text)
    }
}

impl From<Symbol> for String {
    fn from(symbol: Symbol) -> String {
        symbol.as_str().to_owned()
    }
}

impl PartialEq<str> for Symbol {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Symbol {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Symbol {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Symbol> for str {
    fn eq(&self, other: &Symbol) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Symbol> for &str {
    fn eq(&self, other: &Symbol) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Symbol> for String {
    fn eq(&self, other: &Symbol) -> bool {
        self == other.as_str()
    }
}

impl Serialize for Symbol {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Symbol {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Symbol, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Symbol;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Symbol, E> {
                Ok(Symbol::intern(text))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_the_same_symbol_across_threads() {
        let names: Vec<String> = (0..2000).map(|i| format!("name_{i}")).collect();
        let per_thread: Vec<Vec<Symbol>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| names.iter().map(|n| Symbol::intern(n)).collect()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for symbols in &per_thread[1..] {
            assert_eq!(symbols, &per_thread[0]);
        }
        for (name, symbol) in names.iter().zip(&per_thread[0]) {
            assert_eq!(symbol.as_str(), name);
            assert_eq!(*symbol, **name);
        }
    }

    /// A thread's remembered slots answer only what they hold: the empty text (an empty slot's
    /// text) is a symbol of its own, and texts that share a set (10,000 names in 2,048 sets of
    /// two, three times over, in two orders) keep their own symbols.
    #[test]
    fn remembered_slots_answer_only_their_own_text() {
        std::thread::spawn(|| {
            let empty = Symbol::intern("");
            assert_eq!(empty.as_str(), "");
            assert_eq!(Symbol::intern(""), empty);
            assert_ne!(Symbol::intern("x"), empty);
            let names: Vec<String> = (0..10_000).map(|i| format!("slot_{i}")).collect();
            let first: Vec<Symbol> = names.iter().map(|n| Symbol::intern(n)).collect();
            let second: Vec<Symbol> = names.iter().map(|n| Symbol::intern(n)).collect();
            let third: Vec<Symbol> = names.iter().rev().map(|n| Symbol::intern(n)).collect();
            assert_eq!(first, second);
            assert!(first.iter().eq(third.iter().rev()));
            // A name met again at once is answered by its set, in whichever slot it sits.
            for pair in names.chunks(2) {
                for _ in 0..3 {
                    for name in pair {
                        assert_eq!(Symbol::intern(name).as_str(), name);
                    }
                }
            }
            for (name, symbol) in names.iter().zip(&first) {
                assert_eq!(symbol.as_str(), name);
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn names_fill_blocks_of_the_table_from_several_threads() {
        // More names than a block holds, from four threads at once: every symbol reads as its
        // text, and the table grows by whole blocks.
        let before = Symbol::count();
        let per_thread: Vec<Vec<(String, Symbol)>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    s.spawn(move || {
                        (0..TEXTS_BLOCK)
                            .map(|i| {
                                let name = format!("block_name_{t}_{i}");
                                let symbol = Symbol::intern(&name);
                                (name, symbol)
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (name, symbol) in per_thread.iter().flatten() {
            assert_eq!(symbol.as_str(), name);
            assert_eq!(Symbol::intern(name), *symbol);
        }
        assert!(Symbol::count() >= before + 4 * TEXTS_BLOCK);
    }

    /// Texts are copied into shared blocks, one after the other, and longer ones into their
    /// own: every length around a block's end and the long-text bound reads back as written,
    /// from the thread that made it and from another.
    #[test]
    fn texts_of_every_length_read_back_across_blocks() {
        let texts: Vec<String> = (0..3 * TEXT_BLOCK / 8)
            .chain([70_000])
            .map(|len| {
                let mut text = format!("len{len}_é");
                while text.len() < len {
                    text.push(char::from(b'a' + (text.len() % 26) as u8));
                }
                text
            })
            .collect();
        let made: Vec<Symbol> = std::thread::scope(|s| {
            s.spawn(|| texts.iter().map(|t| Symbol::intern(t)).collect())
                .join()
                .unwrap()
        });
        for (text, symbol) in texts.iter().zip(&made) {
            assert_eq!(symbol.as_str(), text);
            assert_eq!(Symbol::intern(text), *symbol);
        }
    }

    /// `Symbol::shown` is `Symbol::intern` of the text shown, short or long, in one piece or
    /// several (a raw identifier shows as `r#` and its name), ASCII or not.
    #[test]
    fn a_shown_value_is_the_symbol_of_its_text() {
        let long = "x".repeat(SHORT_TEXT - 1);
        let texts = [
            String::new(),
            "a".into(),
            "ünïcode_名".into(),
            long.clone(),
            format!("{long}y"),
            format!("{long}yz"),
            "é".repeat(100),
        ];
        for text in &texts {
            assert_eq!(Symbol::shown(text), Symbol::intern(text), "{text}");
            // Two pieces: across the buffer's end when the text is long.
            let two = format_args!("{text}{text}").to_string();
            struct Two<'a>(&'a str);
            impl fmt::Display for Two<'_> {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.0)?;
                    f.write_str(self.0)
                }
            }
            assert_eq!(Symbol::shown(&Two(text)), Symbol::intern(&two), "{two}");
        }
        let raw = proc_macro2::Ident::new_raw("type", proc_macro2::Span::call_site());
        assert_eq!(Symbol::shown(&raw), Symbol::intern("r#type"));
        let plain = proc_macro2::Ident::new("tokio", proc_macro2::Span::call_site());
        assert_eq!(Symbol::shown(&plain), Symbol::intern("tokio"));
    }

    #[test]
    fn a_symbol_orders_hashes_and_shows_as_its_text() {
        let (b, a) = (Symbol::intern("zeta_b"), Symbol::intern("alpha_a"));
        assert!(a < b);
        let mut one = rustc_hash::FxHasher::default();
        let mut two = rustc_hash::FxHasher::default();
        a.hash(&mut one);
        "alpha_a".hash(&mut two);
        assert_eq!(one.finish(), two.finish());
        assert_eq!(format!("{a} {a:?}"), "alpha_a \"alpha_a\"");
        let map: rustc_hash::FxHashMap<Symbol, u8> = [(a, 1)].into_iter().collect();
        assert_eq!(map.get("alpha_a"), Some(&1));
        assert_eq!([a, b].join("::"), "alpha_a::zeta_b");
    }

    #[test]
    fn a_symbol_is_written_as_its_text() {
        let symbol = Symbol::intern("written");
        let bytes = postcard::to_stdvec(&symbol).unwrap();
        assert_eq!(bytes, postcard::to_stdvec("written").unwrap());
        let back: Symbol = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, symbol);
        let json = serde_json::to_string(&symbol).unwrap();
        assert_eq!(serde_json::from_str::<Symbol>(&json).unwrap(), symbol);
    }
}
