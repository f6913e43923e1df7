// SPDX-License-Identifier: GPL-2.0
//! expect: FileSystem::FLAGS may only hold the flags of kernel::fs::flags
//! A file system type with a flag the abstractions do not follow: with FS_RENAME_DOES_D_MOVE
//! the VFS leaves the d_move() of a rename to the file system, the dentry stays in the old
//! directory while the new one's offset map points to it, and a later readdir walks a freed
//! dentry (found by the adversarial review of v2).

const BAD_NAME: &CStr = c"misuse";
const BAD_FLAGS: i32 = kernel::bindings::FS_RENAME_DOES_D_MOVE as i32;

use kernel::{
    fs::{
        self,
        dentry::Root,
        inode::{self, MntIdmap, Type},
        param,
        sb::{self, SuperBlock},
        FileSystem,
    },
    prelude::*,
};

kernel::module_fs! {
    type: BadFs,
    name: "misuse",
    authors: ["bs2ramfs developers"],
    description: "A file system type that the VFS would misread",
    license: "GPL",
}

struct BadFs;

#[vtable]
impl FileSystem for BadFs {
    type Data = ();
    type Options = ();
    const NAME: &'static CStr = BAD_NAME;
    const FLAGS: i32 = BAD_FLAGS;
    const PARAMS: param::Table = param::Table::EMPTY;

    fn init_options() -> Result {
        Ok(())
    }

    fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
        Err(EINVAL)
    }

    fn fill_super(_sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
        Ok(())
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
        Root::try_new(sb.new_inode(inode::Params {
            typ: Type::Dir,
            perm: 0o755,
            idmap: MntIdmap::nop(),
            dir: None,
            iops: Some(inode::Ops::simple_dir()),
            fops: Some(fs::file::Ops::simple_dir()),
            aops: None,
            mapping: fs::address_space::Mapping::Unevictable,
        })?)
    }
}
