// SPDX-License-Identifier: GPL-2.0

//! Inodes found by number: [`SuperBlock::iget`](sb::SuperBlock::iget) looks an inode up in the
//! VFS's inode cache, or makes it there, once, from what the file system reads of it, as a C
//! file system with a backing store does with `iget_locked()`.
//!
//! The made inode's `I_NEW` state is the abstractions' own: the file system only says what the
//! inode is, and the abstractions either complete the inode (`unlock_new_inode()`) or fail it
//! (`iget_failed()`), so that no safe code can leave an inode half made, on which every later
//! lookup of its number would wait, or complete one twice.

use super::*;
use crate::task::{Kgid, Kuid};

/// What an inode found by [`SuperBlock::iget`](sb::SuperBlock::iget) is, as the file system
/// stores it: its attributes, its operation tables, as for a new inode ([`Params`]), and its
/// data ([`FileSystem::INodeData`]).
///
/// Its three timestamps are set to now.
pub struct Found<T: FileSystem + ?Sized, I> {
    /// The type of the inode.
    pub typ: Type,
    /// The permission bits (and `S_ISUID`, `S_ISGID` and `S_ISVTX`).
    pub perm: u16,
    /// The owner.
    pub uid: Kuid,
    /// The group.
    pub gid: Kgid,
    /// The number of links.
    pub nlink: u32,
    /// The size, in bytes; not negative.
    pub size: file::Offset,
    /// The inode operations, as [`Params::iops`].
    pub iops: Option<Ops<T>>,
    /// The file operations, as [`Params::fops`].
    pub fops: Option<file::Ops<T>>,
    /// The address-space operations, as [`Params::aops`].
    pub aops: Option<address_space::Ops<T>>,
    /// How the page cache treats the inode's folios.
    pub mapping: address_space::Mapping,
    /// Initialises the file system's data of the inode, in place.
    pub data: I,
}

/// A counted reference to an inode that [`SuperBlock::iget`](sb::SuperBlock::iget) or
/// [`SuperBlock::ilookup`](sb::SuperBlock::ilookup) found.
///
/// Dropping it puts the inode (`iput()`, which may sleep), which the VFS then keeps in its inode
/// cache or evicts (see [`FileSystem::drop_inode`]). It cannot outlive the superblock `'a`
/// borrows, so the file system cannot store it. (Leaking it with `core::mem::forget` leaks the
/// inode, which the VFS then reports as busy at umount.)
///
/// # Invariants
///
/// `inode` points to an inode of a ready superblock of a file system of type `T` that lives for
/// `'a`, whose data is initialised, with a reference that the [`INodeRef`] owns.
pub struct INodeRef<'a, T: FileSystem + ?Sized> {
    inode: NonNull<INode<T>>,
    _sb: PhantomData<&'a sb::SuperBlock<T>>,
}

impl<'a, T: FileSystem + ?Sized> INodeRef<'a, T> {
    /// Takes over a reference to `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must point to an inode of a ready superblock of a file system of type `T` that
    /// lives for `'a`, whose data is initialised, and the caller must own a reference to it.
    unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            inode: inode.cast(),
            _sb: PhantomData,
        }
    }
}

impl<T: FileSystem + ?Sized> Deref for INodeRef<'_, T> {
    type Target = INode<T>;

    fn deref(&self) -> &INode<T> {
        // SAFETY: The inode is valid while the reference the `INodeRef` owns is, and its data
        // is initialised (type invariants), as `INode` requires.
        unsafe { self.inode.as_ref() }
    }
}

impl<T: FileSystem + ?Sized> Clone for INodeRef<'_, T> {
    fn clone(&self) -> Self {
        // SAFETY: The inode is valid and referenced (type invariants), as `ihold()` requires.
        unsafe { bindings::ihold(self.as_raw()) };
        // INVARIANT: `ihold()` took the new reference, which the clone owns.
        Self {
            inode: self.inode,
            _sb: PhantomData,
        }
    }
}

impl<T: FileSystem + ?Sized> Drop for INodeRef<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants).
        unsafe { bindings::iput(self.as_raw()) };
    }
}

// SAFETY: The inode's reference may be put on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for INodeRef<'_, T> {}

// SAFETY: A shared `INodeRef` only gives shared references to the inode, which is `Sync`.
unsafe impl<T: FileSystem + ?Sized> Sync for INodeRef<'_, T> {}

impl<T: FileSystem + ?Sized> sb::SuperBlock<T> {
    /// A build error for a file system whose extended attributes are kept in memory, with the
    /// inode, which an eviction frees.
    const NO_XATTRS_IN_MEMORY: () = assert!(
        !matches!(T::XATTRS, crate::fs::xattr::Handlers::InMemory),
        "iget() on a file system whose extended attributes are kept in memory (XATTRS)"
    );

    /// A build error for a file system whose inodes are exported in memory: encoding a handle
    /// puts them in the inode hash, where a lookup by number could find one.
    const NOT_EXPORTED_IN_MEMORY: () = assert!(
        !T::EXPORT.in_memory(),
        "iget() or ilookup() on a file system whose inodes are exported in memory (EXPORT)"
    );

    /// Finds the inode numbered `ino` in the inode cache, or makes it with what `fill` says it is
    /// (`iget_locked()`).
    ///
    /// `fill` is called only if the inode is not in the cache, at most once, and may sleep (to
    /// read the inode from disk); meanwhile, another `iget` or `ilookup` of `ino` waits for it.
    /// (An `iget` or `ilookup` of `ino` from within `fill` or its data's initialisation waits for
    /// itself forever, as in C; so does one of an inode being evicted, from code that the
    /// eviction of another inode runs, such as [`address_space::Operations::invalidate_folio`]:
    /// the superblock that [`FileSystem::evict_inode`] gets has no `iget`.) If `fill` fails, or
    /// what it found is refused, so does this, with its error, and no inode is left in the
    /// cache: a later `iget` calls `fill` again. The data made by [`Found::data`] is dropped
    /// when the inode is destroyed, but if it fails to initialise, the inode goes away without
    /// [`FileSystem::evict_inode`], as for [`new_inode_with`](sb::SuperBlock::new_inode_with).
    ///
    /// What `fill` found is refused with `EINVAL` if its tables are, as for [`Params`], if its
    /// size is negative or beyond the superblock's largest file size, if its owner or group has
    /// no ID in the superblock's user namespace, or if the inode would be kept in memory only,
    /// so that its eviction would lose it: a regular file with [`file::Ops::in_memory`], or with
    /// address-space operations that do not write back ([`address_space::Ops::writes_back`]), a
    /// directory with [`file::Ops::offset_dir`] or with Rust inode operations ([`Ops::new`],
    /// whose namespace changes the abstractions keep in the dcache), or a symbolic link whose
    /// target is in its page cache ([`Ops::page_symlink`]) or kept with the inode
    /// ([`Libfs::CACHED_LINK`]). Those are made with
    /// [`new_inode`](sb::SuperBlock::new_inode), whose inodes are not in the inode hash (but on
    /// a file system exported in memory, which has no `iget`): their dentries keep them, and
    /// `iget` never finds them; an `iget` of the number of such an inode makes another inode.
    ///
    /// A lookup of a number whose inode is being evicted waits for the end of that eviction: no
    /// lock that [`FileSystem::evict_inode`] or the drop of an inode's data takes may be held
    /// across `iget` or `ilookup`, as in C.
    ///
    /// A file system whose extended attributes are kept in memory
    /// ([`xattr::Handlers::InMemory`](crate::fs::xattr::Handlers::InMemory)) cannot use `iget`
    /// (a build error): the attributes of an inode would go with its eviction.
    ///
    /// Fails with `ENOMEM` if no inode can be allocated.
    pub fn iget<I, E>(
        &self,
        ino: u64,
        fill: impl FnOnce() -> Result<Found<T, I>>,
    ) -> Result<INodeRef<'_, T>>
    where
        I: PinInit<T::INodeData, E>,
        Error: From<E>,
    {
        let () = Self::NO_XATTRS_IN_MEMORY;
        let () = Self::NOT_EXPORTED_IN_MEMORY;
        // SAFETY: The superblock is valid and ready by the type invariants; its inodes are
        // allocated by the `Cache` of `T`.
        let raw = unsafe { bindings::iget_locked(self.as_raw(), ino) };
        let ptr = NonNull::new(raw).ok_or(ENOMEM)?;
        // SAFETY: The inode is valid, referenced by us. `I_NEW` is set only by
        // `iget_locked()`, on an inode it gives to one caller, who alone clears it: a found
        // inode had it cleared (`iget_locked()` waited for that), a made one is ours.
        let state = unsafe { bindings::inode_state_read_once(raw) };
        if state & bindings::inode_state_flags_enum_I_NEW == 0 {
            // SAFETY: A found inode is of this superblock, which lives while `self` is borrowed,
            // and its data was initialised before `I_NEW` was cleared (below): only this
            // function puts inodes of `T` in the inode hash, and it unhashes those it fails.
            return Ok(unsafe { INodeRef::from_raw(ptr) });
        }
        // SAFETY: `raw` is a new inode of this superblock, locked (`I_NEW`) and ours to fill.
        match unsafe { self.fill_new(raw, fill) } {
            Ok(()) => {
                // SAFETY: The inode is filled; its data is initialised.
                unsafe { bindings::unlock_new_inode(raw) };
                // SAFETY: The inode is of this superblock, its data is initialised, and the
                // reference `iget_locked()` gave is ours.
                Ok(unsafe { INodeRef::from_raw(ptr) })
            }
            Err(e) => {
                // SAFETY: The inode is new and locked; `iget_failed()` unhashes it, so that
                // nobody finds it again (those waiting for it look again), and puts our
                // reference. Without data, its eviction does not call `T::evict_inode`.
                unsafe { bindings::iget_failed(raw) };
                Err(e)
            }
        }
    }

    /// Fills `raw`, a new inode that `iget_locked()` made, with what `fill` found.
    ///
    /// # Safety
    ///
    /// `raw` must be a new inode of this superblock from `iget_locked()` that nobody else can
    /// see yet (`I_NEW`), with no data.
    unsafe fn fill_new<I, E>(
        &self,
        raw: *mut bindings::inode,
        fill: impl FnOnce() -> Result<Found<T, I>>,
    ) -> Result
    where
        I: PinInit<T::INodeData, E>,
        Error: From<E>,
    {
        let found = fill()?;
        let tables = Tables::check(self, found.typ, found.iops, found.fops, found.aops)?;
        if tables.in_memory(found.typ) || !self.can_hold(&found) {
            return Err(EINVAL);
        }
        // SAFETY: The inode was allocated by the `Cache` of `T` (`alloc_inode`), where its data
        // stays until it is destroyed; nobody else can see it yet, and its data is not
        // initialised (`Cache::alloc`).
        let slot = unsafe { INodeBox::data::<T::INodeData>(raw) };
        // SAFETY: `slot` is valid for writes, not initialised, and pinned: the inode's memory
        // does not move until it is freed, after the data is dropped (`destroy_inode`).
        unsafe { pin_init::raw_try_init(slot, found.data) }?;
        // SAFETY: The inode is new and its data was initialised above; it is in the inode hash.
        unsafe {
            INodeBox::set_has_data(raw);
            INodeBox::set_hashed(raw);
        }
        let mode = found.typ.format() | (found.perm & bindings::S_IALLUGO as u16);
        // SAFETY: `raw` is a new inode that nobody else can see yet.
        unsafe {
            (*raw).i_mode = mode;
            (*raw).i_uid = found.uid.into_raw();
            (*raw).i_gid = found.gid.into_raw();
            bindings::set_nlink(raw, found.nlink);
            bindings::i_size_write(raw, found.size);
            bindings::simple_inode_init_ts(raw);
        }
        // SAFETY: As above; the tables were checked for this superblock, and the inode comes
        // from the `Cache` of `T` and is in the inode hash.
        unsafe { tables.install(raw, found.typ, mode, found.mapping, true) };
        Ok(())
    }

    /// Whether the superblock can hold an inode with the size and owners `found` says: a size
    /// from 0 to its largest file size, and an owner and a group with an ID in its user
    /// namespace, as C file systems map them (`i_uid_write()`).
    fn can_hold<I>(&self, found: &Found<T, I>) -> bool {
        let raw = self.as_raw();
        let (uid, gid) = (found.uid.into_raw(), found.gid.into_raw());
        // SAFETY: The superblock is valid by the type invariants; its largest file size and its
        // user namespace are set before it is ready, and stay.
        let (max, ns) = unsafe { ((*raw).s_maxbytes, (*raw).s_user_ns) };
        // SAFETY: `ns` is a valid user namespace, which the superblock holds a reference to.
        let (uid, gid) = unsafe { (bindings::from_kuid(ns, uid), bindings::from_kgid(ns, gid)) };
        (0..=max).contains(&found.size) && uid != u32::MAX && gid != u32::MAX
    }

    /// The inode numbered `ino`, if [`iget`](sb::SuperBlock::iget) made it and it is still in
    /// the inode cache (`ilookup()`); waits for one that is being filled.
    pub fn ilookup(&self, ino: u64) -> Option<INodeRef<'_, T>> {
        let () = Self::NOT_EXPORTED_IN_MEMORY;
        // SAFETY: The superblock is valid by the type invariants.
        let raw = unsafe { bindings::ilookup(self.as_raw(), ino) };
        // SAFETY: `ilookup()` returns, with a reference, a hashed inode of this superblock that
        // is not `I_NEW`: only `iget` hashes inodes of `T` (encoding a file handle hashes those
        // of a file system exported in memory, which has no `ilookup`: see above), and it
        // initialised the data of those it completed; it unhashes those it fails.
        NonNull::new(raw).map(|p| unsafe { INodeRef::from_raw(p) })
    }
}

/// An unused inode that [`SuperBlock::iget`](sb::SuperBlock::iget) made, which still has links,
/// for [`FileSystem::drop_inode`] to decide whether the VFS keeps it in the inode cache.
///
/// It is seen with the inode's `i_lock` held, a spinlock: it gives no access to the inode but
/// its number and its data (not to the [`INode`], whose operations may take `i_lock` or sleep).
///
/// # Invariants
///
/// `inode` is an inode of a file system of type `T`, whose data is initialised, and whose
/// `i_lock` is held for `'a`, by the current thread, in `iput_final()`.
pub struct Dropping<'a, T: FileSystem + ?Sized>(&'a INode<T>, NotThreadSafe);

impl<'a, T: FileSystem + ?Sized> Dropping<'a, T> {
    /// Creates a [`Dropping`] for an inode.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an inode of a ready superblock of a file system of type `T`, whose
    /// data is initialised, and whose `i_lock` the caller holds in `iput_final()` for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: The inode is valid for `'a` and its data is initialised.
        Self(unsafe { INode::from_raw(ptr) }, NotThreadSafe)
    }

    /// The number of the inode.
    pub fn ino(&self) -> u64 {
        // SAFETY: The inode is valid (type invariants); its number does not change.
        unsafe { (*self.0.as_raw()).i_ino }
    }

    /// The file system's data of the inode ([`FileSystem::INodeData`]).
    pub fn data(&self) -> Pin<&'a T::INodeData> {
        self.0.data()
    }
}
