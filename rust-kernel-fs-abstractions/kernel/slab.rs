// SPDX-License-Identifier: GPL-2.0

//! Slab caches: memory for many objects of one type.
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use crate::{
    alloc::{AllocError, Flags as Gfp},
    bindings,
    error::Result,
    prelude::*,
};
use core::{marker::PhantomData, mem::MaybeUninit, ptr::NonNull};

crate::impl_flags!(
    /// Flags of a slab cache (`slab_flags_t`), of those these abstractions support.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Flags(u32);

    /// A flag of a slab cache.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Flag {
        /// The objects are charged to the memory cgroup of the task that allocates them
        /// (`SLAB_ACCOUNT`).
        Account = bindings::SLAB_ACCOUNT,
    }
);

/// How the objects of a slab cache of `Self` are initialised once, when the slab allocator
/// makes them (the cache's constructor): an object keeps its state from one allocation to the
/// next, as `struct inode`'s `inode_init_once()` part does.
pub trait InitOnce: Sized {
    /// Initialises the new object `obj`, which nobody else can see yet.
    fn init_once(obj: &mut MaybeUninit<Self>);
}

/// A slab cache (`struct kmem_cache`) of objects of type `T`.
///
/// # Invariants
///
/// `cache` is a valid slab cache, owned by this value, of objects of the size and alignment of
/// `T` that the slab allocator initialises with [`InitOnce::init_once`].
///
/// # Examples
///
/// ```
/// use core::mem::MaybeUninit;
/// use kernel::slab::{Flags, InitOnce, KmemCache};
///
/// struct Counter(u64);
///
/// impl InitOnce for Counter {
///     fn init_once(obj: &mut MaybeUninit<Self>) {
///         obj.write(Counter(7));
///     }
/// }
///
/// let cache = KmemCache::<Counter>::new(c"rust_doctest_counter", Flags::default())?;
/// let obj = cache.alloc(GFP_KERNEL)?;
/// // SAFETY: The object was initialised once by the cache, and nobody else uses it.
/// assert_eq!(unsafe { obj.as_ref() }.0, 7);
/// // SAFETY: `obj` came from `cache` and is not used any more.
/// unsafe { cache.free(obj) };
/// # Ok::<(), Error>(())
/// ```
pub struct KmemCache<T: InitOnce> {
    cache: NonNull<bindings::kmem_cache>,
    _t: PhantomData<T>,
}

// SAFETY: A slab cache may be used and destroyed on any thread; the objects of type `T` are not
// reachable through `KmemCache` itself.
unsafe impl<T: InitOnce> Send for KmemCache<T> {}

// SAFETY: The slab allocator does its own locking.
unsafe impl<T: InitOnce> Sync for KmemCache<T> {}

impl<T: InitOnce> KmemCache<T> {
    /// Makes a slab cache named `name` (which it copies) of objects of type `T`.
    ///
    /// Fails with `ENOMEM` if the slab allocator refuses, which it logs. A name in use is not
    /// refused, as for C callers: the slab allocator warns of it with `CONFIG_DEBUG_VM`, and the
    /// new cache has no `/sys/kernel/slab` entry.
    pub fn new(name: &CStr, flags: Flags) -> Result<Self> {
        let mut args: bindings::kmem_cache_args = pin_init::zeroed();
        args.align = core::mem::align_of::<T>() as c_uint;
        args.ctor = Some(Self::init_once);
        let size = core::mem::size_of::<T>() as c_uint;
        // SAFETY: `name` is a valid string, which the slab allocator copies, and `args` is valid
        // for the duration of the call.
        let cache = unsafe {
            bindings::__kmem_cache_create_args(name.as_char_ptr(), size, &mut args, flags.into())
        };
        // INVARIANT: A cache of objects of the size and alignment of `T`, with the constructor
        // that calls `T::init_once`.
        Ok(Self {
            cache: NonNull::new(cache).ok_or(ENOMEM)?,
            _t: PhantomData,
        })
    }

    /// # Safety
    ///
    /// Called by the slab allocator with a new object of a cache made by [`KmemCache::new`].
    unsafe extern "C" fn init_once(obj: *mut c_void) {
        // SAFETY: The object is valid for writes, of the size and alignment of `T`, and nobody
        // else can see it yet.
        T::init_once(unsafe { &mut *obj.cast::<MaybeUninit<T>>() });
    }

    /// Returns the raw pointer to the slab cache, for allocators of the C API that take one,
    /// such as `alloc_inode_sb()`; their objects are freed with [`KmemCache::free`].
    pub fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.cache.as_ptr()
    }

    /// Allocates an object, initialised once by [`InitOnce::init_once`] and then left as its
    /// last user left it, or fails with [`AllocError`].
    pub fn alloc(&self, flags: Gfp) -> Result<NonNull<T>, AllocError> {
        // SAFETY: The cache is valid (type invariants).
        let obj = unsafe { bindings::kmem_cache_alloc(self.as_raw(), flags.as_raw()) };
        NonNull::new(obj.cast()).ok_or(AllocError)
    }

    /// Gives `obj` back to the cache.
    ///
    /// # Safety
    ///
    /// `obj` must have been allocated from this cache (by [`KmemCache::alloc`] or by a C
    /// allocator given [`KmemCache::as_raw`]), and nobody may use it any more.
    pub unsafe fn free(&self, obj: NonNull<T>) {
        // SAFETY: By the safety requirements.
        unsafe { bindings::kmem_cache_free(self.as_raw(), obj.as_ptr().cast()) };
    }
}

impl<T: InitOnce> Drop for KmemCache<T> {
    fn drop(&mut self) {
        // SAFETY: The cache is ours (type invariants), and no object of it can be in use: that
        // would need a shared borrow of `self`, or a pointer given to `free`, whose callers
        // give back all objects before the cache goes. Objects freed after an RCU grace
        // period must be waited for by the owner (`rcu_barrier()`) first.
        unsafe { bindings::kmem_cache_destroy(self.as_raw()) };
    }
}
