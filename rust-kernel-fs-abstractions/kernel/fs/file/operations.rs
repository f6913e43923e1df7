// SPDX-License-Identifier: GPL-2.0

//! The file operations that a file system implements in Rust, and the C table made from them.

#[cfg(CONFIG_MMU)]
use super::mapped::VmOps;
use super::{Data, LocalFile, NewMapping, Offset, Opened, Ops};
use crate::{
    bindings,
    error::{code::*, to_result, Result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_long},
    fs::{
        address_space::io_errno,
        folio::{self, Folio},
        inode::{self, INode},
        FileSystem, Kiocb,
    },
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    types::ForeignOwnable,
};
use core::marker::PhantomData;

/// The kernel's functions that a table made by [`Ops::new`] takes for the operations its
/// [`Operations`] implementation does not implement (those of ramfs's regular files, one by
/// one).
///
/// An operation that is both implemented and taken from here is a build error.
///
/// # Examples
///
/// ```
/// use kernel::fs::file::Generic;
///
/// let g = Generic::PAGE_CACHE.without(Generic::READ_ITER);
/// assert!(g.contains(Generic::WRITE_ITER.with(Generic::MMAP)));
/// assert!(!g.contains(Generic::READ_ITER));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generic(u32);

impl Generic {
    /// None of the kernel's functions.
    pub const NONE: Self = Self(0);
    /// `read_iter` is `generic_file_read_iter()`, which reads through the page cache and fills
    /// missing folios with `read_folio`.
    pub const READ_ITER: Self = Self(1 << 0);
    /// `write_iter` is `generic_file_write_iter()`, which writes through `write_begin` and
    /// `write_end`.
    pub const WRITE_ITER: Self = Self(1 << 1);
    /// `mmap_prepare` is `generic_file_mmap_prepare()`, whose faults fill missing folios with
    /// `read_folio`, and `get_unmapped_area` is `mm_get_unmapped_area()`.
    pub const MMAP: Self = Self(1 << 2);
    /// `splice_write` is `iter_file_splice_write()`, which goes through `write_iter`, and
    /// `splice_read` is `filemap_splice_read()`, which reads through the page cache and fills
    /// missing folios with `read_folio`, even if `read_iter` is implemented in Rust.
    ///
    /// Splice reads reach a Rust `read_iter` only for `O_DIRECT` files ([`Generic::DIRECT`]):
    /// the VFS calls `copy_splice_read()`, which goes through `read_iter`, instead of
    /// `splice_read` for them and for DAX inodes, and these abstractions make no DAX inode.
    pub const SPLICE: Self = Self(1 << 3);
    /// `llseek` is `generic_file_llseek()`.
    pub const LLSEEK: Self = Self(1 << 4);
    /// `fsync` is `noop_fsync()`: the data is in memory only.
    pub const FSYNC: Self = Self(1 << 5);
    /// All of the above: the file operations of ramfs's regular files ([`Ops::page_cache`]).
    pub const PAGE_CACHE: Self = Self((1 << 6) - 1);
    /// `llseek` is `simple_file_llseek()`: `SEEK_DATA` and `SEEK_HOLE` find the folios of the
    /// page cache that are up to date, so that a page with no folio or with one that is not up
    /// to date is a hole, as on tmpfs; the other whences are those of `generic_file_llseek()`.
    /// Not with [`Generic::LLSEEK`].
    pub const SEEK_HOLES: Self = Self(1 << 6);
    /// `read_iter` is [`INode::read_sparse`], with no code of the file system in between: what
    /// the page cache holds, and zeroes for the pages it does not hold, without adding folios,
    /// as tmpfs reads. It updates the access time (through `filemap_read()`). Not with
    /// [`Generic::READ_ITER`].
    pub const READ_SPARSE: Self = Self(1 << 7);
    /// `fsync` is `simple_fsync_noflush()`: it writes the dirty folios of the range back
    /// ([`writepages`](crate::fs::address_space::Operations::writepages)) and waits for them,
    /// and reports the write-back errors that the file did not see yet; no block device's
    /// cache is flushed. Address-space operations that write back need it, or a Rust `fsync`
    /// ([`Opened::write_and_wait`]). Not with [`Generic::FSYNC`].
    pub const WRITE_BACK_FSYNC: Self = Self(1 << 8);
    /// `setlease` is `generic_setlease()`: `fcntl(F_SETLEASE)` and nfsd's delegations take
    /// leases on the files, as on tmpfs and on the directories of `libfs`. Without it, the VFS
    /// refuses leases with `EINVAL`.
    pub const SETLEASE: Self = Self(1 << 9);
    /// `open(2)` and `fcntl(2)` allow `O_DIRECT` (`FMODE_CAN_ODIRECT`), and direct reads and
    /// writes go through the page cache as the others do, as on tmpfs: no alignment is asked
    /// for, and what is written is in the page cache, not on a device, when the write returns.
    ///
    /// The kernel's `read_iter` and `write_iter` ([`Generic::READ_ITER`],
    /// [`Generic::WRITE_ITER`]) would send a direct read or write to the address-space
    /// operations' `direct_IO`, which these abstractions do not offer: with this flag, the
    /// abstractions clear `IOCB_DIRECT` before they call them, as ext4 does for the files it
    /// cannot read or write directly, and before they call the Rust `read_iter` and `write_iter`
    /// too, which see a buffered read or write.
    ///
    /// With [`Generic::SPLICE`], the table must have a `read_iter` (implemented,
    /// [`Generic::READ_ITER`] or [`Generic::READ_SPARSE`]), through which the VFS splices
    /// `O_DIRECT` files: else it is a build error.
    pub const DIRECT: Self = Self(1 << 10);

    /// The functions of `self` and of `other`.
    #[inline]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The functions of `self` that are not in `other`.
    #[inline]
    pub const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether `self` has every function of `other`.
    #[inline]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` and `other` have a function in common.
    #[inline]
    const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

/// The file operations of a kind of regular file of a file system, written in Rust.
///
/// An operation that is neither implemented nor taken from the kernel ([`Operations::GENERIC`])
/// is absent from the C table, with the VFS's default behaviour (mostly `EINVAL` or
/// `EOPNOTSUPP`). The abstractions take the locks and make the checks that every file system
/// makes around an operation, as each says.
#[vtable]
pub trait Operations {
    /// The file system the files belong to.
    type FileSystem: FileSystem + ?Sized;

    /// The data of each open file, which [`Operations::open`] makes and the other operations
    /// read ([`Kiocb::file`], [`Opened::data`]): `()` for none.
    ///
    /// Data that holds something ([`Data::HOLDS`]) needs `open`: a table without it is a build
    /// error.
    type Data: Data;

    /// The operations taken from the kernel as they are (see [`Generic`]).
    const GENERIC: Generic = Generic::NONE;

    /// Opens `file` of `inode`, after the VFS's checks, and returns its data. On failure the
    /// open fails with the error, and `release` is not called.
    ///
    /// It is called for every open: `open(2)` (also of an `O_TMPFILE` file, from its
    /// `tmpfile`), and the kernel's own, such as the backing files of overlayfs, nfsd's and
    /// ksmbd's files and `execve(2)`, which may run with other credentials (`file.cred()`) and
    /// never reach a file descriptor.
    fn open(_inode: &INode<Self::FileSystem>, _file: &LocalFile) -> Result<Self::Data> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Releases the data of a file of `inode` that was opened with [`Operations::open`], once
    /// the last reference to the file is gone (the last `close(2)`, `munmap(2)` or descriptor
    /// of it), on whichever thread drops it, possibly a kernel worker (`delayed_fput()`). The
    /// file is going and cannot be used, nor kept; without `release`, the data is dropped.
    fn release(_data: Self::Data, _inode: &INode<Self::FileSystem>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads from the file of `inode` at the position of `iocb` into `to`, moves the position
    /// past what was read, and returns how much that is (0 at the end of the file). More than
    /// `to` took counts as what it took: the VFS's callers trust the count. The abstractions
    /// update the access time afterwards (`file_accessed()`), as `shmem_file_read_iter()` does.
    fn read_iter(
        _iocb: &mut Kiocb<'_, Self::Data>,
        _inode: &INode<Self::FileSystem>,
        _to: &mut IovIterDest<'_>,
    ) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes `from` to the file of `inode` at the position of `iocb`, moves the position past
    /// what was written, and returns how much that is; usually with
    /// [`inode::Locked::perform_write`]. More than `from` gave counts as what it gave: the
    /// VFS's callers trust the count (`iter_file_splice_write()` releases that many bytes of
    /// pipe buffers).
    ///
    /// The abstractions hold `inode`'s `i_rwsem` for writing (or fail with `EAGAIN` for
    /// `IOCB_NOWAIT` if it is taken), and have made the checks of `generic_write_checks()`:
    /// the position is the end of the file for `O_APPEND`, and `from` is cut to the file size
    /// limits (an empty write does not get here). They have removed the set-user-ID bits and
    /// updated the times (`file_modified()`), and they sync the data for `O_SYNC` afterwards
    /// (`generic_write_sync()`), as `generic_file_write_iter()` does.
    fn write_iter(
        _iocb: &mut Kiocb<'_, Self::Data>,
        _inode: &inode::Locked<'_, Self::FileSystem>,
        _from: &mut IovIterSource<'_>,
    ) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the position to move `file` of `inode` to, from its position `pos`, for
    /// `offset` and `whence` (`SEEK_SET`, `SEEK_CUR`, `SEEK_END`, `SEEK_DATA` or `SEEK_HOLE`).
    ///
    /// The abstractions move it there (`vfs_setpos()`), or fail with `EINVAL` if it is
    /// negative or beyond the superblock's maximum file size.
    fn llseek(
        _file: &Opened<Self::Data>,
        _inode: &INode<Self::FileSystem>,
        _pos: Offset,
        _offset: Offset,
        _whence: u32,
    ) -> Result<Offset> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes the data of `file` of `inode` from `start` to `end` (inclusive) durable, and its
    /// metadata too unless `datasync`; a file system that writes back writes the page cache with
    /// [`Opened::write_and_wait`].
    fn fsync(
        _file: &Opened<Self::Data>,
        _inode: &INode<Self::FileSystem>,
        _start: Offset,
        _end: Offset,
        _datasync: bool,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Allocates or deallocates the `len` bytes at `offset` of `file` of `inode`, as `mode`
    /// (`FALLOC_FL_*`) says (`fallocate(2)`).
    ///
    /// The VFS checked the range (`offset` is not negative, `len` positive, the end within the
    /// maximum file size) and the mode; the abstractions hold `inode`'s `i_rwsem` for writing
    /// and have removed the set-user-ID bits and updated the times (`file_modified()`), as
    /// tmpfs does.
    fn fallocate(
        _file: &Opened<Self::Data>,
        _inode: &inode::Locked<'_, Self::FileSystem>,
        _mode: u32,
        _offset: Offset,
        _len: Offset,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Checks a mapping of `file` of `inode` that `mmap(2)` is making, before it is made: an
    /// error refuses it. With `mmap` or [`Operations::page_mkwrite`], the abstractions map the
    /// file as `generic_file_mmap_prepare()` does (faults fill missing folios with `read_folio`),
    /// with `page_mkwrite` for the write faults of shared mappings.
    ///
    /// It is asked once, for `mmap(2)`: the mapping may then grow (`mremap(2)`), or be cut so
    /// that a part of it maps the file from another offset, without asking again. So it cannot
    /// bound what a process maps; [`Operations::page_mkwrite`] sees the writes.
    fn mmap(
        _file: &Opened<Self::Data>,
        _inode: &INode<Self::FileSystem>,
        _mapping: &NewMapping,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Lets a write through a shared mapping of `file` into `folio` of `inode`'s page cache go
    /// ahead (`page_mkwrite`), where the file system charges or reserves what the folio's data
    /// will need, or refuses it.
    ///
    /// It is called for each write fault on a page that the mapping maps read-only: the first
    /// write to it through each mapping (of each process), and again after write-back cleaned
    /// the folio. So the folio may be dirty already, and one charge per folio must be kept by
    /// the file system. A large folio is asked about once per page written.
    ///
    /// Its error goes to the fault as `vmf_fs_error()` turns it, as for C file systems: `EAGAIN`
    /// and `EFAULT` retry the fault (for a condition that goes away: else the writer retries
    /// for ever), `ENOMEM` is out of memory (also retried, unless the memory controller kills
    /// the writer: a refusal must not be `ENOMEM`), any other error is `SIGBUS` (`ENOSPC` and
    /// `EDQUOT` for a full file system); a `read(2)` into the mapping then fails with `EFAULT`.
    ///
    /// The folio is locked, up to date and still in the page cache (the abstractions retry the
    /// fault if it was truncated meanwhile); the abstractions have updated the file's times
    /// (`file_update_time()`), and mark the folio dirty afterwards. The fault holds a lock of
    /// the memory map (`mmap_lock`, or the mapping's own): taking `inode`'s lock here may
    /// deadlock with a write to the file from the same mapping, which takes them in the other
    /// order.
    fn page_mkwrite(
        _file: &Opened<Self::Data>,
        _inode: &INode<Self::FileSystem>,
        _folio: &folio::Locked<&Folio>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The file operations of a regular file that the implementation `U` of [`Operations`]
    /// provides, with those it takes from the kernel ([`Operations::GENERIC`]).
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        let generic = U::GENERIC;
        let splice_reads = generic.contains(Generic::SPLICE);
        Self {
            table: &Table::<U>::TABLE,
            reads_folios: generic.intersects(Generic::READ_ITER.with(Generic::MMAP))
                || splice_reads
                || U::HAS_MMAP
                || U::HAS_PAGE_MKWRITE,
            writes_folios: generic.contains(Generic::WRITE_ITER),
            offsets: false,
            dir: false,
            in_memory: false,
            syncs: generic.contains(Generic::WRITE_BACK_FSYNC) || U::HAS_FSYNC,
            _t: PhantomData,
        }
    }
}

/// The C table of file operations of an implementation `U` of [`Operations`], and its
/// callbacks.
struct Table<U: Operations + ?Sized>(PhantomData<fn() -> U>);

type Fs<U> = <U as Operations>::FileSystem;

/// `Some(f)` if the table takes `$flag` from the kernel, else `None`.
macro_rules! generic {
    ($flag:ident, $f:expr) => {
        if U::GENERIC.contains(Generic::$flag) {
            Some($f)
        } else {
            None
        }
    };
}

/// The callback of an operation: `U`'s, or the kernel's if the table takes it, or none.
macro_rules! choose {
    ($has:ident, $rust:expr, $flag:ident, $generic:expr) => {
        if U::$has {
            Some($rust)
        } else {
            generic!($flag, $generic)
        }
    };
}

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::file_operations = {
        build_assert!(
            U::HAS_OPEN || !<U::Data as Data>::HOLDS,
            "file operations that keep data of each open file must implement open"
        );
        build_assert!(
            U::HAS_OPEN || !U::HAS_RELEASE,
            "file operations that implement release must implement open"
        );
        // The VFS splices `O_DIRECT` files through `read_iter` (`copy_splice_read()`), which it
        // calls without a check.
        build_assert!(
            !U::GENERIC.contains(Generic::DIRECT.with(Generic::SPLICE))
                || U::HAS_READ_ITER
                || U::GENERIC.intersects(Generic::READ_ITER.with(Generic::READ_SPARSE)),
            "file operations with DIRECT and SPLICE must have a read_iter"
        );
        let implemented = [
            (U::HAS_READ_ITER, Generic::READ_ITER),
            (U::HAS_WRITE_ITER, Generic::WRITE_ITER),
            (U::HAS_LLSEEK, Generic::LLSEEK),
            (U::HAS_FSYNC, Generic::FSYNC),
            (U::HAS_FSYNC, Generic::WRITE_BACK_FSYNC),
            (
                U::GENERIC.contains(Generic::FSYNC),
                Generic::WRITE_BACK_FSYNC,
            ),
            (U::HAS_LLSEEK, Generic::SEEK_HOLES),
            (U::GENERIC.contains(Generic::LLSEEK), Generic::SEEK_HOLES),
            (U::HAS_MMAP, Generic::MMAP),
            (U::HAS_PAGE_MKWRITE, Generic::MMAP),
            (U::HAS_READ_ITER, Generic::READ_SPARSE),
            (
                U::GENERIC.contains(Generic::READ_ITER),
                Generic::READ_SPARSE,
            ),
        ];
        let mut i = 0;
        while i < implemented.len() {
            build_assert!(
                !(implemented[i].0 && U::GENERIC.contains(implemented[i].1)),
                "a file operation is both implemented and taken from the kernel (GENERIC)"
            );
            i += 1;
        }
        Self::OPS
    };

    const OPS: bindings::file_operations = bindings::file_operations {
        open: if U::HAS_OPEN {
            Some(Self::open)
        } else {
            generic!(DIRECT, Self::open_direct)
        },
        // Only where it calls `U::release` or frees something: not for `()` without `release`.
        release: if U::HAS_RELEASE || <U::Data as Data>::HOLDS {
            Some(Self::release)
        } else {
            None
        },
        read_iter: if U::GENERIC.contains(Generic::READ_SPARSE) {
            Some(Self::read_sparse)
        } else if U::GENERIC.contains(Generic::READ_ITER.with(Generic::DIRECT)) {
            Some(Self::read_buffered)
        } else {
            choose!(
                HAS_READ_ITER,
                Self::read_iter,
                READ_ITER,
                bindings::generic_file_read_iter
            )
        },
        write_iter: if U::GENERIC.contains(Generic::WRITE_ITER.with(Generic::DIRECT)) {
            Some(Self::write_buffered)
        } else {
            choose!(
                HAS_WRITE_ITER,
                Self::write_iter,
                WRITE_ITER,
                bindings::generic_file_write_iter
            )
        },
        // Without an MMU, a table that implements either has no `mmap_prepare` (`ENODEV`).
        #[cfg(CONFIG_MMU)]
        mmap_prepare: if U::HAS_MMAP || U::HAS_PAGE_MKWRITE {
            Some(VmOps::<U>::mmap_prepare)
        } else {
            generic!(MMAP, bindings::generic_file_mmap_prepare)
        },
        #[cfg(not(CONFIG_MMU))]
        mmap_prepare: generic!(MMAP, bindings::generic_file_mmap_prepare),
        #[cfg(CONFIG_MMU)]
        get_unmapped_area: if U::HAS_MMAP || U::HAS_PAGE_MKWRITE {
            Some(bindings::mm_get_unmapped_area)
        } else {
            generic!(MMAP, bindings::mm_get_unmapped_area)
        },
        splice_read: generic!(SPLICE, bindings::filemap_splice_read),
        splice_write: generic!(SPLICE, bindings::iter_file_splice_write),
        llseek: if U::GENERIC.contains(Generic::SEEK_HOLES) {
            Some(bindings::simple_file_llseek)
        } else {
            choose!(
                HAS_LLSEEK,
                Self::llseek,
                LLSEEK,
                bindings::generic_file_llseek
            )
        },
        fsync: if U::GENERIC.contains(Generic::WRITE_BACK_FSYNC) {
            Some(bindings::simple_fsync_noflush)
        } else {
            choose!(HAS_FSYNC, Self::fsync, FSYNC, bindings::noop_fsync)
        },
        setlease: generic!(SETLEASE, bindings::generic_setlease),
        fallocate: if U::HAS_FALLOCATE {
            Some(Self::fallocate)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS (`do_dentry_open()`) with a regular file of `Fs<U>` being opened with
    /// this table, and its inode.
    unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: See the function's safety section: the file holds a reference for the call, and
        // no other thread sees it yet; the inode is one of `Fs<U>`.
        let (f, inode) = unsafe { (LocalFile::from_raw_file(file), INode::from_raw(inode)) };
        if U::GENERIC.contains(Generic::DIRECT) {
            // SAFETY: The file is valid, and no other thread sees it yet.
            unsafe { Self::allow_direct(file) };
        }
        match U::open(inode, f) {
            Ok(data) => {
                // INVARIANT: The data goes where the `Opened` of the file's operations reads it,
                // until `release`.
                // SAFETY: As above; nothing else sets the private data of these files.
                unsafe { (*file).private_data = data.into_foreign() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS (`do_dentry_open()`) with a regular file of `Fs<U>` being opened with
    /// this table.
    unsafe extern "C" fn open_direct(
        _inode: *mut bindings::inode,
        file: *mut bindings::file,
    ) -> c_int {
        // SAFETY: See the function's safety section: no other thread sees the file yet.
        unsafe { Self::allow_direct(file) };
        0
    }

    /// Lets `file` be opened with `O_DIRECT` ([`Generic::DIRECT`]), as `shmem_file_open()` does:
    /// the VFS checks the flag after `open`.
    ///
    /// # Safety
    ///
    /// `file` is a valid file being opened, which no other thread sees yet.
    #[inline]
    unsafe fn allow_direct(file: *mut bindings::file) {
        // SAFETY: See the function's safety section.
        unsafe { (*file).f_mode |= bindings::FMODE_CAN_ODIRECT };
    }

    /// Turns a direct read or write into a buffered one ([`Generic::DIRECT`]).
    ///
    /// # Safety
    ///
    /// `iocb` is a valid `kiocb` that only this thread uses for the call.
    #[inline]
    unsafe fn buffered(iocb: *mut bindings::kiocb) {
        if U::GENERIC.contains(Generic::DIRECT) {
            // SAFETY: See the function's safety section.
            unsafe { (*iocb).ki_flags &= !(bindings::IOCB_DIRECT as c_int) };
        }
    }

    /// # Safety
    ///
    /// As for [`Self::read_iter`].
    unsafe extern "C" fn read_buffered(
        iocb: *mut bindings::kiocb,
        to: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: See the function's safety section.
        unsafe { Self::buffered(iocb) };
        // SAFETY: As above; the read is not direct, so the kernel does not call the missing
        // `direct_IO`.
        unsafe { bindings::generic_file_read_iter(iocb, to) }
    }

    /// # Safety
    ///
    /// As for [`Self::write_iter`].
    unsafe extern "C" fn write_buffered(
        iocb: *mut bindings::kiocb,
        from: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: See the function's safety section.
        unsafe { Self::buffered(iocb) };
        // SAFETY: As above; the write is not direct, so the kernel does not call the missing
        // `direct_IO`.
        unsafe { bindings::generic_file_write_iter(iocb, from) }
    }

    /// # Safety
    ///
    /// Called by the VFS (`__fput()`), once, with a file of `Fs<U>` that [`Self::open`] opened,
    /// whose last reference is gone, and its inode.
    unsafe extern "C" fn release(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: See the function's safety section: `open` set the private data from a
        // `U::Data`, given back once, here, after every borrow of it (each needs the file).
        let data = unsafe { <U::Data as ForeignOwnable>::from_foreign((*file).private_data) };
        if U::HAS_RELEASE {
            // SAFETY: The inode is valid and one of `Fs<U>`.
            U::release(data, unsafe { INode::from_raw(inode) });
        }
        0
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `kiocb` of an open regular file of `Fs<U>` with this table,
    /// on the thread that uses its position, and a valid destination, both used only through
    /// this call.
    unsafe extern "C" fn read_iter(
        iocb: *mut bindings::kiocb,
        to: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: See the function's safety section.
        let (mut kiocb, inode) = unsafe { Self::kiocb_args(iocb) };
        // SAFETY: See the function's safety section.
        let to = unsafe { IovIterDest::from_raw(to) };
        let before = to.len();
        let ret = match U::read_iter(&mut kiocb, inode, to) {
            // What `to` took is at most its count, which fits in an `isize` (`MAX_RW_COUNT`).
            Ok(n) => n.min(before.saturating_sub(to.len())) as isize,
            Err(e) => io_errno(e) as isize,
        };
        // As `shmem_file_read_iter()`: the access time, unless the file is `O_NOATIME`.
        // SAFETY: The `kiocb` and its open file are valid.
        unsafe { bindings::file_accessed((*iocb).ki_filp) };
        ret
    }

    /// # Safety
    ///
    /// As for [`Self::read_iter`].
    unsafe extern "C" fn read_sparse(
        iocb: *mut bindings::kiocb,
        to: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: See the function's safety section.
        let (mut kiocb, inode) = unsafe { Self::kiocb_args(iocb) };
        // SAFETY: See the function's safety section.
        let to = unsafe { IovIterDest::from_raw(to) };
        // What `read_sparse()` returns is what it copied into `to`, which fits in an `isize`.
        match inode.read_sparse(&mut kiocb, to) {
            Ok(n) => n as isize,
            Err(e) => io_errno(e) as isize,
        }
    }

    /// # Safety
    ///
    /// As for [`Self::read_iter`], with a valid source.
    unsafe extern "C" fn write_iter(
        iocb: *mut bindings::kiocb,
        from: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: See the function's safety section.
        let (mut kiocb, inode) = unsafe { Self::kiocb_args(iocb) };
        let raw = inode.as_raw();
        // SAFETY: The `kiocb` is valid.
        let nowait = unsafe { (*iocb).ki_flags } & bindings::IOCB_NOWAIT != 0;
        if nowait {
            // SAFETY: The inode is valid.
            if !unsafe { bindings::inode_trylock(raw) } {
                return EAGAIN.to_errno() as isize;
            }
        } else {
            // SAFETY: The inode is valid.
            unsafe { bindings::inode_lock(raw) };
        }
        // SAFETY: The `kiocb` and the source are valid, and the inode is locked.
        let mut ret = unsafe { bindings::generic_write_checks(iocb, from) };
        if ret > 0 {
            // SAFETY: The file is open and its inode locked.
            ret = match to_result(unsafe { bindings::file_modified((*iocb).ki_filp) }) {
                Err(e) => e.to_errno() as isize,
                Ok(()) => {
                    // SAFETY: The inode's `i_rwsem` is held for writing until after the call.
                    let locked = unsafe { inode::Locked::<Fs<U>>::from_raw(raw) };
                    // SAFETY: See the function's safety section.
                    let from = unsafe { IovIterSource::from_raw(from) };
                    let before = from.len();
                    match U::write_iter(&mut kiocb, &locked, from) {
                        // As for `read_iter`.
                        Ok(n) => n.min(before.saturating_sub(from.len())) as isize,
                        Err(e) => io_errno(e) as isize,
                    }
                }
            };
        }
        // SAFETY: The inode was locked above.
        unsafe { bindings::inode_unlock(raw) };
        if ret > 0 {
            // SAFETY: The `kiocb` is valid.
            ret = unsafe { bindings::generic_write_sync(iocb, ret) };
        }
        ret
    }

    /// The `kiocb` of a read or write, not direct ([`Self::buffered`]), and the inode of its
    /// file.
    ///
    /// # Safety
    ///
    /// As for [`Self::read_iter`], for `'a`.
    unsafe fn kiocb_args<'a>(iocb: *mut bindings::kiocb) -> (Kiocb<'a, U::Data>, &'a INode<Fs<U>>) {
        // SAFETY: The `kiocb` is valid and used only through this call.
        unsafe { Self::buffered(iocb) };
        // SAFETY: The `kiocb` is valid, and so is its open file, whose inode is one of `Fs<U>`.
        let inode = unsafe { INode::from_raw((*(*iocb).ki_filp).f_inode) };
        // SAFETY: The `kiocb` is valid for `'a`; its file was opened with this table, so its
        // private data is a `U::Data` that `open` set (and `release` takes back after the last
        // reference to the file, which the `kiocb` holds, is gone), or, if `U` has no `open`,
        // whatever it is: `U::Data` is then `()`, whose `borrow` reads no pointer.
        let kiocb = unsafe { Kiocb::from_raw(iocb) };
        (kiocb, inode)
    }

    /// # Safety
    ///
    /// Called by the VFS with an open regular file of `Fs<U>` with this table, whose position
    /// it may change: under `f_pos_lock` if the file is shared, as `lseek(2)` holds it, but
    /// not for every caller in the kernel (nfsd and ksmbd seek in files their threads share).
    unsafe extern "C" fn llseek(
        file: *mut bindings::file,
        offset: bindings::loff_t,
        whence: c_int,
    ) -> bindings::loff_t {
        // SAFETY: See the function's safety section.
        let (f, inode) = unsafe { Self::file_args(file) };
        // Once, as `READ_ONCE()`: a caller that does not hold `f_pos_lock` may race with a
        // change of the position, and then gets a stale one, as from `generic_file_llseek()`.
        // SAFETY: The file is valid; its position is aligned and always initialised.
        let pos = unsafe { core::ptr::read_volatile(&raw const (*file).f_pos) };
        match U::llseek(f, inode, pos, offset, whence as u32) {
            // SAFETY: As above; the file's inode is valid, and so is its superblock.
            Ok(new) => unsafe {
                bindings::vfs_setpos(file, new, (*inode.super_block().as_raw()).s_maxbytes)
            },
            Err(e) => io_errno(e).into(),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with an open regular file of `Fs<U>` with this table.
    unsafe extern "C" fn fsync(
        file: *mut bindings::file,
        start: bindings::loff_t,
        end: bindings::loff_t,
        datasync: c_int,
    ) -> c_int {
        // SAFETY: See the function's safety section.
        let (f, inode) = unsafe { Self::file_args(file) };
        match U::fsync(f, inode, start, end, datasync != 0) {
            Ok(()) => 0,
            // An `O_SYNC` write returns what `fsync` does (`generic_write_sync()`).
            Err(e) => io_errno(e),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS (`vfs_fallocate()`) with an open regular file of `Fs<U>` with this
    /// table, and the range and mode it checked.
    unsafe extern "C" fn fallocate(
        file: *mut bindings::file,
        mode: c_int,
        offset: bindings::loff_t,
        len: bindings::loff_t,
    ) -> c_long {
        // SAFETY: See the function's safety section.
        let (f, inode) = unsafe { Self::file_args(file) };
        let raw = inode.as_raw();
        // SAFETY: The inode is valid.
        unsafe { bindings::inode_lock(raw) };
        // SAFETY: The file is open and its inode locked.
        let ret = to_result(unsafe { bindings::file_modified(file) }).and_then(|()| {
            // SAFETY: The inode's `i_rwsem` is held for writing until after the call.
            let locked = unsafe { inode::Locked::<Fs<U>>::from_raw(raw) };
            U::fallocate(f, &locked, mode as u32, offset, len)
        });
        // SAFETY: The inode was locked above.
        unsafe { bindings::inode_unlock(raw) };
        match ret {
            Ok(()) => 0,
            Err(e) => io_errno(e) as c_long,
        }
    }

    /// The file and its inode.
    ///
    /// # Safety
    ///
    /// `file` must be a file of `Fs<U>` opened with this table that stays open for `'a`, used
    /// as [`LocalFile`] requires (the callers of `llseek`, `fsync` and `fallocate` hold a
    /// reference to the file for the call; no position is given to safe code through it).
    unsafe fn file_args<'a>(file: *mut bindings::file) -> (&'a Opened<U::Data>, &'a INode<Fs<U>>) {
        // SAFETY: See the function's safety section; the file was opened with this table, whose
        // data is `U::Data`.
        unsafe { (Opened::from_raw(file), INode::from_raw((*file).f_inode)) }
    }
}
