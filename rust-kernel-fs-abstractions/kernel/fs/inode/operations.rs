// SPDX-License-Identifier: GPL-2.0

//! The inode operations that a file system implements in Rust.

use super::*;

/// The inode operations of a kind of inode of a file system.
///
/// The operations that change a directory get it as [`Locked`]: the VFS holds its `i_rwsem` for
/// writing. An operation that changes the namespace only decides and prepares: it may refuse
/// (with any error), and one that creates something makes the new inode and returns it. The
/// abstractions then carry the change out themselves, with the dentries the VFS passed: they bind
/// the new inode to its name, keep the offset map of the directory ([`file::Ops::offset_dir`]), the
/// directories' link counts and times, and remove or move the names, as `fs/libfs.c` does for
/// ramfs. So a file system cannot report a change that did not happen, make one twice, make it on
/// another dentry, or forget a step. Their steps that can fail and be undone (reserving an offset,
/// checking that a directory is empty) come before the operation is asked; binding a new inode
/// comes after, and if it fails the inode goes away. Each operation says what it does.
///
/// An operation that is not implemented is absent from the C table, with the VFS's default
/// behaviour (mostly `EPERM` for directory operations), unless [`Operations::LIBFS`] takes it
/// from `fs/libfs.c`.
///
/// [`file::Ops::offset_dir`]: super::file::Ops::offset_dir
#[vtable]
pub trait Operations {
    /// The file system the inodes belong to.
    type FileSystem: FileSystem + ?Sized;

    /// The operations that the table takes from `fs/libfs.c` as they are (see [`Libfs`]).
    const LIBFS: Libfs = Libfs::NONE;

    /// Decides whether `dentry` may be looked up in `dir` (whose `i_rwsem` is held, at least
    /// for reading). On success the name is one that does not exist, as everything that exists
    /// is in the dcache: the abstractions make the dentry negative (`simple_lookup()`, which
    /// fails with `ENAMETOOLONG` for a name longer than `NAME_MAX`).
    #[inline]
    fn lookup(
        _dir: &INode<Self::FileSystem>,
        _dentry: &dentry::Lookup<'_, Self::FileSystem>,
        _flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new regular file with permission bits `mode` for the name `dentry`
    /// in `dir`. The abstractions bind it to the name (see [`Operations`]); an inode of
    /// another type, or with a permission bit not in `mode`, is refused with `EINVAL`.
    #[inline]
    fn create<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new file of the type and permissions `mode` says (device `dev` for
    /// a device): a regular file, fifo, socket or device, which the abstractions bind as for
    /// [`Operations::create`]. An inode of another type or device number is refused with
    /// `EINVAL`: the VFS checked the caller's right to make the one asked for.
    #[inline]
    fn mknod<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
        _dev: DevT,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new directory with the permission bits `mode` (and `S_ISGID` in a
    /// set-group-ID directory). The abstractions bind it as for [`Operations::create`], and
    /// add the link of its `..` to `dir`. (C's
    /// `mkdir` may return another dentry for the new directory; the abstractions bind the one
    /// the VFS gave.)
    #[inline]
    fn mkdir<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new symbolic link to `target` (for example with
    /// [`New::write_symlink`]), which the abstractions bind as for [`Operations::create`].
    #[inline]
    fn symlink<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _target: &CStr,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the inode of `old` (a non-directory, whose `i_rwsem` the VFS holds) may
    /// have the name `dentry` in `dir` too. On success the abstractions link it
    /// (`simple_link()`: a link more, new change time, `dir`'s times, the name's offset).
    #[inline]
    fn link(
        _old: &dentry::DEntry<Self::FileSystem>,
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Negative<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the name `dentry` of a non-directory may be removed from `dir`. On
    /// success the abstractions remove it (`simple_unlink()`: a link less, the name's offset
    /// and pin gone).
    #[inline]
    fn unlink(
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Removal<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the directory `dentry` may be removed from `dir`; the VFS has checked
    /// that it is a directory and not a mount point, and the abstractions that it is empty
    /// (else `ENOTEMPTY`). On success they remove it (`simple_rmdir()`, which also takes the
    /// link of its `..` from `dir`).
    #[inline]
    fn rmdir(
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Removal<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the source of `rename` may be renamed to its target (the directories
    /// may be the same). With [`RenameFlag::Whiteout`], it returns the inode of the whiteout
    /// to leave at the source's name (of type [`Type::WHITEOUT`]), which the abstractions bind;
    /// otherwise `None`.
    ///
    /// Before asking, the abstractions refuse flags other than [`RenameFlag::NoReplace`]
    /// (checked by the VFS), [`RenameFlag::Exchange`] and [`RenameFlag::Whiteout`], and
    /// `WHITEOUT` with `EXCHANGE` (`EINVAL`), and a non-empty directory as the target
    /// (`ENOTEMPTY`). After asking, they refuse a missing whiteout, one that was not asked for
    /// and one of another type (`EINVAL`). They may also fail with `EXDEV` (a rename between a
    /// directory with an offset map and one without) and `ENOMEM`, with nothing changed. On
    /// success they rename (`simple_rename()`, with the offsets as tmpfs: the name moved takes
    /// the target's offset or a new one, an exchange swaps them).
    #[inline]
    fn rename<'a>(
        _idmap: &MntIdmap,
        _rename: &Rename<'a, Self::FileSystem>,
    ) -> Result<Option<New<'a, Self::FileSystem>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of an unnamed regular file in `dir` for `open(2)` with `O_TMPFILE`. The
    /// abstractions bind it to the file's dentry (`d_tmpfile()`) and open the file; an inode of
    /// another type, or with a permission bit not in `mode`, is refused with `EINVAL`.
    #[inline]
    fn tmpfile<'a>(
        _idmap: &MntIdmap,
        _dir: &'a INode<Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the `FS_*_FL` flags of `inode`, for `lsattr(1)` (`FS_IOC_GETFLAGS`,
    /// `FS_IOC_FSGETXATTR`). The abstractions report the immutable and append-only flags as
    /// the VFS enforces them (the inode's `S_IMMUTABLE` and `S_APPEND`, which only
    /// [`Operations::fileattr_set`] changes), whatever this says of them: the VFS checks a
    /// change of those two against what is reported.
    #[inline]
    fn fileattr_get(_inode: &INode<Self::FileSystem>) -> Result<u32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides on the flags of `inode` that `attr` asks for, for `chattr(1)` (`FS_IOC_SETFLAGS`,
    /// `FS_IOC_FSSETXATTR`): keeps those the file system supports and returns the flags the VFS
    /// is to enforce ([`InodeFlags`]), or refuses with `EOPNOTSUPP`.
    ///
    /// The VFS has checked that the caller owns the inode (or has `CAP_FOWNER`), and that only
    /// a caller with `CAP_LINUX_IMMUTABLE` changes the immutable and append-only flags from
    /// what [`Operations::fileattr_get`] reported (`vfs_fileattr_set()`); it holds the inode's
    /// `i_rwsem` for writing. On success the abstractions set the flags returned (all three,
    /// `inode_set_flags()`), and update the change time and `i_version`, as tmpfs does.
    #[inline]
    fn fileattr_set(
        _idmap: &MntIdmap,
        _inode: &Locked<'_, Self::FileSystem>,
        _attr: &FileAttr,
    ) -> Result<InodeFlags> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Changes the attributes of the inode of `target`, including its size.
    ///
    /// A file capability (`security.capability`) that a write or a truncation strips is gone
    /// before this is called (the abstractions call `setattr_prepare()` for such a request).
    /// The set-user-ID and set-group-ID bits that a write, a truncation or a change of owner
    /// strips (`ATTR_KILL_SUID`, `ATTR_KILL_SGID`, which `notify_change()` turns into a new
    /// mode) are cleared after this returns `Ok(())`, with a new change time, whatever it did
    /// with the mode, and also after an error for a write or a truncation (`ATTR_FORCE`): a
    /// file system cannot read such a request otherwise.
    #[inline]
    fn setattr(
        _idmap: &MntIdmap,
        _target: &SetAttr<'_, Self::FileSystem>,
        _attr: &IAttr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the target of the symbolic link `inode`, whose dentry is `dentry`
    /// (`inode_operations.get_link`), for the VFS to follow or for `readlink(2)`.
    ///
    /// The target is borrowed from the inode ([`LinkTarget::Borrowed`]), for example from its
    /// data ([`FileSystem::INodeData`]): the VFS uses it after this returns, while it holds a
    /// reference to the link, so it must be something that stays as it is while the inode
    /// lives, which the lifetime `'a` makes sure of. It cannot be borrowed from `dentry`, whose
    /// name a rename changes. Or it is made in the call ([`LinkTarget::Owned`]), for a target
    /// read from a backing store, and freed once the VFS is done with it.
    ///
    /// The VFS first asks in an RCU path walk, where nothing may sleep or take a reference; the
    /// abstractions answer that one with `ECHILD` without calling this, and the VFS asks again
    /// with references taken. The link's size (`st_size`) is 0: nothing sets it yet.
    ///
    /// The inode's table must be that of a [`Type::Lnk`]:
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) fails with `EINVAL` for another
    /// type (the dcache takes any inode but a directory with `get_link` for a symbolic link).
    #[inline]
    fn get_link<'a>(
        _dentry: &dentry::DEntry<Self::FileSystem>,
        _inode: &'a INode<Self::FileSystem>,
    ) -> Result<LinkTarget<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Fills `stat` for `stat(2)` of `target`.
    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        _target: &GetAttr<'_, Self::FileSystem>,
        _stat: &Kstat,
        _request_mask: u32,
        _flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The target of a symbolic link that [`Operations::get_link`] returns.
pub enum LinkTarget<'a> {
    /// A target that stays as it is while the link's inode lives.
    Borrowed(&'a CStr),
    /// A target made for the call, which the VFS frees once it is done with it (a delayed
    /// call of `kfree_link()`).
    Owned(CString),
}

impl<'a> From<&'a CStr> for LinkTarget<'a> {
    fn from(target: &'a CStr) -> Self {
        Self::Borrowed(target)
    }
}

impl From<CString> for LinkTarget<'_> {
    fn from(target: CString) -> Self {
        Self::Owned(target)
    }
}
