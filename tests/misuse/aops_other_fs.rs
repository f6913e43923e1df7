// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0308]: mismatched types
//! Address-space operations of another file system type given to a new inode: their callbacks
//! would take the inode for one of the other type, and read its superblock's data as theirs.

include!("common.rs");

include!("other_fs_common.rs");

fn misuse(idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _inode = dir.super_block().new_inode(inode::Params {
        typ: Type::Reg,
        perm: 0o644,
        idmap,
        dir: Some(dir),
        iops: None,
        fops: Some(file::Ops::page_cache()),
        aops: Some(address_space::Ops::<OtherFs>::in_memory()),
        mapping: address_space::Mapping::Unevictable,
    })?;
    Ok(())
}
