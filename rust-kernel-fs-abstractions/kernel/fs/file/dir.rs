// SPDX-License-Identifier: GPL-2.0

//! Directories whose entries a file system lists itself (`iterate_shared`), rather than from the
//! dcache.

use super::{Offset, Ops};
use crate::{
    bindings,
    error::{code::*, from_result, Result},
    ffi::{c_int, c_uint},
    fs::{
        inode::{INode, Type},
        FileSystem,
    },
    prelude::*,
    types::NotThreadSafe,
};
use core::{marker::PhantomData, ptr::NonNull};

/// The file operations of a kind of directory of a file system that lists the entries itself
/// (`iterate_shared`): the listing half of a directory with a backing store.
///
/// The table made from it ([`Ops::dir`]) also has the kernel's `read` (`generic_read_dir()`,
/// which fails with `EISDIR`), `llseek` (`generic_file_llseek()`: any position from 0 up to
/// the superblock's largest file size, so a listing must check the position it is given) and a
/// no-op `fsync`. A directory whose entries all live in the dcache needs none of this: see
/// [`Ops::offset_dir`].
///
/// What a listing gives is not what `lookup` finds: lookup in Rust binds no inode yet, so a
/// name that is not in the dcache is not found, and `rmdir` and a rename over the directory
/// take it for empty if the dcache holds none of its names (`simple_empty()`). Such a
/// directory has no offset map, so a rename between it and a directory with one
/// ([`Ops::offset_dir`]) fails with `EXDEV`.
#[vtable]
pub trait DirOperations {
    /// The file system the directories belong to.
    type FileSystem: FileSystem + ?Sized;

    /// Lists the entries of the directory `inode` from the position of `ctx`
    /// (`file_operations.iterate_shared`, for `getdents(2)`): emits each entry with
    /// [`DirEmitter::emit`] and moves the position past it with [`DirEmitter::set_pos`], until
    /// the entries end or `emit` returns `false` (the caller wants no more entries: the next
    /// call starts at the position again). What the position means is the file system's: the VFS
    /// keeps it in the open file between calls, and `lseek(2)` may set it to anything.
    ///
    /// The VFS holds the directory's `i_rwsem` for reading: other listings of the directory
    /// may run at the same time, but no change of its entries through the VFS.
    fn iterate_shared(inode: &INode<Self::FileSystem>, ctx: &mut DirEmitter<'_>) -> Result;
}

/// A listing of a directory in progress (`struct dir_context`): its position, and the caller's
/// function that takes the entries.
///
/// # Invariants
///
/// `ctx` is a valid `struct dir_context` of a listing of the open directory `file` by
/// `iterate_dir()`, which the current thread has to itself for `'a`.
pub struct DirEmitter<'a> {
    ctx: NonNull<bindings::dir_context>,
    file: NonNull<bindings::file>,
    _p: PhantomData<&'a mut bindings::dir_context>,
    _not_send: NotThreadSafe,
}

impl DirEmitter<'_> {
    /// Creates a [`DirEmitter`] of a listing.
    ///
    /// # Safety
    ///
    /// `ctx` must be a valid `struct dir_context` of a listing of the open directory `file` by
    /// `iterate_dir()`, which the current thread has to itself for `'a`.
    unsafe fn from_raw(file: *mut bindings::file, ctx: *mut bindings::dir_context) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            // SAFETY: By the safety requirements the pointers are valid, so not null.
            ctx: unsafe { NonNull::new_unchecked(ctx) },
            // SAFETY: As above.
            file: unsafe { NonNull::new_unchecked(file) },
            _p: PhantomData,
            _not_send: NotThreadSafe,
        }
    }

    /// The position of the listing.
    pub fn pos(&self) -> Offset {
        // SAFETY: The context is valid and this thread's (type invariants).
        unsafe { (*self.ctx.as_ptr()).pos }
    }

    /// Moves the position of the listing to `pos`, after an entry was emitted.
    ///
    /// Fails with `EINVAL` unless `pos` is one that `lseek(2)` can set again: from 0 up to the
    /// superblock's largest file size (`s_maxbytes`).
    pub fn set_pos(&mut self, pos: Offset) -> Result {
        // SAFETY: The open directory, its inode and its superblock are valid (type invariants).
        let max = unsafe { (*(*(*self.file.as_ptr()).f_inode).i_sb).s_maxbytes };
        if !(0..=max).contains(&pos) {
            return Err(EINVAL);
        }
        // SAFETY: The context is valid and this thread's (type invariants).
        unsafe { (*self.ctx.as_ptr()).pos = pos };
        Ok(())
    }

    /// Emits `.` and `..` (`dir_emit_dots()`) if the position is 0 or 1, at positions 0 and 1,
    /// moving the position past each. Returns `false` if the caller wants no more entries.
    pub fn emit_dots(&mut self) -> bool {
        // SAFETY: The context and the open directory, whose dentry and parent the open file
        // holds, are valid (type invariants).
        unsafe { bindings::dir_emit_dots(self.file.as_ptr(), self.ctx.as_ptr()) }
    }

    /// Emits the entry `name`, of the inode number `ino` and the type `typ` (`None` if not
    /// known), at the position of the listing, which it does not move (`dir_emit()`). The name
    /// goes to the caller with its NUL, as C file systems' names do: some callers read it as a
    /// C string.
    ///
    /// Returns `false` if the caller wants no more entries (its buffer is full, a signal is
    /// pending, or it found what it looked for): the listing should stop without moving past
    /// the entry. Fails with `EINVAL` if `name` is not a name an entry may have: empty, longer
    /// than `NAME_MAX` bytes, with a `/`, or `.` or `..` ([`DirEmitter::emit_dots`] emits those).
    ///
    /// The caller copies the entry to user memory, which may fault and sleep: no spinlock may be
    /// held across it, nor a lock that reading a folio of the file system takes.
    pub fn emit(&mut self, name: &CStr, ino: u64, typ: Option<Type>) -> Result<bool> {
        let bytes = name.to_bytes();
        if bytes.is_empty()
            || bytes.len() > bindings::NAME_MAX as usize
            || bytes.contains(&b'/')
            || bytes == b"."
            || bytes == b".."
        {
            return Err(EINVAL);
        }
        let ctx = self.ctx.as_ptr();
        // SAFETY: The context is valid (type invariants); `iterate_dir()`'s callers set its
        // function.
        let actor = unsafe { (*ctx).actor }.ok_or(EINVAL)?;
        // SAFETY: The context is valid and this thread's; `name` is valid for reads of its
        // length and its NUL, and the length fits in a `c_int` (at most `NAME_MAX`).
        Ok(unsafe {
            actor(
                ctx,
                name.as_char_ptr(),
                bytes.len() as c_int,
                (*ctx).pos,
                ino,
                dtype(typ),
            )
        })
    }
}

/// The directory entry type (`DT_*`) of an inode of type `typ`, `DT_UNKNOWN` for `None`.
fn dtype(typ: Option<Type>) -> c_uint {
    match typ {
        None => bindings::DT_UNKNOWN,
        Some(Type::Reg) => bindings::DT_REG,
        Some(Type::Dir) => bindings::DT_DIR,
        Some(Type::Lnk) => bindings::DT_LNK,
        Some(Type::Fifo) => bindings::DT_FIFO,
        Some(Type::Sock) => bindings::DT_SOCK,
        Some(Type::Chr(_)) => bindings::DT_CHR,
        Some(Type::Blk(_)) => bindings::DT_BLK,
    }
}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The file operations of a directory that the implementation `U` of [`DirOperations`]
    /// lists (see there for what lookup finds).
    pub const fn dir<U: DirOperations<FileSystem = T>>() -> Self {
        Self {
            table: &DirTable::<U>::TABLE,
            reads_folios: false,
            writes_folios: false,
            offsets: false,
            dir: true,
            in_memory: false,
            syncs: false,
            _t: PhantomData,
        }
    }
}

/// The C table of file operations of an implementation `U` of [`DirOperations`].
struct DirTable<U: DirOperations + ?Sized>(PhantomData<fn() -> U>);

impl<U: DirOperations + ?Sized> DirTable<U> {
    const TABLE: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        read: Some(bindings::generic_read_dir),
        iterate_shared: Some(Self::iterate_shared),
        fsync: Some(bindings::noop_fsync),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by `iterate_dir()` with an open directory of `U::FileSystem`, whose `i_rwsem` it
    /// holds for reading, and a valid `ctx` of the listing, which only this thread uses for the
    /// duration of the call.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The open file holds its inode, a directory of `U::FileSystem`.
            let inode = unsafe { INode::<U::FileSystem>::from_raw((*file).f_inode) };
            // SAFETY: See the function's safety section.
            let mut ctx = unsafe { DirEmitter::from_raw(file, ctx) };
            U::iterate_shared(inode, &mut ctx)?;
            Ok(0)
        })
    }
}
