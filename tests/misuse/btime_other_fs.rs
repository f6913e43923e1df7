// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0308]: mismatched types
//! A getattr of one file system that reads the inode of the path as another file system's, to
//! report a birth time from data it does not have (point 4).

include!("common.rs");

include!("other_fs_common.rs");

#[allow(dead_code)]
fn getattr(target: &inode::GetAttr<'_, MisuseFs>, stat: &inode::Kstat, mask: u32) {
    let theirs: &INode<OtherFs> = target.inode();
    let _ = (theirs, stat, mask);
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
