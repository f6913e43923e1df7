// SPDX-License-Identifier: GPL-2.0

//! The C table of inode operations made from an [`Operations`] implementation, and its
//! trampolines, which carry out the namespace changes the implementation decides.

use super::*;
use crate::fs::{acl, libfs, xattr};

/// The C table of inode operations of an implementation `U` of [`Operations`], and its
/// callbacks.
pub(super) struct Table<U: Operations + ?Sized>(PhantomData<fn() -> U>);

pub(super) type Fs<U> = <U as Operations>::FileSystem;

/// Chooses the callback of a namespace operation: `U`'s, asked before the abstractions carry
/// the change out, or the abstractions' alone if `U::LIBFS` takes it from libfs, or none.
macro_rules! choose {
    ($has:ident, $flag:ident, $asking:ident, $libfs:ident) => {
        if U::$has {
            Some(Self::$asking)
        } else if U::LIBFS.contains(Libfs::$flag) {
            Some(Self::$libfs)
        } else {
            None
        }
    };
}

impl<U: Operations + ?Sized> Table<U> {
    pub(super) const TABLE: bindings::inode_operations = {
        build_assert!(
            U::LIBFS.implemented_by::<U>().is_empty(),
            "an inode operation is both implemented and taken from libfs (Operations::LIBFS)"
        );
        build_assert!(
            !U::LIBFS.contains(Libfs::GET_LINK.with(Libfs::CACHED_LINK)),
            "a symbolic link's target is either in the page cache or kept with the inode"
        );
        Self::OPS
    };

    /// Whether the table is a symbolic link's: it has `get_link`.
    const LINK: bool = U::HAS_GET_LINK
        || U::LIBFS.contains(Libfs::GET_LINK)
        || U::LIBFS.contains(Libfs::CACHED_LINK);

    /// Whether the inodes of the table keep POSIX ACLs.
    const ACLS: bool = <Fs<U> as FileSystem>::ACLS.in_memory() && !Self::LINK;

    const OPS: bindings::inode_operations = bindings::inode_operations {
        lookup: choose!(HAS_LOOKUP, LOOKUP, lookup, lookup_libfs),
        create: if U::HAS_CREATE {
            Some(Self::create)
        } else {
            None
        },
        mknod: if U::HAS_MKNOD {
            Some(Self::mknod)
        } else {
            None
        },
        mkdir: if U::HAS_MKDIR {
            Some(Self::mkdir)
        } else {
            None
        },
        symlink: if U::HAS_SYMLINK {
            Some(Self::symlink)
        } else {
            None
        },
        link: choose!(HAS_LINK, LINK, link, link_libfs),
        unlink: choose!(HAS_UNLINK, UNLINK, unlink, unlink_libfs),
        rmdir: choose!(HAS_RMDIR, RMDIR, rmdir, rmdir_libfs),
        rename: choose!(HAS_RENAME, RENAME, rename, rename_libfs),
        tmpfile: if U::HAS_TMPFILE {
            Some(Self::tmpfile)
        } else {
            None
        },
        setattr: if U::HAS_SETATTR {
            Some(Self::setattr)
        } else if Self::ACLS {
            Some(Self::setattr_acl)
        } else if U::LIBFS.contains(Libfs::SETATTR) {
            Some(bindings::simple_setattr)
        } else {
            None
        },
        getattr: if U::HAS_GETATTR {
            Some(Self::getattr)
        } else if U::LIBFS.contains(Libfs::GETATTR) {
            Some(bindings::simple_getattr)
        } else {
            None
        },
        listxattr: if U::LIBFS.contains(Libfs::LISTXATTR) {
            Some(xattr::listxattr)
        } else {
            None
        },
        get_link: if U::HAS_GET_LINK {
            Some(Self::get_link)
        } else if U::LIBFS.contains(Libfs::GET_LINK) {
            Some(bindings::page_get_link)
        } else if U::LIBFS.contains(Libfs::CACHED_LINK) {
            Some(bindings::simple_get_link)
        } else {
            None
        },
        fileattr_get: if U::HAS_FILEATTR_GET {
            Some(Self::fileattr_get)
        } else {
            None
        },
        fileattr_set: if U::HAS_FILEATTR_SET {
            Some(Self::fileattr_set)
        } else {
            None
        },
        set_acl: acl::set_acl(<Fs<U> as FileSystem>::ACLS, Self::LINK),
        get_offset_ctx: Some(get_offset_ctx),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS with a symbolic link of `Fs<U>` (the inode's table is this one, which
    /// `new_inode_with` gives only to a [`Type::Lnk`]), and null in an RCU path walk, else the
    /// link's dentry, which it holds a reference to while it uses the target returned.
    unsafe extern "C" fn get_link(
        dentry: *mut bindings::dentry,
        inode: *mut bindings::inode,
        done: *mut bindings::delayed_call,
    ) -> *const c_char {
        if dentry.is_null() {
            return ECHILD.to_ptr();
        }
        // SAFETY: The VFS holds a reference to the dentry for the duration of the call.
        let dentry = unsafe { dentry::DEntry::<Fs<U>>::from_raw(dentry) };
        // SAFETY: The inode is valid, a link of `Fs<U>`, and stays referenced (with its data)
        // while the VFS uses the target, through its dentry: so does what `U::get_link` returns,
        // borrowed from it.
        let inode = unsafe { INode::<Fs<U>>::from_raw(inode) };
        match U::get_link(dentry, inode) {
            Ok(LinkTarget::Borrowed(target)) => target.as_char_ptr(),
            Ok(LinkTarget::Owned(target)) => {
                let target = target.into_kmalloc_ptr();
                // As `set_delayed_call()`: the VFS calls `kfree_link()` on the buffer, allocated
                // with `kmalloc()`, once it is done with the target (`do_delayed_call()`), once.
                // SAFETY: `done` is the VFS's delayed call for this target, empty until now.
                unsafe {
                    (*done).fn_ = Some(bindings::kfree_link);
                    (*done).arg = target.cast();
                }
                target
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` is held and a negative
    /// dentry in it.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: The VFS passes a valid directory of this file system.
        let dir = unsafe { INode::<Fs<U>>::from_raw(dir) };
        // SAFETY: The VFS holds a reference to the dentry, which is being looked up, for the
        // duration of the call.
        let name = unsafe { dentry::Lookup::from_raw(dentry) };
        match U::lookup(dir, &name, flags) {
            // SAFETY: As above.
            Ok(()) => unsafe { Self::lookup_libfs(dir.as_raw(), dentry, flags) },
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::lookup`].
    unsafe extern "C" fn lookup_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: As the function's safety section says, as `simple_lookup()` needs.
        unsafe { bindings::simple_lookup(dir, dentry, flags) }
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `idmap`, a directory of `Fs<U>` whose `i_rwsem` it holds
    /// for writing and a negative dentry in it, which it holds a reference to.
    unsafe extern "C" fn create(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        from_result(|| {
            let inode = U::create(idmap, &dir, &dentry, mode)?;
            dentry.bind(&dir, inode, Creation::Reg(mode), idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`].
    unsafe extern "C" fn mknod(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
        dev: bindings::dev_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        from_result(|| {
            let inode = U::mknod(idmap, &dir, &dentry, mode, dev)?;
            dentry.bind(&dir, inode, Creation::Node(mode, dev), idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`].
    unsafe extern "C" fn mkdir(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> *mut bindings::dentry {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        let ret = U::mkdir(idmap, &dir, &dentry, mode)
            .and_then(|inode| dentry.bind(&dir, inode, Creation::Dir(mode), idmap));
        match ret {
            Ok(()) => ptr::null_mut(),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::create`], with `target` a valid NUL-terminated string.
    unsafe extern "C" fn symlink(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        target: *const c_char,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        // SAFETY: `target` is a valid string for the duration of the call.
        let target = unsafe { CStr::from_char_ptr(target) };
        from_result(|| {
            let inode = U::symlink(idmap, &dir, &dentry, target)?;
            dentry.bind(&dir, inode, Creation::Lnk, idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`], with `old` a dentry of the same file system, positive with a
    /// non-directory inode whose `i_rwsem` the VFS holds for writing (`vfs_link()`).
    unsafe extern "C" fn link(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (_, dir, dentry) = unsafe { Self::creation_args(ptr::null_mut(), dir, dentry) };
        // SAFETY: The VFS holds a reference to `old` for the duration of the call.
        let source = unsafe { dentry::DEntry::from_raw(old) };
        from_result(|| {
            // SAFETY: See the function's safety section.
            unsafe { libfs::link(old, &dir, dentry, |d| U::link(source, &dir, d)) }?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::link`].
    unsafe extern "C" fn link_libfs(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (_, dir, dentry) = unsafe { Self::creation_args(ptr::null_mut(), dir, dentry) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { libfs::link(old, &dir, dentry, |_| Ok(())) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` it holds for writing and
    /// a positive dentry of a non-directory in it, which it holds a reference to, and whose
    /// inode's `i_rwsem` it holds too (`vfs_unlink()`).
    unsafe extern "C" fn unlink(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        from_result(|| {
            U::unlink(&dir, &dentry)?;
            libfs::unlink(&dir, dentry);
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::unlink`].
    unsafe extern "C" fn unlink_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        libfs::unlink(&dir, dentry);
        0
    }

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` it holds for writing and
    /// a positive dentry of a directory in it that is not a mount point, which it holds a
    /// reference to, and whose inode's `i_rwsem` it holds too (`vfs_rmdir()`).
    unsafe extern "C" fn rmdir(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        from_result(|| {
            // SAFETY: See the function's safety section.
            unsafe { libfs::rmdir(&dir, dentry, |d| U::rmdir(&dir, d)) }.map(|()| 0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::rmdir`].
    unsafe extern "C" fn rmdir_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { libfs::rmdir(&dir, dentry, |_| Ok(())) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS (`vfs_rename()`) with a valid `idmap`, both directories of `Fs<U>`
    /// locked for writing, and references to both dentries.
    unsafe extern "C" fn rename(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, rename) =
            unsafe { Self::rename_args(idmap, old_dir, old, new_dir, new, flags) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { libfs::rename(idmap, rename, U::rename) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// As for [`Self::rename`].
    unsafe extern "C" fn rename_libfs(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, rename) =
            unsafe { Self::rename_args(idmap, old_dir, old, new_dir, new, flags) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { libfs::rename(idmap, rename, |_, _| Ok(None)) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by `vfs_tmpfile()` with a valid `idmap`, a directory of `Fs<U>` and a file with a
    /// negative dentry that is not yet open.
    unsafe extern "C" fn tmpfile(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        file: *mut bindings::file,
        mode: bindings::umode_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let dir = unsafe { INode::<Fs<U>>::from_raw(dir) };
        from_result(|| {
            let inode = U::tmpfile(idmap, dir, mode)?;
            // SAFETY: See the function's safety section.
            unsafe { bind_tmpfile(file, dir, inode, mode, idmap) }?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by `vfs_fileattr_get()` with a positive dentry of `Fs<U>` that it holds, and a
    /// valid `fa` only used by this call.
    unsafe extern "C" fn fileattr_get(
        dentry: *mut bindings::dentry,
        fa: *mut bindings::file_kattr,
    ) -> c_int {
        // SAFETY: See the function's safety section: the inode of the dentry is one of `Fs<U>`,
        // with this table.
        let inode = unsafe { INode::<Fs<U>>::from_raw((*dentry).d_inode) };
        match U::fileattr_get(inode) {
            Ok(flags) => {
                let mask = bindings::FS_IMMUTABLE_FL | bindings::FS_APPEND_FL;
                // SAFETY: The inode is valid.
                let enforced = unsafe { fileattr::enforced_flags(inode.as_raw()) };
                let flags = (flags & !mask) | enforced;
                // SAFETY: See the function's safety section.
                unsafe { bindings::fileattr_fill_flags(fa, flags) };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by `vfs_fileattr_set()` with a valid `idmap`, a positive dentry of `Fs<U>` whose
    /// inode's `i_rwsem` it holds for writing, and a valid, initialised `fa` only used by this
    /// call.
    unsafe extern "C" fn fileattr_set(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        fa: *mut bindings::file_kattr,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: The dentry is positive and its inode, one of `Fs<U>`, is locked (see above).
        let inode = unsafe { Locked::<Fs<U>>::from_raw((*dentry).d_inode) };
        // SAFETY: See the function's safety section.
        let attr = unsafe { FileAttr::from_raw(fa) };
        match U::fileattr_set(idmap, &inode, attr) {
            Ok(flags) => {
                // As `shmem_fileattr_set()`.
                // SAFETY: The inode is valid and locked.
                unsafe {
                    bindings::inode_set_flags(inode.as_raw(), flags.into(), fileattr::INODE_FLAGS);
                    bindings::inode_set_ctime_current(inode.as_raw());
                }
                inode.inc_iversion();
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by `notify_change()` with a valid `idmap` and `attr`, and a dentry of `Fs<U>`
    /// whose inode's `i_rwsem` it holds for writing.
    unsafe extern "C" fn setattr(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::DEntry::<Fs<U>>::from_raw(dentry) };
        // SAFETY: The dentry is positive and its inode is locked (see above).
        let inode = unsafe { Locked::<Fs<U>>::from_raw((*dentry.as_raw()).d_inode) };
        // A write or truncation that finds a file capability to strip (`file_remove_privs()`,
        // `do_truncate()`) asks for `ATTR_KILL_PRIV`, and takes success for the capability gone
        // (with `SB_NOSEC`, it marks the file `S_NOSEC` too). So it goes here, whatever the file
        // system's `setattr` does: as `setattr_prepare()` does for such a forced request.
        let kill = bindings::ATTR_KILL_PRIV | bindings::ATTR_FORCE;
        // SAFETY: `attr` is valid (see the function's safety section) and only ours for the call.
        if unsafe { (*attr).ia_valid } & kill == kill {
            // SAFETY: As above; the dentry and `idmap` are valid. With `ATTR_FORCE`, it only
            // checks the size, if it changes, and strips the capability.
            let ret = unsafe { bindings::setattr_prepare(idmap.as_raw(), dentry.as_raw(), attr) };
            if ret != 0 {
                return ret;
            }
            // SAFETY: As above.
            unsafe { (*attr).ia_valid &= !bindings::ATTR_KILL_PRIV };
        }
        // SAFETY: As above.
        let (valid, new_mode) = unsafe { ((*attr).ia_valid, (*attr).ia_mode) };
        let mode = valid & bindings::ATTR_MODE != 0;
        // SAFETY: See the function's safety section; `setattr` does not change `attr`.
        let attr = unsafe { IAttr::from_raw(attr) };
        let before = target_mode(&inode);
        let target = SetAttr {
            idmap,
            dentry,
            inode,
        };
        let ret = U::setattr(idmap, &target, attr);
        if valid & (bindings::ATTR_KILL_SUID | bindings::ATTR_KILL_SGID) != 0 {
            strip_set_id(&target.inode, valid, new_mode, ret.is_ok());
        }
        // The access ACL's mask follows the mode, as `shmem_setattr()` has it follow: after a
        // change of mode that succeeded, whatever `U::setattr` did with it, and after one that
        // failed once the mode had changed.
        if Self::ACLS && mode && (ret.is_ok() || target_mode(&target.inode) != before) {
            // SAFETY: The dentry is positive and its inode locked for writing (see above).
            let chmod = unsafe { acl::chmod(idmap.as_raw(), target.dentry.as_raw()) };
            return from_result(|| ret.and(chmod).map(|()| 0));
        }
        from_result(|| ret.map(|()| 0))
    }

    /// The `setattr` of a table without a Rust one, on a file system with ACLs:
    /// `simple_setattr()`, and the access ACL's mask updated to the new mode.
    ///
    /// # Safety
    ///
    /// Called by `notify_change()` with a valid `idmap` and `attr`, and a dentry of `Fs<U>`
    /// whose inode's `i_rwsem` it holds for writing.
    unsafe extern "C" fn setattr_acl(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: See the function's safety section: the dentry is positive.
        let inode = unsafe { (*dentry).d_inode };
        // SAFETY: The inode is valid and locked for writing.
        let before = unsafe { (*inode).i_mode };
        // SAFETY: See the function's safety section.
        let ret = unsafe { bindings::simple_setattr(idmap, dentry, attr) };
        // SAFETY: As above.
        let (mode, after) =
            unsafe { ((*attr).ia_valid & bindings::ATTR_MODE != 0, (*inode).i_mode) };
        if !mode || (ret != 0 && after == before) {
            return ret;
        }
        // SAFETY: As above: the dentry is positive, and its inode locked for writing.
        let chmod = unsafe { acl::chmod(idmap, dentry) };
        from_result(|| to_result(ret).and(chmod).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by `vfs_getattr_nosec()` with a valid `idmap`, `path` and `stat`, the latter only
    /// used by this call.
    unsafe extern "C" fn getattr(
        idmap: *mut bindings::mnt_idmap,
        path: *const bindings::path,
        stat: *mut bindings::kstat,
        request_mask: u32,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: `path` is valid for the call; `Path` is a transparent wrapper.
        let path = unsafe { &*path.cast::<Path>() };
        // SAFETY: `stat` is valid for the call; `Kstat` is a transparent wrapper.
        let stat = unsafe { &*stat.cast::<Kstat>() };
        // SAFETY: `vfs_getattr_nosec()` calls the `getattr` of the inode of the path's dentry
        // (`d_backing_inode()`), whose table this is: an inode of `Fs<U>`, valid while the path
        // is.
        let inode = unsafe { INode::from_raw((*(*path.as_raw()).dentry).d_inode) };
        let target = GetAttr { idmap, path, inode };
        from_result(|| U::getattr(idmap, &target, stat, request_mask, flags).map(|()| 0))
    }

    /// The arguments of an operation that creates a name.
    ///
    /// # Safety
    ///
    /// `idmap` is null (then the identity mapping is returned) or a valid ID mapping, `dir` is
    /// a directory of `Fs<U>` whose `i_rwsem` the caller holds for writing for `'a`, and `dentry`
    /// is a negative dentry in it that the caller holds a reference to for `'a`.
    unsafe fn creation_args<'a>(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> (&'a MntIdmap, Locked<'a, Fs<U>>, dentry::Negative<'a, Fs<U>>) {
        let idmap = if idmap.is_null() {
            MntIdmap::nop()
        } else {
            // SAFETY: See the function's safety section.
            unsafe { MntIdmap::from_raw(idmap) }
        };
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Negative::from_raw(dentry) };
        (idmap, dir, dentry)
    }

    /// The arguments of `rename`.
    ///
    /// # Safety
    ///
    /// As for [`Self::rename`], for `'a`.
    unsafe fn rename_args<'a>(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> (&'a MntIdmap, Rename<'a, Fs<U>>) {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let old_dir = unsafe { Locked::<Fs<U>>::from_raw(old_dir) };
        // SAFETY: See the function's safety section.
        let new_dir = unsafe { Locked::<Fs<U>>::from_raw(new_dir) };
        // SAFETY: See the function's safety section.
        let old = unsafe { dentry::DEntry::from_raw(old) };
        // SAFETY: See the function's safety section.
        let new = unsafe { dentry::DEntry::from_raw(new) };
        let rename = Rename {
            old_dir,
            old,
            new_dir,
            new,
            flags,
        };
        (idmap, rename)
    }
}

/// Strips from `inode` the set-ID bits that a request with `valid` and `mode` asks to strip, after
/// a `setattr` that succeeded if `done`: a write, a truncation or a change of owner asks with
/// `ATTR_KILL_SUID` and `ATTR_KILL_SGID`, which `notify_change()` turns into `ATTR_MODE` with a
/// mode without the bits. The caller takes success for the bits gone and goes on
/// (`file_remove_privs()` lets the write through), so the `setattr` trampoline strips them itself
/// after a `setattr` that succeeded, whatever it did with the mode: else a write by a user without
/// `CAP_FSETID` would give a set-user-ID file new contents and leave the bit. It strips them after
/// one that failed too if the request is forced (`ATTR_FORCE`, as writes and truncations ask): a
/// truncation may have changed the file before the error, and `fallocate()` goes on after one, as
/// tmpfs's does.
#[cold]
fn strip_set_id<T: FileSystem + ?Sized>(inode: &Locked<'_, T>, valid: u32, mode: u16, done: bool) {
    if valid & bindings::ATTR_MODE == 0 || !(done || valid & bindings::ATTR_FORCE != 0) {
        return;
    }
    let mut strip = 0;
    if valid & bindings::ATTR_KILL_SUID != 0 {
        strip |= bindings::S_ISUID as u16;
    }
    if valid & bindings::ATTR_KILL_SGID != 0 {
        strip |= bindings::S_ISGID as u16;
    }
    strip &= !mode;
    if target_mode(inode) & strip == 0 {
        return;
    }
    // SAFETY: The inode is valid and locked for writing (type invariants of `Locked`): its mode
    // and change time are ours to change, as `setattr_copy()` changes them.
    unsafe {
        (*inode.as_raw()).i_mode &= !strip;
        bindings::inode_set_ctime_current(inode.as_raw());
    }
    inode.inc_iversion();
}

/// The mode of a locked inode.
fn target_mode<T: FileSystem + ?Sized>(inode: &Locked<'_, T>) -> u16 {
    // SAFETY: The inode is valid, and locked for writing: nothing else changes its mode.
    unsafe { (*inode.as_raw()).i_mode }
}
