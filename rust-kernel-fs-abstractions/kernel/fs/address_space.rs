// SPDX-License-Identifier: GPL-2.0

//! Address spaces: the page cache of an inode.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/pagemap.h`](srctree/include/linux/pagemap.h)

use crate::{
    bindings,
    error::{code::*, Error, Result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_uint, c_ulong, c_void},
    fs::{
        file::{LocalFile, Offset},
        folio::{self, Folio},
        inode::{self, INode},
        FileSystem,
    },
    prelude::*,
    sync::aref::ARef,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

pub mod writeback;

/// A table of address-space operations (`struct address_space_operations`), chosen per inode,
/// with what [`SuperBlock::new_inode`](super::sb::SuperBlock::new_inode) checks of it.
///
/// They tell the page cache how to fill a folio that is not cached yet and what to do with a
/// folio that is written to.
pub struct Ops<T: FileSystem + ?Sized> {
    table: &'static bindings::address_space_operations,
    /// The table has `read_folio`.
    reads: bool,
    /// The table has `write_begin` and `write_end`.
    writes: bool,
    /// The table is made from an [`Operations`] implementation.
    rust: bool,
    /// The page cache must ask the table before a folio goes (`AS_RELEASE_ALWAYS`).
    release_always: bool,
    /// The table has `writepages`.
    writes_back: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: FileSystem + ?Sized> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: FileSystem + ?Sized> Copy for Ops<T> {}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The operations of a file whose data only ever lives in the page cache (`ram_aops`).
    ///
    /// A folio that is not cached yet reads as zeroes, writes go through `simple_write_begin()`
    /// and `simple_write_end()`, and a dirty folio is never written back: there is nowhere to
    /// write it to. Combine with [`Mapping::Unevictable`], or the data may be reclaimed.
    pub fn in_memory() -> Self {
        Self {
            // SAFETY: `ram_aops` is an immutable static of the kernel.
            table: unsafe { &bindings::ram_aops },
            reads: true,
            writes: true,
            rust: false,
            release_always: false,
            writes_back: false,
            _t: PhantomData,
        }
    }

    /// The operations that the implementation `U` of [`Operations`] provides, for regular
    /// files: [`SuperBlock::new_inode`](super::sb::SuperBlock::new_inode) refuses them for a
    /// symbolic link with `EINVAL`.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self {
            table: &Table::<U>::TABLE,
            reads: U::HAS_READ_FOLIO,
            writes: U::HAS_WRITE_BEGIN,
            rust: true,
            release_always: U::HAS_INVALIDATE_FOLIO || U::HAS_RELEASE_FOLIO,
            writes_back: U::HAS_WRITEPAGES,
            _t: PhantomData,
        }
    }

    /// Whether the operations are a Rust implementation's ([`Ops::new`]).
    pub fn is_rust(self) -> bool {
        self.rust
    }

    /// Whether the operations can fill a folio that is not up to date (`read_folio`), as the
    /// kernel's reads, faults and `page_get_link()` need.
    pub fn reads(self) -> bool {
        self.reads
    }

    /// Whether the operations can prepare and finish writes (`write_begin` and `write_end`), as
    /// the kernel's writes (`generic_perform_write()`) and `page_symlink()` need.
    pub fn writes(self) -> bool {
        self.writes
    }

    /// Whether the operations write dirty folios back (`writepages`), which
    /// [`SuperBlock::new_inode`](super::sb::SuperBlock::new_inode) only takes on a superblock
    /// whose write-back runs ([`SuperBlock::setup_bdi`](super::sb::SuperBlock::setup_bdi)).
    pub fn writes_back(self) -> bool {
        self.writes_back
    }

    /// Whether the page cache must call the operations' `invalidate_folio` and `release_folio`
    /// for every folio that goes (`mapping_set_release_always()`), not only for folios with
    /// private data (which these abstractions never give a folio).
    pub(crate) fn release_always(self) -> bool {
        self.release_always
    }

    /// Returns the raw pointer to the C `struct address_space_operations`.
    pub fn as_raw(self) -> *const bindings::address_space_operations {
        self.table
    }
}

/// The address-space operations of a kind of inode of a file system, written in Rust.
///
/// The page cache calls them with the folios of the inode's mapping. An operation that is not
/// implemented is absent from the C table, but for `dirty_folio`: a folio that is written to is
/// marked dirty (by the abstractions, after `write_end`, unless it is dirty already). Without
/// `writepages`, the folio is marked with `noop_dirty_folio()`, and a dirty folio stays in
/// memory until it is truncated, as a folio of ramfs: nothing writes it back. With it, the folio
/// is marked with `filemap_dirty_folio()`, which tags the folio and the inode for write-back.
/// The Rust `dirty_folio` is told afterwards, if the folio was clean. `write_begin` and
/// `write_end` are implemented both or neither (else the build fails).
///
/// Symbolic links cannot have these operations (see [`Ops::new`]): the kernel reads a link's
/// target from its folio without the folio's lock, trusting the NUL that ends it, so no Rust
/// code may get at that folio.
///
/// Folios have no private data through these abstractions. If `invalidate_folio` or
/// `release_folio` is implemented, the page cache calls them for every folio of the inode
/// (`AS_RELEASE_ALWAYS`), as it does for folios with private data. `invalidate_folio` is
/// called for every folio that a truncation, a punched hole or the eviction of the inode
/// removes, while it is still dirty: a file system that counts its dirty folios (that never
/// lose the flag without write-back) can count them out there. `release_folio` is only asked;
/// a folio may stay after it said yes, or go without another call. `free_folio` is not part
/// of the trait: reclaim calls it with the folio's reference count frozen at zero
/// (`__remove_mapping()`), so no [`Folio`] reference may be given to it.
#[vtable]
pub trait Operations {
    /// The file system the inodes belong to.
    type FileSystem: FileSystem + ?Sized;

    /// Fills `folio`, a folio of the page cache of `inode` that is not up to date, with the
    /// data of its file, marks it up to date, and unlocks it (by dropping the guard). The
    /// abstractions zeroed it first.
    ///
    /// If it is left not up to date, the read or fault that asked for it fails with `EIO`.
    /// `file` is the file the folio is read for, if any (`page_get_link()` has none). It must
    /// not lock other folios of the file: readahead holds the locks of the folios after it.
    fn read_folio(
        _file: Option<&LocalFile>,
        _inode: &INode<Self::FileSystem>,
        _folio: folio::Locked<&Folio>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the folio of the page cache of `inode` that the `len` bytes from `pos` on are to
    /// be written to (or their first part), locked, with a reference: usually
    /// [`Locked::folio_for_write`](inode::Locked::folio_for_write). If it is not up to date,
    /// the bytes of the folio around the write must be filled before [`Operations::write_end`]
    /// marks it up to date; `folio_for_write()` zeroes them. A file system that fills them
    /// itself gets a [`folio::Locked`] with [`folio::ForWrite::into_locked`] and returns it
    /// ([`folio::ForWrite::from`]).
    ///
    /// A folio that is not the inode's, or does not hold `pos`, is refused with `EIO`.
    fn write_begin(
        _file: Option<&LocalFile>,
        _inode: &inode::Locked<'_, Self::FileSystem>,
        _pos: Offset,
        _len: usize,
    ) -> Result<folio::ForWrite> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Finishes a write to `folio`, the one [`Operations::write_begin`] returned for `len`
    /// bytes at `pos`, of which the caller copied `copied`, and returns how many are written:
    /// `copied`, or 0 to have the caller try again (after a short copy into a folio that is not
    /// up to date, for one). More than `copied` counts as `copied`.
    ///
    /// If the folio is not up to date, the abstractions zeroed the bytes of the write that the
    /// caller did not copy (`copied..len` from `pos`) first, if `write_begin` left them as they
    /// were: every byte of the folio is initialised. A folio written to (more than 0 bytes)
    /// must be up to date when `write_end` returns (marked so, if the file system filled the
    /// rest), else the write fails with `EIO`: the next read would fill it again over what was
    /// written.
    ///
    /// The abstractions then extend the size of the inode to the end of the bytes written, if
    /// it is beyond, and unlock the folio and drop its reference, as `generic_write_end()`
    /// does.
    fn write_end(
        _file: Option<&LocalFile>,
        _inode: &inode::Locked<'_, Self::FileSystem>,
        _pos: Offset,
        _len: usize,
        _copied: usize,
        _folio: &folio::Locked,
    ) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Tells the file system that the bytes `offset..offset + len` of `folio`, a locked folio
    /// of the page cache of `inode`, are invalidated: the whole folio (`offset` 0 and `len` its
    /// size) just before a truncation, a punched hole or the eviction of the inode removes it
    /// from the page cache, or a part of it that a truncation or a punched hole zeroed and
    /// keeps (its end, or a range within it). A folio is still dirty, if it was, when it is
    /// invalidated whole; it is not after. During an eviction, `inode` is the inode being
    /// evicted (before [`FileSystem::evict_inode`]), good for its superblock and little else.
    ///
    /// It must not lock other folios of the file: a truncation holds the locks of a batch of
    /// them.
    ///
    /// A folio that is not up to date was zeroed first, as for the other operations.
    fn invalidate_folio(
        _inode: &INode<Self::FileSystem>,
        _folio: &folio::Locked<&Folio>,
        _offset: usize,
        _len: usize,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns whether `folio`, a locked folio of the page cache of `inode`, may be removed
    /// from it or have its private state dropped (`filemap_release_folio()`), as reclaim,
    /// `drop_caches`, `invalidate_inode_pages2()`, migration and pipe stealing ask, about clean
    /// and dirty folios. A yes does not mean the folio goes. It may be called in reclaim, from
    /// a caller that must not wait or allocate: it must not sleep, nor lock other folios of the
    /// file. Not implemented, the answer is yes.
    fn release_folio(_inode: &INode<Self::FileSystem>, _folio: &folio::Locked<&Folio>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes dirty folios of the page cache of `inode` back to where the file system keeps
    /// its data: those that the pass gives ([`writeback::Writeback::next_folio`]). Each is
    /// written, then its write-back started and ended ([`writeback::Dirty::start_writeback`],
    /// at once or when the I/O completes), or given back dirty.
    ///
    /// It is called by `fsync(2)`, `sync(2)`, the flusher threads, `fadvise(2)`, unmount and
    /// the eviction of an inode that still has links, on any thread, with no lock of the inode
    /// held (but for a Rust `fallocate` of the file that calls
    /// [`Opened::write_and_wait`](crate::fs::file::Opened::write_and_wait), under its
    /// `i_rwsem`): it may run while the file is read, written or truncated. While a truncation is
    /// under way, a folio beyond the new size may still be given: what is beyond the inode's
    /// size is not the file's. An eviction may happen in memory reclaim (the dentry shrinker
    /// puts the inode): a lock that it takes must not be held across an allocation that may
    /// enter reclaim for file systems (`GFP_KERNEL`; `GFP_NOFS` does not), as in C; and what
    /// an eviction fails to write back is lost (the error goes to the kernel log), where C
    /// file systems keep an inode with dirty folios cached. The VFS repeats a data-integrity
    /// pass that fails with `ENOMEM` until it does not.
    ///
    /// Folios it does not take are given back dirty when it returns. Its result is the pass's:
    /// its own error, or the first one a [`writeback::Dirty::redirty`] gave; else, for a
    /// data-integrity pass ([`writeback::Writeback::for_integrity`]) that gave folios back,
    /// `EIO`.
    fn writepages(
        _inode: &INode<Self::FileSystem>,
        _pass: &mut writeback::Writeback<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Tells that the folio of the page cache of `inode` holding the `len` bytes at `pos` has
    /// become dirty (`dirty_folio`): the abstractions marked it, and it was clean. A file system
    /// that counts its dirty folios, or reserves what their write-back will need, counts them
    /// in here ([`Operations::invalidate_folio`] sees those that a truncation removes dirty;
    /// [`Operations::writepages`], those that it writes).
    ///
    /// It is called wherever the kernel marks folios dirty, in any task: after a write, on a
    /// write fault, when a mapping that wrote to the folio is unmapped or reclaimed (under a
    /// page-table lock, a spinlock, in direct reclaim too), when a pin of the folio for
    /// writing ends (`unpin_user_pages_dirty_lock()`, a bio's pages), and when the file system
    /// itself marks a folio dirty ([`folio::Locked::mark_dirty`]), on its thread: a lock that
    /// it holds around such a call must not be taken here. So it must not sleep, and it gets no
    /// [`Folio`]: it may be locked or not, its bytes may be changing, and it may not be up to
    /// date yet.
    ///
    /// A pin that ends holds no reference to the inode: it may be called while `inode` is being
    /// evicted (then good for its superblock and little else), and such a folio then leaves
    /// the page cache dirty (told to [`Operations::invalidate_folio`], if implemented). A folio
    /// marked dirty in `invalidate_folio` loses the flag without another call.
    fn dirty_folio(_inode: &INode<Self::FileSystem>, _pos: Offset, _len: usize) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The C table of address-space operations of an implementation `U` of [`Operations`], and its
/// callbacks.
struct Table<U: Operations + ?Sized>(PhantomData<fn() -> U>);

type Fs<U> = <U as Operations>::FileSystem;

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::address_space_operations = {
        build_assert!(
            U::HAS_WRITE_BEGIN == U::HAS_WRITE_END,
            "write_begin and write_end are implemented both or neither"
        );
        Self::OPS
    };

    const OPS: bindings::address_space_operations = bindings::address_space_operations {
        read_folio: if U::HAS_READ_FOLIO {
            Some(Self::read_folio)
        } else {
            None
        },
        write_begin: if U::HAS_WRITE_BEGIN {
            Some(Self::write_begin)
        } else {
            None
        },
        write_end: if U::HAS_WRITE_END {
            Some(Self::write_end)
        } else {
            None
        },
        dirty_folio: if U::HAS_DIRTY_FOLIO {
            Some(Self::dirty_folio)
        } else if U::HAS_WRITEPAGES {
            Some(bindings::filemap_dirty_folio)
        } else {
            Some(bindings::noop_dirty_folio)
        },
        writepages: if U::HAS_WRITEPAGES {
            Some(Self::writepages)
        } else {
            None
        },
        // Migration warns of a table with `writepages` but no `migrate_folio`
        // (`fallback_migrate_folio()`); the folios have no private data to move.
        #[cfg(CONFIG_MIGRATION)]
        migrate_folio: if U::HAS_WRITEPAGES {
            Some(bindings::filemap_migrate_folio)
        } else {
            None
        },
        invalidate_folio: if U::HAS_INVALIDATE_FOLIO {
            Some(Self::invalidate_folio)
        } else {
            None
        },
        // With `AS_RELEASE_ALWAYS`, a table without `release_folio` would have the page cache
        // call `try_to_free_buffers()`, which warns of a folio without buffer heads.
        release_folio: if U::HAS_INVALIDATE_FOLIO || U::HAS_RELEASE_FOLIO {
            Some(Self::release_folio)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by `do_writepages()` with the valid mapping of an inode of `Fs<U>` with this
    /// table, whose inode it keeps for the call, and a valid `wbc` for the call.
    unsafe extern "C" fn writepages(
        mapping: *mut bindings::address_space,
        wbc: *mut bindings::writeback_control,
    ) -> c_int {
        // SAFETY: The mapping's inode is valid for the call, and of `Fs<U>`.
        let inode = unsafe { INode::<Fs<U>>::from_raw((*mapping).host) };
        // SAFETY: The mapping and `wbc` are valid for the call, `wbc` for this `writepages`
        // call; the pass is finished below.
        let mut pass = unsafe { writeback::Writeback::new(mapping, wbc) };
        let ret = U::writepages(inode, &mut pass);
        pass.finish(ret)
    }

    /// # Safety
    ///
    /// Called by `folio_mark_dirty()` with the mapping of an inode of `Fs<U>` with this table,
    /// which the caller keeps stable (it holds the folio's lock, or maps the folio), and a
    /// folio of it whose reference count it keeps above zero, for the call.
    unsafe extern "C" fn dirty_folio(
        mapping: *mut bindings::address_space,
        folio: *mut bindings::folio,
    ) -> bool {
        // SAFETY: See the function's safety section.
        let dirtied = unsafe {
            if U::HAS_WRITEPAGES {
                bindings::filemap_dirty_folio(mapping, folio)
            } else {
                bindings::noop_dirty_folio(mapping, folio)
            }
        };
        if dirtied {
            // SAFETY: The mapping is that of an inode of `Fs<U>`, valid while it has the folio;
            // the folio is valid.
            let (inode, pos, len) = unsafe {
                (
                    INode::<Fs<U>>::from_raw((*mapping).host),
                    bindings::folio_pos(folio),
                    bindings::folio_size(folio),
                )
            };
            U::dirty_folio(inode, pos, len);
        }
        dirtied
    }

    /// # Safety
    ///
    /// Called by the page cache (`folio_invalidate()`) with a locked folio whose reference
    /// count it keeps above zero, and a range within the folio.
    unsafe extern "C" fn invalidate_folio(folio: *mut bindings::folio, offset: usize, len: usize) {
        // SAFETY: See the function's safety section.
        unsafe { Self::leaving(folio, (), |i, f| U::invalidate_folio(i, f, offset, len)) }
    }

    /// # Safety
    ///
    /// Called by the page cache (`filemap_release_folio()`) with a locked folio whose
    /// reference count it keeps above zero.
    unsafe extern "C" fn release_folio(folio: *mut bindings::folio, _gfp: bindings::gfp_t) -> bool {
        if !U::HAS_RELEASE_FOLIO {
            return true;
        }
        // SAFETY: See the function's safety section.
        unsafe { Self::leaving(folio, true, U::release_folio) }
    }

    /// Calls `f` with the inode of `folio`, a folio that may leave the page cache, and a guard
    /// that lends its lock (never dropped, so it never unlocks), if the folio is still in a
    /// page cache; else returns `gone`.
    ///
    /// # Safety
    ///
    /// `folio` must be a folio whose lock the caller holds, and whose reference count it keeps
    /// above zero, for the call; if it is in a page cache, that of an inode of `Fs<U>` with this
    /// table.
    #[inline(always)]
    unsafe fn leaving<R>(
        folio: *mut bindings::folio,
        gone: R,
        f: impl FnOnce(&INode<Fs<U>>, &folio::Locked<&Folio>) -> R,
    ) -> R {
        // SAFETY: The folio is valid and locked, so its mapping is stable.
        let mapping = unsafe { (*folio).__bindgen_anon_1.__bindgen_anon_1.mapping };
        if mapping.is_null() {
            return gone;
        }
        // A folio that a fault added and never filled, or whose filling failed, holds whatever
        // its memory held before.
        // SAFETY: The folio is valid and locked.
        unsafe {
            if !bindings::folio_test_uptodate(folio) {
                bindings::folio_zero_range(folio, 0, bindings::folio_size(folio));
            }
        }
        // SAFETY: The folio is locked in the mapping, whose inode is valid and of `Fs<U>`.
        let inode = unsafe { INode::<Fs<U>>::from_raw((*mapping).host) };
        // SAFETY: The caller holds the lock for the call and keeps it: the guard is never
        // dropped. The folio's bytes are initialised, and its reference count stays above zero.
        let folio = ManuallyDrop::new(unsafe { folio::Locked::<&Folio>::from_raw(folio) });
        f(inode, &folio)
    }

    /// # Safety
    ///
    /// Called by the page cache with a locked folio of the mapping of an inode of `Fs<U>` that
    /// has this table, which the callee unlocks, and a file of the inode or null. The caller may
    /// hold no reference of its own (readahead); the page cache's keeps the folio while it is
    /// locked in it.
    unsafe extern "C" fn read_folio(
        file: *mut bindings::file,
        folio: *mut bindings::folio,
    ) -> c_int {
        // SAFETY: The folio is locked, so it stays in its mapping, whose inode is valid.
        let inode = unsafe { INode::<Fs<U>>::from_raw((*Folio::from_raw(folio).mapping()).host) };
        // SAFETY: The file, if any, is open for the call, on the thread that may use its
        // position.
        let file = (!file.is_null()).then(|| unsafe { LocalFile::from_raw_file(file) });
        // SAFETY: The folio is valid and locked, and its mapping with it.
        let mapping = unsafe { Folio::from_raw(folio).mapping() };
        // A reference of our own keeps the folio after the file system unlocks it (readahead's
        // caller holds none).
        // SAFETY: The page cache's reference keeps the locked folio meanwhile.
        unsafe { bindings::folio_get(folio) };
        // SAFETY: The caller gives the lock, and the reference above keeps the folio for the
        // call. Its bytes are initialised below, before the file system sees them.
        let guard = unsafe { folio::Locked::<&Folio>::from_raw(folio) };
        zero_if_not_uptodate(&guard);
        let ret = match U::read_folio(file, inode, guard) {
            Ok(()) => 0,
            Err(e) => io_errno(e),
        };
        // SAFETY: The folio is valid (the reference above), unlocked by the guard; the mapping is
        // its inode's, which the caller keeps.
        unsafe {
            remove_if_not_uptodate(folio, mapping);
            bindings::folio_put(folio);
        }
        ret
    }

    /// # Safety
    ///
    /// Called (by `generic_perform_write()`; symbolic links, for which `page_symlink()` calls
    /// it too, cannot have these operations) with a valid mapping of an
    /// inode of `Fs<U>` whose `i_rwsem` the caller holds for writing, a valid `kiocb` or null,
    /// and `foliop` and `fsdata` valid for writes. The caller copies at most `len` bytes, and
    /// no more than the folio holds, at `pos`, then passes what `fsdata` holds to `write_end`.
    unsafe extern "C" fn write_begin(
        iocb: *const bindings::kiocb,
        mapping: *mut bindings::address_space,
        pos: bindings::loff_t,
        len: c_uint,
        foliop: *mut *mut bindings::folio,
        fsdata: *mut *mut c_void,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (file, inode) = unsafe { Self::write_args(iocb, mapping) };
        let ret = (|| {
            let mut folio = U::write_begin(file, &inode, pos, len as usize)?;
            // The caller copies into the folio at `pos` and then releases it with `write_end`.
            let (fpos, size) = (folio.pos(), folio.size());
            if folio.mapping() != mapping || pos < fpos || pos - fpos >= size as Offset {
                return Err(EIO);
            }
            let offset = (pos - fpos) as usize;
            // The caller copies no more than the rest of the folio (`generic_perform_write()`).
            let copy = (offset, (len as usize).min(size - offset));
            if folio.window() != copy {
                // Bytes the copy does not overwrite are zeroed, in place.
                folio.zero_window();
            }
            // SAFETY: `fsdata` is valid for writes: it tells `write_end` whether the bytes of
            // the write are to be zeroed where the copy does not reach.
            unsafe { *fsdata = core::ptr::without_provenance_mut(folio.window().1) };
            // SAFETY: `foliop` is valid for writes; the caller takes the lock and the reference.
            unsafe { *foliop = folio.into_raw() };
            Ok(())
        })();
        match ret {
            Ok(()) => 0,
            Err(e) => io_errno(e),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::write_begin`], with `folio` the one it returned for `pos` and `len`, whose
    /// lock and reference the caller gives back, `copied` not above `len`, and `fsdata` what it
    /// stored.
    unsafe extern "C" fn write_end(
        iocb: *const bindings::kiocb,
        mapping: *mut bindings::address_space,
        pos: bindings::loff_t,
        len: c_uint,
        copied: c_uint,
        folio: *mut bindings::folio,
        fsdata: *mut c_void,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (file, inode) = unsafe { Self::write_args(iocb, mapping) };
        // The length of the window that `write_begin` left as it was, from `pos` on, if any:
        // what the copy did not reach is zeroed before the file system sees the folio.
        let window = fsdata.addr();
        if window > copied as usize {
            // SAFETY: The folio is valid and locked; it is not up to date (else the window would
            // be empty), and the window is within it, at `pos`.
            unsafe {
                let offset = (pos - bindings::folio_pos(folio)) as usize;
                bindings::folio_zero_range(
                    folio,
                    offset + copied as usize,
                    window - copied as usize,
                );
            }
        }
        // SAFETY: The caller gives back the lock and the reference of a valid folio.
        let folio =
            unsafe { folio::Locked::<ARef<Folio>>::from_raw(NonNull::new_unchecked(folio)) };
        let copied = copied as usize;
        match U::write_end(file, &inode, pos, len as usize, copied, &folio) {
            Ok(written) => {
                let written = written.min(copied);
                // A folio that is not up to date is filled again by the next read, over what was
                // written, and no folio may be written back or given to `read_folio` while dirty
                // and not up to date: these abstractions keep no state of parts of a folio.
                if written > 0 && !folio.is_uptodate() {
                    return EIO.to_errno();
                }
                // `pos + written` is within the folio, so at most one past the largest offset.
                let end = pos.saturating_add(written as Offset);
                if end > inode.size() {
                    // SAFETY: The inode is valid and its `i_rwsem` is held (safety section); the
                    // folio is still locked, so that nobody sees the size before the data.
                    unsafe { bindings::i_size_write(inode.as_raw(), end) };
                }
                // A clean folio would be dropped by reclaim or `drop_caches`. One that is dirty
                // already (a file system may mark it in `write_begin`) is left as it is: every
                // `dirty_folio` of the table does nothing to a dirty folio.
                if written > 0 && !folio.is_dirty() {
                    // SAFETY: The folio is valid and locked, in the inode's mapping.
                    unsafe { bindings::folio_mark_dirty(folio.as_raw()) };
                }
                written as c_int
            }
            Err(e) => io_errno(e),
        }
    }

    /// The file and the locked inode of a write.
    ///
    /// # Safety
    ///
    /// As for [`Self::write_begin`], for `'a`.
    unsafe fn write_args<'a>(
        iocb: *const bindings::kiocb,
        mapping: *mut bindings::address_space,
    ) -> (Option<&'a LocalFile>, inode::Locked<'a, Fs<U>>) {
        // SAFETY: The `kiocb`, if any, is valid, and so is its file, which is open for the call
        // on this thread.
        let file = (!iocb.is_null()).then(|| unsafe { LocalFile::from_raw_file((*iocb).ki_filp) });
        // SAFETY: The mapping's inode is one of `Fs<U>`, whose `i_rwsem` the caller holds.
        let inode = unsafe { inode::Locked::from_raw((*mapping).host) };
        (file, inode)
    }
}

impl<T: FileSystem + ?Sized> INode<T> {
    /// The folio of the page cache that holds the byte at `pos`, if the inode is a regular file
    /// and the folio is cached (`filemap_get_folio()`) and up to date, with a reference.
    ///
    /// A folio that is not up to date is `None`, as if it were not cached: its bytes may not be
    /// initialised. Other files' folios are not given out: a symbolic link's target, for one,
    /// is read without the folio's lock, trusting its NUL.
    pub fn cached_folio(&self, pos: Offset) -> Option<ARef<Folio>> {
        if !is_reg(self) {
            return None;
        }
        let index = c_ulong::try_from(u64::try_from(pos).ok()? >> crate::page::PAGE_SHIFT).ok()?;
        // SAFETY: The inode and its mapping are valid.
        let folio = unsafe { bindings::filemap_get_folio((*self.as_raw()).i_mapping, index) };
        let folio = crate::error::from_err_ptr(folio).ok()?;
        // SAFETY: `filemap_get_folio()` returns a folio with a reference, which the `ARef` owns.
        let folio: ARef<Folio> = unsafe { ARef::from_raw(NonNull::new_unchecked(folio).cast()) };
        // A folio does not go back to not up to date (no file system here fails a write-back).
        folio.is_uptodate().then_some(folio)
    }

    /// Reads the file from the position of `iocb` on into `to` as tmpfs does: what the page cache
    /// holds, and zeroes for the pages it does not hold (or holds not up to date), without
    /// adding folios for them, so that reading a hole takes no memory; up to the end of the
    /// file or of `to`. Moves the position past what was read and returns how much that is.
    /// For a `read_iter` of a file system that keeps its data in the page cache alone: a page
    /// that is not cached reads as zeroes even if a backing store holds its data.
    ///
    /// The folios the page cache holds are copied in batches (`filemap_read()` with
    /// `IOCB_NOIO`, which adds no folio), the others page by page ([`INode::cached_folio`]),
    /// each with the size read after the folio is looked up, as `filemap_read()` reads it, so
    /// that a read racing with a truncation reads nothing beyond the new size.
    /// A read that `to` faults in is short, or fails with `EFAULT` if it read nothing; one that
    /// a fatal signal interrupts is short, or fails with `EINTR` if it read nothing.
    ///
    /// Fails with `EINVAL` if the inode is not a regular file, if `iocb` is not a read of this
    /// inode's file or its position is negative.
    pub fn read_sparse<D: crate::types::ForeignOwnable>(
        &self,
        iocb: &mut crate::fs::Kiocb<'_, D>,
        to: &mut crate::iov::IovIterDest<'_>,
    ) -> Result<usize> {
        let raw = self.as_raw();
        // SAFETY: The `kiocb` is valid, and so is its open file and that file's mapping.
        let theirs = unsafe { (*(*(*iocb.as_raw()).ki_filp).f_mapping).host == raw };
        if !is_reg(self) || !theirs || iocb.ki_pos() < 0 {
            return Err(EINVAL);
        }
        let page = crate::page::PAGE_SIZE as Offset;
        let mut done = 0;
        loop {
            let (kiocb, len) = (iocb.as_raw(), to.len());
            // SAFETY: The `kiocb`, a read of this regular file, and `to` are valid; the caller
            // lends the `kiocb` to this call. With `IOCB_NOIO`, the page cache copies only
            // folios that are cached and up to date, and adds none.
            let ret = unsafe {
                let old = (*kiocb).ki_flags;
                (*kiocb).ki_flags = old | bindings::IOCB_NOIO as c_int;
                let ret = bindings::filemap_read(kiocb, to.as_raw(), 0);
                (*kiocb).ki_flags = old;
                ret
            };
            let copied = ret.max(0) as usize;
            // `filemap_read()` cuts `to` at the maximum file size without writing there: its
            // length is what it was, less what was copied, for the caller's count of what `to`
            // took.
            // SAFETY: `to` is valid, and `len - copied` is what it can still take.
            unsafe { bindings::iov_iter_reexpand(to.as_raw(), len - copied) };
            // `-EAGAIN`: the first folio is not cached, or not up to date.
            if ret < 0 && ret != EAGAIN.to_errno() as isize {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Error::from_errno(ret as c_int))
                };
            }
            done += copied;
            // Then page by page, up to and with the next folio that is cached: a hole as
            // zeroes, or a folio the batch stopped at (a copy that faulted faults again).
            loop {
                let pos = iocb.ki_pos();
                if pos >= self.size() || to.is_empty() {
                    return Ok(done);
                }
                if crate::current!().fatal_signal_pending() {
                    return if done > 0 { Ok(done) } else { Err(EINTR) };
                }
                // SAFETY: Reads sleep; no lock is held here.
                unsafe { bindings::cond_resched() };
                let folio = self.cached_folio(pos);
                // The size again, after the lookup, as `filemap_read()` reads it.
                let size = self.size();
                if pos >= size {
                    return Ok(done);
                }
                let n = ((page - pos % page).min(size - pos) as usize).min(to.len());
                let copied = match &folio {
                    Some(f) => f.copy_to_iter((pos - f.pos()) as usize, n, to)?,
                    None => to.zero(n),
                };
                *iocb.ki_pos_mut() += copied as Offset;
                done += copied;
                if copied < n {
                    return if done > 0 { Ok(done) } else { Err(EFAULT) };
                }
                if folio.is_some() {
                    break;
                }
            }
        }
    }
}

impl<T: FileSystem + ?Sized> inode::Locked<'_, T> {
    /// Writes `from` to the page cache at the position of `iocb`, through the inode's
    /// address-space operations (`generic_perform_write()`), moves the position past what was
    /// written and returns how much that is, or fails if nothing was written.
    ///
    /// The position and the length are checked again (`generic_write_check_limits()`), as the
    /// file system may have moved the position since the checks made before it was called: `from`
    /// is cut to the file size limits, or the write fails with `EFBIG` if none of it fits.
    ///
    /// Fails with `EINVAL` if `iocb` is not a write to this inode's file or its position is
    /// negative, or if the inode's address-space operations do not write ([`Ops::writes`]).
    pub fn perform_write<D: crate::types::ForeignOwnable>(
        &self,
        iocb: &mut crate::fs::Kiocb<'_, D>,
        from: &mut crate::iov::IovIterSource<'_>,
    ) -> Result<usize> {
        let raw = self.as_raw();
        // SAFETY: The `kiocb` is valid, and so is its open file and that file's mapping; the
        // inode and its mapping are valid.
        let (theirs, writes) = unsafe {
            let mapping = (*(*iocb.as_raw()).ki_filp).f_mapping;
            let aops = (*(*raw).i_mapping).a_ops;
            (
                (*mapping).host == raw,
                (*aops).write_begin.is_some() && (*aops).write_end.is_some(),
            )
        };
        let pos = iocb.ki_pos();
        if !theirs || !writes || pos < 0 {
            return Err(EINVAL);
        }
        let mut count = Offset::try_from(from.len()).map_err(|_| EINVAL)?;
        // SAFETY: The `kiocb` and its file are valid; `count` is valid for reads and writes.
        crate::error::to_result(unsafe {
            bindings::generic_write_check_limits((*iocb.as_raw()).ki_filp, pos, &mut count)
        })?;
        // SAFETY: The source is valid; it only gets shorter (`count` is at most its length).
        unsafe { bindings::iov_iter_truncate(from.as_raw(), count as u64) };
        // SAFETY: The `kiocb` and the source are valid; the file's inode is this one, whose
        // `i_rwsem` is held for writing, and its address-space operations can write.
        let ret = unsafe { bindings::generic_perform_write(iocb.as_raw(), from.as_raw()) };
        if ret < 0 {
            return Err(Error::from_errno(ret as c_int));
        }
        Ok(ret as usize)
    }

    /// Removes the folios of the bytes from `start` to `end` (inclusive) from the page cache
    /// and from the mappings of the file, and zeroes the parts of the folios at either end that
    /// hold other bytes too (`truncate_pagecache_range()`): punches a hole, as `fallocate(2)`
    /// with `FALLOC_FL_PUNCH_HOLE` does. It does not hold faults off meanwhile (as tmpfs does
    /// while it punches): a fault in the range may fill a folio of it again with `read_folio`.
    ///
    /// Fails with `EINVAL` if the inode is not a regular file or the range is empty or negative.
    pub fn punch_hole(&self, start: Offset, end: Offset) -> Result {
        if !is_reg(self) || start < 0 || end < start {
            return Err(EINVAL);
        }
        // SAFETY: The inode is valid and its `i_rwsem` held; the range is valid.
        unsafe { bindings::truncate_pagecache_range(self.as_raw(), start, end) };
        Ok(())
    }

    /// Checks that the file may have the size `size` (`inode_newsize_ok()`), before an
    /// operation that may extend it to that size allocates anything: fails with `EFBIG` if
    /// `size` is beyond the superblock's maximum file size or the caller's file size limit
    /// (`RLIMIT_FSIZE`, which also sends `SIGXFSZ`).
    ///
    /// Fails with `EINVAL` if the inode is not a regular file or `size` is negative.
    pub fn size_ok(&self, size: Offset) -> Result {
        if !is_reg(self) || size < 0 {
            return Err(EINVAL);
        }
        // SAFETY: The inode is valid.
        crate::error::to_result(unsafe { bindings::inode_newsize_ok(self.as_raw(), size) })
    }

    /// Extends the size of the file to `end` if it is smaller, as `fallocate(2)` without
    /// `FALLOC_FL_KEEP_SIZE` does, after the checks of `inode_newsize_ok()`: fails with `EFBIG`
    /// if `end` is beyond the superblock's maximum file size or the caller's file size limit
    /// (`RLIMIT_FSIZE`, which also sends `SIGXFSZ`).
    ///
    /// Fails with `EINVAL` if the inode is not a regular file or `end` is negative.
    pub fn extend_size(&self, end: Offset) -> Result {
        self.size_ok(end)?;
        if end > self.size() {
            // SAFETY: The inode is valid and its `i_rwsem` is held, which orders size changes.
            unsafe { bindings::i_size_write(self.as_raw(), end) };
        }
        Ok(())
    }

    /// The folio of the page cache that a write of `len` bytes at `pos` goes to, locked, with a
    /// reference: the cached one, or a new one, not up to date, that is added to the page cache
    /// (`write_begin_get_folio()`), zeroed but for the bytes the write copies to (see
    /// [`folio::ForWrite`]). For [`Operations::write_begin`].
    ///
    /// Fails with `EINVAL` if the inode is not a regular file or if `pos` is negative, with
    /// `EFBIG` if it is not below the superblock's maximum file size, and with `ENOMEM` if no
    /// folio can be had.
    #[inline(always)]
    pub fn folio_for_write(&self, pos: Offset, len: usize) -> Result<folio::ForWrite> {
        if !is_reg(self) || pos < 0 {
            return Err(EINVAL);
        }
        // SAFETY: The superblock of a valid inode is valid.
        if pos >= unsafe { (*self.super_block().as_raw()).s_maxbytes } {
            return Err(EFBIG);
        }
        let index = u64::try_from(pos).map_err(|_| EINVAL)? >> crate::page::PAGE_SHIFT;
        let index = c_ulong::try_from(index).map_err(|_| EFBIG)?;
        // SAFETY: The inode and its mapping are valid; its `i_rwsem` is held, as the page cache
        // asks of a caller that adds folios to a file.
        let folio = unsafe {
            bindings::write_begin_get_folio(
                core::ptr::null(),
                (*self.as_raw()).i_mapping,
                index,
                len,
            )
        };
        let folio = crate::error::from_err_ptr(folio)?;
        // SAFETY: `write_begin_get_folio()` returns a locked folio of the page cache, with a
        // reference, which holds the page at `index`, so the byte at `pos`. An up-to-date
        // folio's bytes are initialised.
        Ok(unsafe { folio::ForWrite::from_raw(NonNull::new_unchecked(folio), pos, len) })
    }
}

/// Whether `inode` is a regular file: the only files whose folios Rust code may get at (a
/// symbolic link's target, for one, is read without the folio's lock, trusting its NUL).
fn is_reg<T: FileSystem + ?Sized>(inode: &INode<T>) -> bool {
    // SAFETY: The inode is valid; the type of an inode does not change.
    u32::from(unsafe { (*inode.as_raw()).i_mode }) & bindings::S_IFMT == bindings::S_IFREG
}

/// The errno of `e` for the VFS's read, write, sync and seek paths: `EIOCBQUEUED` would tell a
/// synchronous caller that the I/O goes on asynchronously (`new_sync_read()` has a `BUG_ON()`
/// for it, and aio waits for ever; an `O_SYNC` write returns what `fsync` does), so it is
/// `EIO`.
pub(crate) fn io_errno(e: Error) -> c_int {
    if e == EIOCBQUEUED {
        EIO.to_errno()
    } else {
        e.to_errno()
    }
}

/// Removes `folio` from `mapping`, unmapping it first, if it is still there and not up to date:
/// a folio that `read_folio` did not fill (it failed, or left the folio as it was) holds nothing
/// a reader may see, and a file system that counts the folios it fills did not count it. The
/// next read or fault gets a new folio and calls `read_folio` again, as it would for this one.
///
/// # Safety
///
/// `folio` must be a valid folio that the caller holds a reference to and has not locked, and
/// `mapping` the valid mapping it was locked in.
unsafe fn remove_if_not_uptodate(
    folio: *mut bindings::folio,
    mapping: *mut bindings::address_space,
) {
    // SAFETY: By the safety requirements the folio is valid; a folio does not go back to not up
    // to date while it is in a page cache.
    if unsafe { bindings::folio_test_uptodate(folio) } {
        return;
    }
    // Only if the lock is free: its holder fills or removes the folio itself, and a file system
    // that kept the lock (leaking its guard) must not make this wait for ever.
    // SAFETY: As above.
    if !unsafe { bindings::folio_trylock(folio) } {
        return;
    }
    // SAFETY: The folio is locked: its mapping and flags are stable. Another reader may have
    // filled it meanwhile, or a truncation removed it.
    unsafe {
        // One that is dirty is left to the file system that marked it so, and one under
        // write-back stays in its mapping until the write-back ends.
        if Folio::from_raw(folio).mapping() == mapping
            && !bindings::folio_test_uptodate(folio)
            && !bindings::folio_test_dirty(folio)
        {
            // `EBUSY` under write-back, or `EIO` for a mapping that is not a regular file's,
            // which these operations are never given; there is nothing to undo.
            let _ = folio::remove_unless_writeback(folio, mapping);
        }
        bindings::folio_unlock(folio);
    }
}

/// Zeroes `folio` if it is not up to date: a folio that the page cache allocated holds whatever
/// its memory held before, which no Rust code may read (nor mark up to date for userspace).
fn zero_if_not_uptodate<R: folio::FolioRef>(folio: &folio::Locked<R>) {
    if !folio.is_uptodate() {
        // The range is the folio's, so this cannot fail.
        let _ = folio.zero(0, folio.size());
    }
}

/// How the page cache of a new inode treats its folios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// Folios may be reclaimed under memory pressure once they are clean (the default).
    Evictable,
    /// Folios stay in memory until the file is truncated or removed (`mapping_set_unevictable()`),
    /// and may come from high memory (`GFP_HIGHUSER`), like ramfs's. For file systems that keep
    /// their data only in the page cache.
    Unevictable,
}
