// SPDX-License-Identifier: GPL-2.0

//! bs2ramfs: a RAM file system written in Rust.
//!
//! Like ramfs, every file system object lives only in the page cache and the dcache: there is
//! no backing store, and everything is gone at unmount. It is built only on the safe
//! abstractions of `kernel::fs` and has no `unsafe` code of its own.

use kernel::{
    fs::{
        self,
        dentry::Root,
        file,
        inode::{self, Type},
        param::{Spec, Value},
        sb::{self, SuperBlock},
        FileSystem,
    },
    page::PAGE_SHIFT,
    prelude::*,
    seq_file::{seq_print, SeqFile},
};

kernel::module_fs! {
    type: Bs2RamFs,
    name: "bs2ramfs",
    authors: ["bs2ramfs developers"],
    description: "A RAM file system written in Rust",
    license: "GPL",
}

/// `statfs(2)`'s `f_type` for bs2ramfs: "bs2r".
const BS2RAMFS_MAGIC: usize = 0x6273_3272;

/// The mode of the root directory unless `mode=` says otherwise (as for ramfs).
const DEFAULT_MODE: u16 = 0o755;

/// The permission bits a mode may have (`S_IALLUGO`).
const MODE_MASK: u32 = 0o7777;

/// Index of `mode=` in [`Bs2RamFs::PARAMS`].
const OPT_MODE: usize = 0;

/// The mount options.
struct Options {
    /// The permission bits of the root directory.
    mode: u16,
}

/// The data of a mounted bs2ramfs instance.
struct Info {
    options: Options,
}

struct Bs2RamFs;

#[vtable]
impl FileSystem for Bs2RamFs {
    type Data = KBox<Info>;
    type Options = Options;

    const NAME: &'static CStr = c"bs2ramfs";
    const FLAGS: i32 = fs::flags::USERNS_MOUNT;
    const PARAMS: fs::param::Table = kernel::param_table!(Spec::u32_oct(c"mode"));

    fn init_options() -> Result<Options> {
        Ok(Options { mode: DEFAULT_MODE })
    }

    fn parse_param(options: &mut Options, param: fs::param::Param<'_>) -> Result {
        match (param.index, param.value) {
            (OPT_MODE, Value::U32(mode)) if mode & !MODE_MASK == 0 => {
                options.mode = mode as u16;
                Ok(())
            }
            (OPT_MODE, Value::U32(mode)) => {
                Err(param.reject(fmt!("{mode:o} has bits beyond the permissions (07777)")))
            }
            _ => Err(param.reject(fmt!("unexpected value"))),
        }
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, options: &Options) -> Result<KBox<Info>> {
        sb.set_magic(BS2RAMFS_MAGIC)
            .set_max_bytes(sb::MAX_LFS_FILESIZE)
            .set_blocksize_bits(PAGE_SHIFT as u8)
            .set_time_gran(1)
            .set_dont_cache_dentries();
        let options = Options { mode: options.mode };
        Ok(KBox::new(Info { options }, GFP_KERNEL)?)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<Root<Self>> {
        let inode = sb.new_inode(inode::Params {
            typ: Type::Dir,
            perm: sb.data().options.mode,
            dir: None,
            iops: inode::Ops::simple_dir(),
            fops: file::Ops::simple_dir(),
        })?;
        Root::try_new(inode)
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        let mode = sb.data().options.mode;
        if mode != DEFAULT_MODE {
            seq_print!(m, ",mode={mode:o}");
        }
        Ok(())
    }
}
