// SPDX-License-Identifier: GPL-2.0

//! The kernel's implementations of inode operations for file systems whose objects all live in
//! the dcache (`fs/libfs.c`), for use in implementations of [`inode::Operations`], and the
//! steps with which the abstractions carry out the namespace changes that such operations
//! decide (see [`inode::Operations`]).
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{code::*, to_result, Result},
    fs::{
        dentry::{Negative, Removal},
        inode::{
            self, Creation, GetAttr, IAttr, Kstat, Locked, MntIdmap, New, Rename, RenameFlags,
            SetAttr,
        },
        FileSystem,
    },
    types::ScopeGuard,
};
use core::ptr::NonNull;

/// Gives the inode of `old` the name `dentry` in `dir` too (`simple_link()`) if `decide`
/// allows it: adds a link to it, sets its change time and `dir`'s modification and change
/// times to now, and gives the name an offset if `dir` has an offset map
/// ([`file::Ops::offset_dir`](super::file::Ops::offset_dir)). The offset is reserved before
/// `decide` is asked, and given back if it refuses.
///
/// Fails with `EINVAL` unless `old` is a positive dentry of a non-directory of the same
/// superblock as `dir` and `dentry` a name in `dir`, and with `ENOMEM` or `ENOSPC` if no offset
/// can be given.
///
/// # Safety
///
/// `old` must be the source dentry that `vfs_link()` passes to `->link()` with `dir` and
/// `dentry`: the VFS holds a reference to it and its inode's `i_rwsem`.
pub(crate) unsafe fn link<'a, T: FileSystem + ?Sized>(
    old: *mut bindings::dentry,
    dir: &Locked<'a, T>,
    dentry: Negative<'a, T>,
    decide: impl FnOnce(&Negative<'a, T>) -> Result,
) -> Result {
    // SAFETY: `old` and `dir` are valid; a non-null inode of `old` is valid while the VFS
    // holds its reference to `old`.
    let ok = unsafe {
        let inode = (*old).d_inode;
        !inode.is_null()
            && (*inode).i_sb == (*dir.as_raw()).i_sb
            && u32::from((*inode).i_mode) & bindings::S_IFMT != bindings::S_IFDIR
    };
    if !ok {
        return Err(EINVAL);
    }
    dentry.check_parent(dir)?;
    let new = dentry.dentry().as_raw();
    // SAFETY: `dir` is an inode of `T`, locked for writing, and `new` a child of it.
    unsafe { inode::offsets::add(dir.as_raw(), new) }?;
    if let Err(e) = decide(&dentry) {
        // SAFETY: As above; the offset was added above and nothing else used it.
        unsafe { inode::offsets::remove(dir.as_raw(), new) };
        return Err(e);
    }
    // SAFETY: `old` is positive with its inode locked, `dir` is locked and `dentry` is a
    // negative name in it, which is consumed, so it is bound once.
    to_result(unsafe { bindings::simple_link(old, dir.as_raw(), new) })?;
    dir.inc_iversion();
    Ok(())
}

/// Removes the name `dentry` from `dir` (`simple_unlink()`): drops a link of its inode and
/// unpins the dentry, after taking its offset out of `dir`'s offset map.
pub(crate) fn unlink<T: FileSystem + ?Sized>(dir: &Locked<'_, T>, dentry: Removal<'_, T>) {
    let raw = dentry.dentry().as_raw();
    // SAFETY: `dir` is locked and `dentry` a positive name in it (type invariants of `Removal`,
    // which is consumed, so its pin is dropped once); the name's offset goes first.
    // `simple_unlink()` cannot fail.
    unsafe {
        inode::offsets::remove(dir.as_raw(), raw);
        bindings::simple_unlink(dir.as_raw(), raw);
    }
    dir.inc_iversion();
}

/// Removes the directory `dentry` from `dir` (`simple_rmdir()`) if it is empty, else fails
/// with `ENOTEMPTY`, and if `decide`, asked once it is known to be empty, allows it.
///
/// # Safety
///
/// `dentry` must be the directory that `vfs_rmdir()` passes to `->rmdir()` with `dir`: the VFS
/// holds its `i_rwsem` too.
pub(crate) unsafe fn rmdir<'a, T: FileSystem + ?Sized>(
    dir: &Locked<'a, T>,
    dentry: Removal<'a, T>,
    decide: impl FnOnce(&Removal<'a, T>) -> Result,
) -> Result {
    let raw = dentry.dentry().as_raw();
    // SAFETY: The dentry is valid; its children may be walked under its parent's lock.
    if unsafe { bindings::simple_empty(raw) } == 0 {
        return Err(ENOTEMPTY);
    }
    decide(&dentry)?;
    // SAFETY: As in `unlink`; the directory is empty and stays so, as `vfs_rmdir()` holds its
    // `i_rwsem` too (safety requirements), so `simple_rmdir()` cannot fail once the name's
    // offset is gone.
    unsafe {
        inode::offsets::remove(dir.as_raw(), raw);
        to_result(bindings::simple_rmdir(dir.as_raw(), raw))?;
    }
    dir.inc_iversion();
    Ok(())
}

/// Carries out `rename` (`simple_rename()`) with [`RenameFlag::NoReplace`] (checked by the
/// VFS), [`RenameFlag::Exchange`] and [`RenameFlag::Whiteout`], if `decide` allows it.
///
/// With `WHITEOUT`, `decide` returns the inode of the whiteout (of type [`Type::WHITEOUT`]),
/// which is bound to the source's name in its directory; the rename then takes the source away
/// from that name. In directories with an offset map
/// ([`file::Ops::offset_dir`](super::file::Ops::offset_dir)), the name moved takes the offset
/// of the name it replaces, or a new one (`ENOMEM` or `ENOSPC` if none can be given), the
/// target's offset is reserved before the whiteout takes one, and an exchange swaps the
/// offsets, as on tmpfs.
///
/// Fails, before `decide` is asked, with `EINVAL` for other flags and for `WHITEOUT` with
/// `EXCHANGE`, and with `ENOTEMPTY` to replace a non-empty directory; with `EXDEV` for a rename
/// between a directory with an offset map and one without (after asking, for an exchange);
/// after asking, with `EINVAL` if `decide` gave a whiteout that was not asked for, none that
/// was, or one of another type, and with `ENOMEM`; in each case with nothing changed.
///
/// [`RenameFlag::NoReplace`]: super::inode::RenameFlag::NoReplace
/// [`RenameFlag::Exchange`]: super::inode::RenameFlag::Exchange
/// [`RenameFlag::Whiteout`]: super::inode::RenameFlag::Whiteout
/// [`Type::WHITEOUT`]: super::inode::Type::WHITEOUT
///
/// # Safety
///
/// `rename` must hold the arguments that `vfs_rename()` passes to `->rename()`.
pub(crate) unsafe fn rename<'a, T, F>(idmap: &MntIdmap, rename: Rename<'a, T>, decide: F) -> Result
where
    T: FileSystem + ?Sized,
    F: FnOnce(&MntIdmap, &Rename<'a, T>) -> Result<Option<New<'a, T>>>,
{
    let flags = rename.flags;
    if flags & !RenameFlags::all_bits() != 0 {
        return Err(EINVAL);
    }
    let whiteout = flags & bindings::RENAME_WHITEOUT != 0;
    let (old_dir, old) = (rename.old_dir.as_raw(), rename.old.as_raw());
    let (new_dir, new) = (rename.new_dir.as_raw(), rename.new.as_raw());
    if flags & bindings::RENAME_EXCHANGE != 0 {
        // The system call refuses `RENAME_WHITEOUT` with `RENAME_EXCHANGE`, but `vfs_rename()`
        // does not: an exchange leaves no name free for a whiteout.
        if whiteout || decide(idmap, &rename)?.is_some() {
            return Err(EINVAL);
        }
        // SAFETY: The arguments are those `vfs_rename()` gave, with both directories locked;
        // for an exchange, both names are positive. `rename` is consumed, so this happens once.
        unsafe { inode::offsets::exchange(old_dir, old, new_dir, new) }?;
        rename.old_dir.inc_iversion();
        rename.new_dir.inc_iversion();
        return Ok(());
    }
    // The checks of `simple_rename()` that can fail come before anything is made or changed.
    // SAFETY: The target dentry is valid; its children may be walked under its parent's lock.
    if unsafe { bindings::simple_empty(new) } == 0 {
        return Err(ENOTEMPTY);
    }
    // The target's offset is reserved before the whiteout takes one, as on tmpfs. In one
    // directory, the whiteout's could fill the map (an offset about to wrap around) while the
    // target, still negative, is not in it, and the rename would then add the target to the
    // map when it can no longer fail: so the map is filled first.
    if whiteout && old_dir == new_dir {
        // SAFETY: The directory is locked for writing, and `old` is a child of it.
        unsafe { inode::offsets::fill_all(old_dir, (*old).d_parent) }?;
    }
    // SAFETY: The arguments are those `vfs_rename()` gave, with both directories locked.
    let had_offset = unsafe { inode::offsets::rename_prepare(old_dir, new_dir, new) }?;
    let undo = ScopeGuard::new(|| {
        // SAFETY: As above; `had_offset` is what `rename_prepare()` returned, and the rename
        // fails, so nothing uses the offset it reserved.
        unsafe { inode::offsets::rename_undo(new_dir, new, had_offset) };
    });
    match (decide(idmap, &rename)?, whiteout) {
        (None, false) => {}
        (Some(inode), true) => {
            // SAFETY: The source dentry is valid, and so are its parent and name, which cannot
            // change while its directory is locked; `d_alloc()` copies the name.
            let dentry = unsafe {
                bindings::d_alloc((*old).d_parent, &raw const (*old).__bindgen_anon_1.d_name)
            };
            let dentry = NonNull::new(dentry).ok_or(ENOMEM)?;
            // `d_alloc()` returned a new dentry with one reference, which is ours and is put
            // when the guard is dropped.
            let dentry = ScopeGuard::new_with_data(dentry, |d: NonNull<bindings::dentry>| {
                // SAFETY: The reference is ours (see above).
                unsafe { bindings::dput(d.as_ptr()) }
            });
            // SAFETY: The new dentry is negative, a child of the source's directory, which is
            // locked for writing while `rename` lives, and the guard holds a reference to it.
            let name = unsafe { Negative::<T>::from_raw(dentry.as_ptr()) };
            // The last step that can fail: on failure, nothing is bound.
            name.bind(&rename.old_dir, inode, Creation::Whiteout, idmap)?;
        }
        _ => return Err(EINVAL),
    }
    undo.dismiss();
    // SAFETY: As above; the offsets are reserved, and `simple_rename()` cannot fail any more: the
    // flags are known (`simple_rename()` refuses `WHITEOUT`, which is done above), and the target
    // is not a non-empty directory (`vfs_rename()` holds the target's `i_rwsem` too, so an empty
    // one stays empty).
    unsafe {
        inode::offsets::rename_commit(old_dir, old, new_dir, new);
        to_result(bindings::simple_rename(
            idmap.as_raw(),
            old_dir,
            old,
            new_dir,
            new,
            flags & !bindings::RENAME_WHITEOUT,
        ))?;
    }
    rename.old_dir.inc_iversion();
    rename.new_dir.inc_iversion();
    Ok(())
}

/// Changes the attributes of the inode of `target` (`simple_setattr()`), after checking that
/// the caller may, through the ID mapping of the mount the change comes through; a size change
/// truncates or extends the page cache (`truncate_setsize()`).
///
/// A file whose pages are charged ([`FileSystem::charge_pages`]) is charged for a larger size
/// first (`EFBIG` beyond the size limits, then `ENOSPC`), and gives back the pages beyond a
/// smaller one.
pub fn setattr<T: FileSystem + ?Sized>(target: &SetAttr<'_, T>, attr: &IAttr) -> Result {
    let idmap = target.idmap();
    let inode = target.inode().as_raw();
    // Only a file system that charges pages has a size change to charge, settle or restore;
    // for the others `simple_setattr()` checks the size as it does for a C file system.
    let size =
        (T::HAS_CHARGE_PAGES && attr.valid().contains(inode::Attr::Size)).then(|| attr.size());
    let old = match size {
        Some(size) => {
            // SAFETY: The inode is valid and locked (type invariants of `SetAttr`); it is of
            // `T`, so from its inode cache, and of a ready superblock.
            unsafe {
                to_result(bindings::inode_newsize_ok(inode, size))?;
                inode::pages::charge_to(inode, size)?
            }
        }
        None => 0,
    };
    // SAFETY: The dentry is that of `notify_change()`, whose inode is locked (type invariants
    // of `SetAttr`), and `attr` is valid.
    let ret = to_result(unsafe {
        bindings::simple_setattr(idmap.as_raw(), target.dentry().as_raw(), attr.as_raw())
    });
    if size.is_some() {
        // SAFETY: As above; on success `truncate_setsize()` left no folio beyond the size, on
        // failure nothing changed.
        unsafe {
            match ret {
                Ok(()) => inode::pages::settle(inode),
                Err(_) => inode::pages::restore(inode, old),
            }
        }
    }
    if ret.is_ok() {
        // As `shmem_setattr()`: a change of the attributes counts in `i_version`.
        target.inode().inc_iversion();
    }
    ret
}

/// Fills `stat` from the inode of `target`, with the owner seen through the ID mapping of its
/// mount (`generic_fillattr()`, what the VFS does for an inode without `getattr`).
#[inline]
pub fn fillattr<T: FileSystem + ?Sized>(target: &GetAttr<'_, T>, stat: &Kstat, request_mask: u32) {
    // SAFETY: All arguments are valid, as in `vfs_getattr_nosec()`: the inode is that of the
    // path being stat'ed, and the ID mapping is its mount's.
    unsafe {
        bindings::generic_fillattr(
            target.idmap().as_raw(),
            request_mask,
            target.inode().as_raw(),
            stat.as_raw(),
        )
    }
}

/// Fills `stat` from the inode of the path of `target`, with the owner seen through the ID
/// mapping of its mount and the blocks its page cache holds (`simple_getattr()`).
#[inline]
pub fn getattr<T: FileSystem + ?Sized>(
    target: &GetAttr<'_, T>,
    stat: &Kstat,
    request_mask: u32,
    flags: u32,
) -> Result {
    // SAFETY: All arguments are valid, as in `vfs_getattr_nosec()`: the path is being stat'ed,
    // so its dentry is positive, and the ID mapping is its mount's.
    to_result(unsafe {
        bindings::simple_getattr(
            target.idmap().as_raw(),
            target.path().as_raw(),
            stat.as_raw(),
            request_mask,
            flags,
        )
    })
}
