// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use crate::{
    bindings,
    error::{code::*, Result},
    fs::{inode::INode, FileSystem},
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};
use core::{marker::PhantomData, ptr::NonNull};

/// A directory entry of a file system of type `T`.
///
/// Wraps the kernel's `struct dentry`.
///
/// # Invariants
///
/// The pointee is a valid dentry of a superblock of a file system of type `T`. Instances of
/// this type are always refcounted, that is, a call to `dget` ensures that the allocation
/// remains valid at least until the matching call to `dput`.
#[repr(transparent)]
pub struct DEntry<T: FileSystem + ?Sized>(Opaque<bindings::dentry>, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> DEntry<T> {
    /// Returns the raw pointer to the C `struct dentry`.
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.0.get()
    }
}

// SAFETY: The dentry refcount is atomic and a dentry may be released on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for DEntry<T> {}

// SAFETY: All shared access to the dentry goes through the C API, which does its own locking.
unsafe impl<T: FileSystem + ?Sized> Sync for DEntry<T> {}

// SAFETY: The type invariants guarantee that `DEntry` is always refcounted.
unsafe impl<T: FileSystem + ?Sized> AlwaysRefCounted for DEntry<T> {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::dget(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller guarantees that the refcount is nonzero.
        unsafe { bindings::dput(obj.as_ref().as_raw()) };
    }
}

/// The root dentry of a new superblock, made by [`Root::try_new`] in
/// [`FileSystem::init_root`] and handed to the VFS when that returns.
pub struct Root<T: FileSystem + ?Sized>(ARef<DEntry<T>>);

impl<T: FileSystem + ?Sized> Root<T> {
    /// Makes the root dentry for `inode`, a directory (C's `d_make_root`).
    ///
    /// The inode reference is consumed either way.
    pub fn try_new(inode: ARef<INode<T>>) -> Result<Self> {
        let raw = ARef::into_raw(inode);
        // SAFETY: `raw` is a valid inode whose reference `d_make_root` takes over, also when it
        // fails (then it puts the inode).
        let dentry = unsafe { bindings::d_make_root(raw.as_ptr().cast()) };
        let dentry = NonNull::new(dentry).ok_or(ENOMEM)?;
        // SAFETY: `d_make_root` returned a new dentry with one reference, which is ours.
        Ok(Self(unsafe { ARef::from_raw(dentry.cast::<DEntry<T>>()) }))
    }

    /// Gives up ownership of the dentry reference, for `sb->s_root`.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ARef::into_raw(self.0).as_ptr().cast()
    }
}
