// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: `Cell<u32>` cannot be shared between threads safely
//! Data of each open file that is not `Sync`: the threads that share the open file (through a
//! descriptor, or a forked one) run its operations at once, each reading the same data.

include!("common.rs");

use core::cell::Cell;

struct DataFops;

#[vtable]
impl file::Operations for DataFops {
    type FileSystem = MisuseFs;
    type Data = KBox<Cell<u32>>;

    fn open(_inode: &INode<MisuseFs>, _file: &file::LocalFile) -> Result<KBox<Cell<u32>>> {
        Ok(KBox::new(Cell::new(0), GFP_KERNEL)?)
    }

    fn fsync(
        file: &file::Opened<KBox<Cell<u32>>>,
        _inode: &INode<MisuseFs>,
        _start: i64,
        _end: i64,
        _datasync: bool,
    ) -> Result {
        file.data().set(file.data().get() + 1);
        Ok(())
    }
}

const DATA_FOPS: file::Ops<MisuseFs> = file::Ops::new::<DataFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = DATA_FOPS;
    Ok(())
}
