// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of associated function
//! The folio of a write fault kept beyond the call: the fault's reference and the folio's lock
//! are only lent for the call.

include!("common.rs");

use kernel::fs::folio::{Folio, Locked as FolioLocked};
use kernel::sync::atomic::{Atomic, Relaxed};

struct MappedFops;

static KEPT: Atomic<usize> = Atomic::new(0);

fn keep(folio: &'static FolioLocked<&'static Folio>) {
    KEPT.store(core::ptr::from_ref(folio) as usize, Relaxed);
}

#[vtable]
impl file::Operations for MappedFops {
    type FileSystem = MisuseFs;
    type Data = ();
    const GENERIC: file::Generic = file::Generic::PAGE_CACHE.without(file::Generic::MMAP);

    fn page_mkwrite(
        _file: &file::Opened<()>,
        _inode: &INode<MisuseFs>,
        folio: &FolioLocked<&Folio>,
    ) -> Result {
        keep(folio);
        Ok(())
    }
}

const MAPPED_FOPS: file::Ops<MisuseFs> = file::Ops::new::<MappedFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = MAPPED_FOPS;
    Ok(())
}
