// SPDX-License-Identifier: GPL-2.0

//! The kernel's implementations of inode operations for file systems whose objects all live in
//! the dcache (`fs/libfs.c`), for use in implementations of
//! [`inode::Operations`].
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{code::*, from_err_ptr, to_result, Error, Result},
    fs::{
        dentry::{DEntry, Lookup, Negative, Removal},
        inode::{
            self, IAttr, INode, Kstat, Locked, MntIdmap, New, Path, Rename, RenameFlags, SetAttr,
            Type,
        },
        FileSystem,
    },
    sync::aref::ARef,
};
use core::ptr::NonNull;

/// Looks `dentry` up in `dir` as a name that does not exist (`simple_lookup()`): everything
/// that exists is in the dcache. Fails with `ENAMETOOLONG` for a name longer than `NAME_MAX`.
pub fn lookup<T: FileSystem + ?Sized>(dir: &INode<T>, dentry: Lookup<'_, T>, flags: u32) -> Result {
    let dentry = dentry.dentry().as_raw();
    // SAFETY: The directory is valid and the dentry is in lookup in it (type invariants of
    // `Lookup`, which is consumed, so this happens once).
    let ret = from_err_ptr(unsafe { bindings::simple_lookup(dir.as_raw(), dentry, flags) })?;
    // `simple_lookup()` returns NULL or an error; were it ever to return another dentry, put
    // the reference that comes with it.
    if !ret.is_null() {
        // SAFETY: A dentry returned by `->lookup()` carries a reference for the caller.
        unsafe { bindings::dput(ret) };
    }
    Ok(())
}

/// Gives the inode of `old` the name `dentry` too (`simple_link()`): adds a link to it, sets
/// its change time and `dir`'s modification and change times to now, and gives the name an
/// offset if `dir` has an offset map ([`file::Ops::offset_dir`](super::file::Ops::offset_dir)).
///
/// Fails with `EINVAL` unless `old` is a positive dentry of a non-directory of the same
/// superblock as `dir` and `dentry` a name in `dir`, and with `ENOMEM` or `ENOSPC` if no offset
/// can be given.
pub fn link<T: FileSystem + ?Sized>(
    old: &DEntry<T>,
    dir: &Locked<'_, T>,
    dentry: Negative<'_, T>,
) -> Result {
    let old = old.as_raw();
    // SAFETY: `old` and `dir` are valid; a non-null inode of `old` is valid while the caller
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
    // SAFETY: `old` is positive, `dir` is locked and `dentry` is a negative name in it, which
    // is consumed, so it is bound once.
    to_result(unsafe { bindings::simple_link(old, dir.as_raw(), new) })
}

/// Removes the name `dentry` from `dir` (`simple_unlink()`): drops a link of its inode and
/// unpins the dentry.
pub fn unlink<T: FileSystem + ?Sized>(dir: &Locked<'_, T>, dentry: Removal<'_, T>) -> Result {
    let raw = dentry.dentry().as_raw();
    // SAFETY: `dir` is locked and `dentry` a positive name in it (type invariants of `Removal`,
    // which is consumed, so its pin is dropped once); the name's offset goes first.
    unsafe {
        inode::offsets::remove(dir.as_raw(), raw);
        to_result(bindings::simple_unlink(dir.as_raw(), raw))
    }
}

/// Removes the directory `dentry` from `dir` if it is empty (`simple_rmdir()`), else fails
/// with `ENOTEMPTY`.
pub fn rmdir<T: FileSystem + ?Sized>(dir: &Locked<'_, T>, dentry: Removal<'_, T>) -> Result {
    let raw = dentry.dentry().as_raw();
    // SAFETY: The dentry is valid; its children may be walked under its parent's lock.
    if unsafe { bindings::simple_empty(raw) } == 0 {
        return Err(ENOTEMPTY);
    }
    // SAFETY: As in `unlink`; the directory is empty and stays so, as `vfs_rmdir()` holds its
    // `i_rwsem` too, so `simple_rmdir()` cannot fail once the name's offset is gone.
    unsafe {
        inode::offsets::remove(dir.as_raw(), raw);
        to_result(bindings::simple_rmdir(dir.as_raw(), raw))
    }
}

/// Carries out `rename` (`simple_rename()`), with [`RenameFlags::NOREPLACE`] (checked by the
/// VFS) and [`RenameFlags::EXCHANGE`]; fails with `EINVAL` for other flags and with
/// `ENOTEMPTY` to replace a non-empty directory.
///
/// In directories with an offset map ([`file::Ops::offset_dir`]), the name moved takes the
/// offset of the name it replaces, or a new one (`ENOMEM` or `ENOSPC` if none can be given),
/// and an exchange swaps the offsets, as on tmpfs. A rename between a directory with an
/// offset map and one without fails with `EXDEV`.
///
/// [`RenameFlags::NOREPLACE`]: super::inode::RenameFlags::NOREPLACE
/// [`RenameFlags::EXCHANGE`]: super::inode::RenameFlags::EXCHANGE
/// [`file::Ops::offset_dir`]: super::file::Ops::offset_dir
pub fn rename<T: FileSystem + ?Sized>(idmap: &MntIdmap, rename: Rename<'_, T>) -> Result {
    let flags = rename.flags.bits();
    if flags & !(RenameFlags::NOREPLACE | RenameFlags::EXCHANGE) != 0 {
        return Err(EINVAL);
    }
    let (old_dir, old) = (rename.old_dir.as_raw(), rename.old.as_raw());
    let (new_dir, new) = (rename.new_dir.as_raw(), rename.new.as_raw());
    if flags & RenameFlags::EXCHANGE != 0 {
        // SAFETY: The arguments are those `vfs_rename()` gave, with both directories locked;
        // for an exchange, both names are positive. `rename` is consumed, so this happens once.
        return unsafe { inode::offsets::exchange(old_dir, old, new_dir, new) };
    }
    // SAFETY: The target dentry is valid; its children may be walked under its parent's lock.
    if unsafe { bindings::simple_empty(new) } == 0 {
        return Err(ENOTEMPTY);
    }
    // SAFETY: As above.
    unsafe { inode::offsets::rename_prepare(old_dir, new_dir, new) }?;
    // SAFETY: As above; the offsets are reserved, and `simple_rename()` cannot fail any more:
    // the flags are known, and the target is not a non-empty directory (`vfs_rename()` holds
    // the target's `i_rwsem` too, so an empty one stays empty).
    unsafe {
        inode::offsets::rename_commit(old_dir, old, new_dir, new);
        to_result(bindings::simple_rename(
            idmap.as_raw(),
            old_dir,
            old,
            new_dir,
            new,
            flags,
        ))
    }
}

/// Carries out `rename` as [`rename`] does, and with [`RenameFlags::WHITEOUT`] too: then
/// `make_whiteout` is called first, with the source's directory, to make a new inode of type
/// [`Type::WHITEOUT`] (with no permission bits, e.g. as the directory's `mknod` makes inodes),
/// which is bound to the source's name in that directory; the rename then takes the source
/// away from that name, and cannot fail any more. If `make_whiteout` fails, or the whiteout
/// cannot be bound, so does the rename, with nothing changed.
///
/// Fails with `EINVAL` for flags other than [`RenameFlags::NOREPLACE`] (checked by the VFS),
/// [`RenameFlags::EXCHANGE`] and [`RenameFlags::WHITEOUT`], for `WHITEOUT` with `EXCHANGE`,
/// and for an inode of another type than [`Type::WHITEOUT`] from `make_whiteout`; with
/// `ENOTEMPTY` to replace a non-empty directory (before any whiteout is made) and with
/// `ENOMEM`.
///
/// [`RenameFlags::NOREPLACE`]: super::inode::RenameFlags::NOREPLACE
/// [`RenameFlags::EXCHANGE`]: super::inode::RenameFlags::EXCHANGE
/// [`RenameFlags::WHITEOUT`]: super::inode::RenameFlags::WHITEOUT
/// [`Type::WHITEOUT`]: super::inode::Type::WHITEOUT
pub fn rename_whiteout<T, F>(idmap: &MntIdmap, rename: Rename<'_, T>, make_whiteout: F) -> Result
where
    T: FileSystem + ?Sized,
    F: FnOnce(&Locked<'_, T>) -> Result<New<T>>,
{
    let flags = rename.flags.bits();
    if flags & !(RenameFlags::NOREPLACE | RenameFlags::EXCHANGE | RenameFlags::WHITEOUT) != 0 {
        return Err(EINVAL);
    }
    if flags & RenameFlags::WHITEOUT == 0 {
        return self::rename(idmap, rename);
    }
    // The system call refuses `RENAME_WHITEOUT` with `RENAME_EXCHANGE`, but `vfs_rename()`
    // does not: an exchange leaves no name free for a whiteout.
    if flags & RenameFlags::EXCHANGE != 0 {
        return Err(EINVAL);
    }
    // The checks of `simple_rename()` that can fail come before the whiteout is made, so that
    // a rename that fails leaves no whiteout behind.
    // SAFETY: The target dentry is valid; its children may be walked under its parent's lock.
    if unsafe { bindings::simple_empty(rename.new.as_raw()) } == 0 {
        return Err(ENOTEMPTY);
    }
    let (new_dir, new) = (rename.new_dir.as_raw(), rename.new.as_raw());
    let old_dir = rename.old_dir.as_raw();
    // The target's offset is reserved before the whiteout takes one, as on tmpfs.
    // SAFETY: The arguments are those `vfs_rename()` gave, with both directories locked.
    let had_offset = unsafe { inode::offsets::rename_prepare(old_dir, new_dir, new) }?;
    let undo = |e: Error| {
        // SAFETY: As above; `had_offset` is what `rename_prepare()` returned, and the rename
        // fails, so nothing uses the offset it reserved.
        unsafe { inode::offsets::rename_undo(new_dir, new, had_offset) };
        e
    };
    let inode = make_whiteout(&rename.old_dir).map_err(undo)?;
    if inode.typ() != Type::WHITEOUT {
        return Err(undo(EINVAL));
    }
    let old = rename.old.as_raw();
    // SAFETY: The source dentry is valid, and so are its parent and name, which cannot change
    // while its directory is locked; `d_alloc()` copies the name.
    let whiteout =
        unsafe { bindings::d_alloc((*old).d_parent, &raw const (*old).__bindgen_anon_1.d_name) };
    let whiteout = NonNull::new(whiteout).ok_or(ENOMEM).map_err(undo)?;
    // SAFETY: `d_alloc()` returned a new dentry with one reference, which is ours and is put
    // when `whiteout` is dropped.
    let whiteout: ARef<DEntry<T>> = unsafe { ARef::from_raw(whiteout.cast()) };
    // SAFETY: The new dentry is negative, a child of the source's directory, which is locked
    // for writing while `rename` lives, and `whiteout` holds a reference to it.
    let dentry = unsafe { Negative::from_raw(whiteout.as_raw()) };
    // The last step that can fail: on failure, nothing is bound.
    dentry.instantiate(&rename.old_dir, inode).map_err(undo)?;
    let rename = Rename {
        flags: RenameFlags(flags & !RenameFlags::WHITEOUT),
        ..rename
    };
    // Cannot fail: the flags are known, and the target is not a non-empty directory.
    self::rename(idmap, rename)
}

/// Changes the attributes of the inode of `target` (`simple_setattr()`), after checking that
/// the caller may; a size change truncates or extends the page cache (`truncate_setsize()`).
///
/// A file whose pages are charged ([`FileSystem::charge_pages`]) is charged for a larger size
/// first (`EFBIG` beyond the size limits, then `ENOSPC`), and gives back the pages beyond a
/// smaller one.
pub fn setattr<T: FileSystem + ?Sized>(
    idmap: &MntIdmap,
    target: &SetAttr<'_, T>,
    attr: &IAttr,
) -> Result {
    let inode = target.inode().as_raw();
    let size = (attr.valid() & IAttr::SIZE != 0).then(|| attr.size());
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
    ret
}

/// Fills `stat` from the inode of `path`, with the owner seen through `idmap` and the blocks
/// its page cache holds.
///
/// This is `simple_getattr()`, except that `simple_getattr()` reports the owner without the
/// idmap (it is meant for file systems that do not allow idmapped mounts).
pub fn getattr(
    idmap: &MntIdmap,
    path: &Path,
    stat: &Kstat,
    request_mask: u32,
    _flags: u32,
) -> Result {
    // SAFETY: `path` is valid and, being stat'ed, has a positive dentry, as in
    // `vfs_getattr_nosec()`.
    let inode = unsafe { (*(*path.as_raw()).dentry).d_inode };
    // SAFETY: All arguments are valid, as in `vfs_getattr_nosec()`.
    unsafe { bindings::generic_fillattr(idmap.as_raw(), request_mask, inode, stat.as_raw()) };
    // SAFETY: The inode is valid, and so is its mapping; `stat` is valid for writes.
    unsafe {
        (*stat.as_raw()).blocks =
            ((*(*inode).i_mapping).nrpages as u64) << (crate::page::PAGE_SHIFT - 9);
    }
    Ok(())
}
