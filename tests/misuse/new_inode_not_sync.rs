// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: `NonNull<INode<MisuseFs>>` cannot be shared between threads safely
//! A new inode shared between threads, one changing its owner while the other reads it: its
//! `&self` methods write the inode without a lock, so it is not `Sync` (found by the
//! adversarial review of v2).

include!("common.rs");

fn need_sync<T: Sync>(_: &T) {}

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let inode = new_inode(dir.super_block(), Some(dir), idmap, Type::Reg)?;
    need_sync(&inode);
    Ok(())
}
