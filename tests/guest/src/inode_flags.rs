// SPDX-License-Identifier: GPL-2.0
//! tmpfs parity of the inode flags of chattr(1) and lsattr(1): FS_IOC_GETFLAGS and
//! FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR and FS_IOC_FSSETXATTR, file_getattr(2) and
//! file_setattr(2). tmpfs keeps immutable (`i`), append-only (`a`), no-dump (`d`) and
//! no-atime (`A`) on regular files and directories, refuses every other flag and the
//! extended attributes of FS_IOC_FSSETXATTR (mm/shmem.c: shmem_fileattr_set()), gives new
//! inodes the `d` and `A` of their directory, reports `i`, `a` and `d` in statx's attributes
//! (and all three in the mask of every inode), and the VFS enforces `i`, `a` and `A`.
//!
//! As in `parity`: every group of steps runs on tmpfs first (the reference), then on
//! bs2ramfs, with a line per step (its value or errno); bs2ramfs must see every line tmpfs saw,
//! and the `expect:` lines must hold on tmpfs.

use crate::parity::{
    all, create, expect, p, rec, rec_keep, rec_ok, same_as_tmpfs, same_as_tmpfs_mounted, Log, ROOT,
};
use crate::sys::*;
use crate::TestResult;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

const PAGE: usize = 4096;

// include/uapi/linux/fs.h.
/// `_IOR('f', 1, long)`.
const FS_IOC_GETFLAGS: libc::c_ulong = 0x8008_6601;
/// `_IOW('f', 2, long)`.
const FS_IOC_SETFLAGS: libc::c_ulong = 0x4008_6602;
/// `_IOR('X', 31, struct fsxattr)`.
const FS_IOC_FSGETXATTR: libc::c_ulong = 0x801c_581f;
/// `_IOW('X', 32, struct fsxattr)`.
const FS_IOC_FSSETXATTR: libc::c_ulong = 0x401c_5820;

const FS_COMPR_FL: u32 = 0x0000_0004;
const FS_SYNC_FL: u32 = 0x0000_0008;
const FS_IMMUTABLE_FL: u32 = 0x0000_0010;
const FS_APPEND_FL: u32 = 0x0000_0020;
const FS_NODUMP_FL: u32 = 0x0000_0040;
const FS_NOATIME_FL: u32 = 0x0000_0080;
const FS_DIRSYNC_FL: u32 = 0x0001_0000;
const FS_EXTENT_FL: u32 = 0x0008_0000;
const FS_NOCOW_FL: u32 = 0x0080_0000;
const FS_DAX_FL: u32 = 0x0200_0000;
const FS_PROJINHERIT_FL: u32 = 0x2000_0000;
const FS_CASEFOLD_FL: u32 = 0x4000_0000;
const FS_RESERVED_FL: u32 = 0x8000_0000;

const FS_XFLAG_IMMUTABLE: u32 = 0x0000_0008;
const FS_XFLAG_APPEND: u32 = 0x0000_0010;
const FS_XFLAG_SYNC: u32 = 0x0000_0020;
const FS_XFLAG_NOATIME: u32 = 0x0000_0040;
const FS_XFLAG_NODUMP: u32 = 0x0000_0080;
const FS_XFLAG_EXTSIZE: u32 = 0x0000_0800;
const FS_XFLAG_DAX: u32 = 0x0000_8000;
/// Not an FS_XFLAG_*: beyond FS_XFLAGS_MASK (include/linux/fileattr.h).
const FS_XFLAG_UNKNOWN: u32 = 0x4000_0000;
/// Read-only: dropped from what is set (FS_XFLAG_RDONLY_MASK).
const FS_XFLAG_HASATTR: u32 = 0x8000_0000;

// include/uapi/linux/stat.h.
const STATX_ATTR_IMMUTABLE: u64 = 0x10;
const STATX_ATTR_APPEND: u64 = 0x20;
const STATX_ATTR_NODUMP: u64 = 0x40;
const STATX_ATTRS: u64 = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND | STATX_ATTR_NODUMP;

/// file_getattr(2) and file_setattr(2): one number on every architecture.
const SYS_FILE_GETATTR: libc::c_long = 468;
const SYS_FILE_SETATTR: libc::c_long = 469;

/// The flags tmpfs keeps, by chattr's letter.
const KEPT: [(&str, u32); 4] = [
    ("i", FS_IMMUTABLE_FL),
    ("a", FS_APPEND_FL),
    ("d", FS_NODUMP_FL),
    ("A", FS_NOATIME_FL),
];
const EVERY_KEPT: u32 = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL;

/// The tests of this module, for main's list.
pub fn tests() -> Vec<(&'static str, crate::BasicTest)> {
    vec![("inode_flags", t_inode_flags)]
}

/// struct fsxattr.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct FsXattr {
    xflags: u32,
    extsize: u32,
    nextents: u32,
    projid: u32,
    cowextsize: u32,
    pad: [u8; 8],
}

/// struct file_attr (FILE_ATTR_SIZE_VER0).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct FileAttr {
    xflags: u64,
    extsize: u32,
    nextents: u32,
    projid: u32,
    cowextsize: u32,
}

fn fsx(xflags: u32) -> FsXattr {
    FsXattr {
        xflags,
        ..FsXattr::default()
    }
}

fn fattr(xflags: u64) -> FileAttr {
    FileAttr {
        xflags,
        ..FileAttr::default()
    }
}

/// ioctl(2) with a pointer argument.
fn ioctl_ptr<T>(fd: &OwnedFd, req: libc::c_ulong, arg: *mut T) -> Sys<()> {
    // SAFETY: valid fd; `arg` points to the object `req` reads or writes.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, arg) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

fn getflags(fd: &OwnedFd) -> Sys<u32> {
    let mut v: u32 = 0;
    ioctl_ptr(fd, FS_IOC_GETFLAGS, &mut v)?;
    Ok(v)
}

fn setflags(fd: &OwnedFd, flags: u32) -> Sys<()> {
    let mut v = flags;
    ioctl_ptr(fd, FS_IOC_SETFLAGS, &mut v)
}

fn fsgetxattr(fd: &OwnedFd) -> Sys<FsXattr> {
    let mut x = FsXattr::default();
    ioctl_ptr(fd, FS_IOC_FSGETXATTR, &mut x)?;
    Ok(x)
}

fn fssetxattr(fd: &OwnedFd, x: FsXattr) -> Sys<()> {
    let mut x = x;
    ioctl_ptr(fd, FS_IOC_FSSETXATTR, &mut x)
}

fn file_getattr(path: &str, at: i32) -> Sys<FileAttr> {
    let c = cstr(path);
    let mut fa = FileAttr::default();
    let size = std::mem::size_of::<FileAttr>();
    // SAFETY: valid string and out pointer of `size` bytes.
    let r = unsafe {
        libc::syscall(
            SYS_FILE_GETATTR,
            libc::AT_FDCWD,
            c.as_ptr(),
            &mut fa as *mut FileAttr,
            size,
            at,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(fa)
    }
}

fn file_setattr(path: &str, fa: FileAttr, at: i32) -> Sys<()> {
    let c = cstr(path);
    let size = std::mem::size_of::<FileAttr>();
    // SAFETY: valid string and pointer to `size` bytes.
    let r = unsafe {
        libc::syscall(
            SYS_FILE_SETATTR,
            libc::AT_FDCWD,
            c.as_ptr(),
            &fa as *const FileAttr,
            size,
            at,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// Bits by name, the rest in hex; "-" for none.
fn bits(v: u64, names: &[(u64, &str)]) -> String {
    let mut s = String::new();
    let mut rest = v;
    for &(bit, name) in names {
        if v & bit != 0 {
            s.push_str(name);
            rest &= !bit;
        }
    }
    if rest != 0 {
        s.push_str(&format!("+{rest:#x}"));
    }
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

/// FS_*_FL flags as chattr's letters.
fn fl(v: u32) -> String {
    let names: Vec<(u64, &str)> = KEPT.iter().map(|&(n, b)| (u64::from(b), n)).collect();
    bits(v.into(), &names)
}

/// FS_XFLAG_* flags, with chattr's letters where there is one.
fn xfl(v: u64) -> String {
    let names = [
        (u64::from(FS_XFLAG_IMMUTABLE), "i"),
        (u64::from(FS_XFLAG_APPEND), "a"),
        (u64::from(FS_XFLAG_SYNC), "S"),
        (u64::from(FS_XFLAG_NODUMP), "d"),
        (u64::from(FS_XFLAG_NOATIME), "A"),
    ];
    bits(v, &names)
}

/// STATX_ATTR_* attributes, by chattr's letters of their flags.
fn sattrs(v: u64) -> String {
    let names = [
        (STATX_ATTR_IMMUTABLE, "i"),
        (STATX_ATTR_APPEND, "a"),
        (STATX_ATTR_NODUMP, "d"),
    ];
    bits(v, &names)
}

fn show_fsx(x: FsXattr) -> String {
    format!(
        "xflags {} extsize {} nextents {} projid {} cowextsize {}",
        xfl(x.xflags.into()),
        x.extsize,
        x.nextents,
        x.projid,
        x.cowextsize
    )
}

fn show_fa(a: FileAttr) -> String {
    format!(
        "xflags {} extsize {} nextents {} projid {} cowextsize {}",
        xfl(a.xflags),
        a.extsize,
        a.nextents,
        a.projid,
        a.cowextsize
    )
}

/// An fd of `path` for the ioctls (no write access needed), fifos included; a symlink is
/// not followed (ELOOP).
fn fd_of(path: &str) -> Sys<OwnedFd> {
    open(
        path,
        libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOFOLLOW,
        0,
    )
}

fn flags_of(path: &str) -> Sys<String> {
    getflags(&fd_of(path)?).map(fl)
}

fn set_flags_of(path: &str, flags: u32) -> Sys<()> {
    setflags(&fd_of(path)?, flags)
}

fn stx(path: &str) -> Sys<libc::statx> {
    statx(path, libc::AT_SYMLINK_NOFOLLOW, libc::STATX_BASIC_STATS)
}

/// statx's attributes of `path`, of the three tmpfs reports.
fn attrs_of(path: &str) -> Sys<String> {
    stx(path).map(|st| sattrs(st.stx_attributes & STATX_ATTRS))
}

/// statx's attributes_mask of `path`: the three, and all of it.
fn mask_of(path: &str) -> Sys<String> {
    stx(path).map(|st| {
        let m = st.stx_attributes_mask;
        format!("{} (all {m:#x})", sattrs(m & STATX_ATTRS))
    })
}

fn ts_of(t: &libc::statx_timestamp) -> (i64, u32) {
    (t.tv_sec, t.tv_nsec)
}

/// Runs `f` (a change of `path`'s flags) after a pause, records its result and whether it
/// changed the ctime and the mtime of `path`.
fn timed(log: &mut Log, what: &str, path: &str, f: impl FnOnce() -> Sys<()>) -> TestResult {
    let before = ok!(stx(path));
    std::thread::sleep(Duration::from_millis(20));
    rec(log, what, f());
    let after = ok!(stx(path));
    let c = ts_of(&after.stx_ctime) != ts_of(&before.stx_ctime);
    let m = ts_of(&after.stx_mtime) != ts_of(&before.stx_mtime);
    log.push(format!("{what}: ctime changed {c}, mtime changed {m}"));
    Ok(())
}

/// Records what a shell command printed and its exit status.
fn shell(log: &mut Log, cmd: &str) {
    match std::process::Command::new("sh").arg("-c").arg(cmd).output() {
        Ok(o) => log.push(format!(
            "`{cmd}`: status {} out {:?} err {:?}",
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => log.push(format!("`{cmd}`: {e}")),
    }
}

/// The size of a file and its first bytes, as text.
fn content(path: &str) -> Sys<String> {
    let fd = open(path, libc::O_RDONLY, 0)?;
    let b = pread_full(&fd, 1 << 16, 0)?;
    let head = String::from_utf8_lossy(&b[..b.len().min(16)]).into_owned();
    Ok(format!("{} bytes {head:?}", b.len()))
}

fn size_of_file(path: &str) -> Sys<i64> {
    lstat(path).map(|st| st.st_size)
}

/// Writes `data` into a mapping by read(2) from a pipe: a write fault the file refuses gives
/// EFAULT there, where a store by this program would end it with SIGBUS.
fn write_via_map(m: &mut Map, data: &[u8]) -> Sys<usize> {
    let (r, w) = pipe()?;
    write(&w, data)?;
    let buf = &mut m.bytes_mut()[..data.len()];
    // SAFETY: valid fd and buffer (the mapping) of the given length.
    let n = unsafe { libc::read(r.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(errno())
    } else {
        Ok(n as usize)
    }
}

/// pwritev2(2) of `data` at `off` with `flags` (RWF_*).
fn pwritev2(fd: &OwnedFd, data: &[u8], off: i64, flags: i32) -> Sys<usize> {
    let iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: valid fd and one iovec of a live buffer.
    let n = unsafe { libc::pwritev2(fd.as_raw_fd(), &iov, 1, off, flags) };
    if n < 0 {
        Err(errno())
    } else {
        Ok(n as usize)
    }
}

fn removexattr(path: &str, name: &str) -> Sys<()> {
    let (p, n) = (cstr(path), cstr(name));
    // SAFETY: valid strings.
    let r = unsafe { libc::removexattr(p.as_ptr(), n.as_ptr()) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// A new entry of `kind` ("file", "dir", "symlink", "fifo") at `path`.
fn make(kind: &str, path: &str) -> Sys<()> {
    match kind {
        "file" => open(path, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644).map(drop),
        "dir" => mkdir(path, 0o755),
        "symlink" => symlink(b"target", path),
        _ => mknod(path, libc::S_IFIFO | 0o644, 0),
    }
}

// Get and set.

/// Every set of `fd` (the file or directory `path`) and what it leaves, `kind` naming it.
fn get_set_one(log: &mut Log, kind: &str, path: &str) -> TestResult {
    let fd = ok!(fd_of(path));
    let l = |s: &str| format!("{kind}: {s}");
    rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
    rec(log, &l("FSGETXATTR"), fsgetxattr(&fd).map(show_fsx));
    rec(log, &l("file_getattr"), file_getattr(path, 0).map(show_fa));
    rec(log, &l("statx attributes"), attrs_of(path));
    rec(log, &l("statx attributes_mask"), mask_of(path));
    for (name, flag) in KEPT {
        let what = l(&format!("SETFLAGS {name}"));
        timed(log, &what, path, || setflags(&fd, flag))?;
        rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
        rec(log, &l("FSGETXATTR"), fsgetxattr(&fd).map(show_fsx));
        rec(log, &l("file_getattr"), file_getattr(path, 0).map(show_fa));
        rec(log, &l("statx attributes"), attrs_of(path));
        shell(log, &format!("lsattr -d {path}"));
        timed(log, &l("SETFLAGS none"), path, || setflags(&fd, 0))?;
        rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
        rec(log, &l("statx attributes"), attrs_of(path));
    }
    timed(log, &l("SETFLAGS iadA"), path, || setflags(&fd, EVERY_KEPT))?;
    rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
    rec(log, &l("statx attributes"), attrs_of(path));
    shell(log, &format!("lsattr -d {path}"));
    // A set that changes nothing is a set all the same (shmem_fileattr_set() sets the ctime).
    let what = l("SETFLAGS iadA again");
    timed(log, &what, path, || setflags(&fd, EVERY_KEPT))?;
    timed(log, &l("SETFLAGS d"), path, || setflags(&fd, FS_NODUMP_FL))?;

    // Every other flag is refused, alone or with kept ones, and leaves the flags as they were.
    let refused = [
        ("FS_COMPR_FL", FS_COMPR_FL),
        ("FS_CASEFOLD_FL", FS_CASEFOLD_FL),
        ("FS_SYNC_FL", FS_SYNC_FL),
        ("FS_DIRSYNC_FL", FS_DIRSYNC_FL),
        ("FS_EXTENT_FL", FS_EXTENT_FL),
        ("FS_NOCOW_FL", FS_NOCOW_FL),
        ("FS_DAX_FL", FS_DAX_FL),
        ("FS_PROJINHERIT_FL", FS_PROJINHERIT_FL),
        ("FS_RESERVED_FL", FS_RESERVED_FL),
        ("iadA|FS_COMPR_FL", EVERY_KEPT | FS_COMPR_FL),
        ("d|FS_CASEFOLD_FL", FS_NODUMP_FL | FS_CASEFOLD_FL),
    ];
    for (name, flag) in refused {
        let what = l(&format!("SETFLAGS {name}"));
        timed(log, &what, path, || setflags(&fd, flag))?;
        rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
    }
    expect(
        log,
        &l("FS_COMPR_FL refused EOPNOTSUPP"),
        setflags(&fd, FS_COMPR_FL) == Err(libc::EOPNOTSUPP),
    );
    expect(
        log,
        &l("FS_CASEFOLD_FL refused EOPNOTSUPP"),
        setflags(&fd, FS_CASEFOLD_FL) == Err(libc::EOPNOTSUPP),
    );

    // FS_IOC_FSSETXATTR: the common flags, nothing of the rest.
    let ext = FsXattr {
        extsize: 4096,
        ..FsXattr::default()
    };
    let sets = [
        ("i|d", fsx(FS_XFLAG_IMMUTABLE | FS_XFLAG_NODUMP)),
        ("a|A", fsx(FS_XFLAG_APPEND | FS_XFLAG_NOATIME)),
        ("none", fsx(0)),
        ("d with nextents 5", {
            let mut x = fsx(FS_XFLAG_NODUMP);
            x.nextents = 5;
            x
        }),
        (
            "A with FS_XFLAG_HASATTR",
            fsx(FS_XFLAG_NOATIME | FS_XFLAG_HASATTR),
        ),
        ("fsx_extsize 4096", ext),
        ("FS_XFLAG_EXTSIZE, fsx_extsize 4096", {
            let mut x = ext;
            x.xflags = FS_XFLAG_EXTSIZE;
            x
        }),
        ("FS_XFLAG_EXTSIZE, fsx_extsize 0", fsx(FS_XFLAG_EXTSIZE)),
        ("fsx_projid 1", {
            let mut x = fsx(0);
            x.projid = 1;
            x
        }),
        ("fsx_cowextsize 4096", {
            let mut x = fsx(0);
            x.cowextsize = 4096;
            x
        }),
        ("FS_XFLAG_SYNC", fsx(FS_XFLAG_SYNC)),
        ("FS_XFLAG_DAX", fsx(FS_XFLAG_DAX)),
        ("an unknown xflag", fsx(FS_XFLAG_UNKNOWN)),
        ("d again", fsx(FS_XFLAG_NODUMP)),
    ];
    for (name, x) in sets {
        let what = l(&format!("FSSETXATTR {name}"));
        timed(log, &what, path, || fssetxattr(&fd, x))?;
        rec(log, &l("GETFLAGS"), getflags(&fd).map(fl));
        rec(log, &l("FSGETXATTR"), fsgetxattr(&fd).map(show_fsx));
    }
    expect(
        log,
        &l("FSSETXATTR with fsx_extsize refused EOPNOTSUPP"),
        fssetxattr(&fd, ext) == Err(libc::EOPNOTSUPP),
    );

    // file_setattr(2), the same through a path.
    let fa_ext = FileAttr {
        extsize: 4096,
        ..FileAttr::default()
    };
    let fsets = [
        ("i|A", fattr((FS_XFLAG_IMMUTABLE | FS_XFLAG_NOATIME).into())),
        ("none", fattr(0)),
        ("fa_extsize 4096", fa_ext),
        ("FS_XFLAG_SYNC", fattr(FS_XFLAG_SYNC.into())),
        ("a bit beyond 32", fattr(1 << 40)),
        ("d", fattr(FS_XFLAG_NODUMP.into())),
    ];
    for (name, fa) in fsets {
        let what = l(&format!("file_setattr {name}"));
        timed(log, &what, path, || file_setattr(path, fa, 0))?;
        rec(log, &l("file_getattr"), file_getattr(path, 0).map(show_fa));
    }
    drop(fd);

    // chattr(1) and lsattr(1).
    shell(log, &format!("chattr -d {path} && lsattr -d {path}"));
    shell(log, &format!("chattr +i {path} && lsattr -d {path}"));
    shell(log, &format!("chattr +aA -i {path} && lsattr -d {path}"));
    shell(log, &format!("chattr +c {path}; lsattr -d {path}"));
    shell(log, &format!("chattr +S {path}; lsattr -d {path}"));
    shell(log, &format!("chattr = {path} && lsattr -d {path}"));
    rec(log, &l("GETFLAGS at the end"), flags_of(path));
    Ok(())
}

fn get_set_steps(_fs: &str, log: &mut Log) -> TestResult {
    create("f", b"data")?;
    ok!(mkdir(&p("d"), 0o755));
    get_set_one(log, "file", &p("f"))?;
    get_set_one(log, "dir", &p("d"))?;
    // On a read-only mount: read, but no set.
    ok!(set_flags_of(&p("f"), FS_NODUMP_FL));
    rec(log, "remount ro", remount(ROOT, libc::MS_RDONLY, None));
    let fd = ok!(fd_of(&p("f")));
    rec(log, "ro: GETFLAGS", getflags(&fd).map(fl));
    rec(log, "ro: SETFLAGS none", setflags(&fd, 0));
    rec(log, "ro: FSSETXATTR none", fssetxattr(&fd, fsx(0)));
    rec(
        log,
        "ro: file_setattr none",
        file_setattr(&p("f"), fattr(0), 0),
    );
    rec(log, "ro: GETFLAGS after", getflags(&fd).map(fl));
    drop(fd);
    rec(log, "remount rw", remount(ROOT, 0, None));
    rec(log, "rw: SETFLAGS none", set_flags_of(&p("f"), 0));
    Ok(())
}

// Immutable.

fn immutable_file_steps(log: &mut Log) -> TestResult {
    let f = p("f");
    create("f", b"hello")?;
    create("other", b"other")?;
    // Opened, and mapped, before +i.
    let rw = ok!(open(&f, libc::O_RDWR, 0));
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    let other = ok!(open(&p("other"), libc::O_RDONLY, 0));
    ok!(setxattr(&f, "user.x", b"1"));
    timed(log, "SETFLAGS i", &f, || setflags(&ro, FS_IMMUTABLE_FL))?;
    rec(log, "GETFLAGS", getflags(&ro).map(fl));
    for (name, flags) in [
        ("O_WRONLY", libc::O_WRONLY),
        ("O_RDWR", libc::O_RDWR),
        ("O_WRONLY|O_APPEND", libc::O_WRONLY | libc::O_APPEND),
        ("O_WRONLY|O_TRUNC", libc::O_WRONLY | libc::O_TRUNC),
        ("O_RDONLY|O_TRUNC", libc::O_RDONLY | libc::O_TRUNC),
        ("O_RDONLY", libc::O_RDONLY),
    ] {
        rec_ok(log, &format!("open {name}"), open(&f, flags, 0));
    }
    rec(log, "truncate 2", truncate(&f, 2));
    rec(
        log,
        "fd opened before: pwrite 'J' at 0",
        pwrite(&rw, b"J", 0),
    );
    rec(log, "fd opened before: write 'K'", write(&rw, b"K"));
    rec(log, "fd opened before: ftruncate 4", ftruncate(&rw, 4));
    rec(log, "content", content(&f));
    rec(
        log,
        "fd opened before: fallocate 0..8192",
        fallocate(&rw, 0, 0, 8192),
    );
    let punch = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    rec(
        log,
        "fd opened before: fallocate punch 0..1",
        fallocate(&rw, punch, 0, 1),
    );
    let mut o1 = 0;
    let mut o2 = 0;
    rec(
        log,
        "copy_file_range onto it",
        copy_file_range(&other, &mut o1, &rw, &mut o2, 3),
    );
    let rw_prot = libc::PROT_READ | libc::PROT_WRITE;
    let m = Map::new(&rw, PAGE, rw_prot, libc::MAP_SHARED);
    if let Some(mut m) = rec_keep(log, "fd opened before: mmap PROT_WRITE MAP_SHARED", m) {
        rec(log, "write 'M' through it", write_via_map(&mut m, b"M"));
        rec(log, "msync", m.msync());
    }
    rec(log, "content", content(&f));
    rec(log, "size", size_of_file(&f));
    rec_ok(
        log,
        "O_RDONLY fd: mmap PROT_WRITE MAP_SHARED",
        Map::new(&ro, PAGE, rw_prot, libc::MAP_SHARED),
    );
    rec_ok(
        log,
        "O_RDONLY fd: mmap PROT_WRITE MAP_PRIVATE",
        Map::new(&ro, PAGE, rw_prot, libc::MAP_PRIVATE),
    );
    rec(log, "unlink", unlink(&f));
    rec(log, "rename from", rename(&f, &p("f2"), 0));
    rec(log, "rename onto", rename(&p("other"), &f, 0));
    rec(
        log,
        "rename exchange",
        rename(&p("other"), &f, libc::RENAME_EXCHANGE),
    );
    rec(log, "link", link(&f, &p("f3")));
    rec(log, "chmod 600", chmod(&f, 0o600));
    rec(log, "chown 1:1", lchown(&f, 1, 1));
    rec(log, "utimensat now", utimens(&f, None, 0));
    let t = ts(1000, 0);
    rec(log, "utimensat 1000", utimens(&f, Some([t, t]), 0));
    rec(log, "setxattr user.x", setxattr(&f, "user.x", b"2"));
    rec(log, "setxattr user.y", setxattr(&f, "user.y", b"2"));
    rec(log, "removexattr user.x", removexattr(&f, "user.x"));
    rec(log, "getxattr user.x", getxattr(&f, "user.x"));
    rec(
        log,
        "SETFLAGS id (i kept)",
        setflags(&ro, FS_IMMUTABLE_FL | FS_NODUMP_FL),
    );
    rec(log, "GETFLAGS", getflags(&ro).map(fl));
    rec(log, "stat mode", lstat(&f).map(|st| st.st_mode));

    // Without i, everything works again.
    timed(log, "SETFLAGS none", &f, || setflags(&ro, 0))?;
    rec(log, "-i: pwrite 'J' at 0", pwrite(&rw, b"J", 0));
    rec_ok(log, "-i: open O_WRONLY", open(&f, libc::O_WRONLY, 0));
    rec_ok(
        log,
        "-i: open O_WRONLY|O_TRUNC",
        open(&f, libc::O_WRONLY | libc::O_TRUNC, 0),
    );
    rec(log, "-i: size", size_of_file(&f));
    rec(log, "-i: truncate 3", truncate(&f, 3));
    rec(log, "-i: fallocate 0..8192", fallocate(&rw, 0, 0, 8192));
    rec(log, "-i: fallocate punch 0..1", fallocate(&rw, punch, 0, 1));
    let m = Map::new(&rw, PAGE, rw_prot, libc::MAP_SHARED);
    if let Some(mut m) = rec_keep(log, "-i: mmap PROT_WRITE MAP_SHARED", m) {
        rec(log, "-i: write 'M' through it", write_via_map(&mut m, b"M"));
        rec(log, "-i: msync", m.msync());
    }
    rec(log, "-i: content", content(&f));
    rec(log, "-i: chmod 600", chmod(&f, 0o600));
    rec(log, "-i: chown 1:1", lchown(&f, 1, 1));
    rec(log, "-i: utimensat now", utimens(&f, None, 0));
    rec(log, "-i: setxattr user.x", setxattr(&f, "user.x", b"2"));
    rec(log, "-i: link", link(&f, &p("f3")));
    rec(log, "-i: rename from", rename(&f, &p("f2"), 0));
    rec(log, "-i: rename back", rename(&p("f2"), &f, 0));
    rec(log, "-i: rename onto", rename(&p("other"), &p("f3"), 0));
    rec(log, "-i: unlink", unlink(&f));
    Ok(())
}

fn immutable_dir_steps(log: &mut Log) -> TestResult {
    let d = p("d");
    ok!(mkdir(&d, 0o755));
    create("d/c", b"child")?;
    ok!(mkdir(&p("d/sub"), 0o755));
    create("out", b"out")?;
    ok!(mkdir(&p("e"), 0o755));
    let dfd = ok!(fd_of(&d));
    timed(log, "dir: SETFLAGS i", &d, || {
        setflags(&dfd, FS_IMMUTABLE_FL)
    })?;
    rec(log, "dir: GETFLAGS", getflags(&dfd).map(fl));
    let ops = |log: &mut Log, tag: &str| {
        let l = |s: &str| format!("{tag}: {s}");
        for kind in ["file", "dir", "symlink", "fifo"] {
            rec(
                log,
                &l(&format!("create {kind}")),
                make(kind, &p(&format!("d/n{kind}"))),
            );
        }
        let tmp = open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o600);
        rec_ok(log, &l("O_TMPFILE"), tmp);
        rec(log, &l("link into"), link(&p("out"), &p("d/h")));
        rec(log, &l("rename into"), rename(&p("out"), &p("d/out"), 0));
        rec(log, &l("rename out"), rename(&p("d/c"), &p("c"), 0));
        rec(log, &l("rename back"), rename(&p("c"), &p("d/c"), 0));
        rec(log, &l("rename within"), rename(&p("d/c"), &p("d/c2"), 0));
        rec(
            log,
            &l("rename back within"),
            rename(&p("d/c2"), &p("d/c"), 0),
        );
        rec(log, &l("rename the dir"), rename(&d, &p("d2"), 0));
        rec(log, &l("rename the dir back"), rename(&p("d2"), &d, 0));
        rec(log, &l("rename a dir onto it"), rename(&p("e"), &d, 0));
        let w = open(&p("d/c"), libc::O_WRONLY | libc::O_APPEND, 0);
        rec(
            log,
            &l("append to a child"),
            w.and_then(|w| write(&w, b"+")),
        );
        rec(log, &l("child's content"), content(&p("d/c")));
        rec(log, &l("chmod the dir 700"), chmod(&d, 0o700));
        rec(log, &l("setxattr on the dir"), setxattr(&d, "user.x", b"1"));
        rec(log, &l("utimensat the dir"), utimens(&d, None, 0));
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        rec(log, &l("readdir"), Ok::<_, i32>(names));
        rec(log, &l("unlink a child"), unlink(&p("d/c")));
        rec(log, &l("rmdir a child"), rmdir(&p("d/sub")));
    };
    ops(log, "+i");
    rec(log, "+i: rmdir the dir", rmdir(&d));
    timed(log, "dir: SETFLAGS none", &d, || setflags(&dfd, 0))?;
    ops(log, "-i");
    Ok(())
}

fn immutable_steps(_fs: &str, log: &mut Log) -> TestResult {
    immutable_file_steps(log)?;
    immutable_dir_steps(log)
}

// Append-only.

fn append_file_steps(log: &mut Log) -> TestResult {
    let f = p("f");
    create("f", b"abc")?;
    create("other", b"other")?;
    let rw = ok!(open(&f, libc::O_RDWR, 0));
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    let other = ok!(open(&p("other"), libc::O_RDONLY, 0));
    timed(log, "SETFLAGS a", &f, || setflags(&ro, FS_APPEND_FL))?;
    rec(log, "GETFLAGS", getflags(&ro).map(fl));
    for (name, flags) in [
        ("O_WRONLY", libc::O_WRONLY),
        ("O_RDWR", libc::O_RDWR),
        ("O_WRONLY|O_TRUNC", libc::O_WRONLY | libc::O_TRUNC),
        (
            "O_WRONLY|O_APPEND|O_TRUNC",
            libc::O_WRONLY | libc::O_APPEND | libc::O_TRUNC,
        ),
        ("O_RDONLY|O_TRUNC", libc::O_RDONLY | libc::O_TRUNC),
        ("O_RDWR|O_APPEND", libc::O_RDWR | libc::O_APPEND),
        ("O_RDONLY", libc::O_RDONLY),
    ] {
        rec_ok(log, &format!("open {name}"), open(&f, flags, 0));
    }
    let Some(ap) = rec_keep(
        log,
        "open O_WRONLY|O_APPEND",
        open(&f, libc::O_WRONLY | libc::O_APPEND, 0),
    ) else {
        return Ok(());
    };
    rec(log, "write 'def'", write(&ap, b"def"));
    rec(log, "content", content(&f));
    rec(log, "pwrite 'XY' at 0", pwrite(&ap, b"XY", 0));
    rec(log, "content", content(&f));
    rec(
        log,
        "pwritev2 RWF_NOAPPEND",
        pwritev2(&ap, b"N", 0, libc::RWF_NOAPPEND),
    );
    rec(
        log,
        "F_SETFL without O_APPEND",
        fcntl(&ap, libc::F_SETFL, 0),
    );
    rec(
        log,
        "fd opened before: F_SETFL O_APPEND",
        fcntl(&rw, libc::F_SETFL, libc::O_APPEND.into()),
    );
    rec(
        log,
        "fd opened before: pwrite 'Z' at 0",
        pwrite(&rw, b"Z", 0),
    );
    rec(log, "content", content(&f));
    rec(log, "truncate 1", truncate(&f, 1));
    rec(log, "O_APPEND fd: ftruncate 1", ftruncate(&ap, 1));
    rec(log, "fd opened before: ftruncate 1", ftruncate(&rw, 1));
    let punch = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    rec(log, "fallocate punch 0..1", fallocate(&ap, punch, 0, 1));
    rec(
        log,
        "fallocate zero range 0..1",
        fallocate(&ap, libc::FALLOC_FL_ZERO_RANGE, 0, 1),
    );
    let keep = libc::FALLOC_FL_KEEP_SIZE;
    rec(
        log,
        "fallocate KEEP_SIZE 0..8192",
        fallocate(&ap, keep, 0, 8192),
    );
    rec(log, "size", size_of_file(&f));
    rec(log, "fallocate 0..8192", fallocate(&ap, 0, 0, 8192));
    rec(log, "size", size_of_file(&f));
    let mut o1 = 0;
    let mut o2 = 0;
    rec(
        log,
        "copy_file_range onto the O_APPEND fd",
        copy_file_range(&other, &mut o1, &ap, &mut o2, 3),
    );
    let (mut o1, mut o2) = (0, 0);
    rec(
        log,
        "copy_file_range onto the fd opened before",
        copy_file_range(&other, &mut o1, &rw, &mut o2, 3),
    );
    let rw_prot = libc::PROT_READ | libc::PROT_WRITE;
    let shared = libc::MAP_SHARED;
    rec_ok(
        log,
        "O_APPEND fd: mmap PROT_WRITE MAP_SHARED",
        Map::new(&ap, PAGE, rw_prot, shared),
    );
    rec_ok(
        log,
        "O_APPEND fd: mmap PROT_READ MAP_SHARED",
        Map::new(&ap, PAGE, libc::PROT_READ, shared),
    );
    rec_ok(
        log,
        "fd opened before: mmap PROT_WRITE MAP_SHARED",
        Map::new(&rw, PAGE, rw_prot, shared),
    );
    rec_ok(
        log,
        "O_RDONLY fd: mmap PROT_READ MAP_SHARED",
        Map::new(&ro, PAGE, libc::PROT_READ, shared),
    );
    rec_ok(
        log,
        "O_RDONLY fd: mmap PROT_WRITE MAP_PRIVATE",
        Map::new(&ro, PAGE, rw_prot, libc::MAP_PRIVATE),
    );
    rec(log, "unlink", unlink(&f));
    rec(log, "rename from", rename(&f, &p("f2"), 0));
    rec(log, "rename onto", rename(&p("other"), &f, 0));
    rec(log, "link", link(&f, &p("f3")));
    rec(log, "chmod 600", chmod(&f, 0o600));
    rec(log, "chown 1:1", lchown(&f, 1, 1));
    rec(log, "utimensat now", utimens(&f, None, 0));
    let t = ts(1000, 0);
    rec(log, "utimensat 1000", utimens(&f, Some([t, t]), 0));
    rec(log, "setxattr user.x", setxattr(&f, "user.x", b"1"));
    rec(log, "content", content(&f));

    timed(log, "SETFLAGS none", &f, || setflags(&ro, 0))?;
    rec_ok(log, "-a: open O_WRONLY", open(&f, libc::O_WRONLY, 0));
    rec(log, "-a: pwrite 'Z' at 0", pwrite(&rw, b"Z", 0));
    rec(log, "-a: truncate 2", truncate(&f, 2));
    rec(log, "-a: fallocate punch 0..1", fallocate(&rw, punch, 0, 1));
    rec(log, "-a: content", content(&f));
    rec_ok(
        log,
        "-a: mmap PROT_WRITE MAP_SHARED",
        Map::new(&rw, PAGE, rw_prot, shared),
    );
    rec(log, "-a: rename from", rename(&f, &p("f2"), 0));
    rec(log, "-a: unlink", unlink(&p("f2")));
    Ok(())
}

fn append_dir_steps(log: &mut Log) -> TestResult {
    let d = p("d");
    ok!(mkdir(&d, 0o755));
    create("d/c", b"child")?;
    ok!(mkdir(&p("d/sub"), 0o755));
    create("out", b"out")?;
    create("out2", b"out2")?;
    let dfd = ok!(fd_of(&d));
    timed(log, "dir: SETFLAGS a", &d, || setflags(&dfd, FS_APPEND_FL))?;
    for kind in ["file", "dir", "symlink", "fifo"] {
        let what = format!("dir +a: create {kind}");
        rec(log, &what, make(kind, &p(&format!("d/n{kind}"))));
    }
    rec(log, "dir +a: link into", link(&p("out"), &p("d/h")));
    rec(
        log,
        "dir +a: rename into",
        rename(&p("out2"), &p("d/out2"), 0),
    );
    rec(
        log,
        "dir +a: rename onto a child",
        rename(&p("out"), &p("d/c"), 0),
    );
    rec(log, "dir +a: rename out", rename(&p("d/c"), &p("c"), 0));
    rec(
        log,
        "dir +a: rename within",
        rename(&p("d/c"), &p("d/c2"), 0),
    );
    rec(log, "dir +a: unlink a child", unlink(&p("d/c")));
    rec(log, "dir +a: rmdir a child", rmdir(&p("d/sub")));
    let w = open(&p("d/c"), libc::O_WRONLY | libc::O_TRUNC, 0);
    rec(
        log,
        "dir +a: rewrite a child",
        w.and_then(|w| write(&w, b"new")),
    );
    rec(log, "dir +a: chmod the dir 700", chmod(&d, 0o700));
    timed(log, "dir: SETFLAGS none", &d, || setflags(&dfd, 0))?;
    rec(log, "dir -a: unlink a child", unlink(&p("d/c")));
    rec(log, "dir -a: rmdir a child", rmdir(&p("d/sub")));
    Ok(())
}

fn append_steps(_fs: &str, log: &mut Log) -> TestResult {
    append_file_steps(log)?;
    append_dir_steps(log)
}

// No atime, no dump.

fn atime_of(path: &str) -> Sys<(i64, u32)> {
    stx(path).map(|st| ts_of(&st.stx_atime))
}

/// On a mount with strictatime, where every read sets the atime.
fn noatime_steps(_fs: &str, log: &mut Log) -> TestResult {
    create("f", b"data")?;
    create("g", b"data")?;
    ok!(mkdir(&p("d"), 0o755));
    ok!(mkdir(&p("e"), 0o755));
    create("d/x", b"")?;
    create("e/x", b"")?;
    for n in ["f", "d"] {
        rec(
            log,
            &format!("{n}: SETFLAGS A"),
            set_flags_of(&p(n), FS_NOATIME_FL),
        );
    }
    let old = ts(1000, 0);
    for n in ["f", "g", "d", "e"] {
        let what = format!("{n}: utimensat 1000");
        rec(log, &what, utimens(&p(n), Some([old, old]), 0));
    }
    for n in ["f", "g"] {
        rec(log, &format!("{n}: read"), content(&p(n)));
        let fd = ok!(open(&p(n), libc::O_RDONLY, 0));
        let m = Map::new(&fd, PAGE, libc::PROT_READ, libc::MAP_SHARED);
        rec(
            log,
            &format!("{n}: read through mmap"),
            m.map(|m| m.bytes()[..4].to_vec()),
        );
    }
    for n in ["d", "e"] {
        let fd = ok!(open(&p(n), libc::O_RDONLY | libc::O_DIRECTORY, 0));
        let r = getdents(&fd, 4096).map(|v| v.len());
        rec(log, &format!("{n}: readdir entries"), r);
    }
    for (n, has_a) in [("f", true), ("g", false), ("d", true), ("e", false)] {
        let a = ok!(atime_of(&p(n)));
        expect(
            log,
            &format!("{n}: atime 1000 after a read exactly when it has A"),
            (a == (1000, 0)) == has_a,
        );
    }
    // A makes no difference to writes, nor to explicit times.
    let t = ts(2000, 0);
    rec(log, "f: utimensat 2000", utimens(&p("f"), Some([t, t]), 0));
    rec(log, "f: atime", atime_of(&p("f")));
    let w = open(&p("f"), libc::O_WRONLY | libc::O_APPEND, 0);
    rec(log, "f: append", w.and_then(|w| write(&w, b"+")));
    let st = ok!(stx(&p("f")));
    rec(
        log,
        "f: mtime changed",
        Ok::<_, i32>(st.stx_mtime.tv_sec != 2000),
    );
    rec(
        log,
        "f: atime after the write",
        Ok::<_, i32>(ts_of(&st.stx_atime)),
    );
    // O_NOATIME is the owner's too, with or without A.
    rec_ok(
        log,
        "g: open O_NOATIME",
        open(&p("g"), libc::O_RDONLY | libc::O_NOATIME, 0),
    );
    // Without A, a read sets it again.
    rec(log, "f: SETFLAGS none", set_flags_of(&p("f"), 0));
    rec(log, "f: read", content(&p("f")));
    let a = ok!(atime_of(&p("f")));
    expect(log, "f: without A, a read sets the atime", a != (2000, 0));
    Ok(())
}

fn nodump_steps(_fs: &str, log: &mut Log) -> TestResult {
    let f = p("f");
    create("f", b"data")?;
    ok!(mkdir(&p("d"), 0o755));
    rec(log, "SETFLAGS d", set_flags_of(&f, FS_NODUMP_FL));
    rec(log, "dir: SETFLAGS d", set_flags_of(&p("d"), FS_NODUMP_FL));
    rec(log, "GETFLAGS", flags_of(&f));
    rec(log, "statx attributes", attrs_of(&f));
    shell(log, &format!("lsattr -d {f} {}", p("d")));
    // Nothing else changes.
    let w = open(&f, libc::O_WRONLY | libc::O_TRUNC, 0);
    rec(log, "rewrite", w.and_then(|w| write(&w, b"new")));
    rec(log, "truncate 2", truncate(&f, 2));
    rec(log, "chmod 600", chmod(&f, 0o600));
    rec(log, "utimensat now", utimens(&f, None, 0));
    rec(log, "setxattr user.x", setxattr(&f, "user.x", b"1"));
    rec(log, "link", link(&f, &p("d/h")));
    rec(log, "rename into the dir", rename(&f, &p("d/f"), 0));
    rec(log, "content", content(&p("d/f")));
    rec(log, "unlink", unlink(&p("d/f")));
    rec(log, "unlink the link", unlink(&p("d/h")));
    rec(log, "rmdir the dir", rmdir(&p("d")));
    Ok(())
}

// statx and inheritance.

fn statx_steps(_fs: &str, log: &mut Log) -> TestResult {
    create("f", b"")?;
    ok!(mkdir(&p("d"), 0o755));
    ok!(symlink(b"f", &p("l")));
    ok!(mknod(&p("p"), libc::S_IFIFO | 0o644, 0));
    ok!(mknod(&p("c"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)));
    ok!(mknod(&p("s"), libc::S_IFSOCK | 0o644, 0));
    create("w", b"")?;
    ok!(rename(&p("w"), &p("w2"), libc::RENAME_WHITEOUT));
    let kinds = [
        ("root", ROOT.to_owned()),
        ("file", p("f")),
        ("dir", p("d")),
        ("symlink", p("l")),
        ("fifo", p("p")),
        ("char device", p("c")),
        ("socket", p("s")),
        ("whiteout", p("w")),
    ];
    for (kind, path) in &kinds {
        rec(log, &format!("{kind}: statx attributes"), attrs_of(path));
        rec(
            log,
            &format!("{kind}: statx attributes_mask"),
            mask_of(path),
        );
        let m = stx(path).map(|st| st.stx_attributes_mask & STATX_ATTRS == STATX_ATTRS);
        expect(
            log,
            &format!("{kind}: statx attributes_mask has i, a and d"),
            m == Ok(true),
        );
    }
    for (name, flags) in [
        ("i", FS_IMMUTABLE_FL),
        ("a", FS_APPEND_FL),
        ("d", FS_NODUMP_FL),
        ("A", FS_NOATIME_FL),
        ("iadA", EVERY_KEPT),
    ] {
        for n in ["f", "d"] {
            rec(
                log,
                &format!("{n}: SETFLAGS {name}"),
                set_flags_of(&p(n), flags),
            );
            rec(log, &format!("{n}: statx attributes"), attrs_of(&p(n)));
            rec(log, &format!("{n}: statx attributes_mask"), mask_of(&p(n)));
            // stat(2) has no attributes; statx of an fd has the same.
            let fd = ok!(fd_of(&p(n)));
            // SAFETY: an all-zero statx is a valid value of the plain C struct.
            let mut st: libc::statx = unsafe { std::mem::zeroed() };
            let empty = cstr("");
            // SAFETY: valid fd, string and out pointer.
            let r = unsafe {
                libc::statx(
                    fd.as_raw_fd(),
                    empty.as_ptr(),
                    libc::AT_EMPTY_PATH,
                    libc::STATX_BASIC_STATS,
                    &mut st,
                )
            };
            let a = if r < 0 {
                Err(errno())
            } else {
                Ok(sattrs(st.stx_attributes & STATX_ATTRS))
            };
            rec(log, &format!("{n}: statx of an fd: attributes"), a);
        }
    }
    for n in ["f", "d"] {
        rec(log, &format!("{n}: SETFLAGS none"), set_flags_of(&p(n), 0));
    }
    Ok(())
}

/// What a new inode at `path` got: its flags (where it has them) and statx's attributes.
fn got(log: &mut Log, what: &str, path: &str) {
    rec(log, &format!("{what}: GETFLAGS"), flags_of(path));
    rec(log, &format!("{what}: file_getattr"), {
        file_getattr(path, libc::AT_SYMLINK_NOFOLLOW).map(|a| xfl(a.xflags))
    });
    rec(log, &format!("{what}: statx attributes"), attrs_of(path));
}

fn inherit_steps(_fs: &str, log: &mut Log) -> TestResult {
    let d = p("d");
    ok!(mkdir(&d, 0o755));
    create("plain", b"")?;
    create("mv", b"")?;
    ok!(mkdir(&p("mvd"), 0o755));
    // a lets entries be made; only d and A pass on.
    let every = FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL;
    rec(log, "dir: SETFLAGS adA", set_flags_of(&d, every));
    rec(log, "dir: GETFLAGS", flags_of(&d));
    for kind in ["file", "dir", "symlink", "fifo"] {
        let path = p(&format!("d/{kind}"));
        rec(log, &format!("create {kind}"), make(kind, &path));
        got(log, &format!("new {kind}"), &path);
    }
    rec(
        log,
        "mknod char device",
        mknod(&p("d/c"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)),
    );
    got(log, "new char device", &p("d/c"));
    // Further down: from the subdirectory, which inherited them.
    create("d/dir/f", b"")?;
    got(log, "file in the subdirectory", &p("d/dir/f"));
    ok!(mkdir(&p("d/dir/sub"), 0o755));
    got(log, "subdirectory of the subdirectory", &p("d/dir/sub"));
    if let Some(t) = rec_keep(
        log,
        "O_TMPFILE",
        open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o600),
    ) {
        rec(log, "O_TMPFILE: GETFLAGS", getflags(&t).map(fl));
    }
    // Links and renames keep the flags their inodes have.
    rec(log, "link into", link(&p("plain"), &p("d/h")));
    got(log, "linked file", &p("d/h"));
    rec(log, "rename into", rename(&p("mv"), &p("d/mv"), 0));
    got(log, "renamed file", &p("d/mv"));
    rec(log, "rename a dir into", rename(&p("mvd"), &p("d/mvd"), 0));
    got(log, "renamed dir", &p("d/mvd"));
    // A whiteout is a new inode of the directory (not appendable: a rename leaves it).
    ok!(mkdir(&p("w"), 0o755));
    rec(
        log,
        "dir w: SETFLAGS dA",
        set_flags_of(&p("w"), FS_NODUMP_FL | FS_NOATIME_FL),
    );
    create("w/x", b"")?;
    rec(
        log,
        "rename whiteout",
        rename(&p("w/x"), &p("w/y"), libc::RENAME_WHITEOUT),
    );
    got(log, "whiteout", &p("w/x"));
    // A change of the directory's flags changes nothing of what is in it.
    rec(log, "dir: SETFLAGS a", set_flags_of(&d, FS_APPEND_FL));
    got(log, "file after", &p("d/file"));
    create("d/after", b"")?;
    got(log, "file created after", &p("d/after"));
    // With i, nothing is made; d alone is inherited alone, A alone too.
    rec(
        log,
        "dir: SETFLAGS id",
        set_flags_of(&d, FS_IMMUTABLE_FL | FS_NODUMP_FL),
    );
    rec(log, "create in +i", make("file", &p("d/x")));
    rec(log, "dir: SETFLAGS d", set_flags_of(&d, FS_NODUMP_FL));
    create("d/y", b"")?;
    got(log, "file under d", &p("d/y"));
    rec(log, "dir: SETFLAGS A", set_flags_of(&d, FS_NOATIME_FL));
    ok!(mkdir(&p("d/z"), 0o755));
    got(log, "dir under A", &p("d/z"));
    shell(log, &format!("lsattr -d {}/* | sort", d));
    Ok(())
}

// Symlinks, fifos and devices.

fn special_steps(_fs: &str, log: &mut Log) -> TestResult {
    create("f", b"")?;
    ok!(symlink(b"f", &p("l")));
    ok!(mknod(&p("p"), libc::S_IFIFO | 0o644, 0));
    ok!(mknod(&p("c"), libc::S_IFCHR | 0o666, libc::makedev(1, 3)));
    ok!(mkdir(&p("d"), 0o755));
    // Opened: a fifo's and a device's fds go to their own file operations.
    for (kind, path) in [("fifo", p("p")), ("char device", p("c"))] {
        let fd = ok!(open(&path, libc::O_RDWR | libc::O_NONBLOCK, 0));
        rec(log, &format!("{kind}: GETFLAGS"), getflags(&fd).map(fl));
        rec(
            log,
            &format!("{kind}: SETFLAGS d"),
            setflags(&fd, FS_NODUMP_FL),
        );
        rec(
            log,
            &format!("{kind}: FSGETXATTR"),
            fsgetxattr(&fd).map(show_fsx),
        );
        let x = fsx(FS_XFLAG_NODUMP);
        rec(log, &format!("{kind}: FSSETXATTR d"), fssetxattr(&fd, x));
    }
    // By path.
    let nofollow = libc::AT_SYMLINK_NOFOLLOW;
    for (what, path, at) in [
        ("symlink, AT_SYMLINK_NOFOLLOW", p("l"), nofollow),
        ("symlink, followed", p("l"), 0),
        ("fifo", p("p"), 0),
        ("char device", p("c"), 0),
        ("file", p("f"), 0),
        ("dir", p("d"), 0),
    ] {
        let g = file_getattr(&path, at).map(show_fa);
        rec(log, &format!("{what}: file_getattr"), g);
        let s = file_setattr(&path, fattr(FS_XFLAG_NODUMP.into()), at);
        rec(log, &format!("{what}: file_setattr d"), s);
        let g = file_getattr(&path, at).map(show_fa);
        rec(log, &format!("{what}: file_getattr after"), g);
    }
    rec(log, "file: GETFLAGS", flags_of(&p("f")));
    rec(log, "symlink: statx attributes", attrs_of(&p("l")));
    // The VFS's checks of file_getattr(2)'s arguments, before the file system.
    let c = cstr(&p("f"));
    let mut fa = FileAttr::default();
    // SAFETY: valid string and out pointer of more than the 23 bytes given.
    let r = unsafe {
        libc::syscall(
            SYS_FILE_GETATTR,
            libc::AT_FDCWD,
            c.as_ptr(),
            &mut fa as *mut FileAttr,
            23,
            0,
        )
    };
    let e = if r < 0 { Err(errno()) } else { Ok(r) };
    rec(log, "file_getattr of 23 bytes", e);
    let fd = ok!(fd_of(&p("d")));
    // SAFETY: valid fd, string and out pointer.
    let r = unsafe {
        libc::syscall(
            SYS_FILE_GETATTR,
            fd.as_raw_fd(),
            std::ptr::null::<libc::c_char>(),
            &mut fa as *mut FileAttr,
            std::mem::size_of::<FileAttr>(),
            libc::AT_EMPTY_PATH,
        )
    };
    let e = if r < 0 {
        Err(errno())
    } else {
        Ok(xfl(fa.xflags))
    };
    rec(log, "dir: file_getattr of its fd", e);
    // An O_PATH fd has no ioctls.
    let o = ok!(open(&p("l"), libc::O_PATH | libc::O_NOFOLLOW, 0));
    rec(log, "symlink O_PATH: GETFLAGS", getflags(&o).map(fl));
    shell(log, &format!("lsattr -d {} {} 2>&1; echo", p("l"), p("p")));
    shell(log, &format!("chattr +d {} 2>&1; echo", p("p")));
    Ok(())
}

// Permissions.

/// Runs `f` in a forked child as `uid`:`gid` (no supplementary groups); returns its log.
fn as_user_log(uid: u32, gid: u32, f: impl FnOnce(&mut Log)) -> Result<Log, String> {
    let (rd, wr) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", ename(errno())));
    }
    if pid == 0 {
        drop(rd);
        let mut log = Vec::new();
        let code = match become_user(uid, gid) {
            Ok(()) => {
                f(&mut log);
                0
            }
            Err(e) => {
                log.push(e);
                1
            }
        };
        let text = log.join("\n");
        let mut b = text.as_bytes();
        while !b.is_empty() {
            match write(&wr, b) {
                Ok(n) => b = &b[n..],
                Err(libc::EINTR) => {}
                Err(_) => break,
            }
        }
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    drop(wr);
    let out = read_to_end(&rd).map_err(|e| format!("read from child: {}", ename(e)));
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let out = String::from_utf8_lossy(&out?).into_owned();
    check!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child as uid {uid}: status {status:#x}: {out}"
    );
    Ok(out.lines().map(|l| format!("uid {uid}: {l}")).collect())
}

const NOBODY: u32 = 65534;

fn owner_steps(log: &mut Log) {
    let o = p("o");
    match fd_of(&o) {
        Ok(fd) => {
            rec(log, "own file: GETFLAGS", getflags(&fd).map(fl));
            for (name, flags) in [
                ("d", FS_NODUMP_FL),
                ("dA", FS_NODUMP_FL | FS_NOATIME_FL),
                ("i", FS_IMMUTABLE_FL),
                ("a", FS_APPEND_FL),
                ("dAi", FS_NODUMP_FL | FS_NOATIME_FL | FS_IMMUTABLE_FL),
                ("dAa", FS_NODUMP_FL | FS_NOATIME_FL | FS_APPEND_FL),
                ("FS_COMPR_FL", FS_COMPR_FL),
            ] {
                rec(
                    log,
                    &format!("own file: SETFLAGS {name}"),
                    setflags(&fd, flags),
                );
                rec(log, "own file: GETFLAGS", getflags(&fd).map(fl));
            }
            let i = fsx(FS_XFLAG_IMMUTABLE);
            rec(log, "own file: FSSETXATTR i", fssetxattr(&fd, i));
            rec(
                log,
                "own file: FSSETXATTR d",
                fssetxattr(&fd, fsx(FS_XFLAG_NODUMP)),
            );
            let a = fattr(FS_XFLAG_APPEND.into());
            rec(log, "own file: file_setattr a", file_setattr(&o, a, 0));
            let na = fattr(FS_XFLAG_NOATIME.into());
            rec(log, "own file: file_setattr A", file_setattr(&o, na, 0));
            rec(log, "own file: GETFLAGS", getflags(&fd).map(fl));
            rec(log, "own file: SETFLAGS none", setflags(&fd, 0));
        }
        Err(e) => log.push(format!("open own file: {}", ename(e))),
    }
    // Immutable by root: the owner can neither clear i nor is refused the rest.
    match fd_of(&p("oi")) {
        Ok(fd) => {
            rec(log, "own +i file: SETFLAGS none", setflags(&fd, 0));
            let id = FS_IMMUTABLE_FL | FS_NODUMP_FL;
            rec(log, "own +i file: SETFLAGS id", setflags(&fd, id));
            rec(log, "own +i file: GETFLAGS", getflags(&fd).map(fl));
        }
        Err(e) => log.push(format!("open own +i file: {}", ename(e))),
    }
    rec(
        log,
        "own dir: SETFLAGS A",
        set_flags_of(&p("od"), FS_NOATIME_FL),
    );
    rec(
        log,
        "own dir: SETFLAGS a",
        set_flags_of(&p("od"), FS_APPEND_FL),
    );
    shell(log, &format!("chattr +d {o} && lsattr -d {o}"));
    shell(log, &format!("chattr +i {o}; lsattr -d {o}"));
    // Someone else's file.
    let r = p("r");
    match fd_of(&r) {
        Ok(fd) => {
            rec(log, "root's file: GETFLAGS", getflags(&fd).map(fl));
            rec(log, "root's file: SETFLAGS d", setflags(&fd, FS_NODUMP_FL));
            rec(log, "root's file: SETFLAGS none", setflags(&fd, 0));
            let x = fsx(FS_XFLAG_NODUMP);
            rec(log, "root's file: FSSETXATTR d", fssetxattr(&fd, x));
            rec(
                log,
                "root's file: FSGETXATTR",
                fsgetxattr(&fd).map(show_fsx),
            );
        }
        Err(e) => log.push(format!("open root's file: {}", ename(e))),
    }
    let d = fattr(FS_XFLAG_NODUMP.into());
    rec(log, "root's file: file_setattr d", file_setattr(&r, d, 0));
    let r600 = p("r600");
    rec_ok(log, "root's 0600 file: open", fd_of(&r600));
    let g = file_getattr(&r600, 0).map(show_fa);
    rec(log, "root's 0600 file: file_getattr", g);
    rec(
        log,
        "root's 0600 file: file_setattr d",
        file_setattr(&r600, d, 0),
    );
    rec(
        log,
        "root's dir: SETFLAGS d",
        set_flags_of(&p("rd"), FS_NODUMP_FL),
    );
    shell(log, &format!("chattr +d {r}; lsattr -d {r}"));
}

fn perms_steps(_fs: &str, log: &mut Log) -> TestResult {
    for n in ["o", "oi", "r"] {
        create(n, b"data")?;
    }
    create("r600", b"data")?;
    ok!(chmod(&p("r600"), 0o600));
    ok!(set_flags_of(&p("r600"), FS_NOATIME_FL));
    ok!(mkdir(&p("od"), 0o755));
    ok!(mkdir(&p("rd"), 0o755));
    for n in ["o", "oi", "od"] {
        ok!(lchown(&p(n), NOBODY, NOBODY));
    }
    rec(
        log,
        "root: SETFLAGS i on the owner's oi",
        set_flags_of(&p("oi"), FS_IMMUTABLE_FL),
    );
    log.extend(as_user_log(NOBODY, NOBODY, owner_steps)?);
    for n in ["o", "oi", "od", "r", "r600", "rd"] {
        rec(log, &format!("root: {n}: GETFLAGS"), flags_of(&p(n)));
    }
    rec(log, "root: SETFLAGS none on oi", set_flags_of(&p("oi"), 0));
    Ok(())
}

/// The inode flags of chattr(1) as tmpfs's, side by side: get and set, refusals, immutable,
/// append-only, no atime and no dump, statx's attributes, inheritance, permissions, and
/// symlinks, fifos and devices.
pub fn t_inode_flags() -> TestResult {
    all(vec![
        same_as_tmpfs(None, None, &get_set_steps),
        same_as_tmpfs(None, None, &immutable_steps),
        same_as_tmpfs(None, None, &append_steps),
        same_as_tmpfs_mounted(libc::MS_STRICTATIME, None, None, &noatime_steps),
        same_as_tmpfs(None, None, &nodump_steps),
        same_as_tmpfs(None, None, &statx_steps),
        same_as_tmpfs(None, None, &inherit_steps),
        same_as_tmpfs(None, None, &special_steps),
        same_as_tmpfs(None, None, &perms_steps),
    ])
}
