// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0061]: this function takes 4 arguments but 5 arguments were supplied
//! A getattr that reports the owners as stored rather than as the idmapped mount shows them,
//! by giving libfs::getattr() the identity mapping: the mapping is the VFS's, carried by
//! GetAttr (found by the third adversarial review of v2).

include!("common.rs");

use kernel::fs::{
    inode::{GetAttr, Kstat},
    libfs,
};

#[allow(dead_code)]
fn getattr(target: &GetAttr<'_, MisuseFs>, stat: &Kstat, request_mask: u32, flags: u32) -> Result {
    libfs::getattr(MntIdmap::nop(), target, stat, request_mask, flags)
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
