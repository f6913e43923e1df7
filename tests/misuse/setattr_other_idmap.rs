// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0061]: this function takes 2 arguments but 3 arguments were supplied
//! A setattr that checks the caller against the owners as stored rather than as the idmapped
//! mount shows them, by giving libfs::setattr() the identity mapping: the mapping is the
//! VFS's, carried by SetAttr (found by the second adversarial review of v2).

include!("common.rs");

use kernel::fs::{inode::SetAttr, inode::IAttr, libfs};

#[allow(dead_code)]
fn setattr(target: &SetAttr<'_, MisuseFs>, attr: &IAttr) -> Result {
    libfs::setattr(MntIdmap::nop(), target, attr)
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
