// SPDX-License-Identifier: GPL-2.0

//! Inodes in a known state: locked by the VFS for an operation, or being evicted.

use super::*;

/// An inode being evicted (`super_operations.evict_inode`): its last reference is gone, and it
/// has no link left, or its superblock is being shut down, or it is an inode of
/// [`SuperBlock::iget`](sb::SuperBlock::iget) that the VFS does not keep. Its page cache is
/// already empty.
///
/// It cannot be referenced again, so it does not give out an [`INode`]. (The address-space
/// operations that see its folios go got one, as the eviction emptied its page cache; see
/// [`address_space::Operations::invalidate_folio`].)
///
/// # Invariants
///
/// The pointee is an inode of a [`sb::Ready`] superblock of type `T`, whose data
/// ([`FileSystem::INodeData`]) is initialised, and which the current thread evicts for `'a`.
pub struct Evicting<'a, T: FileSystem + ?Sized>(
    &'a Opaque<bindings::inode>,
    PhantomData<fn() -> T>,
);

impl<'a, T: FileSystem + ?Sized> Evicting<'a, T> {
    /// Creates an [`Evicting`] for an inode.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an inode of a [`sb::Ready`] superblock of a file system of type
    /// `T`, whose data is initialised, that the current thread evicts for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // SAFETY: The inode is valid for `'a`, by the safety requirements.
        let inode = unsafe { &*ptr.cast::<Opaque<bindings::inode>>() };
        // INVARIANT: By the safety requirements.
        Self(inode, PhantomData)
    }

    /// The superblock the inode belongs to, through which no inode can be looked up or made
    /// (see [`sb::InEviction`]).
    pub fn super_block(&self) -> &'a sb::SuperBlock<T, sb::InEviction> {
        // SAFETY: By the type invariants the inode is valid and belongs to a ready superblock
        // of type `T`, which outlives its inodes; `InEviction` is a ready superblock.
        unsafe { sb::SuperBlock::from_raw((*self.0.get()).i_sb) }
    }

    /// The file system's data of the inode, dropped after the eviction.
    pub fn data(&self) -> Pin<&'a T::INodeData> {
        // SAFETY: By the type invariants the inode was allocated by the `Cache` of `T`, and its
        // data is initialised; it is dropped after the eviction (`destroy_inode`), and does not
        // move.
        unsafe { Pin::new_unchecked(&*INodeBox::data::<T::INodeData>(self.0.get())) }
    }

    /// The number of links to the inode: 0 for an inode that was removed, more for one that
    /// the superblock's shutdown evicts, a new inode dropped before it was bound, or an inode of
    /// [`SuperBlock::iget`](sb::SuperBlock::iget) evicted while it still has links.
    pub fn nlink(&self) -> u32 {
        // SAFETY: The inode is valid by the type invariants and nobody changes it any more.
        unsafe { (*self.0.get()).__bindgen_anon_1.i_nlink }
    }
}

/// A directory or other inode whose `i_rwsem` the caller holds for writing, for the duration
/// of an inode operation that changes it.
///
/// # Invariants
///
/// The inode's `i_rwsem` is held exclusively for `'a`, by the current thread.
pub struct Locked<'a, T: FileSystem + ?Sized>(&'a INode<T>, NotThreadSafe);

impl<'a, T: FileSystem + ?Sized> Locked<'a, T> {
    /// Creates a [`Locked`] for an inode.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an inode of a superblock of a file system of type `T` whose
    /// `i_rwsem` the caller holds for writing for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // INVARIANT: The caller holds `i_rwsem` exclusively for `'a`.
        // SAFETY: The inode is valid for `'a`, by the safety requirements.
        Self(unsafe { INode::from_raw(ptr) }, NotThreadSafe)
    }

    /// The superblock the inode belongs to, for as long as the lock is held.
    pub fn super_block(&self) -> &'a sb::SuperBlock<T> {
        self.0.super_block()
    }

    /// Sets the modification and change times to now, as when a directory's entries or a
    /// file's contents change.
    pub fn touch_mtime_ctime(&self) {
        let raw = self.as_raw();
        // SAFETY: The inode is valid and its times may be changed under its `i_rwsem`.
        let now = unsafe { bindings::inode_set_ctime_current(raw) };
        // SAFETY: As above.
        unsafe { bindings::inode_set_mtime_to_ts(raw, now) };
    }
}

impl<T: FileSystem + ?Sized> Deref for Locked<'_, T> {
    type Target = INode<T>;

    fn deref(&self) -> &INode<T> {
        self.0
    }
}
