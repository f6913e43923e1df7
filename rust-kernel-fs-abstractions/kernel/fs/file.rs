// SPDX-License-Identifier: GPL-2.0

// Copyright (C) 2024 Google LLC.

//! Files and file descriptors.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/file.h`](srctree/include/linux/file.h)

use crate::ffi::{c_int, c_long};
use crate::{
    bindings,
    cred::Credential,
    error::{code::*, to_result, Error, Result},
    fmt,
    fs::FileSystem,
    sync::aref::{ARef, AlwaysRefCounted},
    types::{NotThreadSafe, Opaque},
};
use core::{marker::PhantomData, ptr};

mod dir;
mod mapped;
mod opened;
mod operations;
pub use self::dir::{DirEmitter, DirOperations};
pub use self::mapped::NewMapping;
pub use self::opened::{Data, Opened};
pub use self::operations::{Generic, Operations};

/// Primitive type representing the offset within a [`File`].
///
/// Type alias for `bindings::loff_t`.
pub type Offset = bindings::loff_t;

/// Flags associated with a [`File`].
pub mod flags {
    /// File is opened in append mode.
    pub const O_APPEND: u32 = bindings::O_APPEND;

    /// Signal-driven I/O is enabled.
    pub const O_ASYNC: u32 = bindings::FASYNC;

    /// Close-on-exec flag is set.
    pub const O_CLOEXEC: u32 = bindings::O_CLOEXEC;

    /// File was created if it didn't already exist.
    pub const O_CREAT: u32 = bindings::O_CREAT;

    /// Direct I/O is enabled for this file.
    pub const O_DIRECT: u32 = bindings::O_DIRECT;

    /// File must be a directory.
    pub const O_DIRECTORY: u32 = bindings::O_DIRECTORY;

    /// Like [`O_SYNC`] except metadata is not synced.
    pub const O_DSYNC: u32 = bindings::O_DSYNC;

    /// Ensure that this file is created with the `open(2)` call.
    pub const O_EXCL: u32 = bindings::O_EXCL;

    /// Large file size enabled (`off64_t` over `off_t`).
    pub const O_LARGEFILE: u32 = bindings::O_LARGEFILE;

    /// Do not update the file last access time.
    pub const O_NOATIME: u32 = bindings::O_NOATIME;

    /// File should not be used as process's controlling terminal.
    pub const O_NOCTTY: u32 = bindings::O_NOCTTY;

    /// If basename of path is a symbolic link, fail open.
    pub const O_NOFOLLOW: u32 = bindings::O_NOFOLLOW;

    /// File is using nonblocking I/O.
    pub const O_NONBLOCK: u32 = bindings::O_NONBLOCK;

    /// File is using nonblocking I/O.
    ///
    /// This is effectively the same flag as [`O_NONBLOCK`] on all architectures
    /// except SPARC64.
    pub const O_NDELAY: u32 = bindings::O_NDELAY;

    /// Used to obtain a path file descriptor.
    pub const O_PATH: u32 = bindings::O_PATH;

    /// Write operations on this file will flush data and metadata.
    pub const O_SYNC: u32 = bindings::O_SYNC;

    /// This file is an unnamed temporary regular file.
    pub const O_TMPFILE: u32 = bindings::O_TMPFILE;

    /// File should be truncated to length 0.
    pub const O_TRUNC: u32 = bindings::O_TRUNC;

    /// Bitmask for access mode flags.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::file;
    /// # fn do_something() {}
    /// # let flags = 0;
    /// if (flags & file::flags::O_ACCMODE) == file::flags::O_RDONLY {
    ///     do_something();
    /// }
    /// ```
    pub const O_ACCMODE: u32 = bindings::O_ACCMODE;

    /// File is read only.
    pub const O_RDONLY: u32 = bindings::O_RDONLY;

    /// File is write only.
    pub const O_WRONLY: u32 = bindings::O_WRONLY;

    /// File can be both read and written.
    pub const O_RDWR: u32 = bindings::O_RDWR;
}

/// Wraps the kernel's `struct file`. Thread safe.
///
/// This represents an open file rather than a file on a filesystem. Processes generally reference
/// open files using file descriptors. However, file descriptors are not the same as files. A file
/// descriptor is just an integer that corresponds to a file, and a single file may be referenced
/// by multiple file descriptors.
///
/// # Refcounting
///
/// Instances of this type are reference-counted. The reference count is incremented by the
/// `fget`/`get_file` functions and decremented by `fput`. The Rust type `ARef<File>` represents a
/// pointer that owns a reference count on the file.
///
/// Whenever a process opens a file descriptor (fd), it stores a pointer to the file in its fd
/// table (`struct files_struct`). This pointer owns a reference count to the file, ensuring the
/// file isn't prematurely deleted while the file descriptor is open. In Rust terminology, the
/// pointers in `struct files_struct` are `ARef<File>` pointers.
///
/// ## Light refcounts
///
/// Whenever a process has an fd to a file, it may use something called a "light refcount" as a
/// performance optimization. Light refcounts are acquired by calling `fdget` and released with
/// `fdput`. The idea behind light refcounts is that if the fd is not closed between the calls to
/// `fdget` and `fdput`, then the refcount cannot hit zero during that time, as the `struct
/// files_struct` holds a reference until the fd is closed. This means that it's safe to access the
/// file even if `fdget` does not increment the refcount.
///
/// The requirement that the fd is not closed during a light refcount applies globally across all
/// threads - not just on the thread using the light refcount. For this reason, light refcounts are
/// only used when the `struct files_struct` is not shared with other threads, since this ensures
/// that other unrelated threads cannot suddenly start using the fd and close it. Therefore,
/// calling `fdget` on a shared `struct files_struct` creates a normal refcount instead of a light
/// refcount.
///
/// Light reference counts must be released with `fdput` before the system call returns to
/// userspace. This means that if you wait until the current system call returns to userspace, then
/// all light refcounts that existed at the time have gone away.
///
/// ### The file position
///
/// Each `struct file` has a position integer, which is protected by the `f_pos_lock` mutex.
/// However, if the `struct file` is not shared, then the kernel may avoid taking the lock as a
/// performance optimization.
///
/// The condition for avoiding the `f_pos_lock` mutex is different from the condition for using
/// `fdget`. With `fdget`, you may avoid incrementing the refcount as long as the current fd table
/// is not shared; it is okay if there are other fd tables that also reference the same `struct
/// file`. However, `fdget_pos` can only avoid taking the `f_pos_lock` if the entire `struct file`
/// is not shared, as different processes with an fd to the same `struct file` share the same
/// position.
///
/// To represent files that are not thread safe due to this optimization, the [`LocalFile`] type is
/// used.
///
/// ## Rust references
///
/// The reference type `&File` is similar to light refcounts:
///
/// * `&File` references don't own a reference count. They can only exist as long as the reference
///   count stays positive, and can only be created when there is some mechanism in place to ensure
///   this.
///
/// * The Rust borrow-checker normally ensures this by enforcing that the `ARef<File>` from which
///   a `&File` is created outlives the `&File`.
///
/// * Using the unsafe [`File::from_raw_file`] means that it is up to the caller to ensure that the
///   `&File` only exists while the reference count is positive.
///
/// * You can think of `fdget` as using an fd to look up an `ARef<File>` in the `struct
///   files_struct` and create an `&File` from it. The "fd cannot be closed" rule is like the Rust
///   rule "the `ARef<File>` must outlive the `&File`".
///
/// # Invariants
///
/// * All instances of this type are refcounted using the `f_count` field.
/// * There must not be any active calls to `fdget_pos` on this file that did not take the
///   `f_pos_lock` mutex.
#[repr(transparent)]
pub struct File {
    inner: Opaque<bindings::file>,
}

// SAFETY: This file is known to not have any active `fdget_pos` calls that did not take the
// `f_pos_lock` mutex, so it is safe to transfer it between threads.
unsafe impl Send for File {}

// SAFETY: This file is known to not have any active `fdget_pos` calls that did not take the
// `f_pos_lock` mutex, so it is safe to access its methods from several threads in parallel.
unsafe impl Sync for File {}

// SAFETY: The type invariants guarantee that `File` is always ref-counted. This implementation
// makes `ARef<File>` own a normal refcount.
unsafe impl AlwaysRefCounted for File {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::get_file(self.as_ptr()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: ptr::NonNull<File>) {
        // SAFETY: To call this method, the caller passes us ownership of a normal refcount, so we
        // may drop it. The cast is okay since `File` has the same representation as `struct file`.
        unsafe { bindings::fput(obj.cast().as_ptr()) }
    }
}

/// Wraps the kernel's `struct file`. Not thread safe.
///
/// This type represents a file that is not known to be safe to transfer across thread boundaries.
/// To obtain a thread-safe [`File`], use the [`assume_no_fdget_pos`] conversion.
///
/// See the documentation for [`File`] for more information.
///
/// # Invariants
///
/// * All instances of this type are refcounted using the `f_count` field.
/// * If there is an active call to `fdget_pos` that did not take the `f_pos_lock` mutex, then it
///   must be on the same thread as this file.
///
/// [`assume_no_fdget_pos`]: LocalFile::assume_no_fdget_pos
#[repr(transparent)]
pub struct LocalFile {
    inner: Opaque<bindings::file>,
}

// SAFETY: The type invariants guarantee that `LocalFile` is always ref-counted. This implementation
// makes `ARef<LocalFile>` own a normal refcount.
unsafe impl AlwaysRefCounted for LocalFile {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::get_file(self.as_ptr()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: ptr::NonNull<LocalFile>) {
        // SAFETY: To call this method, the caller passes us ownership of a normal refcount, so we
        // may drop it. The cast is okay since `LocalFile` has the same representation as
        // `struct file`.
        unsafe { bindings::fput(obj.cast().as_ptr()) }
    }
}

impl LocalFile {
    /// Constructs a new `struct file` wrapper from a file descriptor.
    ///
    /// The file descriptor belongs to the current process, and there might be active local calls
    /// to `fdget_pos` on the same file.
    ///
    /// To obtain an `ARef<File>`, use the [`assume_no_fdget_pos`] function to convert.
    ///
    /// [`assume_no_fdget_pos`]: LocalFile::assume_no_fdget_pos
    #[inline]
    pub fn fget(fd: u32) -> Result<ARef<LocalFile>, BadFdError> {
        // SAFETY: FFI call, there are no requirements on `fd`.
        let ptr = ptr::NonNull::new(unsafe { bindings::fget(fd) }).ok_or(BadFdError)?;

        // SAFETY: `bindings::fget` created a refcount, and we pass ownership of it to the `ARef`.
        //
        // INVARIANT: This file is in the fd table on this thread, so either all `fdget_pos` calls
        // are on this thread, or the file is shared, in which case `fdget_pos` calls took the
        // `f_pos_lock` mutex.
        Ok(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// Creates a reference to a [`LocalFile`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// * The caller must ensure that `ptr` points at a valid file and that the file's refcount is
    ///   positive for the duration of `'a`.
    /// * The caller must ensure that if there is an active call to `fdget_pos` that did not take
    ///   the `f_pos_lock` mutex, then that call is on the current thread.
    #[inline]
    pub unsafe fn from_raw_file<'a>(ptr: *const bindings::file) -> &'a LocalFile {
        // SAFETY: The caller guarantees that the pointer is not dangling and stays valid for the
        // duration of `'a`. The cast is okay because `LocalFile` is `repr(transparent)`.
        //
        // INVARIANT: The caller guarantees that there are no problematic `fdget_pos` calls.
        unsafe { &*ptr.cast() }
    }

    /// Assume that there are no active `fdget_pos` calls that prevent us from sharing this file.
    ///
    /// This makes it safe to transfer this file to other threads. No checks are performed, and
    /// using it incorrectly may lead to a data race on the file position if the file is shared
    /// with another thread.
    ///
    /// This method is intended to be used together with [`LocalFile::fget`] when the caller knows
    /// statically that there are no `fdget_pos` calls on the current thread. For example, you
    /// might use it when calling `fget` from an ioctl, since ioctls usually do not touch the file
    /// position.
    ///
    /// # Safety
    ///
    /// There must not be any active `fdget_pos` calls on the current thread.
    #[inline]
    pub unsafe fn assume_no_fdget_pos(me: ARef<LocalFile>) -> ARef<File> {
        // INVARIANT: There are no `fdget_pos` calls on the current thread, and by the type
        // invariants, if there is a `fdget_pos` call on another thread, then it took the
        // `f_pos_lock` mutex.
        //
        // SAFETY: `LocalFile` and `File` have the same layout.
        unsafe { ARef::from_raw(ARef::into_raw(me).cast()) }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_ptr(&self) -> *mut bindings::file {
        self.inner.get()
    }

    /// Returns the credentials of the task that originally opened the file.
    pub fn cred(&self) -> &Credential {
        // SAFETY: It's okay to read the `f_cred` field without synchronization because `f_cred` is
        // never changed after initialization of the file.
        let ptr = unsafe { (*self.as_ptr()).f_cred };

        // SAFETY: The signature of this function ensures that the caller will only access the
        // returned credential while the file is still valid, and the C side ensures that the
        // credential stays valid at least as long as the file.
        unsafe { Credential::from_ptr(ptr) }
    }

    /// Returns the flags associated with the file.
    ///
    /// The flags are a combination of the constants in [`flags`].
    #[inline]
    pub fn flags(&self) -> u32 {
        // This `read_volatile` is intended to correspond to a READ_ONCE call.
        //
        // SAFETY: The file is valid because the shared reference guarantees a nonzero refcount.
        //
        // FIXME(read_once): Replace with `read_once` when available on the Rust side.
        unsafe { core::ptr::addr_of!((*self.as_ptr()).f_flags).read_volatile() }
    }
}

impl File {
    /// Creates a reference to a [`File`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// * The caller must ensure that `ptr` points at a valid file and that the file's refcount is
    ///   positive for the duration of `'a`.
    /// * The caller must ensure that if there are active `fdget_pos` calls on this file, then they
    ///   took the `f_pos_lock` mutex.
    #[inline]
    pub unsafe fn from_raw_file<'a>(ptr: *const bindings::file) -> &'a File {
        // SAFETY: The caller guarantees that the pointer is not dangling and stays valid for the
        // duration of `'a`. The cast is okay because `File` is `repr(transparent)`.
        //
        // INVARIANT: The caller guarantees that there are no problematic `fdget_pos` calls.
        unsafe { &*ptr.cast() }
    }
}

// Make LocalFile methods available on File.
impl core::ops::Deref for File {
    type Target = LocalFile;
    #[inline]
    fn deref(&self) -> &LocalFile {
        // SAFETY: The caller provides a `&File`, and since it is a reference, it must point at a
        // valid file for the desired duration.
        //
        // By the type invariants, there are no `fdget_pos` calls that did not take the
        // `f_pos_lock` mutex.
        unsafe { LocalFile::from_raw_file(core::ptr::from_ref(self).cast()) }
    }
}

/// A file descriptor reservation.
///
/// This allows the creation of a file descriptor in two steps: first, we reserve a slot for it,
/// then we commit or drop the reservation. The first step may fail (e.g., the current process ran
/// out of available slots), but commit and drop never fail (and are mutually exclusive).
///
/// Dropping the reservation happens in the destructor of this type.
///
/// # Invariants
///
/// The fd stored in this struct must correspond to a reserved file descriptor of the current task.
pub struct FileDescriptorReservation {
    fd: u32,
    /// Prevent values of this type from being moved to a different task.
    ///
    /// The `fd_install` and `put_unused_fd` functions assume that the value of `current` is
    /// unchanged since the call to `get_unused_fd_flags`. By adding this marker to this type, we
    /// prevent it from being moved across task boundaries, which ensures that `current` does not
    /// change while this value exists.
    _not_send: NotThreadSafe,
}

impl FileDescriptorReservation {
    /// Creates a new file descriptor reservation.
    #[inline]
    pub fn get_unused_fd_flags(flags: u32) -> Result<Self> {
        // SAFETY: FFI call, there are no safety requirements on `flags`.
        let fd: i32 = unsafe { bindings::get_unused_fd_flags(flags) };
        to_result(fd)?;

        Ok(Self {
            fd: fd as u32,
            _not_send: NotThreadSafe,
        })
    }

    /// Returns the file descriptor number that was reserved.
    #[inline]
    pub fn reserved_fd(&self) -> u32 {
        self.fd
    }

    /// Commits the reservation.
    ///
    /// The previously reserved file descriptor is bound to `file`. This method consumes the
    /// [`FileDescriptorReservation`], so it will not be usable after this call.
    #[inline]
    pub fn fd_install(self, file: ARef<File>) {
        // SAFETY: `self.fd` was previously returned by `get_unused_fd_flags`. We have not yet used
        // the fd, so it is still valid, and `current` still refers to the same task, as this type
        // cannot be moved across task boundaries.
        //
        // Furthermore, the file pointer is guaranteed to own a refcount by its type invariants,
        // and we take ownership of that refcount by not running the destructor below.
        // Additionally, the file is known to not have any non-shared `fdget_pos` calls, so even if
        // this process starts using the file position, this will not result in a data race on the
        // file position.
        unsafe { bindings::fd_install(self.fd, file.as_ptr()) };

        // `fd_install` consumes both the file descriptor and the file reference, so we cannot run
        // the destructors.
        core::mem::forget(self);
        core::mem::forget(file);
    }
}

impl Drop for FileDescriptorReservation {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants of this type, `self.fd` was previously returned by
        // `get_unused_fd_flags`. We have not yet used the fd, so it is still valid, and `current`
        // still refers to the same task, as this type cannot be moved across task boundaries.
        unsafe { bindings::put_unused_fd(self.fd) };
    }
}

/// Represents the [`EBADF`] error code.
///
/// Used for methods that can only fail with [`EBADF`].
#[derive(Copy, Clone, Eq, PartialEq)]
pub struct BadFdError;

impl From<BadFdError> for Error {
    #[inline]
    fn from(_: BadFdError) -> Error {
        EBADF
    }
}

impl fmt::Debug for BadFdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("EBADF")
    }
}

/// A table of file operations (`struct file_operations`), chosen per inode, with what
/// [`SuperBlock::new_inode`](super::sb::SuperBlock::new_inode) checks of it. Made from the
/// kernel's own tables, or from a Rust implementation of [`Operations`] ([`Ops::new`]).
pub struct Ops<T: FileSystem + ?Sized> {
    table: &'static bindings::file_operations,
    /// The operations fill folios of the inode's page cache with `read_folio`.
    reads_folios: bool,
    /// The operations write to the inode's page cache with `write_begin` and `write_end`.
    writes_folios: bool,
    /// The operations read a directory through its offset map.
    offsets: bool,
    /// The operations are a directory's (`simple_dir()`, `offset_dir()`).
    dir: bool,
    /// The operations are those of [`Ops::in_memory`].
    in_memory: bool,
    /// `fsync` is `simple_fsync_noflush()`, or the file system's, whose duty it is to write the
    /// page cache back.
    syncs: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: FileSystem + ?Sized> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: FileSystem + ?Sized> Copy for Ops<T> {}

impl<T: FileSystem + ?Sized> Ops<T> {
    /// The operations of a directory whose entries all live in the dcache
    /// (`simple_dir_operations`: `dcache_readdir()` and friends).
    pub fn simple_dir() -> Self {
        // SAFETY: `simple_dir_operations` is an immutable static of the kernel.
        let ops = unsafe { &bindings::simple_dir_operations };
        Self {
            table: ops,
            reads_folios: false,
            writes_folios: false,
            offsets: false,
            dir: true,
            in_memory: false,
            syncs: false,
            _t: PhantomData,
        }
    }

    /// The operations of a directory whose entries all live in the dcache, read in the order
    /// of stable offsets (`simple_offset_dir_operations`), as tmpfs's directories are.
    ///
    /// Each entry gets an offset when it is made, kept until it is removed (a rename keeps the
    /// offset of the name it replaces): `readdir` returns every entry that lives through it
    /// exactly once, whatever else is made, renamed or removed in the directory meanwhile, and
    /// a position saved with `telldir(3)` stays valid. [`dcache_readdir`](Ops::simple_dir)
    /// counts entries instead, so a removal can make it skip or repeat some.
    ///
    /// The abstractions keep the offset map, in the namespace changes they carry out for the
    /// directory's inode operations (see [`inode::Operations`]). So the inode operations of
    /// such a directory must come from [`inode::Ops::new`]; [`SuperBlock::new_inode`] fails
    /// with `EINVAL` otherwise, and for an inode that is not a directory. A rename between a
    /// directory with an offset map and one without fails with `EXDEV`: a file system uses one
    /// kind for all its directories.
    ///
    /// The map that finds an entry by its offset, for `readdir` to go on from a position, is
    /// filled when `readdir` first needs it: until then, a directory costs no map entry per name
    /// (see `simple_offset_reserve()`), and a `readdir` that needs it may fail with `ENOMEM`.
    ///
    /// [`inode::Operations`]: super::inode::Operations
    /// [`inode::Ops::new`]: super::inode::Ops::new
    /// [`SuperBlock::new_inode`]: super::sb::SuperBlock::new_inode
    // Never inlined into a file system module: the table names functions of this crate that
    // are not exported to modules.
    #[inline(never)]
    pub fn offset_dir() -> Self {
        Self {
            table: &OFFSET_DIR.0,
            reads_folios: false,
            writes_folios: false,
            offsets: true,
            dir: true,
            in_memory: false,
            syncs: false,
            _t: PhantomData,
        }
    }

    /// The operations of a regular file whose data is in the page cache: the kernel's generic
    /// implementations of `read_iter`, `write_iter`, `mmap_prepare`, `splice_read`,
    /// `splice_write` and `llseek`, with `fsync` a no-op and the default placement of mappings
    /// (the file operations of ramfs).
    ///
    /// The inode needs address-space operations that can read and write its folios, for example
    /// [`address_space::Ops::in_memory`](super::address_space::Ops::in_memory).
    pub fn page_cache() -> Self {
        Self {
            table: &PAGE_CACHE.0,
            reads_folios: true,
            writes_folios: true,
            offsets: false,
            dir: false,
            in_memory: false,
            syncs: false,
            _t: PhantomData,
        }
    }

    /// The operations of a regular file whose data only lives in the page cache, as tmpfs's: those
    /// of [`Ops::page_cache`], with `fallocate(2)` (allocating and punching holes) and
    /// `SEEK_DATA` and `SEEK_HOLE` in `llseek`.
    ///
    /// `fallocate(2)` takes `FALLOC_FL_KEEP_SIZE` and `FALLOC_FL_PUNCH_HOLE` (other modes fail
    /// with `EOPNOTSUPP`). Allocating puts zero-reading folios in the page cache, which count
    /// in `st_blocks` and extend the size unless `FALLOC_FL_KEEP_SIZE` is given; the file size
    /// limit (`RLIMIT_FSIZE`) gives `EFBIG`, a fatal signal `EINTR` and a failed allocation
    /// `ENOMEM`, and then the folios of the range that hold no data are removed again (those of
    /// an earlier allocation too, as on tmpfs). Punching a hole zeroes the partial pages of the
    /// range and removes the others from the page cache and from the mappings of the file.
    /// Both update the modification and change times and drop the set-user-ID and
    /// set-group-ID bits, as a write does.
    ///
    /// `SEEK_DATA` and `SEEK_HOLE` find the folios in the page cache that hold data: holes are
    /// the pages never written, and the pages allocated by `fallocate(2)` but never written, as
    /// on tmpfs. Unlike tmpfs, reading a hole brings zeroed pages into the page cache, which
    /// are data from then on.
    ///
    /// The inode needs the address-space operations of
    /// [`address_space::Ops::in_memory`](super::address_space::Ops::in_memory): with others,
    /// `fallocate(2)` fails with `EOPNOTSUPP`.
    ///
    /// If the file system charges the pages of its files ([`FileSystem::charge_pages`]), writes,
    /// `fallocate(2)` and size changes are charged first: see there.
    // Never inlined into a file system module: the table names functions of this crate that
    // are not exported to modules.
    #[inline(never)]
    pub fn in_memory() -> Self {
        Self {
            table: &IN_MEMORY.0,
            reads_folios: true,
            writes_folios: true,
            offsets: false,
            dir: false,
            in_memory: true,
            syncs: false,
            _t: PhantomData,
        }
    }

    /// Whether the operations read or write the inode's page cache through its address-space
    /// operations, so that the inode needs them.
    pub fn uses_page_cache(self) -> bool {
        self.reads_folios || self.writes_folios
    }

    /// Whether the operations fill folios of the inode's page cache with `read_folio`, so that
    /// its address-space operations must read ([`address_space::Ops::reads`]).
    ///
    /// [`address_space::Ops::reads`]: super::address_space::Ops::reads
    pub fn reads_folios(self) -> bool {
        self.reads_folios
    }

    /// Whether the operations write to the inode's page cache with `write_begin` and
    /// `write_end`, so that its address-space operations must write
    /// ([`address_space::Ops::writes`]).
    ///
    /// [`address_space::Ops::writes`]: super::address_space::Ops::writes
    pub fn writes_folios(self) -> bool {
        self.writes_folios
    }

    /// Whether the operations are those of [`Ops::offset_dir`].
    pub fn uses_offsets(self) -> bool {
        self.offsets
    }

    /// Whether the operations are a directory's.
    pub fn is_dir(self) -> bool {
        self.dir
    }

    /// Whether the operations are those of [`Ops::in_memory`].
    pub fn is_in_memory(self) -> bool {
        self.in_memory
    }

    /// Whether the operations' `fsync` writes the page cache back: it is
    /// [`Generic::WRITE_BACK_FSYNC`], or the file system's, whose duty it is
    /// ([`Opened::write_and_wait`]; the abstractions cannot check that it does);
    /// [`SuperBlock::new_inode`](super::sb::SuperBlock::new_inode) refuses operations that do not
    /// with address-space operations that write back.
    pub fn syncs(self) -> bool {
        self.syncs
    }

    /// Returns the raw pointer to the C `struct file_operations`.
    pub fn as_raw(self) -> *const bindings::file_operations {
        self.table
    }
}

/// The C table of [`Ops::in_memory`], whose files the abstractions charge.
pub(crate) fn in_memory_table() -> *const bindings::file_operations {
    &IN_MEMORY.0
}

/// A C table of file operations in static memory, with one address that the abstractions may
/// compare (the address of a `const` is not guaranteed to be unique).
struct StaticOps(bindings::file_operations);

// SAFETY: The table is immutable and only holds pointers to functions.
unsafe impl Sync for StaticOps {}

static PAGE_CACHE: StaticOps = StaticOps(PAGE_CACHE_OPS);

static IN_MEMORY: StaticOps = StaticOps(IN_MEMORY_OPS);

/// The operations of `simple_offset_dir_operations`, with a `readdir` that fills the directory's
/// offset map first if it needs it.
static OFFSET_DIR: StaticOps = StaticOps(bindings::file_operations {
    llseek: Some(offset_dir_llseek),
    iterate_shared: Some(offset_dir_readdir),
    read: Some(bindings::generic_read_dir),
    fsync: Some(bindings::noop_fsync),
    setlease: Some(bindings::generic_setlease),
    ..pin_init::zeroed()
});

/// `llseek` of [`Ops::offset_dir`]: that of `simple_offset_dir_operations`.
///
/// # Safety
///
/// Called by the VFS with a valid file of a directory of [`Ops::offset_dir`].
unsafe extern "C" fn offset_dir_llseek(
    file: *mut bindings::file,
    offset: bindings::loff_t,
    whence: c_int,
) -> bindings::loff_t {
    // SAFETY: `simple_offset_dir_operations` is an immutable static of the kernel.
    match unsafe { bindings::simple_offset_dir_operations.llseek } {
        // SAFETY: The arguments are those the VFS gave, for a directory of these operations.
        Some(llseek) => unsafe { llseek(file, offset, whence) },
        None => EINVAL.to_errno().into(),
    }
}

/// `iterate_shared` of [`Ops::offset_dir`]: that of `simple_offset_dir_operations`, after the
/// directory's offset map is filled, if it needs to be.
///
/// # Safety
///
/// Called by the VFS with a valid file of a directory of [`Ops::offset_dir`], whose `i_rwsem`
/// it holds (shared), and a valid `dir_context`.
unsafe extern "C" fn offset_dir_readdir(
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
) -> c_int {
    // SAFETY: The file and the context are valid; the file's inode is a directory of these
    // operations, so one of `Ops::offset_dir` with an offset map (`SuperBlock::new_inode`
    // checks), locked by the VFS, and its dentry is the directory's.
    let filled = unsafe {
        super::inode::offsets::fill(
            (*file).f_inode,
            (*file).__bindgen_anon_1.f_path.dentry,
            (*ctx).pos,
        )
    };
    if let Err(e) = filled {
        return e.to_errno();
    }
    // SAFETY: `simple_offset_dir_operations` is an immutable static of the kernel.
    match unsafe { bindings::simple_offset_dir_operations.iterate_shared } {
        // SAFETY: The arguments are those the VFS gave, and the map is filled if it is needed.
        Some(readdir) => unsafe { readdir(file, ctx) },
        None => EINVAL.to_errno(),
    }
}

const PAGE_CACHE_OPS: bindings::file_operations = bindings::file_operations {
    read_iter: Some(bindings::generic_file_read_iter),
    write_iter: Some(bindings::generic_file_write_iter),
    mmap_prepare: Some(bindings::generic_file_mmap_prepare),
    fsync: Some(bindings::noop_fsync),
    splice_read: Some(bindings::filemap_splice_read),
    splice_write: Some(bindings::iter_file_splice_write),
    llseek: Some(bindings::generic_file_llseek),
    #[cfg(CONFIG_MMU)]
    get_unmapped_area: Some(bindings::mm_get_unmapped_area),
    ..pin_init::zeroed()
};

const IN_MEMORY_OPS: bindings::file_operations = bindings::file_operations {
    write_iter: Some(in_memory_write_iter),
    llseek: Some(bindings::simple_file_llseek),
    fallocate: Some(in_memory_fallocate),
    ..PAGE_CACHE_OPS
};

/// `write_iter` of [`Ops::in_memory`]: `generic_file_write_iter()`, except that a file system
/// that charges the pages of its files ([`FileSystem::charge_pages`]) is charged first for the
/// pages up to the end of the write. If only some can be, the write is cut to them, so it is
/// short; if none can be, it fails with `ENOSPC`, as on tmpfs.
///
/// [`FileSystem::charge_pages`]: super::FileSystem::charge_pages
///
/// # Safety
///
/// Called by the VFS with a valid `kiocb` of an open file and a valid source.
unsafe extern "C" fn in_memory_write_iter(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: The `kiocb` is valid, and so are its file, the file's mapping and its inode.
    let inode = unsafe { (*(*(*iocb).ki_filp).f_mapping).host };
    // SAFETY: The inode is valid.
    unsafe { bindings::inode_lock(inode) };
    // SAFETY: The `kiocb` and the source are valid, and the inode is locked.
    let mut ret = unsafe { bindings::generic_write_checks(iocb, from) };
    if ret > 0 {
        // SAFETY: As above; `generic_write_checks()` set the position (`O_APPEND`) and cut the
        // source to the size limits, so the end does not overflow.
        let (pos, end) = unsafe { ((*iocb).ki_pos, (*iocb).ki_pos + ret as Offset) };
        // SAFETY: The inode is a locked inode of a file system made with these abstractions.
        ret = match unsafe { super::inode::pages::charge_up_to(inode, pos, end) } {
            Err(e) => e.to_errno() as isize,
            Ok((old, allowed)) => {
                if allowed < end {
                    // SAFETY: The source is valid; it only gets shorter.
                    unsafe { bindings::iov_iter_truncate(from, (allowed - pos) as u64) };
                }
                // SAFETY: The `kiocb` and the source are valid, and the inode is locked.
                let written = unsafe { bindings::__generic_file_write_iter(iocb, from) };
                // SAFETY: The inode is still locked; `old` is what `charge_up_to()` returned.
                unsafe { super::inode::pages::trim_after_write(inode, old) };
                written
            }
        };
    }
    // SAFETY: The inode was locked above.
    unsafe { bindings::inode_unlock(inode) };
    if ret > 0 {
        // SAFETY: The `kiocb` is valid.
        ret = unsafe { bindings::generic_write_sync(iocb, ret) };
    }
    ret
}

/// `fallocate` of [`Ops::in_memory`]; see there.
///
/// # Safety
///
/// Called by the VFS (`vfs_fallocate()`) with an open regular file, `offset` not negative,
/// `len` positive, `offset + len` within the superblock's maximum file size, and
/// `FALLOC_FL_PUNCH_HOLE` only with `FALLOC_FL_KEEP_SIZE`.
unsafe extern "C" fn in_memory_fallocate(
    file: *mut bindings::file,
    mode: c_int,
    offset: Offset,
    len: Offset,
) -> c_long {
    let mode = mode as u32;
    if mode & !(bindings::FALLOC_FL_KEEP_SIZE | bindings::FALLOC_FL_PUNCH_HOLE) != 0 {
        return EOPNOTSUPP.to_errno() as c_long;
    }
    // SAFETY: The file is open, so its mapping is valid.
    let mapping = unsafe { (*file).f_mapping };
    // Allocated folios are left not up to date, which only `ram_aops` reads back as zeroes.
    // SAFETY: As above.
    if unsafe { (*mapping).a_ops } != &raw const bindings::ram_aops {
        return EOPNOTSUPP.to_errno() as c_long;
    }
    // SAFETY: As above, the mapping's inode is valid.
    let inode = unsafe { (*mapping).host };
    // `vfs_fallocate()` checks the range, but not every caller goes through it.
    let Some(end) = offset.checked_add(len) else {
        return EFBIG.to_errno() as c_long;
    };
    // SAFETY: The inode is valid; the page cache and the size change under its `i_rwsem`.
    unsafe { bindings::inode_lock(inode) };
    let ret = if mode & bindings::FALLOC_FL_PUNCH_HOLE != 0 {
        // SAFETY: The inode is valid and locked; the range is within its maximum size.
        unsafe { bindings::truncate_pagecache_range(inode, offset, end - 1) };
        Ok(())
    } else {
        // SAFETY: As above.
        to_result(unsafe { bindings::inode_newsize_ok(inode, end) }).and_then(|()| {
            // SAFETY: As above; the inode is of a file system made with these abstractions.
            let old = unsafe { super::inode::pages::charge_to(inode, end) }?;
            // SAFETY: As above; the mapping is the inode's, with `ram_aops`, and `offset < end`.
            let allocated = unsafe { bindings::simple_allocate_folios(mapping, offset, end) };
            if let Err(e) = to_result(allocated) {
                // The folios that the charge was for are gone again.
                // SAFETY: As above; `old` is what `charge_to()` returned.
                unsafe { super::inode::pages::restore(inode, old) };
                return Err(e);
            }
            // SAFETY: As above.
            unsafe {
                if mode & bindings::FALLOC_FL_KEEP_SIZE == 0 && end > (*inode).i_size {
                    bindings::i_size_write(inode, end);
                }
            }
            Ok(())
        })
    };
    if ret.is_ok() {
        // Like a write: new times, no set-user-ID bit. The change is made, whatever this says.
        // SAFETY: The file is open and its inode locked.
        let _ = unsafe { bindings::file_modified(file) };
    }
    // SAFETY: The inode was locked above.
    unsafe { bindings::inode_unlock(inode) };
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno() as c_long,
    }
}
