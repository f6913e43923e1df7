// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of function
//! An inode found by number kept in a `static`: its reference would be put after the
//! superblock is gone (point 1).

include!("common.rs");

use kernel::{
    sync::SetOnce,
    task::{Kgid, Kuid},
};

static KEPT: SetOnce<inode::INodeRef<'static, MisuseFs>> = SetOnce::new();

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let found = inode::Found {
        typ: Type::Reg,
        perm: 0o644,
        uid: Kuid::current_fsuid(),
        gid: Kgid::current_fsgid(),
        nlink: 1,
        size: 0,
        iops: None,
        fops: None,
        aops: None,
        mapping: address_space::Mapping::Evictable,
        data: (),
    };
    KEPT.populate(dir.super_block().iget(5, || Ok(found))?);
    Ok(())
}
