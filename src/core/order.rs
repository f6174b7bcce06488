//! Sorting with little code. The standard library's sorts are fast but large once
//! monomorphised (each element type adds several kilobytes of wasm), and the wasm budget is
//! 100 KB gzip. The lists sorted here are short (candidates, matched elements, a page's
//! attribute lists), so a heap sort, O(n log n) in the worst case and a few hundred bytes per
//! type, does the job, even for the longest (a page's attribute values, in
//! `selector::ElementIndex`).

/// Sorts `items` so that `less` holds between no later item and an earlier one (not stable).
pub fn heap_sort<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let len = items.len();
    // Build a max-heap, then move the largest to the end, one by one.
    for start in (0..len / 2).rev() {
        sift_down(items, start, len, &less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &less);
    }
}

fn sift_down<T>(items: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

/// Sorts node ids ascending and drops repeats.
pub fn sort_dedup_ids(ids: &mut Vec<usize>) {
    heap_sort(ids, |a, b| a < b);
    ids.dedup();
}

/// Sorts `items` by `key`, keeping the order of items with equal keys (stable).
pub fn sort_by_key_stable<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let mut keyed: Vec<(K, usize, T)> = items
        .drain(..)
        .enumerate()
        .map(|(position, item)| (key(&item), position, item))
        .collect();
    heap_sort(&mut keyed, |a, b| (&a.0, a.1) < (&b.0, b.1));
    items.extend(keyed.into_iter().map(|(_, _, item)| item));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the test needs no dependency.
    fn numbers(seed: u64, count: usize, range: u64) -> Vec<u64> {
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) % range
            })
            .collect()
    }

    #[test]
    fn heap_sort_agrees_with_the_standard_sort() {
        for (seed, count, range) in [(1, 0, 5), (2, 1, 5), (3, 2, 5), (4, 17, 3), (5, 1000, 50)] {
            let mut ours = numbers(seed, count, range);
            let mut expected = ours.clone();
            heap_sort(&mut ours, |a, b| a < b);
            expected.sort();
            assert_eq!(ours, expected, "seed {seed}");
        }
    }

    #[test]
    fn sort_by_key_keeps_equal_keys_in_order() {
        let values = numbers(9, 500, 7);
        let mut items: Vec<(u64, usize)> = values.iter().copied().zip(0..).collect();
        let mut expected = items.clone();
        sort_by_key_stable(&mut items, |item| item.0);
        expected.sort_by_key(|item| item.0);
        assert_eq!(items, expected);
    }

    #[test]
    fn ids_are_sorted_and_unique() {
        let mut ids = vec![5, 3, 5, 1, 3, 9, 0, 0];
        sort_dedup_ids(&mut ids);
        assert_eq!(ids, vec![0, 1, 3, 5, 9]);
    }
}
