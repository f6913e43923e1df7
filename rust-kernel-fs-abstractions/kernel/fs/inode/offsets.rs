// SPDX-License-Identifier: GPL-2.0

//! The offset maps of directories made with [`file::Ops::offset_dir`] (`struct offset_ctx`):
//! each named child has an offset, kept in its dentry's `d_fsdata`, which `readdir` returns as
//! its position.

use super::INodeBox;
use crate::{
    bindings,
    error::{code::*, to_result, Result},
};

/// Gives the new directory `dir` an empty offset map.
///
/// # Safety
///
/// `dir` must be a new directory allocated by [`Cache::alloc`](super::Cache::alloc) that
/// nobody else uses yet.
pub(crate) unsafe fn init(dir: *mut bindings::inode) {
    // INVARIANT: The map is initialised, then marked so.
    // SAFETY: By the safety requirements the box is valid and ours.
    unsafe {
        let b = INodeBox::of(dir);
        bindings::simple_offset_init((*b).offsets.get());
        (*b).has_offsets = true;
    }
}

/// Destroys the offset map of `dir`, if it has one.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) that is
/// going away, in process context.
pub(crate) unsafe fn destroy(dir: *mut bindings::inode) {
    // SAFETY: By the safety requirements the box is valid, and nobody uses the map now.
    unsafe {
        if let Some(map) = INodeBox::offsets(dir) {
            bindings::simple_offset_destroy(map);
            // INVARIANT: The map is gone.
            (*INodeBox::of(dir)).has_offsets = false;
        }
    }
}

/// Gives `dentry`, a name being made in `dir`, an offset, if `dir` has an offset map.
/// Fails with `EBUSY` if it has one already, and with `ENOMEM` or `ENOSPC`.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) whose
/// `i_rwsem` the caller holds for writing, and `dentry` a valid child of it.
pub(crate) unsafe fn add(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> Result {
    // SAFETY: By the safety requirements.
    match unsafe { INodeBox::offsets(dir) } {
        // SAFETY: The map is initialised and the directory locked, as the function asks.
        Some(map) => to_result(unsafe { bindings::simple_offset_add(map, dentry) }),
        None => Ok(()),
    }
}

/// Takes the offset of `dentry`, a name in `dir`, out of the map of `dir`, if it has one.
///
/// # Safety
///
/// As for [`add`].
pub(crate) unsafe fn remove(dir: *mut bindings::inode, dentry: *mut bindings::dentry) {
    // SAFETY: By the safety requirements.
    if let Some(map) = unsafe { INodeBox::offsets(dir) } {
        // SAFETY: The map is initialised and the directory locked.
        unsafe { bindings::simple_offset_remove(map, dentry) };
    }
}

/// Fails with `EXDEV` unless both directories have an offset map, or neither has.
///
/// # Safety
///
/// `a` and `b` must be valid inodes allocated by [`Cache::alloc`](super::Cache::alloc).
unsafe fn same_kind(a: *mut bindings::inode, b: *mut bindings::inode) -> Result<bool> {
    // SAFETY: By the safety requirements.
    match unsafe {
        (
            INodeBox::offsets(a).is_some(),
            INodeBox::offsets(b).is_some(),
        )
    } {
        (x, y) if x == y => Ok(x),
        _ => Err(EXDEV),
    }
}

/// The first step of a rename of `old` in `old_dir` to `new` in `new_dir`, without
/// `RENAME_EXCHANGE`: reserves an offset for `new` in `new_dir` if it
/// has none. Returns whether it had one, for [`rename_undo`].
///
/// Fails with `EXDEV` if only one of the directories has an offset map.
///
/// # Safety
///
/// The arguments must be those of `vfs_rename()`, with both directories allocated by
/// [`Cache::alloc`](super::Cache::alloc) and locked.
pub(crate) unsafe fn rename_prepare(
    old_dir: *mut bindings::inode,
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
) -> Result<bool> {
    // SAFETY: By the safety requirements.
    if !unsafe { same_kind(old_dir, new_dir) }? {
        return Ok(false);
    }
    // SAFETY: By the safety requirements.
    match unsafe { add(new_dir, new) } {
        Ok(()) => Ok(false),
        Err(e) if e == EBUSY => Ok(true),
        Err(e) => Err(e),
    }
}

/// Undoes [`rename_prepare`] for a rename that fails after it.
///
/// # Safety
///
/// As for [`rename_prepare`], with `had_offset` what it returned.
pub(crate) unsafe fn rename_undo(
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
    had_offset: bool,
) {
    if !had_offset {
        // SAFETY: By the safety requirements.
        unsafe { remove(new_dir, new) };
    }
}

/// Gives `old` the offset reserved for `new` (`simple_offset_rename()`), when the rename
/// can no longer fail.
///
/// # Safety
///
/// As for [`rename_prepare`], which succeeded.
pub(crate) unsafe fn rename_commit(
    old_dir: *mut bindings::inode,
    old: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
) {
    // SAFETY: By the safety requirements both directories have an offset map or neither
    // has (`rename_prepare`), and `new` has an offset in `new_dir`'s if they do.
    unsafe {
        if INodeBox::offsets(old_dir).is_some() {
            bindings::simple_offset_rename(old_dir, old, new_dir, new);
        }
    }
}

/// Exchanges `old` and `new` (`RENAME_EXCHANGE`), offsets included
/// (`simple_offset_rename_exchange()`), or as `simple_rename_exchange()` without offset
/// maps. Fails with `EXDEV` if only one of the directories has an offset map.
///
/// # Safety
///
/// As for [`rename_prepare`], with `new` positive.
pub(crate) unsafe fn exchange(
    old_dir: *mut bindings::inode,
    old: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
) -> Result {
    // SAFETY: By the safety requirements.
    if unsafe { same_kind(old_dir, new_dir) }? {
        // SAFETY: By the safety requirements; both names have an offset in their map.
        to_result(unsafe { bindings::simple_offset_rename_exchange(old_dir, old, new_dir, new) })
    } else {
        // SAFETY: By the safety requirements.
        to_result(unsafe { bindings::simple_rename_exchange(old_dir, old, new_dir, new) })
    }
}
