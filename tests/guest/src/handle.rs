// SPDX-License-Identifier: GPL-2.0
//! File handles (export operations) as tmpfs has them (mm/shmem.c's `shmem_export_ops`): a
//! handle is the inode number and a random generation, 3 words of type 1; decoding finds the
//! inode while it lives and gives one of its dentries, never bringing a removed inode back;
//! there is no parent to find (no connectable handles). Each test runs the same steps on tmpfs
//! first (the reference) and then on bs2ramfs (`parity::same_as_tmpfs`): every step's outcome is
//! a line of a transcript, and bs2ramfs must give the same lines. Handles are never shown raw
//! (inode numbers and generations differ from run to run): a transcript shows their size and
//! type, and whether two of them are equal.
//!
//! name_to_handle_at(2) and open_by_handle_at(2): the sizes and types of handles of every kind
//! of inode and their flags (`handle_encode`); opening by handle after a rename, drop_caches,
//! through a bind mount, of a directory, and crafted handles (`handle_open`); removed inodes,
//! removed but open ones, names made again, wrong generations, random handles, handles of
//! another instance (`handle_stale`); 8 threads encoding one new inode at once (the hash of the
//! inode made on the first encoding, `handle_concurrent_encode`); unprivileged callers and a
//! mount in a user namespace (`handle_unprivileged`); the handles fsnotify reports, in an
//! inotify fd's fdinfo and in fanotify's FAN_REPORT_FID events (`handle_fsnotify`), and the
//! fsid of statfs(2) that fanotify needs (`handle_fsid`); an overlayfs with `index=on` and
//! `nfs_export=on` on the file system (`handle_overlay_nfs_export`).

use crate::parity::{expect, p, rec, rec_keep, rec_ok, same_as_tmpfs, Log, ROOT};
use crate::sys::*;
use crate::TestResult;
use std::fmt;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// The tests of this module, for main's list.
pub fn tests() -> Vec<(&'static str, crate::BasicTest)> {
    vec![
        ("handle_encode", t_encode),
        ("handle_open", t_open),
        ("handle_stale", t_stale),
        ("handle_concurrent_encode", t_concurrent_encode),
        ("handle_unprivileged", t_unprivileged),
        ("handle_fsnotify", t_fsnotify),
        ("handle_fsid", t_fsid),
        ("handle_overlay_nfs_export", t_overlay_nfs_export),
        ("handle_overlay_two_lowers", t_overlay_two_lowers),
    ]
}

// include/uapi/linux/fcntl.h, include/linux/exportfs.h.
const MAX_HANDLE_SZ: usize = 128;
const AT_HANDLE_FID: i32 = 0x200;
const AT_HANDLE_MNT_ID_UNIQUE: i32 = 0x001;
const AT_HANDLE_CONNECTABLE: i32 = 0x002;
const FILEID_IS_DIR: i32 = 0x20000;
const STATX_MNT_ID: u32 = 0x1000;
const STATX_MNT_ID_UNIQUE: u32 = 0x4000;

/// A second instance, for handles of another instance.
const ROOT2: &str = "/mnt/handle2";
/// Where a bind mount of the instance goes.
const BIND: &str = "/mnt/handle-bind";

/// struct file_handle with room for the largest handle.
#[repr(C)]
struct RawHandle {
    bytes: u32,
    ty: i32,
    f: [u8; MAX_HANDLE_SZ],
}

impl RawHandle {
    fn new(bytes: u32, ty: i32, data: &[u8]) -> Self {
        let mut h = Self {
            bytes,
            ty,
            f: [0; MAX_HANDLE_SZ],
        };
        let n = data.len().min(MAX_HANDLE_SZ);
        h.f[..n].copy_from_slice(&data[..n]);
        h
    }
}

/// A handle name_to_handle_at(2) gave.
#[derive(Clone, PartialEq, Eq)]
struct Fh {
    ty: i32,
    data: Vec<u8>,
}

/// Its size and type, never its bytes.
impl fmt::Debug for Fh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bytes {} type {:#x}", self.data.len(), self.ty)
    }
}

impl Fh {
    /// The handle's 32-bit words.
    fn words(&self) -> Vec<u32> {
        self.data
            .chunks(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w[..c.len()].copy_from_slice(c);
                u32::from_ne_bytes(w)
            })
            .collect()
    }

    /// The handle with `words` for its words.
    fn with_words(&self, words: &[u32]) -> Fh {
        Fh {
            ty: self.ty,
            data: words.iter().flat_map(|w| w.to_ne_bytes()).collect(),
        }
    }
}

/// name_to_handle_at(2) relative to `dirfd` with a buffer of `size` bytes: the handle and the
/// mount id (the u64 one with AT_HANDLE_MNT_ID_UNIQUE); on failure the errno and what the
/// kernel left in handle_bytes and handle_type.
fn encode_raw(dirfd: i32, path: &str, flags: i32, size: u32) -> Result<(Fh, u64), (i32, u32, i32)> {
    let c = cstr(path);
    let mut h = RawHandle::new(size, 0, &[]);
    let mut mnt = 0u64;
    // SAFETY: valid string; `h` has room for MAX_HANDLE_SZ bytes (the kernel refuses a larger
    // size); `mnt` has room for the u64 of AT_HANDLE_MNT_ID_UNIQUE.
    let r = unsafe {
        libc::syscall(
            libc::SYS_name_to_handle_at,
            dirfd,
            c.as_ptr(),
            &mut h as *mut RawHandle,
            &mut mnt as *mut u64,
            flags,
        )
    };
    if r < 0 {
        return Err((errno(), h.bytes, h.ty));
    }
    if flags & AT_HANDLE_MNT_ID_UNIQUE == 0 {
        // An int (x86_64 is little-endian).
        mnt &= 0xffff_ffff;
    }
    let n = (h.bytes as usize).min(MAX_HANDLE_SZ);
    Ok((
        Fh {
            ty: h.ty,
            data: h.f[..n].to_vec(),
        },
        mnt,
    ))
}

/// The handle of `path` (`flags` as name_to_handle_at(2) takes them).
fn fh(path: &str, flags: i32) -> Sys<Fh> {
    encode_raw(libc::AT_FDCWD, path, flags, MAX_HANDLE_SZ as u32)
        .map(|(h, _)| h)
        .map_err(|(e, _, _)| e)
}

/// The handle of what `fd` is open on (AT_EMPTY_PATH).
fn fh_of_fd(fd: &OwnedFd, flags: i32) -> Sys<Fh> {
    encode_raw(
        fd.as_raw_fd(),
        "",
        flags | libc::AT_EMPTY_PATH,
        MAX_HANDLE_SZ as u32,
    )
    .map(|(h, _)| h)
    .map_err(|(e, _, _)| e)
}

/// What name_to_handle_at(2) with a buffer of `size` bytes says, as a transcript shows it.
fn encode_sized(path: &str, flags: i32, size: u32) -> String {
    match encode_raw(libc::AT_FDCWD, path, flags, size) {
        Ok((h, _)) => format!("{h:?}"),
        Err((e, bytes, ty)) => format!("{}, handle_bytes {bytes} handle_type {ty:#x}", ename(e)),
    }
}

/// open_by_handle_at(2) of a raw handle through `mfd` (a raw fd: AT_FDCWD, -1, ...).
fn open_raw(mfd: i32, bytes: u32, ty: i32, data: &[u8], flags: i32) -> Sys<OwnedFd> {
    let h = RawHandle::new(bytes, ty, data);
    // SAFETY: `h` is a file_handle with MAX_HANDLE_SZ bytes of room; the new fd is ours.
    let r = unsafe {
        libc::syscall(
            libc::SYS_open_by_handle_at,
            mfd,
            &h as *const RawHandle,
            flags | libc::O_CLOEXEC,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        // SAFETY: a new fd, owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(r as i32) })
    }
}

/// open_by_handle_at(2) of `h` through the mount of `mfd`.
fn open_h(mfd: &OwnedFd, h: &Fh, flags: i32) -> Sys<OwnedFd> {
    open_raw(mfd.as_raw_fd(), h.data.len() as u32, h.ty, &h.data, flags)
}

fn ino(path: &str) -> u64 {
    lstat(path).map_or(0, |s| s.st_ino)
}

/// Records what opening by handle gave: whether it is the inode `want` (an inode number), its
/// link count and (with `len`) its first bytes; returns the fd.
fn opened(log: &mut Log, step: &str, r: Sys<OwnedFd>, want: u64, len: usize) -> Option<OwnedFd> {
    match r {
        Ok(fd) => {
            let st = fstat(&fd);
            let same = st.as_ref().is_ok_and(|s| s.st_ino == want);
            let nlink = st.map_or(u64::MAX, |s| s.st_nlink);
            let mut line = format!("{step}: opens, the inode: {same}, nlink {nlink}");
            if len > 0 {
                let got = pread(&fd, len, 0).map(|b| String::from_utf8_lossy(&b).into_owned());
                line.push_str(&format!(", reads {got:?}"));
            }
            log.push(line);
            Some(fd)
        }
        Err(e) => {
            log.push(format!("{step}: {}", ename(e)));
            None
        }
    }
}

/// The entry names of a directory fd, sorted.
fn dir_names(fd: &OwnedFd) -> Sys<Vec<String>> {
    let mut v: Vec<String> = getdents(fd, 4096)?.into_iter().map(|d| d.name).collect();
    v.sort();
    Ok(v)
}

fn create(path: &str, data: &[u8]) -> TestResult {
    let fd = open(path, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644)
        .map_err(|e| format!("create {path}: {}", ename(e)))?;
    pwrite_full(&fd, data, 0).map_err(|e| format!("write {path}: {}", ename(e)))
}

fn dir_fd(path: &str) -> Sys<OwnedFd> {
    open(path, libc::O_RDONLY | libc::O_DIRECTORY, 0)
}

fn drop_caches(log: &mut Log) {
    let r = std::fs::write("/proc/sys/vm/drop_caches", "3");
    log.push(format!(
        "drop_caches: {}",
        if r.is_ok() { "ok" } else { "failed" }
    ));
}

fn bind(src: &str, dst: &str) -> Sys<()> {
    std::fs::create_dir_all(dst).map_err(|e| e.raw_os_error().unwrap_or(-1))?;
    let (s, d) = (cstr(src), cstr(dst));
    // SAFETY: valid strings; a bind mount takes no type or data.
    let r = unsafe {
        libc::mount(
            s.as_ptr(),
            d.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

// 1. Encoding.

fn encode_steps(_fs: &str, log: &mut Log) -> TestResult {
    let (f, d, fifo, l, c, f2) = (p("f"), p("d"), p("fifo"), p("l"), p("c"), p("f2"));
    create(&f, b"hello")?;
    ok!(mkdir(&d, 0o755));
    ok!(mknod(&fifo, libc::S_IFIFO | 0o644, 0));
    ok!(symlink(b"f", &l));
    ok!(mknod(&c, libc::S_IFCHR | 0o644, libc::makedev(1, 3)));
    ok!(link(&f, &f2));
    let kinds = [
        ("file", &f, 0),
        ("directory", &d, 0),
        ("fifo", &fifo, 0),
        ("symlink", &l, 0),
        ("symlink, AT_SYMLINK_FOLLOW", &l, libc::AT_SYMLINK_FOLLOW),
        ("character device", &c, 0),
        ("hard link", &f2, 0),
        ("root", &ROOT.to_owned(), 0),
    ];
    let mut hs = Vec::new();
    for (what, path, flags) in kinds {
        hs.push(rec(log, what, fh(path, flags)));
    }
    let h = |i: usize| hs[i].clone();
    expect(
        log,
        "the same handle twice",
        h(0).is_some() && fh(&f, 0).ok() == h(0),
    );
    expect(log, "a followed symlink gives its target's", h(4) == h(0));
    expect(log, "a hard link gives its inode's", h(6) == h(0));
    let distinct = [0, 1, 2, 3, 5, 7];
    let all_differ = distinct
        .iter()
        .all(|&i| distinct.iter().all(|&j| i == j || h(i) != h(j)));
    expect(log, "the inodes' handles differ", all_differ);

    // Buffers too small: EOVERFLOW and the size needed.
    for size in [0, 8, 11, 12, 16] {
        log.push(format!("file, {size} bytes: {}", encode_sized(&f, 0, size)));
    }
    log.push(format!(
        "file, 129 bytes: {}",
        encode_sized(&f, 0, MAX_HANDLE_SZ as u32 + 1)
    ));
    log.push(format!("directory, 8 bytes: {}", encode_sized(&d, 0, 8)));

    // AT_HANDLE_FID: a handle to compare, not to open; the same here.
    let fid = rec(log, "file, AT_HANDLE_FID", fh(&f, AT_HANDLE_FID));
    log.push(format!(
        "file, AT_HANDLE_FID equals the handle: {}",
        fid == h(0)
    ));
    let dfid = rec(log, "directory, AT_HANDLE_FID", fh(&d, AT_HANDLE_FID));
    log.push(format!(
        "directory, AT_HANDLE_FID equals the handle: {}",
        dfid == h(1)
    ));
    rec(log, "symlink, AT_HANDLE_FID", fh(&l, AT_HANDLE_FID));
    log.push(format!(
        "file, AT_HANDLE_FID, 4 bytes: {}",
        encode_sized(&f, AT_HANDLE_FID, 4)
    ));
    // AT_HANDLE_CONNECTABLE needs ->fh_to_parent.
    rec(
        log,
        "file, AT_HANDLE_CONNECTABLE",
        fh(&f, AT_HANDLE_CONNECTABLE),
    );
    rec(
        log,
        "directory, AT_HANDLE_CONNECTABLE",
        fh(&d, AT_HANDLE_CONNECTABLE),
    );
    rec(
        log,
        "AT_HANDLE_CONNECTABLE|AT_HANDLE_FID",
        fh(&f, AT_HANDLE_CONNECTABLE | AT_HANDLE_FID),
    );
    rec(log, "unknown flag 0x8", fh(&f, 0x8));
    // AT_EMPTY_PATH: the handle of an fd.
    let fd = ok!(open(&f, libc::O_RDONLY, 0));
    let e = rec(log, "AT_EMPTY_PATH on an fd", fh_of_fd(&fd, 0));
    log.push(format!("AT_EMPTY_PATH gives the file's: {}", e == h(0)));
    rec(
        log,
        "AT_EMPTY_PATH|AT_HANDLE_CONNECTABLE",
        fh_of_fd(&fd, AT_HANDLE_CONNECTABLE),
    );
    drop(fd);
    // The mount id, both kinds.
    for (what, flags, mask) in [
        ("mount id", 0, STATX_MNT_ID),
        (
            "unique mount id",
            AT_HANDLE_MNT_ID_UNIQUE,
            STATX_MNT_ID_UNIQUE,
        ),
    ] {
        let got = encode_raw(libc::AT_FDCWD, &f, flags, MAX_HANDLE_SZ as u32);
        let st = statx(&f, libc::AT_SYMLINK_NOFOLLOW, mask);
        match (got, st) {
            (Ok((_, id)), Ok(st)) => {
                let known = st.stx_mask & mask != 0;
                log.push(format!(
                    "{what}: statx has it {known}, the same: {}",
                    st.stx_mnt_id == id
                ));
            }
            (g, s) => log.push(format!(
                "{what}: {:?} {:?}",
                g.err().map(|e| ename(e.0)),
                s.err().map(ename)
            )),
        }
    }
    Ok(())
}

/// name_to_handle_at(2) as tmpfs answers it: the size and type of the handles of a file, a
/// directory, a fifo, a symlink (and what it points to with AT_SYMLINK_FOLLOW), a device, a
/// hard link and the root, distinct but for the links; too small a buffer (EOVERFLOW with the
/// size needed); AT_HANDLE_FID, AT_HANDLE_CONNECTABLE (refused: no parent to find),
/// AT_EMPTY_PATH, the mount ids.
fn t_encode() -> TestResult {
    same_as_tmpfs(None, None, &encode_steps)
}

// 2. Opening by handle.

fn open_steps(_fs: &str, log: &mut Log) -> TestResult {
    let (f, d, g, l, fifo) = (p("f"), p("d"), p("d/g"), p("l"), p("fifo"));
    create(&f, b"hello")?;
    ok!(mkdir(&d, 0o755));
    create(&g, b"in d")?;
    ok!(symlink(b"f", &l));
    ok!(mknod(&fifo, libc::S_IFIFO | 0o644, 0));
    let (fi, di, gi, li, pi, ri) = (ino(&f), ino(&d), ino(&g), ino(&l), ino(&fifo), ino(ROOT));
    let mfd = ok!(dir_fd(ROOT));
    let Some(hf) = rec(log, "handle of f", fh(&f, 0)) else {
        return Ok(());
    };
    let hd = ok!(fh(&d, 0));
    let hg = ok!(fh(&g, 0));
    let hl = ok!(fh(&l, 0));
    let hp = ok!(fh(&fifo, 0));
    let hr = ok!(fh(ROOT, 0));

    opened(log, "f O_RDONLY", open_h(&mfd, &hf, libc::O_RDONLY), fi, 16);
    if let Some(w) = opened(log, "f O_RDWR", open_h(&mfd, &hf, libc::O_RDWR), fi, 0) {
        rec(log, "write J at 0", pwrite(&w, b"J", 0));
    }
    rec(
        log,
        "f by its name",
        std::fs::read(&f).map_err(|e| e.raw_os_error().unwrap_or(-1)),
    );
    let r = open_h(&mfd, &hf, libc::O_RDONLY | libc::O_DIRECTORY);
    opened(log, "f O_DIRECTORY", r, fi, 0);
    opened(log, "f O_PATH", open_h(&mfd, &hf, libc::O_PATH), fi, 0);
    let dflags = libc::O_RDONLY | libc::O_DIRECTORY;
    if let Some(dfd) = opened(log, "d O_DIRECTORY", open_h(&mfd, &hd, dflags), di, 0) {
        rec(log, "d's entries", dir_names(&dfd));
        // openat(2) relative to it.
        let r = openat(&dfd, "g", libc::O_RDONLY, 0);
        opened(log, "g relative to it", r, gi, 16);
    }
    opened(log, "d O_RDWR", open_h(&mfd, &hd, libc::O_RDWR), di, 0);
    opened(log, "d O_RDONLY", open_h(&mfd, &hd, libc::O_RDONLY), di, 0);
    opened(log, "root O_DIRECTORY", open_h(&mfd, &hr, dflags), ri, 0);
    opened(
        log,
        "symlink O_RDONLY",
        open_h(&mfd, &hl, libc::O_RDONLY),
        li,
        0,
    );
    let r = open_h(&mfd, &hl, libc::O_PATH | libc::O_NOFOLLOW);
    opened(log, "symlink O_PATH|O_NOFOLLOW", r, li, 0);
    let r = open_h(&mfd, &hp, libc::O_RDONLY | libc::O_NONBLOCK);
    opened(log, "fifo O_RDONLY|O_NONBLOCK", r, pi, 0);

    // Renames: the handle stays.
    ok!(rename(&f, &p("f-renamed"), 0));
    opened(
        log,
        "f after a rename",
        open_h(&mfd, &hf, libc::O_RDONLY),
        fi,
        16,
    );
    ok!(rename(&d, &p("d2"), 0));
    ok!(mkdir(&p("d3"), 0o755));
    ok!(rename(&p("d2/g"), &p("d3/g2"), 0));
    opened(
        log,
        "g after renames",
        open_h(&mfd, &hg, libc::O_RDONLY),
        gi,
        16,
    );
    opened(log, "d after a rename", open_h(&mfd, &hd, dflags), di, 0);
    // drop_caches: the inodes stay, so do their handles.
    drop_caches(log);
    opened(
        log,
        "f after drop_caches",
        open_h(&mfd, &hf, libc::O_RDONLY),
        fi,
        16,
    );
    opened(
        log,
        "g after drop_caches",
        open_h(&mfd, &hg, libc::O_RDONLY),
        gi,
        16,
    );
    opened(log, "d after drop_caches", open_h(&mfd, &hd, dflags), di, 0);

    // Any fd of the mount will do, and the working directory (AT_FDCWD).
    let sub = ok!(dir_fd(&p("d3")));
    opened(
        log,
        "f through a subdirectory's fd",
        open_h(&sub, &hf, libc::O_RDONLY),
        fi,
        16,
    );
    let file_fd = ok!(open(&p("f-renamed"), libc::O_RDONLY, 0));
    let r = open_h(&file_fd, &hg, libc::O_RDONLY);
    opened(log, "g through a file's fd", r, gi, 16);
    ok!(chdir(ROOT));
    let r = open_raw(
        libc::AT_FDCWD,
        12.min(hf.data.len() as u32),
        hf.ty,
        &hf.data,
        libc::O_RDONLY,
    );
    ok!(chdir("/"));
    opened(log, "f through AT_FDCWD in the mount", r, fi, 16);
    let r = open_raw(-1, hf.data.len() as u32, hf.ty, &hf.data, libc::O_RDONLY);
    opened(log, "mount fd -1", r, fi, 0);

    // A bind mount of the instance, and of a subdirectory of it.
    rec_ok(log, "bind mount", bind(ROOT, BIND));
    if let Some(bfd) = rec_keep(log, "open the bind mount", dir_fd(BIND)) {
        opened(
            log,
            "f through the bind mount",
            open_h(&bfd, &hf, libc::O_RDONLY),
            fi,
            16,
        );
        opened(
            log,
            "d through the bind mount",
            open_h(&bfd, &hd, dflags),
            di,
            0,
        );
        let r = fh(&format!("{BIND}/f-renamed"), 0);
        log.push(format!(
            "the handle through the bind mount is the same: {}",
            r.as_ref().ok() == Some(&hf)
        ));
    }
    let _ = umount(BIND);
    rec_ok(log, "bind mount of d3", bind(&p("d3"), BIND));
    if let Some(bfd) = rec_keep(log, "open the bind mount", dir_fd(BIND)) {
        let r = open_h(&bfd, &hg, libc::O_RDONLY);
        opened(log, "g (inside) through the bind of d3", r, gi, 16);
        let r = open_h(&bfd, &hf, libc::O_RDONLY);
        opened(log, "f (outside) through the bind of d3", r, fi, 16);
        let r = open_h(&bfd, &hd, dflags);
        opened(log, "d (outside) through the bind of d3", r, di, 0);
    }
    let _ = umount(BIND);

    // A remount of the instance changes nothing.
    rec_ok(log, "remount", remount(ROOT, 0, None));
    opened(
        log,
        "f after a remount",
        open_h(&mfd, &hf, libc::O_RDONLY),
        fi,
        16,
    );

    // Crafted handles.
    let n = hf.data.len() as u32;
    let raw = |bytes: u32, ty: i32, data: &[u8]| {
        open_raw(mfd.as_raw_fd(), bytes, ty, data, libc::O_RDONLY)
    };
    opened(log, "handle_bytes 0", raw(0, hf.ty, &hf.data), fi, 0);
    opened(log, "handle_bytes 129", raw(129, hf.ty, &hf.data), fi, 0);
    opened(log, "handle_bytes 8 (cut)", raw(8, hf.ty, &hf.data), fi, 0);
    opened(
        log,
        "handle_bytes 11 (cut)",
        raw(11, hf.ty, &hf.data),
        fi,
        0,
    );
    opened(
        log,
        "handle_bytes 16 (zeros after)",
        raw(n + 4, hf.ty, &hf.data),
        fi,
        0,
    );
    opened(log, "handle_bytes 15", raw(n + 3, hf.ty, &hf.data), fi, 0);
    for ty in [0, 2, 0x81, 0xff] {
        let r = raw(n, ty, &hf.data);
        opened(log, &format!("handle_type {ty:#x}"), r, fi, 0);
    }
    opened(log, "handle_type -1", raw(n, -1, &hf.data), fi, 0);
    opened(
        log,
        "handle_type with an unknown user flag",
        raw(n, hf.ty | 0x40000, &hf.data),
        fi,
        0,
    );
    let r = raw(n, hf.ty | FILEID_IS_DIR, &hf.data);
    opened(log, "file's handle marked FILEID_IS_DIR", r, fi, 0);
    let r = open_raw(mfd.as_raw_fd(), n, hd.ty | FILEID_IS_DIR, &hd.data, dflags);
    opened(log, "directory's handle marked FILEID_IS_DIR", r, di, 0);
    Ok(())
}

/// open_by_handle_at(2) as tmpfs answers it: files (read, written), directories (with and
/// without O_DIRECTORY), the root, a symlink, a fifo; after renames and drop_caches; through
/// any fd of the mount, AT_FDCWD, a bind mount of the instance and one of a subdirectory; after
/// a remount; handles cut short, padded, of other types and flags.
fn t_open() -> TestResult {
    same_as_tmpfs(None, None, &open_steps)
}

// 3. Stale handles.

/// A reproducible stream of "random" bytes (xorshift), the same on both file systems.
fn noise(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn stale_steps(fs: &str, log: &mut Log) -> TestResult {
    let mfd = ok!(dir_fd(ROOT));
    let rd = libc::O_RDONLY;
    let dflags = libc::O_RDONLY | libc::O_DIRECTORY;

    // Removed while open: found while open, gone once closed.
    let u = p("u");
    create(&u, b"unlinked")?;
    let ui = ino(&u);
    let Some(hu) = rec(log, "handle of u", fh(&u, 0)) else {
        return Ok(());
    };
    let fd = ok!(open(&u, rd, 0));
    ok!(unlink(&u));
    let o = opened(log, "u unlinked, open", open_h(&mfd, &hu, rd), ui, 16);
    if let Some(o) = &o {
        rec(
            log,
            "its handle (AT_EMPTY_PATH)",
            fh_of_fd(o, 0).map(|h| h == hu),
        );
    }
    drop(o);
    drop_caches(log);
    opened(
        log,
        "u unlinked, open, after drop_caches",
        open_h(&mfd, &hu, rd),
        ui,
        16,
    );
    drop(fd);
    opened(log, "u unlinked and closed", open_h(&mfd, &hu, rd), ui, 0);
    drop_caches(log);
    opened(log, "u after drop_caches", open_h(&mfd, &hu, rd), ui, 0);

    // One of two links removed.
    create(&p("a"), b"linked")?;
    ok!(link(&p("a"), &p("b")));
    let ai = ino(&p("a"));
    let ha = ok!(fh(&p("a"), 0));
    ok!(unlink(&p("a")));
    opened(log, "a, one link left", open_h(&mfd, &ha, rd), ai, 16);
    ok!(unlink(&p("b")));
    opened(log, "a, no link left", open_h(&mfd, &ha, rd), ai, 0);

    // A removed directory that is still open, then closed.
    let dd = p("dd");
    ok!(mkdir(&dd, 0o755));
    let ddi = ino(&dd);
    let hdd = ok!(fh(&dd, 0));
    let dfd = ok!(dir_fd(&dd));
    ok!(rmdir(&dd));
    if let Some(o) = opened(log, "rmdir'd dd, open", open_h(&mfd, &hdd, dflags), ddi, 0) {
        rec(log, "its entries", dir_names(&o));
        rec_ok(
            log,
            "create in it",
            openat(&o, "x", libc::O_CREAT | libc::O_WRONLY, 0o644),
        );
    }
    drop(dfd);
    opened(
        log,
        "rmdir'd dd, closed",
        open_h(&mfd, &hdd, dflags),
        ddi,
        0,
    );

    // The same name made again is another inode, another handle.
    let r = p("r");
    create(&r, b"first")?;
    let h1 = ok!(fh(&r, 0));
    ok!(unlink(&r));
    create(&r, b"second")?;
    let ri = ino(&r);
    let h2 = rec(log, "handle of the new r", fh(&r, 0));
    expect(log, "the new r's handle differs", h2.as_ref() != Some(&h1));
    opened(log, "the old r", open_h(&mfd, &h1, rd), ri, 16);
    if let Some(h2) = &h2 {
        opened(log, "the new r", open_h(&mfd, h2, rd), ri, 16);
    }

    // Words changed: the generation, the inode number (another inode's), the high word.
    let f = p("f");
    create(&f, b"f")?;
    create(&p("g"), b"g")?;
    let (fi, gi) = (ino(&f), ino(&p("g")));
    let hf = ok!(fh(&f, 0));
    let hg = ok!(fh(&p("g"), 0));
    let (wf, wg) = (hf.words(), hg.words());
    log.push(format!("words in a handle: {}", wf.len()));
    if wf.len() >= 3 && wg.len() >= 3 {
        let gen1 = hf.with_words(&[wf[0].wrapping_add(1), wf[1], wf[2]]);
        opened(log, "generation + 1", open_h(&mfd, &gen1, rd), fi, 0);
        let mixed = hf.with_words(&[wf[0], wg[1], wg[2]]);
        opened(
            log,
            "f's generation, g's inode number",
            open_h(&mfd, &mixed, rd),
            gi,
            0,
        );
        let high = hf.with_words(&[wf[0], wf[1], wf[2] ^ 1]);
        opened(log, "inode number + 2^32", open_h(&mfd, &high, rd), fi, 0);
        opened(log, "f's handle unchanged", open_h(&mfd, &hf, rd), fi, 16);
    }
    // Random handles.
    for (n, seed) in [(12, 1), (12, 2), (32, 3), (128, 4)] {
        let b = noise(n, seed);
        for ty in [1, 0x81] {
            let r = open_raw(mfd.as_raw_fd(), n as u32, ty, &b, rd);
            opened(log, &format!("random {n} bytes, type {ty:#x}"), r, 0, 0);
        }
    }

    // A rename over a name ends the inode it named; an exchange keeps both.
    create(&p("x1"), b"x1")?;
    create(&p("x2"), b"x2")?;
    create(&p("x3"), b"x3")?;
    let (x1, x2, x3) = (ino(&p("x1")), ino(&p("x2")), ino(&p("x3")));
    let (h1, h2, h3) = (
        ok!(fh(&p("x1"), 0)),
        ok!(fh(&p("x2"), 0)),
        ok!(fh(&p("x3"), 0)),
    );
    ok!(rename(&p("x1"), &p("x2"), 0));
    opened(log, "x1 renamed over x2", open_h(&mfd, &h1, rd), x1, 16);
    opened(log, "x2, replaced", open_h(&mfd, &h2, rd), x2, 0);
    ok!(rename(&p("x2"), &p("x3"), libc::RENAME_EXCHANGE));
    opened(log, "x1 after an exchange", open_h(&mfd, &h1, rd), x1, 16);
    opened(log, "x3 after an exchange", open_h(&mfd, &h3, rd), x3, 16);

    // Another instance: its handles mean nothing here, and the other way round.
    mount(fs, ROOT2, None).map_err(|e| format!("mount {fs} on {ROOT2}: {}", ename(e)))?;
    let mut other = || -> TestResult {
        let o = format!("{ROOT2}/f");
        create(&o, b"other")?;
        let oi = ino(&o);
        let ho = ok!(fh(&o, 0));
        let hr2 = ok!(fh(ROOT2, 0));
        let m2 = ok!(dir_fd(ROOT2));
        log.push(format!(
            "the other instance's f: same inode number as f: {}",
            oi == fi
        ));
        opened(
            log,
            "other's f through its mount",
            open_h(&m2, &ho, rd),
            oi,
            16,
        );
        opened(
            log,
            "other's f through this mount",
            open_h(&mfd, &ho, rd),
            oi,
            0,
        );
        opened(
            log,
            "f through the other mount",
            open_h(&m2, &hf, rd),
            fi,
            0,
        );
        opened(
            log,
            "other's root through this mount",
            open_h(&mfd, &hr2, dflags),
            0,
            0,
        );
        Ok(())
    };
    let r = other();
    let u = crate::umount(ROOT2);
    r?;
    u?;

    // An O_TMPFILE file: a handle of the fd, opened unnamed, then linked.
    let tmp = ok!(open(ROOT, libc::O_TMPFILE | libc::O_RDWR, 0o644));
    ok!(pwrite(&tmp, b"tmp", 0));
    let ti = ok!(fstat(&tmp)).st_ino;
    if let Some(ht) = rec(log, "handle of an O_TMPFILE fd", fh_of_fd(&tmp, 0)) {
        opened(log, "O_TMPFILE, unnamed", open_h(&mfd, &ht, rd), ti, 16);
        let at = format!("/proc/self/fd/{}", tmp.as_raw_fd());
        ok!(linkat_follow(&at, &p("t")));
        opened(log, "O_TMPFILE, linked", open_h(&mfd, &ht, rd), ti, 16);
        log.push(format!(
            "its name's handle is the same: {}",
            fh(&p("t"), 0).ok() == Some(ht)
        ));
    }
    Ok(())
}

/// Handles that lead nowhere, as tmpfs answers them: an inode unlinked but open is found, not
/// once closed (ESTALE: never brought back); one of two links; a removed directory that is still
/// open; a name made again; a rename over a name and an exchange; a generation or inode number
/// changed; random handles; another instance's handles; an O_TMPFILE file before and after it
/// is linked.
fn t_stale() -> TestResult {
    same_as_tmpfs(None, None, &stale_steps)
}

// 4. Concurrent encoding.

const THREADS: usize = 8;
const ROUNDS: usize = 24;

fn concurrent_steps(_fs: &str, log: &mut Log) -> TestResult {
    let mfd = ok!(dir_fd(ROOT));
    let (mut equal, mut opened_all, mut failed) = (0, 0, Vec::new());
    for round in 0..ROUNDS {
        let f = p(&format!("c{round}"));
        create(&f, b"c")?;
        let fi = ino(&f);
        let barrier = std::sync::Barrier::new(THREADS);
        let hs: Vec<Sys<Fh>> = std::thread::scope(|s| {
            let ts: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        fh(&f, 0)
                    })
                })
                .collect();
            ts.into_iter()
                .map(|t| t.join().unwrap_or(Err(-1)))
                .collect()
        });
        if let Some(e) = hs.iter().find_map(|h| h.as_ref().err()) {
            failed.push(format!("round {round}: {}", ename(*e)));
            continue;
        }
        let hs: Vec<Fh> = hs.into_iter().flatten().collect();
        if hs.iter().all(|h| *h == hs[0]) {
            equal += 1;
        }
        let all = hs.iter().all(|h| {
            open_h(&mfd, h, libc::O_RDONLY)
                .and_then(|fd| fstat(&fd))
                .is_ok_and(|st| st.st_ino == fi)
        });
        if all {
            opened_all += 1;
        }
    }
    log.push(format!("encoding failed: {failed:?}"));
    log.push(format!(
        "rounds with {THREADS} equal handles: {equal} of {ROUNDS}"
    ));
    log.push(format!(
        "rounds where every handle opens the file: {opened_all} of {ROUNDS}"
    ));
    // And every file's handle still opens it after drop_caches.
    drop_caches(log);
    let mut still = 0;
    for round in 0..ROUNDS {
        let f = p(&format!("c{round}"));
        let ok = fh(&f, 0)
            .and_then(|h| open_h(&mfd, &h, libc::O_RDONLY))
            .and_then(|fd| fstat(&fd))
            .is_ok_and(|st| st.st_ino == ino(&f));
        still += usize::from(ok);
    }
    log.push(format!(
        "after drop_caches, handles that open their file: {still} of {ROUNDS}"
    ));

    // Encodings racing the removal of the inode (its eviction takes it out of the hash that
    // the first encoding put it in): each gives the handle or ENOENT, none opens afterwards.
    let (mut consistent, mut none_open) = (0, 0);
    for round in 0..ROUNDS {
        let f = p(&format!("gone{round}"));
        create(&f, b"g")?;
        let barrier = std::sync::Barrier::new(THREADS);
        let hs: Vec<Sys<Fh>> = std::thread::scope(|s| {
            let ts: Vec<_> = (0..THREADS)
                .map(|i| {
                    let (f, barrier) = (&f, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        if i == 0 {
                            unlink(f).and(Err(0))
                        } else {
                            fh(f, 0)
                        }
                    })
                })
                .collect();
            ts.into_iter()
                .map(|t| t.join().unwrap_or(Err(-1)))
                .collect()
        });
        let got: Vec<&Fh> = hs[1..].iter().filter_map(|h| h.as_ref().ok()).collect();
        let only_enoent = hs[1..].iter().all(|h| h.is_ok() || *h == Err(libc::ENOENT));
        if only_enoent && got.iter().all(|h| *h == got[0]) && hs[0] == Err(0) {
            consistent += 1;
        }
        let opens = got.iter().any(|h| open_h(&mfd, h, libc::O_RDONLY).is_ok());
        none_open += usize::from(!opens);
    }
    log.push(format!(
        "racing an unlink: rounds of one handle or ENOENT: {consistent} of {ROUNDS}"
    ));
    log.push(format!(
        "racing an unlink: rounds where no handle opens afterwards: {none_open} of {ROUNDS}"
    ));
    Ok(())
}

/// 8 threads encode the handle of one new inode at once (the first encoding hashes the inode
/// for the lookup of decoding: done once, under a lock): all get the same handle, each opens
/// the inode, also after drop_caches; then 7 threads encode while an eighth unlinks the inode
/// (encoding against eviction): the same handle or ENOENT, and none opens afterwards. 24 rounds
/// each.
fn t_concurrent_encode() -> TestResult {
    same_as_tmpfs(None, None, &concurrent_steps)
}

// 5. Unprivileged callers.

/// Runs `f` in a forked child and adds what it recorded to `log`, each line after `who`.
fn in_child(log: &mut Log, who: &str, f: impl FnOnce(&mut Log) -> TestResult) -> TestResult {
    let (rd, wr) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded here, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", ename(errno())));
    }
    if pid == 0 {
        drop(rd);
        let mut child = Vec::new();
        if let Err(e) = f(&mut child) {
            child.push(format!("failed: {e}"));
        }
        let text = child.join("\n");
        let mut done = 0;
        while done < text.len() {
            match write(&wr, &text.as_bytes()[done..]) {
                Ok(n) => done += n,
                Err(libc::EINTR) => {}
                Err(_) => break,
            }
        }
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop(wr);
    let got = read_to_end(&rd);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let got = got.map_err(|e| format!("read from the child: {}", ename(e)))?;
    log.extend(
        String::from_utf8_lossy(&got)
            .lines()
            .map(|l| format!("{who}: {l}")),
    );
    Ok(())
}

const NS_DIR: &str = "/mnt/handle-ns";
const NS_ID: u32 = 1500;
const USER: u32 = 1000;

/// What root of a user namespace does with handles on its own mount of `fs`, and on the
/// init namespace's instance (through the copy of its mount).
fn userns_inside(fs: &str, host: &[(&str, Fh, u64)], log: &mut Log) -> TestResult {
    crate::perms::enter_userns(NS_ID)?;
    mount(fs, NS_DIR, None).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let n = |s: &str| format!("{NS_DIR}/{s}");
    create(&n("f"), b"ns file")?;
    ok!(mkdir(&n("d"), 0o755));
    ok!(mkdir(&n("d/e"), 0o755));
    let mfd = ok!(dir_fd(NS_DIR));
    let dflags = libc::O_RDONLY | libc::O_DIRECTORY;
    let hf = rec(log, "handle of f", fh(&n("f"), 0));
    let hd = rec(log, "handle of d", fh(&n("d"), 0));
    let he = ok!(fh(&n("d/e"), 0));
    let hr = ok!(fh(NS_DIR, 0));
    let (fi, di, ei) = (ino(&n("f")), ino(&n("d")), ino(&n("d/e")));
    if let (Some(hf), Some(hd)) = (hf, hd) {
        opened(log, "d O_DIRECTORY", open_h(&mfd, &hd, dflags), di, 0);
        opened(log, "d O_RDONLY", open_h(&mfd, &hd, libc::O_RDONLY), di, 0);
        opened(log, "f O_RDONLY", open_h(&mfd, &hf, libc::O_RDONLY), fi, 16);
        opened(log, "f O_DIRECTORY", open_h(&mfd, &hf, dflags), fi, 0);
        opened(
            log,
            "root O_DIRECTORY",
            open_h(&mfd, &hr, dflags),
            ino(NS_DIR),
            0,
        );
        opened(log, "d/e O_DIRECTORY", open_h(&mfd, &he, dflags), ei, 0);
        ok!(chmod(&n("d"), 0));
        opened(
            log,
            "d/e under a mode 0 d",
            open_h(&mfd, &he, dflags),
            ei,
            0,
        );
        let sub = ok!(dir_fd(&n("d/e")));
        opened(log, "d through d/e's fd", open_h(&sub, &hd, dflags), di, 0);
    }
    // The init namespace's instance: its inodes belong to ids this namespace does not map.
    let hfd = ok!(dir_fd(ROOT));
    for (what, h, i) in host {
        opened(
            log,
            &format!("the host's {what} O_DIRECTORY"),
            open_h(&hfd, h, dflags),
            *i,
            0,
        );
    }
    Ok(())
}

fn unpriv_steps(fs: &str, log: &mut Log) -> TestResult {
    let (f, d) = (p("f"), p("d"));
    create(&f, b"root's")?;
    ok!(mkdir(&d, 0o755));
    ok!(mkdir(&p("d/own"), 0o755));
    ok!(lchown(&p("d/own"), USER, USER));
    let hf = ok!(fh(&f, 0));
    let hd = ok!(fh(&d, 0));
    let ho = ok!(fh(&p("d/own"), 0));
    let (fi, di, oi) = (ino(&f), ino(&d), ino(&p("d/own")));
    in_child(log, "uid 1000", |log| {
        become_user(USER, USER)?;
        let mfd = ok!(dir_fd(ROOT));
        let dflags = libc::O_RDONLY | libc::O_DIRECTORY;
        log.push(format!(
            "name_to_handle_at of f: the same handle: {}",
            fh(&f, 0).ok().as_ref() == Some(&hf)
        ));
        opened(log, "f O_RDONLY", open_h(&mfd, &hf, libc::O_RDONLY), fi, 16);
        opened(log, "d O_DIRECTORY", open_h(&mfd, &hd, dflags), di, 0);
        opened(
            log,
            "its own d/own O_DIRECTORY",
            open_h(&mfd, &ho, dflags),
            oi,
            0,
        );
        Ok(())
    })?;
    std::fs::create_dir_all(NS_DIR).map_err(|e| format!("mkdir {NS_DIR}: {e}"))?;
    let host = [("d", hd.clone(), di), ("root", ok!(fh(ROOT, 0)), ino(ROOT))];
    in_child(log, "user namespace", |log| {
        become_user(NS_ID, NS_ID)?;
        userns_inside(fs, &host, log)
    })?;
    Ok(())
}

/// Unprivileged callers, as tmpfs answers them: a user without CAP_DAC_READ_SEARCH encodes the
/// same handles but may not open them (EPERM); root of a user namespace on its own mount of the
/// file system (FS_USERNS_MOUNT) opens directories' handles with O_DIRECTORY (also under a
/// directory it could not search), and nothing else (EPERM); the init namespace's instance's
/// handles are not for it.
fn t_unprivileged() -> TestResult {
    same_as_tmpfs(None, None, &unpriv_steps)
}

// 6. fsnotify.

/// The `fhandle-bytes:`, `fhandle-type:` and `f_handle:` that the fdinfo of the inotify fd
/// `fd` shows for its mark of the inode `ino`.
fn inotify_fhandle(fd: &OwnedFd, ino: u64) -> Result<Option<(String, String, String)>, String> {
    let path = format!("/proc/self/fdinfo/{}", fd.as_raw_fd());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let field = |l: &str, key: &str| {
        l.split(' ')
            .find_map(|w| w.strip_prefix(key))
            .unwrap_or("(none)")
            .to_owned()
    };
    let want = format!("{ino:x}");
    Ok(text
        .lines()
        .filter(|l| l.starts_with("inotify wd:") && field(l, "ino:") == want)
        .map(|l| {
            (
                field(l, "fhandle-bytes:"),
                field(l, "fhandle-type:"),
                field(l, "f_handle:"),
            )
        })
        .next())
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

// include/uapi/linux/fanotify.h.
const FAN_CLOEXEC: u32 = 0x1;
const FAN_NONBLOCK: u32 = 0x2;
const FAN_REPORT_FID: u32 = 0x200;
const FAN_MARK_ADD: u32 = 0x1;
const FAN_MARK_FILESYSTEM: u32 = 0x100;
const FAN_MODIFY: u64 = 0x2;
const FAN_CREATE: u64 = 0x100;
const FAN_EVENT_INFO_TYPE_FID: u8 = 1;

/// An fanotify event: its mask, and the fsid and handle of its FID record.
type FanEvent = (u64, [u8; 8], Option<Fh>);

/// The events waiting on `fd`.
fn fanotify_events(fd: &OwnedFd) -> Sys<Vec<FanEvent>> {
    let buf = match read(fd, 8192) {
        Ok(b) => b,
        Err(libc::EAGAIN) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    let mut off = 0;
    // struct fanotify_event_metadata: u32 event_len, u8 vers, u8 reserved, u16 metadata_len,
    // u64 mask, i32 fd, i32 pid; then info records.
    while off + 24 <= buf.len() {
        let ev = &buf[off..];
        let len = u32::from_ne_bytes(ev[0..4].try_into().unwrap()) as usize;
        let meta = u16::from_ne_bytes(ev[6..8].try_into().unwrap()) as usize;
        let mask = u64::from_ne_bytes(ev[8..16].try_into().unwrap());
        if len < 24 || off + len > buf.len() {
            break;
        }
        let mut fsid = [0u8; 8];
        let mut handle = None;
        let mut i = meta;
        // struct fanotify_event_info_header: u8 info_type, u8 pad, u16 len; then (FID) an
        // 8-byte fsid and a struct file_handle.
        while i + 4 <= len {
            let kind = ev[i];
            let ilen = u16::from_ne_bytes(ev[i + 2..i + 4].try_into().unwrap()) as usize;
            if ilen < 4 || i + ilen > len {
                break;
            }
            if kind == FAN_EVENT_INFO_TYPE_FID && ilen >= 20 {
                fsid.copy_from_slice(&ev[i + 4..i + 12]);
                let hb = u32::from_ne_bytes(ev[i + 12..i + 16].try_into().unwrap()) as usize;
                let ty = i32::from_ne_bytes(ev[i + 16..i + 20].try_into().unwrap());
                let end = (i + 20 + hb).min(i + ilen);
                handle = Some(Fh {
                    ty,
                    data: ev[i + 20..end].to_vec(),
                });
            }
            i += ilen;
        }
        out.push((mask, fsid, handle));
        off += len;
    }
    Ok(out)
}

fn fsid_bytes(st: &libc::statfs) -> [u8; 8] {
    // SAFETY: fsid_t is two ints, 8 bytes of plain data.
    unsafe { std::mem::transmute::<libc::fsid_t, [u8; 8]>(st.f_fsid) }
}

fn fsnotify_steps(_fs: &str, log: &mut Log) -> TestResult {
    let (f, d) = (p("f"), p("d"));
    create(&f, b"f")?;
    ok!(mkdir(&d, 0o755));
    let hf = ok!(fh(&f, AT_HANDLE_FID));
    let hd = ok!(fh(&d, AT_HANDLE_FID));

    // inotify: the fdinfo of its fd shows each watched inode's handle.
    // SAFETY: plain syscall; the new fd is ours.
    let ifd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
    check!(ifd >= 0, "inotify_init1: {}", ename(errno()));
    // SAFETY: a new fd, owned by nobody else.
    let ifd = unsafe { OwnedFd::from_raw_fd(ifd) };
    for (what, path, h) in [("f", &f, &hf), ("d", &d, &hd)] {
        let c = cstr(path);
        // SAFETY: valid fd and string.
        let wd = unsafe { libc::inotify_add_watch(ifd.as_raw_fd(), c.as_ptr(), libc::IN_MODIFY) };
        log.push(format!(
            "inotify watch of {what}: {}",
            if wd < 0 { ename(errno()) } else { "ok".into() }
        ));
        if let Some((bytes, ty, handle)) = inotify_fhandle(&ifd, ino(path))? {
            log.push(format!(
                "fdinfo of {what}: fhandle-bytes:{bytes} fhandle-type:{ty}"
            ));
            log.push(format!(
                "fdinfo of {what}: f_handle is name_to_handle_at's (AT_HANDLE_FID): {}",
                handle == hex(&h.data)
            ));
        } else {
            log.push(format!("fdinfo of {what}: no mark"));
        }
    }
    ok!(pwrite(&ok!(open(&f, libc::O_WRONLY, 0)), b"x", 0));
    let ev = read(&ifd, 4096).map(|b| {
        // struct inotify_event: i32 wd, u32 mask, ...
        if b.len() >= 8 {
            format!(
                "mask {:#x}",
                u32::from_ne_bytes(b[4..8].try_into().unwrap())
            )
        } else {
            format!("{} bytes", b.len())
        }
    });
    rec(log, "inotify event after a write", ev);

    // fanotify with FAN_REPORT_FID (if the kernel has it).
    // SAFETY: plain syscall; the new fd is ours.
    let r = unsafe {
        libc::syscall(
            libc::SYS_fanotify_init,
            FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_FID,
            libc::O_RDONLY,
        )
    };
    let Some(fan) = rec_keep(
        log,
        "fanotify_init FAN_REPORT_FID",
        if r < 0 {
            Err(errno())
        } else {
            // SAFETY: a new fd, owned by nobody else.
            Ok(unsafe { OwnedFd::from_raw_fd(r as i32) })
        },
    ) else {
        return Ok(());
    };
    let root = cstr(ROOT);
    // SAFETY: valid fd and string.
    let r = unsafe {
        libc::syscall(
            libc::SYS_fanotify_mark,
            fan.as_raw_fd(),
            FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
            FAN_CREATE | FAN_MODIFY,
            libc::AT_FDCWD,
            root.as_ptr(),
        )
    };
    rec_ok(
        log,
        "fanotify_mark FAN_MARK_FILESYSTEM",
        if r < 0 { Err(errno()) } else { Ok(()) },
    );
    if r < 0 {
        return Ok(());
    }
    let n = p("new");
    create(&n, b"new")?;
    let hn = ok!(fh(&n, AT_HANDLE_FID));
    let hr = ok!(fh(ROOT, AT_HANDLE_FID));
    let fsid = fsid_bytes(&ok!(statfs(ROOT)));
    match fanotify_events(&fan) {
        Ok(evs) => {
            for (mask, id, h) in evs {
                let of = match &h {
                    Some(h) if *h == hr => "the root's".to_owned(),
                    Some(h) if *h == hn => "new's".to_owned(),
                    Some(h) => format!("another ({h:?})"),
                    None => "none".to_owned(),
                };
                log.push(format!(
                    "fanotify event {mask:#x}: FID {of}, fsid statfs's: {}",
                    id == fsid
                ));
            }
        }
        Err(e) => log.push(format!("fanotify read: {}", ename(e))),
    }
    Ok(())
}

/// The handles of fsnotify as tmpfs's: an inotify fd's fdinfo shows each watched inode's
/// handle (`fhandle-bytes:c fhandle-type:1` and name_to_handle_at's bytes); fanotify with
/// FAN_REPORT_FID marks the whole file system and reports the handles of the inodes of its
/// events (where the kernel has fanotify: else fanotify_init fails alike).
fn t_fsnotify() -> TestResult {
    same_as_tmpfs(None, None, &fsnotify_steps)
}

fn fsid_steps(fs: &str, log: &mut Log) -> TestResult {
    create(&p("f"), b"f")?;
    ok!(mkdir(&p("d"), 0o755));
    let id = |path: &str| statfs(path).map(|st| fsid_bytes(&st));
    let root = ok!(id(ROOT));
    expect(log, "f_fsid not zero", root != [0; 8]);
    log.push(format!(
        "the same for a file and a directory: {}",
        ok!(id(&p("f"))) == root && ok!(id(&p("d"))) == root
    ));
    let fd = ok!(open(&p("f"), libc::O_RDONLY, 0));
    log.push(format!(
        "fstatfs gives the same: {}",
        fstatfs(&fd).map(|st| fsid_bytes(&st)) == Ok(root)
    ));
    mount(fs, ROOT2, None).map_err(|e| format!("mount {fs} on {ROOT2}: {}", ename(e)))?;
    let other = id(ROOT2);
    let _ = umount(ROOT2);
    expect(log, "another instance's differs", ok!(other) != root);
    Ok(())
}

/// statfs(2)'s f_fsid as tmpfs's: not zero (fanotify refuses a FAN_REPORT_FID mark on a file
/// system of zero fsid, ENODEV), one per instance.
fn t_fsid() -> TestResult {
    same_as_tmpfs(None, None, &fsid_steps)
}

// 7. overlayfs with index=on,nfs_export=on.

const LOWER: &str = "/mnt/handle-lower";
const MERGED: &str = "/mnt/handle-merged";

fn lo(n: &str) -> String {
    format!("{LOWER}/{n}")
}
fn m(n: &str) -> String {
    format!("{MERGED}/{n}")
}

fn mount_overlay() -> Sys<()> {
    let opts = format!(
        "lowerdir={LOWER},upperdir={},workdir={},index=on,nfs_export=on",
        p("upper"),
        p("work")
    );
    mount("overlay", MERGED, Some(&opts))
}

fn append(path: &str, data: &[u8]) -> Sys<()> {
    let fd = open(path, libc::O_WRONLY | libc::O_APPEND, 0)?;
    write(&fd, data).map(drop)
}

fn overlay_steps(_fs: &str, log: &mut Log) -> TestResult {
    mount("tmpfs", LOWER, None).map_err(|e| format!("mount lower: {}", ename(e)))?;
    let r = overlay_on_lower(log);
    let _ = umount(MERGED);
    let u = crate::umount(LOWER);
    r?;
    u
}

fn overlay_on_lower(log: &mut Log) -> TestResult {
    create(&lo("a"), b"lower a")?;
    ok!(link(&lo("a"), &lo("b")));
    create(&lo("c"), b"lower c")?;
    ok!(mkdir(&lo("d"), 0o755));
    create(&lo("d/x"), b"x")?;
    ok!(mkdir(&p("upper"), 0o755));
    ok!(mkdir(&p("work"), 0o755));
    let kmsg = ok!(Kmsg::new());
    rec_ok(log, "mount index=on,nfs_export=on", mount_overlay());
    let said: Vec<String> = ok!(kmsg.messages())
        .into_iter()
        .filter(|l| l.contains("overlayfs"))
        .collect();
    let fallback: Vec<&String> = said
        .iter()
        .filter(|l| l.contains("falling back") || l.contains("not support"))
        .collect();
    expect(log, "overlayfs falls back to nothing", fallback.is_empty());
    for l in &fallback {
        log.push(format!("overlayfs says: {l}"));
    }
    let line = crate::proc_mounts_line(MERGED).unwrap_or_default();
    log.push(format!(
        "/proc/mounts: index=on {}, nfs_export=on {}",
        line.contains("index=on"),
        line.contains("nfs_export=on")
    ));
    // Hard links of the lower layer: one overlay inode, one upper inode once copied up.
    let same = |a: &str, b: &str| ino(a) != 0 && ino(a) == ino(b);
    log.push(format!(
        "merged a and b: one inode: {}",
        same(&m("a"), &m("b"))
    ));
    rec_ok(log, "append to a (copy-up)", append(&m("a"), b" more"));
    log.push(format!(
        "merged a and b after a's copy-up: one inode: {}",
        same(&m("a"), &m("b"))
    ));
    rec(
        log,
        "merged b reads",
        std::fs::read(m("b")).map_err(|e| e.raw_os_error().unwrap_or(-1)),
    );
    rec_ok(log, "append to b (copy-up)", append(&m("b"), b" and b"));
    let (ua, ub) = (p("upper/a"), p("upper/b"));
    log.push(format!("upper a and b: one inode: {}", same(&ua, &ub)));
    rec(log, "upper a's link count", lstat(&ua).map(|s| s.st_nlink));
    let index = std::fs::read_dir(p("work/index")).map_or(usize::MAX, |d| d.count());
    log.push(format!("entries in work/index: {index}"));
    rec(
        log,
        "merged a reads",
        std::fs::read(m("a")).map_err(|e| e.raw_os_error().unwrap_or(-1)),
    );

    // Handles of the overlay: decodable (nfs_export=on), through the upper layer's handles.
    let mfd = ok!(dir_fd(MERGED));
    let dflags = libc::O_RDONLY | libc::O_DIRECTORY;
    let names = ["a", "b", "c", "d", "d/x"];
    let mut hs = Vec::new();
    for n in names {
        hs.push(rec(log, &format!("handle of merged {n}"), fh(&m(n), 0)));
    }
    let inos: Vec<u64> = names.iter().map(|n| ino(&m(n))).collect();
    // Whether each opens the inode its name gives now (the overlay's inode numbers of
    // directories come from the overlay inode: a new one after drop_caches).
    let open_all = |log: &mut Log, mfd: &OwnedFd, when: &str| {
        for (n, h) in names.iter().zip(&hs) {
            if let Some(h) = h {
                let flags = if *n == "d" { dflags } else { libc::O_RDONLY };
                let len = if *n == "d" { 0 } else { 32 };
                let r = open_h(mfd, h, flags);
                opened(log, &format!("{when}: {n}"), r, ino(&m(n)), len);
            }
        }
    };
    open_all(log, &mfd, "open by handle");
    drop_caches(log);
    open_all(log, &mfd, "after drop_caches");
    // The same handles through a new mount of the same layers.
    drop(mfd);
    ok!(umount(MERGED));
    rec_ok(log, "mount again", mount_overlay());
    let mfd = ok!(dir_fd(MERGED));
    let inos_now: Vec<u64> = names.iter().map(|n| ino(&m(n))).collect();
    log.push(format!("inode numbers kept: {}", inos_now == inos));
    open_all(log, &mfd, "after a new mount");
    drop(mfd);
    ok!(umount(MERGED));
    Ok(())
}

const LOWER1: &str = "/mnt/handle-lower1";
const LOWER2: &str = "/mnt/handle-lower2";

fn two_lowers_steps(fs: &str, log: &mut Log) -> TestResult {
    mount(fs, LOWER1, None).map_err(|e| format!("mount lower 1: {}", ename(e)))?;
    if let Err(e) = mount(fs, LOWER2, None) {
        let _ = crate::umount(LOWER1);
        return Err(format!("mount lower 2: {}", ename(e)));
    }
    let r = two_lowers(log);
    let _ = umount(MERGED);
    let u2 = crate::umount(LOWER2);
    let u1 = crate::umount(LOWER1);
    r?;
    u2?;
    u1
}

fn two_lowers(log: &mut Log) -> TestResult {
    create(&format!("{LOWER1}/a"), b"lower 1")?;
    create(&format!("{LOWER2}/b"), b"lower 2")?;
    ok!(mkdir(&p("upper"), 0o755));
    ok!(mkdir(&p("work"), 0o755));
    let kmsg = ok!(Kmsg::new());
    let opts = format!(
        "lowerdir={LOWER1}:{LOWER2},upperdir={},workdir={},index=on,nfs_export=on",
        p("upper"),
        p("work")
    );
    rec_ok(
        log,
        "mount two lower instances, index=on,nfs_export=on",
        mount("overlay", MERGED, Some(&opts)),
    );
    let fallback: Vec<String> = ok!(kmsg.messages())
        .into_iter()
        .filter(|l| l.contains("overlayfs") && (l.contains("falling back") || l.contains("uuid")))
        .collect();
    expect(log, "overlayfs falls back to nothing", fallback.is_empty());
    for l in &fallback {
        log.push(format!("overlayfs says: {l}"));
    }
    let line = crate::proc_mounts_line(MERGED).unwrap_or_default();
    log.push(format!(
        "/proc/mounts: index=on {}, nfs_export=on {}",
        line.contains("index=on"),
        line.contains("nfs_export=on")
    ));
    let mfd = ok!(dir_fd(MERGED));
    for n in ["a", "b"] {
        if let Some(h) = rec(log, &format!("handle of merged {n}"), fh(&m(n), 0)) {
            let r = open_h(&mfd, &h, libc::O_RDONLY);
            opened(log, &format!("open by handle: {n}"), r, ino(&m(n)), 7);
        }
    }
    drop(mfd);
    ok!(umount(MERGED));
    Ok(())
}

/// overlayfs with `index=on,nfs_export=on` on two lower layers, each an instance of the file
/// system (tmpfs first), and the upper and work directories on a third: overlayfs tells the
/// layers apart by their UUIDs, so it keeps the index (a null UUID makes it fall back), and the
/// overlay's handles open their files.
fn t_overlay_two_lowers() -> TestResult {
    same_as_tmpfs(None, None, &two_lowers_steps)
}

/// overlayfs with `index=on,nfs_export=on`, its upper and work directories on the file system
/// (tmpfs first) and a tmpfs lower layer: it mounts without falling back (the upper layer
/// encodes and decodes handles), a lower hard link copied up by both names is one upper inode,
/// and the overlay's handles open their files, after drop_caches and through a new mount.
fn t_overlay_nfs_export() -> TestResult {
    same_as_tmpfs(None, None, &overlay_steps)
}
