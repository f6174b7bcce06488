//! Trimmed fixtures from real pages (`tests/fixtures/*.html`): every miss or false removal found
//! on a real page is kept here with the site and the cause in its header comment, and the texts
//! that must be gone (`gone:`) or must stay (`kept:`) with the default categories.

mod common;

use std::fs;

#[test]
fn every_real_page_fixture_holds() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = fs::read_dir("tests/fixtures")
        .expect("tests/fixtures exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    paths.sort();
    for path in paths {
        let html = fs::read_to_string(&path).expect("fixture is UTF-8");
        let header = html.split("-->").next().unwrap_or_default();
        let expectations: Vec<(&str, &str)> = header
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                line.strip_prefix("gone:")
                    .map(|text| ("gone", text.trim()))
                    .or_else(|| line.strip_prefix("kept:").map(|text| ("kept", text.trim())))
            })
            .collect();
        assert!(
            header.contains("site:") && header.contains("cause:") && !expectations.is_empty(),
            "{}: the header needs site:, cause: and at least one gone:/kept: line",
            path.display()
        );
        let (tree, plan) = common::plan_default(&html);
        let before = common::text_after(&tree, &unsponsor::Plan::default());
        let after = common::text_after(&tree, &plan);
        for (kind, text) in expectations {
            assert!(
                before.contains(text),
                "{}: {text:?} is not in the page at all",
                path.display()
            );
            let visible = after.contains(text);
            if (kind == "gone") == visible {
                failures.push(format!(
                    "{}: {text:?} should be {kind}; removals: {:?}",
                    path.display(),
                    plan.removals
                        .iter()
                        .map(|r| (r.rule.id(), r.preview.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} fixtures found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
