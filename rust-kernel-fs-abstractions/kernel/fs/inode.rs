// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! An inode is made by [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) as a [`New`] inode
//! that nobody else can see yet, and becomes visible when a dentry is bound to it: by
//! [`dentry::Root::try_new`], or by the abstractions, when an [`Operations`] implementation that
//! creates a name returns it.
//! Its inode operations come from a type that implements [`Operations`] (or one of the kernel's
//! own tables), chosen per inode as in C.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{code::*, from_result, to_result, Result, VTABLE_DEFAULT_ERROR},
    fs::{address_space, dentry, file, sb, FileSystem},
    prelude::*,
    str::{CStr, CString},
    task::{Kgid, Kuid},
    types::{NotThreadSafe, Opaque},
};
use core::{cell::Cell, marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr, ptr::NonNull};

mod attr;
mod cache;
mod fileattr;
mod hashed;
mod locked;
mod new;
pub(crate) mod offsets;
mod operations;
mod ops;
pub(crate) mod pages;
mod rename;
mod table;

pub use self::attr::{Attr, AttrFlags, GetAttr, IAttr, Kstat, Path, SetAttr, Timestamp};
use self::cache::get_offset_ctx;
pub(crate) use self::cache::INodeBox;
pub(crate) use self::cache::{destroy_inode, free_inode, Cache};
pub(crate) use self::cache::{Charge, Charged};
pub use self::fileattr::{FileAttr, InodeFlag, InodeFlags};
pub use self::hashed::{Dropping, Found, INodeRef};
pub use self::locked::{Evicting, Locked};
use self::new::bind_tmpfile;
pub(crate) use self::new::Creation;
use self::new::Tables;
pub use self::new::{New, Params};
pub use self::operations::{LinkTarget, Operations};
pub use self::ops::{Libfs, Ops};
pub use self::rename::{Rename, RenameFlag, RenameFlags};
use self::table::Table;

/// A device number (`dev_t`).
pub type DevT = bindings::dev_t;

/// The type of an inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A regular file.
    Reg,
    /// A directory.
    Dir,
    /// A symbolic link.
    Lnk,
    /// A named pipe.
    Fifo,
    /// A Unix domain socket.
    Sock,
    /// A character device with the given device number.
    Chr(DevT),
    /// A block device with the given device number.
    Blk(DevT),
}

impl Type {
    /// The type that the file type bits (`S_IFMT`) of `mode` name, with `dev` the device
    /// number of a device; `S_IFREG` if they are zero, as `mknod(2)` does.
    ///
    /// Fails with `EINVAL` if the bits name no type.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::inode::Type;
    ///
    /// assert_eq!(Type::from_mode(0o100644, 0), Ok(Type::Reg));
    /// assert_eq!(Type::from_mode(0o644, 0), Ok(Type::Reg));
    /// assert_eq!(Type::from_mode(0o020600, 0x0103), Ok(Type::Chr(0x0103)));
    /// assert_eq!(Type::from_mode(0o170000, 0), Err(EINVAL));
    /// ```
    #[inline]
    pub fn from_mode(mode: u16, dev: DevT) -> Result<Self> {
        Ok(match u32::from(mode) & bindings::S_IFMT {
            0 | bindings::S_IFREG => Type::Reg,
            bindings::S_IFDIR => Type::Dir,
            bindings::S_IFLNK => Type::Lnk,
            bindings::S_IFIFO => Type::Fifo,
            bindings::S_IFSOCK => Type::Sock,
            bindings::S_IFCHR => Type::Chr(dev),
            bindings::S_IFBLK => Type::Blk(dev),
            _ => return Err(EINVAL),
        })
    }

    /// The type of a whiteout (`WHITEOUT_DEV`): a character device with device number 0,
    /// which hides a name of a lower layer in a union such as overlayfs. A whiteout has no
    /// permission bits (`WHITEOUT_MODE`).
    pub const WHITEOUT: Type = Type::Chr(bindings::WHITEOUT_DEV);

    /// The file type bits (`S_IFMT`) of the type.
    #[inline]
    pub const fn format(self) -> u16 {
        (match self {
            Type::Reg => bindings::S_IFREG,
            Type::Dir => bindings::S_IFDIR,
            Type::Lnk => bindings::S_IFLNK,
            Type::Fifo => bindings::S_IFIFO,
            Type::Sock => bindings::S_IFSOCK,
            Type::Chr(_) => bindings::S_IFCHR,
            Type::Blk(_) => bindings::S_IFBLK,
        }) as u16
    }

    /// The device number of a device type, 0 for the other types.
    #[inline]
    pub const fn dev(self) -> DevT {
        match self {
            Type::Chr(dev) | Type::Blk(dev) => dev,
            _ => 0,
        }
    }

    #[inline]
    const fn is_special(self) -> bool {
        matches!(self, Type::Fifo | Type::Sock | Type::Chr(_) | Type::Blk(_))
    }
}

/// An ID mapping of a mount (`struct mnt_idmap`), through which the caller sees the owners of
/// inodes.
///
/// # Invariants
///
/// The pointee is a valid ID mapping.
#[repr(transparent)]
pub struct MntIdmap(Opaque<bindings::mnt_idmap>);

impl MntIdmap {
    /// The identity mapping (`nop_mnt_idmap`), that of every mount that is not idmapped.
    #[inline]
    pub fn nop() -> &'static Self {
        // SAFETY: `nop_mnt_idmap` is a static of the kernel, valid forever.
        unsafe { Self::from_raw(&raw mut bindings::nop_mnt_idmap) }
    }

    /// Creates a reference to a [`MntIdmap`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an ID mapping that remains valid for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::mnt_idmap) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::mnt_idmap>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct mnt_idmap`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mnt_idmap {
        self.0.get()
    }
}

/// An inode of a file system of type `T`.
///
/// Wraps the kernel's `struct inode`. The abstractions only hand out shared references to an
/// inode, for as long as something they know of holds a reference to it (a callback of the
/// VFS, a [`New`] inode, an [`INodeRef`]): there is no `ARef` of an inode, since one kept by a
/// file system (in a `static`, in its [`FileSystem::Data`]) would outlive the superblock, whose
/// inodes `generic_shutdown_super()` evicts and frees; the counted references of
/// [`INodeRef`] are bounded by a borrow of the superblock.
///
/// # Invariants
///
/// The pointee is a valid inode of a superblock of a file system of type `T`, whose private
/// data is in place (the superblock is [`sb::Ready`]), allocated by the `Cache` of `T`'s
/// registration, and whose own data ([`FileSystem::INodeData`]) is initialised: every inode
/// of such a superblock is made by [`SuperBlock::new_inode_with`](sb::SuperBlock::new_inode_with)
/// or [`SuperBlock::iget`](sb::SuperBlock::iget), which initialise it before they give the
/// inode to anybody, and it is dropped only when the inode is destroyed, after its last
/// reference.
#[repr(transparent)]
pub struct INode<T: FileSystem + ?Sized>(Opaque<bindings::inode>, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> INode<T> {
    /// Creates a reference to an [`INode`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an inode of a [`sb::Ready`] superblock of a file system of type `T`
    /// that remains valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::inode>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The file system's data of the inode ([`FileSystem::INodeData`]).
    #[inline]
    pub fn data(&self) -> Pin<&T::INodeData> {
        // SAFETY: By the type invariants the inode was allocated by the `Cache` of `T` and its
        // data is initialised, and it stays so while the inode is referenced; the data does not
        // move until it is dropped.
        unsafe { Pin::new_unchecked(&*INodeBox::data::<T::INodeData>(self.as_raw())) }
    }

    /// The superblock the inode belongs to.
    pub fn super_block(&self) -> &sb::SuperBlock<T> {
        // SAFETY: By the type invariants the inode is valid and belongs to a ready superblock
        // of type `T`, which outlives its inodes.
        unsafe { sb::SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    /// Counts a change of the inode in its `i_version` (`inode_inc_iversion()`), which NFS
    /// and overlayfs read as the change attribute.
    pub(crate) fn inc_iversion(&self) {
        // SAFETY: The inode is valid by the type invariants; `i_version` is atomic.
        unsafe { bindings::inode_maybe_inc_iversion(self.as_raw(), true) };
    }

    /// The size of the file, in bytes (`i_size_read()`).
    pub fn size(&self) -> file::Offset {
        // SAFETY: The inode is valid by the type invariants.
        unsafe { bindings::i_size_read(self.as_raw()) }
    }

    /// The time the contents last changed (`inode_get_mtime()`), with nanoseconds that a
    /// `setattr` stored unchecked beyond a second cut to 999,999,999.
    pub fn mtime(&self) -> Timestamp {
        let raw = self.as_raw();
        // Each field once, as `inode_get_mtime()` reads them (`READ_ONCE()` for the seconds): a
        // change made meanwhile may give the seconds of one time and the nanoseconds of the
        // other, as in C.
        // SAFETY: The inode is valid by the type invariants; the fields are aligned and always
        // initialised.
        let (sec, nsec) = unsafe {
            (
                ptr::read_volatile(&raw const (*raw).i_mtime_sec),
                ptr::read_volatile(&raw const (*raw).i_mtime_nsec),
            )
        };
        // INVARIANT: Below a second. The VFS does not check the times a `setattr` stores (ksmbd
        // and nfsd pass times from the network as they come), so larger nanoseconds are cut.
        Timestamp {
            sec,
            nsec: nsec.min(999_999_999),
        }
    }
}

// SAFETY: A shared reference to an inode only allows what the C API allows on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for INode<T> {}

// SAFETY: All shared access to the inode goes through the C API, which does its own locking.
unsafe impl<T: FileSystem + ?Sized> Sync for INode<T> {}
