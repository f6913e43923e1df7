// SPDX-License-Identifier: GPL-2.0
//! expect: a file operation is both implemented and taken from the kernel (GENERIC)
//! File operations with a Rust `page_mkwrite` that also take the kernel's `mmap_prepare`
//! (`Generic::MMAP`), whose mappings would never call it.

include!("common.rs");

struct MappedFops;

#[vtable]
impl file::Operations for MappedFops {
    type FileSystem = MisuseFs;
    type Data = ();
    const GENERIC: file::Generic = file::Generic::PAGE_CACHE;

    fn page_mkwrite(
        _file: &file::Opened<()>,
        _inode: &INode<MisuseFs>,
        _folio: &kernel::fs::folio::Locked<&kernel::fs::folio::Folio>,
    ) -> Result {
        Ok(())
    }
}

const MAPPED_FOPS: file::Ops<MisuseFs> = file::Ops::new::<MappedFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = MAPPED_FOPS;
    Ok(())
}
