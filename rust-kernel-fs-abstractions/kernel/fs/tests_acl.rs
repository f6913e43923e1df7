// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of POSIX ACLs kept in memory ([`Acls::InMemory`]): a file system registered and
//! mounted with `kern_mount()`, whose ACLs are set, inherited and changed through the VFS.
//!
//! [`Acls::InMemory`]: crate::fs::acl::Acls::InMemory

use crate::macros::kunit_tests;

#[kunit_tests(rust_kernel_fs_acl)]
mod acl_tests {
    use crate::{
        bindings,
        error::{from_err_ptr, to_result},
        fs::{
            acl::Acls,
            address_space,
            dentry::{Negative, Root},
            file,
            inode::{self, INode, Locked, MntIdmap, New, Params, Type},
            libfs, param,
            sb::{self, SuperBlock},
            xattr, FileSystem, Registration,
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

    /// Makes [`AclFs`] give a new fifo no inode operations while set.
    static C_FIFO: Atomic<i32> = Atomic::new(0);

    /// Makes the `setattr` of [`AclFs`]'s regular files fail with `EIO` after it changed the
    /// mode, while set.
    static FAIL_CHMOD: Atomic<i32> = Atomic::new(0);

    struct AclFs;

    #[vtable]
    impl FileSystem for AclFs {
        type Data = ();
        type INodeData = ();
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_acl";
        const XATTRS: xattr::Handlers = xattr::Handlers::InMemory;
        const ACLS: Acls = Acls::InMemory;

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            sb.set_magic(0x7275_6163)?;
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
            Root::try_new(new_inode(sb, None, MntIdmap::nop(), Type::Dir, 0o755)?)
        }
    }

    /// A new inode of `typ` with the tables of [`AclFs`]: Rust inode operations for all but
    /// a fifo made while [`C_FIFO`] is set.
    fn new_inode<'a>(
        sb: &'a SuperBlock<AclFs>,
        dir: Option<&INode<AclFs>>,
        idmap: &MntIdmap,
        typ: Type,
        perm: u16,
    ) -> Result<New<'a, AclFs>> {
        let (iops, fops, aops) = match typ {
            Type::Dir => (
                Some(inode::Ops::new::<DirOps>()),
                Some(file::Ops::offset_dir()),
                None,
            ),
            Type::Reg => (
                Some(inode::Ops::new::<RegOps>()),
                Some(file::Ops::page_cache()),
                Some(address_space::Ops::in_memory()),
            ),
            Type::Fifo if C_FIFO.load(Relaxed) != 0 => (None, None, None),
            _ => (Some(inode::Ops::new::<SpecialOps>()), None, None),
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

    /// A directory's operations, without `setattr`: the abstractions give it one.
    struct DirOps;

    #[vtable]
    impl inode::Operations for DirOps {
        type FileSystem = AclFs;
        const LIBFS: inode::Libfs = inode::Libfs::LOOKUP
            .with(inode::Libfs::LISTXATTR)
            .with(inode::Libfs::UNLINK)
            .with(inode::Libfs::RMDIR);

        fn create<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, AclFs>,
            _dentry: &Negative<'a, AclFs>,
            mode: u16,
        ) -> Result<New<'a, AclFs>> {
            new_inode(dir.super_block(), Some(dir), idmap, Type::Reg, mode)
        }

        fn mknod<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, AclFs>,
            _dentry: &Negative<'a, AclFs>,
            mode: u16,
            dev: inode::DevT,
        ) -> Result<New<'a, AclFs>> {
            let typ = Type::from_mode(mode, dev)?;
            new_inode(dir.super_block(), Some(dir), idmap, typ, mode)
        }

        fn mkdir<'a>(
            idmap: &MntIdmap,
            dir: &Locked<'a, AclFs>,
            _dentry: &Negative<'a, AclFs>,
            mode: u16,
        ) -> Result<New<'a, AclFs>> {
            new_inode(dir.super_block(), Some(dir), idmap, Type::Dir, mode)
        }
    }

    /// A regular file's operations, with a Rust `setattr`.
    struct RegOps;

    #[vtable]
    impl inode::Operations for RegOps {
        type FileSystem = AclFs;
        const LIBFS: inode::Libfs = inode::Libfs::LISTXATTR;

        fn setattr(
            _idmap: &MntIdmap,
            target: &inode::SetAttr<'_, AclFs>,
            attr: &inode::IAttr,
        ) -> Result {
            libfs::setattr(target, attr)?;
            if FAIL_CHMOD.load(Relaxed) != 0 {
                return Err(EIO);
            }
            Ok(())
        }
    }

    /// A fifo's operations, with `setattr` from libfs.
    struct SpecialOps;

    #[vtable]
    impl inode::Operations for SpecialOps {
        type FileSystem = AclFs;
        const LIBFS: inode::Libfs = inode::Libfs::LISTXATTR.with(inode::Libfs::SETATTR);
    }

    /// The registration of [`AclFs`] while a [`Mounted`] exists.
    struct TestRegistration(Opaque<Registration<AclFs>>);

    // SAFETY: Only `Mounted::new` and `Mounted::drop` use it, and at most one `Mounted` exists at
    // a time: KUnit runs the cases of a suite one after the other, each with its own `Mounted`.
    unsafe impl Sync for TestRegistration {}

    static TEST_REGISTRATION: TestRegistration = TestRegistration(Opaque::uninit());

    /// A mounted instance of [`AclFs`], unmounted and unregistered when dropped.
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
            let init = unsafe { Registration::<AclFs>::new(&TEST_MODULE) };
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

        /// Makes `name` in the root directory: see [`make_in`].
        fn make(&self, name: &CStr, mode: u16) -> Result<Dentry> {
            make_in(self.root(), name, mode)
        }
    }

    /// Makes `name` in the directory `parent`, of `mode` (a regular file, directory or fifo),
    /// and returns its dentry.
    fn make_in(parent: *mut bindings::dentry, name: &CStr, mode: u16) -> Result<Dentry> {
        let idmap = MntIdmap::nop().as_raw();
        let mut q: bindings::qstr = pin_init::zeroed();
        q.__bindgen_anon_1.__bindgen_anon_1.len =
            u32::try_from(name.to_bytes().len()).map_err(|_| EINVAL)?;
        q.name = name.as_char_ptr();
        // SAFETY: The caller's directory is valid.
        let dir = unsafe { (*parent).d_inode };
        // SAFETY: The directory and the name are valid; the dentry is unlocked by `end_dirop()`.
        let d = from_err_ptr(unsafe { bindings::start_creating(idmap, parent, &mut q) })?;
        let none = ptr::null_mut();
        let fmt = mode & bindings::S_IFMT as u16;
        let made = if fmt == bindings::S_IFDIR as u16 {
            // SAFETY: `d` is a negative dentry of the locked directory; `vfs_mkdir()` ends the
            // operation on failure, and returns the dentry to end it on otherwise.
            from_err_ptr(unsafe { bindings::vfs_mkdir(idmap, dir, d, mode, none) })
        } else {
            let ret = if fmt == bindings::S_IFREG as u16 {
                // SAFETY: `d` is a negative dentry of the locked directory.
                unsafe { bindings::vfs_create(idmap, d, mode, none) }
            } else {
                // SAFETY: As above.
                unsafe { bindings::vfs_mknod(idmap, dir, d, mode, 0, none) }
            };
            if ret != 0 {
                // SAFETY: `d` came from `start_creating()`.
                unsafe { bindings::end_dirop(d) };
            }
            to_result(ret).map(|()| d)
        };
        let d = made?;
        // SAFETY: `d` came from `start_creating()`; the abstractions made the positive dentry
        // persistent, so it stays until it is removed or the superblock goes.
        unsafe { bindings::end_dirop(d) };
        Ok(Dentry(d))
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

    /// A positive dentry, persistent (the file system's names are), used while the mount lives.
    struct Dentry(*mut bindings::dentry);

    impl Dentry {
        fn inode(&self) -> *mut bindings::inode {
            // SAFETY: The dentry is positive and valid.
            unsafe { (*self.0).d_inode }
        }

        fn mode(&self) -> u16 {
            // SAFETY: The inode is valid while the dentry is.
            unsafe { (*self.inode()).i_mode }
        }

        /// `chmod(2)`, through `notify_change()`.
        fn chmod(&self, mode: u16) -> Result {
            self.setattr(bindings::iattr {
                ia_valid: bindings::ATTR_MODE | bindings::ATTR_CTIME,
                ia_mode: mode,
                ..Default::default()
            })
        }

        /// `truncate(2)` to `size`, through `notify_change()`.
        fn truncate(&self, size: i64) -> Result {
            self.setattr(bindings::iattr {
                ia_valid: bindings::ATTR_SIZE | bindings::ATTR_MTIME | bindings::ATTR_CTIME,
                ia_size: size,
                ..Default::default()
            })
        }

        /// Changes the attributes `attr` names with `notify_change()`, under the inode's lock.
        fn setattr(&self, mut attr: bindings::iattr) -> Result {
            let inode = self.inode();
            // SAFETY: The inode is valid; the lock is released below.
            unsafe { bindings::inode_lock(inode) };
            // SAFETY: The dentry is positive and its inode locked.
            let ret = unsafe {
                bindings::notify_change(
                    MntIdmap::nop().as_raw(),
                    self.0,
                    &mut attr,
                    ptr::null_mut(),
                )
            };
            // SAFETY: Locked above.
            unsafe { bindings::inode_unlock(inode) };
            to_result(ret)
        }

        /// The size of the inode.
        fn size(&self) -> i64 {
            // SAFETY: The inode is valid while the dentry is; nothing changes the size while the
            // test reads it.
            unsafe { (*self.inode()).i_size }
        }

        /// The entries of the cached ACL of `typ`, as (tag, permissions), if any.
        fn acl(&self, typ: u32) -> Option<KVec<(u32, u16)>> {
            let inode = self.inode();
            // SAFETY: The inode is valid; nothing changes its ACLs while the test reads them.
            let acl = unsafe {
                if typ == bindings::ACL_TYPE_ACCESS {
                    (*inode).i_acl
                } else {
                    (*inode).i_default_acl
                }
            };
            if acl.is_null() {
                return None;
            }
            // SAFETY: A cached ACL is valid, with `a_count` entries.
            let entries = unsafe {
                let count = (*acl).__bindgen_anon_1.__bindgen_anon_1.a_count as usize;
                (*acl).a_entries.as_slice(count)
            };
            let mut v = KVec::new();
            for e in entries {
                v.push((e.e_tag as u32, e.e_perm), GFP_KERNEL).ok()?;
            }
            Some(v)
        }

        /// Sets the ACL of `typ` (`vfs_set_acl()`) to `entries`, as (tag, permissions, ID).
        fn set_acl(&self, typ: u32, entries: &[(u32, u16, u32)]) -> Result {
            // SAFETY: Any count is valid; the ACL is released below.
            let acl =
                unsafe { bindings::posix_acl_alloc(entries.len() as u32, GFP_KERNEL.as_raw()) };
            if acl.is_null() {
                return Err(ENOMEM);
            }
            // SAFETY: The ACL has room for `entries.len()` entries.
            let slots = unsafe { (*acl).a_entries.as_mut_slice(entries.len()) };
            for (slot, &(tag, perm, id)) in slots.iter_mut().zip(entries) {
                slot.e_tag = tag as i16;
                slot.e_perm = perm;
                slot.__bindgen_anon_1.e_uid = bindings::kuid_t { val: id };
            }
            let name = if typ == bindings::ACL_TYPE_ACCESS {
                c"system.posix_acl_access"
            } else {
                c"system.posix_acl_default"
            };
            // SAFETY: The dentry is positive and valid, the name and the ACL valid.
            let ret = unsafe {
                bindings::vfs_set_acl(MntIdmap::nop().as_raw(), self.0, name.as_char_ptr(), acl)
            };
            // SAFETY: The ACL was allocated above; the inode keeps references of its own.
            unsafe { bindings::posix_acl_release(acl) };
            to_result(ret)
        }

        /// The names `listxattr(2)` gives.
        fn names(&self) -> Result<KVec<u8>> {
            let mut buf = KVec::<u8>::with_capacity(256, GFP_KERNEL)?;
            // SAFETY: The dentry is positive and the buffer has room for 256 bytes.
            let n = unsafe { bindings::vfs_listxattr(self.0, buf.as_mut_ptr().cast(), 256) };
            let n = usize::try_from(n).map_err(|_| Error::from_errno(n as i32))?;
            // SAFETY: `vfs_listxattr()` wrote `n` bytes.
            unsafe { buf.inc_len(n) };
            Ok(buf)
        }
    }

    const U: u32 = bindings::ACL_USER_OBJ;
    const NAMED: u32 = bindings::ACL_USER;
    const G: u32 = bindings::ACL_GROUP_OBJ;
    const MASK: u32 = bindings::ACL_MASK;
    const O: u32 = bindings::ACL_OTHER;
    const ACCESS: u32 = bindings::ACL_TYPE_ACCESS;
    const DEFAULT: u32 = bindings::ACL_TYPE_DEFAULT;

    fn contains(names: &[u8], name: &CStr) -> bool {
        names.split(|&b| b == 0).any(|n| n == name.to_bytes())
    }

    #[test]
    fn acls_superblock_and_umask() -> Result {
        let m = Mounted::new()?;
        // SAFETY: The mount and its superblock are valid while `m` lives.
        let flags = unsafe { (*(*m.mnt).mnt_sb).s_flags };
        assert_ne!(flags & bindings::SB_POSIXACL, 0);
        // No default ACL: the umask of kernel threads, 022, applies, and nothing is listed.
        let f = m.make(c"f", bindings::S_IFREG as u16 | 0o666)?;
        assert_eq!(f.mode() & 0o7777, 0o644);
        assert!(f.acl(ACCESS).is_none() && f.acl(DEFAULT).is_none());
        assert!(!contains(&f.names()?, c"system.posix_acl_access"));
        let d = m.make(c"d", bindings::S_IFDIR as u16 | 0o777)?;
        assert_eq!(d.mode() & 0o7777, 0o755);
        Ok(())
    }

    #[test]
    fn acls_set_listed_and_chmod() -> Result {
        let m = Mounted::new()?;
        // A regular file (Rust `setattr`), a directory (none) and a fifo (libfs's).
        let made = [
            m.make(c"f", bindings::S_IFREG as u16 | 0o600)?,
            m.make(c"d", bindings::S_IFDIR as u16 | 0o700)?,
            m.make(c"p", bindings::S_IFIFO as u16 | 0o600)?,
        ];
        for x in &made {
            let entries = [
                (U, 6, 0),
                (NAMED, 6, 1000),
                (G, 4, 0),
                (MASK, 6, 0),
                (O, 0, 0),
            ];
            x.set_acl(ACCESS, &entries)?;
            // The group bits of the mode are the mask's.
            assert_eq!(x.mode() & 0o777, 0o660);
            assert!(contains(&x.names()?, c"system.posix_acl_access"));
            // chmod changes the mask.
            x.chmod(0o640)?;
            let acl = x.acl(ACCESS).ok_or(ENODATA)?;
            assert_eq!(acl.iter().find(|e| e.0 == MASK).map(|e| e.1), Some(4));
            assert_eq!(x.mode() & 0o777, 0o640);
        }
        // A default ACL only on a directory.
        let err = made[0].set_acl(DEFAULT, &[(U, 7, 0), (G, 5, 0), (O, 0, 0)]);
        assert!(matches!(err, Err(e) if e == EACCES));
        Ok(())
    }

    #[test]
    fn acls_inherited() -> Result {
        let m = Mounted::new()?;
        let d = m.make(c"d", bindings::S_IFDIR as u16 | 0o755)?;
        // u::rwx, u:1000:rwx, g::r-x, m::rwx, o::---.
        let entries = [
            (U, 7, 0),
            (NAMED, 7, 1000),
            (G, 5, 0),
            (MASK, 7, 0),
            (O, 0, 0),
        ];
        d.set_acl(DEFAULT, &entries)?;
        assert!(contains(&d.names()?, c"system.posix_acl_default"));
        let sub = |name: &CStr, mode: u16| make_in(d.0, name, mode);
        // A fifo asked 0666 gets the default ACL as its access ACL, its mode masked by it and
        // not by the umask.
        let p = sub(c"p", bindings::S_IFIFO as u16 | 0o666)?;
        assert_eq!(p.mode() & 0o777, 0o660);
        let acl = p.acl(ACCESS).ok_or(ENODATA)?;
        assert_eq!(acl.len(), 5);
        assert_eq!(acl.iter().find(|e| e.0 == MASK).map(|e| e.1), Some(6));
        assert!(p.acl(DEFAULT).is_none());
        // A directory inherits the default ACL too.
        let s = sub(c"s", bindings::S_IFDIR as u16 | 0o777)?;
        assert_eq!(s.mode() & 0o777, 0o770);
        assert_eq!(s.acl(DEFAULT).map(|a| a.len()), Some(5));
        assert!(s.acl(ACCESS).is_some());
        Ok(())
    }

    /// A `setattr` that changes the mode and then fails leaves the mask of the access ACL
    /// following the new mode, as a `setattr` that succeeds does.
    #[test]
    fn acls_chmod_that_fails() -> Result {
        let m = Mounted::new()?;
        let f = m.make(c"f", bindings::S_IFREG as u16 | 0o600)?;
        let entries = [
            (U, 6, 0),
            (NAMED, 6, 1000),
            (G, 4, 0),
            (MASK, 6, 0),
            (O, 4, 0),
        ];
        f.set_acl(ACCESS, &entries)?;
        assert_eq!(f.mode() & 0o777, 0o664);
        FAIL_CHMOD.store(1, Relaxed);
        let err = f.chmod(0o640);
        FAIL_CHMOD.store(0, Relaxed);
        assert!(matches!(err, Err(e) if e == EIO));
        assert_eq!(f.mode() & 0o777, 0o640);
        let acl = f.acl(ACCESS).ok_or(ENODATA)?;
        assert_eq!(acl.iter().find(|e| e.0 == MASK).map(|e| e.1), Some(4));
        assert_eq!(acl.iter().find(|e| e.0 == O).map(|e| e.1), Some(0));
        Ok(())
    }

    /// `libfs::setattr()` on a file system that charges no pages: sizes change, and are
    /// checked, as `simple_setattr()` changes and checks them.
    #[test]
    fn sizes_without_a_page_charge() -> Result {
        let m = Mounted::new()?;
        let f = m.make(c"f", bindings::S_IFREG as u16 | 0o600)?;
        let page = crate::page::PAGE_SIZE as i64;
        f.truncate(3 * page + 1)?;
        assert_eq!(f.size(), 3 * page + 1);
        f.truncate(page)?;
        assert_eq!(f.size(), page);
        // SAFETY: The superblock of a valid inode is valid.
        let max = unsafe { (*(*f.inode()).i_sb).s_maxbytes };
        let beyond = max.checked_add(1).ok_or(EINVAL)?;
        assert!(matches!(f.truncate(beyond), Err(e) if e == EFBIG));
        assert!(matches!(f.truncate(-1), Err(e) if e == EINVAL));
        assert_eq!(f.size(), page);
        f.truncate(0)?;
        assert_eq!(f.size(), 0);
        Ok(())
    }

    #[test]
    fn acls_need_rust_tables() -> Result {
        let m = Mounted::new()?;
        C_FIFO.store(1, Relaxed);
        let err = m.make(c"p", bindings::S_IFIFO as u16 | 0o600);
        C_FIFO.store(0, Relaxed);
        assert!(matches!(err, Err(e) if e == EINVAL));
        Ok(())
    }
}
