// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! The baseline of `keep_inode_ref` and `dropping_as_inode`: inodes found by number, used
//! within the callback that found them, and a `drop_inode` that reads only what `Dropping`
//! gives.

include!("common.rs");

include!("hashed_common.rs");

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
