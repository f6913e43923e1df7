// SPDX-License-Identifier: GPL-2.0

//! The data that file operations written in Rust keep for each open file.

use super::{LocalFile, Offset};
use crate::{
    alloc::{Allocator, Box},
    error::{code::EINVAL, to_result, Result},
    sync::Arc,
    types::ForeignOwnable,
};
use core::{marker::PhantomData, ops::Deref, pin::Pin};

mod private {
    /// Keeps [`super::Data`] to the types of this file.
    pub trait Sealed {}
}

/// A type of the data of each open file ([`Operations::Data`]): `()` for none, or an owned value
/// (`KBox<T>`, `Pin<KBox<T>>`, `Arc<T>`) that [`Operations::open`] makes.
///
/// The data is shared by the threads that use the open file (it may be shared through a
/// descriptor, or inherited), and dropped on whichever thread drops the last reference to the
/// file, possibly a kernel worker: `T` is `Send` and `Sync`. The trait is sealed: a file
/// operation reads the data only as one of these types.
///
/// [`Operations::Data`]: super::Operations::Data
/// [`Operations::open`]: super::Operations::open
pub trait Data: ForeignOwnable + Send + Sync + private::Sealed {
    /// Whether the type holds anything: file operations whose data holds something must
    /// implement [`Operations::open`], which makes it; `()` is the data of files that were
    /// opened without it.
    ///
    /// [`Operations::open`]: super::Operations::open
    const HOLDS: bool;
}

impl private::Sealed for () {}
impl Data for () {
    const HOLDS: bool = false;
}

impl<T: Send + Sync, A: Allocator> private::Sealed for Box<T, A> {}
impl<T: Send + Sync, A: Allocator> Data for Box<T, A> {
    const HOLDS: bool = true;
}

impl<T: Send + Sync, A: Allocator> private::Sealed for Pin<Box<T, A>> {}
impl<T: Send + Sync, A: Allocator> Data for Pin<Box<T, A>> {
    const HOLDS: bool = true;
}

impl<T: Send + Sync + 'static> private::Sealed for Arc<T> {}
impl<T: Send + Sync + 'static> Data for Arc<T> {
    const HOLDS: bool = true;
}

/// An open file of file operations written in Rust, whose data is `D` ([`Operations::Data`]).
///
/// It is the [`LocalFile`] (through [`Deref`]), with its data.
///
/// [`Operations::Data`]: super::Operations::Data
///
/// # Invariants
///
/// The file is open with file operations whose data is `D`, and its `private_data` is what
/// `D::into_foreign()` returned in their `open`; or, for operations without `open`, `D` holds
/// nothing ([`Data::HOLDS`]): it is `()`, whose `borrow` reads no pointer, and `private_data`
/// may be anything. It is given back (`from_foreign()`) in their `release`, after the last
/// reference to the file is gone.
#[repr(transparent)]
pub struct Opened<D: Data> {
    file: LocalFile,
    _d: PhantomData<D>,
}

impl<D: Data> Opened<D> {
    /// The open file at `ptr`, of file operations whose data is `D`.
    ///
    /// # Safety
    ///
    /// `ptr` must be a file opened with the file operations of an implementation of
    /// [`Operations`] whose data is `D`, and stay open for `'a`, used as [`LocalFile`] requires.
    ///
    /// [`Operations`]: super::Operations
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::file) -> &'a Self {
        // SAFETY: See the function's safety section; `Opened` is transparent over `LocalFile`.
        unsafe { &*LocalFile::from_raw_file(ptr).as_ptr().cast::<Self>() }
    }

    /// The data of the open file, as [`Operations::open`] made it.
    ///
    /// [`Operations::open`]: super::Operations::open
    pub fn data(&self) -> D::Borrowed<'_> {
        // SAFETY: The file is open for as long as `self` is borrowed, and its data is given back
        // only after its last reference is gone (type invariants).
        unsafe { D::borrow((*self.file.as_ptr()).private_data) }
    }

    /// Writes back the dirty folios of the file's page cache from `start` to `end` (inclusive),
    /// waits for their write-back to end, and returns the first error of a write-back of the
    /// file that this open file was not told of yet (`file_write_and_wait_range()`): the data
    /// part of an `fsync` ([`Operations::fsync`]), the first step of `simple_fsync_noflush()`
    /// (the abstractions have no `write_inode` for the metadata).
    ///
    /// An error recorded for a folio whose write-back failed
    /// ([`UnderWriteback::fail`](crate::fs::address_space::writeback::UnderWriteback::fail)) is
    /// told once to each open file; one that the pass itself returns (its `writepages`, a folio
    /// given back with an error) only to this call, with the folios left dirty for the next;
    /// with `EIO` from the pass, it does not wait.
    ///
    /// It calls the file's `writepages` and waits for folios under write-back, and may sleep:
    /// called where this thread holds the lock of a folio of the file, it waits for ever.
    ///
    /// Fails with `EINVAL` if `start` is negative or beyond `end`.
    ///
    /// [`Operations::fsync`]: super::Operations::fsync
    pub fn write_and_wait(&self, start: Offset, end: Offset) -> Result {
        if start < 0 || end < start {
            return Err(EINVAL);
        }
        // SAFETY: The file is open for as long as `self` is borrowed (type invariants).
        to_result(unsafe { bindings::file_write_and_wait_range(self.file.as_ptr(), start, end) })
    }
}

impl<D: Data> Deref for Opened<D> {
    type Target = LocalFile;

    fn deref(&self) -> &LocalFile {
        &self.file
    }
}
