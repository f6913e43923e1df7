// SPDX-License-Identifier: GPL-2.0

//! Extended attributes kept in memory, for file systems whose objects all live in memory, as
//! tmpfs keeps them.
//!
//! A file system that sets [`FileSystem::XATTRS`](super::FileSystem::XATTRS) to
//! [`Handlers::InMemory`] gets the `user.`, `trusted.` and `security.` namespaces on all its
//! inodes, stored with each inode by the kernel's `simple_xattr` functions, and lists them
//! with [`Libfs::LISTXATTR`](super::inode::Libfs::LISTXATTR) in its inode operation tables.
//! No code of the file system runs on these paths, but for the charging of their memory if it
//! has [`FileSystem::charge_xattrs`](super::FileSystem::charge_xattrs): the VFS checks the
//! permissions (`xattr_permission()`: `trusted.` needs `CAP_SYS_ADMIN`, `user.` only exists on
//! regular files and directories), the sizes (`XATTR_SIZE_MAX`, `XATTR_NAME_MAX`) and the
//! flags.
//!
//! C header: [`include/linux/xattr.h`](srctree/include/linux/xattr.h)

use crate::{bindings, error::from_err_ptr, fs::inode, prelude::*};
use core::ptr;

/// The extended attribute handlers of a file system type (`super_block.s_xattr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handlers {
    /// No extended attributes (other than those the security modules provide themselves).
    None,

    /// The `user.`, `trusted.` and `security.` namespaces, kept in memory with each inode, as
    /// tmpfs keeps them.
    ///
    /// A value may have up to `XATTR_SIZE_MAX` (64 KiB) bytes, as everywhere. The `user.`
    /// namespace, which unprivileged users can write to, holds at most 128 attributes and
    /// 128 KiB of values per inode (`SIMPLE_XATTR_MAX_NR`, `SIMPLE_XATTR_MAX_SIZE`); setting
    /// more fails with `ENOSPC`. The attributes that the security modules give a new inode
    /// (such as its `security.SMACK64` or `security.selinux` label) are stored with it, as
    /// tmpfs stores them.
    InMemory,
}

impl Handlers {
    /// Returns the raw pointer to the `NULL`-terminated C array, or null.
    // Never inlined into a file system module: the table is this crate's, not exported.
    #[inline(never)]
    pub(crate) fn as_raw(self) -> *const *const bindings::xattr_handler {
        match self {
            Handlers::None => ptr::null(),
            Handlers::InMemory => TABLE.0.as_ptr(),
        }
    }
}

/// A C handler in static memory.
#[repr(transparent)]
struct Handler(bindings::xattr_handler);

// SAFETY: The handler is immutable and only holds pointers to static strings and functions.
unsafe impl Sync for Handler {}

/// The `NULL`-terminated array of [`Handlers::InMemory`].
struct Table([*const bindings::xattr_handler; 4]);

// SAFETY: The table is immutable and only holds pointers to immutable statics.
unsafe impl Sync for Table {}

/// A handler of the namespace `prefix` (NUL-terminated) kept in memory.
const fn in_memory(prefix: &'static [u8]) -> Handler {
    Handler(bindings::xattr_handler {
        prefix: prefix.as_ptr(),
        get: Some(get),
        set: Some(set),
        ..pin_init::zeroed()
    })
}

static SECURITY: Handler = in_memory(bindings::XATTR_SECURITY_PREFIX);
static TRUSTED: Handler = in_memory(bindings::XATTR_TRUSTED_PREFIX);
static USER: Handler = in_memory(bindings::XATTR_USER_PREFIX);

static TABLE: Table = Table([&SECURITY.0, &TRUSTED.0, &USER.0, ptr::null()]);

/// # Safety
///
/// Called by the VFS (`__vfs_getxattr()`) with a handler of [`TABLE`], an inode allocated
/// by [`inode::Cache::alloc`], the name without the handler's prefix, and a buffer of `size`
/// bytes or null.
unsafe extern "C" fn get(
    handler: *const bindings::xattr_handler,
    _dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
    name: *const c_char,
    buffer: *mut c_void,
    size: usize,
) -> c_int {
    // SAFETY: `name` is the part of the full name that follows the prefix.
    let name = unsafe { bindings::xattr_full_name(handler, name) };
    // SAFETY: The inode is in an `INodeBox`, whose attribute list and cache are valid while
    // the inode is; the buffer is valid for `size` bytes or null.
    unsafe {
        let (list, cache) = inode::INodeBox::xattrs(inode);
        bindings::simple_xattr_get(cache, list, name, buffer, size)
    }
}

/// Sets or removes an attribute. As `shmem_xattr_handler_set()`, with a file system that
/// charges its attributes, a new value is charged first (`ENOSPC` if it does not fit), and the
/// value it replaces, or the attribute removed, gives its bytes back.
///
/// # Safety
///
/// Called by the VFS (`__vfs_setxattr()` or `__vfs_removexattr()`) with a handler of
/// [`TABLE`], an inode allocated by [`inode::Cache::alloc`] of a ready superblock, whose
/// `i_rwsem` it holds for writing, the name without the handler's prefix, and a value of `size`
/// bytes, or null to remove the attribute.
unsafe extern "C" fn set(
    handler: *const bindings::xattr_handler,
    _idmap: *mut bindings::mnt_idmap,
    _dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
    name: *const c_char,
    value: *const c_void,
    size: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: `name` is the part of the full name that follows the prefix.
    let name = unsafe { bindings::xattr_full_name(handler, name) };
    // SAFETY: The inode is in an `INodeBox`.
    let charge = unsafe { inode::INodeBox::xattr_charge(inode) };
    let mut space = 0;
    if let Some(c) = charge.filter(|_| !value.is_null()) {
        // SAFETY: `name` is a valid string.
        space = unsafe { bindings::simple_xattr_space(name, size) };
        // SAFETY: The inode is valid, of a ready superblock of the type.
        if let Err(e) = unsafe { c.charge(inode, space as u64) } {
            return e.to_errno();
        }
    }
    // The bytes of the value replaced or the attribute removed, if any.
    let mut freed = 0;
    // SAFETY: The inode is in an `INodeBox`, whose attribute list, limits and cache are valid
    // while the inode is, and `i_rwsem` serialises the changes of its list, as the
    // `simple_xattr` functions require.
    let ret = unsafe {
        let (list, cache) = inode::INodeBox::xattrs(inode);
        if ptr::eq(handler, &USER.0) {
            // `simple_xattr_set_limited()` frees what it replaces: its size is read first
            // (`i_rwsem` keeps it).
            if charge.is_some() {
                let old = bindings::simple_xattr_get(cache, list, name, ptr::null_mut(), 0);
                if let Ok(old) = usize::try_from(old) {
                    freed = bindings::simple_xattr_space(name, old);
                }
            }
            let limits = inode::INodeBox::xattr_limits(inode);
            bindings::simple_xattr_set_limited(cache, list, limits, name, value, size, flags)
        } else {
            let old = bindings::simple_xattr_set(cache, list, name, value, size, flags);
            match from_err_ptr(old) {
                Err(e) => e.to_errno(),
                // The replaced or removed attribute, if any, goes after a grace period.
                Ok(old) => {
                    if !old.is_null() {
                        freed = bindings::simple_xattr_space((*old).name, (*old).size);
                    }
                    bindings::simple_xattr_free_rcu(old);
                    0
                }
            }
        }
    };
    if let Some(c) = charge {
        // SAFETY: As above.
        unsafe { c.uncharge(inode, (if ret == 0 { freed } else { space }) as u64) };
    }
    if ret == 0 {
        // SAFETY: The inode is valid and its `i_rwsem` is held. As `shmem_xattr_handler_set()`,
        // the change counts in `i_version` too.
        unsafe {
            bindings::inode_set_ctime_current(inode);
            bindings::inode_maybe_inc_iversion(inode, true);
        }
    }
    ret
}

/// Stores the extended attributes that the security modules give `inode`, a new inode
/// (the `initxattrs` callback of `security_inode_init_security()`), in the `security.`
/// namespace, as `shmem_initxattrs()` does: with a file system that charges its attributes,
/// they are charged all at once first, and the inode is refused with `ENOSPC` if they do not
/// fit. If one cannot be stored, fails with `ENOMEM`; those stored go with the inode.
///
/// # Safety
///
/// Called by `security_inode_init_security()` with a new inode allocated by
/// [`inode::Cache::alloc`], of a ready superblock, that nobody else can see yet, and an array of
/// attributes whose last entry has a null name.
pub(crate) unsafe extern "C" fn initxattrs(
    inode: *mut bindings::inode,
    xattrs: *const bindings::xattr,
    _fs_data: *mut c_void,
) -> c_int {
    // SAFETY: The inode is in an `INodeBox`.
    let charge = unsafe { inode::INodeBox::xattr_charge(inode) };
    let mut space = 0;
    if let Some(c) = charge {
        // SAFETY: The array is valid and ends with a null name.
        space = unsafe { bindings::simple_xattrs_initxattrs_space(xattrs) };
        // SAFETY: The inode is valid, of a ready superblock of the type.
        if let Err(e) = unsafe { c.charge(inode, space as u64) } {
            return e.to_errno();
        }
    }
    let mut added = 0;
    // SAFETY: The inode is in an `INodeBox`, whose attribute list and cache are valid while the
    // inode is; nobody else can see the inode, so nobody else changes its list; the array is
    // valid and ends with a null name.
    let ret = unsafe {
        let (list, cache) = inode::INodeBox::xattrs(inode);
        bindings::simple_xattrs_add_initxattrs(cache, list, xattrs, &mut added)
    };
    if let Some(c) = charge {
        // What was not added goes back; what was, with the inode.
        // SAFETY: As above.
        unsafe { c.uncharge(inode, space.saturating_sub(added) as u64) };
    }
    ret
}

/// Lists the names of the extended attributes of the inode of `dentry`
/// (`inode_operations.listxattr`), for [`Libfs::LISTXATTR`](super::inode::Libfs::LISTXATTR):
/// those that the security modules and POSIX ACLs provide, then those kept in memory
/// (`simple_xattr_list()`, which leaves out `trusted.` names for callers without
/// `CAP_SYS_ADMIN`).
///
/// # Safety
///
/// Called by the VFS (`vfs_listxattr()`) with a positive dentry whose inode was allocated by
/// [`inode::Cache::alloc`], and a buffer of `size` bytes or null.
pub(crate) unsafe extern "C" fn listxattr(
    dentry: *mut bindings::dentry,
    buffer: *mut c_char,
    size: usize,
) -> isize {
    // SAFETY: The dentry is positive, and its inode in an `INodeBox`.
    unsafe {
        let inode = (*dentry).d_inode;
        let (list, _) = inode::INodeBox::xattrs(inode);
        bindings::simple_xattr_list(inode, list, buffer, size)
    }
}
