// SPDX-License-Identifier: GPL-2.0
//! expect: iget() on a file system whose extended attributes are kept in memory (XATTRS)
//! A lookup by number on a file system whose extended attributes are kept in memory, with the
//! inode: an eviction of the inode would free them, and the next `iget` would find the file
//! without them (point 2).

include!("common.rs");

include!("hashed_common.rs");

use kernel::fs::xattr;

struct XattrFs;

#[vtable]
impl FileSystem for XattrFs {
    type Data = ();
    type INodeData = ();
    type Options = ();
    const NAME: &'static CStr = c"misuse_xattr";
    const XATTRS: xattr::Handlers = xattr::Handlers::InMemory;

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

fn lookup(sb: Option<&SuperBlock<XattrFs>>) -> Result {
    let Some(sb) = sb else { return Ok(()) };
    sb.iget(5, || Ok(found())).map(drop)
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    lookup(None)
}
