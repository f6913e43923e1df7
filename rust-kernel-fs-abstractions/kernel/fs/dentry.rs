// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use crate::{
    bindings,
    error::{code::*, Result},
    fs::{inode, sb, FileSystem},
    types::{NotThreadSafe, Opaque},
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

/// A directory entry of a file system of type `T`.
///
/// Wraps the kernel's `struct dentry`. The abstractions only hand out shared references to a
/// dentry, for the duration of a callback that the VFS makes with a reference to it: there is
/// no counted reference (`ARef`) of a dentry, since one kept by a file system (in a `static`, in
/// its [`FileSystem::Data`]) would outlive the superblock, which `generic_shutdown_super()`
/// takes apart with all its dentries.
///
/// # Invariants
///
/// The pointee is a valid dentry of a superblock of a file system of type `T`.
#[repr(transparent)]
pub struct DEntry<T: FileSystem + ?Sized>(Opaque<bindings::dentry>, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> DEntry<T> {
    /// Creates a reference to a [`DEntry`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a dentry of a superblock of a file system of type `T` that remains
    /// valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::dentry) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::dentry>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct dentry`.
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.0.get()
    }
}

// SAFETY: A shared reference to a dentry only allows what the C API allows on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for DEntry<T> {}

// SAFETY: All shared access to the dentry goes through the C API, which does its own locking.
unsafe impl<T: FileSystem + ?Sized> Sync for DEntry<T> {}

/// The root dentry of a new superblock, made by [`Root::try_new`] in
/// [`FileSystem::init_root`] and handed to the VFS when that returns.
///
/// It cannot outlive the superblock `'a` borrows, so it cannot be kept by the file system.
///
/// # Invariants
///
/// `dentry` points to a root dentry of a superblock of a file system of type `T` with a
/// reference that the [`Root`] owns.
pub struct Root<'a, T: FileSystem + ?Sized> {
    dentry: NonNull<bindings::dentry>,
    _sb: PhantomData<&'a sb::SuperBlock<T>>,
}

impl<'a, T: FileSystem + ?Sized> Root<'a, T> {
    /// Makes the root dentry for `inode`, a new directory (C's `d_make_root`). Fails with
    /// `EINVAL` if the inode is not a directory.
    ///
    /// The inode is consumed either way.
    pub fn try_new(inode: inode::New<'a, T>) -> Result<Self> {
        if inode.typ() != inode::Type::Dir {
            return Err(EINVAL);
        }
        let raw = inode.into_raw();
        // SAFETY: `raw` is a valid inode whose reference `d_make_root` takes over, also when it
        // fails (then it puts the inode).
        let dentry = unsafe { bindings::d_make_root(raw) };
        // INVARIANT: `d_make_root` returned a new dentry with one reference, which is ours.
        Ok(Self {
            dentry: NonNull::new(dentry).ok_or(ENOMEM)?,
            _sb: PhantomData,
        })
    }

    /// Gives up ownership of the dentry reference, for `sb->s_root`.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry.as_ptr()
    }
}

impl<T: FileSystem + ?Sized> Drop for Root<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants).
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}

/// A negative dentry: a name in a directory that an inode operation is asked to create.
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
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
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
    /// and, if `dir` has an offset map ([`file::Ops::offset_dir`]), the name has an offset; then
    /// adds a link to `dir` for the `..` of a new directory, sets `dir`'s modification and
    /// change times to now, as `ramfs_mknod()` and `ramfs_mkdir()` do, and counts the change in
    /// its `i_version`, as `shmem_mknod()` does.
    ///
    /// `dir` is the directory the dentry is in, and `idmap` the ID mapping of the mount it is
    /// created through. Fails with `EINVAL` if it is not, if the inode belongs to another
    /// superblock or is not what `kind` asked for (its owner, type, device number or
    /// permissions: see `inode::Creation::check`), and with
    /// `ENOMEM` or `ENOSPC` if no offset can be given. On failure the inode goes away, and the
    /// name stays negative.
    ///
    /// [`file::Ops::offset_dir`]: super::file::Ops::offset_dir
    #[inline]
    pub(crate) fn bind(
        self,
        dir: &inode::Locked<'_, T>,
        inode: inode::New<'_, T>,
        kind: inode::Creation,
        idmap: &inode::MntIdmap,
    ) -> Result {
        self.check_parent(dir)?;
        kind.check(&inode, dir, idmap)?;
        let raw = self.0.as_raw();
        // SAFETY: The dentry is valid, a child of `dir` (checked above).
        unsafe { inode.prepare_binding(dir, raw) }?;
        // SAFETY: `dir` is an inode of `T`, so from its inode cache, locked for writing, and
        // the dentry is a child of it (type invariants).
        unsafe { inode::offsets::add(dir.as_raw(), raw) }?;
        let is_dir = inode.typ() == inode::Type::Dir;
        // SAFETY: The dentry is negative and its parent locked (type invariants); the function
        // takes over the inode's reference. The reference it returns (to the same dentry) is
        // the one that pins it, which `simple_unlink()` and friends drop.
        unsafe { bindings::d_make_persistent(raw, inode.into_raw()) };
        if is_dir {
            // SAFETY: `dir` is locked for writing; the new directory's `..` links to it.
            unsafe { bindings::inc_nlink(dir.as_raw()) };
        }
        dir.touch_mtime_ctime();
        dir.inc_iversion();
        Ok(())
    }
}

/// A dentry that [`inode::Operations::lookup`] is to look up: negative and not yet hashed.
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
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the dentry is valid for `'a`.
        Self(unsafe { DEntry::from_raw(ptr) }, NotThreadSafe)
    }

    /// The dentry.
    pub fn dentry(&self) -> &'a DEntry<T> {
        self.0
    }
}

/// A positive dentry that [`inode::Operations::unlink`] or [`inode::Operations::rmdir`] is asked
/// to remove.
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
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the dentry is valid for `'a`.
        Self(unsafe { DEntry::from_raw(ptr) }, NotThreadSafe)
    }

    /// The dentry.
    pub fn dentry(&self) -> &'a DEntry<T> {
        self.0
    }
}
