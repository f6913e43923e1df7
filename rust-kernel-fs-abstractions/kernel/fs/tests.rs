// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the file system abstractions: a small writable file system made with them,
//! registered, mounted with `kern_mount()` and used through the VFS, as a user would.

use crate::macros::kunit_tests;

#[kunit_tests(rust_kernel_fs)]
mod mounted {
    use crate::{
        bindings,
        error::{from_err_ptr, to_result},
        fs::{
            address_space,
            dentry::{DEntry, Negative, Root},
            file,
            inode::{
                self, FileAttr, GetAttr, IAttr, INode, InodeFlag, InodeFlags, Kstat, Locked,
                MntIdmap, New, Rename, RenameFlag, SetAttr, Type,
            },
            libfs, param,
            sb::{self, SuperBlock},
            xattr, FileSystem, Registration,
        },
        prelude::*,
        sync::atomic::{Atomic, Relaxed},
        task::{Kgid, Kuid},
        types::Opaque,
        ThisModule,
    };
    use core::ptr;

    static TEST_MODULE: ThisModule = {
        // SAFETY: A null module is that of built-in code, which the kernel crate is.
        unsafe { ThisModule::from_ptr(ptr::null_mut()) }
    };

    struct TestFs;

    /// The inodes of [`TestFs`] made and not evicted yet.
    static LIVE_INODES: Atomic<i64> = Atomic::new(0);

    /// The number of inodes [`TestFs`] says it can hold.
    const TEST_FILES: u64 = 1000;

    /// The pages of file data [`TestFs`] may hold (1 MiB of 4 KiB pages), and has charged.
    const TEST_PAGES: i64 = 256;
    static CHARGED_PAGES: Atomic<i64> = Atomic::new(0);

    /// The data of each inode of [`TestFs`]: the number of the inode among those it made, and
    /// a count of the data's drops, in [`DATA_DROPS`].
    struct TestData {
        serial: i64,
        /// The target of a symbolic link followed by [`LinkOps`], with its NUL; empty for
        /// other inodes.
        link: KVec<u8>,
    }

    /// The inodes of [`TestFs`] whose data was made, the drops of such data, and the serial
    /// number of the last inode evicted.
    static DATA_MADE: Atomic<i64> = Atomic::new(0);
    static DATA_DROPS: Atomic<i64> = Atomic::new(0);
    static LAST_EVICTED: Atomic<i64> = Atomic::new(0);

    impl TestData {
        /// The data of a new inode, which fails with `ENOTRECOVERABLE` (before any is made)
        /// when [`TestFs`] misbehaves so.
        fn new() -> impl PinInit<Self, Error> {
            Self::with_link(KVec::new())
        }

        /// As [`TestData::new`], for a symbolic link followed by [`LinkOps`].
        fn with_link(link: KVec<u8>) -> impl PinInit<Self, Error> {
            let fail = MISBEHAVE.load(Relaxed) == Misbehave::DataFails as i32;
            // SAFETY: The closure initialises `slot` if and only if it succeeds.
            unsafe {
                pin_init::pin_init_from_closure(move |slot: *mut Self| {
                    if fail {
                        return Err(ENOTRECOVERABLE);
                    }
                    let serial = DATA_MADE.fetch_add(1, Relaxed) + 1;
                    // `slot` is valid for writes.
                    slot.write(TestData { serial, link });
                    Ok(())
                })
            }
        }
    }

    impl Drop for TestData {
        fn drop(&mut self) {
            DATA_DROPS.add(1, Relaxed);
        }
    }

    #[vtable]
    impl FileSystem for TestFs {
        type Data = ();
        type INodeData = TestData;
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_test";
        const FLAGS: crate::fs::Flags = crate::fs::Flags::empty().with(crate::fs::Flag::MgTime);
        const XATTRS: xattr::Handlers = xattr::Handlers::InMemory;

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            let magic = if MISBEHAVE.load(Relaxed) == Misbehave::KernelMagic as i32 {
                bindings::DEVPTS_SUPER_MAGIC as usize
            } else {
                0x7275_7374
            };
            // Nanosecond timestamps, as multigrain timestamps want (`FS_MGTIME`).
            sb.set_magic(magic)?.set_time_gran(1)?;
            if with_bdi(PATTERN.load(Relaxed)) {
                sb.setup_bdi()?;
                // A second backing device is refused.
                if sb.setup_bdi().err() != Some(EINVAL) || !sb.writes_back() {
                    return Err(ENOTRECOVERABLE);
                }
            }
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            Root::try_new(new_inode(
                sb,
                None,
                MntIdmap::nop(),
                wrong(Type::Dir),
                0o755,
            )?)
        }

        fn statfs(_sb: &SuperBlock<Self>, buf: &sb::StatFs) -> Result {
            let live = u64::try_from(LIVE_INODES.load(Relaxed)).map_err(|_| EINVAL)?;
            buf.set_files(TEST_FILES, TEST_FILES.saturating_sub(live));
            Ok(())
        }

        fn evict_inode(inode: &inode::Evicting<'_, Self>) {
            LIVE_INODES.add(-1, Relaxed);
            LAST_EVICTED.store(inode.data().serial, Relaxed);
        }

        fn charge_pages(_sb: &SuperBlock<Self>, pages: u64) -> Result {
            let pages = i64::try_from(pages).map_err(|_| ENOSPC)?;
            let mut cur = CHARGED_PAGES.load(Relaxed);
            loop {
                let new = cur.checked_add(pages).filter(|n| *n <= TEST_PAGES);
                match CHARGED_PAGES.cmpxchg(cur, new.ok_or(ENOSPC)?, Relaxed) {
                    Ok(_) => return Ok(()),
                    Err(now) => cur = now,
                }
            }
        }

        fn uncharge_pages(_sb: &SuperBlock<Self>, pages: u64) {
            CHARGED_PAGES.add(-i64::try_from(pages).unwrap_or(i64::MAX), Relaxed);
        }
    }

    fn new_inode<'a>(
        sb: &'a SuperBlock<TestFs>,
        dir: Option<&INode<TestFs>>,
        idmap: &MntIdmap,
        typ: Type,
        perm: u16,
    ) -> Result<New<'a, TestFs>> {
        let pattern = PATTERN.load(Relaxed);
        let (iops, fops) = match typ {
            Type::Dir if RUST_DIRS.load(Relaxed) != 0 => (
                Some(inode::Ops::new::<DirOps>()),
                Some(file::Ops::dir::<ListDir>()),
            ),
            Type::Dir => (
                Some(inode::Ops::new::<DirOps>()),
                Some(file::Ops::offset_dir()),
            ),
            Type::Reg
                if pattern == Pattern::RustFile as i32
                    || pattern == Pattern::RustFileReadOnly as i32 =>
            {
                (
                    Some(inode::Ops::new::<RegOps>()),
                    Some(file::Ops::new::<PatternFops>()),
                )
            }
            Type::Reg if pattern == Pattern::Sparse as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::new::<SparseFops>()),
            ),
            Type::Reg if pattern == Pattern::OpenData as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::new::<DataFops>()),
            ),
            Type::Reg if pattern == Pattern::Mapped as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::new::<MappedFops>()),
            ),
            Type::Reg if pattern == Pattern::WriteBackRustSync as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::new::<RustSyncFops>()),
            ),
            Type::Reg
                if pattern == Pattern::Bdi as i32
                    || pattern == Pattern::SyncOnly as i32
                    || pattern == Pattern::WriteBack as i32
                    || pattern == Pattern::WriteBackNoBdi as i32 =>
            {
                (
                    Some(inode::Ops::new::<RegOps>()),
                    Some(file::Ops::new::<SyncFops>()),
                )
            }
            Type::Reg if pattern == Pattern::Holes as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::new::<HoleFops>()),
            ),
            Type::Reg if pattern != Pattern::Off as i32 => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::page_cache()),
            ),
            Type::Reg => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::in_memory()),
            ),
            Type::Lnk if CACHED_LINKS.load(Relaxed) != 0 => {
                (Some(inode::Ops::new::<CachedLinkOps>()), None)
            }
            Type::Lnk => (Some(inode::Ops::page_symlink()), None),
            _ => (None, None),
        };
        let read_only =
            pattern == Pattern::ReadOnly as i32 || pattern == Pattern::RustFileReadOnly as i32;
        let write_back = pattern == Pattern::WriteBack as i32
            || pattern == Pattern::WriteBackNoBdi as i32
            || pattern == Pattern::WriteBackNoSync as i32
            || pattern == Pattern::WriteBackRustSync as i32;
        let aops = if read_only {
            address_space::Ops::new::<ReadOnlyAops>()
        } else if write_back && typ == Type::Reg {
            address_space::Ops::new::<StoreAops>()
        } else if pattern != Pattern::Off as i32 {
            address_space::Ops::new::<PatternAops>()
        } else {
            address_space::Ops::in_memory()
        };
        let bdi = with_bdi(pattern);
        let params = inode::Params {
            typ,
            perm,
            idmap,
            dir,
            iops,
            fops,
            aops: (!bdi || typ == Type::Reg).then_some(aops),
            mapping: if write_back {
                address_space::Mapping::Evictable
            } else {
                address_space::Mapping::Unevictable
            },
        };
        let inode = sb.new_inode_with(params, TestData::new())?;
        LIVE_INODES.add(1, Relaxed);
        Ok(inode)
    }

    /// The data of the files [`TestFs`] makes while [`PATTERN`] is set: a file system with a
    /// backing store whose every byte is its position's low 8 bits until written.
    #[derive(Clone, Copy)]
    enum Pattern {
        /// Files and symbolic links have `ram_aops`.
        Off = 0,
        /// They have [`PatternAops`] and the file operations of [`file::Ops::page_cache`].
        On = 1,
        /// As `On`, but `write_begin` returns the folio after the right one.
        WrongFolio = 2,
        /// They have [`ReadOnlyAops`], which cannot write.
        ReadOnly = 3,
        /// Files have [`PatternAops`] and the file operations of [`PatternFops`].
        RustFile = 4,
        /// Files have [`ReadOnlyAops`] and the file operations of [`PatternFops`].
        RustFileReadOnly = 5,
        /// As `RustFile`, but `read_iter` and `write_iter` move the IO vector by 3 bytes and
        /// say they did much more.
        RustFileLying = 6,
        /// As `RustFile`, but `read_iter`, `write_iter` and `fsync` fail with `EIOCBQUEUED`.
        RustFileQueued = 7,
        /// As `RustFile`, but `write_iter` moves the position to the largest one first, and
        /// `read_iter` to the last byte below it, and says it read all it was asked for.
        RustFileFar = 8,
        /// Files have [`PatternAops`] and the file operations of [`HoleFops`].
        Holes = 9,
        /// As `On`, but `read_folio` fails, and `write_begin` removes the folio and fails.
        Unfilled = 10,
        /// As `On`, but `write_begin` returns the folio as `folio_for_write()` gives it, and
        /// `write_end` marks it up to date.
        Window = 11,
        /// Files have [`PatternAops`] and the file operations of [`SparseFops`].
        Sparse = 12,
        /// The superblock has a backing device, and directories no address-space operations;
        /// files are as with `SyncOnly`.
        Bdi = 13,
        /// Files are as with `On`, but with the file operations of [`SyncFops`].
        SyncOnly = 14,
        /// As `Bdi`, but files have [`StoreAops`]: a file system that writes back to
        /// [`STORE`].
        WriteBack = 15,
        /// As `WriteBack`, without the backing device.
        WriteBackNoBdi = 16,
        /// As `WriteBack`, but files have the file operations of [`file::Ops::page_cache`],
        /// whose `fsync` does nothing.
        WriteBackNoSync = 17,
        /// Files have [`PatternAops`] and the file operations of [`DataFops`].
        OpenData = 18,
        /// As `WriteBack`, but files have the file operations of [`RustSyncFops`].
        WriteBackRustSync = 19,
        /// As `OpenData`, but files have the file operations of [`MappedFops`].
        Mapped = 20,
        /// As `Window`, but `write_begin` returns the folio as `folio_for_write()` gives it for
        /// one byte more on each side of the write.
        WideWindow = 21,
        /// As `Window`, but `write_begin` returns the folio as `folio_for_write()` gives it for
        /// a write of the same length one byte before.
        ShiftedWindow = 22,
    }

    static PATTERN: Atomic<i32> = Atomic::new(Pattern::Off as i32);

    /// Whether [`TestFs`]'s superblocks have a backing device with `pattern`.
    fn with_bdi(pattern: i32) -> bool {
        pattern == Pattern::Bdi as i32
            || pattern == Pattern::WriteBack as i32
            || pattern == Pattern::WriteBackNoSync as i32
            || pattern == Pattern::WriteBackRustSync as i32
    }

    /// Sets what [`TestFs`] gives new files until the guard is dropped.
    fn pattern(how: Pattern) -> impl Drop {
        PATTERN.store(how as i32, Relaxed);
        crate::types::ScopeGuard::new(|| PATTERN.store(Pattern::Off as i32, Relaxed))
    }

    /// Fills `folio`, locked, with the pattern of [`Pattern`], and marks it up to date.
    fn fill_pattern<R: crate::fs::folio::FolioRef>(folio: &crate::fs::folio::Locked<R>) -> Result {
        let mut buf = [0u8; 256];
        let mut off = 0;
        while off < folio.size() {
            let n = buf.len().min(folio.size() - off);
            let pos = folio.pos() + off as i64;
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = (pos + i as i64) as u8;
            }
            folio.write(off, &buf[..n])?;
            off += n;
        }
        folio.mark_uptodate();
        Ok(())
    }

    /// `folio`, filled by `fill` unless it is up to date: like a file system that reads a block
    /// before it writes part of it.
    fn filled(
        folio: crate::fs::folio::ForWrite,
        fill: fn(&crate::fs::folio::Locked) -> Result,
    ) -> Result<crate::fs::folio::ForWrite> {
        let folio = folio.into_locked();
        if !folio.is_uptodate() {
            fill(&folio)?;
        }
        Ok(folio.into())
    }

    /// Whole invalidations of dirty folios of files with [`PatternAops`], invalidations of
    /// parts of folios, and calls of its `release_folio`.
    static WHOLE_DIRTY: Atomic<i64> = Atomic::new(0);
    static PARTS: Atomic<i64> = Atomic::new(0);
    static RELEASES: Atomic<i64> = Atomic::new(0);

    /// Whether [`PatternAops`]'s `release_folio` keeps the folios it is asked about.
    static KEEP: Atomic<i32> = Atomic::new(0);

    /// The folios that became dirty, as [`PatternAops`] and [`StoreAops`] were told, and the
    /// position and length of the last.
    static DIRTIED: Atomic<i64> = Atomic::new(0);
    static DIRTIED_AT: Atomic<i64> = Atomic::new(-1);
    static DIRTIED_LEN: Atomic<i64> = Atomic::new(0);

    fn dirtied(pos: i64, len: usize) {
        DIRTIED.add(1, Relaxed);
        DIRTIED_AT.store(pos, Relaxed);
        DIRTIED_LEN.store(len as i64, Relaxed);
    }

    struct PatternAops;

    #[vtable]
    impl address_space::Operations for PatternAops {
        type FileSystem = TestFs;

        fn dirty_folio(_inode: &INode<TestFs>, pos: i64, len: usize) {
            dirtied(pos, len);
        }

        fn read_folio(
            _file: Option<&file::LocalFile>,
            _inode: &INode<TestFs>,
            folio: crate::fs::folio::Locked<&crate::fs::folio::Folio>,
        ) -> Result {
            if PATTERN.load(Relaxed) == Pattern::Unfilled as i32 {
                return Err(ENOSPC);
            }
            fill_pattern(&folio)
        }

        fn write_begin(
            _file: Option<&file::LocalFile>,
            inode: &Locked<'_, TestFs>,
            pos: i64,
            len: usize,
        ) -> Result<crate::fs::folio::ForWrite> {
            let page = crate::page::PAGE_SIZE as i64;
            let how = PATTERN.load(Relaxed);
            let folio = if how == Pattern::WrongFolio as i32 {
                inode.folio_for_write(pos + page, len)?
            } else if how == Pattern::WideWindow as i32 {
                return inode.folio_for_write(pos - 1, len + 2);
            } else if how == Pattern::ShiftedWindow as i32 {
                return inode.folio_for_write(pos - 1, len);
            } else {
                inode.folio_for_write(pos, len)?
            };
            if PATTERN.load(Relaxed) == Pattern::Unfilled as i32 {
                folio.remove()?;
                return Err(ENOSPC);
            }
            if PATTERN.load(Relaxed) == Pattern::Window as i32 {
                return Ok(folio);
            }
            filled(folio, fill_pattern)
        }

        fn write_end(
            _file: Option<&file::LocalFile>,
            _inode: &Locked<'_, TestFs>,
            _pos: i64,
            _len: usize,
            copied: usize,
            folio: &crate::fs::folio::Locked,
        ) -> Result<usize> {
            let how = PATTERN.load(Relaxed);
            if how == Pattern::Window as i32
                || how == Pattern::WideWindow as i32
                || how == Pattern::ShiftedWindow as i32
            {
                folio.mark_uptodate();
            }
            Ok(copied)
        }

        fn invalidate_folio(
            _inode: &INode<TestFs>,
            folio: &crate::fs::folio::Locked<&crate::fs::folio::Folio>,
            offset: usize,
            len: usize,
        ) {
            if offset != 0 || len != folio.size() {
                PARTS.add(1, Relaxed);
            } else if folio.is_dirty() {
                WHOLE_DIRTY.add(1, Relaxed);
            }
        }

        fn release_folio(
            _inode: &INode<TestFs>,
            _folio: &crate::fs::folio::Locked<&crate::fs::folio::Folio>,
        ) -> bool {
            RELEASES.add(1, Relaxed);
            KEEP.load(Relaxed) == 0
        }
    }

    /// The backing store of the files of [`Pattern::WriteBack`], shared by all: two pages, as
    /// 64-bit words (in the CPU's byte order), zero until written back.
    const STORE_BYTES: usize = 2 * crate::page::PAGE_SIZE;
    static STORE: [Atomic<i64>; STORE_BYTES / 8] = [const { Atomic::new(0) }; STORE_BYTES / 8];

    /// The folios [`StoreAops`] wrote back, and how it misbehaves ([`StoreFails`]).
    static WRITTEN_BACK: Atomic<i64> = Atomic::new(0);
    static STORE_FAILS: Atomic<i32> = Atomic::new(StoreFails::Not as i32);

    #[derive(Clone, Copy)]
    enum StoreFails {
        Not = 0,
        /// Every folio is given back dirty, with `ENOSPC`.
        Redirty = 1,
        /// The pass stops after the first folio, with no error.
        AfterOne = 2,
        /// The write-back of every folio fails with `EIO` after it started.
        Ending = 3,
        /// The pass fails with `EDQUOT` before it takes a folio.
        Refuses = 4,
        /// The write-back of every folio is started, then the folio is asked to be removed from
        /// the page cache ([`REMOVED`] has the error), then the write-back ends.
        Removes = 5,
        /// `write_begin` gives the folio as `folio_for_write()` does, and the folio is left not
        /// up to date.
        NotUptodate = 6,
    }

    /// The errno of the last removal that [`StoreFails::Removes`] asked for.
    static REMOVED: Atomic<i32> = Atomic::new(0);

    /// Copies the store from `pos` (a multiple of 8) into `buf`, as far as the store goes.
    fn store_read(pos: usize, buf: &mut [u8]) {
        for (i, w) in buf.chunks_mut(8).enumerate() {
            if let Some(word) = STORE.get(pos / 8 + i) {
                w.copy_from_slice(&word.load(Relaxed).to_ne_bytes()[..w.len()]);
            }
        }
    }

    /// Whether the store holds `data` from 0 on.
    fn store_holds(data: &[u8]) -> bool {
        let mut buf = [0u8; 256];
        data.chunks(buf.len()).enumerate().all(|(i, chunk)| {
            store_read(i * buf.len(), &mut buf[..chunk.len()]);
            buf[..chunk.len()] == *chunk
        })
    }

    /// Fills `folio`, locked, from the store (zeroes beyond it), and marks it up to date.
    fn fill_from_store<R: crate::fs::folio::FolioRef>(
        folio: &crate::fs::folio::Locked<R>,
    ) -> Result {
        let mut buf = [0u8; 256];
        let mut off = 0;
        while off < folio.size() {
            let n = buf.len().min(folio.size() - off);
            buf.fill(0);
            store_read(folio.pos() as usize + off, &mut buf[..n]);
            folio.write(off, &buf[..n])?;
            off += n;
        }
        folio.mark_uptodate();
        Ok(())
    }

    /// A file system whose files live in [`STORE`], with the page cache in front of it.
    struct StoreAops;

    #[vtable]
    impl address_space::Operations for StoreAops {
        type FileSystem = TestFs;

        fn dirty_folio(_inode: &INode<TestFs>, pos: i64, len: usize) {
            dirtied(pos, len);
        }

        fn read_folio(
            _file: Option<&file::LocalFile>,
            _inode: &INode<TestFs>,
            folio: crate::fs::folio::Locked<&crate::fs::folio::Folio>,
        ) -> Result {
            fill_from_store(&folio)
        }

        fn write_begin(
            _file: Option<&file::LocalFile>,
            inode: &Locked<'_, TestFs>,
            pos: i64,
            len: usize,
        ) -> Result<crate::fs::folio::ForWrite> {
            let folio = inode.folio_for_write(pos, len)?;
            if STORE_FAILS.load(Relaxed) == StoreFails::NotUptodate as i32 {
                return Ok(folio);
            }
            filled(folio, fill_from_store)
        }

        fn write_end(
            _file: Option<&file::LocalFile>,
            _inode: &Locked<'_, TestFs>,
            _pos: i64,
            _len: usize,
            copied: usize,
            _folio: &crate::fs::folio::Locked,
        ) -> Result<usize> {
            Ok(copied)
        }

        fn writepages(
            inode: &INode<TestFs>,
            pass: &mut address_space::writeback::Writeback<'_>,
        ) -> Result {
            let fails = STORE_FAILS.load(Relaxed);
            if fails == StoreFails::Refuses as i32 {
                return Err(EDQUOT);
            }
            while let Some(dirty) = pass.next_folio() {
                if fails == StoreFails::Redirty as i32 {
                    dirty.redirty(Err(ENOSPC));
                    continue;
                }
                let mut buf = [0u8; 8];
                let mut off = 0;
                while off < dirty.size() {
                    let pos = dirty.pos() as usize + off;
                    if let Some(word) = STORE.get(pos / 8) {
                        dirty.read(off, &mut buf)?;
                        word.store(i64::from_ne_bytes(buf), Relaxed);
                    }
                    off += buf.len();
                }
                WRITTEN_BACK.add(1, Relaxed);
                let pos = dirty.pos();
                let under = dirty.start_writeback();
                if fails == StoreFails::Removes as i32 {
                    let folio = inode.cached_folio(pos).ok_or(ENOENT)?;
                    let err = crate::fs::folio::Locked::new(folio).remove().err();
                    REMOVED.store(err.map_or(0, |e| e.to_errno()), Relaxed);
                }
                if fails == StoreFails::Ending as i32 {
                    under.fail(EIO);
                } else {
                    under.end();
                }
                if fails == StoreFails::AfterOne as i32 {
                    return Ok(());
                }
            }
            Ok(())
        }
    }

    /// The file operations of the page cache, with an `fsync` that writes back.
    struct SyncFops;

    #[vtable]
    impl file::Operations for SyncFops {
        type FileSystem = TestFs;
        type Data = ();
        const GENERIC: file::Generic = file::Generic::PAGE_CACHE
            .without(file::Generic::FSYNC)
            .with(file::Generic::WRITE_BACK_FSYNC);
    }

    /// The file operations of the page cache, with an `fsync` in Rust that writes back.
    struct RustSyncFops;

    #[vtable]
    impl file::Operations for RustSyncFops {
        type FileSystem = TestFs;
        type Data = ();
        const GENERIC: file::Generic = file::Generic::PAGE_CACHE.without(file::Generic::FSYNC);

        fn fsync(
            file: &file::Opened<()>,
            _inode: &INode<TestFs>,
            start: i64,
            end: i64,
            _datasync: bool,
        ) -> Result {
            FSYNCS.add(1, Relaxed);
            file.write_and_wait(start, end)
        }
    }

    /// The page cache's file operations, and mappings checked in Rust: only from the start of
    /// the file, and written only in its first two pages; each write fault counts in the data
    /// of the open file it maps.
    struct MappedFops;

    #[vtable]
    impl file::Operations for MappedFops {
        type FileSystem = TestFs;
        type Data = KBox<Opening>;
        const GENERIC: file::Generic = file::Generic::PAGE_CACHE.without(file::Generic::MMAP);

        fn open(_inode: &INode<TestFs>, _file: &file::LocalFile) -> Result<KBox<Opening>> {
            let number = OPENINGS.fetch_add(1, Relaxed) + 1;
            Ok(KBox::new(
                Opening {
                    number,
                    calls: Atomic::new(0),
                },
                GFP_KERNEL,
            )?)
        }

        fn mmap(
            _file: &file::Opened<KBox<Opening>>,
            _inode: &INode<TestFs>,
            mapping: &file::NewMapping,
        ) -> Result {
            if mapping.pgoff() != 0 {
                return Err(EACCES);
            }
            Ok(())
        }

        fn page_mkwrite(
            file: &file::Opened<KBox<Opening>>,
            _inode: &INode<TestFs>,
            folio: &crate::fs::folio::Locked<&crate::fs::folio::Folio>,
        ) -> Result {
            file.data().calls.add(1, Relaxed);
            if folio.pos() >= 2 * crate::page::PAGE_SIZE as i64 {
                return Err(ENOSPC);
            }
            Ok(())
        }
    }

    struct ReadOnlyAops;

    #[vtable]
    impl address_space::Operations for ReadOnlyAops {
        type FileSystem = TestFs;

        fn read_folio(
            _file: Option<&file::LocalFile>,
            _inode: &INode<TestFs>,
            folio: crate::fs::folio::Locked<&crate::fs::folio::Folio>,
        ) -> Result {
            fill_pattern(&folio)
        }
    }

    /// The calls of [`PatternFops`]'s `fsync`.
    static FSYNCS: Atomic<i64> = Atomic::new(0);

    /// File operations in Rust: reads as tmpfs's, which read holes as zeroes without filling
    /// folios, writes through the address-space operations, and punching holes.
    struct PatternFops;

    #[vtable]
    impl file::Operations for PatternFops {
        type FileSystem = TestFs;
        type Data = ();
        const GENERIC: file::Generic = file::Generic::MMAP.with(file::Generic::SPLICE);

        fn read_iter(
            iocb: &mut crate::fs::Kiocb<'_, ()>,
            inode: &INode<TestFs>,
            to: &mut crate::iov::IovIterDest<'_>,
        ) -> Result<usize> {
            let how = PATTERN.load(Relaxed);
            if how == Pattern::RustFileLying as i32 {
                to.advance(3);
                return Ok(1 << 40);
            } else if how == Pattern::RustFileQueued as i32 {
                return Err(EIOCBQUEUED);
            } else if how == Pattern::RustFileFar as i32 {
                // Reads at the last byte below the maximum size, and says it read all.
                let before = to.len();
                // SAFETY: The superblock of a valid inode is valid.
                *iocb.ki_pos_mut() = unsafe { (*inode.super_block().as_raw()).s_maxbytes } - 1;
                inode.read_sparse(iocb, to)?;
                return Ok(before);
            }
            inode.read_sparse(iocb, to)
        }

        fn write_iter(
            iocb: &mut crate::fs::Kiocb<'_, ()>,
            inode: &Locked<'_, TestFs>,
            from: &mut crate::iov::IovIterSource<'_>,
        ) -> Result<usize> {
            let how = PATTERN.load(Relaxed);
            if how == Pattern::RustFileLying as i32 {
                from.advance(3);
                return Ok(usize::MAX);
            } else if how == Pattern::RustFileQueued as i32 {
                return Err(EIOCBQUEUED);
            } else if how == Pattern::RustFileFar as i32 {
                *iocb.ki_pos_mut() = i64::MAX - 1;
            }
            inode.perform_write(iocb, from)
        }

        fn llseek(
            _file: &file::Opened<()>,
            inode: &INode<TestFs>,
            pos: i64,
            offset: i64,
            whence: u32,
        ) -> Result<i64> {
            match whence {
                bindings::SEEK_SET => Ok(offset),
                bindings::SEEK_CUR => pos.checked_add(offset).ok_or(EINVAL),
                bindings::SEEK_END => inode.size().checked_add(offset).ok_or(EINVAL),
                _ => Err(EINVAL),
            }
        }

        fn fsync(
            _file: &file::Opened<()>,
            _inode: &INode<TestFs>,
            _start: i64,
            _end: i64,
            _datasync: bool,
        ) -> Result {
            FSYNCS.add(1, Relaxed);
            if PATTERN.load(Relaxed) == Pattern::RustFileQueued as i32 {
                return Err(EIOCBQUEUED);
            }
            Ok(())
        }

        fn fallocate(
            _file: &file::Opened<()>,
            inode: &Locked<'_, TestFs>,
            mode: u32,
            offset: i64,
            len: i64,
        ) -> Result {
            if mode != bindings::FALLOC_FL_PUNCH_HOLE | bindings::FALLOC_FL_KEEP_SIZE {
                return Err(EOPNOTSUPP);
            }
            inode.punch_hole(offset, offset + len - 1)
        }
    }

    /// File operations that take everything from the kernel, find holes with
    /// `simple_file_llseek()`, and only grow files with `fallocate(2)`.
    struct HoleFops;

    #[vtable]
    impl file::Operations for HoleFops {
        type FileSystem = TestFs;
        type Data = ();
        const GENERIC: file::Generic = file::Generic::PAGE_CACHE
            .without(file::Generic::LLSEEK)
            .with(file::Generic::SEEK_HOLES);

        fn fallocate(
            _file: &file::Opened<()>,
            inode: &Locked<'_, TestFs>,
            mode: u32,
            offset: i64,
            len: i64,
        ) -> Result {
            if mode != 0 {
                return Err(EOPNOTSUPP);
            }
            inode.extend_size(offset.checked_add(len).ok_or(EFBIG)?)
        }
    }

    /// The kernel's writes and mmap, and the abstractions' sparse reads.
    struct SparseFops;

    #[vtable]
    impl file::Operations for SparseFops {
        type FileSystem = TestFs;
        type Data = ();
        const GENERIC: file::Generic = file::Generic::MMAP
            .with(file::Generic::WRITE_ITER)
            .with(file::Generic::READ_SPARSE);
    }

    /// The data of each file opened with [`DataFops`]: its number, and the calls of its
    /// operations.
    struct Opening {
        number: i64,
        calls: Atomic<i64>,
    }

    /// The numbers given to files opened with [`DataFops`].
    static OPENINGS: Atomic<i64> = Atomic::new(0);
    /// The data of files opened with [`DataFops`] that was made and not dropped.
    static OPEN_DATA: Atomic<i64> = Atomic::new(0);
    /// The number and the calls of the last file released by [`DataFops`], as
    /// `number * 1000 + calls`.
    static LAST_RELEASED: Atomic<i64> = Atomic::new(0);
    /// Whether [`DataFops`]'s `open` fails.
    static OPEN_FAILS: Atomic<i32> = Atomic::new(0);

    impl Drop for Opening {
        fn drop(&mut self) {
            OPEN_DATA.add(-1, Relaxed);
        }
    }

    /// File operations in Rust with data of each open file: each counts its calls there.
    struct DataFops;

    #[vtable]
    impl file::Operations for DataFops {
        type FileSystem = TestFs;
        type Data = KBox<Opening>;
        const GENERIC: file::Generic = file::Generic::MMAP.with(file::Generic::SPLICE);

        fn open(_inode: &INode<TestFs>, _file: &file::LocalFile) -> Result<KBox<Opening>> {
            if OPEN_FAILS.load(Relaxed) != 0 {
                return Err(EPERM);
            }
            let opening = Opening {
                number: OPENINGS.fetch_add(1, Relaxed) + 1,
                calls: Atomic::new(0),
            };
            let data = KBox::new(opening, GFP_KERNEL)?;
            OPEN_DATA.add(1, Relaxed);
            Ok(data)
        }

        fn release(data: KBox<Opening>, _inode: &INode<TestFs>) {
            LAST_RELEASED.store(data.number * 1000 + data.calls.load(Relaxed), Relaxed);
        }

        fn read_iter(
            iocb: &mut crate::fs::Kiocb<'_, KBox<Opening>>,
            inode: &INode<TestFs>,
            to: &mut crate::iov::IovIterDest<'_>,
        ) -> Result<usize> {
            iocb.file().calls.add(1, Relaxed);
            inode.read_sparse(iocb, to)
        }

        fn write_iter(
            iocb: &mut crate::fs::Kiocb<'_, KBox<Opening>>,
            inode: &Locked<'_, TestFs>,
            from: &mut crate::iov::IovIterSource<'_>,
        ) -> Result<usize> {
            iocb.file().calls.add(1, Relaxed);
            inode.perform_write(iocb, from)
        }

        fn llseek(
            file: &file::Opened<KBox<Opening>>,
            _inode: &INode<TestFs>,
            _pos: i64,
            offset: i64,
            _whence: u32,
        ) -> Result<i64> {
            file.data().calls.add(1, Relaxed);
            Ok(offset)
        }

        fn fsync(
            file: &file::Opened<KBox<Opening>>,
            _inode: &INode<TestFs>,
            _start: i64,
            _end: i64,
            _datasync: bool,
        ) -> Result {
            file.data().calls.add(1, Relaxed);
            Ok(())
        }

        fn fallocate(
            file: &file::Opened<KBox<Opening>>,
            _inode: &Locked<'_, TestFs>,
            _mode: u32,
            _offset: i64,
            _len: i64,
        ) -> Result {
            file.data().calls.add(1, Relaxed);
            Ok(())
        }
    }

    struct DirOps;

    #[vtable]
    impl inode::Operations for DirOps {
        type FileSystem = TestFs;
        const LIBFS: inode::Libfs = inode::Libfs::LOOKUP
            .with(inode::Libfs::LISTXATTR)
            .with(inode::Libfs::UNLINK)
            .with(inode::Libfs::RMDIR);

        fn create<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, TestFs>,
            _dentry: &Negative<'a, TestFs>,
            mode: u16,
        ) -> Result<New<'a, TestFs>> {
            let how = MISBEHAVE.load(Relaxed);
            if how == Misbehave::RustLinkOps as i32 {
                let params = inode::Params {
                    typ: Type::Reg,
                    perm: mode,
                    idmap,
                    dir: Some(dir),
                    iops: Some(inode::Ops::new::<LinkOps>()),
                    fops: Some(file::Ops::page_cache()),
                    aops: Some(address_space::Ops::in_memory()),
                    mapping: address_space::Mapping::Unevictable,
                };
                return dir.super_block().new_inode_with(params, TestData::new());
            }
            if how == Misbehave::LinkOps as i32 || how == Misbehave::DirFileOps as i32 {
                // A regular file with the inode operations of a symbolic link, or the file
                // operations of a directory.
                let link = how == Misbehave::LinkOps as i32;
                let params = inode::Params {
                    typ: Type::Reg,
                    perm: mode,
                    idmap,
                    dir: Some(dir),
                    iops: Some(if link && CACHED_LINKS.load(Relaxed) != 0 {
                        inode::Ops::new::<CachedLinkOps>()
                    } else if link {
                        inode::Ops::page_symlink()
                    } else {
                        inode::Ops::new::<RegOps>()
                    }),
                    fops: Some(if link {
                        file::Ops::page_cache()
                    } else {
                        file::Ops::simple_dir()
                    }),
                    aops: Some(address_space::Ops::in_memory()),
                    mapping: address_space::Mapping::Unevictable,
                };
                return dir.super_block().new_inode_with(params, TestData::new());
            }
            if how == Misbehave::Owner as i32 || how == Misbehave::NoDir as i32 {
                // The owner set by hand, or as if made in no directory.
                let in_dir = (how == Misbehave::Owner as i32).then_some(&**dir);
                let inode = new_inode(dir.super_block(), in_dir, idmap, Type::Reg, mode)?;
                if how == Misbehave::Owner as i32 {
                    inode.set_owner(Kuid::current_fsuid(), Kgid::current_fsgid());
                }
                return Ok(inode);
            }
            let mode = if how == Misbehave::SetGid as i32 {
                mode | bindings::S_ISGID as u16
            } else {
                mode
            };
            new_inode(dir.super_block(), Some(dir), idmap, wrong(Type::Reg), mode)
        }

        fn mknod<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, TestFs>,
            _dentry: &Negative<'a, TestFs>,
            mode: u16,
            dev: inode::DevT,
        ) -> Result<New<'a, TestFs>> {
            let typ = if MISBEHAVE.load(Relaxed) == Misbehave::Device as i32 {
                Type::Chr(0x0101)
            } else {
                wrong(Type::from_mode(mode, dev)?)
            };
            new_inode(dir.super_block(), Some(dir), idmap, typ, mode)
        }

        fn mkdir<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, TestFs>,
            _dentry: &Negative<'a, TestFs>,
            mode: u16,
        ) -> Result<New<'a, TestFs>> {
            new_inode(dir.super_block(), Some(dir), idmap, wrong(Type::Dir), mode)
        }

        fn symlink<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, TestFs>,
            _dentry: &Negative<'a, TestFs>,
            target: &CStr,
        ) -> Result<New<'a, TestFs>> {
            if RUST_LINKS.load(Relaxed) != 0 {
                let mut link = KVec::new();
                link.extend_from_slice(target.to_bytes_with_nul(), GFP_KERNEL)?;
                let params = inode::Params {
                    typ: wrong(Type::Lnk),
                    perm: 0o777,
                    idmap,
                    dir: Some(dir),
                    iops: Some(inode::Ops::new::<LinkOps>()),
                    fops: None,
                    aops: None,
                    mapping: address_space::Mapping::Unevictable,
                };
                let inode = dir
                    .super_block()
                    .new_inode_with(params, TestData::with_link(link))?;
                LIVE_INODES.add(1, Relaxed);
                return Ok(inode);
            }
            let inode = new_inode(dir.super_block(), Some(dir), idmap, wrong(Type::Lnk), 0o777)?;
            if inode.typ() == Type::Lnk && MISBEHAVE.load(Relaxed) != Misbehave::NoTarget as i32 {
                inode.write_symlink(target)?;
                if MISBEHAVE.load(Relaxed) == Misbehave::SymlinkTwice as i32 {
                    inode.write_symlink(c"a")?;
                }
            }
            Ok(inode)
        }

        fn link(
            _old: &DEntry<TestFs>,
            _dir: &Locked<'_, TestFs>,
            _dentry: &Negative<'_, TestFs>,
        ) -> Result {
            refuse()
        }

        fn rename<'a>(
            idmap: &MntIdmap,
            rename: &Rename<'a, TestFs>,
        ) -> Result<Option<New<'a, TestFs>>> {
            refuse()?;
            let asked = rename.flags().contains(RenameFlag::Whiteout);
            // Misbehaving, the file system gives a whiteout when none is asked for and none
            // when one is.
            if asked == (MISBEHAVE.load(Relaxed) == Misbehave::WrongType as i32) {
                return Ok(None);
            }
            let dir = rename.source_dir();
            let typ = wrong(Type::WHITEOUT);
            let perm = if MISBEHAVE.load(Relaxed) == Misbehave::WhiteoutPerm as i32 {
                0o644
            } else {
                0
            };
            new_inode(dir.super_block(), Some(dir), idmap, typ, perm).map(Some)
        }

        fn tmpfile<'a>(
            idmap: &MntIdmap,
            dir: &'a INode<TestFs>,
            mode: u16,
        ) -> Result<New<'a, TestFs>> {
            new_inode(dir.super_block(), Some(dir), idmap, wrong(Type::Reg), mode)
        }
    }

    /// How [`TestFs`] misbehaves, to check what the abstractions refuse.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Misbehave {
        /// Not at all.
        No = 0,
        /// Its operations make inodes of the wrong type.
        WrongType = 1,
        /// `link` and `rename` refuse after the abstractions' first steps.
        Refuse = 2,
        /// `mknod` makes a character device, whatever it is asked for.
        Device = 3,
        /// `create` adds `S_ISGID` to the mode it is given.
        SetGid = 4,
        /// `create` gives a regular file the inode operations of a symbolic link.
        LinkOps = 5,
        /// `create` gives a regular file the Rust inode operations of a symbolic link
        /// ([`LinkOps`]).
        RustLinkOps = 14,
        /// `fill_super` takes the magic number of devpts.
        KernelMagic = 6,
        /// `create` sets the owner of the new inode by hand.
        Owner = 7,
        /// `create` makes the inode as if in no directory.
        NoDir = 8,
        /// `create` gives a regular file the file operations of a directory.
        DirFileOps = 9,
        /// `symlink` writes the target twice.
        SymlinkTwice = 11,
        /// The whiteout of `rename` has permission bits.
        WhiteoutPerm = 10,
        /// `setattr` of regular files changes nothing and succeeds.
        IgnoreSetattr = 12,
        /// The data of new inodes fails to initialise.
        DataFails = 13,
        /// [`LinkOps`] fails to give a target.
        LinkFails = 15,
        /// [`ListDir`] lists a name with a `/`.
        BadName = 16,
        /// [`ListDir`] lists `..` among the entries.
        DotName = 17,
        /// [`ListDir`] moves the position below 0.
        NegativePos = 18,
        /// `symlink` writes no target.
        NoTarget = 19,
        /// `setattr` of regular files changes nothing and fails.
        FailSetattr = 20,
    }

    static MISBEHAVE: Atomic<i32> = Atomic::new(Misbehave::No as i32);

    /// Sets how [`TestFs`] misbehaves until the guard is dropped.
    fn misbehave(how: Misbehave) -> impl Drop {
        MISBEHAVE.store(how as i32, Relaxed);
        crate::types::ScopeGuard::new(|| MISBEHAVE.store(Misbehave::No as i32, Relaxed))
    }

    /// `typ`, or another type when [`TestFs`] is to make inodes of the wrong type.
    fn wrong(typ: Type) -> Type {
        if MISBEHAVE.load(Relaxed) != Misbehave::WrongType as i32 {
            typ
        } else if typ == Type::Dir {
            Type::Reg
        } else {
            Type::Dir
        }
    }

    /// Fails with `EPERM` when [`TestFs`] is to refuse.
    fn refuse() -> Result {
        if MISBEHAVE.load(Relaxed) == Misbehave::Refuse as i32 {
            Err(EPERM)
        } else {
            Ok(())
        }
    }

    /// Whether [`TestFs`] keeps the targets of new symbolic links in their inodes' data, and
    /// follows them with [`LinkOps`] (2: which returns copies it makes), and how many times
    /// `LinkOps::get_link` was called.
    static RUST_LINKS: Atomic<i32> = Atomic::new(0);
    static LINK_CALLS: Atomic<i64> = Atomic::new(0);

    /// Makes [`TestFs`] keep the targets of new symbolic links in their data until the guard is
    /// dropped.
    fn rust_links() -> impl Drop {
        RUST_LINKS.store(1, Relaxed);
        crate::types::ScopeGuard::new(|| RUST_LINKS.store(0, Relaxed))
    }

    /// Whether [`TestFs`] keeps the targets of new symbolic links with their inodes
    /// ([`CachedLinkOps`]).
    static CACHED_LINKS: Atomic<i32> = Atomic::new(0);

    /// The inode operations of a symbolic link whose target is kept with the inode.
    struct CachedLinkOps;

    #[vtable]
    impl inode::Operations for CachedLinkOps {
        type FileSystem = TestFs;

        const LIBFS: inode::Libfs = inode::Libfs::CACHED_LINK;
    }

    /// Whether [`TestFs`] makes directories that [`ListDir`] lists.
    static RUST_DIRS: Atomic<i32> = Atomic::new(0);

    /// Makes [`TestFs`] make directories that [`ListDir`] lists until the guard is dropped.
    fn rust_dirs() -> impl Drop {
        RUST_DIRS.store(1, Relaxed);
        crate::types::ScopeGuard::new(|| RUST_DIRS.store(0, Relaxed))
    }

    /// Lists `.`, `..` and [`LISTED`], at positions 0, 1, and 2 on, whatever the directory
    /// holds.
    struct ListDir;

    const LISTED: [&CStr; 3] = [c"a", c"b", c"c"];

    #[vtable]
    impl file::DirOperations for ListDir {
        type FileSystem = TestFs;

        fn iterate_shared(_inode: &INode<TestFs>, ctx: &mut file::DirEmitter<'_>) -> Result {
            if !ctx.emit_dots() {
                return Ok(());
            }
            let entry = |pos: i64| pos.checked_sub(2).and_then(|i| usize::try_from(i).ok());
            while let Some(i) = entry(ctx.pos()).filter(|i| *i < LISTED.len()) {
                let name = match MISBEHAVE.load(Relaxed) {
                    m if m == Misbehave::BadName as i32 => c"x/y",
                    m if m == Misbehave::DotName as i32 => c"..",
                    _ => LISTED[i],
                };
                if !ctx.emit(name, 100 + i as u64, Some(Type::Reg))? {
                    break;
                }
                if MISBEHAVE.load(Relaxed) == Misbehave::NegativePos as i32 {
                    ctx.set_pos(-1)?;
                }
                ctx.set_pos(ctx.pos() + 1)?;
            }
            Ok(())
        }
    }

    struct LinkOps;

    #[vtable]
    impl inode::Operations for LinkOps {
        type FileSystem = TestFs;

        fn get_link<'a>(
            _dentry: &DEntry<TestFs>,
            inode: &'a INode<TestFs>,
        ) -> Result<inode::LinkTarget<'a>> {
            LINK_CALLS.add(1, Relaxed);
            if MISBEHAVE.load(Relaxed) == Misbehave::LinkFails as i32 {
                return Err(EXDEV);
            }
            let target =
                CStr::from_bytes_with_nul(&inode.data().get_ref().link).map_err(|_| EINVAL)?;
            if RUST_LINKS.load(Relaxed) == 2 {
                return Ok(crate::str::CString::try_from(target)?.into());
            }
            Ok(target.into())
        }
    }

    struct RegOps;

    #[vtable]
    impl inode::Operations for RegOps {
        type FileSystem = TestFs;
        const LIBFS: inode::Libfs = inode::Libfs::LISTXATTR;

        // Says no flag is set, whatever `fileattr_set` returned to the VFS.
        fn fileattr_get(_inode: &INode<TestFs>) -> Result<u32> {
            Ok(0)
        }

        fn fileattr_set(
            _idmap: &MntIdmap,
            _inode: &Locked<'_, TestFs>,
            attr: &FileAttr,
        ) -> Result<InodeFlags> {
            let mut flags = InodeFlags::default();
            if attr.flags() & bindings::FS_IMMUTABLE_FL != 0 {
                flags |= InodeFlag::Immutable;
            }
            if attr.flags() & bindings::FS_APPEND_FL != 0 {
                flags |= InodeFlag::Append;
            }
            Ok(flags)
        }

        fn setattr(_idmap: &MntIdmap, target: &SetAttr<'_, TestFs>, attr: &IAttr) -> Result {
            if MISBEHAVE.load(Relaxed) == Misbehave::IgnoreSetattr as i32 {
                return Ok(());
            }
            if MISBEHAVE.load(Relaxed) == Misbehave::FailSetattr as i32 {
                return Err(EIO);
            }
            libfs::setattr(target, attr)
        }

        fn getattr(
            _idmap: &MntIdmap,
            target: &GetAttr<'_, TestFs>,
            stat: &Kstat,
            request_mask: u32,
            flags: u32,
        ) -> Result {
            libfs::getattr(target, stat, request_mask, flags)
        }
    }

    /// The registration of [`TestFs`] while a [`Mounted`] exists. It is static, as
    /// [`Registration::new`] requires (lockdep only accepts static lock class keys).
    struct TestRegistration(Opaque<Registration<TestFs>>);

    // SAFETY: Only `Mounted::new` and `Mounted::drop` use it, and at most one `Mounted` exists at
    // a time: KUnit runs the cases of a suite one after the other, each with its own `Mounted`.
    unsafe impl Sync for TestRegistration {}

    static TEST_REGISTRATION: TestRegistration = TestRegistration(Opaque::uninit());

    /// A mounted instance of [`TestFs`], unmounted and unregistered when dropped.
    ///
    /// # Invariants
    ///
    /// `TEST_REGISTRATION` is initialised while a `Mounted` exists, and `mnt` is an internal
    /// mount of its file system type.
    struct Mounted {
        mnt: *mut bindings::vfsmount,
    }

    impl Mounted {
        fn new() -> Result<Self> {
            let reg = TEST_REGISTRATION.0.get();
            // SAFETY: `drop` unmounts before it drops the registration, and the internal mount's
            // superblock is gone when `kern_unmount()` returns; no other mount of it is made.
            // The registration is static.
            let init = unsafe { Registration::<TestFs>::new(&TEST_MODULE) };
            // SAFETY: `reg` is static, so it stays pinned, and not initialised: no `Mounted`
            // exists (see `TestRegistration`).
            unsafe { pin_init::raw_try_init(reg, init) }?;
            // SAFETY: The file system type is registered until `drop`, after the unmount.
            match from_err_ptr(unsafe { bindings::kern_mount((*reg).fs.get()) }) {
                // INVARIANT: The registration is initialised and `mnt` is a mount of it.
                Ok(mnt) => Ok(Self { mnt }),
                Err(e) => {
                    // SAFETY: The registration was initialised above and nothing uses it.
                    unsafe { ptr::drop_in_place(reg) };
                    Err(e)
                }
            }
        }

        /// `openat(2)` of `name` relative to the root of the mount.
        fn open(&self, name: &CStr, flags: u32, mode: u16) -> Result<OpenFile> {
            // SAFETY: The mount is valid while `self` lives.
            unsafe { open_at(self.mnt, name, flags, mode) }
        }
    }

    /// `openat(2)` of `name` relative to the root of `mnt`.
    ///
    /// # Safety
    ///
    /// `mnt` must be a valid mount.
    unsafe fn open_at(
        mnt: *mut bindings::vfsmount,
        name: &CStr,
        flags: u32,
        mode: u16,
    ) -> Result<OpenFile> {
        let root = bindings::path {
            mnt,
            // SAFETY: The mount is valid (see the function's safety section).
            dentry: unsafe { (*mnt).mnt_root },
        };
        // SAFETY: `root` and `name` are valid for the duration of the call.
        let file =
            unsafe { bindings::file_open_root(&root, name.as_char_ptr(), flags as c_int, mode) };
        Ok(OpenFile(from_err_ptr(file)?))
    }

    impl Mounted {
        fn root(&self) -> *mut bindings::dentry {
            // SAFETY: The mount is valid while `self` lives.
            unsafe { (*self.mnt).mnt_root }
        }

        /// `statfs(2)`: the number of inodes, and of free ones.
        fn statfs(&self) -> Result<(u64, u64)> {
            let root = bindings::path {
                mnt: self.mnt,
                dentry: self.root(),
            };
            let mut buf: bindings::kstatfs = pin_init::zeroed();
            // SAFETY: `root` is a valid path while `self` lives; `buf` is valid for writes.
            to_result(unsafe { bindings::vfs_statfs(&root, &mut buf) })?;
            Ok((buf.f_files, buf.f_ffree))
        }

        fn root_inode(&self) -> *mut bindings::inode {
            // SAFETY: The root dentry is valid and positive while the mount lives.
            unsafe { (*self.root()).d_inode }
        }

        /// Looks `name` up in the root directory and locks it, to create it (`start_creating()`)
        /// or to remove it (`start_removing()`).
        fn start(&self, name: &CStr, create: bool) -> Result<DirOp> {
            let mut q = qstr(name)?;
            let idmap = MntIdmap::nop().as_raw();
            let dentry = if create {
                // SAFETY: The root and the name are valid; the result is unlocked by `DirOp`.
                unsafe { bindings::start_creating(idmap, self.root(), &mut q) }
            } else {
                // SAFETY: As above.
                unsafe { bindings::start_removing(idmap, self.root(), &mut q) }
            };
            Ok(DirOp(from_err_ptr(dentry)?))
        }
    }

    impl Mounted {
        /// `renameat2(2)` of `old` to `new`, both in the root directory.
        fn rename(&self, old: &CStr, new: &CStr, flags: u32) -> Result {
            let mut rd: bindings::renamedata = pin_init::zeroed();
            rd.mnt_idmap = MntIdmap::nop().as_raw();
            rd.old_parent = self.root();
            rd.new_parent = self.root();
            rd.flags = flags;
            let (mut old, mut new) = (qstr(old)?, qstr(new)?);
            // SAFETY: `rd` names the root as both parents, the names are valid.
            to_result(unsafe { bindings::start_renaming(&mut rd, 0, &mut old, &mut new) })?;
            // SAFETY: `start_renaming()` looked both names up and locked the directories.
            let ret = to_result(unsafe { bindings::vfs_rename(&mut rd) });
            // SAFETY: `rd` was set up by a successful `start_renaming()`.
            unsafe { bindings::end_renaming(&mut rd) };
            ret
        }
    }

    /// A name for the VFS's lookup functions, which hash it themselves.
    fn qstr(name: &CStr) -> Result<bindings::qstr> {
        let mut q: bindings::qstr = pin_init::zeroed();
        q.__bindgen_anon_1.__bindgen_anon_1.len =
            u32::try_from(name.to_bytes().len()).map_err(|_| EINVAL)?;
        q.name = name.as_char_ptr();
        Ok(q)
    }

    /// A dentry of the root directory, looked up and locked by [`Mounted::start`], released
    /// with `end_dirop()` when dropped.
    struct DirOp(*mut bindings::dentry);

    impl Drop for DirOp {
        fn drop(&mut self) {
            // SAFETY: The dentry came from `start_creating()` or `start_removing()`.
            unsafe { bindings::end_dirop(self.0) };
        }
    }

    fn nlink(inode: *mut bindings::inode) -> u32 {
        // SAFETY: The caller's inode is valid.
        unsafe { (*inode).__bindgen_anon_1.i_nlink }
    }

    impl Drop for Mounted {
        fn drop(&mut self) {
            // SAFETY: The mount came from `kern_mount`; being internal, it is torn down (and the
            // superblock killed) before this returns.
            unsafe { bindings::kern_unmount(self.mnt) };
            // SAFETY: By the type invariants the registration is initialised; no superblock of
            // its type is left, and no other `Mounted` uses it.
            unsafe { ptr::drop_in_place(TEST_REGISTRATION.0.get()) };
        }
    }

    /// An open file, closed synchronously when dropped: the test's mount must be idle when
    /// it is dropped.
    struct OpenFile(*mut bindings::file);

    impl OpenFile {
        fn write(&self, data: &[u8], mut pos: i64) -> Result<isize> {
            // SAFETY: The file is open and `data` is valid for reads of its length.
            let n = unsafe {
                bindings::kernel_write(self.0, data.as_ptr().cast(), data.len(), &mut pos)
            };
            errno_or(n)
        }

        fn read(&self, buf: &mut [u8], mut pos: i64) -> Result<isize> {
            // SAFETY: The file is open and `buf` is valid for writes of its length.
            let n = unsafe {
                bindings::kernel_read(self.0, buf.as_mut_ptr().cast(), buf.len(), &mut pos)
            };
            errno_or(n)
        }

        fn size(&self) -> i64 {
            // SAFETY: The file is open, so its inode is valid and of a `TestFs`.
            unsafe { INode::<TestFs>::from_raw((*self.0).f_inode) }.size()
        }

        /// `fstat(2)`: the size and the number of 512-byte blocks.
        fn stat(&self) -> Result<(i64, u64)> {
            let mut stat: bindings::kstat = pin_init::zeroed();
            // SAFETY: The file is open, so its path is valid; `stat` is valid for writes.
            to_result(unsafe {
                bindings::vfs_getattr(
                    &(*self.0).__bindgen_anon_1.f_path,
                    &mut stat,
                    bindings::STATX_BASIC_STATS,
                    bindings::AT_STATX_SYNC_AS_STAT,
                )
            })?;
            Ok((stat.size, stat.blocks))
        }

        /// The change time `statx(2)` reports (which marks it read): seconds and nanoseconds.
        fn ctime(&self) -> Result<(i64, isize)> {
            let mut stat: bindings::kstat = pin_init::zeroed();
            // SAFETY: The file is open, so its path is valid; `stat` is valid for writes.
            to_result(unsafe {
                bindings::vfs_getattr(
                    &(*self.0).__bindgen_anon_1.f_path,
                    &mut stat,
                    bindings::STATX_CTIME,
                    bindings::AT_STATX_SYNC_AS_STAT,
                )
            })?;
            Ok((stat.ctime.tv_sec, stat.ctime.tv_nsec))
        }

        /// `setxattr(2)`, or `removexattr(2)` if `value` is `None`.
        fn set_xattr(&self, name: &CStr, value: Option<&[u8]>, flags: i32) -> Result {
            let idmap = MntIdmap::nop().as_raw();
            // SAFETY: The file is open, so its dentry is valid; the name and value are valid.
            to_result(unsafe {
                let dentry = (*self.0).__bindgen_anon_1.f_path.dentry;
                match value {
                    Some(v) => bindings::vfs_setxattr(
                        idmap,
                        dentry,
                        name.as_char_ptr(),
                        v.as_ptr().cast(),
                        v.len(),
                        flags,
                    ),
                    None => bindings::vfs_removexattr(idmap, dentry, name.as_char_ptr()),
                }
            })
        }

        /// `getxattr(2)` into `buf`.
        fn get_xattr(&self, name: &CStr, buf: &mut [u8]) -> Result<isize> {
            // SAFETY: The file is open, so its dentry is valid; `buf` is valid for writes.
            errno_or(unsafe {
                bindings::vfs_getxattr(
                    MntIdmap::nop().as_raw(),
                    (*self.0).__bindgen_anon_1.f_path.dentry,
                    name.as_char_ptr(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            })
        }

        /// `listxattr(2)` into `buf`.
        fn list_xattrs(&self, buf: &mut [u8]) -> Result<isize> {
            // SAFETY: The file is open, so its dentry is valid; `buf` is valid for writes.
            errno_or(unsafe {
                bindings::vfs_listxattr(
                    (*self.0).__bindgen_anon_1.f_path.dentry,
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            })
        }

        /// `fallocate(2)`.
        fn fallocate(&self, mode: u32, offset: i64, len: i64) -> Result {
            // SAFETY: The file is open.
            to_result(unsafe { bindings::vfs_fallocate(self.0, mode as i32, offset, len) })
        }

        /// `lseek(2)`.
        fn seek(&self, offset: i64, whence: u32) -> Result<i64> {
            // SAFETY: The file is open.
            let pos = unsafe { bindings::vfs_llseek(self.0, offset, whence as i32) };
            errno_or(pos as isize).map(|p| p as i64)
        }

        /// `fsync(2)`.
        fn fsync(&self) -> Result {
            // SAFETY: The file is open.
            to_result(unsafe { bindings::vfs_fsync(self.0, 0) })
        }

        /// `posix_fadvise(2)`.
        fn fadvise(&self, offset: i64, len: i64, advice: u32) -> Result {
            // SAFETY: The file is open.
            to_result(unsafe { bindings::vfs_fadvise(self.0, offset, len, advice as c_int) })
        }

        /// The folios' pages in the file's page cache.
        fn cached_pages(&self) -> usize {
            // SAFETY: The file is open, so its mapping is valid.
            unsafe { (*(*self.0).f_mapping).nrpages }
        }

        fn truncate(&self, size: i64) -> Result {
            // SAFETY: The file is open, so its path is valid.
            to_result(unsafe { bindings::vfs_truncate(&(*self.0).__bindgen_anon_1.f_path, size) })
        }
    }

    /// The byte count `n`, or the error a negative `n` stands for.
    fn errno_or(n: isize) -> Result<isize> {
        if n < 0 {
            Err(Error::from_errno(n as i32))
        } else {
            Ok(n)
        }
    }

    impl Drop for OpenFile {
        fn drop(&mut self) {
            // SAFETY: The file is open and this is its only reference.
            unsafe { bindings::__fput_sync(self.0) };
        }
    }

    /// `mount(2)` passes `MS_POSIXACL` on to a new superblock as `SB_POSIXACL`: a file system
    /// without ACLs does not keep it, so the VFS applies the umask to what it creates.
    #[test]
    fn posixacl_flag_not_kept() -> Result {
        let m = Mounted::new()?;
        // SAFETY: The mount is valid while `m` lives.
        let sb = unsafe { (*m.mnt).mnt_sb };
        // SAFETY: The superblock is valid while `m` lives.
        assert_eq!(unsafe { (*sb).s_flags } & bindings::SB_POSIXACL, 0);
        let flags = (bindings::SB_KERNMOUNT | bindings::SB_POSIXACL) as u32;
        // SAFETY: The file system type is registered while `m` lives.
        let fc = from_err_ptr(unsafe {
            bindings::fs_context_for_mount((*TEST_REGISTRATION.0.get()).fs.get(), flags)
        })?;
        // SAFETY: `fc` is a new context for a mount; the internal mount (`SB_KERNMOUNT`) is put
        // below, which tears it down at once, before `m` unregisters the type.
        let mnt = unsafe { from_err_ptr(bindings::fc_mount(fc)) };
        // SAFETY: The mount, if any, keeps its own reference to the superblock.
        unsafe { bindings::put_fs_context(fc) };
        let mnt = mnt?;
        // SAFETY: The mount is valid until it is put below.
        let new_sb = unsafe { (*mnt).mnt_sb };
        // SAFETY: As above.
        let kept = unsafe { (*new_sb).s_flags } & bindings::SB_POSIXACL;
        // SAFETY: The mount is valid, and so is the current task's `fs`.
        let umask = unsafe { (*(*bindings::get_current()).fs).umask };
        // SAFETY: As above.
        let made = unsafe { open_at(mnt, c"file", bindings::O_CREAT | bindings::O_WRONLY, 0o666) };
        // SAFETY: The file is open, so is its inode valid; it is closed when dropped here.
        let mode = made.map(|f| unsafe { (*(*f.0).f_inode).i_mode });
        // SAFETY: The mount is internal and not in use any more: this tears it down.
        unsafe { bindings::mntput(mnt) };
        assert_ne!(new_sb, sb);
        assert_eq!(kept, 0);
        // Kernel threads have the initial umask, 022.
        assert_eq!(umask, 0o022);
        assert_eq!(mode? & 0o777, 0o644);
        Ok(())
    }

    /// New inodes get random generations, as tmpfs's: 8 files do not all have the same one.
    #[test]
    fn random_generations() -> Result {
        let m = Mounted::new()?;
        let names = [c"g0", c"g1", c"g2", c"g3", c"g4", c"g5", c"g6", c"g7"];
        let mut generations = KVec::new();
        for name in names {
            let f = m.open(name, bindings::O_CREAT | bindings::O_WRONLY, 0o600)?;
            // SAFETY: The file is open, so is its inode valid.
            generations.push(unsafe { (*(*f.0).f_inode).i_generation }, GFP_KERNEL)?;
        }
        assert!(generations.iter().any(|&g| g != generations[0]));
        Ok(())
    }

    #[test]
    fn create_write_read_truncate() -> Result {
        let m = Mounted::new()?;
        let f = m.open(
            c"file",
            bindings::O_CREAT | bindings::O_EXCL | bindings::O_RDWR,
            0o644,
        )?;
        assert_eq!(f.write(b"hello, world", 0)?, 12);
        assert_eq!(f.size(), 12);
        let mut buf = [0u8; 16];
        assert_eq!(f.read(&mut buf, 0)?, 12);
        assert_eq!(&buf[..12], b"hello, world");
        // A write past the end leaves a hole that reads as zeroes.
        assert_eq!(f.write(b"!", 8192)?, 1);
        assert_eq!(f.read(&mut buf, 4096)?, 16);
        assert_eq!(buf, [0u8; 16]);
        f.truncate(5)?;
        assert_eq!(f.size(), 5);
        assert_eq!(f.read(&mut buf, 0)?, 5);
        assert_eq!(&buf[..5], b"hello");
        // The name exists now; lookup finds it.
        let again = m.open(c"file", bindings::O_RDONLY, 0)?;
        assert_eq!(again.size(), 5);
        assert!(matches!(
            m.open(c"file", bindings::O_CREAT | bindings::O_EXCL | bindings::O_RDWR, 0o644),
            Err(e) if e == EEXIST
        ));
        assert!(matches!(m.open(c"missing", bindings::O_RDONLY, 0), Err(e) if e == ENOENT));
        Ok(())
    }

    #[test]
    fn tmpfile() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c".", bindings::O_TMPFILE | bindings::O_RDWR, 0o600)?;
        assert_eq!(f.write(b"abc", 0)?, 3);
        let mut buf = [0u8; 3];
        assert_eq!(f.read(&mut buf, 0)?, 3);
        assert_eq!(&buf, b"abc");
        Ok(())
    }

    #[test]
    fn directories_links_and_names() -> Result {
        let m = Mounted::new()?;
        let root = m.root_inode();
        let idmap = MntIdmap::nop().as_raw();
        let none = ptr::null_mut();
        assert_eq!(nlink(root), 2);

        let d = m.start(c"dir", true)?;
        let raw = d.0;
        core::mem::forget(d);
        // SAFETY: `raw` is a negative dentry of the root, which `start_creating()` locked;
        // `vfs_mkdir()` releases it on failure, so it is only wrapped again on success.
        let dir = DirOp(from_err_ptr(unsafe {
            bindings::vfs_mkdir(idmap, root, raw, 0o755, none)
        })?);
        // SAFETY: The new directory's dentry is positive.
        assert_eq!(nlink(unsafe { (*dir.0).d_inode }), 2);
        drop(dir);
        assert_eq!(nlink(root), 3);

        let file = m.open(c"dir/file", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?;
        // SAFETY: The file is open.
        let file_dentry = unsafe { (*file.0).__bindgen_anon_1.f_path.dentry };
        let d = m.start(c"hard", true)?;
        // SAFETY: `d` is a negative dentry of the locked root, `file_dentry` a positive one.
        to_result(unsafe { bindings::vfs_link(file_dentry, idmap, root, d.0, none) })?;
        // SAFETY: The file is open, so is its inode valid.
        assert_eq!(nlink(unsafe { (*file.0).f_inode }), 2);
        drop(d);

        let d = m.start(c"link", true)?;
        // SAFETY: `d` is a negative dentry of the locked root and the target a valid string.
        to_result(unsafe {
            bindings::vfs_symlink(idmap, root, d.0, c"dir/file".as_char_ptr(), none)
        })?;
        drop(d);
        let via_link = m.open(c"link", bindings::O_RDONLY, 0)?;
        // SAFETY: Both files are open.
        assert!(unsafe { (*via_link.0).f_inode == (*file.0).f_inode });

        let d = m.start(c"fifo", true)?;
        let mode = Type::Fifo.format() | 0o600;
        // SAFETY: `d` is a negative dentry of the locked root.
        to_result(unsafe { bindings::vfs_mknod(idmap, root, d.0, mode, 0, none) })?;
        drop(d);

        let d = m.start(c"dir", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        let err = to_result(unsafe { bindings::vfs_rmdir(idmap, root, d.0, none) });
        assert!(matches!(err, Err(e) if e == ENOTEMPTY));
        drop(d);

        let d = m.start(c"hard", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        to_result(unsafe { bindings::vfs_unlink(idmap, root, d.0, none) })?;
        drop(d);
        // SAFETY: The file is open.
        assert_eq!(nlink(unsafe { (*file.0).f_inode }), 1);
        drop(via_link);
        drop(file);
        Ok(())
    }

    #[test]
    fn rename_and_getattr() -> Result {
        let m = Mounted::new()?;
        let rw = bindings::O_CREAT | bindings::O_RDWR;
        let a = m.open(c"a", rw, 0o644)?;
        assert_eq!(a.write(b"aaaa", 0)?, 4);
        // `simple_getattr()` counts the cached pages: one page of 512-byte blocks.
        let blocks = 1u64 << (crate::page::PAGE_SHIFT - 9);
        assert_eq!(a.stat()?, (4, blocks));
        let c = m.open(c"c", rw, 0o644)?;
        assert_eq!(c.write(b"cc", 0)?, 2);

        m.rename(c"a", c"b", 0)?;
        assert!(matches!(m.open(c"a", bindings::O_RDONLY, 0), Err(e) if e == ENOENT));
        assert_eq!(m.open(c"b", bindings::O_RDONLY, 0)?.stat()?.0, 4);
        let err = m.rename(c"b", c"c", bindings::RENAME_NOREPLACE);
        assert!(matches!(err, Err(e) if e == EEXIST));
        m.rename(c"b", c"c", bindings::RENAME_EXCHANGE)?;
        assert_eq!(m.open(c"b", bindings::O_RDONLY, 0)?.stat()?.0, 2);
        assert_eq!(m.open(c"c", bindings::O_RDONLY, 0)?.stat()?.0, 4);
        // Unknown flags are refused.
        assert!(matches!(m.rename(c"b", c"c", 1 << 30), Err(e) if e == EINVAL));

        // A whiteout takes the place of the source.
        m.rename(c"c", c"d", bindings::RENAME_WHITEOUT)?;
        assert_eq!(m.open(c"d", bindings::O_RDONLY, 0)?.stat()?.0, 4);
        let w = m.start(c"c", false)?;
        // SAFETY: `w` is a positive dentry, so its inode is valid.
        let (mode, rdev) = unsafe { ((*(*w.0).d_inode).i_mode, (*(*w.0).d_inode).i_rdev) };
        assert_eq!((mode, rdev), (Type::WHITEOUT.format(), 0));
        drop(w);
        // Not with an exchange, which `vfs_rename()` itself lets through.
        let flags = bindings::RENAME_WHITEOUT | bindings::RENAME_EXCHANGE;
        assert!(matches!(m.rename(c"d", c"c", flags), Err(e) if e == EINVAL));
        drop(a);
        drop(c);
        Ok(())
    }

    #[test]
    fn writes_remember_nothing_to_strip() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c"n", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // SAFETY: The file is open, so its inode is valid; its flags are read once.
        let nosec = || unsafe { (*(*f.0).f_inode).i_flags } & bindings::S_NOSEC != 0;
        // A new file has nothing to strip and is marked so (`SB_NOSEC`).
        assert!(nosec());
        assert_eq!(f.write(b"a", 0)?, 1);
        assert!(nosec());
        // Setting a security attribute clears the mark, whether the handlers take it or not.
        let _ = f.set_xattr(c"security.x", Some(b"1"), 0);
        assert!(!nosec());
        // A write finds nothing to strip and marks the file again.
        assert_eq!(f.write(b"b", 1)?, 1);
        assert!(nosec());
        drop(f);
        // A file made with a set-ID bit is not marked, nor after a write (which, by a caller
        // with `CAP_FSETID`, leaves the bit).
        for (name, mode) in [(c"u", 0o4755), (c"g", 0o2755)] {
            let f = m.open(name, bindings::O_CREAT | bindings::O_RDWR, mode)?;
            // SAFETY: The file is open, so its inode is valid; its flags are read once.
            let flags = || unsafe { (*(*f.0).f_inode).i_flags };
            assert_eq!(flags() & bindings::S_NOSEC, 0);
            assert_eq!(f.write(b"a", 0)?, 1);
            assert_eq!(flags() & bindings::S_NOSEC, 0);
        }
        Ok(())
    }

    #[test]
    fn writes_strip_capabilities_whatever_setattr_does() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c"cap", bindings::O_CREAT | bindings::O_RDWR, 0o755)?;
        // struct vfs_cap_data, VFS_CAP_REVISION_2, no capabilities.
        let mut cap = [0u8; 20];
        cap[3] = 2;
        let mut buf = [0u8; 20];
        for i in 0..2 {
            f.set_xattr(c"security.capability", Some(&cap), 0)?;
            assert_eq!(f.get_xattr(c"security.capability", &mut buf)?, 20);
            // A `setattr` that does nothing, then one that does its work: the write strips the
            // capability either way, and the next write has nothing to strip (`S_NOSEC`).
            let _ignore = (i == 0).then(|| misbehave(Misbehave::IgnoreSetattr));
            assert_eq!(f.write(b"x", 0)?, 1);
            let got = f.get_xattr(c"security.capability", &mut buf);
            assert!(matches!(got, Err(e) if e == ENODATA));
            // SAFETY: The file is open, so its inode is valid.
            assert!(unsafe { (*(*f.0).f_inode).i_flags } & bindings::S_NOSEC != 0);
        }
        Ok(())
    }

    #[test]
    fn writes_strip_set_id_bits_whatever_setattr_does() -> Result {
        let m = Mounted::new()?;
        let cases = [
            (c"s0", Some(Misbehave::IgnoreSetattr)),
            (c"s1", Some(Misbehave::FailSetattr)),
            (c"s2", None),
        ];
        for (name, how) in cases {
            let f = m.open(name, bindings::O_CREAT | bindings::O_RDWR, 0o6755)?;
            // SAFETY: The file is open, so its path and inode are valid.
            let (dentry, inode) =
                unsafe { ((*f.0).__bindgen_anon_1.f_path.dentry, (*f.0).f_inode) };
            // SAFETY: As above; the mode is read once.
            let mode = || unsafe { (*inode).i_mode } & 0o7777;
            assert_eq!(mode(), 0o6755);
            // A `setattr` that does nothing, one that fails (after which a write fails, but an
            // `fallocate()` goes on) and one that does its work: what `file_remove_privs()` asks
            // for a write by a user without `CAP_FSETID` strips both bits either way.
            let guard = how.map(misbehave);
            let mut attr = bindings::iattr {
                ia_valid: bindings::ATTR_FORCE
                    | bindings::ATTR_KILL_SUID
                    | bindings::ATTR_KILL_SGID,
                ..Default::default()
            };
            // SAFETY: The inode is valid; the lock is released below.
            unsafe { bindings::inode_lock(inode) };
            // SAFETY: The dentry is positive and its inode locked.
            let ret = unsafe {
                bindings::notify_change(
                    MntIdmap::nop().as_raw(),
                    dentry,
                    &mut attr,
                    ptr::null_mut(),
                )
            };
            // SAFETY: Locked above.
            unsafe { bindings::inode_unlock(inode) };
            drop(guard);
            match how {
                Some(Misbehave::FailSetattr) => {
                    assert!(matches!(to_result(ret), Err(e) if e == EIO))
                }
                _ => to_result(ret)?,
            }
            assert_eq!(mode(), 0o755);
        }
        Ok(())
    }

    #[test]
    fn xattrs_in_memory() -> Result {
        let m = Mounted::new()?;
        // What a security module lists for every inode (its label), before the attributes
        // kept in memory: nothing without one.
        let mut lsm = [0u8; 64];
        let g = m.open(c"y", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let l = g.list_xattrs(&mut lsm)? as usize;
        let f = m.open(c"x", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let mut buf = [0u8; 128];
        assert!(matches!(f.get_xattr(c"user.a", &mut buf), Err(e) if e == ENODATA));
        f.set_xattr(c"user.a", Some(b"one"), 0)?;
        f.set_xattr(c"trusted.b", Some(b""), 0)?;
        assert_eq!(f.get_xattr(c"user.a", &mut buf)?, 3);
        assert_eq!(&buf[..3], b"one");
        assert!(matches!(f.get_xattr(c"user.a", &mut buf[..2]), Err(e) if e == ERANGE));
        assert_eq!(f.get_xattr(c"trusted.b", &mut buf)?, 0);
        let err = f.set_xattr(c"user.a", Some(b"two"), bindings::XATTR_CREATE as i32);
        assert!(matches!(err, Err(e) if e == EEXIST));
        let err = f.set_xattr(c"foo.c", Some(b"x"), 0);
        assert!(matches!(err, Err(e) if e == EOPNOTSUPP));
        let n = f.list_xattrs(&mut buf)? as usize;
        assert_eq!(&buf[..l], &lsm[..l]);
        assert_eq!(&buf[l..n], b"user.a\0trusted.b\0");
        f.set_xattr(c"user.a", None, 0)?;
        assert!(matches!(f.set_xattr(c"user.a", None, 0), Err(e) if e == ENODATA));
        assert_eq!(f.list_xattrs(&mut buf)?, l as isize + 10);
        // The attributes left go with the inode: the unmount must not leak them.
        Ok(())
    }

    #[test]
    fn fallocate_and_seek_holes() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let page = crate::page::PAGE_SIZE as i64;
        let blocks = (page / 512) as u64;
        // Allocated pages read as zeroes and are holes.
        f.fallocate(0, 0, 2 * page)?;
        assert_eq!(f.stat()?, (2 * page, 2 * blocks));
        assert!(matches!(f.seek(0, bindings::SEEK_DATA), Err(e) if e == ENXIO));
        let mut buf = [1u8; 8];
        assert_eq!(f.read(&mut buf, page)?, 8);
        assert_eq!(buf, [0; 8]);
        // Data in the second page only; beyond it, allocated but not in the size.
        assert_eq!(f.write(b"data", page + 1)?, 4);
        f.fallocate(bindings::FALLOC_FL_KEEP_SIZE, 2 * page, page)?;
        assert_eq!(f.stat()?, (2 * page, 3 * blocks));
        assert_eq!(f.seek(0, bindings::SEEK_DATA)?, page);
        assert_eq!(f.seek(page, bindings::SEEK_HOLE)?, 2 * page);
        // Punching the data out leaves a hole and zeroes.
        let punch = bindings::FALLOC_FL_PUNCH_HOLE | bindings::FALLOC_FL_KEEP_SIZE;
        f.fallocate(punch, page, page)?;
        assert!(matches!(f.seek(0, bindings::SEEK_DATA), Err(e) if e == ENXIO));
        assert_eq!(f.read(&mut buf, page)?, 8);
        assert_eq!(buf, [0; 8]);
        let err = f.fallocate(bindings::FALLOC_FL_ZERO_RANGE, 0, page);
        assert!(matches!(err, Err(e) if e == EOPNOTSUPP));
        Ok(())
    }

    /// File operations keep data of each open file: `open` makes it, each operation reads that
    /// of its own file, and `release` takes it back once the last reference to the file is
    /// gone; an `open` that fails makes `open(2)` fail, and leaves nothing to release.
    #[test]
    fn data_of_each_open_file() -> Result {
        let m = Mounted::new()?;
        let _on = pattern(Pattern::OpenData);
        let (live, first) = (OPEN_DATA.load(Relaxed), OPENINGS.load(Relaxed));
        let a = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let b = m.open(c"f", bindings::O_RDWR, 0)?;
        assert_eq!(OPEN_DATA.load(Relaxed), live + 2);
        // Two calls on `a`, three on `b`.
        assert_eq!(a.write(b"data", 0)?, 4);
        a.fallocate(0, 0, 8)?;
        let mut buf = [0u8; 4];
        assert_eq!(b.read(&mut buf, 0)?, 4);
        assert_eq!(&buf, b"data");
        b.fsync()?;
        assert_eq!(b.seek(2, bindings::SEEK_SET)?, 2);
        OPEN_FAILS.store(1, Relaxed);
        let failed = m.open(c"f", bindings::O_RDWR, 0);
        OPEN_FAILS.store(0, Relaxed);
        assert!(matches!(failed, Err(e) if e == EPERM));
        assert_eq!(OPEN_DATA.load(Relaxed), live + 2);
        drop(b);
        assert_eq!(LAST_RELEASED.load(Relaxed), (first + 2) * 1000 + 3);
        assert_eq!(OPEN_DATA.load(Relaxed), live + 1);
        drop(a);
        assert_eq!(LAST_RELEASED.load(Relaxed), (first + 1) * 1000 + 2);
        assert_eq!(OPEN_DATA.load(Relaxed), live);
        Ok(())
    }

    // Without an MMU, files with `mmap` or `page_mkwrite` cannot be mapped.
    #[cfg(CONFIG_MMU)]
    #[test]
    fn mappings_checked_in_rust() -> Result {
        const PAGE: usize = crate::page::PAGE_SIZE;
        let m = Mounted::new()?;
        let _on = pattern(Pattern::Mapped);
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert_eq!(f.write(b"z", 3 * PAGE as i64 - 1)?, 1);
        // SAFETY: Called on the test's own thread, which `kunit_attach_mm()` gives a memory map.
        to_result(unsafe { bindings::kunit_attach_mm() })?;
        let map = |offset: usize| {
            let (prot, shared) = (
                bindings::PROT_READ | bindings::PROT_WRITE,
                bindings::MAP_SHARED,
            );
            // SAFETY: The file is open, and the thread has a memory map.
            let addr = unsafe {
                bindings::vm_mmap(f.0, 0, 3 * PAGE, prot as usize, shared as usize, offset)
            };
            // An error is a negative errno.
            crate::error::from_err_ptr(addr as *mut u8).map(|p| p as usize)
        };
        // `mmap` refuses a mapping that does not start at the beginning of the file.
        assert!(matches!(map(PAGE), Err(e) if e == EACCES));
        let addr = map(0)?;
        let poke = |at: usize, data: &[u8]| {
            // SAFETY: A copy to user memory checks the address, and fails where it cannot write.
            unsafe {
                bindings::copy_to_user(
                    (addr + at) as *mut crate::ffi::c_void,
                    data.as_ptr().cast(),
                    data.len(),
                )
            }
        };
        // A write fault in the first page gets through `page_mkwrite`, which counts it in the
        // data of the open file, and the folio is dirty; one in the third is refused (`SIGBUS`,
        // for a copy from the kernel: nothing copied).
        let dirtied = DIRTIED.load(Relaxed);
        assert_eq!(poke(0, b"mapped"), 0);
        assert_eq!(poke(10, b"again"), 0);
        // The folio read by the first fault was clean: its write fault dirtied it.
        assert_eq!(DIRTIED.load(Relaxed) - dirtied, 1);
        assert_eq!(DIRTIED_AT.load(Relaxed), 0);
        assert_eq!(poke(2 * PAGE, b"refused"), 7);
        // SAFETY: The file is open, with `MappedFops`, whose data is a `KBox<Opening>`.
        let opened = unsafe { file::Opened::<KBox<Opening>>::from_raw(f.0) };
        assert_eq!(opened.data().calls.load(Relaxed), 2);
        assert!(first_folio_dirty(&f)?);
        let mut buf = [0u8; 6];
        assert_eq!(f.read(&mut buf, 0)?, 6);
        assert_eq!(&buf, b"mapped");
        // The third page holds what `write_begin` filled it with: the pattern.
        assert_eq!(f.read(&mut buf, 2 * PAGE as i64 + 1)?, 6);
        assert_eq!(&buf, &[1, 2, 3, 4, 5, 6]);
        // SAFETY: The range is the mapping made above, which nothing else uses.
        to_result(unsafe { bindings::vm_munmap(addr, 3 * PAGE) })?;
        // The mapping's reference to the file goes with a delayed `fput()`: before the unmount.
        // SAFETY: No lock is held.
        unsafe { bindings::flush_delayed_fput() };
        Ok(())
    }

    /// The abstractions refuse inodes of the wrong type, device or permissions from a file
    /// system's operations, and inode operations that do not fit the inode; a refusal after
    /// their first steps changes nothing; no inode is left behind.
    #[test]
    fn refused_namespace_changes() -> Result {
        let m = Mounted::new()?;
        let root = m.root_inode();
        let idmap = MntIdmap::nop().as_raw();
        let none = ptr::null_mut();
        let rw = bindings::O_CREAT | bindings::O_RDWR;
        let a = m.open(c"a", rw, 0o644)?;
        let live = LIVE_INODES.load(Relaxed);
        {
            let _guard = misbehave(Misbehave::WrongType);
            // `create` and `tmpfile` make a directory.
            assert!(matches!(m.open(c"f", rw, 0o644), Err(e) if e == EINVAL));
            let tmp = bindings::O_TMPFILE | bindings::O_RDWR;
            assert!(matches!(m.open(c".", tmp, 0o600), Err(e) if e == EINVAL));
            // `mkdir` makes a regular file: no new link of the root either.
            let d = m.start(c"d", true)?;
            let raw = d.0;
            core::mem::forget(d);
            // SAFETY: `raw` is a negative dentry of the root, which `start_creating()` locked;
            // `vfs_mkdir()` releases it on failure.
            let err = from_err_ptr(unsafe { bindings::vfs_mkdir(idmap, root, raw, 0o755, none) });
            assert!(matches!(err, Err(e) if e == EINVAL));
            assert_eq!(nlink(root), 2);
            // `symlink` and `mknod` make a directory.
            let d = m.start(c"l", true)?;
            // SAFETY: `d` is a negative dentry of the locked root and the target a valid string.
            let err = to_result(unsafe {
                bindings::vfs_symlink(idmap, root, d.0, c"a".as_char_ptr(), none)
            });
            assert!(matches!(err, Err(e) if e == EINVAL));
            drop(d);
            let d = m.start(c"p", true)?;
            let mode = Type::Fifo.format() | 0o600;
            // SAFETY: `d` is a negative dentry of the locked root.
            let err = to_result(unsafe { bindings::vfs_mknod(idmap, root, d.0, mode, 0, none) });
            assert!(matches!(err, Err(e) if e == EINVAL));
            drop(d);
            // `rename` gives a whiteout not asked for, and none when asked.
            assert!(matches!(m.rename(c"a", c"b", 0), Err(e) if e == EINVAL));
            let whiteout = bindings::RENAME_WHITEOUT;
            assert!(matches!(m.rename(c"a", c"b", whiteout), Err(e) if e == EINVAL));
        }
        {
            // A device where a fifo was asked for (and the VFS checked the right to make a
            // fifo), a bit the caller did not ask for, the operations of a symbolic link on a
            // regular file.
            let _guard = misbehave(Misbehave::Device);
            let d = m.start(c"p", true)?;
            let mode = Type::Fifo.format() | 0o600;
            // SAFETY: `d` is a negative dentry of the locked root.
            let err = to_result(unsafe { bindings::vfs_mknod(idmap, root, d.0, mode, 0, none) });
            assert!(matches!(err, Err(e) if e == EINVAL));
            drop(d);
            drop(_guard);
            let _guard = misbehave(Misbehave::SetGid);
            assert!(matches!(m.open(c"f", rw, 0o644), Err(e) if e == EINVAL));
            drop(_guard);
            // Operations that do not fit a regular file; an owner the VFS did not check.
            for how in [
                Misbehave::LinkOps,
                Misbehave::DirFileOps,
                Misbehave::Owner,
                Misbehave::NoDir,
            ] {
                let _guard = misbehave(how);
                assert!(matches!(m.open(c"f", rw, 0o644), Err(e) if e == EINVAL));
            }
            let _guard = misbehave(Misbehave::WhiteoutPerm);
            let whiteout = bindings::RENAME_WHITEOUT;
            assert!(matches!(m.rename(c"a", c"b", whiteout), Err(e) if e == EINVAL));
        }
        {
            let _guard = misbehave(Misbehave::Refuse);
            assert!(matches!(m.rename(c"a", c"b", 0), Err(e) if e == EPERM));
            let d = m.start(c"hard", true)?;
            // SAFETY: The file is open.
            let a_dentry = unsafe { (*a.0).__bindgen_anon_1.f_path.dentry };
            // SAFETY: `d` is a negative dentry of the locked root, `a_dentry` a positive one.
            let err = to_result(unsafe { bindings::vfs_link(a_dentry, idmap, root, d.0, none) });
            assert!(matches!(err, Err(e) if e == EPERM));
            drop(d);
            // SAFETY: The file is open, so is its inode valid.
            assert_eq!(nlink(unsafe { (*a.0).f_inode }), 1);
        }
        assert_eq!(LIVE_INODES.load(Relaxed), live);
        {
            // A second target would leave the size of the first.
            let _guard = misbehave(Misbehave::SymlinkTwice);
            let d = m.start(c"l", true)?;
            // SAFETY: `d` is a negative dentry of the locked root and the target a valid string.
            let err = to_result(unsafe {
                bindings::vfs_symlink(idmap, root, d.0, c"a/longer/target".as_char_ptr(), none)
            });
            assert!(matches!(err, Err(e) if e == EINVAL));
            drop(d);
        }
        for name in [c"f", c"d", c"l", c"p", c"b", c"hard"] {
            assert!(matches!(m.open(name, bindings::O_RDONLY, 0), Err(e) if e == ENOENT));
        }
        m.rename(c"a", c"b", 0)?;
        drop(a);
        drop(m);
        // A root that is not a directory is refused, and so is the magic number of devpts:
        // the mount fails.
        let _guard = misbehave(Misbehave::WrongType);
        assert!(matches!(Mounted::new(), Err(e) if e == EINVAL));
        drop(_guard);
        let _guard = misbehave(Misbehave::KernelMagic);
        assert!(matches!(Mounted::new(), Err(e) if e == EINVAL));
        Ok(())
    }

    /// The raw `i_version` of `inode`, which only grows.
    fn iversion(inode: *mut bindings::inode) -> i64 {
        // SAFETY: The caller's inode is valid; the counter is only read.
        unsafe { (*inode).i_version.counter }
    }

    /// A change of a directory's names, or of an inode's attributes or extended attributes,
    /// counts in its `i_version`, as on tmpfs.
    #[test]
    fn changes_count_in_iversion() -> Result {
        let m = Mounted::new()?;
        let root = m.root_inode();
        let idmap = MntIdmap::nop().as_raw();
        let before = iversion(root);
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert!(iversion(root) > before);
        // SAFETY: The file is open, so is its inode valid.
        let inode = unsafe { (*f.0).f_inode };
        let before = iversion(inode);
        f.truncate(10)?;
        assert!(iversion(inode) > before);
        let before = iversion(inode);
        f.set_xattr(c"user.a", Some(b"1"), 0)?;
        assert!(iversion(inode) > before);
        let before = iversion(root);
        m.rename(c"f", c"g", 0)?;
        assert!(iversion(root) > before);
        let before = iversion(root);
        let d = m.start(c"g", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        to_result(unsafe { bindings::vfs_unlink(idmap, root, d.0, ptr::null_mut()) })?;
        drop(d);
        assert!(iversion(root) > before);
        Ok(())
    }

    /// A file system type with the name of C's ramfs, for [`a_name_in_use_is_refused`] only.
    struct NameInUse;

    #[vtable]
    impl FileSystem for NameInUse {
        type Data = ();
        type INodeData = ();
        type Options = ();
        const NAME: &'static CStr = c"ramfs";

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(_sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            Err(EINVAL)
        }

        fn init_root(_sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            Err(EINVAL)
        }
    }

    /// The registration of [`NameInUse`].
    struct NameInUseRegistration(Opaque<Registration<NameInUse>>);

    // SAFETY: Only `a_name_in_use_is_refused` uses it.
    unsafe impl Sync for NameInUseRegistration {}

    static NAME_IN_USE: NameInUseRegistration = NameInUseRegistration(Opaque::uninit());

    #[test]
    fn a_name_in_use_is_refused() -> Result {
        let m = Mounted::new()?;
        // Another type has the name: the registration, whose last step is
        // `register_filesystem()`, fails, and the slab cache it made goes again.
        let reg = NAME_IN_USE.0.get();
        // SAFETY: If it succeeded, the registration would be dropped at once, with no mount.
        let init = unsafe { Registration::<NameInUse>::new(&TEST_MODULE) };
        // SAFETY: `reg` is static, so it stays pinned, and not initialised: only this case
        // uses it, and a failed initialisation leaves nothing to drop.
        let second = unsafe { pin_init::raw_try_init(reg, init) };
        if second.is_ok() {
            // SAFETY: The registration was initialised just now and nothing uses it.
            unsafe { ptr::drop_in_place(reg) };
        }
        assert!(matches!(second, Err(e) if e == EBUSY));
        // The test's own type still works.
        let f = m.open(c"file", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert_eq!(f.write(b"x", 0)?, 1);
        Ok(())
    }

    #[test]
    fn statfs_and_evict_inode() -> Result {
        let m = Mounted::new()?;
        let idmap = MntIdmap::nop().as_raw();
        // The root only.
        assert_eq!(m.statfs()?, (TEST_FILES, TEST_FILES - 1));
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert_eq!(m.statfs()?, (TEST_FILES, TEST_FILES - 2));
        let d = m.start(c"f", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        let unlinked = unsafe { bindings::vfs_unlink(idmap, m.root_inode(), d.0, ptr::null_mut()) };
        to_result(unlinked)?;
        drop(d);
        // Open, so not evicted; its last close evicts it.
        assert_eq!(m.statfs()?, (TEST_FILES, TEST_FILES - 2));
        drop(f);
        assert_eq!(m.statfs()?, (TEST_FILES, TEST_FILES - 1));
        // The unmount evicts the rest.
        drop(m);
        assert_eq!(LIVE_INODES.load(Relaxed), 0);
        Ok(())
    }

    /// `chattr` through the VFS (`vfs_fileattr_set()`, `vfs_fileattr_get()`): the flags that
    /// `fileattr_set` returns are those the VFS enforces, and `lsattr` sees the immutable and
    /// append-only flags as enforced even from a `fileattr_get` that says otherwise (the VFS
    /// checks `CAP_LINUX_IMMUTABLE` against what it reports).
    #[test]
    fn inode_flags_as_enforced() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let idmap = MntIdmap::nop().as_raw();
        // SAFETY: The file is open, so its dentry and inode are valid.
        let (dentry, inode) = unsafe { ((*f.0).__bindgen_anon_1.f_path.dentry, (*f.0).f_inode) };
        // SAFETY: A `file_kattr` is plain data, valid zeroed.
        let mut attr: bindings::file_kattr = unsafe { core::mem::zeroed() };
        let set = |attr: &mut bindings::file_kattr, flags| {
            // SAFETY: `attr` is valid; the dentry is positive and of this file system.
            unsafe {
                bindings::fileattr_fill_flags(attr, flags);
                to_result(bindings::vfs_fileattr_set(idmap, dentry, attr))
            }
        };
        let get = |attr: &mut bindings::file_kattr| {
            // SAFETY: As above.
            to_result(unsafe { bindings::vfs_fileattr_get(dentry, attr) }).map(|()| attr.flags)
        };
        // SAFETY: The inode is valid.
        let i_flags = || unsafe { (*inode).i_flags };
        set(
            &mut attr,
            bindings::FS_IMMUTABLE_FL | bindings::FS_APPEND_FL,
        )?;
        assert_eq!(i_flags() & bindings::S_IMMUTABLE, bindings::S_IMMUTABLE);
        assert_eq!(i_flags() & bindings::S_APPEND, bindings::S_APPEND);
        let both = bindings::FS_IMMUTABLE_FL | bindings::FS_APPEND_FL;
        assert_eq!(get(&mut attr)?, both);
        // A write open is refused now.
        assert!(matches!(m.open(c"f", bindings::O_WRONLY, 0), Err(e) if e == EPERM));
        set(&mut attr, bindings::FS_APPEND_FL)?;
        assert_eq!(i_flags() & bindings::S_IMMUTABLE, 0);
        assert_eq!(get(&mut attr)?, bindings::FS_APPEND_FL);
        set(&mut attr, 0)?;
        assert_eq!(i_flags() & (bindings::S_IMMUTABLE | bindings::S_APPEND), 0);
        assert_eq!(get(&mut attr)?, 0);
        drop(m.open(c"f", bindings::O_WRONLY, 0)?);
        Ok(())
    }

    #[test]
    fn inodes_have_data() -> Result {
        let (made0, drops) = (DATA_MADE.load(Relaxed), DATA_DROPS.load(Relaxed));
        let m = Mounted::new()?;
        let idmap = MntIdmap::nop().as_raw();
        let made = DATA_MADE.load(Relaxed);
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // SAFETY: The file is open, so its inode is valid and of a `TestFs`.
        let inode = unsafe { INode::<TestFs>::from_raw((*f.0).f_inode) };
        // The data the creation made, seen through the inode, and through the root.
        assert_eq!(inode.data().serial, made + 1);
        assert_eq!(DATA_MADE.load(Relaxed), made + 1);
        // SAFETY: The root is valid while the mount lives, and is a `TestFs` inode.
        let root = unsafe { INode::<TestFs>::from_raw(m.root_inode()) };
        assert!(root.data().serial > made0 && root.data().serial <= made);
        // Data that fails to initialise fails the creation with its error, and the inode the
        // VFS allocated goes without `evict_inode` and without a drop.
        let live = LIVE_INODES.load(Relaxed);
        {
            let _bad = misbehave(Misbehave::DataFails);
            let e = m
                .open(c"g", bindings::O_CREAT | bindings::O_RDWR, 0o644)
                .err();
            assert_eq!(e, Some(ENOTRECOVERABLE));
        }
        assert_eq!(LIVE_INODES.load(Relaxed), live);
        assert_eq!(DATA_DROPS.load(Relaxed), drops);
        assert!(matches!(m.open(c"g", bindings::O_RDONLY, 0), Err(e) if e == ENOENT));
        // The data is dropped once, when the inode goes: the last close of an unlinked file.
        let d = m.start(c"f", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        let unlinked = unsafe { bindings::vfs_unlink(idmap, m.root_inode(), d.0, ptr::null_mut()) };
        to_result(unlinked)?;
        drop(d);
        assert_eq!(DATA_DROPS.load(Relaxed), drops);
        drop(f);
        assert_eq!(DATA_DROPS.load(Relaxed), drops + 1);
        // `evict_inode` saw the data before it went.
        assert_eq!(LAST_EVICTED.load(Relaxed), made + 1);
        // The unmount drops the data of the rest, the root's: all that was made is dropped.
        drop(m);
        let made_here = DATA_MADE.load(Relaxed) - made0;
        assert_eq!(made_here, 2);
        assert_eq!(DATA_DROPS.load(Relaxed) - drops, made_here);
        Ok(())
    }

    #[test]
    fn links_followed_in_rust() -> Result {
        let m = Mounted::new()?;
        let _rust = rust_links();
        let idmap = MntIdmap::nop().as_raw();
        let none = ptr::null_mut();
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let d = m.start(c"l", true)?;
        // SAFETY: `d` is a negative dentry of the locked root and the target a valid string.
        to_result(unsafe {
            bindings::vfs_symlink(idmap, m.root_inode(), d.0, c"f".as_char_ptr(), none)
        })?;
        // `readlink(2)`'s question: the target itself.
        let calls = LINK_CALLS.load(Relaxed);
        let mut done: bindings::delayed_call = pin_init::zeroed();
        // SAFETY: `d` is now a positive dentry, a symbolic link; `done` is valid for writes.
        let target = from_err_ptr(unsafe { bindings::vfs_get_link(d.0, &mut done) }.cast_mut())?;
        // SAFETY: `get_link` returned a string that lives while the link does, and sets no
        // delayed call.
        assert_eq!(unsafe { CStr::from_char_ptr(target) }, c"f");
        assert!(done.fn_.is_none());
        drop(d);
        // The VFS follows it, calling `LinkOps::get_link` once, with references taken (its RCU
        // walk, if it took one, was refused before Rust was called).
        let via = m.open(c"l", bindings::O_RDONLY, 0)?;
        // SAFETY: Both files are open.
        assert!(unsafe { (*via.0).f_inode == (*f.0).f_inode });
        assert_eq!(LINK_CALLS.load(Relaxed), calls + 2);
        // A target made in the call comes with a delayed call that frees it.
        RUST_LINKS.store(2, Relaxed);
        {
            let d = m.start(c"l", false)?;
            let mut done: bindings::delayed_call = pin_init::zeroed();
            // SAFETY: `d` is a positive dentry, a symbolic link; `done` is valid for writes.
            let owned = from_err_ptr(unsafe { bindings::vfs_get_link(d.0, &mut done) }.cast_mut())?;
            assert!(owned != target);
            // SAFETY: The target lives until its delayed call.
            assert_eq!(unsafe { CStr::from_char_ptr(owned) }, c"f");
            let free = done.fn_.ok_or(EINVAL)?;
            // SAFETY: As `do_delayed_call()`, once; the target is not used after.
            unsafe { free(done.arg) };
        }
        // The VFS follows it, and frees it.
        let via = m.open(c"l", bindings::O_RDONLY, 0)?;
        // SAFETY: Both files are open.
        assert!(unsafe { (*via.0).f_inode == (*f.0).f_inode });
        RUST_LINKS.store(1, Relaxed);
        // Its error is the walk's.
        {
            let _fails = misbehave(Misbehave::LinkFails);
            assert!(matches!(m.open(c"l", bindings::O_RDONLY, 0), Err(e) if e == EXDEV));
        }
        // A regular file may not have a Rust `get_link`: the dcache would take it for a link.
        {
            let _wrong = misbehave(Misbehave::RustLinkOps);
            let made = m.open(c"w", bindings::O_CREAT | bindings::O_RDWR, 0o644);
            assert!(matches!(made, Err(e) if e == EINVAL));
        }
        Ok(())
    }

    #[test]
    fn links_kept_with_the_inode() -> Result {
        let m = Mounted::new()?;
        CACHED_LINKS.store(1, Relaxed);
        let _cached = crate::types::ScopeGuard::new(|| CACHED_LINKS.store(0, Relaxed));
        let idmap = MntIdmap::nop().as_raw();
        let none = ptr::null_mut();
        let symlink = |name: &CStr, target: &CStr| -> Result {
            let d = m.start(name, true)?;
            // SAFETY: `d` is a negative dentry of the locked root and the target a valid
            // string.
            to_result(unsafe {
                bindings::vfs_symlink(idmap, m.root_inode(), d.0, target.as_char_ptr(), none)
            })
        };
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        symlink(c"l", c"f")?;
        {
            let d = m.start(c"l", false)?;
            // SAFETY: `d` is a positive dentry, a symbolic link.
            let inode = unsafe { (*d.0).d_inode };
            // Kept with the inode, not in its page cache, with its size.
            // SAFETY: The inode is valid while `d` holds it.
            let (flags, size, pages, link) = unsafe {
                (
                    u32::from((*inode).i_opflags),
                    (*inode).i_size,
                    (*(*inode).i_mapping).nrpages,
                    (*inode).__bindgen_anon_5.i_link,
                )
            };
            assert!(flags & bindings::IOP_CACHED_LINK != 0);
            assert_eq!((size, pages), (1, 0));
            let mut done: bindings::delayed_call = pin_init::zeroed();
            // SAFETY: `d` is a positive dentry, a symbolic link; `done` is valid for writes.
            let got = unsafe { bindings::vfs_get_link(d.0, &mut done) };
            let target = from_err_ptr(got.cast_mut())?;
            assert!(target == link && done.fn_.is_none());
            // SAFETY: The target lives while the link does.
            assert_eq!(unsafe { CStr::from_char_ptr(target) }, c"f");
        }
        // The VFS follows it.
        let via = m.open(c"l", bindings::O_RDONLY, 0)?;
        // SAFETY: Both files are open.
        assert!(unsafe { (*via.0).f_inode == (*f.0).f_inode });
        // A target of a page with its NUL is the longest.
        let mut long = KVec::new();
        for _ in 0..crate::page::PAGE_SIZE - 1 {
            long.push(b'a', GFP_KERNEL)?;
        }
        long.push(0, GFP_KERNEL)?;
        symlink(
            c"long",
            CStr::from_bytes_with_nul(&long).map_err(|_| EINVAL)?,
        )?;
        {
            let d = m.start(c"long", false)?;
            let mut done: bindings::delayed_call = pin_init::zeroed();
            // SAFETY: `d` is a positive dentry, a symbolic link; `done` is valid for writes.
            let got = unsafe { bindings::vfs_get_link(d.0, &mut done) };
            let target = from_err_ptr(got.cast_mut())?;
            // SAFETY: The target lives while the link does.
            let target = unsafe { CStr::from_char_ptr(target) };
            assert_eq!(target.to_bytes_with_nul(), &long[..]);
        }
        long.pop();
        long.push(b'a', GFP_KERNEL)?;
        long.push(0, GFP_KERNEL)?;
        let longer = CStr::from_bytes_with_nul(&long).map_err(|_| EINVAL)?;
        assert!(matches!(symlink(c"longer", longer), Err(e) if e == ENAMETOOLONG));
        // A second target, none or an empty one is refused, as is a regular file with the
        // operations.
        for how in [Misbehave::SymlinkTwice, Misbehave::NoTarget] {
            let _how = misbehave(how);
            assert!(matches!(symlink(c"t", c"f"), Err(e) if e == EINVAL));
        }
        assert!(matches!(symlink(c"t", c""), Err(e) if e == EINVAL));
        {
            let _wrong = misbehave(Misbehave::LinkOps);
            let made = m.open(c"w", bindings::O_CREAT | bindings::O_RDWR, 0o644);
            assert!(matches!(made, Err(e) if e == EINVAL));
        }
        // The targets go with their inodes, when the file system is unmounted (kmemleak, in
        // the reliability gate's kernel, reports one that does not).
        Ok(())
    }

    /// A listing by `iterate_dir()` into a string of names, each followed by a space, with room
    /// for `room` entries, of regular files with inode numbers in `inos`, if it is set.
    #[repr(C)]
    struct Listing {
        ctx: bindings::dir_context,
        names: KVec<u8>,
        room: usize,
        inos: Option<core::ops::Range<u64>>,
    }

    /// # Safety
    ///
    /// `ctx` must be the context of a [`Listing`] and `name` valid for reads of `len` bytes.
    unsafe extern "C" fn take_entry(
        ctx: *mut bindings::dir_context,
        name: *const c_char,
        len: c_int,
        _pos: i64,
        ino: u64,
        typ: c_uint,
    ) -> bool {
        // SAFETY: The context is the first field of a `Listing`, which `list` owns.
        let l = unsafe { &mut *ctx.cast::<Listing>() };
        if l.room == 0 {
            return false;
        }
        l.room -= 1;
        // SAFETY: See the function's safety section.
        let name = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), len as usize) };
        // Some callers read the name as a C string.
        // SAFETY: Every name a listing of the abstractions gives has a NUL after it.
        assert_eq!(unsafe { *name.as_ptr().add(name.len()) }, 0);
        let dots = name == b"." || name == b"..";
        if let Some(inos) = &l.inos {
            assert_eq!(
                typ,
                if dots {
                    bindings::DT_DIR
                } else {
                    bindings::DT_REG
                }
            );
            assert!(dots || inos.contains(&ino));
        }
        l.names.extend_from_slice(name, GFP_KERNEL).is_ok()
            && l.names.push(b' ', GFP_KERNEL).is_ok()
    }

    /// `getdents(2)` of `dir` with room for `room` entries, of a directory listed in Rust
    /// ([`rust_dirs`]).
    fn list(dir: &OpenFile, room: usize) -> Result<KVec<u8>> {
        list_inos(dir, room, Some(100..103))
    }

    /// `getdents(2)` of `dir` with room for `room` entries, of regular files with inode numbers
    /// in `inos`, if it is set, or of any entries.
    fn list_inos(
        dir: &OpenFile,
        room: usize,
        inos: Option<core::ops::Range<u64>>,
    ) -> Result<KVec<u8>> {
        let mut l = Listing {
            ctx: pin_init::zeroed(),
            names: KVec::new(),
            room,
            inos,
        };
        l.ctx.actor = Some(take_entry);
        // SAFETY: The directory is open; `l` lives through the call.
        to_result(unsafe { bindings::iterate_dir(dir.0, &mut l.ctx) })?;
        Ok(l.names)
    }

    #[test]
    fn directories_listed_in_rust() -> Result {
        let m = Mounted::new()?;
        let idmap = MntIdmap::nop().as_raw();
        {
            let _rust = rust_dirs();
            let d = m.start(c"d", true)?;
            let raw = d.0;
            core::mem::forget(d);
            // SAFETY: `raw` is a negative dentry of the root, which `start_creating()` locked;
            // `vfs_mkdir()` releases it on failure, so it is only wrapped again on success.
            drop(DirOp(from_err_ptr(unsafe {
                bindings::vfs_mkdir(idmap, m.root_inode(), raw, 0o755, ptr::null_mut())
            })?));
        }
        let dir = m.open(c"d", bindings::O_RDONLY | bindings::O_DIRECTORY, 0)?;
        assert_eq!(&list(&dir, 100)?[..], b". .. a b c ");
        // The end: nothing more.
        assert_eq!(&list(&dir, 100)?[..], b"");
        // A full buffer stops the listing, and the next one goes on from there.
        assert_eq!(dir.seek(0, bindings::SEEK_SET)?, 0);
        assert_eq!(&list(&dir, 3)?[..], b". .. a ");
        assert_eq!(&list(&dir, 3)?[..], b"b c ");
        // A position from lseek(2), and one beyond the entries.
        assert_eq!(dir.seek(3, bindings::SEEK_SET)?, 3);
        assert_eq!(&list(&dir, 100)?[..], b"b c ");
        assert_eq!(dir.seek(1000, bindings::SEEK_SET)?, 1000);
        assert_eq!(&list(&dir, 100)?[..], b"");
        // A name with a `/` or a dot entry among the others is refused, and so is the
        // listing; so is a position that lseek(2) could not set again.
        for how in [
            Misbehave::BadName,
            Misbehave::DotName,
            Misbehave::NegativePos,
        ] {
            let _bad = misbehave(how);
            assert_eq!(dir.seek(2, bindings::SEEK_SET)?, 2);
            assert!(matches!(list(&dir, 100), Err(e) if e == EINVAL));
        }
        Ok(())
    }

    #[test]
    fn multigrain_timestamps() -> Result {
        let m = Mounted::new()?;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // SAFETY: The file is open, so its inode is valid.
        let flags = unsafe { (*(*f.0).f_inode).i_opflags };
        assert_ne!(u32::from(flags) & bindings::IOP_MGTIME, 0);
        // A change after the change time was read gets a later one, however soon it comes (a
        // coarse clock gives the same time to changes within a tick).
        for _ in 0..5 {
            let before = f.ctime()?;
            assert_eq!(f.write(b"x", 0)?, 1);
            assert!(f.ctime()? > before);
        }
        Ok(())
    }

    /// The offset map of `dir` (`get_offset_ctx`), a directory of the test file system.
    fn offset_map(dir: *mut bindings::inode) -> *mut bindings::offset_ctx {
        // SAFETY: `dir` is a valid inode, whose operations are a valid table.
        let get = unsafe { (*(*dir).i_op).get_offset_ctx };
        // SAFETY: As above; the operation is given a directory of its file system.
        get.map_or(ptr::null_mut(), |get| unsafe { get(dir) })
    }

    #[test]
    fn offset_maps_made_with_the_first_name() -> Result {
        let m = Mounted::new()?;
        let root = m.root_inode();
        let idmap = MntIdmap::nop().as_raw();
        let mkdir = |name: &CStr| -> Result<*mut bindings::inode> {
            let d = m.start(name, true)?;
            let raw = d.0;
            core::mem::forget(d);
            // SAFETY: `raw` is a negative dentry of the root, which `start_creating()` locked;
            // `vfs_mkdir()` releases it on failure, so it is only wrapped again on success.
            let dir = DirOp(from_err_ptr(unsafe {
                bindings::vfs_mkdir(idmap, root, raw, 0o755, ptr::null_mut())
            })?);
            // SAFETY: The new directory's dentry is positive; its inode lives while the file
            // system is mounted, in the dcache.
            Ok(unsafe { (*dir.0).d_inode })
        };
        // Every new directory shares one empty map, until a name is made in it; then it has a
        // map of its own, which it keeps with no name left.
        let shared = offset_map(root);
        assert!(!shared.is_null());
        drop(m.open(c"f", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        let root_map = offset_map(root);
        assert!(root_map != shared);
        let d = m.start(c"f", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        to_result(unsafe { bindings::vfs_unlink(idmap, root, d.0, ptr::null_mut()) })?;
        drop(d);
        assert_eq!(offset_map(root), root_map);
        let a = mkdir(c"a")?;
        let b = mkdir(c"b")?;
        assert_eq!((offset_map(a), offset_map(b)), (shared, shared));
        assert_eq!(offset_map(root), root_map);
        // An empty directory is listed, from the start and from any position.
        let dir = m.open(c"a", bindings::O_RDONLY | bindings::O_DIRECTORY, 0)?;
        assert_eq!(&list(&dir, 100)?[..], b". .. ");
        assert_eq!(dir.seek(1000, bindings::SEEK_SET)?, 1000);
        assert_eq!(&list(&dir, 100)?[..], b"");
        assert_eq!(dir.seek(3, bindings::SEEK_SET)?, 3);
        assert_eq!(&list(&dir, 100)?[..], b"");
        drop(m.open(c"a/f", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        let own = offset_map(a);
        assert!(own != shared && own != root_map);
        assert_eq!(offset_map(b), shared);
        let d = m.start(c"a", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        let err = to_result(unsafe { bindings::vfs_rmdir(idmap, root, d.0, ptr::null_mut()) });
        assert!(matches!(err, Err(e) if e == ENOTEMPTY));
        drop(d);
        drop(dir);
        // Nothing changed the shared map: it is still all zeroes, an empty maple tree.
        // SAFETY: The shared map is a static, valid for reads of its size.
        let bytes = unsafe {
            core::slice::from_raw_parts(shared.cast::<u8>(), size_of::<bindings::offset_ctx>())
        };
        assert!(bytes.iter().all(|&b| b == 0));
        Ok(())
    }

    /// Whether the offset map `map` has no entry in its maple tree.
    fn map_empty(map: *mut bindings::offset_ctx) -> bool {
        // SAFETY: `map` is a valid offset map, which the test does not change meanwhile.
        unsafe { (*map).mt.ma_root.is_null() }
    }

    #[test]
    fn offset_maps_filled_when_read_past_the_start() -> Result {
        let m = Mounted::new()?;
        let (idmap, root) = (MntIdmap::nop().as_raw(), m.root_inode());
        let list = |dir: &OpenFile, room| list_inos(dir, room, None);
        let unlink = |name: &CStr| -> Result {
            let d = m.start(name, false)?;
            // SAFETY: `d` is a positive dentry of the locked root.
            to_result(unsafe { bindings::vfs_unlink(idmap, root, d.0, ptr::null_mut()) })
        };
        for name in [c"a", c"b", c"c", c"d", c"e"] {
            drop(m.open(name, bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        }
        // Before the map is filled, names are renamed, exchanged and removed by their offsets
        // alone: `a` takes a new one, the latest, and `b` and `d` swap theirs. (A listing goes
        // in the order of the dcache's children, as on tmpfs: the dentry last made or moved
        // first.)
        m.rename(c"a", c"f", 0)?;
        m.rename(c"b", c"d", bindings::RENAME_EXCHANGE)?;
        unlink(c"e")?;
        let map = offset_map(root);
        assert!(map_empty(map));
        // A listing from the start in one call, and one at the end, need no map.
        let dir = m.open(c".", bindings::O_RDONLY | bindings::O_DIRECTORY, 0)?;
        assert_eq!(&list(&dir, 100)?[..], b". .. d b f c ");
        assert_eq!(&list(&dir, 100)?[..], b"");
        assert_eq!(dir.seek(0, bindings::SEEK_SET)?, 0);
        assert_eq!(&list(&dir, 3)?[..], b". .. d ");
        assert!(map_empty(map));
        // Going on from a position fills it, with each name at the offset it was given.
        assert_eq!(&list(&dir, 1)?[..], b"b ");
        assert!(!map_empty(map));
        assert_eq!(&list(&dir, 100)?[..], b"f c ");
        // The offsets: `b` 4, `c` 5, `d` 6, `f` 8 (`a`'s was 3, `e`'s 7). A position goes on
        // from the entry at it, or from the one at the offset below it, or from the start.
        let from: [&[u8]; 9] = [
            b"d b f c ",
            b"b f c ",
            b"c ",
            b"d b f c ",
            b"d b f c ",
            b"f c ",
            b"f c ",
            b"f c ",
            b"f c ",
        ];
        for (pos, names) in (3..).zip(from) {
            assert_eq!(dir.seek(pos, bindings::SEEK_SET)?, pos);
            assert_eq!(&list(&dir, 100)?[..], names);
        }
        // Names made, renamed and removed from then on change the map too.
        m.rename(c"b", c"g", 0)?;
        m.rename(c"c", c"f", bindings::RENAME_EXCHANGE)?;
        unlink(c"d")?;
        drop(m.open(c"h", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        assert_eq!(dir.seek(0, bindings::SEEK_SET)?, 0);
        assert_eq!(&list(&dir, 3)?[..], b". .. h ");
        assert_eq!(&list(&dir, 1)?[..], b"f ");
        assert_eq!(&list(&dir, 100)?[..], b"c g ");
        drop(dir);
        // One mount of the test file system at a time.
        drop(m);
        // Offsets that would wrap fill the map first: only it knows which are free.
        let m = Mounted::new()?;
        drop(m.open(c"a", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        let map = offset_map(m.root_inode());
        // SAFETY: The map is valid, and nothing else uses the new file system. The next offset
        // is the last one `simple_offset_add()` gives before it wraps.
        unsafe { (*map).next_offset = (i32::MAX - 1) as usize };
        drop(m.open(c"b", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        assert!(map_empty(map));
        drop(m.open(c"c", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        assert!(!map_empty(map));
        let dir = m.open(c".", bindings::O_RDONLY | bindings::O_DIRECTORY, 0)?;
        assert_eq!(&list(&dir, 3)?[..], b". .. c ");
        assert_eq!(&list(&dir, 1)?[..], b"b ");
        assert_eq!(&list(&dir, 100)?[..], b"a ");
        drop(dir);
        drop(m);
        // A rename with a whiteout in one directory fills the map first: the whiteout's offset,
        // given after the target's is reserved, could fill it without the target.
        let m = Mounted::new()?;
        drop(m.open(c"a", bindings::O_CREAT | bindings::O_WRONLY, 0o644)?);
        let map = offset_map(m.root_inode());
        // SAFETY: As above. The target gets the last offset before the wrap, the whiteout the
        // first after it.
        unsafe { (*map).next_offset = (i32::MAX - 1) as usize };
        m.rename(c"a", c"b", bindings::RENAME_WHITEOUT)?;
        assert!(!map_empty(map));
        let dir = m.open(c".", bindings::O_RDONLY | bindings::O_DIRECTORY, 0)?;
        assert_eq!(&list(&dir, 3)?[..], b". .. b ");
        assert_eq!(&list(&dir, 100)?[..], b"a ");
        Ok(())
    }

    #[test]
    fn charged_pages() -> Result {
        let m = Mounted::new()?;
        let page = crate::page::PAGE_SIZE;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let mut data = KVec::new();
        data.extend_from_slice(&[7u8; 1000], GFP_KERNEL)?;
        // A write is charged for every page up to its end, holes included.
        assert_eq!(f.write(&data, 10 * page as i64)?, 1000);
        assert_eq!(CHARGED_PAGES.load(Relaxed), 11);
        // Past the limit, a write is cut to what fits, then fails.
        let last = (TEST_PAGES as usize * page - 500) as i64;
        assert_eq!(f.write(&data, last)?, 500);
        assert_eq!(CHARGED_PAGES.load(Relaxed), TEST_PAGES);
        assert!(matches!(f.write(&data, last + 500), Err(e) if e == ENOSPC));
        // So do growing the size and allocating, which leave the file as it was.
        let size = f.size();
        assert!(matches!(f.truncate(size + page as i64), Err(e) if e == ENOSPC));
        assert!(matches!(f.fallocate(0, size, page as i64), Err(e) if e == ENOSPC));
        assert_eq!(f.size(), size);
        // Shrinking gives the pages back; unlinking and closing the rest.
        f.truncate(page as i64 + 1)?;
        assert_eq!(CHARGED_PAGES.load(Relaxed), 2);
        f.fallocate(bindings::FALLOC_FL_KEEP_SIZE, 0, 4 * page as i64)?;
        assert_eq!(CHARGED_PAGES.load(Relaxed), 4);
        // A write of which no byte fits charges nothing, however much would fit before it.
        let far = 2 * TEST_PAGES * page as i64;
        assert!(matches!(f.write(&data, far), Err(e) if e == ENOSPC));
        assert_eq!(CHARGED_PAGES.load(Relaxed), 4);
        let idmap = MntIdmap::nop().as_raw();
        let d = m.start(c"f", false)?;
        // SAFETY: `d` is a positive dentry of the locked root.
        let unlinked = unsafe { bindings::vfs_unlink(idmap, m.root_inode(), d.0, ptr::null_mut()) };
        to_result(unlinked)?;
        drop(d);
        assert_eq!(CHARGED_PAGES.load(Relaxed), 4);
        drop(f);
        assert_eq!(CHARGED_PAGES.load(Relaxed), 0);
        Ok(())
    }

    #[test]
    fn address_space_operations_in_rust() -> Result {
        let m = Mounted::new()?;
        let on = pattern(Pattern::On);
        let f = m.open(c"p", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // The data comes from `read_folio`.
        f.truncate(3 * 4096 + 100)?;
        let mut buf = [0u8; 16];
        assert_eq!(f.read(&mut buf, 4090)?, 16);
        for (i, b) in buf.iter().enumerate() {
            assert_eq!(*b, (4090 + i) as u8);
        }
        // A write goes through `write_begin`, which filled the rest of the folio first.
        assert_eq!(f.write(b"xyz", 5000)?, 3);
        assert_eq!(f.read(&mut buf[..7], 4998)?, 7);
        assert_eq!(
            &buf[..7],
            &[
                4998u16 as u8,
                4999u16 as u8,
                b'x',
                b'y',
                b'z',
                5003u16 as u8,
                5004u16 as u8
            ]
        );
        // A write past the end extends the size (the abstractions' part of `write_end`).
        assert_eq!(f.write(b"abc", 20000)?, 3);
        assert_eq!(f.size(), 20003);
        assert_eq!(f.read(&mut buf[..4], 19999)?, 4);
        assert_eq!(&buf[..4], &[19999u16 as u8, b'a', b'b', b'c']);
        // What was written is dirty: dropping the clean folios (`drop_caches`) keeps it.
        // SAFETY: The file is open, so its mapping is valid.
        unsafe { bindings::invalidate_mapping_pages((*f.0).f_mapping, 0, !0) };
        assert_eq!(f.read(&mut buf[..7], 4998)?, 7);
        assert_eq!(&buf[..3], &[4998u16 as u8, 4999u16 as u8, b'x']);
        assert_eq!(f.read(&mut buf[..4], 19999)?, 4);
        assert_eq!(&buf[..4], &[19999u16 as u8, b'a', b'b', b'c']);
        // A symbolic link cannot have Rust address-space operations: the kernel reads its
        // target from the folio without the folio's lock.
        let idmap = MntIdmap::nop().as_raw();
        let d = m.start(c"l", true)?;
        let none = ptr::null_mut();
        // SAFETY: `d` is a negative dentry of the locked root.
        let made =
            unsafe { bindings::vfs_symlink(idmap, m.root_inode(), d.0, c"p".as_char_ptr(), none) };
        assert!(matches!(to_result(made), Err(e) if e == EINVAL));
        drop(d);
        // Truncating removes the folios from the page cache: what was written is gone, and
        // `read_folio` fills them again when the size grows back.
        f.truncate(0)?;
        f.truncate(6000)?;
        assert_eq!(f.read(&mut buf[..3], 5000)?, 3);
        assert_eq!(&buf[..3], &[5000u16 as u8, 5001u16 as u8, 5002u16 as u8]);
        drop(on);
        // A folio for another position is refused.
        let wrong = pattern(Pattern::WrongFolio);
        let g = m.open(c"w", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert!(matches!(g.write(b"a", 0), Err(e) if e == EIO));
        assert_eq!(g.size(), 0);
        drop(wrong);
        // Operations that cannot write are refused for a file that the kernel writes.
        let _read_only = pattern(Pattern::ReadOnly);
        assert!(matches!(
            m.open(c"r", bindings::O_CREAT | bindings::O_RDWR, 0o644),
            Err(e) if e == EINVAL
        ));
        Ok(())
    }

    #[test]
    fn folios_leave_through_rust() -> Result {
        let m = Mounted::new()?;
        let _on = pattern(Pattern::On);
        let f = m.open(c"v", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // SAFETY: The file is open, so its mapping is valid.
        let mapping = unsafe { (*f.0).f_mapping };
        // SAFETY: As above.
        let cached = || unsafe { (*mapping).nrpages };
        let drop_clean = || {
            // SAFETY: As above; the folios in the per-CPU LRU caches go to the LRU lists first,
            // or their extra reference would keep them.
            unsafe {
                bindings::lru_add_drain_all();
                bindings::invalidate_mapping_pages(mapping, 0, !0)
            }
        };
        let (whole, parts, releases) = (
            WHOLE_DIRTY.load(Relaxed),
            PARTS.load(Relaxed),
            RELEASES.load(Relaxed),
        );
        // Two clean folios that `read_folio` filled, and a dirty one that was written.
        f.truncate(4 * 4096)?;
        let mut buf = [0u8; 1];
        assert_eq!(f.read(&mut buf, 0)?, 1);
        assert_eq!(f.read(&mut buf, 4096)?, 1);
        assert_eq!(f.write(b"d", 2 * 4096)?, 1);
        assert_eq!(cached(), 3);
        // Dropping the clean folios (`drop_caches`) asks `release_folio`, which may keep them.
        KEEP.store(1, Relaxed);
        drop_clean();
        KEEP.store(0, Relaxed);
        assert_eq!(cached(), 3);
        assert_eq!(RELEASES.load(Relaxed) - releases, 2);
        drop_clean();
        assert_eq!(cached(), 1);
        assert_eq!(RELEASES.load(Relaxed) - releases, 4);
        // A truncation invalidates a part of the last folio it keeps, and the folios it
        // removes whole, while they are still dirty.
        f.truncate(2 * 4096 + 100)?;
        assert_eq!(PARTS.load(Relaxed) - parts, 1);
        assert_eq!(WHOLE_DIRTY.load(Relaxed) - whole, 0);
        f.truncate(0)?;
        assert_eq!(WHOLE_DIRTY.load(Relaxed) - whole, 1);
        assert_eq!(cached(), 0);
        Ok(())
    }

    #[test]
    fn unfilled_folios_leave() -> Result {
        let m = Mounted::new()?;
        let _unfilled = pattern(Pattern::Unfilled);
        let f = m.open(c"u", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // SAFETY: The file is open, so its mapping is valid.
        let mapping = unsafe { (*f.0).f_mapping };
        // SAFETY: As above.
        let cached = || unsafe { (*mapping).nrpages };
        // A folio that `read_folio` failed to fill is not left in the page cache.
        f.truncate(2 * 4096)?;
        let mut buf = [0u8; 1];
        assert!(matches!(f.read(&mut buf, 4096), Err(e) if e == ENOSPC));
        assert_eq!(cached(), 0);
        // Nor is one that `write_begin` removed.
        assert!(matches!(f.write(b"w", 0), Err(e) if e == ENOSPC));
        assert_eq!(cached(), 0);
        assert_eq!(f.size(), 2 * 4096);
        Ok(())
    }

    #[test]
    fn writes_fill_new_folios() -> Result {
        fills_around_writes(Pattern::Window)
    }

    /// A `write_begin` may return a folio whose window is not the write's: the trampoline
    /// zeroes it, or the bytes around the write would read as what the memory held before.
    #[test]
    fn writes_fill_new_folios_wider_window() -> Result {
        fills_around_writes(Pattern::WideWindow)
    }

    /// As [`writes_fill_new_folios_wider_window`], with a window of the write's length that
    /// starts a byte before it.
    #[test]
    fn writes_fill_new_folios_shifted_window() -> Result {
        fills_around_writes(Pattern::ShiftedWindow)
    }

    /// Writes 2 bytes into each of 8 new folios, with [`PatternAops`] as `how` makes them, and
    /// checks that every other byte reads as zero.
    ///
    /// The folios are likely made of the pages of a file of `0xff` bytes just truncated, so
    /// a byte the abstractions fail to zero likely reads as `0xff`; not certainly: the page
    /// allocator decides, and a failure to zero may go unseen in one run.
    fn fills_around_writes(how: Pattern) -> Result {
        let m = Mounted::new()?;
        let page = crate::page::PAGE_SIZE;
        // Pages full of 0xff, freed again: the next folios are likely made of them.
        let junk = m.open(c"junk", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let ff = KVec::from_elem(0xffu8, 8 * page, GFP_KERNEL)?;
        assert_eq!(junk.write(&ff, 0)?, ff.len() as isize);
        junk.truncate(0)?;
        let _window = pattern(how);
        let f = m.open(c"w", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // Writes to new folios: their bytes around what is written read as zeroes.
        for i in 0..8 {
            assert_eq!(f.write(b"hi", (i * page + 100) as i64)?, 2);
        }
        f.truncate((8 * page) as i64)?;
        let mut buf = KVec::from_elem(0xeeu8, 8 * page, GFP_KERNEL)?;
        assert_eq!(f.read(&mut buf, 0)?, buf.len() as isize);
        for (i, b) in buf.iter().enumerate() {
            let expect = match i % page {
                100 => b'h',
                101 => b'i',
                _ => 0,
            };
            assert_eq!(*b, expect);
        }
        Ok(())
    }

    #[test]
    fn seek_holes_and_extend_size() -> Result {
        let m = Mounted::new()?;
        let _holes = pattern(Pattern::Holes);
        let f = m.open(c"h", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let page = crate::page::PAGE_SIZE as i64;
        // The size grows, but nothing is in the page cache: all hole.
        f.fallocate(0, page, 3 * page)?;
        assert_eq!(f.size(), 4 * page);
        assert!(matches!(f.seek(0, bindings::SEEK_DATA), Err(e) if e == ENXIO));
        assert_eq!(f.seek(0, bindings::SEEK_HOLE)?, 0);
        // A folio that `read_folio` filled (the kernel's reads) is data.
        let mut buf = [0u8; 1];
        assert_eq!(f.read(&mut buf, 2 * page)?, 1);
        assert_eq!(f.seek(0, bindings::SEEK_DATA)?, 2 * page);
        assert_eq!(f.seek(2 * page, bindings::SEEK_HOLE)?, 3 * page);
        // The other whences are `generic_file_llseek()`'s.
        assert_eq!(f.seek(-page, bindings::SEEK_END)?, 3 * page);
        // A smaller end changes nothing; one beyond the maximum size is refused.
        f.fallocate(0, 0, page)?;
        assert_eq!(f.size(), 4 * page);
        assert!(matches!(f.fallocate(0, i64::MAX - page, page), Err(e) if e == EFBIG));
        assert!(matches!(f.fallocate(1, 0, page), Err(e) if e == EOPNOTSUPP));
        Ok(())
    }

    #[test]
    fn sparse_reads() -> Result {
        let m = Mounted::new()?;
        let _on = pattern(Pattern::Sparse);
        let f = m.open(c"s", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let page = crate::page::PAGE_SIZE;
        // Folios at pages 0, 1 and 4, filled with the pattern by `write_begin`; 2 and 3 are a
        // hole, and so is what follows page 4 up to the size. Extending the size zeroes page 4
        // beyond the old size (`pagecache_isize_extended()`, blocks are smaller than pages).
        for i in [0, 1, 4] {
            assert_eq!(f.write(b"x", (i * page + 7) as i64)?, 1);
        }
        f.truncate((6 * page + 10) as i64)?;
        // SAFETY: The file is open, so its mapping is valid.
        let nrpages = || unsafe { (*(*f.0).f_mapping).nrpages };
        assert_eq!(nrpages(), 3);
        // One read from the middle of page 1 to beyond the end: folios, hole, folio, hole.
        let mut buf = KVec::from_elem(0xeeu8, 6 * page, GFP_KERNEL)?;
        let start = page + 100;
        let want = 5 * page + 10 - 100;
        assert_eq!(f.read(&mut buf, start as i64)?, want as isize);
        for (i, b) in buf[..want].iter().enumerate() {
            let pos = start + i;
            let expect = match pos / page {
                2 | 3 | 5 | 6 => 0,
                4 if pos % page > 7 => 0,
                _ if pos % page == 7 => b'x',
                _ => pos as u8,
            };
            assert_eq!(*b, expect);
        }
        assert_eq!(buf[want], 0xee);
        // The hole took no folio.
        assert_eq!(nrpages(), 3);
        Ok(())
    }

    #[test]
    fn file_operations_in_rust() -> Result {
        let m = Mounted::new()?;
        // A file with the kernel's in-memory operations, to copy from and to.
        let src = m.open(c"src", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert_eq!(src.write(b"spliced!", 0)?, 8);
        let on = pattern(Pattern::RustFile);
        let f = m.open(c"q", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        // `write_iter` writes through `write_begin`, which fills the folio with the pattern.
        assert_eq!(f.write(b"hello", 8202)?, 5);
        assert_eq!(f.size(), 8207);
        let mut buf = [0xffu8; 8];
        assert_eq!(f.read(&mut buf, 8200)?, 7);
        assert_eq!(
            &buf[..7],
            &[8200u16 as u8, 8201u16 as u8, b'h', b'e', b'l', b'l', b'o']
        );
        // `read_iter` reads a hole as zeroes without `read_folio`, which would give the pattern.
        assert_eq!(f.read(&mut buf, 100)?, 8);
        assert_eq!(buf, [0u8; 8]);
        // `llseek`, and the position it returns checked by the abstractions.
        assert_eq!(f.seek(-7, bindings::SEEK_END)?, 8200);
        assert!(matches!(f.seek(-1, bindings::SEEK_SET), Err(e) if e == EINVAL));
        assert!(matches!(f.seek(0, bindings::SEEK_DATA), Err(e) if e == EINVAL));
        // `fsync`.
        let syncs = FSYNCS.load(Relaxed);
        // SAFETY: The file is open.
        to_result(unsafe { bindings::vfs_fsync(f.0, 0) })?;
        assert_eq!(FSYNCS.load(Relaxed), syncs + 1);
        // `fallocate`: the hole punched reads as zeroes; other modes are refused.
        let (punch, keep) = (
            bindings::FALLOC_FL_PUNCH_HOLE,
            bindings::FALLOC_FL_KEEP_SIZE,
        );
        f.fallocate(punch | keep, 8192, 4096)?;
        assert_eq!(f.size(), 8207);
        assert_eq!(f.read(&mut buf, 8200)?, 7);
        assert_eq!(&buf[..7], &[0u8; 7]);
        assert!(matches!(f.fallocate(0, 0, 10), Err(e) if e == EOPNOTSUPP));
        // Splicing into the file goes through its `write_iter`, out of it through the page
        // cache (`copy_file_range()` in one superblock splices).
        // SAFETY: Both files are open for reading and writing.
        let copied = unsafe { bindings::vfs_copy_file_range(src.0, 0, f.0, 100, 8, 0) };
        assert_eq!(copied, 8);
        assert_eq!(f.read(&mut buf, 100)?, 8);
        assert_eq!(&buf, b"spliced!");
        // SAFETY: As above.
        let copied = unsafe { bindings::vfs_copy_file_range(f.0, 98, src.0, 0, 8, 0) };
        assert_eq!(copied, 8);
        assert_eq!(src.read(&mut buf, 0)?, 8);
        assert_eq!(&buf, &[98, 99, b's', b'p', b'l', b'i', b'c', b'e']);
        // `O_DIRECT`, with which the VFS would splice through `read_iter`, is refused.
        assert!(matches!(
            m.open(c"q", bindings::O_RDWR | bindings::O_DIRECT, 0),
            Err(e) if e == EINVAL
        ));
        // The refused file goes with a delayed `fput()` in a kernel thread: before the unmount.
        // SAFETY: No lock is held.
        unsafe { bindings::flush_delayed_fput() };
        drop(on);
        // Address-space operations that cannot write: the file is made, as its file operations
        // only write through `perform_write`, which refuses.
        let read_only = pattern(Pattern::RustFileReadOnly);
        let g = m.open(c"ro", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        assert!(matches!(g.write(b"a", 0), Err(e) if e == EINVAL));
        assert_eq!(g.size(), 0);
        drop(read_only);
        // A count beyond what the IO vector gave or took counts as what it gave or took.
        let lying = pattern(Pattern::RustFileLying);
        // The 3 bytes it moved past without writing read as zeroes, not as what the buffer
        // held before: the destination of `kernel_read()` is kernel memory, which
        // `IovIterDest::advance()` zeroes. The rest is left as it was.
        buf = [0xff; 8];
        assert_eq!(f.read(&mut buf, 0)?, 3);
        assert_eq!(buf, [0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(f.write(b"12345678", 0)?, 3);
        drop(lying);
        // `EIOCBQUEUED` would make a synchronous caller wait for ever, or hit a `BUG_ON()`.
        let queued = pattern(Pattern::RustFileQueued);
        assert!(matches!(f.read(&mut buf, 0), Err(e) if e == EIO));
        assert!(matches!(f.write(b"1", 0), Err(e) if e == EIO));
        // SAFETY: The file is open.
        let synced = to_result(unsafe { bindings::vfs_fsync(f.0, 0) });
        assert!(matches!(synced, Err(e) if e == EIO));
        drop(queued);
        // A position moved beyond the limits after the checks is checked again.
        let _far = pattern(Pattern::RustFileFar);
        assert!(matches!(f.write(b"12", 0), Err(e) if e == EFBIG));
        // `filemap_read()` cuts the destination at the maximum size without writing there;
        // `read_sparse()` gives it its length back, so that a count beyond what it took counts
        // as nothing.
        buf = [0xee; 8];
        assert_eq!(f.read(&mut buf, 0)?, 0);
        assert_eq!(buf, [0xee; 8]);
        Ok(())
    }

    #[test]
    fn superblocks_with_a_backing_device() -> Result {
        let rdwr = bindings::O_CREAT | bindings::O_RDWR;
        let writes_back = |m: &Mounted| {
            // SAFETY: The root dentry is valid while the mount lives, and its superblock is a
            // ready one of `TestFs`.
            unsafe { SuperBlock::<TestFs>::from_raw((*m.root()).d_sb) }.writes_back()
        };
        {
            let m = Mounted::new()?;
            assert!(!writes_back(&m));
        }
        {
            // `fill_super` set a backing device up, and saw a second one refused.
            let _p = pattern(Pattern::Bdi);
            let m = Mounted::new()?;
            assert!(writes_back(&m));
            // Address-space operations that write nothing back are refused there.
            assert_eq!(m.open(c"f", rdwr, 0o644).err(), Some(EINVAL));
        }
        // Where nothing is written back, the `fsync` that writes back finds nothing to write.
        let _p = pattern(Pattern::SyncOnly);
        let m = Mounted::new()?;
        let f = m.open(c"f", rdwr, 0o644)?;
        assert_eq!(f.write(b"data", 0)?, 4);
        f.fsync()?;
        let mut buf = [0u8; 4];
        assert_eq!(f.read(&mut buf, 0)?, 4);
        assert_eq!(&buf, b"data");
        Ok(())
    }

    /// Whether the first folio of the file is dirty.
    fn first_folio_dirty(f: &OpenFile) -> Result<bool> {
        // SAFETY: The file is open, so its inode is valid and of a `TestFs`.
        let inode = unsafe { INode::<TestFs>::from_raw((*f.0).f_inode) };
        Ok(inode.cached_folio(0).ok_or(ENOENT)?.is_dirty())
    }

    /// Empties [`STORE`], and returns a guard that makes it stop failing when dropped, and the
    /// data of a file that fills it, whose byte `i` is `i * mul + add` (on the heap: two pages
    /// are half of a kernel stack).
    fn store_setup(mul: usize, add: usize) -> Result<(impl Drop, KVec<u8>)> {
        for word in &STORE {
            word.store(0, Relaxed);
        }
        let fails = crate::types::ScopeGuard::new(|| STORE_FAILS.store(0, Relaxed));
        let mut data = KVec::with_capacity(STORE_BYTES, GFP_KERNEL)?;
        for i in 0..STORE_BYTES {
            data.push((i * mul + add) as u8, GFP_KERNEL)?;
        }
        Ok((fails, data))
    }

    #[test]
    fn folios_dirtied_in_rust() -> Result {
        const PAGE: i64 = crate::page::PAGE_SIZE as i64;
        let rdwr = bindings::O_CREAT | bindings::O_RDWR;
        let count = |since: i64| DIRTIED.load(Relaxed) - since;
        {
            // Without write-back, a dirty folio stays so: only the first write to it tells.
            let _on = pattern(Pattern::On);
            let m = Mounted::new()?;
            let f = m.open(c"f", rdwr, 0o644)?;
            let start = DIRTIED.load(Relaxed);
            f.write(b"a", 0)?;
            assert_eq!(count(start), 1);
            assert_eq!(DIRTIED_AT.load(Relaxed), 0);
            assert_eq!(DIRTIED_LEN.load(Relaxed), PAGE);
            f.write(b"b", 1)?;
            assert_eq!(count(start), 1);
            f.write(b"c", 2 * PAGE + 5)?;
            assert_eq!(count(start), 2);
            assert_eq!(DIRTIED_AT.load(Relaxed), 2 * PAGE);
        }
        // With write-back, a folio written back is clean, and tells again when written to.
        for word in &STORE {
            word.store(0, Relaxed);
        }
        let _p = pattern(Pattern::WriteBack);
        let m = Mounted::new()?;
        let f = m.open(c"f", rdwr, 0o644)?;
        let start = DIRTIED.load(Relaxed);
        f.write(b"a", PAGE)?;
        f.write(b"b", PAGE + 1)?;
        assert_eq!(count(start), 1);
        assert_eq!(DIRTIED_AT.load(Relaxed), PAGE);
        f.fsync()?;
        f.write(b"c", PAGE + 2)?;
        assert_eq!(count(start), 2);
        Ok(())
    }

    #[test]
    fn folios_written_back_in_rust() -> Result {
        // A folio's write-back may end on another thread, in an I/O completion.
        fn sendable<T: Send>() {}
        sendable::<address_space::writeback::UnderWriteback>();
        let rdwr = bindings::O_CREAT | bindings::O_RDWR;
        let (_fails, mut data) = store_setup(7, 1)?;
        {
            // Write-back operations want a superblock whose write-back runs, and an `fsync`
            // that writes back.
            for how in [Pattern::WriteBackNoBdi, Pattern::WriteBackNoSync] {
                let _p = pattern(how);
                let m = Mounted::new()?;
                assert_eq!(m.open(c"f", rdwr, 0o644).err(), Some(EINVAL));
            }
        }
        let _p = pattern(Pattern::WriteBack);
        let m = Mounted::new()?;
        let f = m.open(c"f", rdwr, 0o644)?;
        // Migration moves the folios (`filemap_migrate_folio()`), where the kernel has it.
        // SAFETY: The file is open, so its mapping and the mapping's operations are valid.
        let migrates = unsafe { (*(*(*f.0).f_mapping).a_ops).migrate_folio.is_some() };
        assert_eq!(migrates, cfg!(CONFIG_MIGRATION));
        let start = WRITTEN_BACK.load(Relaxed);
        assert_eq!(f.write(&data, 0)?, STORE_BYTES as isize);
        assert!(first_folio_dirty(&f)?);
        f.fsync()?;
        assert_eq!(WRITTEN_BACK.load(Relaxed) - start, 2);
        assert!(store_holds(&data));
        assert!(!first_folio_dirty(&f)?);

        // `fadvise(DONTNEED)` writes a changed folio back and drops the clean ones; a read
        // fills them again from the store.
        data[5000] = 0;
        f.write(&data[5000..5001], 5000)?;
        f.fadvise(0, 0, bindings::POSIX_FADV_DONTNEED)?;
        assert!(store_holds(&data));
        assert_eq!(f.cached_pages(), 0);
        let mut back = KVec::from_elem(0u8, STORE_BYTES, GFP_KERNEL)?;
        assert_eq!(f.read(&mut back, 0)?, STORE_BYTES as isize);
        assert!(back == data);

        // A folio given back with an error stays dirty, and `fsync` fails with the error; the
        // next `fsync` writes it.
        STORE_FAILS.store(StoreFails::Redirty as i32, Relaxed);
        data[0] = 0;
        f.write(&data[..1], 0)?;
        assert_eq!(f.fsync().err(), Some(ENOSPC));
        assert!(first_folio_dirty(&f)?);
        assert!(!store_holds(&data));
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);
        f.fsync()?;
        assert!(store_holds(&data));

        // A pass that stops early leaves the other folios dirty, and `fsync` fails with `EIO`.
        STORE_FAILS.store(StoreFails::AfterOne as i32, Relaxed);
        data[1] = 0;
        data[4097] = 0;
        f.write(&data[1..4098], 1)?;
        assert_eq!(f.fsync().err(), Some(EIO));
        assert!(!store_holds(&data));
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);
        f.fsync()?;
        assert!(store_holds(&data));

        // A write-back that fails after it started is reported by the next `fsync`, once.
        STORE_FAILS.store(StoreFails::Ending as i32, Relaxed);
        f.write(&data[..1], 0)?;
        assert_eq!(f.fsync().err(), Some(EIO));
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);
        f.fsync()?;

        // A pass that fails before it takes a folio fails `fsync` with its error.
        STORE_FAILS.store(StoreFails::Refuses as i32, Relaxed);
        data[2] = 0;
        f.write(&data[2..3], 2)?;
        assert_eq!(f.fsync().err(), Some(EDQUOT));
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);

        // A folio under write-back is not removed from the page cache.
        STORE_FAILS.store(StoreFails::Removes as i32, Relaxed);
        REMOVED.store(0, Relaxed);
        f.fsync()?;
        assert_eq!(REMOVED.load(Relaxed), EBUSY.to_errno());
        assert!(store_holds(&data));

        // A write into a folio that `write_end` leaves not up to date fails.
        STORE_FAILS.store(StoreFails::NotUptodate as i32, Relaxed);
        let end = STORE_BYTES as i64;
        assert_eq!(f.write(&[1], end + 100).err(), Some(EIO));
        assert_eq!(f.size(), end);
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);
        Ok(())
    }

    /// An `fsync` in Rust writes the page cache back with `Opened::write_and_wait()`, and each
    /// open file is told once of a write-back that failed.
    #[test]
    fn rust_fsync_writes_back() -> Result {
        let (_fails, mut data) = store_setup(5, 3)?;
        let _p = pattern(Pattern::WriteBackRustSync);
        let m = Mounted::new()?;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let g = m.open(c"f", bindings::O_RDWR, 0)?;
        let fsyncs = FSYNCS.load(Relaxed);
        assert_eq!(f.write(&data, 0)?, STORE_BYTES as isize);
        assert!(first_folio_dirty(&f)?);
        assert!(!store_holds(&data));
        f.fsync()?;
        assert_eq!(FSYNCS.load(Relaxed) - fsyncs, 1);
        assert!(store_holds(&data));
        assert!(!first_folio_dirty(&f)?);

        // A write-back that fails after it started: `f`'s `fsync` fails, once, and so does
        // `g`'s.
        STORE_FAILS.store(StoreFails::Ending as i32, Relaxed);
        data[0] = 0;
        f.write(&data[..1], 0)?;
        assert_eq!(f.fsync().err(), Some(EIO));
        STORE_FAILS.store(StoreFails::Not as i32, Relaxed);
        f.fsync()?;
        assert_eq!(g.fsync().err(), Some(EIO));
        g.fsync()?;
        Ok(())
    }

    #[test]
    fn inodes_written_back_by_the_vfs() -> Result {
        for word in &STORE {
            word.store(0, Relaxed);
        }
        let _p = pattern(Pattern::WriteBack);
        let m = Mounted::new()?;
        let f = m.open(c"f", bindings::O_CREAT | bindings::O_RDWR, 0o644)?;
        let mut data = [0u8; 8];
        for (i, b) in data.iter_mut().enumerate() {
            *b = i as u8 + 1;
        }

        // `syncfs(2)` writes back the superblock's dirty inodes.
        f.write(&data, 0)?;
        // SAFETY: The root dentry and its superblock are valid while the mount lives;
        // `sync_filesystem()` wants `s_umount` held.
        to_result(unsafe {
            let sb = (*m.root()).d_sb;
            bindings::down_read(&mut (*sb).s_umount);
            let ret = bindings::sync_filesystem(sb);
            bindings::up_read(&mut (*sb).s_umount);
            ret
        })?;
        assert!(store_holds(&data));

        // The unmount evicts the file, which is written back first.
        data[7] = 0;
        f.write(&data[7..], 7)?;
        assert!(!store_holds(&data));
        drop(f);
        drop(m);
        assert!(store_holds(&data));
        Ok(())
    }
}
