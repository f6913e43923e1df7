// SPDX-License-Identifier: GPL-2.0

//! The memory of inodes: the box around each `struct inode` with the state the abstractions
//! keep for it, and the slab and extended attribute caches of a file system type.

use super::*;
use crate::{
    slab::{self, InitOnce, KmemCache},
    str::CString,
};
use core::mem::MaybeUninit;

/// The memory of an inode of a file system made with these abstractions: the VFS's inode, and
/// what the abstractions keep with it, as a C file system embeds `struct inode` in its own
/// inode structure (such as `struct shmem_inode_info`).
///
/// # Invariants
///
/// `cache` is the [`Cache`] the box was allocated from. `xattrs` is the list of the inode's
/// extended attributes kept in memory (`struct simple_xattr`, in the hash table of `cache`),
/// changed only under the inode's `i_rwsem`, or before anybody else can see the inode (its
/// initial attributes), and `xattr_limits` counts its `user.` ones.
/// `offsets` is an initialised offset map (`simple_offset_init()`) if and only if
/// `has_offsets`, which is set once, when a new directory is made with
/// [`file::Ops::offset_dir`], and cleared when its map is destroyed; the map is changed only
/// under the directory's `i_rwsem`, and the dentries in it are its children with a name.
/// `pages` is the number of pages the inode is charged for (see [`pages`]), changed under its
/// `i_rwsem`.
#[repr(C)]
pub(crate) struct INodeBox {
    pub(super) cache: *const Cache,
    pub(super) xattrs: bindings::list_head,
    pub(super) xattr_limits: bindings::simple_xattr_limits,
    pub(super) offsets: Opaque<bindings::offset_ctx>,
    pub(super) has_offsets: bool,
    pub(super) pages: u64,
    pub(super) inode: Opaque<bindings::inode>,
}

impl INodeBox {
    /// The box of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode allocated by [`Cache::alloc`].
    #[inline]
    pub(super) unsafe fn of(inode: *mut bindings::inode) -> *mut Self {
        // SAFETY: By the safety requirements the inode is the `inode` field of an `INodeBox`.
        unsafe { crate::container_of!(inode.cast::<Opaque<bindings::inode>>(), Self, inode) }
    }

    /// The list of the in-memory extended attributes of `inode`, and the cache they are in.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`]. The pointers are valid
    /// while it is.
    pub(crate) unsafe fn xattrs(
        inode: *mut bindings::inode,
    ) -> (*mut bindings::list_head, *mut bindings::simple_xattr_cache) {
        // SAFETY: By the safety requirements the box is valid, and so is the cache it comes
        // from, which outlives its inodes.
        unsafe {
            let b = Self::of(inode);
            (&raw mut (*b).xattrs, (*(*b).cache).xattrs.get())
        }
    }

    /// The limits of the `user.` extended attributes of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`]. The pointer is valid while
    /// it is.
    pub(crate) unsafe fn xattr_limits(
        inode: *mut bindings::inode,
    ) -> *mut bindings::simple_xattr_limits {
        // SAFETY: By the safety requirements the box is valid.
        unsafe { &raw mut (*Self::of(inode)).xattr_limits }
    }

    /// How the file system of `inode` charges its extended attributes, if it does.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`].
    pub(crate) unsafe fn xattr_charge(inode: *mut bindings::inode) -> Option<Charge> {
        // SAFETY: By the safety requirements the box is valid, and so is the cache it comes
        // from, which outlives its inodes.
        unsafe { (*(*Self::of(inode)).cache).xattr_charge }
    }

    /// The offset map of the directory `dir`, if it has one.
    ///
    /// # Safety
    ///
    /// `dir` must be a valid inode allocated by [`Cache::alloc`]. The pointer is valid while
    /// it is.
    pub(super) unsafe fn offsets(dir: *mut bindings::inode) -> Option<*mut bindings::offset_ctx> {
        // SAFETY: By the safety requirements the box is valid; `has_offsets` only changes
        // while nobody else uses the inode (type invariants).
        unsafe {
            let b = Self::of(dir);
            (*b).has_offsets.then(|| (*b).offsets.get())
        }
    }
}

/// Returns the offset map of `inode` (`inode_operations.get_offset_ctx`).
///
/// # Safety
///
/// Called by the VFS with a valid inode allocated by [`Cache::alloc`], of a directory with an
/// offset map: only the C functions behind [`file::Ops::offset_dir`] and the `simple_offset_*`
/// functions call it, and the abstractions call those only for such directories.
pub(super) unsafe extern "C" fn get_offset_ctx(
    inode: *mut bindings::inode,
) -> *mut bindings::offset_ctx {
    // SAFETY: By the safety requirements the box is valid.
    unsafe { (*INodeBox::of(inode)).offsets.get() }
}

impl InitOnce for INodeBox {
    fn init_once(obj: &mut MaybeUninit<Self>) {
        // SAFETY: `obj` is valid for writes; its inode is initialised once, here.
        unsafe { bindings::inode_init_once(Opaque::cast_into(&raw mut (*obj.as_mut_ptr()).inode)) };
    }
}

/// What a file system type may charge to its superblocks, to limit the memory its inodes take.
#[derive(Clone, Copy)]
pub(crate) enum Charged {
    /// The pages of in-memory files ([`FileSystem::charge_pages`]).
    Pages,
    /// The bytes of extended attributes kept in memory ([`FileSystem::charge_xattrs`]).
    XattrBytes,
}

/// How a file system type charges something to its superblocks, for the code of the
/// abstractions that is not generic.
///
/// # Invariants
///
/// `charge` and `uncharge` call the file system type's callbacks for `what`, given a ready
/// superblock of the type.
#[derive(Clone, Copy)]
pub(crate) struct Charge {
    what: Charged,
    charge: unsafe fn(*mut bindings::super_block, Charged, u64) -> Result,
    uncharge: unsafe fn(*mut bindings::super_block, Charged, u64),
}

impl Charge {
    /// How a file system type charges `what` with `charge` and `uncharge`.
    ///
    /// # Safety
    ///
    /// `charge` and `uncharge` must call the file system type's callbacks for `what` (and do
    /// nothing else) when they are given a ready superblock of the type.
    pub(crate) const unsafe fn new(
        what: Charged,
        charge: unsafe fn(*mut bindings::super_block, Charged, u64) -> Result,
        uncharge: unsafe fn(*mut bindings::super_block, Charged, u64),
    ) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            what,
            charge,
            uncharge,
        }
    }

    /// Charges `n` to the superblock of `inode`, or fails with `ENOSPC` (whatever the file
    /// system's error).
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode of a ready superblock of the type.
    pub(crate) unsafe fn charge(self, inode: *mut bindings::inode, n: u64) -> Result {
        if n == 0 {
            return Ok(());
        }
        // SAFETY: By the safety requirements the inode and its ready superblock are valid, and
        // `self.charge` is the type's (type invariants).
        unsafe { (self.charge)((*inode).i_sb, self.what, n) }.map_err(|_| ENOSPC)
    }

    /// Gives back `n` that [`Charge::charge`] charged to the superblock of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode of a ready superblock of the type.
    pub(crate) unsafe fn uncharge(self, inode: *mut bindings::inode, n: u64) {
        if n != 0 {
            // SAFETY: As for `charge`.
            unsafe { (self.uncharge)((*inode).i_sb, self.what, n) }
        }
    }
}

/// The slab cache that the inodes of a file system type are allocated from, and the hash table of
/// their in-memory extended attributes (`struct simple_xattr_cache`), owned by its
/// [`Registration`](crate::fs::Registration).
///
/// # Invariants
///
/// `slab` is a slab cache of [`INodeBox`] objects whose inodes are initialised once
/// (`inode_init_once()`) when their slab is made.
/// `xattrs` is the hash table of the in-memory extended attributes of those inodes.
pub(crate) struct Cache {
    slab: KmemCache<INodeBox>,
    pub(super) xattrs: KBox<Opaque<bindings::simple_xattr_cache>>,
    pub(super) pages: Option<Charge>,
    pub(super) xattr_charge: Option<Charge>,
}

// SAFETY: An extended attribute cache may be used and destroyed on any thread.
unsafe impl Send for Cache {}

// SAFETY: The `simple_xattr` functions do their own locking.
unsafe impl Sync for Cache {}

impl Cache {
    /// Makes the slab cache and the extended attribute cache of the file system type `fs_name` that
    /// charges the pages of its files with `pages`, and its extended attributes with
    /// `xattr_charge`, if given.
    ///
    /// Its slab cache is named `rust_<fs_name>_inode_cache`, after the type. No C slab cache has a
    /// name of this form, so making it never takes the `/sys/kernel/slab` entry of a C cache. A
    /// second Rust type of the same name, which `register_filesystem()` then refuses, makes a cache
    /// of that name first, as a C file system that makes its inode cache before it registers does:
    /// the slab allocator warns of it with `CONFIG_DEBUG_VM`. It is made before the type is
    /// registered, so that registering is the last step of a registration that can fail: a module
    /// whose initialisation fails after `register_filesystem()` is freed at once, even while a
    /// mount that raced with the registration holds the module.
    ///
    /// The slab cache is accounted to the memory cgroup of the task that allocates
    /// (`SLAB_ACCOUNT`), but not as reclaimable: the inodes of a file system made with these
    /// abstractions are pinned by their dentries until they are removed, as tmpfs's are
    /// (`shmem_inode_cache` has `SLAB_ACCOUNT` only).
    pub(crate) fn new(
        fs_name: &CStr,
        pages: Option<Charge>,
        xattr_charge: Option<Charge>,
    ) -> Result<Self> {
        // An empty table: `simple_xattr_set()` allocates it with the first attribute.
        let xattrs = KBox::new(Opaque::new(pin_init::zeroed()), GFP_KERNEL)?;
        let name = CString::try_from_fmt(fmt!("rust_{}_inode_cache", fs_name.to_str()?))?;
        // INVARIANT: `INodeBox::init_once` initialises the inode of each object once; the table is
        // empty.
        Ok(Self {
            slab: KmemCache::new(&name, slab::Flag::Account.into())?,
            xattrs,
            pages,
            xattr_charge,
        })
    }

    /// Allocates an inode for `sb` (`alloc_inode_sb()`), or returns null.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock whose inodes the VFS releases with [`destroy_inode`] and
    /// [`free_inode`], and `self` must not move while it has inodes.
    pub(crate) unsafe fn alloc(&self, sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: `sb` and the cache are valid.
        let obj = unsafe { bindings::alloc_inode_sb(sb, self.slab.as_raw(), bindings::GFP_KERNEL) };
        let obj = obj.cast::<INodeBox>();
        if obj.is_null() {
            return ptr::null_mut();
        }
        // INVARIANT: The box records its cache, and has no extended attribute yet.
        // SAFETY: `obj` is a valid object of the cache, not yet used by anybody else.
        unsafe {
            (*obj).cache = self;
            let list = &raw mut (*obj).xattrs;
            list.write(bindings::list_head {
                next: list,
                prev: list,
            });
            (&raw mut (*obj).xattr_limits).write(pin_init::zeroed());
            (*obj).has_offsets = false;
            (*obj).pages = 0;
            (*obj).inode.get()
        }
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // SAFETY: No inode of the cache is allocated any more (the file system type is unregistered
        // and its superblocks are gone), so only the RCU callbacks that free them (`free_inode`)
        // are left to wait for before the slab cache goes (after this). Every inode took its
        // extended attributes out of the table in `destroy_inode`.
        unsafe {
            bindings::rcu_barrier();
            bindings::simple_xattr_cache_cleanup(self.xattrs.get());
        }
    }
}

/// Releases what the abstractions keep with `inode`, its in-memory extended attributes and its
/// offset map, and gives back the pages and the bytes of extended attributes it was charged for
/// (`super_operations.destroy_inode`, called from `evict()`, before the superblock's data
/// goes).
///
/// # Safety
///
/// Called by the VFS, once, with an inode allocated by [`Cache::alloc`] that is going away.
pub(crate) unsafe extern "C" fn destroy_inode(inode: *mut bindings::inode) {
    // SAFETY: The inode is valid and in an `INodeBox`; nobody else uses its attributes now, and
    // its superblock is ready.
    unsafe {
        let (list, cache) = INodeBox::xattrs(inode);
        let mut freed = 0;
        bindings::simple_xattrs_free(cache, list, &mut freed);
        if let Some(c) = INodeBox::xattr_charge(inode) {
            c.uncharge(inode, freed as u64);
        }
        offsets::destroy(inode);
        pages::release(inode);
    }
}

/// Frees the memory of `inode` (`super_operations.free_inode`), after an RCU grace period.
///
/// # Safety
///
/// Called by the VFS, once, with an inode allocated by [`Cache::alloc`] that nobody uses any
/// more.
pub(crate) unsafe extern "C" fn free_inode(inode: *mut bindings::inode) {
    // SAFETY: By the safety requirements the inode is in an `INodeBox` (not null), which
    // records its cache, and is not used any more; the cache, from which the inode was
    // allocated, outlives it (see `Cache::drop`).
    unsafe {
        let obj = INodeBox::of(inode);
        (*(*obj).cache).slab.free(NonNull::new_unchecked(obj));
    }
}
