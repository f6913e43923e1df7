// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! File operations with data of each open file, used as meant: the proof that the file_data_*
//! programs fail for their misuse alone.

include!("common.rs");

use kernel::sync::atomic::{Atomic, Relaxed};

struct DataFops;

#[vtable]
impl file::Operations for DataFops {
    type FileSystem = MisuseFs;
    type Data = KBox<Atomic<u32>>;

    fn open(_inode: &INode<MisuseFs>, _file: &file::LocalFile) -> Result<KBox<Atomic<u32>>> {
        Ok(KBox::new(Atomic::new(0), GFP_KERNEL)?)
    }

    fn release(data: KBox<Atomic<u32>>, _inode: &INode<MisuseFs>) {
        pr_info!("{} calls\n", data.load(Relaxed));
    }

    fn read_iter(
        iocb: &mut fs::Kiocb<'_, KBox<Atomic<u32>>>,
        inode: &INode<MisuseFs>,
        to: &mut kernel::iov::IovIterDest<'_>,
    ) -> Result<usize> {
        iocb.file().add(1, Relaxed);
        inode.read_sparse(iocb, to)
    }

    fn fsync(
        file: &file::Opened<KBox<Atomic<u32>>>,
        _inode: &INode<MisuseFs>,
        _start: i64,
        _end: i64,
        _datasync: bool,
    ) -> Result {
        file.data().add(1, Relaxed);
        Ok(())
    }
}

const DATA_FOPS: file::Ops<MisuseFs> = file::Ops::new::<DataFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = DATA_FOPS;
    Ok(())
}
