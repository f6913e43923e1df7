// SPDX-License-Identifier: GPL-2.0

//! Folios: the memory of the page cache, one or more contiguous pages at a time.
//!
//! A [`Folio`] is reference counted (`ARef<Folio>` owns a reference). Its lock (`folio_lock()`)
//! is held by a [`Locked`] guard, which unlocks it when dropped: only a holder of the lock may
//! read what the folio holds into Rust memory, change it or mark it up to date. Its bytes are
//! never reachable through a Rust reference: they are copied in and out by the C functions,
//! because users of the page cache that the lock does not exclude (a write through a mapping)
//! may touch them at any time, as in C.
//!
//! Every folio that Rust code can reach holds initialised bytes: [`Folio::alloc`] zeroes its
//! folios, and the abstractions zero a folio of the page cache that is not up to date before
//! they give it to a file system, but for the bytes a write is about to copy to: a [`ForWrite`]
//! gives no access to the folio's bytes, and zeroes those before anything can read them.
//!
//! C headers: [`include/linux/mm.h`](srctree/include/linux/mm.h),
//! [`include/linux/pagemap.h`](srctree/include/linux/pagemap.h) and
//! [`include/linux/highmem.h`](srctree/include/linux/highmem.h)

use crate::{
    alloc::Flags,
    bindings,
    error::{code::*, Result},
    fs::file::Offset,
    iov::IovIterDest,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};
use core::{cell::Cell, marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

/// A folio (`struct folio`).
///
/// # Invariants
///
/// A `&Folio` is only made for a folio whose reference count stays above zero for as long as
/// the `&Folio` lives (a reference its holder keeps, or the page cache's while the folio is
/// locked in it); so the folio is neither freed nor split (which needs every reference but the
/// splitter's to be gone) meanwhile. Its bytes are initialised.
///
/// # Examples
///
/// ```
/// use kernel::fs::folio::Folio;
///
/// let folio = Folio::alloc(GFP_KERNEL, 1)?;
/// assert_eq!(folio.size(), 2 * kernel::page::PAGE_SIZE);
/// let locked = folio.lock();
/// assert!(folio.try_lock().is_none());
/// locked.write(10, b"hello")?;
/// // Writing or reading beyond the folio fails.
/// assert_eq!(locked.write(folio.size() - 1, b"hi"), Err(EINVAL));
/// let mut buf = [0xffu8; 15];
/// locked.read(0, &mut buf)?;
/// // A new folio is zeroed.
/// assert_eq!(&buf, b"\0\0\0\0\0\0\0\0\0\0hello");
/// locked.zero(10, 2)?;
/// locked.read(8, &mut buf[..4])?;
/// assert_eq!(&buf[..4], b"\0\0\0\0");
/// assert_eq!(locked.read(usize::MAX, &mut buf), Err(EINVAL));
/// assert!(!folio.is_dirty());
/// locked.mark_dirty();
/// assert!(folio.is_dirty());
/// drop(locked);
/// assert!(folio.try_lock().is_some());
/// // A folio in no page cache is only unlocked.
/// let other = Folio::alloc(GFP_KERNEL, 0)?;
/// kernel::fs::folio::Locked::new(other.clone()).remove()?;
/// assert!(other.try_lock().is_some());
/// # Ok::<(), Error>(())
/// ```
#[repr(transparent)]
pub struct Folio(Opaque<bindings::folio>);

// SAFETY: A folio may be used and released (`folio_put()`) on any thread.
unsafe impl Send for Folio {}

// SAFETY: The methods of `&Folio` either read what is stable while a reference is held (its
// position, its size) or use the C functions, which synchronise (atomic flags, the folio lock)
// or copy bytes that other users may change at any time, as they do in C.
unsafe impl Sync for Folio {}

// SAFETY: A `&Folio` keeps the reference count above zero (type invariants), so incrementing it
// is valid, and `ARef<Folio>` owns the reference it gets.
unsafe impl AlwaysRefCounted for Folio {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The folio is valid, with a reference (type invariants).
        unsafe { bindings::folio_get(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference that it owns.
        unsafe { bindings::folio_put(obj.cast().as_ptr()) };
    }
}

impl Folio {
    /// Allocates a folio of `2^order` zeroed pages, not in any page cache, with one reference.
    ///
    /// Fails with `EINVAL` if `order` is above `MAX_PAGE_ORDER`, and with `ENOMEM` if the
    /// memory cannot be had.
    pub fn alloc(flags: Flags, order: u32) -> Result<ARef<Self>> {
        if order > bindings::MAX_PAGE_ORDER {
            return Err(EINVAL);
        }
        let flags = flags | crate::alloc::flags::__GFP_ZERO;
        // SAFETY: Any flags and an order up to `MAX_PAGE_ORDER` may be passed.
        let folio = unsafe { bindings::folio_alloc(flags.as_raw(), order) };
        let folio = NonNull::new(folio).ok_or(ENOMEM)?;
        // SAFETY: The new folio has one reference, which the `ARef` owns from now on.
        Ok(unsafe { ARef::from_raw(folio.cast()) })
    }

    /// Creates a [`Folio`] reference for a folio.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a folio with initialised bytes whose reference count stays above zero
    /// for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::folio) -> &'a Self {
        // SAFETY: The folio is valid for `'a`; `Folio` is a transparent wrapper.
        // INVARIANT: By the safety requirements.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer to the C `struct folio`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::folio {
        self.0.get()
    }

    /// The mapping whose page cache the folio is in, or null (for one, after truncation).
    /// Stable while the folio is locked.
    #[inline]
    pub(crate) fn mapping(&self) -> *mut bindings::address_space {
        // SAFETY: The folio is valid (type invariants); the C code reads the field the same way.
        unsafe { (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1.mapping }
    }

    /// The position in its file of the first byte of the folio, for a folio of the page cache.
    #[inline]
    pub fn pos(&self) -> Offset {
        // SAFETY: The folio is valid (type invariants).
        unsafe { bindings::folio_pos(self.as_raw()) }
    }

    /// The number of bytes of the folio.
    #[inline]
    pub fn size(&self) -> usize {
        // SAFETY: The folio is valid (type invariants); its size does not change while a
        // reference is held.
        unsafe { bindings::folio_size(self.as_raw()) }
    }

    /// Whether the folio holds the data of its file (`folio_test_uptodate()`).
    #[inline]
    pub fn is_uptodate(&self) -> bool {
        // SAFETY: The folio is valid (type invariants).
        unsafe { bindings::folio_test_uptodate(self.as_raw()) }
    }

    /// Whether the folio is dirty (`folio_test_dirty()`): changed since it was last written
    /// back, or marked so that nothing drops it ([`Locked::mark_dirty`]).
    #[inline]
    pub fn is_dirty(&self) -> bool {
        // SAFETY: The folio is valid (type invariants).
        unsafe { bindings::folio_test_dirty(self.as_raw()) }
    }

    /// Locks the folio (`folio_lock()`), waiting for its holder to unlock it if needed.
    ///
    /// Locking a folio whose lock the caller holds waits for ever, as in C.
    #[inline]
    pub fn lock(&self) -> Locked<&Self> {
        Locked::new(self)
    }

    /// Locks the folio if it is unlocked (`folio_trylock()`).
    #[inline]
    pub fn try_lock(&self) -> Option<Locked<&Self>> {
        // The guard is made only if the lock was taken: dropping one unlocks the folio.
        // SAFETY: The folio is valid (type invariants).
        if unsafe { bindings::folio_trylock(self.as_raw()) } {
            // INVARIANT: The lock was taken for the guard.
            Some(Locked(self, PhantomData))
        } else {
            None
        }
    }
}

impl Folio {
    /// Copies `len` bytes of the folio from `offset` on to `to` (`copy_folio_to_iter()`), and
    /// returns how many it copied: fewer if `to` ends or faults.
    ///
    /// Fails with `EINVAL` if the range is not within the folio. It takes no lock, as
    /// `filemap_read()` does not: the bytes are those of the moment, and a writer of the page
    /// cache may change them meanwhile. They are copied by C code into the IO vector (userspace
    /// memory, mostly), which Rust code only reads through C code too.
    pub fn copy_to_iter(
        &self,
        offset: usize,
        len: usize,
        to: &mut IovIterDest<'_>,
    ) -> Result<usize> {
        check_range(self, offset, len)?;
        // SAFETY: The folio is valid (type invariants), the range is within it, and `to` is a
        // valid destination. The bytes are copied by C code, from C code to C code.
        Ok(unsafe { bindings::copy_folio_to_iter(self.as_raw(), offset, len, to.as_raw()) })
    }
}

/// Fails with `EINVAL` unless `[offset, offset + len)` is within `folio`.
#[inline]
fn check_range(folio: &Folio, offset: usize, len: usize) -> Result {
    match offset.checked_add(len) {
        Some(end) if end <= folio.size() => Ok(()),
        _ => Err(EINVAL),
    }
}

/// The ways a [`Locked`] guard may hold its folio: borrowed, or with a reference of its own.
pub trait FolioRef: Deref<Target = Folio> + private::Sealed {}

impl FolioRef for &Folio {}
impl FolioRef for ARef<Folio> {}

mod private {
    pub trait Sealed {}
    impl Sealed for &super::Folio {}
    impl Sealed for crate::sync::aref::ARef<super::Folio> {}
}

/// A folio whose lock the guard holds, and unlocks (`folio_unlock()`) when dropped.
///
/// `R` is how it holds the folio: `&Folio` for a folio whose reference somebody else keeps
/// (a page-cache operation's caller, [`Folio::lock`]), [`ARef<Folio>`] for one it keeps a
/// reference to, dropped after the unlock. Only the two may hold a folio (the trait is sealed),
/// so that the folio unlocked is always the one that was locked.
///
/// A guard may be sent to another thread (a folio's lock is not owned by a task), but not shared
/// between threads: two threads would write the folio at once.
///
/// # Invariants
///
/// The folio's lock is held for the guard, which releases it once.
pub struct Locked<R: FolioRef = ARef<Folio>>(R, PhantomData<Cell<()>>);

impl<R: FolioRef> Locked<R> {
    /// Locks `folio` (`folio_lock()`), waiting for its holder to unlock it if needed.
    pub fn new(folio: R) -> Self {
        // SAFETY: The folio is valid: `R` holds a reference or borrows a `&Folio`.
        unsafe { bindings::folio_lock(folio.as_raw()) };
        // INVARIANT: The lock was taken for the guard.
        Self(folio, PhantomData)
    }

    /// Copies the bytes of the folio from `offset` on into `dst`, all of it.
    ///
    /// Fails with `EINVAL` if the range is not within the folio. The bytes are those of the
    /// moment: while the folio is mapped, a write through the mapping may change them meanwhile.
    pub fn read(&self, offset: usize, dst: &mut [u8]) -> Result {
        check_range(self, offset, dst.len())?;
        if !dst.is_empty() {
            // SAFETY: The folio is valid and locked (type invariants), the range is within it,
            // and `dst` is valid for writes of its length. Writers of the page cache hold the
            // lock; a write through a mapping is the user's, as for `copy_from_user()`.
            unsafe {
                bindings::memcpy_from_folio(
                    dst.as_mut_ptr().cast(),
                    self.as_raw(),
                    offset,
                    dst.len(),
                )
            };
        }
        Ok(())
    }

    /// Marks the folio up to date (`folio_mark_uptodate()`): it holds the data of its file, so
    /// that readers use it from now on. It must have been filled before.
    #[inline]
    pub fn mark_uptodate(&self) {
        // SAFETY: The folio is valid and locked (type invariants).
        unsafe { bindings::folio_mark_uptodate(self.as_raw()) };
    }

    /// Marks the folio dirty (`folio_mark_dirty()`, through the `dirty_folio` operation of its
    /// mapping, if it has one): its page cache holds data that is not written back yet.
    /// Reclaim and `drop_caches` leave a dirty folio in the page cache until it is written
    /// back or truncated; with address-space operations that write nothing back (without
    /// `writepages`), until it is truncated.
    #[inline]
    pub fn mark_dirty(&self) {
        // SAFETY: The folio is valid and locked (type invariants), so its mapping is stable.
        unsafe { bindings::folio_mark_dirty(self.as_raw()) };
    }

    /// Copies `src` into the folio from `offset` on (`memcpy_to_folio()`).
    ///
    /// Fails with `EINVAL` if the range is not within the folio.
    pub fn write(&self, offset: usize, src: &[u8]) -> Result {
        check_range(self, offset, src.len())?;
        if !src.is_empty() {
            // SAFETY: The folio is valid and locked (type invariants), the range is within it,
            // and `src` is valid for reads of its length.
            unsafe {
                bindings::memcpy_to_folio(self.as_raw(), offset, src.as_ptr().cast(), src.len())
            };
        }
        Ok(())
    }

    /// Zeroes `len` bytes of the folio from `offset` on (`folio_zero_range()`).
    ///
    /// Fails with `EINVAL` if the range is not within the folio.
    pub fn zero(&self, offset: usize, len: usize) -> Result {
        check_range(self, offset, len)?;
        if len > 0 {
            // SAFETY: The folio is valid and locked (type invariants); the range is within it.
            unsafe { bindings::folio_zero_range(self.as_raw(), offset, len) };
        }
        Ok(())
    }
}

/// Removes `folio` from `mapping` (`generic_error_remove_folio()`), unless it is under
/// write-back, which needs it in its mapping until it ends: then fails with `EBUSY`.
///
/// # Safety
///
/// `folio` must be a valid folio that the caller locked and holds a reference to, in `mapping`.
pub(crate) unsafe fn remove_unless_writeback(
    folio: *mut bindings::folio,
    mapping: *mut bindings::address_space,
) -> Result {
    // SAFETY: The folio is valid and locked, so its flags and mapping are stable.
    if unsafe { bindings::folio_test_writeback(folio) } {
        return Err(EBUSY);
    }
    // SAFETY: As above; the caller's reference keeps the folio after the page cache drops its
    // own.
    crate::error::to_result(unsafe { bindings::generic_error_remove_folio(mapping, folio) })
}

impl Locked<ARef<Folio>> {
    /// Removes the folio from the page cache of its file and from the mappings of the file
    /// (`generic_error_remove_folio()`), then unlocks it and drops the reference: for a folio
    /// that a file system added and cannot fill, for one a folio it cannot charge. What it held
    /// is gone from the file, as if a hole had been punched there. A folio in no page cache is
    /// only unlocked.
    ///
    /// Fails with `EIO`, leaving the folio where it is, if its file is not a regular file, and
    /// with `EBUSY` if the folio is under write-back
    /// ([`UnderWriteback`](super::address_space::writeback::UnderWriteback)): the write-back
    /// needs it in its mapping until it ends.
    pub fn remove(self) -> Result {
        let mapping = self.mapping();
        if mapping.is_null() {
            return Ok(());
        }
        // SAFETY: The folio is valid and locked (type invariants), in `mapping`; the guard's
        // reference keeps the folio after the page cache drops its own.
        unsafe { remove_unless_writeback(self.as_raw(), mapping) }
    }

    /// Gives up the guard without unlocking: the caller owns the lock and the reference.
    #[inline]
    pub(crate) fn into_raw(self) -> *mut bindings::folio {
        let me = ManuallyDrop::new(self);
        // SAFETY: `me` is not used or dropped after this, so the reference is read out once.
        let folio = unsafe { core::ptr::read(&me.0) };
        ARef::into_raw(folio).as_ptr().cast()
    }

    /// Makes a guard for a locked folio with a reference, which it takes over.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a folio with initialised bytes whose lock the caller holds and gives
    /// to the guard, with a reference that it gives to the guard too.
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: NonNull<bindings::folio>) -> Self {
        // INVARIANT: The caller gives the lock and a reference.
        // SAFETY: The caller gives a reference.
        Self(unsafe { ARef::from_raw(ptr.cast()) }, PhantomData)
    }
}

impl<'a> Locked<&'a Folio> {
    /// Makes a guard for a locked folio, for `'a`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a folio with initialised bytes whose lock the caller holds and gives
    /// to the guard, and whose reference count stays above zero for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::folio) -> Self {
        // INVARIANT: The caller gives the lock.
        // SAFETY: The reference count stays above zero for `'a`.
        Self(unsafe { Folio::from_raw(ptr) }, PhantomData)
    }
}

impl<R: FolioRef> Deref for Locked<R> {
    type Target = Folio;

    #[inline]
    fn deref(&self) -> &Folio {
        &self.0
    }
}

impl<R: FolioRef> Drop for Locked<R> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: The folio is valid and its lock is held for the guard, which releases it
        // once, here (type invariants). `R` drops its reference, if any, after this.
        unsafe { bindings::folio_unlock(self.as_raw()) };
    }
}

/// A locked folio of the page cache, with a reference, that a write is about to copy into: the
/// folio that [`Operations::write_begin`](super::address_space::Operations::write_begin)
/// returns.
///
/// A folio that is not up to date may hold, in the range the write copies to (its window),
/// whatever its memory held before: the abstractions zero only the rest of it, as
/// `simple_write_begin()` does, because the copy overwrites the window and zeroing it first
/// would double the cost of writing new pages. So the guard gives no access to the folio's bytes:
/// it can only tell the folio's position, size and state, mark it dirty, give it up with
/// [`ForWrite::remove`], or become a [`Locked`] guard ([`ForWrite::into_locked`]), which zeroes
/// the window first. Dropped, it zeroes the window too, then unlocks the folio and drops the
/// reference. After the copy, the abstractions zero what the copy did not reach before
/// [`Operations::write_end`](super::address_space::Operations::write_end) sees the folio.
///
/// # Invariants
///
/// `ptr` points to a folio whose lock and a reference are held for the guard, which releases
/// them once; `pos` and `size` are its position and size (which do not change while a
/// reference is held). Its bytes are initialised but for `offset..offset + len`, which is within
/// the folio; `len` is 0 if the folio is up to date.
pub struct ForWrite {
    ptr: NonNull<bindings::folio>,
    pos: Offset,
    size: usize,
    offset: usize,
    len: usize,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: A folio's lock is not owned by a task, and its reference may be dropped on any thread.
unsafe impl Send for ForWrite {}

impl ForWrite {
    /// Makes a guard for a locked folio with a reference, which it takes over, with the `len`
    /// bytes from the position `pos` in the file on (as many of them as the folio holds) left
    /// as they are if it is not up to date; the rest of a folio that is not up to date is
    /// zeroed.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a folio of a page cache whose lock the caller holds and gives to the
    /// guard, with a reference that it gives to the guard too, and that holds the byte at `pos`.
    /// If it is up to date, its bytes must be initialised.
    #[inline(always)]
    pub(crate) unsafe fn from_raw(ptr: NonNull<bindings::folio>, pos: Offset, len: usize) -> Self {
        let folio = ptr.as_ptr();
        // SAFETY: The folio is valid and locked (safety section).
        let (fpos, size, up_to_date) = unsafe {
            (
                bindings::folio_pos(folio),
                bindings::folio_size(folio),
                bindings::folio_test_uptodate(folio),
            )
        };
        if up_to_date {
            // INVARIANT: An up-to-date folio's bytes are initialised.
            return Self {
                ptr,
                pos: fpos,
                size,
                offset: 0,
                len: 0,
                _not_sync: PhantomData,
            };
        }
        // The folio holds `pos`.
        let offset = (pos - fpos) as usize;
        let len = len.min(size - offset);
        // SAFETY: As above; both ranges are within the folio.
        unsafe {
            if offset > 0 {
                bindings::folio_zero_range(folio, 0, offset);
            }
            if offset + len < size {
                bindings::folio_zero_range(folio, offset + len, size - offset - len);
            }
        }
        // INVARIANT: The caller gives the lock and a reference; the folio's bytes outside the
        // window were zeroed.
        Self {
            ptr,
            pos: fpos,
            size,
            offset,
            len,
            _not_sync: PhantomData,
        }
    }

    #[inline]
    fn as_raw(&self) -> *mut bindings::folio {
        self.ptr.as_ptr()
    }

    /// The position in its file of the first byte of the folio.
    #[inline]
    pub fn pos(&self) -> Offset {
        self.pos
    }

    /// The number of bytes of the folio.
    #[inline]
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the folio holds the data of its file (`folio_test_uptodate()`).
    #[inline]
    pub fn is_uptodate(&self) -> bool {
        // SAFETY: The folio is valid (type invariants).
        unsafe { bindings::folio_test_uptodate(self.as_raw()) }
    }

    /// Whether the folio is dirty (`folio_test_dirty()`).
    #[inline]
    pub fn is_dirty(&self) -> bool {
        // SAFETY: The folio is valid (type invariants).
        unsafe { bindings::folio_test_dirty(self.as_raw()) }
    }

    /// Marks the folio dirty, as [`Locked::mark_dirty`].
    #[inline]
    pub fn mark_dirty(&self) {
        // SAFETY: The folio is valid and locked (type invariants), so its mapping is stable.
        unsafe { bindings::folio_mark_dirty(self.as_raw()) };
    }

    /// The mapping whose page cache the folio is in, or null. Stable while the folio is locked.
    #[inline]
    pub(crate) fn mapping(&self) -> *mut bindings::address_space {
        // SAFETY: The folio is valid (type invariants); the C code reads the field the same way.
        unsafe { (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1.mapping }
    }

    /// The range of the folio whose bytes the guard leaves as they are: empty if every byte of
    /// the folio is initialised.
    pub(crate) fn window(&self) -> (usize, usize) {
        (self.offset, self.len)
    }

    /// Zeroes the window (if the folio is not up to date, else it is empty) and returns a
    /// [`Locked`] guard with the lock and the reference: for a file system that fills the whole
    /// folio before the write (reading a block it writes a part of), or that is to read it.
    pub fn into_locked(mut self) -> Locked {
        self.zero_window();
        let me = ManuallyDrop::new(self);
        // SAFETY: The guard gives its lock and its reference, once (it is not dropped); every
        // byte of the folio is initialised now.
        unsafe { Locked::<ARef<Folio>>::from_raw(me.ptr) }
    }

    /// Zeroes the window, if it is not empty, and makes it empty: every byte of the folio is
    /// initialised afterwards, and the guard keeps the lock and the reference.
    #[inline]
    pub(crate) fn zero_window(&mut self) {
        if self.len > 0 {
            // SAFETY: The folio is valid and locked, the window within it (type invariants).
            unsafe { bindings::folio_zero_range(self.as_raw(), self.offset, self.len) };
            // INVARIANT: The window was the only range whose bytes were not initialised.
            self.offset = 0;
            self.len = 0;
        }
    }

    /// Removes the folio from the page cache, as [`Locked::remove`]: for a folio that a file
    /// system cannot charge.
    pub fn remove(self) -> Result {
        self.into_locked().remove()
    }

    /// Gives up the guard without unlocking: the caller owns the lock and the reference, and
    /// must not let any byte of the window be read before it is written or zeroed.
    #[inline]
    pub(crate) fn into_raw(self) -> *mut bindings::folio {
        ManuallyDrop::new(self).as_raw()
    }
}

impl From<Locked> for ForWrite {
    /// A folio whose bytes are all initialised: the window is empty.
    fn from(folio: Locked) -> Self {
        let (pos, size) = (folio.pos(), folio.size());
        let ptr = folio.into_raw();
        // INVARIANT: The guard gave its lock and its reference, and every byte is initialised.
        Self {
            // SAFETY: `into_raw()` returns the guard's non-null folio.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
            pos,
            size,
            offset: 0,
            len: 0,
            _not_sync: PhantomData,
        }
    }
}

impl Drop for ForWrite {
    fn drop(&mut self) {
        self.zero_window();
        // SAFETY: The lock and the reference are held for the guard, which releases them once,
        // here (type invariants).
        unsafe {
            bindings::folio_unlock(self.as_raw());
            bindings::folio_put(self.as_raw());
        }
    }
}
