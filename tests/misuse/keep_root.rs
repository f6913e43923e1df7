// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of function
//! A root dentry kept in a `static` instead of being handed to the VFS (point 1).

include!("common.rs");

use kernel::sync::SetOnce;

static KEPT: SetOnce<Root<'static, MisuseFs>> = SetOnce::new();

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    KEPT.populate(Root::try_new(new_inode(dir.super_block(), None, idmap, Type::Dir)?)?);
    Ok(())
}
