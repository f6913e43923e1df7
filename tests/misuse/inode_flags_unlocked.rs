// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0599]: no method named `set_inode_flags` found for reference `&kernel::fs::inode::Locked<'_, MisuseFs>`
//! The flags the VFS enforces (immutable, append-only) set from an operation other than
//! `fileattr_set`, where the VFS checked no `CAP_LINUX_IMMUTABLE`: only what `fileattr_set`
//! returns is set (found by the twentieth adversarial review).

include!("common.rs");

use kernel::fs::inode::InodeFlag;

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    dir.set_inode_flags(InodeFlag::Immutable.into());
    Ok(())
}
