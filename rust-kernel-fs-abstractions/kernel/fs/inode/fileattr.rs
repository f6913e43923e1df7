// SPDX-License-Identifier: GPL-2.0

//! Inode flags, as `chattr(1)` and `lsattr(1)` set and read them (`FS_IOC_SETFLAGS`,
//! `FS_IOC_GETFLAGS`, `FS_IOC_FSSETXATTR`): the arguments of `fileattr_get` and `fileattr_set`,
//! and the flags of the inode that the VFS enforces.

use super::*;

/// The flags that `fileattr_set` is asked to set (`struct file_kattr`).
///
/// # Invariants
///
/// The pointee is a valid, initialised `struct file_kattr` that only the holder of the reference
/// uses.
#[repr(transparent)]
pub struct FileAttr(Opaque<bindings::file_kattr>);

impl FileAttr {
    /// Creates a reference to a [`FileAttr`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid, initialised `struct file_kattr` that only the current thread
    /// uses for `'a`.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::file_kattr) -> &'a Self {
        // SAFETY: The pointer is valid for `'a`, by the safety requirements; `FileAttr` is a
        // transparent wrapper.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The `FS_*_FL` flags asked for.
    #[inline]
    pub fn flags(&self) -> u32 {
        // SAFETY: The `file_kattr` is valid (type invariants).
        unsafe { (*self.0.get()).flags }
    }

    /// Whether `FS_IOC_FSSETXATTR` asks for an extent size or a project (`fileattr_has_fsx()`).
    #[inline]
    pub fn has_fsx(&self) -> bool {
        // SAFETY: The `file_kattr` is valid (type invariants).
        unsafe { bindings::fileattr_has_fsx(self.0.get()) }
    }
}

crate::impl_flags!(
    /// The flags of an inode (`i_flags`) that the VFS enforces for a file system that keeps
    /// them, as tmpfs keeps those `chattr(1)` sets.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct InodeFlags(u32);

    /// A flag of an inode.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum InodeFlag {
        /// Reading does not update the access time (`S_NOATIME`, `chattr +A`).
        NoAtime = bindings::S_NOATIME,

        /// The file may only be appended to (`S_APPEND`, `chattr +a`).
        Append = bindings::S_APPEND,

        /// The file may not be changed, renamed, removed or linked to (`S_IMMUTABLE`,
        /// `chattr +i`).
        Immutable = bindings::S_IMMUTABLE,
    }
);

/// The flags of [`InodeFlags`].
pub(super) const INODE_FLAGS: u32 =
    bindings::S_NOATIME | bindings::S_APPEND | bindings::S_IMMUTABLE;

impl<T: FileSystem + ?Sized> New<'_, T> {
    /// Lets reads of the new inode leave its access time as it is ([`InodeFlag::NoAtime`]): for
    /// an inode that inherits `FS_NOATIME_FL` from its directory, as tmpfs's do. (The
    /// immutable and append-only flags are only set by `fileattr_set`, for a caller the VFS
    /// checked.)
    #[inline]
    pub fn set_noatime(&self) {
        // SAFETY: The inode is valid and, not bound to a dentry yet, seen by nobody else.
        unsafe {
            bindings::inode_set_flags(self.as_raw(), bindings::S_NOATIME, bindings::S_NOATIME)
        }
    }
}

/// The `FS_IMMUTABLE_FL` and `FS_APPEND_FL` flags that `inode`'s `i_flags` has, those the VFS
/// enforces.
///
/// # Safety
///
/// `inode` is a valid inode.
pub(super) unsafe fn enforced_flags(inode: *mut bindings::inode) -> u32 {
    // Once, as `READ_ONCE()`: the flags change under the inode's lock, which readers such as
    // `IS_IMMUTABLE()` do not take.
    // SAFETY: By the safety requirements; the field is aligned and always initialised.
    let i_flags = unsafe { ptr::read_volatile(&raw const (*inode).i_flags) };
    let mut flags = 0;
    if i_flags & bindings::S_IMMUTABLE != 0 {
        flags |= bindings::FS_IMMUTABLE_FL;
    }
    if i_flags & bindings::S_APPEND != 0 {
        flags |= bindings::FS_APPEND_FL;
    }
    flags
}
