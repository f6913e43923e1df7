// SPDX-License-Identifier: GPL-2.0

// The part every misuse program shares: a small file system written as a module would be,
// in safe code, on the abstractions. tools/misuse builds it alone first (it must build), then
// with each misuse program, which must not.

use kernel::{
    fs::{
        self, address_space,
        dentry::{Negative, Root},
        file,
        inode::{self, INode, Libfs, Locked, MntIdmap, New, Type},
        param,
        sb::{self, SuperBlock},
        FileSystem,
    },
    prelude::*,
};

kernel::module_fs! {
    type: MisuseFs,
    name: "misuse",
    authors: ["bs2ramfs developers"],
    description: "A file system that misuses the abstractions",
    license: "GPL",
}

struct MisuseFs;

#[vtable]
impl FileSystem for MisuseFs {
    type Data = ();
    type INodeData = ();
    type Options = ();
    const NAME: &'static CStr = c"misuse";
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
        Root::try_new(new_inode(sb, None, MntIdmap::nop(), Type::Dir)?)
    }
}

fn new_inode<'a>(
    sb: &'a SuperBlock<MisuseFs>,
    dir: Option<&INode<MisuseFs>>,
    idmap: &MntIdmap,
    typ: Type,
) -> Result<New<'a, MisuseFs>> {
    let (iops, fops) = match typ {
        Type::Dir => (Some(DIR_IOPS), Some(file::Ops::offset_dir())),
        _ => (None, Some(file::Ops::page_cache())),
    };
    sb.new_inode(inode::Params {
        typ,
        perm: 0o755,
        idmap,
        dir,
        iops,
        fops,
        aops: Some(address_space::Ops::in_memory()),
        mapping: address_space::Mapping::Unevictable,
    })
}

const DIR_IOPS: inode::Ops<MisuseFs> = inode::Ops::new::<DirOps>();

struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = MisuseFs;
    const LIBFS: Libfs = Libfs::LOOKUP.with(Libfs::UNLINK).with(Libfs::RMDIR);

    fn create<'a>(
        idmap: &MntIdmap,
        dir: &Locked<'a, MisuseFs>,
        dentry: &Negative<'a, MisuseFs>,
        _mode: u16,
    ) -> Result<New<'a, MisuseFs>> {
        misuse(idmap, dir, dentry)?;
        new_inode(dir.super_block(), Some(dir), idmap, Type::Reg)
    }
}

// Silences the unused warnings of the baseline, whose `misuse()` does nothing.
#[allow(dead_code)]
fn unused(_: &fs::FsContext) {}
