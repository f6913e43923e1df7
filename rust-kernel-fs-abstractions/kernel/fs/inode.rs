// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! An inode is made by [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) as a [`New`] inode
//! that nobody else can see yet, and becomes visible when a dentry is bound to it: by
//! [`dentry::Root::try_new`], or by the abstractions, when an [`Operations`] implementation that
//! creates a name returns it.
//! Its inode operations come from a type that implements [`Operations`] (or one of the kernel's
//! own tables), chosen per inode as in C.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    error::{code::*, from_result, to_result, Result, VTABLE_DEFAULT_ERROR},
    fs::{address_space, dentry, file, sb, FileSystem},
    prelude::*,
    str::CStr,
    task::{Kgid, Kuid},
    types::{NotThreadSafe, Opaque},
};
use core::{cell::Cell, marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr, ptr::NonNull};

/// A device number (`dev_t`).
pub type DevT = bindings::dev_t;

/// The type of an inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A regular file.
    Reg,
    /// A directory.
    Dir,
    /// A symbolic link.
    Lnk,
    /// A named pipe.
    Fifo,
    /// A Unix domain socket.
    Sock,
    /// A character device with the given device number.
    Chr(DevT),
    /// A block device with the given device number.
    Blk(DevT),
}

impl Type {
    /// The type that the file type bits (`S_IFMT`) of `mode` name, with `dev` the device
    /// number of a device; `S_IFREG` if they are zero, as `mknod(2)` does.
    ///
    /// Fails with `EINVAL` if the bits name no type.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::inode::Type;
    ///
    /// assert_eq!(Type::from_mode(0o100644, 0), Ok(Type::Reg));
    /// assert_eq!(Type::from_mode(0o644, 0), Ok(Type::Reg));
    /// assert_eq!(Type::from_mode(0o020600, 0x0103), Ok(Type::Chr(0x0103)));
    /// assert_eq!(Type::from_mode(0o170000, 0), Err(EINVAL));
    /// ```
    #[inline]
    pub fn from_mode(mode: u16, dev: DevT) -> Result<Self> {
        Ok(match u32::from(mode) & bindings::S_IFMT {
            0 | bindings::S_IFREG => Type::Reg,
            bindings::S_IFDIR => Type::Dir,
            bindings::S_IFLNK => Type::Lnk,
            bindings::S_IFIFO => Type::Fifo,
            bindings::S_IFSOCK => Type::Sock,
            bindings::S_IFCHR => Type::Chr(dev),
            bindings::S_IFBLK => Type::Blk(dev),
            _ => return Err(EINVAL),
        })
    }

    /// The type of a whiteout (`WHITEOUT_DEV`): a character device with device number 0,
    /// which hides a name of a lower layer in a union such as overlayfs. A whiteout has no
    /// permission bits (`WHITEOUT_MODE`).
    pub const WHITEOUT: Type = Type::Chr(bindings::WHITEOUT_DEV);

    /// The file type bits (`S_IFMT`) of the type.
    #[inline]
    pub const fn format(self) -> u16 {
        (match self {
            Type::Reg => bindings::S_IFREG,
            Type::Dir => bindings::S_IFDIR,
            Type::Lnk => bindings::S_IFLNK,
            Type::Fifo => bindings::S_IFIFO,
            Type::Sock => bindings::S_IFSOCK,
            Type::Chr(_) => bindings::S_IFCHR,
            Type::Blk(_) => bindings::S_IFBLK,
        }) as u16
    }

    /// The device number of a device type, 0 for the other types.
    #[inline]
    pub const fn dev(self) -> DevT {
        match self {
            Type::Chr(dev) | Type::Blk(dev) => dev,
            _ => 0,
        }
    }

    #[inline]
    const fn is_special(self) -> bool {
        matches!(self, Type::Fifo | Type::Sock | Type::Chr(_) | Type::Blk(_))
    }
}

/// An ID mapping of a mount (`struct mnt_idmap`), through which the caller sees the owners of
/// inodes.
///
/// # Invariants
///
/// The pointee is a valid ID mapping.
#[repr(transparent)]
pub struct MntIdmap(Opaque<bindings::mnt_idmap>);

impl MntIdmap {
    /// The identity mapping (`nop_mnt_idmap`), that of every mount that is not idmapped.
    #[inline]
    pub fn nop() -> &'static Self {
        // SAFETY: `nop_mnt_idmap` is a static of the kernel, valid forever.
        unsafe { Self::from_raw(&raw mut bindings::nop_mnt_idmap) }
    }

    /// Creates a reference to a [`MntIdmap`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an ID mapping that remains valid for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::mnt_idmap) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::mnt_idmap>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct mnt_idmap`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mnt_idmap {
        self.0.get()
    }
}

/// An inode of a file system of type `T`.
///
/// Wraps the kernel's `struct inode`. The abstractions only hand out shared references to an
/// inode, for as long as something they know of holds a reference to it (a callback of the
/// VFS, a [`New`] inode): there is no counted reference (`ARef`) of an inode, since one kept by
/// a file system (in a `static`, in its [`FileSystem::Data`]) would outlive the superblock,
/// whose inodes `generic_shutdown_super()` evicts and frees.
///
/// # Invariants
///
/// The pointee is a valid inode of a superblock of a file system of type `T`, whose private
/// data is in place (the superblock is [`sb::Ready`]).
#[repr(transparent)]
pub struct INode<T: FileSystem + ?Sized>(Opaque<bindings::inode>, PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> INode<T> {
    /// Creates a reference to an [`INode`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an inode of a [`sb::Ready`] superblock of a file system of type `T`
    /// that remains valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::inode>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The superblock the inode belongs to.
    pub fn super_block(&self) -> &sb::SuperBlock<T> {
        // SAFETY: By the type invariants the inode is valid and belongs to a ready superblock
        // of type `T`, which outlives its inodes.
        unsafe { sb::SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    /// Counts a change of the inode in its `i_version` (`inode_inc_iversion()`), which NFS
    /// and overlayfs read as the change attribute.
    pub(crate) fn inc_iversion(&self) {
        // SAFETY: The inode is valid by the type invariants; `i_version` is atomic.
        unsafe { bindings::inode_maybe_inc_iversion(self.as_raw(), true) };
    }

    /// The size of the file, in bytes (`i_size_read()`).
    pub fn size(&self) -> file::Offset {
        // SAFETY: The inode is valid by the type invariants.
        unsafe { bindings::i_size_read(self.as_raw()) }
    }
}

// SAFETY: A shared reference to an inode only allows what the C API allows on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for INode<T> {}

// SAFETY: All shared access to the inode goes through the C API, which does its own locking.
unsafe impl<T: FileSystem + ?Sized> Sync for INode<T> {}

/// The memory of an inode of a file system made with these abstractions: the VFS's inode, and
/// what the abstractions keep with it, as a C file system embeds `struct inode` in its own
/// inode structure (such as `struct shmem_inode_info`).
///
/// # Invariants
///
/// `cache` is the [`Cache`] the box was allocated from. `xattrs` is the list of the inode's
/// extended attributes kept in memory (`struct simple_xattr`, in the hash table of `cache`),
/// changed only under the inode's `i_rwsem`, and `xattr_limits` counts its `user.` ones.
/// `offsets` is an initialised offset map (`simple_offset_init()`) if and only if
/// `has_offsets`, which is set once, when a new directory is made with
/// [`file::Ops::offset_dir`], and cleared when its map is destroyed; the map is changed only
/// under the directory's `i_rwsem`, and the dentries in it are its children with a name.
/// `pages` is the number of pages the inode is charged for (see [`pages`]), changed under its
/// `i_rwsem`.
#[repr(C)]
pub(crate) struct INodeBox {
    cache: *const Cache,
    xattrs: bindings::list_head,
    xattr_limits: bindings::simple_xattr_limits,
    offsets: Opaque<bindings::offset_ctx>,
    has_offsets: bool,
    pages: u64,
    inode: Opaque<bindings::inode>,
}

impl INodeBox {
    /// The box of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode allocated by [`Cache::alloc`].
    #[inline]
    unsafe fn of(inode: *mut bindings::inode) -> *mut Self {
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

    /// The offset map of the directory `dir`, if it has one.
    ///
    /// # Safety
    ///
    /// `dir` must be a valid inode allocated by [`Cache::alloc`]. The pointer is valid while
    /// it is.
    unsafe fn offsets(dir: *mut bindings::inode) -> Option<*mut bindings::offset_ctx> {
        // SAFETY: By the safety requirements the box is valid; `has_offsets` only changes
        // while nobody else uses the inode (type invariants).
        unsafe {
            let b = Self::of(dir);
            (*b).has_offsets.then(|| (*b).offsets.get())
        }
    }
}

/// The offset maps of directories made with [`file::Ops::offset_dir`] (`struct offset_ctx`):
/// each named child has an offset, kept in its dentry's `d_fsdata`, which `readdir` returns as
/// its position.
pub(crate) mod offsets {
    use super::INodeBox;
    use crate::{
        bindings,
        error::{code::*, to_result, Result},
    };

    /// Gives the new directory `dir` an empty offset map.
    ///
    /// # Safety
    ///
    /// `dir` must be a new directory allocated by [`Cache::alloc`](super::Cache::alloc) that
    /// nobody else uses yet.
    pub(crate) unsafe fn init(dir: *mut bindings::inode) {
        // INVARIANT: The map is initialised, then marked so.
        // SAFETY: By the safety requirements the box is valid and ours.
        unsafe {
            let b = INodeBox::of(dir);
            bindings::simple_offset_init((*b).offsets.get());
            (*b).has_offsets = true;
        }
    }

    /// Destroys the offset map of `dir`, if it has one.
    ///
    /// # Safety
    ///
    /// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) that is
    /// going away, in process context.
    pub(crate) unsafe fn destroy(dir: *mut bindings::inode) {
        // SAFETY: By the safety requirements the box is valid, and nobody uses the map now.
        unsafe {
            if let Some(map) = INodeBox::offsets(dir) {
                bindings::simple_offset_destroy(map);
                // INVARIANT: The map is gone.
                (*INodeBox::of(dir)).has_offsets = false;
            }
        }
    }

    /// Gives `dentry`, a name being made in `dir`, an offset, if `dir` has an offset map.
    /// Fails with `EBUSY` if it has one already, and with `ENOMEM` or `ENOSPC`.
    ///
    /// # Safety
    ///
    /// `dir` must be a valid inode allocated by [`Cache::alloc`](super::Cache::alloc) whose
    /// `i_rwsem` the caller holds for writing, and `dentry` a valid child of it.
    pub(crate) unsafe fn add(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> Result {
        // SAFETY: By the safety requirements.
        match unsafe { INodeBox::offsets(dir) } {
            // SAFETY: The map is initialised and the directory locked, as the function asks.
            Some(map) => to_result(unsafe { bindings::simple_offset_add(map, dentry) }),
            None => Ok(()),
        }
    }

    /// Takes the offset of `dentry`, a name in `dir`, out of the map of `dir`, if it has one.
    ///
    /// # Safety
    ///
    /// As for [`add`].
    pub(crate) unsafe fn remove(dir: *mut bindings::inode, dentry: *mut bindings::dentry) {
        // SAFETY: By the safety requirements.
        if let Some(map) = unsafe { INodeBox::offsets(dir) } {
            // SAFETY: The map is initialised and the directory locked.
            unsafe { bindings::simple_offset_remove(map, dentry) };
        }
    }

    /// Fails with `EXDEV` unless both directories have an offset map, or neither has.
    ///
    /// # Safety
    ///
    /// `a` and `b` must be valid inodes allocated by [`Cache::alloc`](super::Cache::alloc).
    unsafe fn same_kind(a: *mut bindings::inode, b: *mut bindings::inode) -> Result<bool> {
        // SAFETY: By the safety requirements.
        match unsafe {
            (
                INodeBox::offsets(a).is_some(),
                INodeBox::offsets(b).is_some(),
            )
        } {
            (x, y) if x == y => Ok(x),
            _ => Err(EXDEV),
        }
    }

    /// The first step of a rename of `old` in `old_dir` to `new` in `new_dir`, with neither
    /// `RENAME_EXCHANGE` nor `RENAME_WHITEOUT`: reserves an offset for `new` in `new_dir` if it
    /// has none. Returns whether it had one, for [`rename_undo`].
    ///
    /// Fails with `EXDEV` if only one of the directories has an offset map.
    ///
    /// # Safety
    ///
    /// The arguments must be those of `vfs_rename()`, with both directories allocated by
    /// [`Cache::alloc`](super::Cache::alloc) and locked.
    pub(crate) unsafe fn rename_prepare(
        old_dir: *mut bindings::inode,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
    ) -> Result<bool> {
        // SAFETY: By the safety requirements.
        if !unsafe { same_kind(old_dir, new_dir) }? {
            return Ok(false);
        }
        // SAFETY: By the safety requirements.
        match unsafe { add(new_dir, new) } {
            Ok(()) => Ok(false),
            Err(e) if e == EBUSY => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Undoes [`rename_prepare`] for a rename that fails after it.
    ///
    /// # Safety
    ///
    /// As for [`rename_prepare`], with `had_offset` what it returned.
    pub(crate) unsafe fn rename_undo(
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        had_offset: bool,
    ) {
        if !had_offset {
            // SAFETY: By the safety requirements.
            unsafe { remove(new_dir, new) };
        }
    }

    /// Gives `old` the offset reserved for `new` (`simple_offset_rename()`), when the rename
    /// can no longer fail.
    ///
    /// # Safety
    ///
    /// As for [`rename_prepare`], which succeeded.
    pub(crate) unsafe fn rename_commit(
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
    ) {
        // SAFETY: By the safety requirements both directories have an offset map or neither
        // has (`rename_prepare`), and `new` has an offset in `new_dir`'s if they do.
        unsafe {
            if INodeBox::offsets(old_dir).is_some() {
                bindings::simple_offset_rename(old_dir, old, new_dir, new);
            }
        }
    }

    /// Exchanges `old` and `new` (`RENAME_EXCHANGE`), offsets included
    /// (`simple_offset_rename_exchange()`), or as `simple_rename_exchange()` without offset
    /// maps. Fails with `EXDEV` if only one of the directories has an offset map.
    ///
    /// # Safety
    ///
    /// As for [`rename_prepare`], with `new` positive.
    pub(crate) unsafe fn exchange(
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
    ) -> Result {
        // SAFETY: By the safety requirements.
        if unsafe { same_kind(old_dir, new_dir) }? {
            // SAFETY: By the safety requirements; both names have an offset in their map.
            to_result(unsafe {
                bindings::simple_offset_rename_exchange(old_dir, old, new_dir, new)
            })
        } else {
            // SAFETY: By the safety requirements.
            to_result(unsafe { bindings::simple_rename_exchange(old_dir, old, new_dir, new) })
        }
    }
}

/// How a file system type charges the pages of its in-memory files
/// ([`FileSystem::charge_pages`]), for the code of the abstractions that is not generic.
#[derive(Clone, Copy)]
pub(crate) struct PageCharge {
    /// Charges pages to a ready superblock of the type, or fails with `ENOSPC`.
    pub(crate) charge: unsafe fn(*mut bindings::super_block, u64) -> Result,
    /// Gives back pages charged to a ready superblock of the type.
    pub(crate) uncharge: unsafe fn(*mut bindings::super_block, u64),
}

/// The charging of the pages of in-memory files ([`FileSystem::charge_pages`]).
///
/// A regular file with [`file::Ops::in_memory`] of a file system that charges pages is charged
/// for its extent: the pages from the start up to its size, or further if `fallocate(2)` with
/// `FALLOC_FL_KEEP_SIZE` or a write that failed went further. Every folio of its page cache is
/// within that extent: folios come from writes, `fallocate(2)` and the size growing, which are
/// charged first (a write that ends early removes the folios it added beyond the size, and
/// gives their charge back), and from reads and faults, which stay within the size. So the
/// page cache of such files holds no more pages than were charged, holes and all; but for one
/// race that no lock here closes: a read or fault that checked the size before a truncate
/// shrank it may leave a folio beyond the new size, uncharged until the next size change or
/// until the inode goes away (a soft bound, as for the unevictable folios of ramfs).
///
/// These functions are not generic, and never inlined into a file system module.
pub(crate) mod pages {
    use super::INodeBox;
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
    unsafe fn charger(inode: *mut bindings::inode) -> Option<super::PageCharge> {
        // SAFETY: By the safety requirements the box and its cache are valid; the file
        // operations of an inode do not change once it is made.
        unsafe {
            let charge = (*(*INodeBox::of(inode)).cache).pages?;
            let fops = (*inode).__bindgen_anon_3.i_fop;
            (fops == file::Ops::in_memory().as_raw()).then_some(charge)
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
                (c.charge)((*inode).i_sb, want - old)?;
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
        let (b, sb) = unsafe { (INodeBox::of(inode), (*inode).i_sb) };
        // SAFETY: By the safety requirements `pages` is ours to read and change.
        let old = unsafe { (*b).pages };
        let need = pages_for(end).saturating_sub(old);
        // As much as the file system gives: all, else halves of what is left.
        let (mut got, mut ask) = (0, need);
        while got < need && ask > 0 {
            let n = ask.min(need - got);
            // SAFETY: The superblock is ready (safety requirements).
            if unsafe { (c.charge)(sb, n) }.is_ok() {
                got += n;
            } else {
                ask /= 2;
            }
        }
        let allowed = end.min(end_of(old + got));
        if allowed <= pos {
            if got > 0 {
                // SAFETY: As above; these pages were charged just now.
                unsafe { (c.uncharge)(sb, got) };
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
                    (c.uncharge)((*inode).i_sb, (*b).pages - old);
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
                    (c.uncharge)((*inode).i_sb, (*b).pages);
                    (*b).pages = 0;
                }
            }
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
unsafe extern "C" fn get_offset_ctx(inode: *mut bindings::inode) -> *mut bindings::offset_ctx {
    // SAFETY: By the safety requirements the box is valid.
    unsafe { (*INodeBox::of(inode)).offsets.get() }
}

/// The slab cache (`struct kmem_cache`) that the inodes of a file system type are allocated
/// from, and the hash table of their in-memory extended attributes (`struct
/// simple_xattr_cache`), owned by its [`Registration`](super::Registration).
///
/// # Invariants
///
/// `slab` is a slab cache of [`INodeBox`] objects whose inodes are initialised once
/// (`inode_init_once()`) when their slab is made. `xattrs` is the hash table of the in-memory
/// extended attributes of those inodes.
pub(crate) struct Cache {
    slab: NonNull<bindings::kmem_cache>,
    xattrs: KBox<Opaque<bindings::simple_xattr_cache>>,
    pages: Option<PageCharge>,
}

// SAFETY: A slab cache and an extended attribute cache may be used and destroyed on any thread.
unsafe impl Send for Cache {}

// SAFETY: The slab allocator and the `simple_xattr` functions do their own locking.
unsafe impl Sync for Cache {}

impl Cache {
    /// Makes the caches of the file system type `name`, which charges the pages of its files
    /// with `pages`, if given. The slab cache is accounted to the memory cgroup of the task
    /// that allocates (`SLAB_ACCOUNT`), but not as reclaimable: the inodes of a file system made
    /// with these abstractions are pinned by their dentries until they are removed, as tmpfs's
    /// are (`shmem_inode_cache` has `SLAB_ACCOUNT` only).
    pub(crate) fn new(name: &'static CStr, pages: Option<PageCharge>) -> Result<Self> {
        // An empty table: `simple_xattr_set()` allocates it with the first attribute.
        let xattrs = KBox::new(Opaque::new(pin_init::zeroed()), GFP_KERNEL)?;
        let mut args: bindings::kmem_cache_args = pin_init::zeroed();
        args.align = core::mem::align_of::<INodeBox>() as c_uint;
        args.ctor = Some(Self::init_once);
        let flags = bindings::SLAB_ACCOUNT;
        let size = core::mem::size_of::<INodeBox>() as c_uint;
        // SAFETY: `name` is a static string and `args` is valid for the duration of the call.
        let slab = unsafe {
            bindings::__kmem_cache_create_args(name.as_char_ptr(), size, &mut args, flags)
        };
        let slab = NonNull::new(slab).ok_or(ENOMEM)?;
        // INVARIANT: The cache is of `INodeBox` objects, initialised by `init_once`, and the
        // table is empty.
        Ok(Self {
            slab,
            xattrs,
            pages,
        })
    }

    /// # Safety
    ///
    /// Called by the slab allocator with a new `INodeBox` object of the cache.
    unsafe extern "C" fn init_once(obj: *mut c_void) {
        let obj = obj.cast::<INodeBox>();
        // SAFETY: `obj` is valid for writes; its inode is initialised once, here.
        unsafe { bindings::inode_init_once((*obj).inode.get()) };
    }

    /// Allocates an inode for `sb` (`alloc_inode_sb()`), or returns null.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock whose inodes the VFS releases with [`destroy_inode`] and
    /// [`free_inode`], and `self` must not move while it has inodes.
    pub(crate) unsafe fn alloc(&self, sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: `sb` and the cache are valid.
        let obj = unsafe { bindings::alloc_inode_sb(sb, self.slab.as_ptr(), bindings::GFP_KERNEL) };
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
        // SAFETY: No inode of the cache is allocated any more (the file system type is
        // unregistered and its superblocks are gone), so only the RCU callbacks that free
        // them (`free_inode`) are left to wait for before the slab cache goes. Every inode took
        // its extended attributes out of the table in `destroy_inode`.
        unsafe {
            bindings::rcu_barrier();
            bindings::kmem_cache_destroy(self.slab.as_ptr());
            bindings::simple_xattr_cache_cleanup(self.xattrs.get());
        }
    }
}

/// Releases what the abstractions keep with `inode`, its in-memory extended attributes and its
/// offset map, and gives back the pages it was charged for (`super_operations.destroy_inode`,
/// called from `evict()`, before the superblock's data goes).
///
/// # Safety
///
/// Called by the VFS, once, with an inode allocated by [`Cache::alloc`] that is going away.
pub(crate) unsafe extern "C" fn destroy_inode(inode: *mut bindings::inode) {
    // SAFETY: The inode is valid and in an `INodeBox`; nobody else uses its attributes now.
    unsafe {
        let (list, cache) = INodeBox::xattrs(inode);
        bindings::simple_xattrs_free(cache, list, ptr::null_mut());
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
    // SAFETY: By the safety requirements the inode is in an `INodeBox`, which records its
    // cache, and is not used any more; the cache outlives it (see `Cache::drop`).
    unsafe {
        let obj = INodeBox::of(inode);
        bindings::kmem_cache_free((*(*obj).cache).slab.as_ptr(), obj.cast());
    }
}

/// An inode being evicted (`super_operations.evict_inode`): its last reference is gone, and
/// it has no link left or its superblock is being shut down. Its page cache is already empty.
///
/// It cannot be referenced again, so it does not give out an [`INode`].
///
/// # Invariants
///
/// The pointee is an inode of a [`sb::Ready`] superblock of type `T`, which the current thread
/// evicts for `'a`.
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
    /// `T` that the current thread evicts for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // SAFETY: The inode is valid for `'a`, by the safety requirements.
        let inode = unsafe { &*ptr.cast::<Opaque<bindings::inode>>() };
        // INVARIANT: By the safety requirements.
        Self(inode, PhantomData)
    }

    /// The superblock the inode belongs to.
    pub fn super_block(&self) -> &'a sb::SuperBlock<T> {
        // SAFETY: By the type invariants the inode is valid and belongs to a ready superblock
        // of type `T`, which outlives its inodes.
        unsafe { sb::SuperBlock::from_raw((*self.0.get()).i_sb) }
    }

    /// The number of links to the inode: 0 for an inode that was removed, more for one that
    /// the superblock's shutdown evicts or a new inode dropped before it was bound.
    pub fn nlink(&self) -> u32 {
        // SAFETY: The inode is valid by the type invariants and nobody changes it any more.
        unsafe { (*self.0.get()).__bindgen_anon_1.i_nlink }
    }
}

/// A new inode: made by [`SuperBlock::new_inode`](sb::SuperBlock::new_inode), not yet bound
/// to a dentry, so that nobody else can see it.
///
/// Dropping it puts the inode, which then goes away. It cannot outlive the superblock `'a`
/// borrows, so the file system cannot store it. (Leaking it with `core::mem::forget` leaks the
/// inode, which the VFS then reports as busy at umount.)
///
/// # Invariants
///
/// `inode` points to an inode of a ready superblock of a file system of type `T` that lives
/// for `'a`, with a reference that the [`New`] owns; the inode is not bound to a dentry, and
/// `typ` is its type.
pub struct New<'a, T: FileSystem + ?Sized> {
    inode: NonNull<INode<T>>,
    typ: Type,
    aops: Option<address_space::Ops>,
    /// The ID mapping and the directory that `inode_init_owner()` gave the owner by.
    made_for: (*const bindings::mnt_idmap, *const bindings::inode),
    /// Whether [`New::set_owner`] changed the owner since.
    owner_set: Cell<bool>,
    _sb: PhantomData<&'a sb::SuperBlock<T>>,
}

impl<'a, T: FileSystem + ?Sized> New<'a, T> {
    /// Writes `target` as the target of a new symbolic link (`page_symlink()`), with its NUL.
    ///
    /// Fails with `EINVAL` unless the inode is a [`Type::Lnk`] made with address-space
    /// operations, and with `ENAMETOOLONG` if the target and its NUL do not fit in a page (the
    /// VFS limits targets to `PATH_MAX`, one page or less).
    pub fn write_symlink(&self, target: &CStr) -> Result {
        if self.typ != Type::Lnk || self.aops.is_none() {
            return Err(EINVAL);
        }
        let len = target.to_bytes_with_nul().len();
        if len > crate::page::PAGE_SIZE {
            return Err(ENAMETOOLONG);
        }
        let len = c_int::try_from(len).map_err(|_| ENAMETOOLONG)?;
        // SAFETY: The inode is a new symbolic link in low memory (`new_inode`) whose folios its
        // address-space operations can write; `target` is a valid string of `len` bytes with
        // its NUL, which fits in the one page `page_symlink` writes.
        to_result(unsafe { bindings::page_symlink(self.as_raw(), target.as_char_ptr(), len) })
    }

    /// Checks that the inode may be bound to `dentry`, a name in `dir` (they belong to the same
    /// superblock, else `EINVAL`), and lets the security modules initialise it for that name
    /// (`security_inode_init_security()`, with no extended attributes of the file system's own).
    ///
    /// # Safety
    ///
    /// `dentry` must point to a valid dentry.
    #[inline]
    pub(crate) unsafe fn prepare_binding(
        &self,
        dir: &INode<T>,
        dentry: *mut bindings::dentry,
    ) -> Result {
        // SAFETY: The caller guarantees that the dentry is valid.
        if self.super_block().as_raw() != unsafe { (*dentry).d_sb } {
            return Err(EINVAL);
        }
        // SAFETY: The dentry is valid, so is its name.
        let name = unsafe { &raw const (*dentry).__bindgen_anon_1.d_name };
        // SAFETY: The inodes and the name are valid; no extended attributes are wanted.
        to_result(unsafe {
            bindings::security_inode_init_security(
                self.as_raw(),
                dir.as_raw(),
                name,
                None,
                ptr::null_mut(),
            )
        })
    }

    /// The type of the new inode.
    pub fn typ(&self) -> Type {
        self.typ
    }

    /// Makes `uid` and `gid` the owner and group of the new inode, instead of those
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) gave it: for a root directory
    /// owned as mount options say. An inode operation that returns an inode whose owner was
    /// set so is refused (see [`Operations`]): the owner of what a caller creates is the
    /// caller's, as the VFS checked its permissions (setting `S_ISUID`, following symbolic
    /// links in sticky directories) for that owner.
    pub fn set_owner(&self, uid: Kuid, gid: Kgid) {
        self.owner_set.set(true);
        let raw = self.as_raw();
        // SAFETY: The inode is valid and, not bound to a dentry yet, seen by nobody else.
        unsafe {
            (*raw).i_uid = uid.into_raw();
            (*raw).i_gid = gid.into_raw();
        }
    }

    /// Gives up the new inode's reference, for a C function that takes it over.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        ManuallyDrop::new(self).inode.as_ptr().cast()
    }
}

impl<T: FileSystem + ?Sized> Deref for New<'_, T> {
    type Target = INode<T>;

    fn deref(&self) -> &INode<T> {
        // SAFETY: The inode is valid while the reference the `New` owns is (type invariants).
        unsafe { self.inode.as_ref() }
    }
}

impl<T: FileSystem + ?Sized> Drop for New<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants).
        unsafe { bindings::iput(self.as_raw()) };
    }
}

// SAFETY: The inode's reference may be put on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for New<'_, T> {}

// `New` is not `Sync`: its `&self` methods change the inode without a lock, which is right only
// while one thread at a time can use it.

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

/// The target of [`Operations::setattr`]: a dentry and its inode, whose `i_rwsem` the VFS holds
/// for writing.
pub struct SetAttr<'a, T: FileSystem + ?Sized> {
    idmap: &'a MntIdmap,
    dentry: &'a dentry::DEntry<T>,
    inode: Locked<'a, T>,
}

impl<'a, T: FileSystem + ?Sized> SetAttr<'a, T> {
    /// The ID mapping of the mount the change comes through, which
    /// [`libfs::setattr`](super::libfs::setattr) applies.
    pub fn idmap(&self) -> &'a MntIdmap {
        self.idmap
    }

    /// The dentry whose inode changes.
    pub fn dentry(&self) -> &'a dentry::DEntry<T> {
        self.dentry
    }

    /// The inode that changes.
    pub fn inode(&self) -> &Locked<'a, T> {
        &self.inode
    }
}

/// A rename in progress, for [`Operations::rename`]: the VFS holds both directories' `i_rwsem`
/// for writing.
pub struct Rename<'a, T: FileSystem + ?Sized> {
    pub(crate) old_dir: Locked<'a, T>,
    pub(crate) old: &'a dentry::DEntry<T>,
    pub(crate) new_dir: Locked<'a, T>,
    pub(crate) new: &'a dentry::DEntry<T>,
    pub(crate) flags: RenameFlags,
}

impl<'a, T: FileSystem + ?Sized> Rename<'a, T> {
    /// The directory of the source.
    pub fn source_dir(&self) -> &Locked<'a, T> {
        &self.old_dir
    }

    /// The source: the object to rename.
    pub fn source(&self) -> &'a dentry::DEntry<T> {
        self.old
    }

    /// The directory of the target.
    pub fn target_dir(&self) -> &Locked<'a, T> {
        &self.new_dir
    }

    /// The target: a negative dentry, or the object to replace or exchange.
    pub fn target(&self) -> &'a dentry::DEntry<T> {
        self.new
    }

    /// The `RENAME_*` flags.
    pub fn flags(&self) -> RenameFlags {
        self.flags
    }
}

/// The new attributes of an inode (`struct iattr`), as `chmod(2)`, `chown(2)`, `truncate(2)`
/// or `utimensat(2)` request them.
///
/// # Invariants
///
/// The pointee is a valid `struct iattr`.
#[repr(transparent)]
pub struct IAttr(Opaque<bindings::iattr>);

impl IAttr {
    /// The `ATTR_SIZE` flag of [`IAttr::valid`]: the size changes.
    pub const SIZE: u32 = bindings::ATTR_SIZE;

    /// The `ATTR_MTIME` flag of [`IAttr::valid`]: the modification time changes.
    pub const MTIME: u32 = bindings::ATTR_MTIME;

    /// The `ATTR_CTIME` flag of [`IAttr::valid`]: the change time changes.
    pub const CTIME: u32 = bindings::ATTR_CTIME;

    /// Creates a reference to an [`IAttr`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a `struct iattr` that remains valid and unchanged for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iattr) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::iattr>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct iattr`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::iattr {
        self.0.get()
    }

    /// The `ATTR_*` flags of the attributes that change.
    #[inline]
    pub fn valid(&self) -> u32 {
        // SAFETY: The pointee is valid and not changed, by the type invariants.
        unsafe { (*self.as_raw()).ia_valid }
    }

    /// The new size, meaningful if [`IAttr::valid`] has [`IAttr::SIZE`].
    #[inline]
    pub fn size(&self) -> file::Offset {
        // SAFETY: The pointee is valid and not changed, by the type invariants.
        unsafe { (*self.as_raw()).ia_size }
    }
}

/// The attributes of an inode that `stat(2)` reports (`struct kstat`), being filled.
///
/// # Invariants
///
/// The pointee is a valid `struct kstat` that only the holder of the reference writes to.
#[repr(transparent)]
pub struct Kstat(Opaque<bindings::kstat>);

impl Kstat {
    /// Returns the raw pointer to the C `struct kstat`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::kstat {
        self.0.get()
    }
}

/// A path (`struct path`): a dentry and the mount it is seen through.
///
/// # Invariants
///
/// The pointee is a valid `struct path`.
#[repr(transparent)]
pub struct Path(Opaque<bindings::path>);

impl Path {
    /// Returns the raw pointer to the C `struct path`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::path {
        self.0.get()
    }
}

/// The flags of a rename (`RENAME_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenameFlags(pub(crate) u32);

impl RenameFlags {
    /// Fail with `EEXIST` instead of replacing the target (`RENAME_NOREPLACE`).
    pub const NOREPLACE: u32 = bindings::RENAME_NOREPLACE;
    /// Exchange the source and the target, which must both exist (`RENAME_EXCHANGE`).
    pub const EXCHANGE: u32 = bindings::RENAME_EXCHANGE;
    /// Leave a whiteout where the source was (`RENAME_WHITEOUT`).
    pub const WHITEOUT: u32 = bindings::RENAME_WHITEOUT;

    /// The raw `RENAME_*` bits.
    #[inline]
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// What a new inode may be, by the operation that binds it to a name, with the mode (file
/// type and permissions, after the umask) that the VFS asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Creation {
    /// `create` and `tmpfile`: a regular file.
    Reg(u16),
    /// `mkdir`: a directory.
    Dir(u16),
    /// `symlink`: a symbolic link (whose permissions do not matter).
    Lnk,
    /// `mknod`: the file type and device number asked for (`vfs_mknod()` refuses
    /// directories).
    Node(u16, DevT),
    /// The whiteout of `RENAME_WHITEOUT`.
    Whiteout,
}

impl Creation {
    /// Fails with `EINVAL` unless `inode`, to be made in `dir` through a mount with the ID
    /// mapping `idmap`, is what the operation asked for: made by
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) with `idmap` and `dir`, so owned by
    /// the caller as `inode_init_owner()` decides, and not given another owner since
    /// ([`New::set_owner`]); of the type (and for `mknod`, the device number) asked for; and
    /// with no permission bit that was not asked for, except the `S_ISGID` that
    /// `inode_init_owner()` gives a new directory in a set-group-ID directory (a whiteout has
    /// none). So a file system cannot make a device where the VFS checked the permissions to
    /// make a fifo, give a file bits the caller may not set, or give it an owner the VFS did
    /// not check the caller against.
    pub(crate) fn check<T: FileSystem + ?Sized>(
        self,
        inode: &New<'_, T>,
        dir: &INode<T>,
        idmap: &MntIdmap,
    ) -> Result {
        // The owner is the caller's, as seen through the mount: the one `inode_init_owner()`
        // gave with this ID mapping and directory, not changed since.
        let made_for = (idmap.as_raw().cast_const(), dir.as_raw().cast_const());
        if inode.made_for != made_for || inode.owner_set.get() {
            return Err(EINVAL);
        }
        let typ = inode.typ();
        let asked = match self {
            Creation::Reg(mode) if typ == Type::Reg => mode,
            Creation::Dir(mode) if typ == Type::Dir => mode,
            Creation::Node(mode, dev) if typ != Type::Dir && Type::from_mode(mode, dev)? == typ => {
                mode
            }
            Creation::Lnk if typ == Type::Lnk => return Ok(()),
            // A whiteout has no permission bits (`WHITEOUT_MODE`).
            Creation::Whiteout if typ == Type::WHITEOUT => 0,
            _ => return Err(EINVAL),
        };
        let perm = bindings::S_IALLUGO as u16;
        // SAFETY: Both inodes are valid; the new one is seen by nobody else, and `dir`'s mode
        // is only read.
        let (mode, dir_mode) = unsafe { ((*inode.as_raw()).i_mode, (*dir.as_raw()).i_mode) };
        let mut allowed = asked & perm;
        if typ == Type::Dir && u32::from(dir_mode) & bindings::S_ISGID != 0 {
            allowed |= bindings::S_ISGID as u16;
        }
        if mode & perm & !allowed != 0 {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// Binds `inode`, a new regular file, to the unnamed dentry of `file`, a file being opened
/// with `O_TMPFILE` (`d_tmpfile()`), and opens the file (`finish_open()`), after the security
/// modules have initialised it.
///
/// `dir` is the directory the file is made in. The inode starts with no link: a later
/// `linkat(2)` gives it a name, otherwise it goes away when the file is closed. Fails with
/// `EINVAL` if the inode is not a regular file with the permissions of `mode` (see
/// [`Creation::check`]) or belongs to another superblock; on failure the inode goes away.
///
/// # Safety
///
/// `file` must be a `struct file` in the middle of `vfs_tmpfile()`, with a negative dentry, and
/// not yet opened.
unsafe fn bind_tmpfile<T: FileSystem + ?Sized>(
    file: *mut bindings::file,
    dir: &INode<T>,
    inode: New<'_, T>,
    mode: u16,
    idmap: &MntIdmap,
) -> Result {
    Creation::Reg(mode).check(&inode, dir, idmap)?;
    // SAFETY: By the safety requirements the file and its dentry are valid.
    let dentry = unsafe { (*file).__bindgen_anon_1.f_path.dentry };
    // SAFETY: The dentry is valid.
    unsafe { inode.prepare_binding(dir, dentry) }?;
    // SAFETY: The file is in `vfs_tmpfile()` with a negative dentry (safety requirements);
    // `d_tmpfile` takes over the inode's reference.
    unsafe { bindings::d_tmpfile(file, inode.into_raw()) };
    // SAFETY: The file has its dentry now, and is not yet open.
    to_result(unsafe { bindings::finish_open(file, dentry, None) })
}

/// A table of inode operations (`struct inode_operations`), chosen per inode, with what
/// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) checks of it.
pub struct Ops<T: FileSystem + ?Sized> {
    table: &'static bindings::inode_operations,
    /// `get_link` is `page_get_link()`: the inode is a symbolic link whose target is in its
    /// page cache.
    page_link: bool,
    /// The table is Rust's, so the abstractions carry out its namespace changes and keep the
    /// offset map of a directory made with [`file::Ops::offset_dir`].
    keeps_offsets: bool,
    /// `setattr` is implemented in Rust (so that sizes can change through
    /// [`libfs::setattr`](super::libfs::setattr), which charges pages).
    rust_setattr: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: FileSystem + ?Sized> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: FileSystem + ?Sized> Copy for Ops<T> {}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The operations that the implementation `U` of [`Operations`] provides.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self {
            table: &Table::<U>::TABLE,
            page_link: U::LIBFS.contains(Libfs::GET_LINK),
            keeps_offsets: true,
            rust_setattr: U::HAS_SETATTR,
            _t: PhantomData,
        }
    }

    /// The operations of an always-empty directory that only looks names up
    /// (`simple_dir_inode_operations`): creating anything in it fails.
    pub fn simple_dir() -> Self {
        // SAFETY: `simple_dir_inode_operations` is an immutable static of the kernel.
        let table = unsafe { &bindings::simple_dir_inode_operations };
        Self {
            table,
            page_link: false,
            keeps_offsets: false,
            rust_setattr: false,
            _t: PhantomData,
        }
    }

    /// The operations of a symbolic link whose target is in the page cache, written by
    /// [`New::write_symlink`] (`page_symlink_inode_operations`). The inode must be a
    /// [`Type::Lnk`] with address-space operations.
    pub fn page_symlink() -> Self {
        // SAFETY: `page_symlink_inode_operations` is an immutable static of the kernel.
        let table = unsafe { &bindings::page_symlink_inode_operations };
        Self {
            table,
            page_link: true,
            keeps_offsets: false,
            rust_setattr: false,
            _t: PhantomData,
        }
    }
}

/// Operations of `fs/libfs.c` that a table made by [`Ops::new`] takes as they are, for a file
/// system whose objects all live in the dcache and that has nothing to decide in them, as
/// ramfs. `setattr`, `getattr` and `get_link` are then the C functions themselves; `lookup`,
/// `link`, `unlink`, `rmdir` and `rename` are the abstractions' own steps (see
/// [`Operations`]), which call the C functions and keep the offset maps of directories.
///
/// An operation is either implemented by the [`Operations`] implementation or taken from here,
/// not both: that is a build error.
///
/// # Examples
///
/// ```
/// use kernel::fs::inode::Libfs;
///
/// const DIR: Libfs = Libfs::LOOKUP.with(Libfs::UNLINK).with(Libfs::RMDIR);
/// assert!(DIR.contains(Libfs::UNLINK.with(Libfs::LOOKUP)));
/// assert!(!DIR.contains(Libfs::LINK));
/// assert!(Libfs::NONE.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Libfs(u32);

impl Libfs {
    /// No operation of `fs/libfs.c`.
    pub const NONE: Self = Self(0);
    /// `lookup` is `simple_lookup()`.
    pub const LOOKUP: Self = Self(1 << 0);
    /// `link` is `simple_link()`.
    pub const LINK: Self = Self(1 << 1);
    /// `unlink` is `simple_unlink()`.
    pub const UNLINK: Self = Self(1 << 2);
    /// `rmdir` is `simple_rmdir()`.
    pub const RMDIR: Self = Self(1 << 3);
    /// `rename` is `simple_rename()`.
    pub const RENAME: Self = Self(1 << 4);
    /// `setattr` is `simple_setattr()`.
    pub const SETATTR: Self = Self(1 << 5);
    /// `getattr` is `simple_getattr()`: the attributes with the owner seen through the idmap of
    /// the mount, and the pages of the page cache as the blocks
    /// ([`libfs::getattr`](super::libfs::getattr)).
    pub const GETATTR: Self = Self(1 << 6);
    /// `listxattr` lists the extended attributes kept in memory, for a file system with
    /// [`xattr::Handlers::InMemory`](super::xattr::Handlers::InMemory)
    /// (`simple_xattr_list()`).
    pub const LISTXATTR: Self = Self(1 << 7);
    /// `get_link` is `page_get_link()`: the inode is a symbolic link whose target
    /// [`New::write_symlink`] wrote to its page cache, so it needs address-space operations.
    pub const GET_LINK: Self = Self(1 << 8);

    /// The operations of `self` and of `other`.
    #[inline]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `self` has every operation of `other`.
    #[inline]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` has no operation.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The operations of `self` that `U` implements itself.
    const fn implemented_by<U: Operations + ?Sized>(self) -> Self {
        let mut has = Self::NONE;
        let pairs = [
            (U::HAS_LOOKUP, Self::LOOKUP),
            (U::HAS_LINK, Self::LINK),
            (U::HAS_UNLINK, Self::UNLINK),
            (U::HAS_RMDIR, Self::RMDIR),
            (U::HAS_RENAME, Self::RENAME),
            (U::HAS_SETATTR, Self::SETATTR),
            (U::HAS_GETATTR, Self::GETATTR),
        ];
        let mut i = 0;
        while i < pairs.len() {
            if pairs[i].0 {
                has = has.with(pairs[i].1);
            }
            i += 1;
        }
        Self(self.0 & has.0)
    }
}

/// The inode operations of a kind of inode of a file system.
///
/// The operations that change a directory get it as [`Locked`]: the VFS holds its `i_rwsem` for
/// writing. An operation that changes the namespace only decides and prepares: it may refuse
/// (with any error), and one that creates something makes the new inode and returns it. The
/// abstractions then carry the change out themselves, with the dentries the VFS passed: they
/// bind the new inode to its name, keep the offset map of the directory
/// ([`file::Ops::offset_dir`]), the directories' link counts and times, and remove or move the
/// names, as `fs/libfs.c` does for ramfs. So a file system cannot report a change that did not
/// happen, make one twice, make it on another dentry, or forget a step. Their steps that can
/// fail and be undone (reserving an offset, checking that a directory is empty) come before
/// the operation is asked; binding a new inode comes after, and if it fails the inode goes
/// away. Each operation says what it does.
///
/// An operation that is not implemented is absent from the C table, with the VFS's default
/// behaviour (mostly `EPERM` for directory operations), unless [`Operations::LIBFS`] takes it
/// from `fs/libfs.c`.
///
/// [`file::Ops::offset_dir`]: super::file::Ops::offset_dir
#[vtable]
pub trait Operations {
    /// The file system the inodes belong to.
    type FileSystem: FileSystem + ?Sized;

    /// The operations that the table takes from `fs/libfs.c` as they are (see [`Libfs`]).
    const LIBFS: Libfs = Libfs::NONE;

    /// Decides whether `dentry` may be looked up in `dir` (whose `i_rwsem` is held, at least
    /// for reading). On success the name is one that does not exist, as everything that exists
    /// is in the dcache: the abstractions make the dentry negative (`simple_lookup()`, which
    /// fails with `ENAMETOOLONG` for a name longer than `NAME_MAX`).
    #[inline]
    fn lookup(
        _dir: &INode<Self::FileSystem>,
        _dentry: &dentry::Lookup<'_, Self::FileSystem>,
        _flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new regular file with permission bits `mode` for the name `dentry`
    /// in `dir`. The abstractions bind it to the name (see [`Operations`]); an inode of
    /// another type, or with a permission bit not in `mode`, is refused with `EINVAL`.
    #[inline]
    fn create<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new file of the type and permissions `mode` says (device `dev` for
    /// a device): a regular file, fifo, socket or device, which the abstractions bind as for
    /// [`Operations::create`]. An inode of another type or device number is refused with
    /// `EINVAL`: the VFS checked the caller's right to make the one asked for.
    #[inline]
    fn mknod<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
        _dev: DevT,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new directory with the permission bits `mode` (and `S_ISGID` in a
    /// set-group-ID directory). The abstractions bind it as for [`Operations::create`], and
    /// add the link of its `..` to `dir`. (C's
    /// `mkdir` may return another dentry for the new directory; the abstractions bind the one
    /// the VFS gave.)
    #[inline]
    fn mkdir<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of a new symbolic link to `target` (for example with
    /// [`New::write_symlink`]), which the abstractions bind as for [`Operations::create`].
    #[inline]
    fn symlink<'a>(
        _idmap: &MntIdmap,
        _dir: &Locked<'a, Self::FileSystem>,
        _dentry: &dentry::Negative<'a, Self::FileSystem>,
        _target: &CStr,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the inode of `old` (a non-directory, whose `i_rwsem` the VFS holds) may
    /// have the name `dentry` in `dir` too. On success the abstractions link it
    /// (`simple_link()`: a link more, new change time, `dir`'s times, the name's offset).
    #[inline]
    fn link(
        _old: &dentry::DEntry<Self::FileSystem>,
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Negative<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the name `dentry` of a non-directory may be removed from `dir`. On
    /// success the abstractions remove it (`simple_unlink()`: a link less, the name's offset
    /// and pin gone).
    #[inline]
    fn unlink(
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Removal<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the directory `dentry` may be removed from `dir`; the VFS has checked
    /// that it is a directory and not a mount point, and the abstractions that it is empty
    /// (else `ENOTEMPTY`). On success they remove it (`simple_rmdir()`, which also takes the
    /// link of its `..` from `dir`).
    #[inline]
    fn rmdir(
        _dir: &Locked<'_, Self::FileSystem>,
        _dentry: &dentry::Removal<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Decides whether the source of `rename` may be renamed to its target (the directories
    /// may be the same). With [`RenameFlags::WHITEOUT`], it returns the inode of the whiteout
    /// to leave at the source's name (of type [`Type::WHITEOUT`]), which the abstractions bind;
    /// otherwise `None`.
    ///
    /// Before asking, the abstractions refuse flags other than [`RenameFlags::NOREPLACE`]
    /// (checked by the VFS), [`RenameFlags::EXCHANGE`] and [`RenameFlags::WHITEOUT`], and
    /// `WHITEOUT` with `EXCHANGE` (`EINVAL`), and a non-empty directory as the target
    /// (`ENOTEMPTY`). After asking, they refuse a missing whiteout, one that was not asked for
    /// and one of another type (`EINVAL`). They may also fail with `EXDEV` (a rename between a
    /// directory with an offset map and one without) and `ENOMEM`, with nothing changed. On
    /// success they rename (`simple_rename()`, with the offsets as tmpfs: the name moved takes
    /// the target's offset or a new one, an exchange swaps them).
    #[inline]
    fn rename<'a>(
        _idmap: &MntIdmap,
        _rename: &Rename<'a, Self::FileSystem>,
    ) -> Result<Option<New<'a, Self::FileSystem>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the inode of an unnamed regular file in `dir` for `open(2)` with `O_TMPFILE`. The
    /// abstractions bind it to the file's dentry (`d_tmpfile()`) and open the file; an inode of
    /// another type, or with a permission bit not in `mode`, is refused with `EINVAL`.
    #[inline]
    fn tmpfile<'a>(
        _idmap: &MntIdmap,
        _dir: &'a INode<Self::FileSystem>,
        _mode: u16,
    ) -> Result<New<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Changes the attributes of the inode of `target`, including its size.
    #[inline]
    fn setattr(
        _idmap: &MntIdmap,
        _target: &SetAttr<'_, Self::FileSystem>,
        _attr: &IAttr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Fills `stat` for `stat(2)`.
    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        _path: &Path,
        _stat: &Kstat,
        _request_mask: u32,
        _flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The C table of inode operations of an implementation `U` of [`Operations`], and its
/// callbacks.
struct Table<U: Operations + ?Sized>(PhantomData<fn() -> U>);

type Fs<U> = <U as Operations>::FileSystem;

/// Chooses the callback of a namespace operation: `U`'s, asked before the abstractions carry
/// the change out, or the abstractions' alone if `U::LIBFS` takes it from libfs, or none.
macro_rules! choose {
    ($has:ident, $flag:ident, $asking:ident, $libfs:ident) => {
        if U::$has {
            Some(Self::$asking)
        } else if U::LIBFS.contains(Libfs::$flag) {
            Some(Self::$libfs)
        } else {
            None
        }
    };
}

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::inode_operations = {
        build_assert!(
            U::LIBFS.implemented_by::<U>().is_empty(),
            "an inode operation is both implemented and taken from libfs (Operations::LIBFS)"
        );
        Self::OPS
    };

    const OPS: bindings::inode_operations = bindings::inode_operations {
        lookup: choose!(HAS_LOOKUP, LOOKUP, lookup, lookup_libfs),
        create: if U::HAS_CREATE {
            Some(Self::create)
        } else {
            None
        },
        mknod: if U::HAS_MKNOD {
            Some(Self::mknod)
        } else {
            None
        },
        mkdir: if U::HAS_MKDIR {
            Some(Self::mkdir)
        } else {
            None
        },
        symlink: if U::HAS_SYMLINK {
            Some(Self::symlink)
        } else {
            None
        },
        link: choose!(HAS_LINK, LINK, link, link_libfs),
        unlink: choose!(HAS_UNLINK, UNLINK, unlink, unlink_libfs),
        rmdir: choose!(HAS_RMDIR, RMDIR, rmdir, rmdir_libfs),
        rename: choose!(HAS_RENAME, RENAME, rename, rename_libfs),
        tmpfile: if U::HAS_TMPFILE {
            Some(Self::tmpfile)
        } else {
            None
        },
        setattr: if U::HAS_SETATTR {
            Some(Self::setattr)
        } else if U::LIBFS.contains(Libfs::SETATTR) {
            Some(bindings::simple_setattr)
        } else {
            None
        },
        getattr: if U::HAS_GETATTR {
            Some(Self::getattr)
        } else if U::LIBFS.contains(Libfs::GETATTR) {
            Some(bindings::simple_getattr)
        } else {
            None
        },
        listxattr: if U::LIBFS.contains(Libfs::LISTXATTR) {
            Some(super::xattr::listxattr)
        } else {
            None
        },
        get_link: if U::LIBFS.contains(Libfs::GET_LINK) {
            Some(bindings::page_get_link)
        } else {
            None
        },
        get_offset_ctx: Some(get_offset_ctx),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` is held and a negative
    /// dentry in it.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: The VFS passes a valid directory of this file system.
        let dir = unsafe { INode::<Fs<U>>::from_raw(dir) };
        // SAFETY: The VFS holds a reference to the dentry, which is being looked up, for the
        // duration of the call.
        let name = unsafe { dentry::Lookup::from_raw(dentry) };
        match U::lookup(dir, &name, flags) {
            // SAFETY: As above.
            Ok(()) => unsafe { Self::lookup_libfs(dir.as_raw(), dentry, flags) },
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::lookup`].
    unsafe extern "C" fn lookup_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: As the function's safety section says, as `simple_lookup()` needs.
        unsafe { bindings::simple_lookup(dir, dentry, flags) }
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `idmap`, a directory of `Fs<U>` whose `i_rwsem` it holds
    /// for writing and a negative dentry in it, which it holds a reference to.
    unsafe extern "C" fn create(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        from_result(|| {
            let inode = U::create(idmap, &dir, &dentry, mode)?;
            dentry.bind(&dir, inode, Creation::Reg(mode), idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`].
    unsafe extern "C" fn mknod(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
        dev: bindings::dev_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        from_result(|| {
            let inode = U::mknod(idmap, &dir, &dentry, mode, dev)?;
            dentry.bind(&dir, inode, Creation::Node(mode, dev), idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`].
    unsafe extern "C" fn mkdir(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> *mut bindings::dentry {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        let ret = U::mkdir(idmap, &dir, &dentry, mode)
            .and_then(|inode| dentry.bind(&dir, inode, Creation::Dir(mode), idmap));
        match ret {
            Ok(()) => ptr::null_mut(),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::create`], with `target` a valid NUL-terminated string.
    unsafe extern "C" fn symlink(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        target: *const c_char,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, dir, dentry) = unsafe { Self::creation_args(idmap, dir, dentry) };
        // SAFETY: `target` is a valid string for the duration of the call.
        let target = unsafe { CStr::from_char_ptr(target) };
        from_result(|| {
            let inode = U::symlink(idmap, &dir, &dentry, target)?;
            dentry.bind(&dir, inode, Creation::Lnk, idmap)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::create`], with `old` a dentry of the same file system, positive with a
    /// non-directory inode whose `i_rwsem` the VFS holds for writing (`vfs_link()`).
    unsafe extern "C" fn link(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (_, dir, dentry) = unsafe { Self::creation_args(ptr::null_mut(), dir, dentry) };
        // SAFETY: The VFS holds a reference to `old` for the duration of the call.
        let source = unsafe { dentry::DEntry::from_raw(old) };
        from_result(|| {
            // SAFETY: See the function's safety section.
            unsafe { super::libfs::link(old, &dir, dentry, |d| U::link(source, &dir, d)) }?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::link`].
    unsafe extern "C" fn link_libfs(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (_, dir, dentry) = unsafe { Self::creation_args(ptr::null_mut(), dir, dentry) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { super::libfs::link(old, &dir, dentry, |_| Ok(())) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` it holds for writing and
    /// a positive dentry of a non-directory in it, which it holds a reference to, and whose
    /// inode's `i_rwsem` it holds too (`vfs_unlink()`).
    unsafe extern "C" fn unlink(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        from_result(|| {
            U::unlink(&dir, &dentry)?;
            super::libfs::unlink(&dir, dentry);
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::unlink`].
    unsafe extern "C" fn unlink_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        super::libfs::unlink(&dir, dentry);
        0
    }

    /// # Safety
    ///
    /// Called by the VFS with a directory of `Fs<U>` whose `i_rwsem` it holds for writing and
    /// a positive dentry of a directory in it that is not a mount point, which it holds a
    /// reference to, and whose inode's `i_rwsem` it holds too (`vfs_rmdir()`).
    unsafe extern "C" fn rmdir(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        from_result(|| {
            // SAFETY: See the function's safety section.
            unsafe { super::libfs::rmdir(&dir, dentry, |d| U::rmdir(&dir, d)) }.map(|()| 0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::rmdir`].
    unsafe extern "C" fn rmdir_libfs(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::<Fs<U>>::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Removal::from_raw(dentry) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { super::libfs::rmdir(&dir, dentry, |_| Ok(())) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS (`vfs_rename()`) with a valid `idmap`, both directories of `Fs<U>`
    /// locked for writing, and references to both dentries.
    unsafe extern "C" fn rename(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, rename) =
            unsafe { Self::rename_args(idmap, old_dir, old, new_dir, new, flags) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { super::libfs::rename(idmap, rename, U::rename) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// As for [`Self::rename`].
    unsafe extern "C" fn rename_libfs(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (idmap, rename) =
            unsafe { Self::rename_args(idmap, old_dir, old, new_dir, new, flags) };
        // SAFETY: See the function's safety section.
        from_result(|| unsafe { super::libfs::rename(idmap, rename, |_, _| Ok(None)) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by `vfs_tmpfile()` with a valid `idmap`, a directory of `Fs<U>` and a file with a
    /// negative dentry that is not yet open.
    unsafe extern "C" fn tmpfile(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        file: *mut bindings::file,
        mode: bindings::umode_t,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let dir = unsafe { INode::<Fs<U>>::from_raw(dir) };
        from_result(|| {
            let inode = U::tmpfile(idmap, dir, mode)?;
            // SAFETY: See the function's safety section.
            unsafe { bind_tmpfile(file, dir, inode, mode, idmap) }?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by `notify_change()` with a valid `idmap` and `attr`, and a dentry of `Fs<U>`
    /// whose inode's `i_rwsem` it holds for writing.
    unsafe extern "C" fn setattr(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::DEntry::<Fs<U>>::from_raw(dentry) };
        // SAFETY: The dentry is positive and its inode is locked (see above).
        let inode = unsafe { Locked::<Fs<U>>::from_raw((*dentry.as_raw()).d_inode) };
        // SAFETY: See the function's safety section; `setattr` does not change `attr`.
        let attr = unsafe { IAttr::from_raw(attr) };
        let target = SetAttr {
            idmap,
            dentry,
            inode,
        };
        from_result(|| U::setattr(idmap, &target, attr).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by `vfs_getattr_nosec()` with a valid `idmap`, `path` and `stat`, the latter only
    /// used by this call.
    unsafe extern "C" fn getattr(
        idmap: *mut bindings::mnt_idmap,
        path: *const bindings::path,
        stat: *mut bindings::kstat,
        request_mask: u32,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: `path` is valid for the call; `Path` is a transparent wrapper.
        let path = unsafe { &*path.cast::<Path>() };
        // SAFETY: `stat` is valid for the call; `Kstat` is a transparent wrapper.
        let stat = unsafe { &*stat.cast::<Kstat>() };
        from_result(|| U::getattr(idmap, path, stat, request_mask, flags).map(|()| 0))
    }

    /// The arguments of an operation that creates a name.
    ///
    /// # Safety
    ///
    /// `idmap` is null (then the identity mapping is returned) or a valid ID mapping, `dir` is
    /// a directory of `Fs<U>` whose `i_rwsem` the caller holds for writing for `'a`, and `dentry`
    /// is a negative dentry in it that the caller holds a reference to for `'a`.
    unsafe fn creation_args<'a>(
        idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> (&'a MntIdmap, Locked<'a, Fs<U>>, dentry::Negative<'a, Fs<U>>) {
        let idmap = if idmap.is_null() {
            MntIdmap::nop()
        } else {
            // SAFETY: See the function's safety section.
            unsafe { MntIdmap::from_raw(idmap) }
        };
        // SAFETY: See the function's safety section.
        let dir = unsafe { Locked::from_raw(dir) };
        // SAFETY: See the function's safety section.
        let dentry = unsafe { dentry::Negative::from_raw(dentry) };
        (idmap, dir, dentry)
    }

    /// The arguments of `rename`.
    ///
    /// # Safety
    ///
    /// As for [`Self::rename`], for `'a`.
    unsafe fn rename_args<'a>(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> (&'a MntIdmap, Rename<'a, Fs<U>>) {
        // SAFETY: See the function's safety section.
        let idmap = unsafe { MntIdmap::from_raw(idmap) };
        // SAFETY: See the function's safety section.
        let old_dir = unsafe { Locked::<Fs<U>>::from_raw(old_dir) };
        // SAFETY: See the function's safety section.
        let new_dir = unsafe { Locked::<Fs<U>>::from_raw(new_dir) };
        // SAFETY: See the function's safety section.
        let old = unsafe { dentry::DEntry::from_raw(old) };
        // SAFETY: See the function's safety section.
        let new = unsafe { dentry::DEntry::from_raw(new) };
        let rename = Rename {
            old_dir,
            old,
            new_dir,
            new,
            flags: RenameFlags(flags),
        };
        (idmap, rename)
    }
}

/// The parameters of a new inode.
pub struct Params<'a, T: FileSystem + ?Sized> {
    /// The type of the inode.
    pub typ: Type,
    /// The permission bits (and `S_ISUID`, `S_ISGID` and `S_ISVTX`).
    pub perm: u16,
    /// The ID mapping of the mount the inode is created through.
    pub idmap: &'a MntIdmap,
    /// The directory the inode is created in (it gives the group of the new inode if it has
    /// `S_ISGID` set); `None` for the root.
    pub dir: Option<&'a INode<T>>,
    /// The inode operations; `None` for none (a fifo, socket or device needs none).
    pub iops: Option<Ops<T>>,
    /// The file operations: a directory's ([`file::Ops::is_dir`]) for a directory, a regular
    /// file's for a regular file, `None` for the other types (a fifo, socket or device gets the
    /// kernel's, `init_special_inode()`); [`SuperBlock::new_inode`](sb::SuperBlock::new_inode)
    /// fails with `EINVAL` otherwise.
    pub fops: Option<file::Ops>,
    /// The address-space operations of the inode's page cache, if it uses it.
    pub aops: Option<address_space::Ops>,
    /// How the page cache treats the inode's folios.
    pub mapping: address_space::Mapping,
}

impl<T: FileSystem + ?Sized> sb::SuperBlock<T> {
    /// Allocates a new inode that is not in the inode hash, with the next free inode number,
    /// owned by the caller's fsuid and fsgid as seen through `idmap` (as `inode_init_owner()`
    /// decides, with the group of `dir` if it is set-group-ID), and with its three timestamps
    /// set to now.
    ///
    /// Directories start with two links (for `.` and the name in the parent), other inodes
    /// with one. A fifo, socket or device gets the kernel's file operations for it
    /// (`init_special_inode()`); a symbolic link keeps its page cache in low memory
    /// (`inode_nohighmem()`), as `page_get_link()` needs.
    #[inline]
    pub fn new_inode(&self, params: Params<'_, T>) -> Result<New<'_, T>> {
        // A directory's file operations for a directory, a regular file's for a regular file;
        // none for the other types (a fifo, socket or device gets the kernel's).
        if let Some(fops) = params.fops {
            let fits = match params.typ {
                Type::Dir => fops.is_dir(),
                Type::Reg => !fops.is_dir(),
                _ => false,
            };
            if !fits {
                return Err(EINVAL);
            }
        }
        // Operations that read or write the page cache need address-space operations. A
        // target in the page cache is a symbolic link's: the dcache takes an inode with
        // `get_link` for one, and `page_get_link()` needs its page cache in low memory.
        let page_link = params.iops.as_ref().is_some_and(|i| i.page_link);
        if page_link && params.typ != Type::Lnk {
            return Err(EINVAL);
        }
        let needs_aops = params.fops.is_some_and(|f| f.uses_page_cache()) || page_link;
        if needs_aops && params.aops.is_none() {
            return Err(EINVAL);
        }
        // An offset map is kept by a directory's Rust operations (see `file::Ops::offset_dir`).
        let offsets = params.fops.is_some_and(|f| f.uses_offsets());
        let keeps_offsets = params.iops.as_ref().is_some_and(|i| i.keeps_offsets);
        if offsets && (params.typ != Type::Dir || !keeps_offsets) {
            return Err(EINVAL);
        }
        // A charged file's size changes through `libfs::setattr`, which charges it.
        let charged = T::HAS_CHARGE_PAGES
            && params.typ == Type::Reg
            && params.fops.is_some_and(|f| f.is_in_memory());
        if charged && !params.iops.as_ref().is_some_and(|i| i.rust_setattr) {
            return Err(EINVAL);
        }
        // SAFETY: The superblock is valid by the type invariants.
        let ptr = NonNull::new(unsafe { bindings::new_inode(self.as_raw()) }).ok_or(ENOMEM)?;
        // INVARIANT: `new_inode` returns an inode of this superblock, which is ready and lives
        // while `self` is borrowed, with one reference that the `New` owns from now on; its type
        // is set below.
        let dir = params.dir.map_or(ptr::null(), |d| d.as_raw().cast_const());
        let inode = New {
            inode: ptr.cast::<INode<T>>(),
            typ: params.typ,
            aops: params.aops,
            made_for: (params.idmap.as_raw().cast_const(), dir),
            owner_set: Cell::new(false),
            _sb: PhantomData,
        };
        let raw = inode.as_raw();
        let mode = params.typ.format() | (params.perm & bindings::S_IALLUGO as u16);
        // SAFETY: `raw` is a new inode that nobody else can see yet, `dir` is null or a valid
        // inode, and `idmap` is a valid ID mapping.
        unsafe {
            (*raw).i_ino = bindings::get_next_ino().into();
            bindings::inode_init_owner(params.idmap.as_raw(), raw, dir, mode);
            bindings::simple_inode_init_ts(raw);
        }
        // SAFETY: As above; the mapping of a new inode is its own `i_data`.
        let mapping = unsafe { (*raw).i_mapping };
        if let Some(aops) = params.aops {
            // SAFETY: As above.
            unsafe { (*mapping).a_ops = aops.as_raw() };
        }
        if params.mapping == address_space::Mapping::Unevictable {
            // SAFETY: As above.
            unsafe {
                (*mapping).gfp_mask = bindings::GFP_HIGHUSER;
                bindings::mapping_set_unevictable(mapping);
            }
        }
        if let Some(iops) = params.iops {
            // SAFETY: As above.
            unsafe { (*raw).i_op = iops.table };
        }
        if let Some(fops) = params.fops {
            // SAFETY: As above.
            unsafe { (*raw).__bindgen_anon_3.i_fop = fops.as_raw() };
        }
        if offsets {
            // SAFETY: As above; the inode is a new directory from `Cache::alloc`, as all of
            // `T`'s are.
            unsafe { offsets::init(raw) };
        }
        match params.typ {
            // SAFETY: As above.
            Type::Dir => unsafe { bindings::inc_nlink(raw) },
            // SAFETY: As above.
            Type::Lnk => unsafe { bindings::inode_nohighmem(raw) },
            // SAFETY: As above; the mode and device number are those of a special file.
            t if t.is_special() => unsafe { bindings::init_special_inode(raw, mode, t.dev()) },
            _ => {}
        }
        Ok(inode)
    }
}
