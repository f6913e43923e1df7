// SPDX-License-Identifier: GPL-2.0
//! expect: an inode operation is both implemented and taken from libfs (Operations::LIBFS)
//! Inode operations with a Rust `get_link` that also take `simple_get_link()`
//! (`Libfs::CACHED_LINK`), which the VFS would then call instead.

include!("common.rs");

struct RustAndCachedOps;

#[vtable]
impl inode::Operations for RustAndCachedOps {
    type FileSystem = MisuseFs;
    const LIBFS: Libfs = Libfs::CACHED_LINK;

    fn get_link<'a>(
        _dentry: &kernel::fs::dentry::DEntry<MisuseFs>,
        _inode: &'a INode<MisuseFs>,
    ) -> Result<inode::LinkTarget<'a>> {
        Err(EINVAL)
    }
}

const RUST_AND_CACHED_IOPS: inode::Ops<MisuseFs> = inode::Ops::new::<RustAndCachedOps>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = RUST_AND_CACHED_IOPS;
    Ok(())
}
