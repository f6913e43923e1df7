// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of associated function
//! The data of an open file kept beyond the call that was given it: `release` frees it once the
//! last reference to the file is gone, which the call's file only holds for the call.

include!("common.rs");

use kernel::sync::atomic::{Atomic, Relaxed};

struct DataFops;

static KEPT: Atomic<usize> = Atomic::new(0);

fn keep(data: &'static u32) {
    KEPT.store(core::ptr::from_ref(data) as usize, Relaxed);
}

#[vtable]
impl file::Operations for DataFops {
    type FileSystem = MisuseFs;
    type Data = KBox<u32>;

    fn open(_inode: &INode<MisuseFs>, _file: &file::LocalFile) -> Result<KBox<u32>> {
        Ok(KBox::new(0, GFP_KERNEL)?)
    }

    fn fsync(
        file: &file::Opened<KBox<u32>>,
        _inode: &INode<MisuseFs>,
        _start: i64,
        _end: i64,
        _datasync: bool,
    ) -> Result {
        keep(file.data());
        Ok(())
    }
}

const DATA_FOPS: file::Ops<MisuseFs> = file::Ops::new::<DataFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = DATA_FOPS;
    Ok(())
}
