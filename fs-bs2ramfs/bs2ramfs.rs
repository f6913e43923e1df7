// SPDX-License-Identifier: GPL-2.0

//! bs2ramfs: a RAM file system written in Rust.
//!
//! Like ramfs, every file system object lives only in the page cache and the dcache: there is
//! no backing store, and everything is gone at unmount. It is built only on the safe
//! abstractions of `kernel::fs` and has no `unsafe` code of its own.

use kernel::{
    fs::{
        self, address_space,
        dentry::{Negative, Root},
        file,
        inode::{
            self, DevT, IAttr, INode, Kstat, Libfs, Locked, MntIdmap, New, Path, Rename, SetAttr,
            TmpFile, Type,
        },
        libfs,
        param::{Spec, Value},
        sb::{self, SuperBlock},
        xattr, FileSystem,
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
    alias: ["fs-bs2ramfs"],
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
    const FLAGS: i32 = fs::flags::USERNS_MOUNT | fs::flags::ALLOW_IDMAP;
    const XATTRS: xattr::Handlers = xattr::Handlers::InMemory;
    const PARAMS: fs::param::Table = kernel::param_table!(Spec::u32_oct(c"mode"));

    fn init_options(sb: Option<&SuperBlock<Self>>) -> Result<Options> {
        let mode = sb.map_or(DEFAULT_MODE, |sb| sb.data().options.mode);
        Ok(Options { mode })
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

    fn reconfigure(fc: &fs::FsContext, sb: &SuperBlock<Self>, options: &Options) -> Result {
        // Like tmpfs, the root's mode is only set at mount; unlike ramfs and tmpfs, a remount
        // that asks to change it fails instead of ignoring it.
        let mode = sb.data().options.mode;
        if options.mode != mode {
            return Err(fc.invalid(fmt!(
                "mode= cannot change on remount (it is {mode:o}, not {:o})",
                options.mode
            )));
        }
        Ok(())
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, options: &Options) -> Result<KBox<Info>> {
        sb.set_magic(BS2RAMFS_MAGIC)
            .set_max_bytes(sb::MAX_LFS_FILESIZE)?
            .set_blocksize_bits(PAGE_SHIFT as u8)?
            .set_time_gran(1)?
            .set_dont_cache_dentries();
        let options = Options { mode: options.mode };
        Ok(KBox::new(Info { options }, GFP_KERNEL)?)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<Root<Self>> {
        let mode = Type::Dir.format() | sb.data().options.mode;
        Root::try_new(new_inode(sb, MntIdmap::nop(), None, mode, 0)?)
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        let mode = sb.data().options.mode;
        if mode != DEFAULT_MODE {
            seq_print!(m, ",mode={mode:o}");
        }
        Ok(())
    }
}

/// Makes a new inode of the type and permissions `mode` gives, with the operations of its
/// type, in the page cache that is never evicted (like ramfs's `ramfs_get_inode()`).
#[inline]
fn new_inode(
    sb: &SuperBlock<Bs2RamFs>,
    idmap: &MntIdmap,
    dir: Option<&INode<Bs2RamFs>>,
    mode: u16,
    dev: DevT,
) -> Result<New<Bs2RamFs>> {
    let typ = Type::from_mode(mode, dev)?;
    let (iops, fops) = match typ {
        Type::Reg => (Some(REG_IOPS), Some(file::Ops::in_memory())),
        Type::Dir => (Some(DIR_IOPS), Some(file::Ops::simple_dir())),
        Type::Lnk => (Some(LNK_IOPS), None),
        _ => (Some(SPECIAL_IOPS), None),
    };
    sb.new_inode(inode::Params {
        typ,
        perm: mode,
        idmap,
        dir,
        iops,
        fops,
        aops: Some(address_space::Ops::in_memory()),
        mapping: address_space::Mapping::Unevictable,
    })
}

/// The inode operations of directories.
const DIR_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<DirOps>();

/// The inode operations of regular files.
const REG_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<RegOps>();

/// The inode operations of symbolic links.
const LNK_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<LnkOps>();

/// The inode operations of fifos, sockets and devices.
const SPECIAL_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<SpecialOps>();

struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = Bs2RamFs;

    // As ramfs: the dcache holds every name, so libfs's functions are all these need.
    const LIBFS: Libfs = Libfs::LOOKUP
        .with(Libfs::LINK)
        .with(Libfs::UNLINK)
        .with(Libfs::RMDIR)
        .with(Libfs::LISTXATTR);

    fn create(
        idmap: &MntIdmap,
        dir: &Locked<'_, Bs2RamFs>,
        dentry: Negative<'_, Bs2RamFs>,
        mode: u16,
    ) -> Result {
        Self::mknod(idmap, dir, dentry, Type::Reg.format() | mode, 0)
    }

    fn mknod(
        idmap: &MntIdmap,
        dir: &Locked<'_, Bs2RamFs>,
        dentry: Negative<'_, Bs2RamFs>,
        mode: u16,
        dev: DevT,
    ) -> Result {
        let inode = new_inode(dir.super_block(), idmap, Some(dir), mode, dev)?;
        dentry.instantiate(dir, inode)?;
        dir.touch_mtime_ctime();
        Ok(())
    }

    // As tmpfs, for overlayfs: RENAME_WHITEOUT leaves a whiteout, made as mknod(2) makes one.
    fn rename(idmap: &MntIdmap, rename: Rename<'_, Bs2RamFs>) -> Result {
        libfs::rename_whiteout(idmap, rename, |dir| {
            let typ = Type::WHITEOUT;
            new_inode(dir.super_block(), idmap, Some(dir), typ.format(), typ.dev())
        })
    }

    fn mkdir(
        idmap: &MntIdmap,
        dir: &Locked<'_, Bs2RamFs>,
        dentry: Negative<'_, Bs2RamFs>,
        mode: u16,
    ) -> Result {
        Self::mknod(idmap, dir, dentry, Type::Dir.format() | mode, 0)?;
        // The new directory's "..".
        dir.inc_nlink();
        Ok(())
    }

    fn symlink(
        idmap: &MntIdmap,
        dir: &Locked<'_, Bs2RamFs>,
        dentry: Negative<'_, Bs2RamFs>,
        target: &CStr,
    ) -> Result {
        let mode = Type::Lnk.format() | 0o777;
        let inode = new_inode(dir.super_block(), idmap, Some(dir), mode, 0)?;
        inode.write_symlink(target)?;
        dentry.instantiate(dir, inode)?;
        dir.touch_mtime_ctime();
        Ok(())
    }

    fn tmpfile(
        idmap: &MntIdmap,
        dir: &INode<Bs2RamFs>,
        file: TmpFile<'_, Bs2RamFs>,
        mode: u16,
    ) -> Result {
        let inode = new_inode(dir.super_block(), idmap, Some(dir), mode, 0)?;
        file.instantiate(dir, inode)
    }
}

struct RegOps;

#[vtable]
impl inode::Operations for RegOps {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = Libfs::LISTXATTR;

    fn setattr(idmap: &MntIdmap, target: &SetAttr<'_, Bs2RamFs>, attr: &IAttr) -> Result {
        let inode = target.inode();
        let old_size = inode.size();
        libfs::setattr(idmap, target, attr)?;
        // Unlike ramfs, and like tmpfs and POSIX, a size change by truncate(2) is a change of
        // the contents. (ftruncate(2) and O_TRUNC ask for new times themselves.)
        let valid = attr.valid();
        if valid & IAttr::SIZE != 0 && valid & IAttr::CTIME == 0 && attr.size() != old_size {
            inode.touch_mtime_ctime();
        }
        Ok(())
    }

    // st_blocks counts the pages in the page cache, and the owner is seen through the idmap
    // of the mount (simple_getattr() would ignore it).
    fn getattr(
        idmap: &MntIdmap,
        path: &Path,
        stat: &Kstat,
        request_mask: u32,
        flags: u32,
    ) -> Result {
        libfs::getattr(idmap, path, stat, request_mask, flags)
    }
}

// Symbolic links keep their target in the page cache, as page_symlink_inode_operations does,
// and have extended attributes too.
struct LnkOps;

#[vtable]
impl inode::Operations for LnkOps {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = Libfs::GET_LINK.with(Libfs::LISTXATTR);
}

// Fifos, sockets and devices have the kernel's file operations, and extended attributes.
struct SpecialOps;

#[vtable]
impl inode::Operations for SpecialOps {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = Libfs::LISTXATTR;
}
