// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0502]: cannot borrow `inode` as mutable because it is also borrowed as immutable
//! A new inode renumbered while a reference to it, which `New` gives out, is held: whoever holds
//! it reads the number while it is written (point 3).

include!("common.rs");

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let mut inode = new_inode(dir.super_block(), Some(dir), idmap, Type::Reg)?;
    let seen: &INode<MisuseFs> = &inode;
    inode.set_ino(2);
    let _ = seen.size();
    Ok(())
}
