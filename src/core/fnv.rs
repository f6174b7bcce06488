//! The core's hash maps and sets, with FNV-1a as their hash instead of the standard SipHash.
//!
//! Why: the keys are short (class names, tags, words), SipHash is slow on them in the
//! browser's baseline wasm code, and its code and the random keys behind the standard hasher
//! are about a kilobyte of the module. What it protects against (keys chosen to collide) would
//! only let a page slow the cleaning of that same page.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a (32 bits) of no bytes: where a hash starts.
pub const START: u32 = 0x811c_9dc5;

/// FNV-1a (32 bits): `hash` with one more byte. (`bytes.fold(START, add)` hashes `bytes`; the
/// EasyList tables hash names this way too.)
pub fn add(hash: u32, byte: u8) -> u32 {
    (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
}

/// FNV-1a over the bytes hashed, 32 bits.
#[derive(Clone, Copy)]
pub struct Fnv(u32);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(START)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().copied().fold(self.0, add);
    }

    /// The 32 bits twice: the hash tables take some bits from the top of the 64 (on a 64-bit
    /// machine) and the rest from the bottom.
    fn finish(&self) -> u64 {
        u64::from(self.0) << 32 | u64::from(self.0)
    }
}

pub type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub type Set<K> = HashSet<K, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_both_halves() {
        let hash = |text: &str| {
            let mut hasher = Fnv::default();
            hasher.write(text.as_bytes());
            hasher.finish()
        };
        // FNV-1a (32 bits) of "" and "a", from the published test vectors.
        assert_eq!(hash(""), 0x811c_9dc5_811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c_e40c_292c);
        let mut set: Set<String> = Set::default();
        for n in 0..1000 {
            assert!(set.insert(format!("name-{n}")));
        }
        assert!(set.contains("name-999") && !set.contains("name-1000"));
    }
}
