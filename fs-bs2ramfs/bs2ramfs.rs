// SPDX-License-Identifier: GPL-2.0

//! bs2ramfs: a RAM file system written in Rust.
//!
//! Like ramfs, every file system object lives only in the page cache and the dcache: there is
//! no backing store, and everything is gone at unmount. It is built only on the safe
//! abstractions of `kernel::fs` and has no `unsafe` code of its own.

use kernel::{
    bindings,
    fs::{
        self, address_space,
        dentry::{Negative, Root},
        file,
        inode::{
            self, Attr, DevT, Evicting, FileAttr, GetAttr, IAttr, INode, InodeFlag, InodeFlags,
            Kstat, Libfs, Locked, MntIdmap, New, Rename, SetAttr, Timestamp, Type,
        },
        libfs,
        param::{Spec, Value},
        sb::{self, SuperBlock},
        xattr, FileSystem,
    },
    page::{totalhigh_pages, totalram_pages, PAGE_SHIFT, PAGE_SIZE},
    prelude::*,
    seq_file::{seq_print, SeqFile},
    sync::{
        atomic::{Atomic, Full, Relaxed},
        new_spinlock, SpinLock,
    },
    task::{Kgid, Kuid},
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

// Indices in [`Bs2RamFs::PARAMS`].
const OPT_MODE: usize = 0;
const OPT_UID: usize = 1;
const OPT_GID: usize = 2;
const OPT_NR_INODES: usize = 3;
const OPT_SIZE: usize = 4;
const OPT_INODE32: usize = 5;
const OPT_INODE64: usize = 6;

/// Whether inode numbers may take 64 bits unless `inode32` or `inode64` says otherwise: as
/// tmpfs's `inode64` where `ino_t` has 64 bits (tmpfs's `CONFIG_TMPFS_INODE64`), else 32.
const INODE64: bool = core::mem::size_of::<core::ffi::c_ulong>() >= 8;

/// The mount options, each `None` if not given: a remount changes only those given.
#[derive(Default)]
struct Options {
    /// The permission bits of the root directory.
    mode: Option<u16>,
    /// The owner of the root directory.
    uid: Option<Kuid>,
    /// The group of the root directory.
    gid: Option<Kgid>,
    /// The most inodes the instance may have; 0 for no limit.
    max_inodes: Option<u64>,
    /// The most pages of file data the instance may have; 0 for no limit.
    max_pages: Option<u64>,
    /// Whether inode numbers may take 64 bits (`inode64`) or 32 (`inode32`).
    inode64: Option<bool>,
}

/// How many pages of file data the files of an instance are charged for, and may be, in two
/// counters that charges change without a lock: every write to a new folio takes a charge, and
/// every folio removed gives one back.
///
/// A charge adds itself to the pages in use only if they stay within the limit it reads
/// (compare and exchange), so the count never goes past the limit. A remount that lowers the
/// limit races with the charges that read the old one: it sets the limit and then reads the
/// pages in use, and puts the old limit back and fails if they are past it, and a charge reads
/// the limit again after adding itself, and takes itself back and fails if it is past it. Each
/// writes its counter with a fully ordered operation before it reads the other's, so at least
/// one of them sees the other (as in Dekker's algorithm): nothing stays charged past a limit.
/// Both may fail, and while a remount that fails so puts the old limit back, the lower one may
/// be seen: as if the remount had been accepted, for that moment.
struct Pages {
    /// The most pages the instance may have; 0 for no limit. Changed only by remounts, which
    /// the VFS serialises (`s_umount`).
    max: Atomic<u64>,
    /// The pages charged. Counted with or without a limit, so that a remount may set one. The
    /// pages of the page cache: 64 bits hold them.
    used: Atomic<u64>,
}

impl Pages {
    /// Counters with a limit of `max` pages (0 for none) and nothing charged.
    fn new(max: u64) -> Self {
        Self {
            max: Atomic::new(max),
            used: Atomic::new(0),
        }
    }

    /// Whether `used` pages are within a limit of `max` pages (0 for no limit).
    fn fit(used: u64, max: u64) -> bool {
        max == 0 || used <= max
    }

    /// Whether a limit of `max` pages is lower than one of `old` pages (0 for no limit).
    fn lower(max: u64, old: u64) -> bool {
        max != 0 && (old == 0 || max < old)
    }

    /// Takes `n` pages, or fails with `ENOSPC`.
    #[inline(always)]
    fn charge(&self, n: u64) -> Result {
        let mut used = self.used.load(Relaxed);
        let charged = loop {
            let new = used.checked_add(n).ok_or(ENOSPC)?;
            if !Self::fit(new, self.max.load(Relaxed)) {
                return Err(ENOSPC);
            }
            match self.used.cmpxchg(used, new, Full) {
                Ok(_) => break new,
                Err(now) => used = now,
            }
        };
        // Read after the charge (`Full`): a remount that lowered the limit before the charge
        // took effect is seen here, and one after it sees the charge (see [`Pages::set_max`]).
        if !Self::fit(charged, self.max.load(Relaxed)) {
            self.uncharge(n);
            return Err(ENOSPC);
        }
        Ok(())
    }

    /// Gives back `n` pages that [`Pages::charge`] took.
    #[inline(always)]
    fn uncharge(&self, n: u64) {
        if self.used.fetch_sub(n, Relaxed) < n {
            // Undone, so that the count does not wrap.
            self.used.fetch_add(n, Relaxed);
            pr_warn!("more pages uncharged than charged\n");
        }
    }

    /// Sets the limit to `max` pages (0 for none), unless it is lower and more are in use: then
    /// leaves it as it was and returns the pages in use. For a remount, which the VFS
    /// serialises with others.
    fn set_max(&self, max: u64) -> core::result::Result<(), u64> {
        let old = self.max.xchg(max, Full);
        if !Self::lower(max, old) {
            return Ok(());
        }
        // Read after the new limit (`Full`): a charge that took effect before it is counted
        // here, and one after it sees the new limit (see [`Pages::charge`]).
        let used = self.used.load(Relaxed);
        if !Self::fit(used, max) {
            self.max.store(old, Relaxed);
            return Err(used);
        }
        Ok(())
    }
}

/// The bytes of inode space an inode takes, as tmpfs's `BOGO_INODE_SIZE`: `nr_inodes=` gives
/// an instance that many bytes per inode, for its inodes and their extended attributes.
const INODE_SPACE: u128 = 1024;

/// How many inodes an instance has, and may have: its inode space, as tmpfs's.
struct Inodes {
    /// The most inodes the instance may have; 0 for no limit.
    max: u64,
    /// The inodes made and not yet evicted, root included. Counted with or without a limit,
    /// so that a remount may set one.
    used: u64,
    /// The bytes of the extended attributes of these inodes, as `simple_xattr_space()` counts
    /// them (see [`FileSystem::charge_xattrs`]), counted the same way.
    xattr_bytes: u64,
    /// The number of the next inode, as tmpfs numbers the inodes of an instance.
    next_ino: u64,
    /// Whether inode numbers may take 64 bits; else they wrap past 2^32 - 1, as
    /// `get_next_ino()` does.
    inode64: bool,
}

impl Inodes {
    /// The inode space in use, in bytes.
    fn used_space(&self) -> u128 {
        u128::from(self.used) * INODE_SPACE + u128::from(self.xattr_bytes)
    }

    /// Whether `max` inodes leave room for the inode space in use.
    fn fits(&self, max: u64) -> bool {
        max == 0 || u128::from(max) * INODE_SPACE >= self.used_space()
    }

    /// The free inode space in bytes, or `None` without a limit.
    fn free_space(&self) -> Option<u128> {
        let all = u128::from(self.max) * INODE_SPACE;
        (self.max != 0).then(|| all.saturating_sub(self.used_space()))
    }
}

/// The most pages of file data an instance may have unless `size=` says otherwise: half of
/// the memory, as tmpfs's `shmem_default_max_blocks()`.
fn default_max_pages() -> u64 {
    totalram_pages() as u64 / 2
}

/// The most inodes an instance may have unless `nr_inodes=` says otherwise: as many as half of
/// the pages of memory, or the pages of low memory if fewer, as tmpfs's
/// `shmem_default_max_inodes()` (whose third bound, inode space that fits in a `long`, is in
/// 128 bits here).
fn default_max_inodes() -> u64 {
    let pages = totalram_pages();
    (pages - totalhigh_pages()).min(pages / 2) as u64
}

/// The data of a mounted bs2ramfs instance.
#[pin_data]
struct Info {
    /// The permission bits of the root directory.
    mode: u16,
    /// The owner and group of the root directory.
    uid: Kuid,
    gid: Kgid,
    /// Whether `uid=` and `gid=` were given, to show them.
    uid_given: bool,
    gid_given: bool,
    #[pin]
    inodes: SpinLock<Inodes>,
    pages: Pages,
}

impl Info {
    /// Takes the space of one inode of the instance's limit, or fails with `ENOSPC`, and
    /// returns the charge with the new inode's number. Dropping the charge gives it back;
    /// [`InodeCharge::commit`] leaves it to the new inode, whose eviction gives it back.
    fn charge_inode(&self) -> Result<(InodeCharge<'_>, u64)> {
        let mut inodes = self.inodes.lock();
        if inodes.free_space().is_some_and(|free| free < INODE_SPACE) {
            return Err(ENOSPC);
        }
        inodes.used += 1;
        // As `shmem_reserve_inode()`: never 0, and with `inode32` back to 1 after 2^32 - 1.
        let mut ino = inodes.next_ino;
        if ino == 0 {
            ino = 1;
        }
        if !inodes.inode64 && ino > u64::from(u32::MAX) {
            pr_warn!("inode numbers wrap past 2^32 - 1 (inode32); inode64 keeps them apart\n");
            ino = 1;
        }
        inodes.next_ino = ino.wrapping_add(1);
        Ok((InodeCharge(self), ino))
    }

    /// Gives back the charge of an inode that is gone.
    fn uncharge_inode(&self) {
        let mut inodes = self.inodes.lock();
        match inodes.used.checked_sub(1) {
            Some(used) => inodes.used = used,
            None => pr_warn!("more inodes uncharged than charged\n"),
        }
    }

    /// The most pages of file data the instance may have; 0 for no limit.
    fn max_pages(&self) -> u64 {
        self.pages.max.load(Relaxed)
    }

    /// Takes `n` pages of the instance's limit for the data of a regular file (see
    /// [`regular`]), or fails with `ENOSPC`.
    #[inline(always)]
    fn charge_pages(&self, n: u64) -> Result {
        self.pages.charge(n)
    }

    /// Gives back `n` pages that [`Info::charge_pages`] took.
    #[inline(always)]
    fn uncharge_pages(&self, n: u64) {
        self.pages.uncharge(n)
    }
}

/// The charge of an inode being made, given back when dropped unless committed.
struct InodeCharge<'a>(&'a Info);

impl InodeCharge<'_> {
    /// Leaves the charge to an inode that [`SuperBlock::new_inode`] made: its eviction
    /// ([`FileSystem::evict_inode`]) gives it back.
    fn commit(self) {
        core::mem::forget(self);
    }
}

impl Drop for InodeCharge<'_> {
    fn drop(&mut self) {
        self.0.uncharge_inode();
    }
}

/// The `FS_*_FL` flags that `chattr(1)` may set, as on tmpfs (`SHMEM_FL_USER_MODIFIABLE`, but
/// casefolding, which bs2ramfs does not have).
const FS_FLAGS: u32 = bindings::FS_IMMUTABLE_FL
    | bindings::FS_APPEND_FL
    | bindings::FS_NODUMP_FL
    | bindings::FS_NOATIME_FL;

/// Of [`FS_FLAGS`], those a new inode takes from its directory (`SHMEM_FL_INHERITED`).
const FS_FLAGS_INHERITED: u32 = bindings::FS_NODUMP_FL | bindings::FS_NOATIME_FL;

/// The data of each inode: the time it was made, as tmpfs's `i_crtime`, which `statx(2)`
/// reports as its birth time, and its `chattr(1)` flags, as tmpfs's `fsflags`.
struct Meta {
    sec: Atomic<i64>,
    nsec: Atomic<u32>,
    /// Of [`FS_FLAGS`], those set; written under the inode's lock (`fileattr_set`).
    flags: Atomic<u32>,
}

impl Default for Meta {
    fn default() -> Self {
        Self {
            sec: Atomic::new(0),
            nsec: Atomic::new(0),
            flags: Atomic::new(0),
        }
    }
}

impl Meta {
    /// Records the modification time of `inode`, a new inode, as the time it was made, and
    /// gives it the flags it inherits from `dir`.
    fn record(inode: &New<'_, Bs2RamFs>, dir: Option<&INode<Bs2RamFs>>) {
        let time = inode.mtime();
        let meta = inode.data();
        meta.sec.store(time.sec(), Relaxed);
        meta.nsec.store(time.nsec(), Relaxed);
        let flags = dir.map_or(0, |dir| dir.data().flags.load(Relaxed) & FS_FLAGS_INHERITED);
        meta.flags.store(flags, Relaxed);
        if flags & bindings::FS_NOATIME_FL != 0 {
            inode.set_noatime();
        }
    }

    /// Fills `stat` for `target`, an inode whose `getattr` the VFS would otherwise make
    /// (`generic_fillattr()`), with the time it was made and its flags.
    #[inline]
    fn getattr(target: &GetAttr<'_, Bs2RamFs>, stat: &Kstat, request_mask: u32) {
        libfs::fillattr(target, stat, request_mask);
        Meta::report(target, stat, request_mask);
    }

    /// Reports the time `target` was made, if asked for, and its flags in `stat`, as
    /// `shmem_getattr()`.
    #[inline]
    fn report(target: &GetAttr<'_, Bs2RamFs>, stat: &Kstat, request_mask: u32) {
        let meta = target.inode().data();
        let nodump = meta.flags.load(Relaxed) & bindings::FS_NODUMP_FL != 0;
        stat.fill_inode_flags(target.inode(), nodump);
        if request_mask & bindings::STATX_BTIME != 0 {
            // The time was recorded before the inode could be seen, so these reads see it.
            if let Ok(time) = Timestamp::new(meta.sec.load(Relaxed), meta.nsec.load(Relaxed)) {
                stat.set_btime(time);
            }
        }
    }

    /// The flags of `inode` (`fileattr_get`).
    fn fileattr_get(inode: &INode<Bs2RamFs>) -> u32 {
        inode.data().flags.load(Relaxed)
    }

    /// Sets the flags of `inode` that `attr` asks for, as `shmem_fileattr_set()`: those beyond
    /// [`FS_FLAGS`], and the extended attributes of `FS_IOC_FSSETXATTR`, are refused.
    fn fileattr_set(inode: &Locked<'_, Bs2RamFs>, attr: &FileAttr) -> Result<InodeFlags> {
        let flags = attr.flags();
        if attr.has_fsx() || flags & !FS_FLAGS != 0 {
            return Err(EOPNOTSUPP);
        }
        inode.data().flags.store(flags, Relaxed);
        Ok(inode_flags(flags))
    }
}

/// The flags of the inode that the VFS enforces for the `chattr(1)` flags `flags`.
fn inode_flags(flags: u32) -> InodeFlags {
    let mut inode_flags = InodeFlags::default();
    for (flag, inode_flag) in [
        (bindings::FS_NOATIME_FL, InodeFlag::NoAtime),
        (bindings::FS_APPEND_FL, InodeFlag::Append),
        (bindings::FS_IMMUTABLE_FL, InodeFlag::Immutable),
    ] {
        if flags & flag != 0 {
            inode_flags |= inode_flag;
        }
    }
    inode_flags
}

struct Bs2RamFs;

#[vtable]
impl FileSystem for Bs2RamFs {
    type Data = Pin<KBox<Info>>;
    type INodeData = Meta;
    type Options = Options;

    const NAME: &'static CStr = c"bs2ramfs";
    const FLAGS: fs::Flags = fs::Flags::empty()
        .with(fs::Flag::UsernsMount)
        .with(fs::Flag::AllowIdmap)
        .with(fs::Flag::MgTime);
    const XATTRS: xattr::Handlers = xattr::Handlers::InMemory;
    const ACLS: fs::acl::Acls = if cfg!(CONFIG_BS2RAMFS_POSIX_ACL) {
        fs::acl::Acls::InMemory
    } else {
        fs::acl::Acls::None
    };
    const EXPORT: fs::export::Export = fs::export::Export::InMemory;
    const PARAMS: fs::param::Table = kernel::param_table!(
        Spec::u32_oct(c"mode"),
        Spec::uid(c"uid"),
        Spec::gid(c"gid"),
        Spec::size(c"nr_inodes"),
        Spec::size_or_percent(c"size"),
        Spec::flag(c"inode32"),
        Spec::flag(c"inode64"),
    );

    fn init_options() -> Result<Options> {
        Ok(Options::default())
    }

    fn parse_param(options: &mut Options, param: fs::param::Param<'_>) -> Result {
        match (param.index, param.value) {
            (OPT_UID, Value::Uid(uid)) => {
                options.uid = Some(uid);
                Ok(())
            }
            (OPT_GID, Value::Gid(gid)) => {
                options.gid = Some(gid);
                Ok(())
            }
            (OPT_NR_INODES, Value::Size(n)) => {
                options.max_inodes = Some(n);
                Ok(())
            }
            // As tmpfs: in bytes, rounded up to pages.
            (OPT_SIZE, Value::Size(bytes)) => {
                options.max_pages = Some(bytes.div_ceil(PAGE_SIZE as u64));
                Ok(())
            }
            (OPT_INODE32, Value::Flag) => {
                options.inode64 = Some(false);
                Ok(())
            }
            (OPT_INODE64, Value::Flag) if INODE64 => {
                options.inode64 = Some(true);
                Ok(())
            }
            (OPT_INODE64, Value::Flag) => Err(param.reject(fmt!(
                "inode numbers of this kernel have 32 bits (ino_t), not 64"
            ))),
            (OPT_MODE, Value::U32(mode)) if mode & !MODE_MASK == 0 => {
                options.mode = Some(mode as u16);
                Ok(())
            }
            (OPT_MODE, Value::U32(mode)) => {
                Err(param.reject(fmt!("{mode:o} has bits beyond the permissions (07777)")))
            }
            _ => Err(param.reject(fmt!("unexpected value"))),
        }
    }

    fn reconfigure(fc: &fs::FsContext, sb: &SuperBlock<Self>, options: &Options) -> Result {
        let info = sb.data();
        // Like tmpfs, the root's mode and owner are only set at mount; unlike ramfs and tmpfs,
        // a remount that asks to change them fails instead of ignoring them.
        if let Some(mode) = options.mode.filter(|mode| *mode != info.mode) {
            return Err(fc.invalid(fmt!(
                "mode= cannot change on remount (it is {:o}, not {mode:o})",
                info.mode
            )));
        }
        if let Some(uid) = options.uid.filter(|uid| *uid != info.uid) {
            return Err(fc.invalid(fmt!(
                "uid= cannot change on remount (it is {}, not {})",
                info.uid.into_uid_in_current_ns(),
                uid.into_uid_in_current_ns()
            )));
        }
        if let Some(gid) = options.gid.filter(|gid| *gid != info.gid) {
            return Err(fc.invalid(fmt!(
                "gid= cannot change on remount (it is {}, not {})",
                info.gid.into_gid_in_current_ns(),
                gid.into_gid_in_current_ns()
            )));
        }
        // The limits change so that no charge slips past them (under the lock that inode
        // charges take, and as [`Pages`] says for pages), and all or none, with the width of
        // inode numbers. Unlike tmpfs, a limit may be set on an instance mounted without one.
        let refused = {
            let mut inodes = info.inodes.lock();
            let max_pages = options.max_pages.unwrap_or_else(|| info.max_pages());
            let max_inodes = options.max_inodes.unwrap_or(inodes.max);
            let inode64 = options.inode64.unwrap_or(inodes.inode64);
            let used_pages = info.pages.used.load(Relaxed);
            if Pages::lower(max_pages, info.max_pages()) && !Pages::fit(used_pages, max_pages) {
                Some(Refused::Size(max_pages, used_pages))
            } else if !inodes.fits(max_inodes) {
                Some(Refused::Inodes(max_inodes, inodes.used, inodes.xattr_bytes))
            } else if !inode64 && inodes.next_ino > u64::from(u32::MAX) {
                // As tmpfs: numbers past 32 bits may be in use.
                Some(Refused::Inode32(inodes.next_ino - 1))
            } else if let Err(used_pages) = info.pages.set_max(max_pages) {
                // Pages charged since they were counted above.
                Some(Refused::Size(max_pages, used_pages))
            } else {
                inodes.max = max_inodes;
                inodes.inode64 = inode64;
                None
            }
        };
        match refused {
            Some(Refused::Size(max, used)) => Err(fc.invalid(fmt!(
                "size={}k is too small for the {}k in use",
                kib(max),
                kib(used)
            ))),
            Some(Refused::Inodes(max, used, 0)) => Err(fc.invalid(fmt!(
                "nr_inodes={max} is too few for the {used} inodes in use"
            ))),
            Some(Refused::Inodes(max, used, b)) => Err(fc.invalid(fmt!(
                "nr_inodes={max} is too few for the {used} inodes in use and their {b}B of xattrs"
            ))),
            Some(Refused::Inode32(last)) => Err(fc.invalid(fmt!(
                "inode32 cannot be set: inode numbers up to {last} have been given"
            ))),
            None => Ok(()),
        }
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, options: &Options) -> Result<Pin<KBox<Info>>> {
        sb.set_magic(BS2RAMFS_MAGIC)?
            .set_max_bytes(sb::MAX_LFS_FILESIZE)?
            .set_blocksize_bits(PAGE_SHIFT as u8)?
            .set_time_gran(1)?
            .set_dont_cache_dentries();
        // By default, the root belongs to the mounter, as `new_inode` would make it.
        // As tmpfs: without `size=` and `nr_inodes=`, the default limits; `0` for none.
        let info = try_pin_init!(Info {
            mode: options.mode.unwrap_or(DEFAULT_MODE),
            uid: options.uid.unwrap_or_else(Kuid::current_fsuid),
            gid: options.gid.unwrap_or_else(Kgid::current_fsgid),
            uid_given: options.uid.is_some(),
            gid_given: options.gid.is_some(),
            inodes <- new_spinlock!(Inodes {
                max: options.max_inodes.unwrap_or_else(default_max_inodes),
                used: 0,
                xattr_bytes: 0,
                next_ino: 1,
                inode64: options.inode64.unwrap_or(INODE64),
            }),
            pages: Pages::new(options.max_pages.unwrap_or_else(default_max_pages)),
        }? Error);
        KBox::pin_init(info, GFP_KERNEL)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
        let info = sb.data();
        let root = new_inode(sb, MntIdmap::nop(), None, Type::Dir.format() | info.mode, 0)?;
        root.set_owner(info.uid, info.gid);
        Root::try_new(root)
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        let info = sb.data();
        if info.mode != DEFAULT_MODE {
            seq_print!(m, ",mode={:o}", info.mode);
        }
        // In the reader's user namespace, so that they can be given back to a remount.
        if info.uid_given {
            seq_print!(m, ",uid={}", info.uid.into_uid_in_current_ns());
        }
        if info.gid_given {
            seq_print!(m, ",gid={}", info.gid.into_gid_in_current_ns());
        }
        let (max_inodes, inode64) = {
            let inodes = info.inodes.lock();
            (inodes.max, inodes.inode64)
        };
        // As tmpfs shows them: when not the default (so `0`, no limit, is shown).
        if max_inodes != default_max_inodes() {
            seq_print!(m, ",nr_inodes={max_inodes}");
        }
        if inode64 != INODE64 {
            seq_print!(m, ",inode{}", if inode64 { 64 } else { 32 });
        }
        let max_pages = info.max_pages();
        if max_pages != default_max_pages() {
            seq_print!(m, ",size={}k", kib(max_pages));
        }
        Ok(())
    }

    // As tmpfs: with a size limit, the block counts, and with an inode limit, the inode counts
    // (the free ones from the free inode space, which extended attributes take too); with `0`
    // (no limit), none.
    fn statfs(sb: &SuperBlock<Self>, buf: &sb::StatFs) -> Result {
        let info = sb.data();
        let (max, used) = (info.max_pages(), info.pages.used.load(Relaxed));
        if max != 0 {
            let free = max.saturating_sub(used);
            buf.set_blocks(max, free, free);
        }
        let (max, free) = {
            let inodes = info.inodes.lock();
            (inodes.max, inodes.free_space())
        };
        if let Some(free) = free {
            buf.set_files(max, u64::try_from(free / INODE_SPACE).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    // As tmpfs: the extended attributes kept in memory take the inode space of `nr_inodes=`.
    fn charge_xattrs(sb: &SuperBlock<Self>, bytes: u64) -> Result {
        let info = sb.data();
        let mut inodes = info.inodes.lock();
        if inodes
            .free_space()
            .is_some_and(|free| free < u128::from(bytes))
        {
            return Err(ENOSPC);
        }
        inodes.xattr_bytes = inodes.xattr_bytes.checked_add(bytes).ok_or(ENOSPC)?;
        Ok(())
    }

    fn uncharge_xattrs(sb: &SuperBlock<Self>, bytes: u64) {
        let info = sb.data();
        let mut inodes = info.inodes.lock();
        let used = inodes.xattr_bytes.checked_sub(bytes);
        inodes.xattr_bytes = used.unwrap_or(0);
        if used.is_none() {
            pr_warn!("more bytes of extended attributes uncharged than charged\n");
        }
    }

    fn evict_inode(inode: &Evicting<'_, Self>) {
        inode.super_block().data().uncharge_inode();
    }
}

/// Why a remount was refused.
enum Refused {
    /// `size=` (in pages) below the pages in use.
    Size(u64, u64),
    /// `nr_inodes=` too few for the inodes in use and the bytes of their extended attributes.
    Inodes(u64, u64, u64),
    /// `inode32` after this inode number, beyond 32 bits, was given.
    Inode32(u64),
}

/// The KiB of `pages` pages.
fn kib(pages: u64) -> u64 {
    pages.saturating_mul(PAGE_SIZE as u64 / 1024)
}

/// Makes a new inode of the type and permissions `mode` gives, with the operations of its
/// type, in the page cache that is never evicted (like ramfs's `ramfs_get_inode()`), numbered
/// by the instance (as tmpfs numbers its inodes). Fails with `ENOSPC` if the instance has all
/// the inodes `nr_inodes=` allows.
#[inline]
fn new_inode<'a>(
    sb: &'a SuperBlock<Bs2RamFs>,
    idmap: &MntIdmap,
    dir: Option<&INode<Bs2RamFs>>,
    mode: u16,
    dev: DevT,
) -> Result<New<'a, Bs2RamFs>> {
    new_inode_with_ops(sb, idmap, dir, mode, dev, LNK_IOPS)
}

/// As [`new_inode`], with `lnk_iops` for a symbolic link.
#[inline]
fn new_inode_with_ops<'a>(
    sb: &'a SuperBlock<Bs2RamFs>,
    idmap: &MntIdmap,
    dir: Option<&INode<Bs2RamFs>>,
    mode: u16,
    dev: DevT,
    lnk_iops: inode::Ops<Bs2RamFs>,
) -> Result<New<'a, Bs2RamFs>> {
    let typ = Type::from_mode(mode, dev)?;
    let (charge, ino) = sb.data().get_ref().charge_inode()?;
    let (iops, fops) = match typ {
        Type::Reg => (Some(REG_IOPS), Some(regular::FOPS)),
        Type::Dir => (Some(DIR_IOPS), Some(file::Ops::offset_dir())),
        Type::Lnk => (Some(lnk_iops), None),
        _ => (Some(SPECIAL_IOPS), None),
    };
    let mut inode = sb.new_inode(inode::Params {
        typ,
        perm: mode,
        idmap,
        dir,
        iops,
        fops,
        aops: Some(if typ == Type::Reg {
            regular::AOPS
        } else {
            address_space::Ops::in_memory()
        }),
        mapping: address_space::Mapping::Unevictable,
    })?;
    inode.set_ino(ino);
    Meta::record(&inode, dir);
    charge.commit();
    Ok(inode)
}

/// The inode operations of directories.
const DIR_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<DirOps>();

/// The inode operations of regular files.
const REG_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<RegOps>();

/// The inode operations of symbolic links whose target is in the page cache.
const LNK_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<LnkOps<false>>();

/// The inode operations of symbolic links whose target is kept with the inode.
const SHORT_LNK_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<LnkOps<true>>();

/// The longest target, with its NUL, kept with the inode rather than in the page cache, as
/// tmpfs's `SHORT_SYMLINK_LEN`.
const SHORT_SYMLINK_LEN: usize = 128;

/// The inode operations of fifos, sockets and devices.
const SPECIAL_IOPS: inode::Ops<Bs2RamFs> = inode::Ops::new::<SpecialOps>();

struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = Bs2RamFs;

    // As ramfs, the dcache holds every name, so libfs's functions are all these need; the
    // abstractions carry them out and keep the names' stable offsets for readdir, as tmpfs.
    const LIBFS: Libfs = Libfs::LOOKUP
        .with(Libfs::LINK)
        .with(Libfs::UNLINK)
        .with(Libfs::RMDIR)
        .with(Libfs::LISTXATTR);

    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        target: &GetAttr<'_, Bs2RamFs>,
        stat: &Kstat,
        request_mask: u32,
        _flags: u32,
    ) -> Result {
        Meta::getattr(target, stat, request_mask);
        Ok(())
    }

    // As tmpfs, directories and regular files keep `chattr(1)` flags.
    fn fileattr_get(inode: &INode<Bs2RamFs>) -> Result<u32> {
        Ok(Meta::fileattr_get(inode))
    }

    fn fileattr_set(
        _idmap: &MntIdmap,
        inode: &Locked<'_, Bs2RamFs>,
        attr: &FileAttr,
    ) -> Result<InodeFlags> {
        Meta::fileattr_set(inode, attr)
    }

    fn create<'a>(
        idmap: &MntIdmap,
        dir: &Locked<'a, Bs2RamFs>,
        dentry: &Negative<'a, Bs2RamFs>,
        mode: u16,
    ) -> Result<New<'a, Bs2RamFs>> {
        Self::mknod(idmap, dir, dentry, Type::Reg.format() | mode, 0)
    }

    fn mknod<'a>(
        idmap: &MntIdmap,
        dir: &Locked<'a, Bs2RamFs>,
        _dentry: &Negative<'a, Bs2RamFs>,
        mode: u16,
        dev: DevT,
    ) -> Result<New<'a, Bs2RamFs>> {
        new_inode(dir.super_block(), idmap, Some(dir), mode, dev)
    }

    // As tmpfs, for overlayfs: RENAME_WHITEOUT leaves a whiteout, made as mknod(2) makes one.
    fn rename<'a>(
        idmap: &MntIdmap,
        rename: &Rename<'a, Bs2RamFs>,
    ) -> Result<Option<New<'a, Bs2RamFs>>> {
        if !rename.flags().contains(inode::RenameFlag::Whiteout) {
            return Ok(None);
        }
        let dir = rename.source_dir();
        let typ = Type::WHITEOUT;
        new_inode(dir.super_block(), idmap, Some(dir), typ.format(), typ.dev()).map(Some)
    }

    fn mkdir<'a>(
        idmap: &MntIdmap,
        dir: &Locked<'a, Bs2RamFs>,
        dentry: &Negative<'a, Bs2RamFs>,
        mode: u16,
    ) -> Result<New<'a, Bs2RamFs>> {
        Self::mknod(idmap, dir, dentry, Type::Dir.format() | mode, 0)
    }

    fn symlink<'a>(
        idmap: &MntIdmap,
        dir: &Locked<'a, Bs2RamFs>,
        _dentry: &Negative<'a, Bs2RamFs>,
        target: &CStr,
    ) -> Result<New<'a, Bs2RamFs>> {
        let mode = Type::Lnk.format() | 0o777;
        let iops = if target.to_bytes_with_nul().len() <= SHORT_SYMLINK_LEN {
            SHORT_LNK_IOPS
        } else {
            LNK_IOPS
        };
        let inode = new_inode_with_ops(dir.super_block(), idmap, Some(dir), mode, 0, iops)?;
        inode.write_symlink(target)?;
        Ok(inode)
    }

    fn tmpfile<'a>(
        idmap: &MntIdmap,
        dir: &'a INode<Bs2RamFs>,
        mode: u16,
    ) -> Result<New<'a, Bs2RamFs>> {
        new_inode(dir.super_block(), idmap, Some(dir), mode, 0)
    }
}

struct RegOps;

#[vtable]
impl inode::Operations for RegOps {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = Libfs::LISTXATTR;

    // simple_getattr() counts the pages in st_blocks, and sees the owner through the idmap.
    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        target: &GetAttr<'_, Bs2RamFs>,
        stat: &Kstat,
        request_mask: u32,
        flags: u32,
    ) -> Result {
        libfs::getattr(target, stat, request_mask, flags)?;
        Meta::report(target, stat, request_mask);
        Ok(())
    }

    fn fileattr_get(inode: &INode<Bs2RamFs>) -> Result<u32> {
        Ok(Meta::fileattr_get(inode))
    }

    fn fileattr_set(
        _idmap: &MntIdmap,
        inode: &Locked<'_, Bs2RamFs>,
        attr: &FileAttr,
    ) -> Result<InodeFlags> {
        Meta::fileattr_set(inode, attr)
    }

    fn setattr(_idmap: &MntIdmap, target: &SetAttr<'_, Bs2RamFs>, attr: &IAttr) -> Result {
        let inode = target.inode();
        let old_size = inode.size();
        libfs::setattr(target, attr)?;
        // Unlike ramfs, and like tmpfs and POSIX, a size change by truncate(2) is a change of
        // the contents. (ftruncate(2) and O_TRUNC ask for new times themselves.)
        let valid = attr.valid();
        if valid.contains(Attr::Size) && !valid.contains(Attr::Ctime) && attr.size() != old_size {
            inode.touch_mtime_ctime();
        }
        Ok(())
    }
}

// Symbolic links keep a short target with the inode, as tmpfs does, a longer one in the page
// cache, as page_symlink_inode_operations does, and have extended attributes too.
struct LnkOps<const SHORT: bool>;

#[vtable]
impl<const SHORT: bool> inode::Operations for LnkOps<SHORT> {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = if SHORT {
        Libfs::CACHED_LINK
    } else {
        Libfs::GET_LINK
    }
    .with(Libfs::LISTXATTR);

    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        target: &GetAttr<'_, Bs2RamFs>,
        stat: &Kstat,
        request_mask: u32,
        _flags: u32,
    ) -> Result {
        Meta::getattr(target, stat, request_mask);
        Ok(())
    }
}

// Fifos, sockets and devices have the kernel's file operations, and extended attributes.
struct SpecialOps;

#[vtable]
impl inode::Operations for SpecialOps {
    type FileSystem = Bs2RamFs;

    const LIBFS: Libfs = Libfs::LISTXATTR;

    #[inline]
    fn getattr(
        _idmap: &MntIdmap,
        target: &GetAttr<'_, Bs2RamFs>,
        stat: &Kstat,
        request_mask: u32,
        _flags: u32,
    ) -> Result {
        Meta::getattr(target, stat, request_mask);
        Ok(())
    }
}

mod regular {
    //! The data of regular files: folios of the page cache, charged to `size=` one by one, as
    //! tmpfs charges the pages its files have.
    //!
    //! A folio is charged when a write, a fault or `fallocate(2)` brings it into the page cache,
    //! and marked dirty then, so that nothing but a truncation, a punched hole or the eviction of
    //! its file removes it; those give the charge back (`invalidate_folio`). So a folio is charged
    //! if and only if it is dirty, and an instance is charged for the pages its files have: holes
    //! take nothing, and reading them takes nothing either.

    use super::Bs2RamFs;
    use kernel::{
        bindings,
        fs::{
            address_space,
            file::{self, LocalFile, Offset},
            folio::{self, Folio, FolioRef},
            inode::{INode, Locked},
        },
        page::{PAGE_SHIFT, PAGE_SIZE},
        prelude::*,
    };

    /// The address-space operations of regular files.
    pub(crate) const AOPS: address_space::Ops<Bs2RamFs> = address_space::Ops::new::<Aops>();

    /// The file operations of regular files.
    pub(crate) const FOPS: file::Ops<Bs2RamFs> = file::Ops::new::<Fops>();

    /// The pages of a folio of `size` bytes.
    fn pages(size: usize) -> u64 {
        (size >> PAGE_SHIFT) as u64
    }

    /// Charges `folio`, a folio of the page cache of `inode`, unless it is charged (dirty) already,
    /// and marks it dirty. Beyond `size=`, fails with `ENOSPC` and leaves the folio as it was.
    fn charge<R: FolioRef>(inode: &INode<Bs2RamFs>, folio: &folio::Locked<R>) -> Result {
        if !folio.is_dirty() {
            inode
                .super_block()
                .data()
                .charge_pages(pages(folio.size()))?;
            folio.mark_dirty();
        }
        Ok(())
    }

    /// Charges `folio`, a new folio of the page cache of `inode` or one that is not charged,
    /// and marks it dirty; beyond `size=`, removes it (as tmpfs never leaves a folio it could
    /// not charge) and fails with `ENOSPC`.
    fn charge_new(inode: &INode<Bs2RamFs>, folio: folio::Locked) -> Result<folio::Locked> {
        if let Err(e) = charge(inode, &folio) {
            folio.remove()?;
            return Err(e);
        }
        Ok(folio)
    }

    struct Aops;

    #[vtable]
    impl address_space::Operations for Aops {
        type FileSystem = Bs2RamFs;

        // A fault on a hole, or a splice read of one: the folio, zeroed by the abstractions, is
        // charged, as tmpfs charges a fault; beyond `size=`, the fault fails with `SIGBUS`.
        fn read_folio(
            _file: Option<&LocalFile>,
            inode: &INode<Bs2RamFs>,
            folio: folio::Locked<&Folio>,
        ) -> Result {
            charge(inode, &folio)?;
            folio.mark_uptodate();
            Ok(())
        }

        #[inline]
        fn write_begin(
            _file: Option<&LocalFile>,
            inode: &Locked<'_, Bs2RamFs>,
            pos: Offset,
            len: usize,
        ) -> Result<folio::ForWrite> {
            let folio = inode.folio_for_write(pos, len)?;
            if !folio.is_dirty() {
                if let Err(e) = inode.super_block().data().charge_pages(pages(folio.size())) {
                    // As on tmpfs, a folio that cannot be charged does not stay in the page
                    // cache.
                    if !folio.is_uptodate() {
                        folio.remove()?;
                    }
                    return Err(e);
                }
                folio.mark_dirty();
            }
            Ok(folio)
        }

        // A folio that is not up to date was zeroed around the write, and where the copy did
        // not reach (the abstractions did both): it is up to date now (as `simple_write_end()`).
        #[inline]
        fn write_end(
            _file: Option<&LocalFile>,
            _inode: &Locked<'_, Bs2RamFs>,
            _pos: Offset,
            _len: usize,
            copied: usize,
            folio: &folio::Locked,
        ) -> Result<usize> {
            if !folio.is_uptodate() {
                folio.mark_uptodate();
            }
            Ok(copied)
        }

        #[inline]
        fn invalidate_folio(
            inode: &INode<Bs2RamFs>,
            folio: &folio::Locked<&Folio>,
            offset: usize,
            len: usize,
        ) {
            let size = folio.size();
            if offset == 0 && len == size && folio.is_dirty() {
                inode.super_block().data().uncharge_pages(pages(size));
            }
        }
    }

    struct Fops;

    #[vtable]
    impl file::Operations for Fops {
        type FileSystem = Bs2RamFs;
        type Data = ();

        // Writes are the kernel's (`generic_file_write_iter()`, through `write_begin` and
        // `write_end`); faults and splice reads go through the page cache (`read_folio`);
        // `SEEK_DATA` and `SEEK_HOLE` find the folios that are up to date, so pages that
        // `fallocate(2)` allocated are holes until written, as on tmpfs.
        //
        // As tmpfs, a hole reads as zeroes without a folio, so reading takes no memory
        // (`READ_SPARSE`), files take leases (`SETLEASE`), and `O_DIRECT` is allowed, with
        // reads and writes through the page cache (`DIRECT`).
        const GENERIC: file::Generic = file::Generic::MMAP
            .with(file::Generic::READ_SPARSE)
            .with(file::Generic::WRITE_ITER)
            .with(file::Generic::SPLICE)
            .with(file::Generic::FSYNC)
            .with(file::Generic::SEEK_HOLES)
            .with(file::Generic::SETLEASE)
            .with(file::Generic::DIRECT);

        // As tmpfs: allocating checks the new size first, then charges the pages of the range
        // that have no folio, and gives them folios that read as zeroes and are holes until
        // written (not up to date); a folio an earlier call allocated is up to date from then
        // on, so that undoing this call keeps it. If the charge or a folio cannot be had, or
        // the task is killed, the folios of the range that are not up to date, this call's, are
        // removed again, which gives their charge back. Punching removes the folios of the hole,
        // which gives their charge back too, and zeroes the parts of the pages at its ends.
        fn fallocate(
            _file: &file::Opened<()>,
            inode: &Locked<'_, Bs2RamFs>,
            mode: u32,
            offset: Offset,
            len: Offset,
        ) -> Result {
            let end = offset.checked_add(len).ok_or(EFBIG)?;
            let keep = bindings::FALLOC_FL_KEEP_SIZE;
            if mode == bindings::FALLOC_FL_PUNCH_HOLE | keep {
                return inode.punch_hole(offset, end - 1);
            }
            if mode & !keep != 0 {
                return Err(EOPNOTSUPP);
            }
            let page = PAGE_SIZE as Offset;
            let first = offset - offset % page;
            // As tmpfs: a range larger than the limit fails at once.
            let max = inode.super_block().data().max_pages();
            if max != 0 && ((end - first) as u64).div_ceil(page as u64) > max {
                return Err(ENOSPC);
            }
            if mode & keep == 0 {
                inode.size_ok(end)?;
            }
            let mut pos = first;
            let ret = (|| {
                while pos < end {
                    if kernel::current!().fatal_signal_pending() {
                        return Err(EINTR);
                    }
                    let folio = inode.folio_for_write(pos, PAGE_SIZE)?.into_locked();
                    let folio = if folio.is_dirty() {
                        folio.mark_uptodate();
                        folio
                    } else {
                        charge_new(inode, folio)?
                    };
                    pos = folio.pos() + folio.size() as Offset;
                }
                if mode & keep == 0 {
                    inode.extend_size(end)?;
                }
                Ok(())
            })();
            if ret.is_err() {
                // Under the folio lock, so that a folio a fault filled meanwhile stays.
                let mut p = first;
                while p < pos {
                    if let Ok(folio) = inode.folio_for_write(p, PAGE_SIZE) {
                        if !folio.is_uptodate() {
                            let _ = folio.remove();
                        }
                    }
                    p += page;
                }
            }
            ret
        }
    }
}
