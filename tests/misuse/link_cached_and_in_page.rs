// SPDX-License-Identifier: GPL-2.0
//! expect: a symbolic link's target is either in the page cache or kept with the inode
//! Inode operations that take both `page_get_link()` (`Libfs::GET_LINK`) and
//! `simple_get_link()` (`Libfs::CACHED_LINK`): the table would follow one, and
//! `New::write_symlink()` write the other.

include!("common.rs");

struct BothLinkOps;

#[vtable]
impl inode::Operations for BothLinkOps {
    type FileSystem = MisuseFs;
    const LIBFS: Libfs = Libfs::GET_LINK.with(Libfs::CACHED_LINK);
}

const BOTH_IOPS: inode::Ops<MisuseFs> = inode::Ops::new::<BothLinkOps>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = BOTH_IOPS;
    Ok(())
}
