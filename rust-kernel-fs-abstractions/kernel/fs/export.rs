// SPDX-License-Identifier: GPL-2.0

//! File handles: how the inodes of a file system are found again from a handle
//! (`name_to_handle_at(2)`, `open_by_handle_at(2)`, the NFS server, overlayfs's index).
//!
//! C headers: [`include/linux/exportfs.h`](srctree/include/linux/exportfs.h)

use crate::bindings;

/// The export operations of a file system type (`super_block.s_export_op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// None: `name_to_handle_at(2)` fails with `EOPNOTSUPP` (but for `AT_HANDLE_FID`, whose
    /// handles only name an inode, by its number and generation), and the file system cannot be
    /// exported over NFS.
    None,

    /// As tmpfs's, for file systems whose inodes live in memory only
    /// (`simple_export_operations`): a handle holds the inode's number and its random
    /// generation, and finds the inode while it has a dentry: while it is linked, or open, or
    /// otherwise in use (a working directory, a mapping); then `ESTALE`. No code of the file
    /// system runs on these paths but [`FileSystem::evict_inode`] and the drop of the inode's
    /// data, when the reference that decoding a handle takes turns out to be the last (the
    /// inode's last dentry went meanwhile): then they run in the decoder's task, as tmpfs's
    /// eviction does. The superblock gets a random UUID, as tmpfs's.
    ///
    /// [`FileSystem::evict_inode`]: crate::fs::FileSystem::evict_inode
    ///
    /// Encoding a handle puts the inode in the inode hash, so the file system may not look
    /// inodes up by number there: [`SuperBlock::iget`] and [`SuperBlock::ilookup`] are build
    /// errors, and [`SuperBlock::setup_bdi`] fails with `EINVAL` (inodes that write back are
    /// kept out of the hash otherwise).
    ///
    /// [`SuperBlock::iget`]: crate::fs::sb::SuperBlock::iget
    /// [`SuperBlock::ilookup`]: crate::fs::sb::SuperBlock::ilookup
    /// [`SuperBlock::setup_bdi`]: crate::fs::sb::SuperBlock::setup_bdi
    InMemory,
}

impl Export {
    /// Whether the inodes are exported in memory.
    pub(crate) const fn in_memory(self) -> bool {
        matches!(self, Export::InMemory)
    }

    /// Returns the raw pointer to the C table, or null.
    pub(crate) fn as_raw(self) -> *const bindings::export_operations {
        match self {
            Export::None => core::ptr::null(),
            // An immutable static of the kernel.
            Export::InMemory => &raw const bindings::simple_export_operations,
        }
    }
}
