//! Times the byte prescans over every .rs file of the trees given (read into memory first).
use std::time::Instant;
use unawaited::index::facts::FileFacts;

fn main() {
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for root in std::env::args().skip(1) {
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "rs") {
                if let Ok(t) = std::fs::read(e.path()) {
                    texts.push(t);
                }
            }
        }
    }
    let mb = texts.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    println!("{} files, {mb:.1} MB", texts.len());
    for _ in 0..3 {
        let t = Instant::now();
        let mut deep = 0;
        for x in &texts {
            if let Ok(s) = std::str::from_utf8(x) {
                deep += unawaited::source::too_deep(s, unawaited::source::MAX_NESTING).is_some()
                    as usize;
            }
        }
        let a = t.elapsed();
        let t = Instant::now();
        let mut n = 0;
        for x in &texts {
            unawaited::index::path_scan::for_each_path(x, |s| n += s.len());
        }
        let b = t.elapsed();
        let t = Instant::now();
        let mut c = 0;
        for x in &texts {
            c += unawaited::index::call_scan::of_bytes(x).len();
        }
        let cc = t.elapsed();
        let t = Instant::now();
        let mut p = 0;
        for x in &texts {
            let f = FileFacts::of_bytes(x);
            p += f.paths.len() + f.call_uses.len();
        }
        let d = t.elapsed();
        println!(
            "too_deep {:.0} ms ({deep})  for_each_path {:.0} ms ({n})  call_scan {:.0} ms ({c})  read_text {:.0} ms ({p})",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            cc.as_secs_f64() * 1e3,
            d.as_secs_f64() * 1e3
        );
    }
}
