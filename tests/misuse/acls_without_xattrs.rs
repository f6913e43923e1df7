// SPDX-License-Identifier: GPL-2.0
//! expect: ACLs kept in memory (ACLS) without extended attributes kept in memory (XATTRS)
//! POSIX ACLs in memory on a file system without extended attributes in memory: nothing would
//! list the ACLs, and iget() could make inodes whose eviction drops them.

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
    type INodeData = ();
    type Options = ();
    const NAME: &'static CStr = c"misuse";
    const ACLS: fs::acl::Acls = fs::acl::Acls::InMemory;
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
