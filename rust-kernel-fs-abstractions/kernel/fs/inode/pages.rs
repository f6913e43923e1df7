// SPDX-License-Identifier: GPL-2.0

//! The charging of the pages of in-memory files ([`FileSystem::charge_pages`]).
//!
//! A regular file with [`file::Ops::in_memory`] of a file system that charges pages is charged
//! for its extent: the pages from the start up to its size, or further if `fallocate(2)` with
//! `FALLOC_FL_KEEP_SIZE` or a write that failed went further. Every folio of its page cache is
//! within that extent: folios come from writes, `fallocate(2)` and the size growing, which are
//! charged first (a write that ends early removes the folios it added beyond the size, and
//! gives their charge back), and from reads and faults, which stay within the size. So the
//! page cache of such files holds no more pages than were charged, holes and all; but for one
//! race that no lock here closes: a read or fault that checked the size before a truncate
//! shrank it may leave a folio beyond the new size, uncharged until the next size change or
//! until the inode goes away (a soft bound, as for the unevictable folios of ramfs).
//!
//! These functions are not generic.

use super::{Charge, INodeBox};
use crate::{
    bindings,
    error::{code::*, Result},
    fs::file::{self, Offset},
};

/// The charging of the file system of `inode`, if `inode` is charged.
///
/// # Safety
///
/// `inode` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc).
unsafe fn charger(inode: *mut bindings::inode) -> Option<Charge> {
    // SAFETY: By the safety requirements the box and its cache are valid; the file
    // operations of an inode do not change once it is made.
    unsafe {
        let charge = (*(*INodeBox::of(inode)).cache).pages?;
        let fops = (*inode).__bindgen_anon_3.i_fop;
        (fops == file::in_memory_table()).then_some(charge)
    }
}

/// The number of pages of the bytes `[0, end)`.
fn pages_for(end: Offset) -> u64 {
    let end = end.max(0) as u64;
    end.div_ceil(crate::page::PAGE_SIZE as u64)
}

/// The end of the bytes of the first `pages` pages, or the largest offset if it is beyond.
fn end_of(pages: u64) -> Offset {
    let page = crate::page::PAGE_SIZE as Offset;
    Offset::try_from(pages).map_or(Offset::MAX, |p| p.saturating_mul(page))
}

/// Charges `inode` for the pages of the bytes `[0, end)`, all or nothing (`ENOSPC`), if it
/// is charged for fewer. Returns the pages it was charged for before, for [`restore`].
///
/// # Safety
///
/// `inode` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc), whose
/// `i_rwsem` the caller holds for writing, of a ready superblock.
#[inline(never)]
pub(crate) unsafe fn charge_to(inode: *mut bindings::inode, end: Offset) -> Result<u64> {
    // SAFETY: By the safety requirements.
    let Some(c) = (unsafe { charger(inode) }) else {
        return Ok(0);
    };
    // SAFETY: By the safety requirements the box is valid and `pages` ours to change, and
    // the superblock is ready.
    unsafe {
        let b = INodeBox::of(inode);
        let old = (*b).pages;
        let want = pages_for(end);
        if want > old {
            c.charge(inode, want - old)?;
            (*b).pages = want;
        }
        Ok(old)
    }
}

/// Charges `inode` for as many pages of the bytes `[0, end)` as it can get, and returns
/// the pages it was charged for before and the end of the part of `[pos, end)` that the
/// charge covers: `end`, or less if the file system gave fewer pages. Fails with `ENOSPC`,
/// charging nothing, if they would cover none of it.
///
/// # Safety
///
/// As for [`charge_to`].
#[inline(never)]
pub(crate) unsafe fn charge_up_to(
    inode: *mut bindings::inode,
    pos: Offset,
    end: Offset,
) -> Result<(u64, Offset)> {
    // SAFETY: By the safety requirements.
    let Some(c) = (unsafe { charger(inode) }) else {
        return Ok((0, end));
    };
    // SAFETY: By the safety requirements the inode is valid, in a box.
    let b = unsafe { INodeBox::of(inode) };
    // SAFETY: By the safety requirements `pages` is ours to read and change.
    let old = unsafe { (*b).pages };
    let need = pages_for(end).saturating_sub(old);
    // As much as the file system gives: all, else halves of what is left.
    let (mut got, mut ask) = (0, need);
    while got < need && ask > 0 {
        let n = ask.min(need - got);
        // SAFETY: The inode and its superblock are ready (safety requirements).
        if unsafe { c.charge(inode, n) }.is_ok() {
            got += n;
        } else {
            ask /= 2;
        }
    }
    let allowed = end.min(end_of(old + got));
    if allowed <= pos {
        if got > 0 {
            // SAFETY: As above; these pages were charged just now.
            unsafe { c.uncharge(inode, got) };
        }
        return Err(ENOSPC);
    }
    // SAFETY: As above.
    unsafe { (*b).pages = old + got };
    Ok((old, allowed))
}

/// After a write that [`charge_up_to`] charged `inode` for, with `old` the pages it was
/// charged for before: if the write ended before the end of the charge (an error, a fault
/// in the source, a signal), removes the folios that it added beyond the size, and gives
/// back their charge.
///
/// # Safety
///
/// As for [`charge_to`], with the lock still held since [`charge_up_to`].
#[inline(never)]
pub(crate) unsafe fn trim_after_write(inode: *mut bindings::inode, old: u64) {
    // SAFETY: By the safety requirements.
    if unsafe { charger(inode) }.is_none() {
        return;
    }
    // SAFETY: By the safety requirements the inode is valid.
    let size = unsafe { bindings::i_size_read(inode) };
    // SAFETY: By the safety requirements the inode is in a box, and `pages` ours to read.
    let charged = unsafe { (*INodeBox::of(inode)).pages };
    let keep = old.max(pages_for(size));
    if charged <= keep {
        return;
    }
    // SAFETY: By the safety requirements the inode is valid and locked; the folios from
    // `keep` on are beyond the size and were added by the write, none is mapped.
    unsafe { bindings::truncate_pagecache_range(inode, end_of(keep), end_of(charged) - 1) };
    // SAFETY: As above; no folio is left beyond `keep` pages.
    unsafe { restore(inode, keep) };
}

/// Gives back what `inode` is charged for beyond `old` pages, e.g. after the operation that
/// [`charge_to`] charged it for failed and removed the folios it added.
///
/// # Safety
///
/// As for [`charge_to`], and the inode has no folio beyond `old` pages.
#[inline(never)]
pub(crate) unsafe fn restore(inode: *mut bindings::inode, old: u64) {
    // SAFETY: By the safety requirements.
    if let Some(c) = unsafe { charger(inode) } {
        // SAFETY: By the safety requirements the box is valid and `pages` ours to change,
        // and the superblock is ready.
        unsafe {
            let b = INodeBox::of(inode);
            if (*b).pages > old {
                c.uncharge(inode, (*b).pages - old);
                (*b).pages = old;
            }
        }
    }
}

/// Makes the charge of `inode` the pages of its size, after a size change removed every
/// folio beyond it (`truncate_setsize()`).
///
/// # Safety
///
/// As for [`charge_to`].
#[inline(never)]
pub(crate) unsafe fn settle(inode: *mut bindings::inode) {
    // SAFETY: By the safety requirements the inode is valid.
    let size = unsafe { bindings::i_size_read(inode) };
    // SAFETY: As above; `truncate_setsize()` left no folio beyond the size.
    unsafe { restore(inode, pages_for(size)) };
}

/// Gives back everything `inode` is charged for, as it goes away.
///
/// # Safety
///
/// `inode` must be an inode allocated by [`Cache::alloc`](super::Cache::alloc) that is
/// going away, of a superblock whose data is still there.
pub(crate) unsafe fn release(inode: *mut bindings::inode) {
    // SAFETY: By the safety requirements the box and its cache are valid; nobody else uses
    // the inode now.
    unsafe {
        let b = INodeBox::of(inode);
        if let Some(c) = (*(*b).cache).pages {
            if (*b).pages > 0 {
                c.uncharge(inode, (*b).pages);
                (*b).pages = 0;
            }
        }
    }
}
