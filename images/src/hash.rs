//! SHA-256 whose running state can be saved to a string and restored, so that
//! a download interrupted in one run is verified end to end in the next.
//!
//! The block function is `sha2::compress256` (SHA-NI / AVX2 accelerated); this
//! module only keeps the state words, the byte count and the partial block.

use sha2::digest::generic_array::GenericArray;

const INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const BLOCK: usize = 64;
/// Blocks handed to the compression function at once.
const BATCH: usize = 64;

type Block = GenericArray<u8, sha2::digest::consts::U64>;

/// A SHA-256 computation in progress.
#[derive(Clone, Debug)]
pub struct Sha256 {
    state: [u32; 8],
    length: u64,
    pending: Vec<u8>,
}

impl Default for Sha256 {
    fn default() -> Self {
        Sha256 {
            state: INITIAL_STATE,
            length: 0,
            pending: Vec::with_capacity(BLOCK),
        }
    }
}

impl Sha256 {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes hashed so far.
    pub fn length(&self) -> u64 {
        self.length
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        if !self.pending.is_empty() {
            let take = (BLOCK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < BLOCK {
                return;
            }
            let block = *Block::from_slice(&self.pending);
            sha2::compress256(&mut self.state, &[block]);
            self.pending.clear();
        }
        let mut batch = [Block::default(); BATCH];
        let mut blocks = data.chunks_exact(BLOCK);
        loop {
            let mut filled = 0;
            for (slot, block) in batch.iter_mut().zip(blocks.by_ref()) {
                slot.copy_from_slice(block);
                filled += 1;
            }
            if filled == 0 {
                break;
            }
            sha2::compress256(&mut self.state, &batch[..filled]);
        }
        self.pending.extend_from_slice(blocks.remainder());
    }

    /// The digest as lowercase hex.
    pub fn finish_hex(&self) -> String {
        let mut state = self.state;
        let mut tail = self.pending.clone();
        tail.push(0x80);
        while tail.len() % BLOCK != BLOCK - 8 {
            tail.push(0);
        }
        tail.extend_from_slice(&(self.length * 8).to_be_bytes());
        let blocks: Vec<Block> = tail
            .chunks_exact(BLOCK)
            .map(|b| *Block::from_slice(b))
            .collect();
        sha2::compress256(&mut state, &blocks);
        state.iter().map(|word| format!("{word:08x}")).collect()
    }

    /// The running state as one line of text (state words, length, pending bytes).
    pub fn save(&self) -> String {
        let words: String = self
            .state
            .iter()
            .map(|word| format!("{word:08x}"))
            .collect();
        let pending: String = self.pending.iter().map(|b| format!("{b:02x}")).collect();
        format!("{words}:{}:{pending}", self.length)
    }

    /// Restores a state written by [`Sha256::save`]; `None` when it is malformed.
    pub fn restore(saved: &str) -> Option<Self> {
        let mut parts = saved.split(':');
        let words = parts.next()?;
        let length: u64 = parts.next()?.parse().ok()?;
        let pending_hex = parts.next()?;
        if parts.next().is_some() || words.len() != 64 || pending_hex.len() % 2 != 0 {
            return None;
        }
        let mut state = [0u32; 8];
        for (i, word) in state.iter_mut().enumerate() {
            *word = u32::from_str_radix(words.get(i * 8..i * 8 + 8)?, 16).ok()?;
        }
        let pending = (0..pending_hex.len() / 2)
            .map(|i| u8::from_str_radix(pending_hex.get(i * 2..i * 2 + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        if pending.len() >= BLOCK || length % BLOCK as u64 != pending.len() as u64 {
            return None;
        }
        Some(Sha256 {
            state,
            length,
            pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(data: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(data);
        hash.finish_hex()
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&million_a),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn split_updates_and_save_restore_match_one_update() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let whole = hex(&data);
        for split in [0, 1, 63, 64, 65, 4095, 50_001] {
            let mut first = Sha256::new();
            first.update(&data[..split]);
            let mut resumed = Sha256::restore(&first.save()).expect("restores");
            resumed.update(&data[split..]);
            assert_eq!(resumed.finish_hex(), whole, "split at {split}");
            assert_eq!(resumed.length(), data.len() as u64);
        }
        assert!(Sha256::restore("garbage").is_none());
    }
}
