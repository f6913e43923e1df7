// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of file handles of a file system exported in memory ([`Export::InMemory`]),
//! registered and mounted with `kern_mount()`, encoded and decoded as `name_to_handle_at(2)` and
//! `open_by_handle_at(2)` do.
//!
//! [`Export::InMemory`]: crate::fs::export::Export::InMemory

use crate::macros::kunit_tests;

#[kunit_tests(rust_kernel_fs_export)]
mod export_tests {
    use crate::{
        bindings,
        error::{from_err_ptr, to_result},
        fs::{
            address_space,
            dentry::{Negative, Root},
            export::Export,
            file,
            inode::{self, INode, Locked, MntIdmap, New, Params, Type},
            param,
            sb::{self, SuperBlock},
            FileSystem, Registration,
        },
        prelude::*,
        sync::atomic::{Atomic, Relaxed},
        types::Opaque,
        ThisModule,
    };
    use core::ptr;

    static TEST_MODULE: ThisModule = {
        // SAFETY: A null module is that of built-in code, which the kernel crate is.
        unsafe { ThisModule::from_ptr(ptr::null_mut()) }
    };

    /// Makes [`ExpFs`] ask for a backing device while set.
    static BDI: Atomic<i32> = Atomic::new(0);

    struct ExpFs;

    #[vtable]
    impl FileSystem for ExpFs {
        type Data = ();
        type INodeData = ();
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_export";
        const EXPORT: Export = Export::InMemory;

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            sb.set_magic(0x7275_6578)?;
            if BDI.load(Relaxed) != 0 {
                sb.setup_bdi()?;
            }
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            Root::try_new(new_inode(sb, None, MntIdmap::nop(), Type::Dir, 0o755)?)
        }
    }

    /// A new directory or regular file of [`ExpFs`].
    fn new_inode<'a>(
        sb: &'a SuperBlock<ExpFs>,
        dir: Option<&INode<ExpFs>>,
        idmap: &MntIdmap,
        typ: Type,
        perm: u16,
    ) -> Result<New<'a, ExpFs>> {
        let (iops, fops, aops) = match typ {
            Type::Dir => (
                Some(inode::Ops::new::<DirOps>()),
                Some(file::Ops::offset_dir()),
                None,
            ),
            _ => (
                None,
                Some(file::Ops::page_cache()),
                Some(address_space::Ops::in_memory()),
            ),
        };
        let params = Params {
            typ,
            perm,
            idmap,
            dir,
            iops,
            fops,
            aops,
            mapping: address_space::Mapping::Unevictable,
        };
        sb.new_inode(params)
    }

    struct DirOps;

    #[vtable]
    impl inode::Operations for DirOps {
        type FileSystem = ExpFs;
        const LIBFS: inode::Libfs = inode::Libfs::LOOKUP.with(inode::Libfs::UNLINK);

        fn create<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, ExpFs>,
            _dentry: &Negative<'a, ExpFs>,
            mode: u16,
        ) -> Result<New<'a, ExpFs>> {
            new_inode(dir.super_block(), Some(dir), idmap, Type::Reg, mode)
        }
    }

    /// The registration of [`ExpFs`] while a [`Mounted`] exists.
    struct TestRegistration(Opaque<Registration<ExpFs>>);

    // SAFETY: Only `Mounted::new` and `Mounted::drop` use it, and at most one `Mounted` exists at
    // a time: KUnit runs the cases of a suite one after the other, each with its own `Mounted`.
    unsafe impl Sync for TestRegistration {}

    static TEST_REGISTRATION: TestRegistration = TestRegistration(Opaque::uninit());

    /// A mounted instance of [`ExpFs`], unmounted and unregistered when dropped.
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
            let init = unsafe { Registration::<ExpFs>::new(&TEST_MODULE) };
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

        fn root(&self) -> *mut bindings::dentry {
            // SAFETY: The mount is valid while `self` lives.
            unsafe { (*self.mnt).mnt_root }
        }

        /// `openat(2)` of `name` in the root directory, with `O_CREAT`.
        fn create(&self, name: &CStr) -> Result<OpenFile> {
            let root = bindings::path {
                mnt: self.mnt,
                dentry: self.root(),
            };
            let flags = (bindings::O_CREAT | bindings::O_RDWR) as c_int;
            // SAFETY: `root` and `name` are valid for the duration of the call.
            let file = unsafe { bindings::file_open_root(&root, name.as_char_ptr(), flags, 0o600) };
            Ok(OpenFile(from_err_ptr(file)?))
        }

        /// `unlink(2)` of `name` in the root directory.
        fn unlink(&self, name: &CStr) -> Result {
            let idmap = MntIdmap::nop().as_raw();
            let mut q: bindings::qstr = pin_init::zeroed();
            q.__bindgen_anon_1.__bindgen_anon_1.len =
                u32::try_from(name.to_bytes().len()).map_err(|_| EINVAL)?;
            q.name = name.as_char_ptr();
            let root = self.root();
            // SAFETY: The root and the name are valid; the dentry is unlocked below.
            let d = from_err_ptr(unsafe { bindings::start_removing(idmap, root, &mut q) })?;
            // SAFETY: `d` is a positive dentry of the locked root, whose inode is valid.
            let ret = unsafe { bindings::vfs_unlink(idmap, (*root).d_inode, d, ptr::null_mut()) };
            // SAFETY: `d` came from `start_removing()`.
            unsafe { bindings::end_dirop(d) };
            to_result(ret)
        }

        /// `open_by_handle_at(2)`'s lookup (`exportfs_decode_fh()`): the dentry found, put.
        fn decode(&self, fh: &mut [u32; 4], len: c_int) -> Result<*mut bindings::dentry> {
            // SAFETY: The mount is valid, and `fh` has room for `len` words.
            let d = from_err_ptr(unsafe {
                bindings::exportfs_decode_fh(
                    self.mnt,
                    fh.as_mut_ptr().cast(),
                    len,
                    1,
                    None,
                    ptr::null_mut(),
                )
            })?;
            // SAFETY: The reference is ours; the dentry is only compared after this.
            unsafe { bindings::dput(d) };
            Ok(d)
        }
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

    /// An open file, closed when dropped.
    struct OpenFile(*mut bindings::file);

    impl OpenFile {
        fn dentry(&self) -> *mut bindings::dentry {
            // SAFETY: The file is open.
            unsafe { (*self.0).__bindgen_anon_1.f_path.dentry }
        }

        /// `name_to_handle_at(2)`'s encoding (`exportfs_encode_fh()`) into `fh`, with room for
        /// `room` words: the type and the length.
        fn encode(&self, fh: &mut [u32; 4], room: c_int) -> (c_int, c_int) {
            let mut len = room;
            // SAFETY: The dentry is valid while the file is open, and `fh` has room for `room`
            // words (at most 4).
            let typ = unsafe {
                bindings::exportfs_encode_fh(self.dentry(), fh.as_mut_ptr().cast(), &mut len, 0)
            };
            (typ, len)
        }
    }

    impl Drop for OpenFile {
        fn drop(&mut self) {
            // SAFETY: The file is open and this is its only reference.
            unsafe { bindings::__fput_sync(self.0) };
        }
    }

    fn estale<T>(r: Result<T>) -> bool {
        matches!(r, Err(e) if e == ESTALE)
    }

    #[test]
    fn handles_find_live_inodes() -> Result {
        let m = Mounted::new()?;
        // SAFETY: The mount and its superblock are valid while `m` lives.
        let uuid = unsafe { (*(*m.mnt).mnt_sb).s_uuid.b };
        assert!(uuid.iter().any(|&b| b != 0));
        let f = m.create(c"f")?;
        let dentry = f.dentry();
        // SAFETY: The dentry is positive while the file is open.
        let (ino, generation) = unsafe {
            (
                (*(*dentry).d_inode).i_ino,
                (*(*dentry).d_inode).i_generation,
            )
        };
        let mut fh = [0u32; 4];
        // Too little room: the length needed, no handle.
        assert_eq!(
            f.encode(&mut fh, 2),
            (bindings::fid_type_FILEID_INVALID as c_int, 3)
        );
        assert_eq!(fh, [0; 4]);
        assert_eq!(f.encode(&mut fh, 4), (1, 3));
        assert_eq!(fh[..3], [generation, ino as u32, (ino >> 32) as u32]);
        drop(f);
        // Linked: found, although no file is open.
        assert_eq!(m.decode(&mut fh, 3)?, dentry);
        let mut short = fh;
        assert!(estale(m.decode(&mut short, 2)));
        let mut other = fh;
        other[0] ^= 1;
        assert!(estale(m.decode(&mut other, 3)));
        let mut other = fh;
        other[1] ^= 1;
        assert!(estale(m.decode(&mut other, 3)));
        // Removed and closed: gone.
        m.unlink(c"f")?;
        assert!(estale(m.decode(&mut fh, 3)));
        Ok(())
    }

    #[test]
    fn handles_of_removed_open_files() -> Result {
        let m = Mounted::new()?;
        let f = m.create(c"f")?;
        let mut fh = [0u32; 4];
        assert_eq!(f.encode(&mut fh, 4), (1, 3));
        m.unlink(c"f")?;
        // Open: found, with the dentry of the open file.
        assert_eq!(m.decode(&mut fh, 3)?, f.dentry());
        drop(f);
        assert!(estale(m.decode(&mut fh, 3)));
        // A new file of the same name is another inode.
        let g = m.create(c"f")?;
        assert!(estale(m.decode(&mut fh, 3)));
        let mut gh = [0u32; 4];
        assert_eq!(g.encode(&mut gh, 4), (1, 3));
        assert_ne!(gh, fh);
        assert_eq!(m.decode(&mut gh, 3)?, g.dentry());
        Ok(())
    }

    #[test]
    fn handles_need_no_backing_device() {
        BDI.store(1, Relaxed);
        let m = Mounted::new();
        BDI.store(0, Relaxed);
        assert!(matches!(m, Err(e) if e == EINVAL));
    }
}
