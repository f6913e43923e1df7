// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0599]: no method named `super_block` found
//! `drop_inode` runs under the inode's `i_lock`: what it gets is no inode, whose operations
//! (through its superblock, an `iget`) could take that lock again or sleep (point 3).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}

#[allow(dead_code)]
fn drop_inode(inode: &inode::Dropping<'_, MisuseFs>) -> bool {
    inode.super_block().ilookup(inode.ino() + 1).is_some()
}
