// SPDX-License-Identifier: GPL-2.0

//! The arguments of `setattr` and `getattr`.

use super::*;

/// The target of [`Operations::setattr`]: a dentry and its inode, whose `i_rwsem` the VFS holds
/// for writing.
pub struct SetAttr<'a, T: FileSystem + ?Sized> {
    pub(super) idmap: &'a MntIdmap,
    pub(super) dentry: &'a dentry::DEntry<T>,
    pub(super) inode: Locked<'a, T>,
}

impl<'a, T: FileSystem + ?Sized> SetAttr<'a, T> {
    /// The ID mapping of the mount the change comes through, which
    /// [`libfs::setattr`](crate::fs::libfs::setattr) applies.
    pub fn idmap(&self) -> &'a MntIdmap {
        self.idmap
    }

    /// The dentry whose inode changes.
    pub fn dentry(&self) -> &'a dentry::DEntry<T> {
        self.dentry
    }

    /// The inode that changes.
    pub fn inode(&self) -> &Locked<'a, T> {
        &self.inode
    }
}

/// The target of [`Operations::getattr`]: the path being stat'ed, its inode, and the ID mapping
/// of its mount.
pub struct GetAttr<'a, T: FileSystem + ?Sized> {
    pub(super) idmap: &'a MntIdmap,
    pub(super) path: &'a Path,
    pub(super) inode: &'a INode<T>,
}

impl<'a, T: FileSystem + ?Sized> GetAttr<'a, T> {
    /// The inode being stat'ed: that of the path's dentry.
    pub fn inode(&self) -> &'a INode<T> {
        self.inode
    }

    /// The ID mapping of the mount the path is on, through which
    /// [`libfs::getattr`](crate::fs::libfs::getattr) reports the owner.
    pub fn idmap(&self) -> &'a MntIdmap {
        self.idmap
    }

    /// The path being stat'ed.
    pub fn path(&self) -> &'a Path {
        self.path
    }
}

crate::impl_flags!(
    /// The attributes that a `setattr` changes (`iattr.ia_valid`), of those a file system may
    /// have to know about.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct AttrFlags(u32);

    /// An attribute that a `setattr` changes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Attr {
        /// The permission bits (`ATTR_MODE`).
        Mode = bindings::ATTR_MODE,

        /// The owner (`ATTR_UID`).
        Uid = bindings::ATTR_UID,

        /// The group (`ATTR_GID`).
        Gid = bindings::ATTR_GID,

        /// The size (`ATTR_SIZE`).
        Size = bindings::ATTR_SIZE,

        /// The access time (`ATTR_ATIME`).
        Atime = bindings::ATTR_ATIME,

        /// The modification time (`ATTR_MTIME`).
        Mtime = bindings::ATTR_MTIME,

        /// The change time (`ATTR_CTIME`).
        Ctime = bindings::ATTR_CTIME,
    }
);

/// The new attributes of an inode (`struct iattr`), as `chmod(2)`, `chown(2)`, `truncate(2)`
/// or `utimensat(2)` request them.
///
/// # Invariants
///
/// The pointee is a valid `struct iattr`.
#[repr(transparent)]
pub struct IAttr(Opaque<bindings::iattr>);

impl IAttr {
    /// Creates a reference to an [`IAttr`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a `struct iattr` that remains valid for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iattr) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::iattr>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct iattr`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::iattr {
        self.0.get()
    }

    /// The attributes that change (of those of [`Attr`]).
    #[inline]
    pub fn valid(&self) -> AttrFlags {
        // SAFETY: The pointee is valid and not changed, by the type invariants.
        let valid = unsafe { (*self.as_raw()).ia_valid };
        AttrFlags(valid & AttrFlags::all_bits())
    }

    /// The new size, meaningful if [`IAttr::valid`] has [`Attr::Size`].
    #[inline]
    pub fn size(&self) -> file::Offset {
        // SAFETY: The pointee is valid and not changed, by the type invariants.
        unsafe { (*self.as_raw()).ia_size }
    }
}

/// The attributes of an inode that `stat(2)` reports (`struct kstat`), being filled.
///
/// # Invariants
///
/// The pointee is a valid `struct kstat` that only the holder of the reference writes to.
#[repr(transparent)]
pub struct Kstat(Opaque<bindings::kstat>);

impl Kstat {
    /// Returns the raw pointer to the C `struct kstat`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::kstat {
        self.0.get()
    }

    /// Reports `time` as the birth time of the inode (`statx(2)`'s `STATX_BTIME`), as tmpfs
    /// reports the time it was made. For a file system that keeps it; the kernel's inode has
    /// no field for it.
    pub fn set_btime(&self, time: Timestamp) {
        let raw = self.as_raw();
        // SAFETY: The `kstat` is valid, and only the holder of the reference writes to it (type
        // invariants).
        unsafe {
            (*raw).btime.tv_sec = time.sec;
            // Below a second (type invariants), the nanoseconds fit in any `long`.
            (*raw).btime.tv_nsec = time.nsec as crate::ffi::c_long;
            (*raw).result_mask |= bindings::STATX_BTIME;
        }
    }
}

impl Kstat {
    /// Reports the inode flags of `inode` that `chattr(1)` sets, as tmpfs reports them: the
    /// immutable and append-only flags as the VFS enforces them (`generic_fill_statx_attr()`),
    /// and the no-dump flag, which the file system keeps, if `nodump`.
    #[inline]
    pub fn fill_inode_flags<T: FileSystem + ?Sized>(&self, inode: &INode<T>, nodump: bool) {
        let raw = self.as_raw();
        // SAFETY: The `kstat` and the inode are valid, and only the holder of the reference
        // writes to the `kstat` (type invariants).
        unsafe {
            bindings::generic_fill_statx_attr(inode.as_raw(), raw);
            if nodump {
                (*raw).attributes |= u64::from(bindings::STATX_ATTR_NODUMP);
            }
            (*raw).attributes_mask |= u64::from(bindings::STATX_ATTR_NODUMP);
        }
    }
}

/// A time of an inode: seconds and nanoseconds since the epoch (a `struct timespec64`).
///
/// # Invariants
///
/// `nsec` is less than 1,000,000,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub(super) sec: i64,
    pub(super) nsec: u32,
}

impl Timestamp {
    /// The time `sec` seconds and `nsec` nanoseconds after the epoch; `EINVAL` unless `nsec` is
    /// less than a second.
    pub fn new(sec: i64, nsec: u32) -> Result<Self> {
        if nsec >= 1_000_000_000 {
            return Err(EINVAL);
        }
        // INVARIANT: Checked above.
        Ok(Self { sec, nsec })
    }

    /// The seconds since the epoch.
    pub fn sec(&self) -> i64 {
        self.sec
    }

    /// The nanoseconds within the second.
    pub fn nsec(&self) -> u32 {
        self.nsec
    }
}

/// A path (`struct path`): a dentry and the mount it is seen through.
///
/// # Invariants
///
/// The pointee is a valid `struct path`.
#[repr(transparent)]
pub struct Path(Opaque<bindings::path>);

impl Path {
    /// Returns the raw pointer to the C `struct path`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::path {
        self.0.get()
    }
}
