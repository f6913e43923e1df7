// SPDX-License-Identifier: GPL-2.0

//! The offset maps of directories made with [`file::Ops::offset_dir`] (`struct offset_ctx`):
//! each named child has an offset, kept in its dentry's `d_fsdata`, which `readdir` returns as
//! its position.

use super::INodeBox;
use crate::{
    alloc::{flags::GFP_KERNEL_ACCOUNT, KBox},
    bindings,
    error::{code::*, to_result, Result},
    types::Opaque,
};

/// The map of every directory of [`file::Ops::offset_dir`](crate::fs::file::Ops::offset_dir)
/// that no name was given an offset in yet: empty, and never changed, so that a directory needs
/// no map of its own, which would be its inode's only allocation more, until it has a name.
///
/// The kernel only reads it: `offset_readdir()` looks an offset up in it (`offset_dir_lookup()`)
/// and finds nothing; every function below that changes a map is given this one never. A
/// directory that had a name keeps its own map, empty or not, until it goes.
struct EmptyMap(Opaque<bindings::offset_ctx>);

// SAFETY: Nobody writes the map (see above): threads only read it, and an empty maple tree (root
// null) is read without its lock, which is never taken (lockdep may only ask whether it is held).
unsafe impl Sync for EmptyMap {}

static EMPTY: EmptyMap = EmptyMap(Opaque::zeroed());

/// The map of the directory `dir`, to change: made on the first call for a directory that was
/// given the shared empty map, its memory charged to the memory cgroup of the task, as the
/// inode's (and as tmpfs's map, which is in its inode). Fails with `ENOMEM`.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) with an offset
/// map (`map`, the shared empty one or its own), whose `i_rwsem` the caller holds for writing.
unsafe fn own(
    dir: *mut bindings::inode,
    map: *mut bindings::offset_ctx,
) -> Result<*mut bindings::offset_ctx> {
    if map != EMPTY.0.get() {
        return Ok(map);
    }
    let map = KBox::into_raw(KBox::new(
        Opaque::<bindings::offset_ctx>::uninit(),
        GFP_KERNEL_ACCOUNT,
    )?)
    .cast::<bindings::offset_ctx>();
    // INVARIANT: The map is initialised, then given to the box, which is the only one to refer
    // to it; the directory is locked for writing, and its map is read only under its lock.
    // SAFETY: `map` is valid for writes, and by the safety requirements the box is valid.
    unsafe {
        bindings::simple_offset_init(map);
        (*INodeBox::of(dir)).offsets = map;
    }
    Ok(map)
}

/// Gives the new directory `dir` the shared empty offset map.
///
/// # Safety
///
/// `dir` must be a new directory allocated by [`Cache::alloc`](super::Cache::alloc) that
/// nobody else uses yet, without an offset map.
pub(crate) unsafe fn init(dir: *mut bindings::inode) {
    // INVARIANT: The shared empty map is initialised (zeroed: an empty maple tree) and never
    // changed.
    // SAFETY: By the safety requirements the box is valid and ours.
    unsafe { (*INodeBox::of(dir)).offsets = EMPTY.0.get() };
}

/// Destroys the offset map of `dir`, if it has one of its own.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) that is
/// going away, in process context.
pub(crate) unsafe fn destroy(dir: *mut bindings::inode) {
    // SAFETY: By the safety requirements the box is valid, and nobody uses the map now.
    let Some(map) = (unsafe { INodeBox::offsets(dir) }) else {
        return;
    };
    // INVARIANT: The box no longer refers to a map.
    // SAFETY: As above.
    unsafe { (*INodeBox::of(dir)).offsets = core::ptr::null_mut() };
    if map != EMPTY.0.get() {
        // SAFETY: The map is the directory's own: initialised, in memory from `KBox` that only
        // the box referred to (type invariants of `INodeBox`), and nobody uses it now, nor will:
        // only the `readdir` of an open directory, which holds a reference to the inode, reads
        // it, and the abstractions change it only in operations on the directory, which hold
        // one too.
        unsafe {
            bindings::simple_offset_destroy(map);
            drop(KBox::from_raw(map.cast::<Opaque<bindings::offset_ctx>>()));
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
    let Some(map) = (unsafe { INodeBox::offsets(dir) }) else {
        return Ok(());
    };
    // SAFETY: By the safety requirements; `map` is the directory's.
    let map = unsafe { own(dir, map) }?;
    // SAFETY: The map is initialised and the directory's own, and the directory locked, as the
    // function asks.
    to_result(unsafe { bindings::simple_offset_add(map, dentry) })
}

/// Takes the offset of `dentry`, a name in `dir`, out of the map of `dir`, if it has one.
///
/// # Safety
///
/// As for [`add`].
pub(crate) unsafe fn remove(dir: *mut bindings::inode, dentry: *mut bindings::dentry) {
    // SAFETY: By the safety requirements.
    if let Some(map) = unsafe { INodeBox::offsets(dir) } {
        // The shared empty map has no name, and is never changed.
        if map != EMPTY.0.get() {
            // SAFETY: The map is initialised and the directory's own, and the directory locked.
            unsafe { bindings::simple_offset_remove(map, dentry) };
        }
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
