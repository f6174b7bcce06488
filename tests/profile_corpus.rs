//! Plans every page of a corpus folder natively and prints the time per page. Not part of the
//! normal test run (it needs the corpus and measures time):
//! `UNSPONSOR_CORPUS=../shared/corpus/dev cargo test --release --test profile_corpus -- --ignored --nocapture`
//! (`UNSPONSOR_REPEATS=N` plans each page N times, for a profiler).
mod common;

use std::time::Instant;
use unsponsor::core::category::CategorySet;
use unsponsor::core::easylist::RuleSet;
use unsponsor::core::plan::{plan, plan_with_lists, ListMatches};

#[test]
#[ignore]
fn plan_time_per_page() {
    let Ok(corpus) = std::env::var("UNSPONSOR_CORPUS") else {
        eprintln!("set UNSPONSOR_CORPUS to a corpus folder");
        return;
    };
    let mut entries: Vec<_> = std::fs::read_dir(&corpus).unwrap().flatten().collect();
    let mut planned_pages = 0;
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
        // With UNSPONSOR_RULES, EasyList's part is included (its selector queries find nothing:
        // there is no browser here).
        let rules = std::env::var("UNSPONSOR_RULES")
            .ok()
            .map(|path| RuleSet::parse(&std::fs::read_to_string(path).unwrap()).unwrap());
        let started = Instant::now();
        let mut removals = 0;
        for _ in 0..repeats {
            removals = match &rules {
                None => plan(&tree, &CategorySet::default()).removals.len(),
                Some(rules) => {
                    let page = rules.for_page("http://127.0.0.1/case/");
                    let index = unsponsor::core::selector::ElementIndex::new(&tree);
                    let queries = rules.queries(&tree, &page, &index);
                    assert!(queries.len() < 10_000);
                    let lists = ListMatches {
                        rules,
                        page: &page,
                        selector_matches: &[],
                    };
                    plan_with_lists(&tree, &CategorySet::default(), Some(&lists))
                        .removals
                        .len()
                }
            };
        }
        println!(
            "{:40} {:6} nodes {:8.2} ms {:3} removals",
            entry.file_name().to_string_lossy(),
            tree.len(),
            started.elapsed().as_secs_f64() * 1000.0 / f64::from(repeats),
            removals
        );
        planned_pages += 1;
    }
    assert!(planned_pages > 0, "no source.html found under {corpus}");
}

/// `UNSPONSOR_RULES=dist/chrome/rules/easylist.rules cargo test --release --test profile_corpus
/// rules -- --ignored --nocapture`: time to parse the compiled EasyList file and to resolve it
/// for one page address.
#[test]
#[ignore]
fn rules_parse_and_resolve_time() {
    let Ok(path) = std::env::var("UNSPONSOR_RULES") else {
        eprintln!("set UNSPONSOR_RULES to a compiled rules file");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let started = Instant::now();
    let rules = unsponsor::core::easylist::RuleSet::parse(&text).unwrap();
    let parsed = started.elapsed();
    assert!(
        rules.counts().generic > 0,
        "the file holds no generic rules"
    );
    let started = Instant::now();
    for host in [
        "www.example.com",
        "news.bbc.co.uk",
        "www.breitbart.com",
        "127.0.0.1",
    ] {
        let _ = rules.for_page(&format!("https://{host}/article"));
    }
    println!(
        "parse {parsed:?}, resolve per page {:?}",
        started.elapsed() / 4
    );
}
