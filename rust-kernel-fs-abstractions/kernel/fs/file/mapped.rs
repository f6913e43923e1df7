// SPDX-License-Identifier: GPL-2.0

//! Memory mappings of regular files whose file operations are written in Rust: the mapping that
//! `mmap(2)` is making, as [`Operations::mmap`] sees it, and the virtual memory operations of
//! the mappings, whose write faults [`Operations::page_mkwrite`] checks.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h)

use crate::{bindings, types::Opaque};

/// A mapping of a file that `mmap(2)` is making (`struct vm_area_desc`), before it is made.
///
/// # Invariants
///
/// It is the descriptor that the memory manager gives to the file's `mmap_prepare`, valid and
/// not changed by anyone else for the call.
#[repr(transparent)]
pub struct NewMapping(Opaque<bindings::vm_area_desc>);

impl NewMapping {
    /// The mapping described at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be the descriptor given to `mmap_prepare`, valid and not changed by anyone else
    /// for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::vm_area_desc) -> &'a Self {
        // SAFETY: See the function's safety section; `NewMapping` is transparent.
        unsafe { &*ptr.cast() }
    }

    fn raw(&self) -> &bindings::vm_area_desc {
        // SAFETY: The descriptor is valid and nobody else changes it while `self` is borrowed
        // (type invariants).
        unsafe { &*self.0.get() }
    }

    /// The offset in the file of the first byte mapped, in pages.
    pub fn pgoff(&self) -> usize {
        self.raw().pgoff
    }

    /// The size of the mapping, in bytes (a multiple of the page size, not zero).
    pub fn size(&self) -> usize {
        self.raw().end - self.raw().start
    }

    /// Whether writes through the mapping may reach the file: it is shared, and writable or
    /// allowed to become so with `mprotect(2)` (`VM_SHARED` and `VM_MAYWRITE`).
    pub fn shared_maywrite(&self) -> bool {
        // SAFETY: The descriptor is valid (type invariants).
        unsafe { bindings::vma_desc_is_shared_maywrite(self.0.get()) }
    }
}

/// The mappings' virtual memory operations (there are none without an MMU).
#[cfg(CONFIG_MMU)]
mod vm {
    use super::NewMapping;
    use crate::{
        bindings,
        error::{code::*, Error},
        ffi::c_int,
        fs::{
            file::{Opened, Operations},
            folio,
            inode::INode,
        },
    };
    use core::{marker::PhantomData, mem::ManuallyDrop};

    /// The virtual memory operations of the mappings of files with the file operations `U`: the
    /// page cache's faults (`filemap_fault()`, `filemap_map_pages()`), and `U`'s check of write
    /// faults, if it has one.
    pub(in crate::fs::file) struct VmOps<U: Operations + ?Sized>(PhantomData<fn() -> U>);

    type Fs<U> = <U as Operations>::FileSystem;

    impl<U: Operations + ?Sized> VmOps<U> {
        const TABLE: bindings::vm_operations_struct = bindings::vm_operations_struct {
            fault: Some(bindings::filemap_fault),
            map_pages: Some(bindings::filemap_map_pages),
            page_mkwrite: if U::HAS_PAGE_MKWRITE {
                Some(Self::page_mkwrite)
            } else {
                Some(bindings::filemap_page_mkwrite)
            },
            ..pin_init::zeroed()
        };

        /// Maps a file with these operations, as `generic_file_mmap_prepare()` does, once `U`
        /// agreed.
        ///
        /// # Safety
        ///
        /// Called by the memory manager with the descriptor of a mapping of a regular file of
        /// `Fs<U>` opened with the file operations of `U`, for the call.
        pub(in crate::fs::file) unsafe extern "C" fn mmap_prepare(
            desc: *mut bindings::vm_area_desc,
        ) -> c_int {
            // SAFETY: See the function's safety section.
            let (file, vm_file) = unsafe { ((*desc).file, (*desc).vm_file) };
            // The faults find the file in the mapping (`vm_file`): it must be this one, opened with
            // `U`'s operations. Only callers that stack files differ (`shm_mmap()`, for shmem's).
            if vm_file != file {
                return ENODEV.to_errno();
            }
            // SAFETY: The file is open.
            let mapping = unsafe { (*file).f_mapping };
            // SAFETY: An open file's mapping and its operations are valid.
            if unsafe { (*(*mapping).a_ops).read_folio }.is_none() {
                return ENOEXEC.to_errno();
            }
            if U::HAS_MMAP {
                // SAFETY: The file is open, with the operations of `U`, whose data is `U::Data`;
                // the caller holds a reference for the call; no position is given to safe code.
                let (f, inode) =
                    unsafe { (Opened::from_raw(file), INode::from_raw((*file).f_inode)) };
                // SAFETY: The descriptor is the caller's, for the call.
                if let Err(e) = U::mmap(f, inode, unsafe { NewMapping::from_raw(desc) }) {
                    return e.to_errno();
                }
            }
            // SAFETY: The file is open, and the descriptor valid.
            unsafe {
                bindings::file_accessed(file);
                (*desc).vm_ops = &Self::TABLE;
            }
            0
        }

        /// Makes a folio of the page cache writable through a shared mapping, as
        /// `filemap_page_mkwrite()` does, once `U` agreed: the folio is marked dirty, and stays
        /// locked for the memory manager, which maps it writable and unlocks it.
        ///
        /// # Safety
        ///
        /// Called by the memory manager with a fault of a mapping that [`Self::mmap_prepare`]
        /// made, on a page that the fault holds a reference to, in the page cache of the mapped
        /// file or removed from it.
        unsafe extern "C" fn page_mkwrite(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
            // SAFETY: See the function's safety section: the mapping holds a reference to its file,
            // which `mmap_prepare` checked is one of `Fs<U>`, opened with `U`'s operations.
            let (file, page) = unsafe { ((*(*vmf).__bindgen_anon_1.vma).vm_file, (*vmf).page) };
            // SAFETY: The file is open; its inode and that inode's superblock are valid.
            let (mapping, inode, sb) = unsafe {
                let inode = (*file).f_inode;
                ((*file).f_mapping, inode, (*inode).i_sb)
            };
            // SAFETY: The fault holds a reference to the page.
            let folio = unsafe { bindings::page_folio(page) };
            // SAFETY: The superblock is valid, the file open and the folio referenced.
            unsafe {
                bindings::sb_start_pagefault(sb);
                bindings::file_update_time(file);
                bindings::folio_lock(folio);
            }
            // SAFETY: The folio is locked, so its mapping is stable.
            let (moved, up_to_date) = unsafe {
                (
                    (*folio).__bindgen_anon_1.__bindgen_anon_1.mapping != mapping,
                    bindings::folio_test_uptodate(folio),
                )
            };
            let ret = if moved || !up_to_date {
                // SAFETY: The folio was locked above.
                unsafe { bindings::folio_unlock(folio) };
                if moved {
                    // Truncated meanwhile: the fault is tried again.
                    bindings::vm_fault_reason_VM_FAULT_NOPAGE
                } else {
                    // A folio that is mapped stays up to date; were it not, its bytes might not
                    // be initialised, and a retry would find it again: the fault fails.
                    bindings::vm_fault_reason_VM_FAULT_SIGBUS
                }
            } else {
                // SAFETY: The folio is locked, up to date (its bytes are initialised) and
                // referenced by the fault for the call; the guard gets the lock.
                let locked = unsafe { folio::Locked::<&folio::Folio>::from_raw(folio) };
                let locked = ManuallyDrop::new(locked);
                // SAFETY: As above: the file is open with `U`'s operations, and referenced by the
                // mapping; its inode is one of `Fs<U>`. No position is given to safe code.
                let (f, i) = unsafe {
                    (
                        Opened::<U::Data>::from_raw(file),
                        INode::<Fs<U>>::from_raw(inode),
                    )
                };
                match U::page_mkwrite(f, i, &locked) {
                    Ok(()) => {
                        // The folio stays locked (`VM_FAULT_LOCKED`): the guard is not dropped.
                        // SAFETY: The folio is locked.
                        unsafe {
                            bindings::folio_mark_dirty(folio);
                            bindings::folio_wait_stable(folio);
                        }
                        bindings::vm_fault_reason_VM_FAULT_LOCKED
                    }
                    Err(e) => {
                        drop(ManuallyDrop::into_inner(locked));
                        vm_fault_error(e)
                    }
                }
            };
            // SAFETY: Started above.
            unsafe { bindings::sb_end_pagefault(sb) };
            ret
        }
    }

    /// The result of a `page_mkwrite` that failed with `e`, as `vmf_fs_error()` gives it.
    fn vm_fault_error(e: Error) -> bindings::vm_fault_t {
        // SAFETY: `vmf_fs_error()` only maps the number.
        unsafe { bindings::vmf_fs_error(e.to_errno()) }
    }
}

#[cfg(CONFIG_MMU)]
pub(super) use vm::VmOps;
