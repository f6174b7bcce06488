//! Plans every page of a corpus folder natively and prints the time per page. Not part of the
//! normal test run (it needs the corpus and measures time):
//! `UNSPONSOR_CORPUS=../shared/corpus/dev cargo test --release --test profile_corpus -- --ignored --nocapture`
//! (`UNSPONSOR_REPEATS=N` plans each page N times, for a profiler).
mod common;

use std::time::Instant;
use unsponsor::core::category::CategorySet;
use unsponsor::core::plan::plan;

#[test]
#[ignore]
fn plan_time_per_page() {
    let Ok(corpus) = std::env::var("UNSPONSOR_CORPUS") else {
        eprintln!("set UNSPONSOR_CORPUS to a corpus folder");
        return;
    };
    let mut entries: Vec<_> = std::fs::read_dir(&corpus).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let source = entry.path().join("source.html");
        let Ok(bytes) = std::fs::read(&source) else {
            continue;
        };
        let html = String::from_utf8_lossy(&bytes);
        let tree = common::parse(&html);
        let repeats: u32 = std::env::var("UNSPONSOR_REPEATS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        let started = Instant::now();
        let mut removals = 0;
        for _ in 0..repeats {
            removals = plan(&tree, &CategorySet::default()).removals.len();
        }
        println!(
            "{:40} {:6} nodes {:8.2} ms {:3} removals",
            entry.file_name().to_string_lossy(),
            tree.len(),
            started.elapsed().as_secs_f64() * 1000.0 / f64::from(repeats),
            removals
        );
    }
}
