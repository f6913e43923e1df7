// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! The baseline of `mmap_rust_and_generic` and `page_mkwrite_folio_kept`: file operations that
//! check mappings and write faults in Rust, and take the rest of the page cache's operations.

include!("common.rs");

use kernel::fs::folio::{Folio, Locked as FolioLocked};

struct MappedFops;

#[vtable]
impl file::Operations for MappedFops {
    type FileSystem = MisuseFs;
    type Data = ();
    const GENERIC: file::Generic = file::Generic::PAGE_CACHE.without(file::Generic::MMAP);

    fn mmap(_file: &file::Opened<()>, _inode: &INode<MisuseFs>, map: &file::NewMapping) -> Result {
        if map.shared_maywrite() && map.size() > 1 << 20 {
            return Err(EFBIG);
        }
        Ok(())
    }

    fn page_mkwrite(
        _file: &file::Opened<()>,
        _inode: &INode<MisuseFs>,
        folio: &FolioLocked<&Folio>,
    ) -> Result {
        if folio.pos() >= 1 << 20 {
            return Err(ENOSPC);
        }
        Ok(())
    }
}

const MAPPED_FOPS: file::Ops<MisuseFs> = file::Ops::new::<MappedFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = MAPPED_FOPS;
    Ok(())
}
