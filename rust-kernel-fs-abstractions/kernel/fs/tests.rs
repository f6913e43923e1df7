// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the file system abstractions: a small writable file system made with them,
//! registered, mounted with `kern_mount()` and used through the VFS, as a user would.

use crate::macros::kunit_tests;

#[kunit_tests(rust_kernel_fs)]
mod tests {
    use crate::{
        bindings,
        error::{from_err_ptr, to_result},
        fs::{
            address_space,
            dentry::{DEntry, Negative, Root},
            file,
            inode::{self, IAttr, INode, Locked, MntIdmap, New, TmpFile, Type},
            libfs, param,
            sb::{self, SuperBlock},
            FileSystem, Registration,
        },
        prelude::*,
        sync::aref::ARef,
        ThisModule,
    };
    use core::ptr;

    static TEST_MODULE: ThisModule = {
        // SAFETY: A null module is that of built-in code, which the kernel crate is.
        unsafe { ThisModule::from_ptr(ptr::null_mut()) }
    };

    struct TestFs;

    #[vtable]
    impl FileSystem for TestFs {
        type Data = ();
        type Options = ();
        const NAME: &'static CStr = c"rust_kernel_fs_test";

        fn init_options() -> Result {
            Ok(())
        }

        fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
            Err(EINVAL)
        }

        fn fill_super(sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
            sb.set_magic(0x7275_7374);
            Ok(())
        }

        fn init_root(sb: &SuperBlock<Self>) -> Result<Root<Self>> {
            Root::try_new(new_inode(sb, None, MntIdmap::nop(), Type::Dir, 0o755)?)
        }
    }

    fn new_inode(
        sb: &SuperBlock<TestFs>,
        dir: Option<&INode<TestFs>>,
        idmap: &MntIdmap,
        typ: Type,
        perm: u16,
    ) -> Result<New<TestFs>> {
        let (iops, fops) = match typ {
            Type::Dir => (inode::Ops::new::<DirOps>(), file::Ops::simple_dir()),
            _ => (inode::Ops::new::<RegOps>(), file::Ops::page_cache()),
        };
        sb.new_inode(inode::Params {
            typ,
            perm,
            idmap,
            dir,
            iops: Some(iops),
            fops: Some(fops),
            aops: Some(address_space::Ops::in_memory()),
            mapping: address_space::Mapping::Unevictable,
        })
    }

    struct DirOps;

    #[vtable]
    impl inode::Operations for DirOps {
        type FileSystem = TestFs;

        fn lookup(
            dir: &INode<TestFs>,
            dentry: &DEntry<TestFs>,
            flags: u32,
        ) -> Result<Option<ARef<DEntry<TestFs>>>> {
            libfs::lookup(dir, dentry, flags)
        }

        fn create(
            idmap: &MntIdmap,
            dir: &Locked<'_, TestFs>,
            dentry: Negative<'_, TestFs>,
            mode: u16,
        ) -> Result {
            let inode = new_inode(dir.super_block(), Some(dir), idmap, Type::Reg, mode)?;
            dentry.instantiate(dir, inode)?;
            dir.touch_mtime_ctime();
            Ok(())
        }

        fn tmpfile(
            idmap: &MntIdmap,
            dir: &INode<TestFs>,
            file: TmpFile<'_, TestFs>,
            mode: u16,
        ) -> Result {
            file.instantiate(
                dir,
                new_inode(dir.super_block(), Some(dir), idmap, Type::Reg, mode)?,
            )
        }
    }

    struct RegOps;

    #[vtable]
    impl inode::Operations for RegOps {
        type FileSystem = TestFs;

        fn setattr(
            idmap: &MntIdmap,
            dentry: &DEntry<TestFs>,
            inode: &Locked<'_, TestFs>,
            attr: &IAttr,
        ) -> Result {
            libfs::setattr(idmap, dentry, inode, attr)
        }
    }

    /// A mounted instance of [`TestFs`], unmounted and unregistered when dropped.
    struct Mounted {
        mnt: *mut bindings::vfsmount,
        _reg: Pin<KBox<Registration<TestFs>>>,
    }

    impl Mounted {
        fn new() -> Result<Self> {
            let reg = KBox::pin_init(Registration::<TestFs>::new(&TEST_MODULE), GFP_KERNEL)?;
            // SAFETY: The file system type is registered while `reg` lives, which is longer
            // than the mount (see `drop`).
            let mnt = from_err_ptr(unsafe { bindings::kern_mount(reg.fs.get()) })?;
            Ok(Self { mnt, _reg: reg })
        }

        /// `openat(2)` of `name` relative to the root of the mount.
        fn open(&self, name: &CStr, flags: u32, mode: u16) -> Result<OpenFile> {
            let root = bindings::path {
                mnt: self.mnt,
                // SAFETY: The mount is valid while `self` lives.
                dentry: unsafe { (*self.mnt).mnt_root },
            };
            // SAFETY: `root` and `name` are valid for the duration of the call.
            let file = unsafe {
                bindings::file_open_root(&root, name.as_char_ptr(), flags as c_int, mode)
            };
            Ok(OpenFile(from_err_ptr(file)?))
        }
    }

    impl Drop for Mounted {
        fn drop(&mut self) {
            // SAFETY: The mount came from `kern_mount`; being internal, it is torn down (and the
            // superblock killed) before this returns, so no callback runs after `_reg` is gone.
            unsafe { bindings::kern_unmount(self.mnt) };
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
}
