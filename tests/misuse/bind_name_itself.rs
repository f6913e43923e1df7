// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0624]: method `bind` is private
//! The file system binds the name itself, then returns another inode that the abstractions
//! bind too, or binds it and returns an error: the namespace steps are the abstractions'
//! (point 2).

include!("common.rs");

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, dentry: &Negative<'_, MisuseFs>) -> Result {
    let inode = new_inode(dir.super_block(), Some(dir), idmap, Type::Reg)?;
    dentry.bind(dir, inode, todo!())
}
