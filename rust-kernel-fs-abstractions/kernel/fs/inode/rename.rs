// SPDX-License-Identifier: GPL-2.0

//! The arguments of `rename`.

use super::*;

/// A rename in progress, for [`Operations::rename`]: the VFS holds both directories' `i_rwsem`
/// for writing.
pub struct Rename<'a, T: FileSystem + ?Sized> {
    pub(crate) old_dir: Locked<'a, T>,
    pub(crate) old: &'a dentry::DEntry<T>,
    pub(crate) new_dir: Locked<'a, T>,
    pub(crate) new: &'a dentry::DEntry<T>,
    /// The `RENAME_*` bits that `vfs_rename()` passed (the abstractions refuse others than
    /// those of [`RenameFlag`] before the file system is asked).
    pub(crate) flags: u32,
}

impl<'a, T: FileSystem + ?Sized> Rename<'a, T> {
    /// The directory of the source.
    pub fn source_dir(&self) -> &Locked<'a, T> {
        &self.old_dir
    }

    /// The source: the object to rename.
    pub fn source(&self) -> &'a dentry::DEntry<T> {
        self.old
    }

    /// The directory of the target.
    pub fn target_dir(&self) -> &Locked<'a, T> {
        &self.new_dir
    }

    /// The target: a negative dentry, or the object to replace or exchange.
    pub fn target(&self) -> &'a dentry::DEntry<T> {
        self.new
    }

    /// The `RENAME_*` flags.
    pub fn flags(&self) -> RenameFlags {
        RenameFlags(self.flags & RenameFlags::all_bits())
    }
}

crate::impl_flags!(
    /// The flags of a rename (`RENAME_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct RenameFlags(u32);

    /// A flag of a rename.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RenameFlag {
        /// Fail with `EEXIST` instead of replacing the target (`RENAME_NOREPLACE`).
        NoReplace = bindings::RENAME_NOREPLACE,

        /// Exchange the source and the target, which must both exist (`RENAME_EXCHANGE`).
        Exchange = bindings::RENAME_EXCHANGE,

        /// Leave a whiteout where the source was (`RENAME_WHITEOUT`).
        Whiteout = bindings::RENAME_WHITEOUT,
    }
);
