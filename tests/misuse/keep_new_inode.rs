// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of function
//! A new inode kept in a `static` instead of being returned: its reference would be put after
//! the superblock is gone (point 1).

include!("common.rs");

use kernel::sync::SetOnce;

static KEPT: SetOnce<New<'static, MisuseFs>> = SetOnce::new();

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    KEPT.populate(new_inode(dir.super_block(), Some(dir), idmap, Type::Reg)?);
    Ok(())
}
