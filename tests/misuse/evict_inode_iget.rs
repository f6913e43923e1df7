// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0599]: no method named `ilookup` found
//! A lookup by number from `evict_inode`: the inode looked up may be in the batch of evictions
//! that this thread carries out, after this one, and the lookup would wait for it forever
//! (point 6).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}

#[allow(dead_code)]
fn evict_inode(inode: &inode::Evicting<'_, MisuseFs>) {
    drop(inode.super_block().ilookup(1));
}
