//! Where there is no `mmap` (not unix): plain files are read like any other input. The
//! types stand in for those of `mapped.rs` and have no values.

use std::io;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use super::Block;

pub enum MappedRange {}

impl MappedRange {
    pub fn bytes(&self) -> &[u8] {
        match *self {}
    }

    pub fn shrank(&self) -> bool {
        match *self {}
    }

    pub fn shrunk(&self) -> Option<(usize, io::Error)> {
        match *self {}
    }

    pub fn shorten(&mut self, _: usize) {
        match *self {}
    }
}

pub enum MappedBlocks {}

impl MappedBlocks {
    pub fn with_block_size(self, _: usize) -> MappedBlocks {
        self
    }

    pub fn next_block(&mut self) -> Option<Block> {
        match *self {}
    }
}

/// Never mapped here: the caller reads the file.
pub fn map_at(
    _: &std::path::Path,
    _: u64,
    _: bool,
    _: &Arc<AtomicU64>,
    _: &Arc<AtomicU64>,
) -> Option<MappedBlocks> {
    None
}
