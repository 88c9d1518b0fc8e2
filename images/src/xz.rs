//! The framing of an xz stream, walked as its bytes flow past the decoder, so
//! that a download can be resumed at a block boundary in a later run.
//!
//! Multi-threaded xz (`xz -T`, which Fedora CoreOS uses) writes the compressed
//! and uncompressed size into every block header, so block boundaries can be
//! found without decoding. A resumed run feeds liblzma the saved stream header,
//! then the blocks from the boundary on, then an index (and footer) rebuilt for
//! exactly those blocks, in place of the file's own index. The file's bytes,
//! including its real index, still all go through the compressed sha256.

/// Length of the xz stream header and footer.
pub(crate) const STREAM_HEADER_LEN: usize = 12;
const HEADER_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// Where the walk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamHeader,
    BlockStart,
    BlockHeader {
        size: usize,
    },
    BlockBody {
        remaining: u64,
    },
    /// The index has begun: every block has been seen.
    Index,
    /// A block without sizes in its header (single-threaded xz): no boundaries.
    Untrackable,
}

/// A place in the stream where a new decoder could take over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Boundary {
    /// Offset in the compressed file of the next block (or of the index).
    pub compressed: u64,
    /// Uncompressed bytes produced by all blocks before it.
    pub uncompressed: u64,
}

/// Walks block headers; see the module docs.
#[derive(Debug)]
pub(crate) struct BlockWalker {
    state: State,
    offset: u64,
    uncompressed: u64,
    check_size: u64,
    pending: Vec<u8>,
    stream_header: Vec<u8>,
    /// (unpadded size, uncompressed size) of each block seen in this run.
    records: Vec<(u64, u64)>,
}

impl BlockWalker {
    /// A walk from the start of the file.
    pub fn new() -> Self {
        BlockWalker {
            state: State::StreamHeader,
            offset: 0,
            uncompressed: 0,
            check_size: 0,
            pending: Vec::new(),
            stream_header: Vec::new(),
            records: Vec::new(),
        }
    }

    /// A walk that starts at `boundary` of a stream whose header was `stream_header`.
    pub fn resumed(stream_header: &[u8], boundary: Boundary) -> Option<Self> {
        let check_size = parse_stream_header(stream_header)?;
        Some(BlockWalker {
            state: State::BlockStart,
            offset: boundary.compressed,
            uncompressed: boundary.uncompressed,
            check_size,
            pending: Vec::new(),
            stream_header: stream_header.to_vec(),
            records: Vec::new(),
        })
    }

    /// The stream header, once it has been seen (or was given on resume).
    pub fn stream_header(&self) -> Option<&[u8]> {
        (self.stream_header.len() == STREAM_HEADER_LEN).then_some(&self.stream_header[..])
    }

    /// Whether the walk has reached the index (all blocks are behind it).
    pub fn in_index(&self) -> bool {
        self.state == State::Index
    }

    /// Consumes a prefix of `data` and returns its length, plus the boundary
    /// that lies right after that prefix, if any. Call again with the rest.
    /// On reaching the index it stops before it (possibly consuming nothing):
    /// check [`BlockWalker::in_index`].
    pub fn walk(&mut self, data: &[u8]) -> (usize, Option<Boundary>) {
        let mut used = 0;
        while used < data.len() {
            let rest = &data[used..];
            match self.state {
                State::Index | State::Untrackable => {
                    used = data.len();
                    break;
                }
                State::StreamHeader => {
                    let take = (STREAM_HEADER_LEN - self.pending.len()).min(rest.len());
                    self.pending.extend_from_slice(&rest[..take]);
                    used += take;
                    if self.pending.len() == STREAM_HEADER_LEN {
                        match parse_stream_header(&self.pending) {
                            Some(check_size) => {
                                self.check_size = check_size;
                                self.stream_header = std::mem::take(&mut self.pending);
                                self.state = State::BlockStart;
                                self.offset += used as u64;
                                return (used, Some(self.boundary()));
                            }
                            None => self.state = State::Untrackable,
                        }
                    }
                }
                State::BlockStart => {
                    if rest[0] == 0 {
                        // Stop right before the index, so the caller can tell.
                        self.state = State::Index;
                        break;
                    } else {
                        self.state = State::BlockHeader {
                            size: (usize::from(rest[0]) + 1) * 4,
                        };
                        self.pending.clear();
                    }
                }
                State::BlockHeader { size } => {
                    let take = (size - self.pending.len()).min(rest.len());
                    self.pending.extend_from_slice(&rest[..take]);
                    used += take;
                    if self.pending.len() == size {
                        self.state = match parse_block_sizes(&self.pending) {
                            Some((compressed, uncompressed)) => {
                                let unpadded = size as u64 + compressed + self.check_size;
                                self.records.push((unpadded, uncompressed));
                                self.uncompressed += uncompressed;
                                let padding = (4 - compressed % 4) % 4;
                                State::BlockBody {
                                    remaining: compressed + padding + self.check_size,
                                }
                            }
                            None => State::Untrackable,
                        };
                        if let State::BlockBody { remaining: 0 } = self.state {
                            self.state = State::BlockStart;
                            self.offset += used as u64;
                            return (used, Some(self.boundary()));
                        }
                    }
                }
                State::BlockBody { remaining } => {
                    let take = remaining.min(rest.len() as u64);
                    used += take as usize;
                    if take == remaining {
                        self.state = State::BlockStart;
                        self.offset += used as u64;
                        return (used, Some(self.boundary()));
                    }
                    self.state = State::BlockBody {
                        remaining: remaining - take,
                    };
                }
            }
        }
        self.offset += used as u64;
        (used, None)
    }

    fn boundary(&self) -> Boundary {
        Boundary {
            compressed: self.offset,
            uncompressed: self.uncompressed,
        }
    }

    /// An index and stream footer listing exactly the blocks walked in this run.
    pub fn rebuilt_index_and_footer(&self) -> Vec<u8> {
        let mut index = vec![0u8];
        put_varint(&mut index, self.records.len() as u64);
        for &(unpadded, uncompressed) in &self.records {
            put_varint(&mut index, unpadded);
            put_varint(&mut index, uncompressed);
        }
        while index.len() % 4 != 0 {
            index.push(0);
        }
        let crc = crc32fast::hash(&index);
        index.extend_from_slice(&crc.to_le_bytes());

        let backward_size = (index.len() as u32 / 4) - 1;
        let flags = &self.stream_header[6..8];
        let mut crc_input = backward_size.to_le_bytes().to_vec();
        crc_input.extend_from_slice(flags);
        let mut out = index;
        out.extend_from_slice(&crc32fast::hash(&crc_input).to_le_bytes());
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(b"YZ");
        out
    }
}

/// Checks an xz stream header and returns the size of each block's check field.
fn parse_stream_header(header: &[u8]) -> Option<u64> {
    if header.len() != STREAM_HEADER_LEN || header[..6] != HEADER_MAGIC || header[6] != 0 {
        return None;
    }
    let crc = u32::from_le_bytes(header[8..12].try_into().ok()?);
    if crc32fast::hash(&header[6..8]) != crc {
        return None;
    }
    let check_id = header[7] & 0x0f;
    Some(match check_id {
        0 => 0,
        1..=3 => 4,
        4..=6 => 8,
        7..=9 => 16,
        10..=12 => 32,
        _ => 64,
    })
}

/// The (compressed, uncompressed) sizes in a block header, when both are there.
fn parse_block_sizes(header: &[u8]) -> Option<(u64, u64)> {
    let flags = *header.get(1)?;
    if flags & 0x40 == 0 || flags & 0x80 == 0 {
        return None;
    }
    let body = header.get(..header.len().checked_sub(4)?)?;
    let crc = u32::from_le_bytes(header.get(header.len() - 4..)?.try_into().ok()?);
    if crc32fast::hash(body) != crc {
        return None;
    }
    let mut rest = body.get(2..)?;
    let compressed = take_varint(&mut rest)?;
    let uncompressed = take_varint(&mut rest)?;
    Some((compressed, uncompressed))
}

fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..9 {
        let byte = *bytes.get(i)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Some(value);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Compresses `data` into several xz blocks, like `xz -T --block-size`.
    fn multi_block_xz(data: &[u8], block_size: u64) -> Vec<u8> {
        let stream = liblzma::stream::MtStreamBuilder::new()
            .threads(2)
            .block_size(block_size)
            .preset(1)
            .check(liblzma::stream::Check::Crc64)
            .encoder()
            .unwrap();
        let mut encoder = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| ((i * 31) ^ (i >> 7)) as u8).collect()
    }

    fn boundaries(xz: &[u8], piece: usize) -> Vec<Boundary> {
        let mut walker = BlockWalker::new();
        let mut found = Vec::new();
        for chunk in xz.chunks(piece) {
            let mut rest = chunk;
            while !rest.is_empty() {
                let (used, boundary) = walker.walk(rest);
                found.extend(boundary);
                rest = &rest[used..];
            }
        }
        assert!(walker.in_index());
        found
    }

    #[test]
    fn finds_every_block_boundary_whatever_the_chunking() {
        let data = sample(300_000);
        let xz = multi_block_xz(&data, 64 * 1024);
        let whole = boundaries(&xz, xz.len());
        assert_eq!(whole.len(), 6, "{whole:?}"); // start + 5 blocks
        assert_eq!(whole[0].compressed, 12);
        assert_eq!(whole[1].uncompressed, 65536);
        assert_eq!(whole.last().unwrap().uncompressed, data.len() as u64);
        for piece in [1, 7, 4096] {
            assert_eq!(boundaries(&xz, piece), whole, "chunks of {piece}");
        }
    }

    #[test]
    fn a_stream_resumed_at_a_boundary_decodes_the_rest() {
        let data = sample(300_000);
        let xz = multi_block_xz(&data, 64 * 1024);
        let all = boundaries(&xz, 4096);
        for at in &all[..all.len() - 1] {
            let mut walker = BlockWalker::resumed(&xz[..12], *at).unwrap();
            let mut fed = xz[..12].to_vec();
            let mut rest = &xz[at.compressed as usize..];
            while !rest.is_empty() && !walker.in_index() {
                let (used, _) = walker.walk(rest);
                fed.extend_from_slice(&rest[..used]);
                rest = &rest[used..];
            }
            // The walker stopped right before the index, which is not fed.
            assert_eq!(rest[0], 0);
            fed.extend(walker.rebuilt_index_and_footer());
            let mut out = Vec::new();
            liblzma::read::XzDecoder::new(&fed[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, data[at.uncompressed as usize..], "resumed at {at:?}");
        }
    }

    #[test]
    fn single_threaded_xz_has_no_boundaries_after_the_header() {
        let data = sample(100_000);
        let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 1);
        encoder.write_all(&data).unwrap();
        let xz = encoder.finish().unwrap();
        let mut walker = BlockWalker::new();
        let mut found = Vec::new();
        let mut rest = &xz[..];
        while !rest.is_empty() {
            let (used, boundary) = walker.walk(rest);
            found.extend(boundary);
            rest = &rest[used..];
        }
        assert_eq!(found.len(), 1);
        assert!(!walker.in_index());
    }
}
