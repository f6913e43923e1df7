// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of function
//! An inode found by number kept in a `static`: its reference would be put after the
//! superblock is gone (point 1).

include!("common.rs");

include!("hashed_common.rs");

use kernel::sync::SetOnce;

static KEPT: SetOnce<inode::INodeRef<'static, MisuseFs>> = SetOnce::new();

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    KEPT.populate(dir.super_block().iget(5, || Ok(found()))?);
    Ok(())
}
