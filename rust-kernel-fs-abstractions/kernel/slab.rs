// SPDX-License-Identifier: GPL-2.0

//! Slab caches: memory for many objects of one type.
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use crate::{bindings, error::Result, prelude::*};
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

/// How the objects of a slab cache of `Self` are initialised when the slab allocator makes them
/// (the cache's constructor), as `struct inode`'s `inode_init_once()` part is.
///
/// The slab allocator calls it once for each object of a new slab, and (with KFENCE) again for
/// each object it allocates from its own pool; otherwise an object keeps, from one allocation to
/// the next, what its last user left in it. It runs in the context of the allocation that needs
/// the object (atomic for `GFP_ATOMIC`), on any CPU, and must not allocate from the same cache.
///
/// It need not initialise all of `obj`: the code that allocates the objects (through
/// [`KmemCache::as_raw`], which needs `unsafe`) knows what its own implementation wrote. The
/// objects are never dropped: `Self`'s destructor does not run when they are freed.
pub trait InitOnce: Sized {
    /// Initialises the new object `obj`, which nobody else can see yet.
    fn init_once(obj: &mut MaybeUninit<Self>);
}

/// A slab cache (`struct kmem_cache`) of objects of type `T`.
///
/// Its objects are allocated by the C allocators that take a cache, such as `alloc_inode_sb()`,
/// given [`KmemCache::as_raw`], and given back with [`KmemCache::free`].
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
/// use kernel::{
///     bindings,
///     slab::{Flag, Flags, InitOnce, KmemCache},
/// };
///
/// struct Counter(u64);
///
/// impl InitOnce for Counter {
///     fn init_once(obj: &mut MaybeUninit<Self>) {
///         obj.write(Counter(7));
///     }
/// }
///
/// let cache = KmemCache::<Counter>::new(c"rust_doctest_counter", Flag::Account.into())?;
/// drop(cache);
///
/// // A name with a space or a `/`, an object of no size or one larger than the slab allocator
/// // takes, is refused.
/// assert_eq!(
///     KmemCache::<Counter>::new(c"rust doctest", Flags::default()).err(),
///     Some(EINVAL)
/// );
/// assert_eq!(
///     KmemCache::<Counter>::new(c"rust/doctest", Flags::default()).err(),
///     Some(EINVAL)
/// );
///
/// struct Nothing;
///
/// impl InitOnce for Nothing {
///     fn init_once(_obj: &mut MaybeUninit<Self>) {}
/// }
///
/// assert_eq!(
///     KmemCache::<Nothing>::new(c"rust_doctest_nothing", Flags::default()).err(),
///     Some(EINVAL)
/// );
///
/// struct Big([u8; bindings::KMALLOC_MAX_SIZE as usize + 1]);
///
/// impl InitOnce for Big {
///     fn init_once(_obj: &mut MaybeUninit<Self>) {}
/// }
///
/// assert_eq!(
///     KmemCache::<Big>::new(c"rust_doctest_big", Flags::default()).err(),
///     Some(EINVAL)
/// );
/// # Ok::<(), Error>(())
/// ```
pub struct KmemCache<T: InitOnce> {
    cache: NonNull<bindings::kmem_cache>,
    _t: PhantomData<T>,
}

// SAFETY: A slab cache may be used and destroyed on any thread; the objects of type `T` are only
// reachable through the C allocators, that is, through unsafe code.
unsafe impl<T: InitOnce> Send for KmemCache<T> {}

// SAFETY: The slab allocator does its own locking.
unsafe impl<T: InitOnce> Sync for KmemCache<T> {}

impl<T: InitOnce> KmemCache<T> {
    /// Makes a slab cache named `name` (which it copies) of objects of type `T`. It may sleep.
    ///
    /// Fails with `EINVAL` if `name` is not 1 to 255 ASCII letters, digits, `_` and `-` (others
    /// would garble `/proc/slabinfo` or the cache's `/sys/kernel/slab` entry), or if `T` has no
    /// size or is larger than the slab allocator takes (`KMALLOC_MAX_SIZE`); with `ENOMEM` if the
    /// slab allocator refuses, which it logs (it also refuses sizes a little below
    /// `KMALLOC_MAX_SIZE`, with the room its own metadata takes).
    ///
    /// A name in use is not refused, as for C callers, so choose one no other cache has (the
    /// file system abstractions use `rust_<name>_inode_cache`): the slab allocator warns of it
    /// with `CONFIG_DEBUG_VM`, and the new cache takes the `/sys/kernel/slab` entry of the one
    /// that had the name, which has none after the new one goes.
    pub fn new(name: &CStr, flags: Flags) -> Result<Self> {
        let bytes = name.to_bytes();
        if bytes.is_empty()
            || bytes.len() > 255
            || !bytes
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
        {
            return Err(EINVAL);
        }
        // A zero-sized `T` would get objects that KFENCE may place in its guard page.
        let size = core::mem::size_of::<T>();
        if size == 0 || size > bindings::KMALLOC_MAX_SIZE as usize {
            return Err(EINVAL);
        }
        let mut args: bindings::kmem_cache_args = pin_init::zeroed();
        args.align = core::mem::align_of::<T>() as c_uint;
        args.ctor = Some(Self::init_once);
        // SAFETY: `name` is a valid string, which the slab allocator copies, and `args` is valid
        // for the duration of the call. `size` fits: it is at most `KMALLOC_MAX_SIZE`.
        let cache = unsafe {
            bindings::__kmem_cache_create_args(
                name.as_char_ptr(),
                size as c_uint,
                &mut args,
                flags.into(),
            )
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

    /// Returns the raw pointer to the slab cache, for the allocators of the C API that take one,
    /// such as `alloc_inode_sb()`, whose objects go back with [`KmemCache::free`].
    ///
    /// Such an allocator must not be given `__GFP_ZERO`, which the slab allocator does not
    /// support for a cache with a constructor (it warns when it makes a slab for such an
    /// allocation, and may zero the objects after their constructor ran).
    pub fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.cache.as_ptr()
    }

    /// Gives `obj` back to the cache.
    ///
    /// # Safety
    ///
    /// `obj` must have been allocated from this cache, and nobody may use it any more.
    pub unsafe fn free(&self, obj: NonNull<T>) {
        // SAFETY: By the safety requirements.
        unsafe { bindings::kmem_cache_free(self.as_raw(), obj.as_ptr().cast()) };
    }
}

impl<T: InitOnce> Drop for KmemCache<T> {
    /// Destroys the cache. It may sleep.
    fn drop(&mut self) {
        // SAFETY: The cache is ours (type invariants). Objects still allocated from it, a bug of
        // the code that allocated them, are reported by `kmem_cache_destroy()`, which then keeps
        // the cache: no memory goes from under them. Objects freed after an RCU grace period
        // must be waited for by that code (`rcu_barrier()`) first.
        unsafe { bindings::kmem_cache_destroy(self.as_raw()) };
    }
}
