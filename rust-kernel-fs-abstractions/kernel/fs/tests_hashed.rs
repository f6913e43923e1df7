// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the inodes found by number ([`SuperBlock::iget`]): a file system whose inodes
//! other than its root are looked up in the inode cache, registered and mounted with
//! `kern_mount()`.

use crate::macros::kunit_tests;

#[kunit_tests(rust_kernel_fs_hashed)]
mod hashed {
    use crate::{
        bindings,
        error::from_err_ptr,
        fs::{
            address_space::Mapping,
            dentry::Root,
            file,
            inode::{self, Found, INodeRef, MntIdmap, Params, Type},
            param,
            sb::{self, SuperBlock},
            FileSystem, Registration,
        },
        prelude::*,
        sync::atomic::{Atomic, Relaxed},
        task::{Kgid, Kuid},
        types::Opaque,
        ThisModule,
    };
    use core::{marker::PhantomData, ptr};

    static TEST_MODULE: ThisModule = {
        // SAFETY: A null module is that of built-in code, which the kernel crate is.
        unsafe { ThisModule::from_ptr(ptr::null_mut()) }
    };

    struct HashedFs;

    /// The data of each inode of [`HashedFs`]: the number it was looked up by, and the serial
    /// number of the fill that made it.
    struct HData {
        ino: u64,
        serial: i64,
    }

    /// The calls of `fill`, the data made and dropped, and the inodes evicted.
    static FILLS: Atomic<i64> = Atomic::new(0);
    static DATA_MADE: Atomic<i64> = Atomic::new(0);
    static DATA_DROPS: Atomic<i64> = Atomic::new(0);
    static EVICTED: Atomic<i64> = Atomic::new(0);

    /// Whether [`HashedFs`] keeps its unused inodes in the inode cache, and the calls of its
    /// `drop_inode`, with the number and the serial of the last inode it saw.
    static KEEP: Atomic<i32> = Atomic::new(0);
    static DROP_CALLS: Atomic<i64> = Atomic::new(0);
    static LAST_DROPPED: Atomic<i64> = Atomic::new(0);

    /// Makes [`HashedFs`] keep its unused inodes until the guard is dropped.
    fn keep() -> impl Drop {
        KEEP.store(1, Relaxed);
        crate::types::ScopeGuard::new(|| KEEP.store(0, Relaxed))
    }

    impl Drop for HData {
        fn drop(&mut self) {
            DATA_DROPS.add(1, Relaxed);
        }
    }

    /// The data of the inode `ino`, or `ENOTRECOVERABLE` (before any is made) if `fail`.
    fn data(ino: u64, fail: bool) -> impl PinInit<HData, Error> {
        // SAFETY: The closure initialises `slot` if and only if it succeeds.
        unsafe {
            pin_init::pin_init_from_closure(move |slot: *mut HData| {
                if fail {
                    return Err(ENOTRECOVERABLE);
                }
                let serial = DATA_MADE.fetch_add(1, Relaxed) + 1;
                // `slot` is valid for writes.
                slot.write(HData { ino, serial });
                Ok(())
            })
        }
    }

    /// What [`HashedFs`] finds for an inode with `data`: a regular file of `size` bytes with two
    /// links, owned by the caller, with no operations.
    fn found<T: FileSystem + ?Sized, I>(data: I, size: i64) -> Found<T, I> {
        Found {
            typ: Type::Reg,
            perm: 0o640,
            uid: Kuid::current_fsuid(),
            gid: Kgid::current_fsgid(),
            nlink: 2,
            size,
            iops: None,
            fops: None,
            aops: None,
            mapping: Mapping::Evictable,
            data,
        }
    }

    /// Finds the inode `ino` of `sb` with [`found`], counting the fills.
    fn iget<T: FileSystem<INodeData = HData> + ?Sized>(
        sb: &SuperBlock<T>,
        ino: u64,
    ) -> Result<INodeRef<'_, T>> {
        sb.iget(ino, || {
            FILLS.add(1, Relaxed);
            Ok(found(data(ino, false), 4096))
        })
    }

    /// Rust inode operations of a directory, with the abstractions' namespace changes.
    struct DirOps;

    #[vtable]
    impl inode::Operations for DirOps {
        type FileSystem = HashedFs;
    }

    /// The operations of a symbolic link whose target is kept with the inode.
    struct CachedLinkOps;

    #[vtable]
    impl inode::Operations for CachedLinkOps {
        type FileSystem = HashedFs;

        const LIBFS: inode::Libfs = inode::Libfs::CACHED_LINK;
    }

    /// The root of a test file system: made by `new_inode`, so not in the inode hash.
    fn root<T: FileSystem<INodeData = HData> + ?Sized>(sb: &SuperBlock<T>) -> Result<Root<'_, T>> {
        let params = Params {
            typ: Type::Dir,
            perm: 0o755,
            idmap: MntIdmap::nop(),
            dir: None,
            iops: Some(inode::Ops::simple_dir()),
            fops: Some(file::Ops::simple_dir()),
            aops: None,
            mapping: Mapping::Evictable,
        };
        Root::try_new(sb.new_inode_with(params, data(0, false))?)
    }

    #[vtable]
    impl FileSystem for HashedFs {
        type Data = ();
        type INodeData = HData;
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_hashed";

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            sb.set_magic(0x7275_7368)?;
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            root(sb)
        }

        fn evict_inode(_inode: &inode::Evicting<'_, Self>) {
            EVICTED.add(1, Relaxed);
        }

        fn drop_inode(inode: &inode::Dropping<'_, Self>) -> bool {
            DROP_CALLS.add(1, Relaxed);
            assert_eq!(inode.ino(), inode.data().ino);
            LAST_DROPPED.store(inode.data().serial, Relaxed);
            KEEP.load(Relaxed) == 0
        }
    }

    /// As [`HashedFs`], without `drop_inode`.
    struct KeptFs;

    #[vtable]
    impl FileSystem for KeptFs {
        type Data = ();
        type INodeData = HData;
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_kept";

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            sb.set_magic(0x7275_736b)?;
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            root(sb)
        }

        fn evict_inode(_inode: &inode::Evicting<'_, Self>) {
            EVICTED.add(1, Relaxed);
        }
    }

    /// A file system type of this suite, with the place of its registration, initialised while
    /// a [`Mounted`] of it exists.
    trait Registered: FileSystem<INodeData = HData> {
        fn registration() -> *mut Registration<Self>;
    }

    /// The registration of a file system type of this suite.
    struct TestRegistration<T: FileSystem>(Opaque<Registration<T>>);

    // SAFETY: Only `Mounted::new` and `Mounted::drop` use it, and at most one `Mounted` exists at
    // a time: KUnit runs the cases of a suite one after the other, each with its own `Mounted`.
    unsafe impl<T: FileSystem> Sync for TestRegistration<T> {}

    static HASHED_REGISTRATION: TestRegistration<HashedFs> = TestRegistration(Opaque::uninit());

    static KEPT_REGISTRATION: TestRegistration<KeptFs> = TestRegistration(Opaque::uninit());

    impl Registered for KeptFs {
        fn registration() -> *mut Registration<Self> {
            KEPT_REGISTRATION.0.get()
        }
    }

    impl Registered for HashedFs {
        fn registration() -> *mut Registration<Self> {
            HASHED_REGISTRATION.0.get()
        }
    }

    /// A mounted instance of a file system type of this suite, unmounted and unregistered when
    /// dropped.
    ///
    /// # Invariants
    ///
    /// The registration of `T` is initialised while a `Mounted` exists, and `mnt` is an internal
    /// mount of its file system type.
    struct Mounted<T: Registered> {
        mnt: *mut bindings::vfsmount,
        _t: PhantomData<T>,
    }

    impl<T: Registered> Mounted<T> {
        fn new() -> Result<Self> {
            let reg = T::registration();
            // SAFETY: `drop` unmounts before it drops the registration, and the internal mount's
            // superblock is gone when `kern_unmount()` returns; no other mount of it is made.
            // The registration is static.
            let init = unsafe { Registration::<T>::new(&TEST_MODULE) };
            // SAFETY: `reg` is static, so it stays pinned, and not initialised: no `Mounted`
            // exists (see `TestRegistration`).
            unsafe { pin_init::raw_try_init(reg, init) }?;
            // SAFETY: The file system type is registered until `drop`, after the unmount.
            match from_err_ptr(unsafe { bindings::kern_mount((*reg).fs.get()) }) {
                // INVARIANT: The registration is initialised and `mnt` is a mount of it.
                Ok(mnt) => Ok(Self {
                    mnt,
                    _t: PhantomData,
                }),
                Err(e) => {
                    // SAFETY: The registration was initialised above and nothing uses it.
                    unsafe { ptr::drop_in_place(reg) };
                    Err(e)
                }
            }
        }

        /// The mounted superblock.
        fn sb(&self) -> &SuperBlock<T> {
            // SAFETY: The mount is valid while `self` lives, and so is its superblock, of type
            // `T`, ready since it is mounted.
            unsafe { SuperBlock::from_raw((*self.mnt).mnt_sb) }
        }
    }

    impl<T: Registered> Drop for Mounted<T> {
        fn drop(&mut self) {
            // SAFETY: The mount came from `kern_mount`; being internal, it is torn down (and the
            // superblock killed) before this returns.
            unsafe { bindings::kern_unmount(self.mnt) };
            // SAFETY: By the type invariants the registration is initialised; no superblock of
            // its type is left, and no other `Mounted` uses it.
            unsafe { ptr::drop_in_place(T::registration()) };
        }
    }

    /// The counts of fills, evictions and data drops.
    fn counts() -> (i64, i64, i64) {
        (
            FILLS.load(Relaxed),
            EVICTED.load(Relaxed),
            DATA_DROPS.load(Relaxed),
        )
    }

    #[test]
    fn iget_finds_what_it_made() -> Result {
        let m = Mounted::<HashedFs>::new()?;
        let sb = m.sb();
        let (fills, evicted, drops) = counts();
        let a = iget(sb, 7)?;
        assert_eq!(FILLS.load(Relaxed), fills + 1);
        assert_eq!(a.data().ino, 7);
        let serial = a.data().serial;
        let raw = a.as_raw();
        // SAFETY: The inode is valid while `a` lives.
        let (ino, mode, nlink) =
            unsafe { ((*raw).i_ino, (*raw).i_mode, (*raw).__bindgen_anon_1.i_nlink) };
        assert_eq!((ino, mode, nlink), (7, 0o100640, 2));
        assert_eq!(a.size(), 4096);
        // Found again, not filled again: the same inode, the same data.
        let b = iget(sb, 7)?;
        assert_eq!(FILLS.load(Relaxed), fills + 1);
        assert_eq!(b.as_raw(), raw);
        assert_eq!(b.data().serial, serial);
        let c = sb.ilookup(7).ok_or(ENOENT)?;
        assert_eq!(c.as_raw(), raw);
        let d = c.clone();
        assert!(sb.ilookup(8).is_none());
        // Another number, another inode.
        let e = iget(sb, 8)?;
        assert_eq!(FILLS.load(Relaxed), fills + 2);
        assert_ne!(e.as_raw(), raw);
        drop(e);
        // The last reference evicts the inode, as `drop_inode` says.
        assert_eq!(EVICTED.load(Relaxed), evicted + 1);
        assert!(sb.ilookup(8).is_none());
        drop((a, b, c));
        assert_eq!(EVICTED.load(Relaxed), evicted + 1);
        assert!(sb.ilookup(7).is_some());
        drop(d);
        assert_eq!(EVICTED.load(Relaxed), evicted + 2);
        assert_eq!(DATA_DROPS.load(Relaxed), drops + 2);
        assert!(sb.ilookup(7).is_none());
        // Made anew.
        let a = iget(sb, 7)?;
        assert_eq!(FILLS.load(Relaxed), fills + 3);
        assert_ne!(a.data().serial, serial);
        Ok(())
    }

    #[test]
    fn iget_refuses_and_fails() -> Result {
        let m = Mounted::<HashedFs>::new()?;
        let sb = m.sb();
        let (_, evicted, drops) = counts();
        let made = DATA_MADE.load(Relaxed);
        let fails = |f: &dyn Fn() -> Result<Found<HashedFs, _>>| sb.iget(9, f).err();
        // The fill's error.
        assert_eq!(fails(&|| Err(EIO)), Some(EIO));
        // Data that fails to initialise.
        assert_eq!(
            sb.iget(9, || Ok(found(data(9, true), 0))).err(),
            Some(ENOTRECOVERABLE)
        );
        // A negative size, a size beyond the largest file size, an owner or a group with no ID
        // in the superblock's user namespace.
        assert_eq!(fails(&|| Ok(found(data(9, false), -1))), Some(EINVAL));
        assert_eq!(fails(&|| Ok(found(data(9, false), i64::MAX))), Some(EINVAL));
        let invalid = Kuid::from_raw(bindings::kuid_t { val: u32::MAX });
        assert_eq!(
            fails(&|| Ok(Found {
                uid: invalid,
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        let invalid = Kgid::from_raw(bindings::kgid_t { val: u32::MAX });
        assert_eq!(
            fails(&|| Ok(Found {
                gid: invalid,
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // Tables that do not fit: a directory's file operations for a regular file, and file
        // operations that read folios without address-space operations.
        assert_eq!(
            fails(&|| Ok(Found {
                fops: Some(file::Ops::simple_dir()),
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        assert_eq!(
            fails(&|| Ok(Found {
                fops: Some(file::Ops::page_cache()),
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // Files kept in memory only, which an eviction would lose.
        assert_eq!(
            fails(&|| Ok(Found {
                fops: Some(file::Ops::in_memory()),
                aops: Some(crate::fs::address_space::Ops::in_memory()),
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // A file whose data would be only in the page cache, not written back.
        assert_eq!(
            fails(&|| Ok(Found {
                fops: Some(file::Ops::page_cache()),
                aops: Some(crate::fs::address_space::Ops::in_memory()),
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // A directory whose names the abstractions would keep in the dcache only.
        assert_eq!(
            fails(&|| Ok(Found {
                typ: Type::Dir,
                iops: Some(inode::Ops::new::<DirOps>()),
                fops: Some(file::Ops::simple_dir()),
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // A symbolic link whose target would be kept with the inode, which only
        // `New::write_symlink` writes.
        assert_eq!(
            fails(&|| Ok(Found {
                typ: Type::Lnk,
                iops: Some(inode::Ops::new::<CachedLinkOps>()),
                fops: None,
                aops: None,
                ..found(data(9, false), 0)
            })),
            Some(EINVAL)
        );
        // Nothing was left in the cache, evicted or dropped; a later `iget` fills.
        assert!(sb.ilookup(9).is_none());
        assert_eq!(EVICTED.load(Relaxed), evicted);
        assert_eq!(
            DATA_DROPS.load(Relaxed) - drops,
            DATA_MADE.load(Relaxed) - made
        );
        let fills = FILLS.load(Relaxed);
        let a = iget(sb, 9)?;
        assert_eq!(FILLS.load(Relaxed), fills + 1);
        assert_eq!(a.data().ino, 9);
        Ok(())
    }

    #[test]
    fn umount_evicts_what_iget_made() -> Result {
        let made = DATA_MADE.load(Relaxed);
        let drops = DATA_DROPS.load(Relaxed);
        let m = Mounted::<HashedFs>::new()?;
        for ino in 1..=4 {
            drop(iget(m.sb(), ino)?);
        }
        drop(m);
        // The root and the four inodes: all that was made is dropped.
        assert_eq!(DATA_MADE.load(Relaxed) - made, 5);
        assert_eq!(DATA_DROPS.load(Relaxed) - drops, 5);
        Ok(())
    }

    #[test]
    fn unused_inodes_kept_in_cache() -> Result {
        let m = Mounted::<HashedFs>::new()?;
        let sb = m.sb();
        let (fills, evicted, drops) = counts();
        let calls = DROP_CALLS.load(Relaxed);
        {
            let _keep = keep();
            let a = iget(sb, 20)?;
            let serial = a.data().serial;
            drop(a);
            // Asked, with the inode's data, and kept: found again, not filled again.
            assert_eq!(DROP_CALLS.load(Relaxed), calls + 1);
            assert_eq!(LAST_DROPPED.load(Relaxed), serial);
            assert_eq!(EVICTED.load(Relaxed), evicted);
            let a = sb.ilookup(20).ok_or(ENOENT)?;
            assert_eq!(a.data().serial, serial);
            drop(a);
            let a = iget(sb, 20)?;
            assert_eq!(FILLS.load(Relaxed), fills + 1);
            assert_eq!(a.data().serial, serial);
            drop(a);
            // An inode with no link left is evicted without a call.
            let b = sb.iget(21, || {
                Ok(Found {
                    nlink: 0,
                    ..found(data(21, false), 0)
                })
            })?;
            drop(b);
            assert_eq!(DROP_CALLS.load(Relaxed), calls + 3);
            assert_eq!(EVICTED.load(Relaxed), evicted + 1);
            assert!(sb.ilookup(21).is_none());
        }
        // Not kept any more: evicted at its last reference.
        let a = sb.ilookup(20).ok_or(ENOENT)?;
        drop(a);
        assert_eq!(DROP_CALLS.load(Relaxed), calls + 4);
        assert_eq!(EVICTED.load(Relaxed), evicted + 2);
        assert!(sb.ilookup(20).is_none());
        assert_eq!(DATA_DROPS.load(Relaxed), drops + 2);
        // Inodes kept at umount are evicted then, once each, with their data.
        let _keep = keep();
        for ino in 30..33 {
            drop(iget(sb, ino)?);
        }
        assert_eq!(EVICTED.load(Relaxed), evicted + 2);
        drop(m);
        assert_eq!(EVICTED.load(Relaxed), evicted + 2 + 3 + 1);
        assert_eq!(DATA_DROPS.load(Relaxed), drops + 2 + 3 + 1);
        Ok(())
    }

    #[test]
    fn unused_inodes_kept_by_default() -> Result {
        let m = Mounted::<KeptFs>::new()?;
        let sb = m.sb();
        let (fills, evicted, _) = counts();
        let a = iget(sb, 40)?;
        let serial = a.data().serial;
        drop(a);
        // Without `drop_inode`, an unused inode with links is kept.
        assert_eq!(EVICTED.load(Relaxed), evicted);
        let a = iget(sb, 40)?;
        assert_eq!(FILLS.load(Relaxed), fills + 1);
        assert_eq!(a.data().serial, serial);
        drop(a);
        let b = sb.iget(41, || {
            Ok(Found {
                nlink: 0,
                ..found(data(41, false), 0)
            })
        })?;
        drop(b);
        assert_eq!(EVICTED.load(Relaxed), evicted + 1);
        drop(m);
        // The kept inode and the root, at umount.
        assert_eq!(EVICTED.load(Relaxed), evicted + 3);
        Ok(())
    }
}
