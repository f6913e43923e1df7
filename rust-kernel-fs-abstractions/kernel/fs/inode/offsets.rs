// SPDX-License-Identifier: GPL-2.0

//! The offset maps of directories made with [`file::Ops::offset_dir`] (`struct offset_ctx`):
//! each named child has an offset, kept in its dentry's `d_fsdata`, which `readdir` returns as
//! its position.
//!
//! A name gets its offset when it is made, and the map that finds a name by its offset is filled
//! only when `readdir` first needs it, to start at a position other than the start or the end (a
//! second `getdents64(2)` call for a large directory, or after `lseek(2)`): until then, making,
//! removing and renaming names only set their offsets (`simple_offset_reserve()`), and a
//! directory read in one call from its start costs no map. The offsets, and so the positions and
//! the order `readdir` returns, are those `simple_offset_add()` gives, as on tmpfs.

use super::INodeBox;
use crate::{
    alloc::{flags::GFP_KERNEL_ACCOUNT, KBox},
    bindings,
    error::{code::*, to_result, Result},
    new_mutex,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        Mutex,
    },
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

/// The offset map of a directory, of its own (not [`EMPTY`]).
///
/// # Invariants
///
/// `ctx` is initialised (`simple_offset_init()`), and first, so that a pointer to it is one to
/// the `Map`. Until `filled`, which is never cleared, its maple tree holds no entry, and the
/// offsets of the directory's names come from `simple_offset_reserve()`; from then on it holds
/// the offset of each of them, as tmpfs's map does. `filled` is set with `fill` held and the
/// directory's `i_rwsem` held (shared is enough), and read under either.
#[repr(C)]
#[pin_data]
struct Map {
    #[pin]
    ctx: Opaque<bindings::offset_ctx>,
    filled: Atomic<bool>,
    #[pin]
    fill: Mutex<()>,
}

impl Map {
    /// The map of `ctx`, a directory's own.
    ///
    /// # Safety
    ///
    /// `ctx` must be the own map of a directory (not [`EMPTY`]), valid for `'a`.
    unsafe fn from_ctx<'a>(ctx: *mut bindings::offset_ctx) -> &'a Map {
        // SAFETY: By the safety requirements `ctx` is the first field of a valid `Map` (type
        // invariants).
        unsafe { &*ctx.cast::<Map>() }
    }

    /// The map to give the `simple_offset_*` functions that change it: `ctx` if it is filled,
    /// or null if its offsets are not in it.
    fn entered(&self) -> *mut bindings::offset_ctx {
        if self.filled.load(Relaxed) {
            self.ctx.get()
        } else {
            core::ptr::null_mut()
        }
    }

    /// Fills the map with the offsets of the names of `dir`, its directory, unless it is filled
    /// already. Fails with `ENOMEM`, leaving it as it was.
    ///
    /// # Safety
    ///
    /// The caller must hold the `i_rwsem` of `dir`, shared or exclusive.
    unsafe fn fill(&self, dir: *mut bindings::dentry) -> Result {
        if self.filled.load(Acquire) {
            return Ok(());
        }
        let _guard = self.fill.lock();
        if self.filled.load(Relaxed) {
            return Ok(());
        }
        // SAFETY: The map is initialised and holds no entry (type invariants: not filled), the
        // directory is locked, and `fill` keeps other fills away; names are only made, removed
        // and renamed under the directory's `i_rwsem` held for writing.
        to_result(unsafe { bindings::simple_offset_fill(self.ctx.get(), dir) })?;
        // INVARIANT: The map holds the offset of each name of the directory, and `fill` is held.
        self.filled.store(true, Release);
        Ok(())
    }
}

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
    let map = KBox::pin_init(
        pin_init!(Map {
            // SAFETY: `simple_offset_init()` initialises the map it is given.
            ctx <- Opaque::ffi_init(|ctx| unsafe { bindings::simple_offset_init(ctx) }),
            filled: Atomic::new(false),
            fill <- new_mutex!(()),
        }),
        GFP_KERNEL_ACCOUNT,
    )?;
    // SAFETY: The map is never moved out of its box: the box is only turned back into a `KBox`
    // to drop it (`destroy`).
    let map = unsafe { Pin::into_inner_unchecked(map) };
    let map = KBox::into_raw(map).cast::<bindings::offset_ctx>();
    // INVARIANT: The map is initialised and not filled, and holds no entry; it is given to the
    // box, which is the only one to refer to it; the directory is locked for writing, and its map
    // is read only under its lock.
    // SAFETY: By the safety requirements the box is valid.
    unsafe { (*INodeBox::of(dir)).offsets = map };
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
        // SAFETY: The map is the directory's own: initialised, in a `Map` in memory from `KBox`
        // that only the box referred to (type invariants of `INodeBox`), and nobody uses it now,
        // nor will: only the `readdir` of an open directory, which holds a reference to the
        // inode, reads or fills it, and the abstractions change it only in operations on the
        // directory (creations, removals and renames), which hold one too.
        unsafe {
            bindings::simple_offset_destroy(map);
            drop(KBox::from_raw(map.cast::<Map>()));
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
    let ctx = unsafe { own(dir, map) }?;
    // SAFETY: `ctx` is the directory's own map, which lives while the directory does.
    let map = unsafe { Map::from_ctx(ctx) };
    if !map.filled.load(Relaxed) {
        // SAFETY: The map is initialised and not filled, and the directory locked, as the
        // function asks.
        match to_result(unsafe { bindings::simple_offset_reserve(ctx, dentry) }) {
            // Offsets would wrap: only the filled map knows which are free.
            // SAFETY: The directory is locked, and `dentry` a child of it, so its parent is
            // the directory's dentry.
            Err(e) if e == ENOSPC => unsafe { map.fill((*dentry).d_parent) }?,
            ret => return ret,
        }
    }
    // SAFETY: The map is initialised, filled and the directory's own, and the directory locked,
    // as the function asks.
    to_result(unsafe { bindings::simple_offset_add(ctx, dentry) })
}

/// Fills the offset map of `dir`, an open directory about to be read from `pos`, if `readdir`
/// needs it to find that position (`simple_offset_readdir_needs_map()`). Fails with `ENOMEM`.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) with an offset
/// map, whose `i_rwsem` the caller holds (shared is enough), and `dentry` its dentry.
pub(crate) unsafe fn fill(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    pos: i64,
) -> Result {
    // SAFETY: The function only compares `pos` with constants.
    if !unsafe { bindings::simple_offset_readdir_needs_map(pos) } {
        return Ok(());
    }
    // SAFETY: By the safety requirements.
    unsafe { fill_all(dir, dentry) }
}

/// Fills the offset map of `dir`, if it has one of its own that is not filled. Fails with
/// `ENOMEM`.
///
/// # Safety
///
/// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc), whose
/// `i_rwsem` the caller holds (shared is enough), and `dentry` its dentry.
pub(crate) unsafe fn fill_all(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> Result {
    // SAFETY: By the safety requirements.
    match unsafe { INodeBox::offsets(dir) } {
        // SAFETY: The map is the directory's own, and the directory is locked.
        Some(ctx) if ctx != EMPTY.0.get() => unsafe { Map::from_ctx(ctx).fill(dentry) },
        // The shared map holds no name, and needs no filling.
        _ => Ok(()),
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
        // The shared empty map has no name, and is never changed.
        if map != EMPTY.0.get() {
            // SAFETY: The map is initialised and the directory's own, and the directory locked;
            // it is given if it is filled, as `simple_offset_remove()` asks.
            unsafe { bindings::simple_offset_remove(Map::from_ctx(map).entered(), dentry) };
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
    // has (`rename_prepare`), and `new` has an offset in `new_dir`'s if they do, which is the
    // directory's own (`add`). Both are locked for writing.
    unsafe {
        if let (Some(from), Some(to)) = (INodeBox::offsets(old_dir), INodeBox::offsets(new_dir)) {
            bindings::simple_offset_move(entered(from), old, entered(to), new);
        }
    }
}

/// The map `ctx` of a directory, to give the `simple_offset_*` functions that change it: null
/// if it is the shared empty one (which has no name) or not filled.
///
/// # Safety
///
/// `ctx` must be the valid offset map of a directory, whose `i_rwsem` the caller holds for
/// writing.
unsafe fn entered(ctx: *mut bindings::offset_ctx) -> *mut bindings::offset_ctx {
    if ctx == EMPTY.0.get() {
        return core::ptr::null_mut();
    }
    // SAFETY: By the safety requirements `ctx` is a directory's own map.
    unsafe { Map::from_ctx(ctx).entered() }
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
        // SAFETY: By the safety requirements; both names have an offset, so both directories
        // their own map, each given if it is filled, as `simple_offset_exchange()` asks.
        unsafe {
            let (Some(a), Some(b)) = (INodeBox::offsets(old_dir), INodeBox::offsets(new_dir))
            else {
                return Err(EINVAL);
            };
            to_result(bindings::simple_offset_exchange(
                entered(a),
                old,
                entered(b),
                new,
            ))?;
            bindings::simple_rename_exchange(old_dir, old, new_dir, new);
        }
        Ok(())
    } else {
        // SAFETY: By the safety requirements.
        to_result(unsafe { bindings::simple_rename_exchange(old_dir, old, new_dir, new) })
    }
}
