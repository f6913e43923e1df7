// SPDX-License-Identifier: GPL-2.0
//! expect: iget() or ilookup() on a file system whose inodes are exported in memory (EXPORT)
//! A lookup by number on a file system exported in memory: encoding a file handle puts its
//! inodes of `new_inode` in the inode hash, where `ilookup` could find one in a colliding bucket
//! as if `iget` had made it.

include!("common.rs");

include!("hashed_common.rs");

use kernel::fs::export;

struct ExportFs;

#[vtable]
impl FileSystem for ExportFs {
    type Data = ();
    type INodeData = ();
    type Options = ();
    const NAME: &'static CStr = c"misuse_export";
    const EXPORT: export::Export = export::Export::InMemory;

    fn init_options() -> Result {
        Ok(())
    }

    fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
        Err(EINVAL)
    }

    fn fill_super(_sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
        Ok(())
    }

    fn init_root(_sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
        Err(EINVAL)
    }
}

fn lookup(sb: Option<&SuperBlock<ExportFs>>) -> Result {
    let Some(sb) = sb else { return Ok(()) };
    sb.ilookup(5).map(drop).ok_or(ENOENT)
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    lookup(None)
}
