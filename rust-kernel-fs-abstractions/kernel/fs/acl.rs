// SPDX-License-Identifier: GPL-2.0

//! POSIX access control lists.
//!
//! C headers: [`include/linux/posix_acl.h`](srctree/include/linux/posix_acl.h)

use crate::{bindings, error::to_result, prelude::*};

/// The POSIX ACLs of a file system type (`system.posix_acl_access` and
/// `system.posix_acl_default`).
///
/// File systems never see the ACLs themselves: the VFS parses, checks, maps through idmapped
/// mounts and enforces them, and the abstractions give new inodes those they inherit
/// (`posix_acl_create()`) and update them on `chmod(2)` (`posix_acl_chmod()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acls {
    /// None. The superblock does not have `SB_POSIXACL`, whatever `mount(2)` asks for, so the
    /// VFS applies the umask to what it creates, and refuses the ACL attributes.
    None,

    /// Kept in memory with each inode, in its ACL cache, as tmpfs keeps them
    /// (`simple_set_acl()`): the superblock has `SB_POSIXACL`; a new inode inherits the ACLs
    /// of the directory it is created in, its mode masked by them, or by the umask if the
    /// directory has no default ACL; a change of mode updates the access ACL, also when the
    /// file system's `setattr` fails after changing the mode.
    ///
    /// Needs the extended attributes in memory too ([`xattr::Handlers::InMemory`], which keeps
    /// [`SuperBlock::iget`], whose inodes an eviction frees, away from the file system) and
    /// `CONFIG_FS_POSIX_ACL`, else a build error. Tables with [`inode::Libfs::LISTXATTR`] list
    /// the ACLs with the other attributes.
    /// The inode operations of an inode that is not a symbolic link must be a Rust table
    /// ([`inode::Ops::new`]), else making the inode fails with `EINVAL`: the abstractions give
    /// such a table `set_acl`, and a `setattr` that updates the access ACL (symbolic links
    /// have no ACLs). Like tmpfs, the memory of ACLs is not charged to the file system.
    ///
    /// [`xattr::Handlers::InMemory`]: crate::fs::xattr::Handlers::InMemory
    /// [`SuperBlock::iget`]: crate::fs::sb::SuperBlock::iget
    /// [`inode::Libfs::LISTXATTR`]: crate::fs::inode::Libfs::LISTXATTR
    /// [`inode::Ops::new`]: crate::fs::inode::Ops::new
    InMemory,
}

impl Acls {
    /// Whether the ACLs are kept in memory.
    pub(crate) const fn in_memory(self) -> bool {
        matches!(self, Acls::InMemory)
    }
}

/// The `set_acl` of an inode operation table of a file system with `acls`, of a symbolic link's
/// table if `link`.
#[cfg(CONFIG_FS_POSIX_ACL)]
pub(crate) const fn set_acl(acls: Acls, link: bool) -> SetAcl {
    if acls.in_memory() && !link {
        Some(bindings::simple_set_acl)
    } else {
        None
    }
}

/// The `set_acl` of an inode operation table: none without `CONFIG_FS_POSIX_ACL`.
#[cfg(not(CONFIG_FS_POSIX_ACL))]
pub(crate) const fn set_acl(_acls: Acls, _link: bool) -> SetAcl {
    None
}

/// The type of `inode_operations.set_acl`.
pub(crate) type SetAcl = Option<
    unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::dentry,
        *mut bindings::posix_acl,
        c_int,
    ) -> c_int,
>;

/// Gives `inode` the ACLs it inherits from `dir`, and masks its mode by them or by the umask
/// (`simple_acl_create()`).
///
/// # Safety
///
/// `dir` must be a valid directory and `inode` a valid new inode that nobody else can see yet,
/// both of a superblock whose ACLs are [`Acls::InMemory`].
#[cfg(CONFIG_FS_POSIX_ACL)]
#[inline]
pub(crate) unsafe fn create(dir: *mut bindings::inode, inode: *mut bindings::inode) -> Result {
    // SAFETY: As the function's safety section requires.
    to_result(unsafe { bindings::simple_acl_create(dir, inode) })
}

/// Gives `inode` no ACLs: without `CONFIG_FS_POSIX_ACL`, no superblock has them.
///
/// # Safety
///
/// None needed: it does nothing.
#[cfg(not(CONFIG_FS_POSIX_ACL))]
#[inline]
pub(crate) unsafe fn create(_dir: *mut bindings::inode, _inode: *mut bindings::inode) -> Result {
    Ok(())
}

/// Updates the access ACL of the inode of `dentry` to its mode, after a change of mode
/// (`posix_acl_chmod()`).
///
/// # Safety
///
/// `idmap` must be a valid ID mapping, and `dentry` a valid positive dentry whose inode's
/// `i_rwsem` the caller holds for writing.
#[cfg(CONFIG_FS_POSIX_ACL)]
#[inline]
pub(crate) unsafe fn chmod(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
) -> Result {
    // SAFETY: The dentry is positive and its inode locked (see the function's safety section).
    let mode = unsafe { (*(*dentry).d_inode).i_mode };
    // SAFETY: As above; `idmap` is valid.
    to_result(unsafe { bindings::posix_acl_chmod(idmap, dentry, mode) })
}

/// Does nothing: without `CONFIG_FS_POSIX_ACL`, no superblock has ACLs.
///
/// # Safety
///
/// None needed: it does nothing.
#[cfg(not(CONFIG_FS_POSIX_ACL))]
#[inline]
pub(crate) unsafe fn chmod(
    _idmap: *mut bindings::mnt_idmap,
    _dentry: *mut bindings::dentry,
) -> Result {
    Ok(())
}
