// SPDX-License-Identifier: GPL-2.0
//! expect: file operations that implement release must implement open
//! File operations with `release` but no `open`: `release` would be given data that no `open`
//! made.

include!("common.rs");

struct DataFops;

#[vtable]
impl file::Operations for DataFops {
    type FileSystem = MisuseFs;
    type Data = ();

    fn release(_data: (), _inode: &INode<MisuseFs>) {}
}

const DATA_FOPS: file::Ops<MisuseFs> = file::Ops::new::<DataFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = DATA_FOPS;
    Ok(())
}
