// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use crate::{
    bindings,
    error::{code::*, Result},
    fs::{inode, FileSystem},
    sync::aref::{ARef, AlwaysRefCounted},
    types::{NotThreadSafe, Opaque},
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
    /// Creates a reference to a [`DEntry`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a dentry of a superblock of a file system of type `T` that remains
    /// valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::dentry) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::dentry>`.
        unsafe { &*ptr.cast::<Self>() }
    }

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
    /// Makes the root dentry for `inode`, a new directory (C's `d_make_root`).
    ///
    /// The inode is consumed either way.
    pub fn try_new(inode: inode::New<T>) -> Result<Self> {
        let raw = inode.into_raw();
        // SAFETY: `raw` is a valid inode whose reference `d_make_root` takes over, also when it
        // fails (then it puts the inode).
        let dentry = unsafe { bindings::d_make_root(raw) };
        let dentry = NonNull::new(dentry).ok_or(ENOMEM)?;
        // SAFETY: `d_make_root` returned a new dentry with one reference, which is ours.
        Ok(Self(unsafe { ARef::from_raw(dentry.cast::<DEntry<T>>()) }))
    }

    /// Gives up ownership of the dentry reference, for `sb->s_root`.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ARef::into_raw(self.0).as_ptr().cast()
    }
}

/// A negative dentry: a name in a directory that an inode operation is to create.
///
/// # Invariants
///
/// The dentry is negative, its parent's `i_rwsem` is held for writing for `'a` by the current
/// thread, and a reference to it is held for `'a`.
pub struct Negative<'a, T: FileSystem + ?Sized>(&'a DEntry<T>, NotThreadSafe);

impl<'a, T: FileSystem + ?Sized> Negative<'a, T> {
    /// Creates a [`Negative`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a negative dentry of a file system of type `T`, with a reference
    /// and its parent's `i_rwsem` held for writing for `'a`.
    pub unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the dentry is valid for `'a`.
        Self(unsafe { DEntry::from_raw(ptr) }, NotThreadSafe)
    }

    /// The dentry.
    pub fn dentry(&self) -> &'a DEntry<T> {
        self.0
    }

    /// Fails with `EINVAL` unless `dir` is the directory the name is in, whose offset map (if
    /// it has one) the name's offset goes to.
    #[inline]
    pub(crate) fn check_parent(&self, dir: &inode::INode<T>) -> Result {
        // SAFETY: The dentry is valid, and its parent cannot change while the parent's
        // `i_rwsem` is held (type invariants); a parent is a positive directory.
        let parent = unsafe { (*(*self.0.as_raw()).d_parent).d_inode };
        if parent == dir.as_raw() {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    /// Binds the new `inode` to the name and pins the dentry in the dcache until the name is
    /// removed (`d_make_persistent()`), after the security modules have initialised the inode
    /// and, if `dir` has an offset map ([`file::Ops::offset_dir`]), the name has an offset.
    ///
    /// `dir` is the directory the dentry is in. Fails with `EINVAL` if it is not, or if the
    /// inode belongs to another superblock, and with `ENOMEM` or `ENOSPC` if no offset can be
    /// given. On failure the inode goes away, and the name stays negative.
    ///
    /// [`file::Ops::offset_dir`]: super::file::Ops::offset_dir
    #[inline]
    pub fn instantiate(self, dir: &inode::Locked<'_, T>, inode: inode::New<T>) -> Result {
        self.check_parent(dir)?;
        let raw = self.0.as_raw();
        // SAFETY: The dentry is valid.
        unsafe { inode.prepare_binding(dir, raw) }?;
        // SAFETY: `dir` is an inode of `T`, so from its inode cache, locked for writing, and
        // the dentry is a child of it (type invariants).
        unsafe { inode::offsets::add(dir.as_raw(), raw) }?;
        // SAFETY: The dentry is negative and its parent locked (type invariants); the function
        // takes over the inode's reference. The reference it returns (to the same dentry) is
        // the one that pins it, which `simple_unlink()` and friends drop.
        unsafe { bindings::d_make_persistent(raw, inode.into_raw()) };
        Ok(())
    }
}

/// A dentry that [`inode::Operations::lookup`] is to look up: negative and not yet hashed. Made
/// by the VFS, consumed by [`libfs::lookup`](super::libfs::lookup), so it is looked up once.
///
/// # Invariants
///
/// The dentry is negative and in lookup, with a reference and its parent's `i_rwsem` held for
/// `'a` by the current thread.
pub struct Lookup<'a, T: FileSystem + ?Sized>(&'a DEntry<T>, NotThreadSafe);

impl<'a, T: FileSystem + ?Sized> Lookup<'a, T> {
    /// Creates a [`Lookup`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a negative dentry of a file system of type `T` that `->lookup()` is
    /// called for, with a reference and its parent's `i_rwsem` held for `'a`.
    pub unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the dentry is valid for `'a`.
        Self(unsafe { DEntry::from_raw(ptr) }, NotThreadSafe)
    }

    /// The dentry.
    pub fn dentry(&self) -> &'a DEntry<T> {
        self.0
    }
}

/// A positive dentry that [`inode::Operations::unlink`] or [`inode::Operations::rmdir`] is to
/// remove. Made by the VFS, consumed by [`libfs::unlink`](super::libfs::unlink) or
/// [`libfs::rmdir`](super::libfs::rmdir), so it is removed once.
///
/// # Invariants
///
/// The dentry is positive, with a reference and its parent's `i_rwsem` held for writing for
/// `'a` by the current thread.
pub struct Removal<'a, T: FileSystem + ?Sized>(&'a DEntry<T>, NotThreadSafe);

impl<'a, T: FileSystem + ?Sized> Removal<'a, T> {
    /// Creates a [`Removal`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a positive dentry of a file system of type `T` that `->unlink()` or
    /// `->rmdir()` is called for, with a reference and its parent's `i_rwsem` held for writing
    /// for `'a`.
    pub unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the dentry is valid for `'a`.
        Self(unsafe { DEntry::from_raw(ptr) }, NotThreadSafe)
    }

    /// The dentry.
    pub fn dentry(&self) -> &'a DEntry<T> {
        self.0
    }
}
