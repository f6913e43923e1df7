// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! The baseline of `keep_inode_ref` and `dropping_as_inode`: inodes found by number, used
//! within the callback that found them, and a `drop_inode` that reads only what `Dropping`
//! gives.

include!("common.rs");

use kernel::task::{Kgid, Kuid};

fn found() -> inode::Found<MisuseFs, ()> {
    inode::Found {
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
    }
}

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let sb = dir.super_block();
    let inode = sb.iget(5, || Ok(found()))?;
    let again = sb.ilookup(5).ok_or(ENOENT)?;
    if inode.as_raw() != again.clone().as_raw() {
        return Err(EINVAL);
    }
    Ok(())
}

#[allow(dead_code)]
fn drop_inode(inode: &inode::Dropping<'_, MisuseFs>) -> bool {
    inode.ino() > 100
}
