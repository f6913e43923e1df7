// SPDX-License-Identifier: GPL-2.0

//! The kernel's implementations of inode operations for file systems whose objects all live in
//! the dcache (`fs/libfs.c`), for use in implementations of
//! [`inode::Operations`](super::inode::Operations).
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{from_err_ptr, to_result, Result},
    fs::{
        dentry::{DEntry, Negative},
        inode::{IAttr, INode, Kstat, Locked, MntIdmap, Path, RenameFlags},
        FileSystem,
    },
    sync::aref::ARef,
};
use core::ptr::NonNull;

/// Looks `dentry` up in `dir` as a name that does not exist (`simple_lookup()`): everything
/// that exists is in the dcache. Fails with `ENAMETOOLONG` for a name longer than `NAME_MAX`.
pub fn lookup<T: FileSystem + ?Sized>(
    dir: &INode<T>,
    dentry: &DEntry<T>,
    flags: u32,
) -> Result<Option<ARef<DEntry<T>>>> {
    // SAFETY: The directory and the dentry are valid; the VFS called `lookup` with its lock.
    let ptr = unsafe { bindings::simple_lookup(dir.as_raw(), dentry.as_raw(), flags) };
    let ptr = from_err_ptr(ptr)?;
    // SAFETY: A non-null result is a dentry of the same file system with a new reference.
    Ok(NonNull::new(ptr).map(|p| unsafe { ARef::from_raw(p.cast::<DEntry<T>>()) }))
}

/// Gives the inode of `old` the name `dentry` too (`simple_link()`): adds a link to it, sets
/// its change time and `dir`'s modification and change times to now.
pub fn link<T: FileSystem + ?Sized>(
    old: &DEntry<T>,
    dir: &Locked<'_, T>,
    dentry: Negative<'_, T>,
) -> Result {
    // SAFETY: The dentries are valid and `dir` is locked, as `simple_link` needs.
    to_result(unsafe {
        bindings::simple_link(old.as_raw(), dir.as_raw(), dentry.dentry().as_raw())
    })
}

/// Removes the name `dentry` from `dir` (`simple_unlink()`): drops a link of its inode and
/// unpins the dentry.
pub fn unlink<T: FileSystem + ?Sized>(dir: &Locked<'_, T>, dentry: &DEntry<T>) -> Result {
    // SAFETY: The dentry is valid and `dir` locked, as `simple_unlink` needs.
    to_result(unsafe { bindings::simple_unlink(dir.as_raw(), dentry.as_raw()) })
}

/// Removes the directory `dentry` from `dir` if it is empty (`simple_rmdir()`), else fails
/// with `ENOTEMPTY`.
pub fn rmdir<T: FileSystem + ?Sized>(dir: &Locked<'_, T>, dentry: &DEntry<T>) -> Result {
    // SAFETY: The dentry is valid and `dir` locked, as `simple_rmdir` needs.
    to_result(unsafe { bindings::simple_rmdir(dir.as_raw(), dentry.as_raw()) })
}

/// Renames `old` in `old_dir` to `new` in `new_dir` (`simple_rename()`), with
/// [`RenameFlags::NOREPLACE`] (checked by the VFS) and [`RenameFlags::EXCHANGE`]; fails with
/// `EINVAL` for other flags and with `ENOTEMPTY` to replace a non-empty directory.
pub fn rename<T: FileSystem + ?Sized>(
    idmap: &MntIdmap,
    old_dir: &Locked<'_, T>,
    old: &DEntry<T>,
    new_dir: &Locked<'_, T>,
    new: &DEntry<T>,
    flags: RenameFlags,
) -> Result {
    // SAFETY: All arguments are valid and the directories are locked, as in `vfs_rename()`.
    to_result(unsafe {
        bindings::simple_rename(
            idmap.as_raw(),
            old_dir.as_raw(),
            old.as_raw(),
            new_dir.as_raw(),
            new.as_raw(),
            flags.bits(),
        )
    })
}

/// Changes the attributes of the inode of `dentry` (`simple_setattr()`), after checking that
/// the caller may; a size change truncates or extends the page cache (`truncate_setsize()`).
pub fn setattr<T: FileSystem + ?Sized>(
    idmap: &MntIdmap,
    dentry: &DEntry<T>,
    _inode: &Locked<'_, T>,
    attr: &IAttr,
) -> Result {
    // SAFETY: All arguments are valid and the inode is locked, as in `notify_change()`.
    to_result(unsafe { bindings::simple_setattr(idmap.as_raw(), dentry.as_raw(), attr.as_raw()) })
}

/// Fills `stat` from the inode of `path`, with the blocks its page cache holds
/// (`simple_getattr()`).
pub fn getattr(
    idmap: &MntIdmap,
    path: &Path,
    stat: &Kstat,
    request_mask: u32,
    flags: u32,
) -> Result {
    // SAFETY: All arguments are valid, as in `vfs_getattr_nosec()`.
    to_result(unsafe {
        bindings::simple_getattr(
            idmap.as_raw(),
            path.as_raw(),
            stat.as_raw(),
            request_mask,
            flags,
        )
    })
}
