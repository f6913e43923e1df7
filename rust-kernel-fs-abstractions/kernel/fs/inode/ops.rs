// SPDX-License-Identifier: GPL-2.0

//! Tables of inode operations, chosen per inode, and the operations taken from libfs.

use super::*;

/// A table of inode operations (`struct inode_operations`), chosen per inode, with what
/// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) checks of it.
pub struct Ops<T: FileSystem + ?Sized> {
    pub(super) table: &'static bindings::inode_operations,
    /// `get_link` is `page_get_link()`: the inode is a symbolic link whose target is in its
    /// page cache.
    pub(super) page_link: bool,
    /// `get_link` is `simple_get_link()`: the inode is a symbolic link whose target is kept
    /// with it (`inode->i_link`).
    pub(super) cached_link: bool,
    /// `get_link` is implemented in Rust: the inode must be a symbolic link.
    pub(super) rust_link: bool,
    /// The table is Rust's, so the abstractions carry out its namespace changes and keep the
    /// offset map of a directory made with [`file::Ops::offset_dir`].
    pub(super) keeps_offsets: bool,
    /// `setattr` is implemented in Rust (so that sizes can change through
    /// [`libfs::setattr`](crate::fs::libfs::setattr), which charges pages).
    pub(super) rust_setattr: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: FileSystem + ?Sized> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: FileSystem + ?Sized> Copy for Ops<T> {}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The operations that the implementation `U` of [`Operations`] provides.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self {
            table: &Table::<U>::TABLE,
            page_link: U::LIBFS.contains(Libfs::GET_LINK),
            cached_link: U::LIBFS.contains(Libfs::CACHED_LINK),
            rust_link: U::HAS_GET_LINK,
            keeps_offsets: true,
            rust_setattr: U::HAS_SETATTR,
            _t: PhantomData,
        }
    }

    /// The operations of an always-empty directory that only looks names up
    /// (`simple_dir_inode_operations`): creating anything in it fails.
    pub fn simple_dir() -> Self {
        // SAFETY: `simple_dir_inode_operations` is an immutable static of the kernel.
        let table = unsafe { &bindings::simple_dir_inode_operations };
        Self {
            table,
            page_link: false,
            cached_link: false,
            rust_link: false,
            keeps_offsets: false,
            rust_setattr: false,
            _t: PhantomData,
        }
    }

    /// The operations of a symbolic link whose target is in the page cache, written by
    /// [`New::write_symlink`] (`page_symlink_inode_operations`). The inode must be a
    /// [`Type::Lnk`] with address-space operations.
    pub fn page_symlink() -> Self {
        // SAFETY: `page_symlink_inode_operations` is an immutable static of the kernel.
        let table = unsafe { &bindings::page_symlink_inode_operations };
        Self {
            table,
            page_link: true,
            cached_link: false,
            rust_link: false,
            keeps_offsets: false,
            rust_setattr: false,
            _t: PhantomData,
        }
    }
}

/// Operations of `fs/libfs.c` that a table made by [`Ops::new`] takes as they are, for a file
/// system whose objects all live in the dcache and that has nothing to decide in them, as
/// ramfs. `setattr`, `getattr` and `get_link` are then the C functions themselves; `lookup`,
/// `link`, `unlink`, `rmdir` and `rename` are the abstractions' own steps (see
/// [`Operations`]), which call the C functions and keep the offset maps of directories.
///
/// An operation is either implemented by the [`Operations`] implementation or taken from here,
/// not both: that is a build error.
///
/// # Examples
///
/// ```
/// use kernel::fs::inode::Libfs;
///
/// const DIR: Libfs = Libfs::LOOKUP.with(Libfs::UNLINK).with(Libfs::RMDIR);
/// assert!(DIR.contains(Libfs::UNLINK.with(Libfs::LOOKUP)));
/// assert!(!DIR.contains(Libfs::LINK));
/// assert!(Libfs::NONE.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Libfs(u32);

impl Libfs {
    /// No operation of `fs/libfs.c`.
    pub const NONE: Self = Self(0);
    /// `lookup` is `simple_lookup()`.
    pub const LOOKUP: Self = Self(1 << 0);
    /// `link` is `simple_link()`.
    pub const LINK: Self = Self(1 << 1);
    /// `unlink` is `simple_unlink()`.
    pub const UNLINK: Self = Self(1 << 2);
    /// `rmdir` is `simple_rmdir()`.
    pub const RMDIR: Self = Self(1 << 3);
    /// `rename` is `simple_rename()`.
    pub const RENAME: Self = Self(1 << 4);
    /// `setattr` is `simple_setattr()`.
    pub const SETATTR: Self = Self(1 << 5);
    /// `getattr` is `simple_getattr()`: the attributes with the owner seen through the idmap of
    /// the mount, and the pages of the page cache as the blocks
    /// ([`libfs::getattr`](crate::fs::libfs::getattr)).
    pub const GETATTR: Self = Self(1 << 6);
    /// `listxattr` lists the extended attributes kept in memory, for a file system with
    /// [`xattr::Handlers::InMemory`](crate::fs::xattr::Handlers::InMemory)
    /// (`simple_xattr_list()`).
    pub const LISTXATTR: Self = Self(1 << 7);
    /// `get_link` is `page_get_link()`: the inode is a symbolic link whose target
    /// [`New::write_symlink`] wrote to its page cache, so it needs address-space operations.
    pub const GET_LINK: Self = Self(1 << 8);
    /// `get_link` is `simple_get_link()`: the inode is a symbolic link whose target
    /// [`New::write_symlink`] kept in memory with the inode (`inode->i_link`), as tmpfs keeps
    /// short targets, so that following and reading it take no page cache lookup. A table has
    /// this or [`Libfs::GET_LINK`], not both: that is a build error.
    pub const CACHED_LINK: Self = Self(1 << 9);

    /// The operations of `self` and of `other`.
    #[inline]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `self` has every operation of `other`.
    #[inline]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` has no operation.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The operations of `self` that `U` implements itself.
    pub(super) const fn implemented_by<U: Operations + ?Sized>(self) -> Self {
        let mut has = Self::NONE;
        let pairs = [
            (U::HAS_LOOKUP, Self::LOOKUP),
            (U::HAS_LINK, Self::LINK),
            (U::HAS_UNLINK, Self::UNLINK),
            (U::HAS_RMDIR, Self::RMDIR),
            (U::HAS_RENAME, Self::RENAME),
            (U::HAS_SETATTR, Self::SETATTR),
            (U::HAS_GETATTR, Self::GETATTR),
            (U::HAS_GET_LINK, Self::GET_LINK),
            (U::HAS_GET_LINK, Self::CACHED_LINK),
        ];
        let mut i = 0;
        while i < pairs.len() {
            if pairs[i].0 {
                has = has.with(pairs[i].1);
            }
            i += 1;
        }
        Self(self.0 & has.0)
    }
}
