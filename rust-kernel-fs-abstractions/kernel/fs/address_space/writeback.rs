// SPDX-License-Identifier: GPL-2.0

//! Write-back: the dirty folios of a mapping written to where the file system keeps its data.
//!
//! C header: [`include/linux/writeback.h`](srctree/include/linux/writeback.h)

use crate::{
    bindings,
    error::{code::*, Error},
    ffi::c_int,
    fs::folio::{self, Folio},
    sync::aref::ARef,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr};

/// One pass of write-back over a mapping (`writeback_iter()` with a `struct writeback_control`):
/// what [`Operations::writepages`](super::Operations::writepages) gets.
///
/// [`Writeback::next_folio`] gives the dirty folios of the pass one at a time, in ascending order,
/// each locked and no longer marked dirty (for the write-back), as a [`Dirty`] guard that
/// borrows the pass: the folio it holds is given up before the next one is taken, as the C
/// protocol demands.
///
/// It is neither [`Send`] nor [`Sync`]: the pass belongs to the thread that runs it.
///
/// # Invariants
///
/// `mapping` and `wbc` are valid for `'a`, and the pass is driven only through this object;
/// `prev` is the folio `writeback_iter()` returned last, or null before the first call or once
/// the pass ended (`done`); `error` is the error the pass carries.
pub struct Writeback<'a> {
    mapping: *mut bindings::address_space,
    wbc: *mut bindings::writeback_control,
    prev: *mut bindings::folio,
    error: c_int,
    done: bool,
    /// The folios the pass gave out, and those whose write-back was started.
    taken: usize,
    started: usize,
    _p: PhantomData<&'a mut bindings::writeback_control>,
}

impl<'a> Writeback<'a> {
    /// Starts a pass.
    ///
    /// # Safety
    ///
    /// `mapping` and `wbc` must be valid for `'a`, `wbc` that of a `writepages` call on
    /// `mapping`, and nothing else may drive a pass with `wbc` meanwhile. The caller must call
    /// [`Writeback::finish`] before `'a` ends.
    pub(crate) unsafe fn new(
        mapping: *mut bindings::address_space,
        wbc: *mut bindings::writeback_control,
    ) -> Self {
        // INVARIANT: The caller gives the mapping and `wbc`; no folio was taken yet.
        Self {
            mapping,
            wbc,
            prev: ptr::null_mut(),
            error: 0,
            done: false,
            taken: 0,
            started: 0,
            _p: PhantomData,
        }
    }

    /// Whether the pass is for data integrity (`WB_SYNC_ALL`: `fsync(2)`, `sync(2)`, unmount):
    /// every folio that was dirty when it started must be written, or the pass fail. Else it is
    /// background write-back, which may stop early.
    pub fn for_integrity(&self) -> bool {
        // SAFETY: `wbc` is valid (type invariants).
        unsafe { (*self.wbc).sync_mode == bindings::writeback_sync_modes_WB_SYNC_ALL }
    }

    /// Takes the next dirty folio of the pass, or `None` once the pass is over (and for every
    /// call after).
    ///
    /// Background write-back ends the pass after the first error or once it wrote what it was
    /// asked for; a data-integrity pass goes on through every folio.
    pub fn next_folio(&mut self) -> Option<Dirty<'_, 'a>> {
        if self.done {
            return None;
        }
        // SAFETY: `mapping` and `wbc` are valid, and `prev` is what the last call returned, or
        // null for the first one (type invariants); no guard of it is left (guards borrow
        // `self`), so it is unlocked or under write-back.
        let folio =
            unsafe { bindings::writeback_iter(self.mapping, self.wbc, self.prev, &mut self.error) };
        self.prev = folio;
        if folio.is_null() {
            // A second call with a null folio would start the pass again.
            self.done = true;
            return None;
        }
        // SAFETY: `writeback_iter()` returned the folio locked, with the reference of the
        // pass's batch, kept until the next call, which the guard's borrow of `self` holds off;
        // a folio of the page cache has initialised bytes. The guard takes the lock.
        let folio = unsafe { folio::Locked::<&Folio>::from_raw(folio) };
        self.taken += 1;
        Some(Dirty {
            folio: ManuallyDrop::new(folio),
            pass: self,
        })
    }

    /// Records `errno` as the pass's error, unless it has one: the first one is returned.
    fn carry(&mut self, errno: c_int) {
        if self.error == 0 {
            self.error = errno;
        }
    }

    /// Ends the pass, with the folios it did not take left dirty, and returns its result: the
    /// error the file system returned, or the first one of the pass; else `EIO` if a
    /// data-integrity pass gave folios back, or lost them (a forgotten [`Dirty`] guard).
    pub(crate) fn finish(mut self, ret: Result<(), Error>) -> c_int {
        let own = ret.err().map(super::io_errno);
        if let Some(e) = own {
            // A pass that was not started is not started now: `writeback_iter()` would clear
            // the error.
            if self.prev.is_null() {
                return e;
            }
            self.carry(e);
        }
        // The C protocol: a pass goes on until `writeback_iter()` ends it. Each folio the file
        // system did not take is given back dirty.
        while let Some(dirty) = self.next_folio() {
            drop(dirty);
        }
        if let Some(e) = own {
            return e;
        }
        if self.error == 0 && self.taken > self.started && self.for_integrity() {
            return EIO.to_errno();
        }
        self.error
    }
}

/// A dirty folio of a write-back pass, locked, no longer marked dirty: the file system writes
/// its bytes where it keeps them.
///
/// It reads and writes the folio as a [`folio::Locked`] guard (through [`Deref`]), then either
/// starts the folio's write-back ([`Dirty::start_writeback`]), which unlocks it, or gives it
/// back dirty ([`Dirty::redirty`], or dropping the guard), which unlocks it too and leaves it
/// for a later pass. A guard forgotten (`core::mem::forget`) leaves the folio locked for good:
/// the next read, truncation or eviction of it, and the unmount, wait for ever; a
/// data-integrity pass that lost a guard so fails with `EIO`.
///
/// # Invariants
///
/// The folio is locked for the guard, with the reference of the pass's batch, and not under
/// write-back; the guard releases the lock once.
pub struct Dirty<'p, 'a> {
    folio: ManuallyDrop<folio::Locked<&'p Folio>>,
    pass: &'p mut Writeback<'a>,
}

impl Dirty<'_, '_> {
    /// Starts the write-back of the folio (`folio_start_writeback()`) and unlocks it: its bytes
    /// are being written from now on, and the page cache waits for the returned guard to end
    /// the write-back before the folio is truncated or written again. Ending it may happen on
    /// any thread, in any context (an I/O completion).
    pub fn start_writeback(self) -> UnderWriteback {
        let mut me = ManuallyDrop::new(self);
        me.pass.started += 1;
        let folio = ARef::from(&**me.folio);
        // SAFETY: The folio is locked and not under write-back (type invariants).
        unsafe { bindings::__folio_start_writeback(folio.as_raw(), false) };
        // SAFETY: `me` is not used or dropped after this, so the guard is read out once, and
        // dropped: the lock is released once.
        drop(unsafe { ptr::read(&*me.folio) });
        // INVARIANT: The write-back was started for the guard, which holds a reference.
        UnderWriteback(folio)
    }

    /// Gives the folio back dirty (`folio_redirty_for_writepage()`) and unlocks it: it could
    /// not be written now. With `Err(e)`, the pass carries `e`: background write-back stops, a
    /// data-integrity pass goes on and fails with it at the end.
    pub fn redirty(self, error: Result<(), Error>) {
        if let Err(e) = error {
            self.pass.carry(super::io_errno(e));
        }
        drop(self);
    }
}

impl<'p> Deref for Dirty<'p, '_> {
    type Target = folio::Locked<&'p Folio>;

    fn deref(&self) -> &Self::Target {
        &self.folio
    }
}

impl Drop for Dirty<'_, '_> {
    fn drop(&mut self) {
        // SAFETY: `wbc` is valid (invariants of the pass) and the folio is locked.
        unsafe { bindings::folio_redirty_for_writepage(self.pass.wbc, self.folio.as_raw()) };
        // SAFETY: The guard is not used after this: `self` is being dropped. Its lock is
        // released here, once.
        unsafe { ManuallyDrop::drop(&mut self.folio) };
    }
}

/// A folio under write-back, with a reference: the guard ends the write-back
/// (`folio_end_writeback()`) when it is dropped or [`UnderWriteback::end`] is called, after
/// recording the error that [`UnderWriteback::fail`] gives, if any.
///
/// It may be sent to and dropped on any thread, in any context, as an I/O completion does. A
/// guard that is leaked leaves the folio under write-back for good: a truncation of it, the
/// eviction of its inode and the unmount wait for it forever; so does one kept in the inode's
/// or the superblock's data, which are dropped only after that wait.
///
/// # Invariants
///
/// The folio's write-back was started for the guard, which ends it once.
pub struct UnderWriteback(ARef<Folio>);

impl UnderWriteback {
    /// Ends the write-back: the folio's bytes are where the file system keeps them.
    pub fn end(self) {
        drop(self);
    }

    /// Ends the write-back after recording `error` for the folio's mapping
    /// (`mapping_set_error()`): the next `fsync(2)` of the file reports it. The folio stays
    /// clean: its bytes are in the page cache, and are gone from it when it is evicted.
    pub fn fail(self, error: Error) {
        let mapping = self.0.mapping();
        if !mapping.is_null() {
            // SAFETY: A folio under write-back stays in its mapping, whose inode is valid
            // meanwhile: truncation, invalidation and eviction wait for the write-back, reclaim
            // and migration leave the folio alone, and `folio::Locked::remove()` refuses it.
            unsafe { bindings::mapping_set_error(mapping, super::io_errno(error)) };
        }
        drop(self);
    }
}

impl Deref for UnderWriteback {
    type Target = Folio;

    fn deref(&self) -> &Folio {
        &self.0
    }
}

impl Drop for UnderWriteback {
    fn drop(&mut self) {
        // SAFETY: The write-back was started for the guard, which ends it once, here (type
        // invariants); its reference keeps the folio meanwhile.
        unsafe { bindings::folio_end_writeback(self.0.as_raw()) };
    }
}
