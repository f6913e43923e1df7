// SPDX-License-Identifier: GPL-2.0
//! expect: file operations that keep data of each open file must implement open
//! File operations whose data of each open file holds something, without the `open` that makes
//! it: their files' private data would be null, and every operation would read it as the data.

include!("common.rs");

struct DataFops;

#[vtable]
impl file::Operations for DataFops {
    type FileSystem = MisuseFs;
    type Data = KBox<u32>;

    fn fsync(
        file: &file::Opened<KBox<u32>>,
        _inode: &INode<MisuseFs>,
        _start: i64,
        _end: i64,
        _datasync: bool,
    ) -> Result {
        if *file.data() == 0 {
            return Err(EIO);
        }
        Ok(())
    }
}

const DATA_FOPS: file::Ops<MisuseFs> = file::Ops::new::<DataFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = DATA_FOPS;
    Ok(())
}
