// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{code::*, Result},
    fs::{file, sb, FileSystem},
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};
use core::{marker::PhantomData, ptr::NonNull};

/// The type of an inode and the permission bits it is created with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A directory.
    Dir,
}

impl Type {
    const fn format(self) -> u16 {
        match self {
            Type::Dir => bindings::S_IFDIR as u16,
        }
    }
}

/// An inode of a file system of type `T`.
///
/// Wraps the kernel's `struct inode`.
///
/// # Invariants
///
/// The pointee is a valid inode of a superblock of a file system of type `T`. Instances of
/// this type are always refcounted, that is, a call to `ihold` ensures that the allocation
/// remains valid at least until the matching call to `iput`.
#[repr(transparent)]
pub struct INode<T: FileSystem + ?Sized>(Opaque<bindings::inode>, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> INode<T> {
    /// Returns the raw pointer to the C `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }
}

// SAFETY: The inode refcount is atomic and an inode may be released on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for INode<T> {}

// SAFETY: All shared access to the inode goes through the C API, which does its own locking.
unsafe impl<T: FileSystem + ?Sized> Sync for INode<T> {}

// SAFETY: The type invariants guarantee that `INode` is always refcounted.
unsafe impl<T: FileSystem + ?Sized> AlwaysRefCounted for INode<T> {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::ihold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller guarantees that the refcount is nonzero.
        unsafe { bindings::iput(obj.as_ref().as_raw()) };
    }
}

/// A table of inode operations (`struct inode_operations`), chosen per inode.
pub struct Ops<T: FileSystem + ?Sized>(&'static bindings::inode_operations, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The operations of an always-empty directory that only looks names up
    /// (`simple_dir_inode_operations`): creating anything in it fails.
    pub fn simple_dir() -> Self {
        // SAFETY: `simple_dir_inode_operations` is an immutable static of the kernel.
        let ops = unsafe { &bindings::simple_dir_inode_operations };
        Self(ops, PhantomData)
    }
}

/// The parameters of a new inode.
pub struct Params<'a, T: FileSystem + ?Sized> {
    /// The type of the inode.
    pub typ: Type,
    /// The permission bits (and `S_ISUID`, `S_ISGID` and `S_ISVTX`).
    pub perm: u16,
    /// The directory the inode is created in (it gives the group of the new inode if it has
    /// `S_ISGID` set); `None` for the root.
    pub dir: Option<&'a INode<T>>,
    /// The inode operations.
    pub iops: Ops<T>,
    /// The file operations.
    pub fops: file::Ops,
}

impl<T: FileSystem + ?Sized> sb::SuperBlock<T> {
    /// Allocates a new inode that is not in the inode hash, with the next free inode number,
    /// owned by the current task's fsuid and fsgid (as `inode_init_owner()` decides), and with
    /// its three timestamps set to now.
    ///
    /// Directories start with two links (for `.` and the name in the parent).
    pub fn new_inode(&self, params: Params<'_, T>) -> Result<ARef<INode<T>>> {
        // SAFETY: The superblock is valid by the type invariants.
        let ptr = NonNull::new(unsafe { bindings::new_inode(self.as_raw()) }).ok_or(ENOMEM)?;
        // INVARIANT: `new_inode` returns an inode of this superblock, with one reference that
        // the `ARef` owns from now on.
        // SAFETY: `ptr` is a valid inode whose single reference is transferred to the `ARef`.
        let inode = unsafe { ARef::from_raw(ptr.cast::<INode<T>>()) };
        let raw = inode.as_raw();
        let dir = params
            .dir
            .map_or(core::ptr::null(), |d| d.as_raw().cast_const());
        let mode = params.typ.format() | (params.perm & bindings::S_IALLUGO as u16);
        // SAFETY: `raw` is a new inode that nobody else can see yet, `dir` is null or a valid
        // inode, and `nop_mnt_idmap` is the static identity mapping.
        unsafe {
            (*raw).i_ino = bindings::get_next_ino().into();
            bindings::inode_init_owner(&raw mut bindings::nop_mnt_idmap, raw, dir, mode);
            bindings::simple_inode_init_ts(raw);
            (*raw).i_op = params.iops.0;
            (*raw).__bindgen_anon_3.i_fop = params.fops.as_raw();
            if params.typ == Type::Dir {
                bindings::inc_nlink(raw);
            }
        }
        Ok(inode)
    }
}
