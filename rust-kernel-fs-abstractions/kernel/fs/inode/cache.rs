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
/// `cache` is the [`Common`] part of the [`Cache`] the box was allocated from, in which the box
/// is the head of an [`INodeObj`]. `xattrs` is the list of the inode's extended attributes kept
/// in memory (`struct simple_xattr`, in the hash table of `cache`),
/// changed only under the inode's `i_rwsem`, or before anybody else can see the inode (its
/// initial attributes), and `xattr_limits` counts its `user.` ones.
/// `offsets` is null, or the offset map of a directory made with [`file::Ops::offset_dir`]: the
/// shared empty one (see [`offsets`]), set when the directory is made, until the directory's
/// first name is given an offset, and from then on its own, an initialised map
/// (`simple_offset_init()`) in memory from [`KBox`](crate::alloc::KBox) that only the box refers
/// to, until it is destroyed and freed with the inode; it changes, and the map is changed, only
/// under the directory's `i_rwsem`, held for writing, but for the map being filled, once, under
/// the lock held shared (see [`offsets`]). Each of the directory's children with a
/// name in the namespace (hashed and positive) has an offset; once the directory's own map is
/// filled (see [`offsets`]), the dentries in it are these children, each at its offset.
/// `pages` is the number of pages the inode is charged for (see [`pages`]), changed under its
/// `i_rwsem`.
/// The file system's data of the inode ([`INodeObj::data`]) is initialised if and only if
/// `has_data`, which is set once, before the inode is given to anybody but
/// [`SuperBlock::new_inode_with`](sb::SuperBlock::new_inode_with) (or, for an inode of
/// [`SuperBlock::iget`](sb::SuperBlock::iget), before its `I_NEW` is cleared), and cleared when
/// the data is dropped, in [`destroy_inode`].
/// `hashed` is set once, before `I_NEW` is cleared, if [`SuperBlock::iget`](sb::SuperBlock::iget)
/// made the inode, in the inode hash, with its data initialised.
#[repr(C)]
pub(crate) struct INodeBox {
    pub(super) pages: u64,
    pub(super) cache: *const Common,
    pub(super) xattrs: bindings::list_head,
    pub(super) xattr_limits: bindings::simple_xattr_limits,
    pub(super) offsets: *mut bindings::offset_ctx,
    pub(super) has_data: bool,
    pub(super) hashed: bool,
    pub(super) inode: Opaque<bindings::inode>,
}

// The box is what each inode costs over a C file system's plain `struct inode`: its fields are in
// an order that pads nothing but the word the two flags share, with 32-bit pointers too (the
// `u64` first, where it is aligned on any architecture). A directory's offset map is not in it:
// most inodes are not directories, and a pointer is a third of a map.
const _: () = assert!(
    core::mem::offset_of!(INodeBox, inode)
        <= (size_of::<u64>()
            + size_of::<*const Common>()
            + size_of::<bindings::list_head>()
            + size_of::<bindings::simple_xattr_limits>()
            + size_of::<*mut bindings::offset_ctx>()
            + 2 * size_of::<bool>())
        .next_multiple_of(align_of::<bindings::inode>())
);

/// An object of the slab cache of a file system's inodes whose data is of type `D`
/// ([`FileSystem::INodeData`]): the box, then the data, which the box says is initialised.
#[repr(C)]
pub(crate) struct INodeObj<D> {
    head: INodeBox,
    data: MaybeUninit<D>,
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

    /// The place of the file system's data of `inode`, which is initialised if the inode's box
    /// says so (`has_data`).
    ///
    /// # Safety
    ///
    /// `inode` must be an inode allocated by [`Cache::alloc`] of a `Cache<D>`. The pointer is
    /// valid while the inode is, and does not move.
    #[inline]
    pub(crate) unsafe fn data<D>(inode: *mut bindings::inode) -> *mut D {
        // SAFETY: By the safety requirements the box is the head of an `INodeObj<D>`.
        unsafe { (&raw mut (*Self::of(inode).cast::<INodeObj<D>>()).data).cast::<D>() }
    }

    /// Whether the file system's data of `inode` is initialised.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`].
    #[inline]
    pub(crate) unsafe fn has_data(inode: *mut bindings::inode) -> bool {
        // SAFETY: By the safety requirements the box is valid.
        unsafe { (*Self::of(inode)).has_data }
    }

    /// Records that the file system's data of `inode` is initialised.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`] of a `Cache<D>` that nobody
    /// else can see yet, whose data ([`INodeBox::data`]) was initialised.
    #[inline]
    pub(crate) unsafe fn set_has_data(inode: *mut bindings::inode) {
        // INVARIANT: By the safety requirements the data is initialised.
        // SAFETY: By the safety requirements the box is valid and nobody else uses it.
        unsafe { (*Self::of(inode)).has_data = true };
    }

    /// Whether [`SuperBlock::iget`](sb::SuperBlock::iget) made `inode`, with its data.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`], not `I_NEW`.
    #[inline]
    pub(crate) unsafe fn hashed(inode: *mut bindings::inode) -> bool {
        // SAFETY: By the safety requirements the box is valid, and `hashed` does not change
        // once `I_NEW` is cleared.
        unsafe { (*Self::of(inode)).hashed }
    }

    /// Records that [`SuperBlock::iget`](sb::SuperBlock::iget) made `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode allocated by [`Cache::alloc`], made by `iget_locked()` and
    /// still `I_NEW`, whose data is initialised.
    #[inline]
    pub(crate) unsafe fn set_hashed(inode: *mut bindings::inode) {
        // INVARIANT: By the safety requirements.
        // SAFETY: By the safety requirements the box is valid and nobody else uses it.
        unsafe { (*Self::of(inode)).hashed = true };
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

    /// The offset map of the directory `dir`, if it has one: its own, or the shared empty one,
    /// which nobody may change (see [`offsets`]).
    ///
    /// # Safety
    ///
    /// `dir` must be a valid inode allocated by [`Cache::alloc`], whose `i_rwsem` the caller
    /// holds, or that nobody else uses. The pointer is valid while the inode is and the lock is
    /// held.
    pub(super) unsafe fn offsets(dir: *mut bindings::inode) -> Option<*mut bindings::offset_ctx> {
        // SAFETY: By the safety requirements the box is valid; `offsets` only changes under the
        // directory's `i_rwsem` held for writing (type invariants), so not while the caller holds
        // it, shared or not, or while nobody else uses the inode.
        let map = unsafe { (*Self::of(dir)).offsets };
        (!map.is_null()).then_some(map)
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
    // SAFETY: By the safety requirements the box is valid, and its map is not null.
    unsafe { (*INodeBox::of(inode)).offsets }
}

impl<D> InitOnce for INodeObj<D> {
    fn init_once(obj: &mut MaybeUninit<Self>) {
        // SAFETY: `obj` is valid for writes; its inode is initialised once, here.
        unsafe {
            let inode = &raw mut (*obj.as_mut_ptr()).head.inode;
            bindings::inode_init_once(Opaque::cast_into(inode));
        }
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

/// The slab cache that the inodes of a file system type are allocated from, with their data of
/// type `D` ([`FileSystem::INodeData`]), and what all its inodes share ([`Common`]), owned by its
/// [`Registration`](crate::fs::Registration).
///
/// # Invariants
///
/// `slab` is a slab cache of [`INodeObj<D>`] objects whose inodes are initialised once
/// (`inode_init_once()`) when their slab is made.
pub(crate) struct Cache<D> {
    slab: KmemCache<INodeObj<D>>,
    pub(super) common: Common,
}

/// What the inodes of a file system type share, whatever their data: the hash table of their
/// in-memory extended attributes (`struct simple_xattr_cache`), and how the type charges their
/// pages and their extended attributes.
pub(crate) struct Common {
    pub(super) xattrs: KBox<Opaque<bindings::simple_xattr_cache>>,
    pub(super) pages: Option<Charge>,
    pub(super) xattr_charge: Option<Charge>,
}

// SAFETY: An extended attribute cache may be used and destroyed on any thread; the objects of
// the slab cache are reachable only through the inodes, whose data is `Send`.
unsafe impl<D: Send> Send for Cache<D> {}

// SAFETY: The `simple_xattr` functions and the slab allocator do their own locking.
unsafe impl<D: Sync> Sync for Cache<D> {}

impl<D> Cache<D> {
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
    /// (`SLAB_ACCOUNT`), but not as reclaimable: the inodes of
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) are pinned by their dentries until
    /// they are removed, as tmpfs's are (`shmem_inode_cache` has `SLAB_ACCOUNT` only). (The
    /// unused inodes of [`SuperBlock::iget`](sb::SuperBlock::iget) that the VFS keeps can be
    /// reclaimed, but are counted as unreclaimable slab memory.)
    pub(crate) fn new(
        fs_name: &CStr,
        pages: Option<Charge>,
        xattr_charge: Option<Charge>,
    ) -> Result<Self> {
        // An empty table: `simple_xattr_set()` allocates it with the first attribute.
        let xattrs = KBox::new(Opaque::new(pin_init::zeroed()), GFP_KERNEL)?;
        let name = CString::try_from_fmt(fmt!("rust_{}_inode_cache", fs_name.to_str()?))?;
        // INVARIANT: `INodeObj::init_once` initialises the inode of each object once; the table is
        // empty.
        Ok(Self {
            slab: KmemCache::new(&name, slab::Flag::Account.into())?,
            common: Common {
                xattrs,
                pages,
                xattr_charge,
            },
        })
    }

    /// Allocates an inode for `sb` (`alloc_inode_sb()`), or returns null.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock whose inodes the VFS releases with `destroy_inode::<D>` and
    /// `free_inode::<D>`, and `self` must not move while it has inodes.
    pub(crate) unsafe fn alloc(&self, sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: `sb` and the cache are valid.
        let obj = unsafe { bindings::alloc_inode_sb(sb, self.slab.as_raw(), bindings::GFP_KERNEL) };
        let obj = obj.cast::<INodeBox>();
        if obj.is_null() {
            return ptr::null_mut();
        }
        // INVARIANT: The box records its cache, and has no extended attribute and no data yet.
        // SAFETY: `obj` is a valid object of the cache, not yet used by anybody else.
        unsafe {
            (*obj).cache = &self.common;
            let list = &raw mut (*obj).xattrs;
            list.write(bindings::list_head {
                next: list,
                prev: list,
            });
            (&raw mut (*obj).xattr_limits).write(pin_init::zeroed());
            (*obj).offsets = ptr::null_mut();
            (*obj).pages = 0;
            (*obj).has_data = false;
            (*obj).hashed = false;
            (*obj).inode.get()
        }
    }
}

impl<D> Drop for Cache<D> {
    fn drop(&mut self) {
        // SAFETY: No inode of the cache is allocated any more (the file system type is unregistered
        // and its superblocks are gone), so only the RCU callbacks that free them (`free_inode`)
        // are left to wait for before the slab cache goes (after this). Every inode took its
        // extended attributes out of the table in `destroy_inode`.
        unsafe {
            bindings::rcu_barrier();
            bindings::simple_xattr_cache_cleanup(self.common.xattrs.get());
        }
    }
}

/// Releases what the abstractions keep with `inode`, its in-memory extended attributes and its
/// offset map, gives back the pages and the bytes of extended attributes it was charged for, and
/// drops the file system's data of the inode, if it has any (`super_operations.destroy_inode`,
/// called from `evict()`, after `evict_inode`, and when `alloc_inode()` fails, before the
/// superblock's data goes).
///
/// The data is dropped here, in process context, rather than in [`free_inode`] after an RCU
/// grace period: no Rust code sees the inode in an RCU path walk, in which the VFS may still
/// look at an inode that is being destroyed.
///
/// # Safety
///
/// Called by the VFS, once, with an inode allocated by [`Cache::alloc`] of a `Cache<D>` that is
/// going away.
pub(crate) unsafe extern "C" fn destroy_inode<D>(inode: *mut bindings::inode) {
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
    // SAFETY: The inode is valid and in the head of an `INodeObj<D>`, whose data is initialised
    // if `has_data` (type invariants of `INodeBox`); nobody uses the inode any more, and nobody
    // but the RCU path walk, which no Rust code takes part in, may still look at it.
    unsafe {
        let b = INodeBox::of(inode);
        if (*b).has_data {
            (*b).has_data = false;
            ptr::drop_in_place(INodeBox::data::<D>(inode));
        }
    }
}

/// Frees the memory of `inode` (`super_operations.free_inode`), after an RCU grace period.
///
/// # Safety
///
/// Called by the VFS, once, with an inode allocated by [`Cache::alloc`] of a `Cache<D>` that
/// nobody uses any more.
pub(crate) unsafe extern "C" fn free_inode<D>(inode: *mut bindings::inode) {
    // SAFETY: By the safety requirements the inode is in the head of an `INodeObj<D>` (not
    // null), which records the common part of its `Cache<D>`, and is not used any more; the
    // cache, from which the inode was allocated, outlives it (see `Cache::drop`). A symbolic
    // link's `i_link` is null or memory from `kmalloc()` that only the inode refers to.
    unsafe {
        // A symbolic link's target kept with the inode (`New::write_symlink`), read by the path
        // walk under RCU until now; no other link has one (`i_link` is null).
        if u32::from((*inode).i_mode) & bindings::S_IFMT == bindings::S_IFLNK {
            bindings::kfree((*inode).__bindgen_anon_5.i_link.cast());
        }
        let obj = INodeBox::of(inode);
        let cache = crate::container_of!((*obj).cache.cast_mut(), Cache<D>, common);
        (*cache)
            .slab
            .free(NonNull::new_unchecked(obj.cast::<INodeObj<D>>()));
    }
}
