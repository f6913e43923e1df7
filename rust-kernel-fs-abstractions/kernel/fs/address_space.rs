// SPDX-License-Identifier: GPL-2.0

//! Address spaces: the page cache of an inode.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/pagemap.h`](srctree/include/linux/pagemap.h)

use crate::bindings;

/// A table of address-space operations (`struct address_space_operations`), chosen per inode.
///
/// They tell the page cache how to fill a folio that is not cached yet and what to do with a
/// folio that is written to.
#[derive(Clone, Copy)]
pub struct Ops(&'static bindings::address_space_operations);

impl Ops {
    /// The operations of a file whose data only ever lives in the page cache (`ram_aops`).
    ///
    /// A folio that is not cached yet reads as zeroes, writes go through `simple_write_begin()`
    /// and `simple_write_end()`, and a dirty folio is never written back: there is nowhere to
    /// write it to. Combine with [`Mapping::Unevictable`], or the data may be reclaimed.
    pub fn in_memory() -> Self {
        // SAFETY: `ram_aops` is an immutable static of the kernel.
        Self(unsafe { &bindings::ram_aops })
    }

    /// Returns the raw pointer to the C `struct address_space_operations`.
    pub fn as_raw(self) -> *const bindings::address_space_operations {
        self.0
    }
}

/// How the page cache of a new inode treats its folios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// Folios may be reclaimed under memory pressure once they are clean (the default).
    Evictable,
    /// Folios stay in memory until the file is truncated or removed (`mapping_set_unevictable()`),
    /// and may come from high memory (`GFP_HIGHUSER`), like ramfs's. For file systems that keep
    /// their data only in the page cache.
    Unevictable,
}
