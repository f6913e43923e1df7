// SPDX-License-Identifier: GPL-2.0
//! The functional suite: every file system operation with its expected results and
//! errors, run against a file system type given on the command line (`--fs TYPE`), so
//! that the same tests run on C ramfs (the reference) and on bs2ramfs.
//!
//! Each test gets a fresh mount of its own at `/mnt/fs-NAME`, unmounted afterwards; a
//! failed unmount (a leaked reference) fails the test.

use crate::sys::*;
use crate::TestResult;
use std::collections::BTreeSet;
use std::os::fd::AsRawFd;
use std::time::Duration;

pub const RAMFS_MAGIC: i64 = 0x8584_58f6;
pub const BS2RAMFS_MAGIC: i64 = 0x6273_3272;
const TMPFS_MAGIC: i64 = 0x0102_1994;

/// The unprivileged user and group of the permission tests.
const NOBODY: u32 = 65534;

/// Unwraps a `Sys` result or fails the test with the expression, errno name and line.
macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => {
                return Err(format!(
                    "line {}: {} failed: {}",
                    line!(),
                    stringify!($e),
                    ename(e)
                ))
            }
        }
    };
}

/// The call must fail with exactly `$want`.
macro_rules! fails {
    ($e:expr, $want:expr) => {
        match $e {
            Ok(_) => {
                return Err(format!(
                    "line {}: {} succeeded, want {}",
                    line!(),
                    stringify!($e),
                    ename($want)
                ))
            }
            Err(e) if e == $want => {}
            Err(e) => {
                return Err(format!(
                    "line {}: {}: {}, want {}",
                    line!(),
                    stringify!($e),
                    ename(e),
                    ename($want)
                ))
            }
        }
    };
}

/// Both sides must be equal.
macro_rules! eq {
    ($a:expr, $b:expr) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            return Err(format!(
                "line {}: {} is {:?}, want {:?}",
                line!(),
                stringify!($a),
                a,
                b
            ));
        }
    }};
}

/// Like `eq!` for long byte buffers: reports the length and first difference only.
macro_rules! eq_bytes {
    ($a:expr, $b:expr) => {{
        let (a, b): (&[u8], &[u8]) = (&$a, &$b);
        if a != b {
            let at = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            return Err(format!(
                "line {}: {}: {} bytes, want {}; first difference at {}",
                line!(),
                stringify!($a),
                a.len(),
                b.len(),
                at
            ));
        }
    }};
}

/// The mount of one test.
pub struct Env {
    pub root: String,
    pub fs: String,
}

impl Env {
    /// A path inside the mount.
    pub fn p(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root)
    }
}

pub type Test = fn(&Env) -> TestResult;

pub fn magic_of(fs: &str) -> Option<i64> {
    match fs {
        "ramfs" => Some(RAMFS_MAGIC),
        "bs2ramfs" => Some(BS2RAMFS_MAGIC),
        "tmpfs" => Some(TMPFS_MAGIC),
        _ => None,
    }
}

/// The tests, by name.
pub fn tests() -> Vec<(&'static str, Test)> {
    vec![
        ("fs_statfs_type", t_statfs_type),
        ("fs_root_dir", t_root_dir),
        ("fs_create_open", t_create_open),
        ("fs_read_write", t_read_write),
        ("fs_append", t_append),
        ("fs_pread_pwrite_holes", t_pread_pwrite_holes),
        ("fs_short_copy", t_short_copy),
        ("fs_seek_data_hole", t_seek_data_hole),
        ("fs_truncate", t_truncate),
        ("fs_truncate_times", t_truncate_times),
        ("fs_write_read_times", t_write_read_times),
        ("fs_mmap", t_mmap),
        ("fs_copy_splice_sendfile", t_copy_splice_sendfile),
        ("fs_fsync", t_fsync),
        ("fs_unsupported_ops", t_unsupported),
        ("fs_mkdir_rmdir", t_mkdir_rmdir),
        ("fs_unlink", t_unlink),
        ("fs_hard_link", t_hard_link),
        ("fs_symlink_readlink", t_symlink),
        ("fs_mknod", t_mknod),
        ("fs_rename_plain", t_rename_plain),
        ("fs_rename_over_file", t_rename_over_file),
        ("fs_rename_dirs", t_rename_dirs),
        ("fs_rename_noreplace", t_rename_noreplace),
        ("fs_rename_exchange", t_rename_exchange),
        ("fs_rename_whiteout", t_rename_whiteout),
        ("fs_rename_errors", t_rename_errors),
        ("fs_exdev", t_exdev),
        ("fs_tmpfile", t_tmpfile),
        ("fs_chmod_chown", t_chmod_chown),
        ("fs_utimensat", t_utimensat),
        ("fs_readdir", t_readdir),
        ("fs_dir_nlink", t_dir_nlink),
        ("fs_parent_times", t_parent_times),
        ("fs_name_too_long", t_name_too_long),
        ("fs_unique_inodes", t_unique_inodes),
        ("fs_perm_nonroot", t_perm_nonroot),
    ]
}

/// Runs one test on a fresh mount of `fs`.
pub fn run(fs: &str, name: &str, t: Test) -> TestResult {
    let root = format!("/mnt/{name}");
    mount(fs, &root, None).map_err(|e| format!("mount -t {fs} {root}: {}", ename(e)))?;
    let env = Env {
        root: root.clone(),
        fs: fs.to_owned(),
    };
    let r = t(&env);
    let u = umount(&root);
    r?;
    u.map_err(|e| format!("umount {root} after the test: {}", ename(e)))
}

// ---------------------------------------------------------------------------------------
// Helpers

pub(crate) fn new_file(path: &str, content: &[u8]) -> Result<(), String> {
    let fd = open(path, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644)
        .map_err(|e| format!("create {path}: {}", ename(e)))?;
    pwrite_full(&fd, content, 0).map_err(|e| format!("write {path}: {}", ename(e)))
}

pub(crate) fn content(path: &str) -> Result<Vec<u8>, String> {
    let fd = open(path, libc::O_RDONLY, 0).map_err(|e| format!("open {path}: {}", ename(e)))?;
    let st = fstat(&fd).map_err(|e| format!("fstat {path}: {}", ename(e)))?;
    let data = pread_full(&fd, st.st_size as usize + 1, 0)
        .map_err(|e| format!("read {path}: {}", ename(e)))?;
    Ok(data)
}

/// The names in a directory, without `.` and `..`.
pub(crate) fn names(path: &str) -> Result<BTreeSet<String>, String> {
    let fd = open(path, libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(|e| format!("open {path}: {}", ename(e)))?;
    let ents = getdents(&fd, 4096).map_err(|e| format!("getdents {path}: {}", ename(e)))?;
    Ok(ents
        .into_iter()
        .map(|d| d.name)
        .filter(|n| n != "." && n != "..")
        .collect())
}

pub(crate) fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(crate) type Ts = (i64, i64);

pub(crate) fn atime(st: &libc::stat) -> Ts {
    (st.st_atime, st.st_atime_nsec)
}
pub(crate) fn mtime(st: &libc::stat) -> Ts {
    (st.st_mtime, st.st_mtime_nsec)
}
pub(crate) fn ctime(st: &libc::stat) -> Ts {
    (st.st_ctime, st.st_ctime_nsec)
}

fn clock(id: libc::clockid_t) -> Ts {
    let mut t = ts(0, 0);
    // SAFETY: valid clock id and out pointer.
    unsafe { libc::clock_gettime(id, &mut t) };
    (t.tv_sec, t.tv_nsec)
}

/// Waits until any timestamp the file system takes from now on is later than every one it
/// took before. File timestamps come from the coarse clock (or the multigrain floor, which
/// is never ahead of the fine clock), so wait until the coarse clock has passed the fine
/// clock's present value. A fixed sleep is not enough: on a loaded host the guest's coarse
/// clock was seen to stand still for over 25 ms.
fn tick() {
    let fine = clock(libc::CLOCK_REALTIME);
    for _ in 0..2000 {
        std::thread::sleep(Duration::from_millis(2));
        if clock(libc::CLOCK_REALTIME_COARSE) > fine {
            return;
        }
    }
}

pub(crate) const OLD: Ts = (1_000_000_000, 500);

/// Sets atime and mtime of `path` to `OLD` and waits a tick, so that a later change of any
/// timestamp can be seen; returns the stat after that (its ctime is "now").
pub(crate) fn age(path: &str) -> Result<libc::stat, String> {
    utimens(
        path,
        Some([ts(OLD.0, OLD.1), ts(OLD.0, OLD.1)]),
        libc::AT_SYMLINK_NOFOLLOW,
    )
    .map_err(|e| format!("utimensat {path}: {}", ename(e)))?;
    let st = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    tick();
    Ok(st)
}

/// After an operation that must update mtime and ctime (to the same value), not atime.
fn dir_touched(path: &str, before: &libc::stat, what: &str) -> TestResult {
    mc_touched(path, before, what)?;
    let st = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    if atime(&st) != OLD {
        return Err(format!("{what}: {path} atime changed to {:?}", atime(&st)));
    }
    Ok(())
}

/// After an operation that must update mtime and ctime (to the same value).
fn mc_touched(path: &str, before: &libc::stat, what: &str) -> TestResult {
    let st = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    if mtime(&st) == OLD || ctime(&st) <= ctime(before) || mtime(&st) != ctime(&st) {
        return Err(format!(
            "{what}: {path} mtime {:?} ctime {:?} (before: ctime {:?}), want both new and equal",
            mtime(&st),
            ctime(&st),
            ctime(before)
        ));
    }
    Ok(())
}

/// After an operation that must leave all timestamps of `path` alone.
fn untouched(path: &str, before: &libc::stat, what: &str) -> TestResult {
    let st = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    if (atime(&st), mtime(&st), ctime(&st)) != (atime(before), mtime(before), ctime(before)) {
        return Err(format!(
            "{what}: timestamps of {path} changed: a {:?} m {:?} c {:?}, were a {:?} m {:?} c {:?}",
            atime(&st),
            mtime(&st),
            ctime(&st),
            atime(before),
            mtime(before),
            ctime(before)
        ));
    }
    Ok(())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

fn ftype(st: &libc::stat) -> u32 {
    st.st_mode & libc::S_IFMT
}

// ---------------------------------------------------------------------------------------
// Tests

fn t_statfs_type(e: &Env) -> TestResult {
    let st = ok!(statfs(&e.root));
    let want = magic_of(&e.fs).ok_or(format!("no known magic for {}", e.fs))?;
    eq!(st.f_type as i64, want);
    eq!(st.f_bsize, 4096);
    eq!(st.f_namelen, 255);
    // Also through a file and a subdirectory.
    ok!(mkdir(&e.p("d"), 0o755));
    new_file(&e.p("d/f"), b"x")?;
    eq!(ok!(statfs(&e.p("d/f"))).f_type as i64, want);
    Ok(())
}

fn t_root_dir(e: &Env) -> TestResult {
    let st = ok!(lstat(&e.root));
    eq!(st.st_mode, libc::S_IFDIR | 0o755);
    eq!(st.st_nlink, 2);
    eq!((st.st_uid, st.st_gid), (0, 0));
    eq!(st.st_size, 0);
    eq!(names(&e.root)?, set(&[]));
    // The root cannot be removed or renamed: it is busy (a mount point).
    fails!(rmdir(&e.root), libc::EBUSY);
    fails!(rename(&e.root, &format!("{}-x", e.root), 0), libc::EBUSY);
    Ok(())
}

fn t_create_open(e: &Env) -> TestResult {
    let f = e.p("f");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o640));
    let st = ok!(fstat(&fd));
    eq!(st.st_mode, libc::S_IFREG | 0o640);
    eq!(
        (st.st_size, st.st_nlink, st.st_uid, st.st_gid),
        (0, 1, 0, 0)
    );
    eq!(st.st_blksize, 4096);
    eq!(st.st_blocks, 0);
    eq!((atime(&st), mtime(&st)), (ctime(&st), ctime(&st)));
    if (st.st_ctime - now()).abs() > 5 {
        return Err(format!("ctime {} is not now ({})", st.st_ctime, now()));
    }
    drop(fd);
    // O_EXCL on an existing name, without it the same file.
    fails!(
        open(&f, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o600),
        libc::EEXIST
    );
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_RDWR, 0o600));
    eq!(ok!(fstat(&fd)).st_ino, st.st_ino);
    eq!(ok!(fstat(&fd)).st_mode, libc::S_IFREG | 0o640);
    // creat(2) semantics: O_CREAT|O_TRUNC on an existing file empties it.
    ok!(write(&fd, b"data"));
    drop(fd);
    let fd = ok!(open(
        &f,
        libc::O_CREAT | libc::O_TRUNC | libc::O_WRONLY,
        0o600
    ));
    eq!(ok!(fstat(&fd)).st_size, 0);
    drop(fd);
    // Errors.
    fails!(open(&e.p("missing"), libc::O_RDONLY, 0), libc::ENOENT);
    fails!(
        open(&e.p("nodir/x"), libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::ENOENT
    );
    fails!(
        open(&e.p("f/x"), libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::ENOTDIR
    );
    fails!(open(&e.p("f/x"), libc::O_RDONLY, 0), libc::ENOTDIR);
    fails!(
        open(&f, libc::O_RDONLY | libc::O_DIRECTORY, 0),
        libc::ENOTDIR
    );
    ok!(mkdir(&e.p("d"), 0o755));
    fails!(open(&e.p("d"), libc::O_WRONLY, 0), libc::EISDIR);
    fails!(open(&e.p("d"), libc::O_RDWR, 0), libc::EISDIR);
    fails!(
        open(&e.p("d"), libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::EISDIR
    );
    fails!(
        open(
            &e.p("d"),
            libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
            0o644
        ),
        libc::EEXIST
    );
    let dfd = ok!(open(&e.p("d"), libc::O_RDONLY | libc::O_DIRECTORY, 0));
    fails!(read(&dfd, 16), libc::EISDIR);
    // O_CREAT|O_EXCL does not follow a (dangling) symlink; O_CREAT alone creates its target.
    ok!(symlink(b"target", &e.p("dangling")));
    fails!(
        open(
            &e.p("dangling"),
            libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
            0o644
        ),
        libc::EEXIST
    );
    drop(ok!(open(
        &e.p("dangling"),
        libc::O_CREAT | libc::O_RDWR,
        0o600
    )));
    eq!(ok!(lstat(&e.p("target"))).st_mode, libc::S_IFREG | 0o600);
    fails!(
        open(&e.p("dangling"), libc::O_RDONLY | libc::O_NOFOLLOW, 0),
        libc::ELOOP
    );
    // Wrong access mode on the descriptor.
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    fails!(write(&ro, b"x"), libc::EBADF);
    let wo = ok!(open(&f, libc::O_WRONLY, 0));
    fails!(read(&wo, 1), libc::EBADF);
    eq!(names(&e.root)?, set(&["d", "dangling", "f", "target"]));
    Ok(())
}

fn t_read_write(e: &Env) -> TestResult {
    let f = e.p("f");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644));
    eq!(ok!(write(&fd, b"hello world")), 11);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_CUR)), 11);
    eq!(ok!(fstat(&fd)).st_size, 11);
    eq!(ok!(read(&fd, 10)), b"");
    eq!(ok!(lseek(&fd, 0, libc::SEEK_SET)), 0);
    eq!(ok!(read(&fd, 5)), b"hello");
    eq!(ok!(read(&fd, 100)), b" world");
    eq!(ok!(read(&fd, 100)), b"");
    // Overwrite in the middle.
    eq!(ok!(lseek(&fd, 6, libc::SEEK_SET)), 6);
    eq!(ok!(write(&fd, b"W")), 1);
    eq!(content(&f)?, b"hello World");
    // A large write across many pages, read back in odd-sized pieces.
    let big = pattern((1 << 20) + 123, 7);
    ok!(pwrite_full(&fd, &big, 4000));
    eq!(ok!(fstat(&fd)).st_size, 4000 + big.len() as i64);
    let mut got = Vec::new();
    let mut off = 4000;
    loop {
        let chunk = ok!(pread(&fd, 7777, off));
        if chunk.is_empty() {
            break;
        }
        off += chunk.len() as i64;
        got.extend_from_slice(&chunk);
    }
    eq_bytes!(got, big);
    eq!(ok!(pread(&fd, 11, 0)), b"hello World");
    // Another descriptor sees the same data.
    let fd2 = ok!(open(&f, libc::O_RDONLY, 0));
    eq_bytes!(ok!(pread_full(&fd2, big.len(), 4000)), big);
    // st_blocks counts the pages in the page cache (simple_getattr): 258 here.
    eq!(ok!(fstat(&fd)).st_blocks, 258 * 8);
    // Negative and beyond-the-limit offsets.
    fails!(lseek(&fd, -1, libc::SEEK_SET), libc::EINVAL);
    fails!(pwrite(&fd, b"x", -1), libc::EINVAL);
    fails!(pwrite(&fd, b"x", i64::MAX), libc::EINVAL);
    Ok(())
}

fn t_append(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"0123")?;
    let fd = ok!(open(&f, libc::O_WRONLY | libc::O_APPEND, 0));
    eq!(ok!(lseek(&fd, 0, libc::SEEK_SET)), 0);
    eq!(ok!(write(&fd, b"ab")), 2);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_CUR)), 6);
    // Two descriptors appending interleave without overwriting.
    let fd2 = ok!(open(&f, libc::O_WRONLY | libc::O_APPEND, 0));
    eq!(ok!(write(&fd2, b"CD")), 2);
    eq!(ok!(write(&fd, b"ef")), 2);
    // Linux: pwrite on an O_APPEND descriptor appends, whatever the offset.
    eq!(ok!(pwrite(&fd, b"gh", 1)), 2);
    eq!(content(&f)?, b"0123abCDefgh");
    // O_APPEND with O_TRUNC starts from empty.
    let fd3 = ok!(open(&f, libc::O_WRONLY | libc::O_APPEND | libc::O_TRUNC, 0));
    eq!(ok!(write(&fd3, b"z")), 1);
    eq!(content(&f)?, b"z");
    Ok(())
}

/// Writes whose copy from userspace faults part-way, into new pages: each is short, and the bytes
/// of the page that it did not copy read as zeroes, although the page's memory most likely held
/// other data before (pages full of 0xff are freed first, for the file system to take again).
fn t_short_copy(e: &Env) -> TestResult {
    let junk = ok!(open(&e.p("junk"), libc::O_CREAT | libc::O_RDWR, 0o644));
    ok!(pwrite_full(&junk, &[0xff; 64 * 4096], 0));
    ok!(ftruncate(&junk, 0));
    drop(junk);
    ok!(unlink(&e.p("junk")));
    let fd = ok!(open(&e.p("f"), libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644));
    // 100 bytes of 'x' are mapped, the 100 after them are not.
    for i in 0..16 {
        eq!(ok!(pwrite_part_mapped(&fd, 100, 200, b'x', i * 4096 + 50)), 100);
    }
    eq!(ok!(fstat(&fd)).st_size, 15 * 4096 + 150);
    ok!(ftruncate(&fd, 16 * 4096));
    let data = ok!(pread_full(&fd, 16 * 4096, 0));
    for (i, b) in data.iter().enumerate() {
        let want = if (50..150).contains(&(i % 4096)) { b'x' } else { 0 };
        check!(*b == want, "byte {i} is {b:#x}, not {want:#x}");
    }
    // A copy that faults at once writes nothing: EFAULT, and the page reads as zeroes.
    fails!(pwrite_part_mapped(&fd, 0, 200, b'x', 20 * 4096 + 50), libc::EFAULT);
    ok!(ftruncate(&fd, 21 * 4096));
    check!(
        ok!(pread_full(&fd, 4096, 20 * 4096)).iter().all(|&b| b == 0),
        "the page of the failed write has non-zero bytes"
    );
    Ok(())
}

fn t_pread_pwrite_holes(e: &Env) -> TestResult {
    let f = e.p("f");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644));
    // Writing past the end leaves a hole that reads as zeros.
    eq!(ok!(pwrite(&fd, b"abc", 10000)), 3);
    eq!(ok!(fstat(&fd)).st_size, 10003);
    eq!(ok!(fstat(&fd)).st_blocks, 8);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_CUR)), 0);
    eq_bytes!(ok!(pread_full(&fd, 10000, 0)), vec![0u8; 10000]);
    // On ramfs, reading a hole fills it with zeroed pages that stay (simple_read_folio); on
    // bs2ramfs, as on tmpfs, it takes no page.
    eq!(ok!(fstat(&fd)).st_blocks, if e.fs == "ramfs" { 3 * 8 } else { 8 });
    eq!(ok!(pread(&fd, 100, 9998)), b"\0\0abc");
    eq!(ok!(pread(&fd, 100, 10003)), b"");
    eq!(ok!(pread(&fd, 100, 1 << 30)), b"");
    // A far, page-unaligned write: the gap reads as zeros, the end is exact.
    let far = (5 << 20) + 77;
    eq!(ok!(pwrite(&fd, b"Z", far)), 1);
    eq!(ok!(fstat(&fd)).st_size, far + 1);
    let gap = ok!(pread_full(&fd, (far - 10003) as usize, 10003));
    eq!(gap.len() as i64, far - 10003);
    check!(
        gap.iter().all(|&b| b == 0),
        "the hole up to {far} has non-zero bytes"
    );
    eq!(ok!(pread(&fd, 10, far - 1)), b"\0Z");
    // Filling part of the hole keeps the rest zero.
    eq!(ok!(pwrite(&fd, b"mid", 4096 * 3 - 1)), 3);
    eq!(ok!(pread(&fd, 5, 4096 * 3 - 2)), b"\0mid\0");
    eq!(ok!(fstat(&fd)).st_size, far + 1);
    fails!(pread(&fd, 1, -1), libc::EINVAL);
    // The file position is untouched by pread/pwrite.
    eq!(ok!(lseek(&fd, 0, libc::SEEK_CUR)), 0);
    // lseek past the end is allowed and a write there makes a hole too.
    let fd2 = ok!(open(
        &e.p("g"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    eq!(ok!(lseek(&fd2, 8192, libc::SEEK_END)), 8192);
    eq!(ok!(write(&fd2, b"q")), 1);
    eq!(
        ok!(pread_full(&fd2, 9000, 0)),
        [vec![0u8; 8192], b"q".to_vec()].concat()
    );
    Ok(())
}

fn t_seek_data_hole(e: &Env) -> TestResult {
    // ramfs uses generic_file_llseek: the whole file is data, the only hole is at EOF.
    // bs2ramfs and tmpfs find the pages never written (tests of `falloc`).
    let fd = ok!(open(
        &e.p("f"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    eq!(ok!(pwrite(&fd, b"x", 100_000)), 1);
    let page_of_x = 100_000 / 4096 * 4096;
    let (data_at_0, hole_at_0) = if e.fs == "ramfs" {
        (0, 100_001)
    } else {
        (page_of_x, 0)
    };
    eq!(ok!(lseek(&fd, 0, libc::SEEK_DATA)), data_at_0);
    eq!(ok!(lseek(&fd, 5000, libc::SEEK_DATA)), data_at_0.max(5000));
    eq!(ok!(lseek(&fd, 0, libc::SEEK_HOLE)), hole_at_0);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_END)), 100_001);
    fails!(lseek(&fd, 100_001, libc::SEEK_DATA), libc::ENXIO);
    fails!(lseek(&fd, 100_001, libc::SEEK_HOLE), libc::ENXIO);
    Ok(())
}

fn t_truncate(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, &[b'a'; 8192])?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    // Shrink, then grow again: the old data past the shrink point is gone.
    eq!(ok!(fstat(&fd)).st_blocks, 2 * 8);
    ok!(ftruncate(&fd, 100));
    eq!(ok!(fstat(&fd)).st_size, 100);
    eq!(ok!(fstat(&fd)).st_blocks, 8);
    eq!(ok!(pread(&fd, 200, 0)), vec![b'a'; 100]);
    ok!(ftruncate(&fd, 5000));
    eq!(ok!(fstat(&fd)).st_size, 5000);
    let data = ok!(pread_full(&fd, 6000, 0));
    eq_bytes!(data, [vec![b'a'; 100], vec![0u8; 4900]].concat());
    // Shrink to inside a page and grow across it: the tail of that page is zeroed.
    ok!(pwrite_full(&fd, &[b'b'; 5000], 0));
    ok!(ftruncate(&fd, 4097));
    ok!(ftruncate(&fd, 8192));
    let data = ok!(pread_full(&fd, 9000, 0));
    eq_bytes!(data, [vec![b'b'; 4097], vec![0u8; 8192 - 4097]].concat());
    // truncate(2) by path.
    ok!(truncate(&f, 0));
    eq!(ok!(lstat(&f)).st_size, 0);
    eq!(ok!(pread(&fd, 10, 0)), b"");
    ok!(truncate(&f, 3));
    eq!(content(&f)?, b"\0\0\0");
    // Growing far does not need memory for the hole.
    ok!(truncate(&f, 1 << 40));
    eq!(ok!(lstat(&f)).st_size, 1 << 40);
    eq!(ok!(pread(&fd, 4, (1 << 40) - 2)), b"\0\0");
    ok!(truncate(&f, 0));
    // The file position stays where it was.
    eq!(ok!(lseek(&fd, 50, libc::SEEK_SET)), 50);
    ok!(ftruncate(&fd, 10));
    eq!(ok!(lseek(&fd, 0, libc::SEEK_CUR)), 50);
    // Errors.
    fails!(truncate(&f, -1), libc::EINVAL);
    fails!(ftruncate(&fd, -1), libc::EINVAL);
    fails!(truncate(&e.p("missing"), 0), libc::ENOENT);
    ok!(mkdir(&e.p("d"), 0o755));
    fails!(truncate(&e.p("d"), 0), libc::EISDIR);
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    fails!(ftruncate(&ro, 0), libc::EINVAL);
    let dfd = ok!(open(&e.p("d"), libc::O_RDONLY | libc::O_DIRECTORY, 0));
    fails!(ftruncate(&dfd, 0), libc::EINVAL);
    ok!(mknod(&e.p("fifo"), libc::S_IFIFO | 0o644, 0));
    fails!(truncate(&e.p("fifo"), 0), libc::EINVAL);
    Ok(())
}

/// Which truncations update mtime and ctime.
fn t_truncate_times(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, &[b'a'; 100])?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    // ftruncate(2) sets ATTR_MTIME|ATTR_CTIME: both move.
    let before = age(&f)?;
    ok!(ftruncate(&fd, 50));
    dir_touched(&f, &before, "ftruncate")?;
    // open(O_TRUNC) too.
    let before = age(&f)?;
    drop(ok!(open(&f, libc::O_WRONLY | libc::O_TRUNC, 0)));
    dir_touched(&f, &before, "open(O_TRUNC)")?;
    // truncate(2) by path passes no time attributes and simple_setattr adds none:
    // on ramfs neither mtime nor ctime change. POSIX wants both on a size change, and
    // bs2ramfs (like tmpfs) does that.
    ok!(ftruncate(&fd, 10));
    let before = age(&f)?;
    ok!(truncate(&f, 20));
    eq!(ok!(lstat(&f)).st_size, 20);
    if e.fs == "ramfs" {
        untouched(&f, &before, "truncate(2)")?;
    } else {
        dir_touched(&f, &before, "truncate(2)")?;
    }
    // Truncating to the size the file has is no change.
    let before = age(&f)?;
    ok!(truncate(&f, 20));
    untouched(&f, &before, "truncate(2) to the same size")?;
    Ok(())
}

fn t_write_read_times(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"abc")?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    // write(2) updates mtime and ctime, not atime.
    let before = age(&f)?;
    ok!(pwrite(&fd, b"x", 1));
    dir_touched(&f, &before, "write")?;
    // An empty write changes nothing.
    let before = age(&f)?;
    eq!(ok!(pwrite(&fd, b"", 1)), 0);
    untouched(&f, &before, "empty write")?;
    // read(2) updates atime under relatime when atime is older than mtime, and only atime.
    let st = ok!(lstat(&f));
    ok!(utimens(&f, Some([ts(OLD.0, 0), ts(OLD.0 + 10, 0)]), 0));
    let before = ok!(lstat(&f));
    tick();
    eq!(ok!(pread(&fd, 10, 0)), b"axc");
    let after = ok!(lstat(&f));
    check!(
        atime(&after) > atime(&before) && after.st_atime >= st.st_ctime,
        "read did not update atime: {:?}",
        atime(&after)
    );
    eq!(mtime(&after), mtime(&before));
    eq!(ctime(&after), ctime(&before));
    Ok(())
}

fn t_mmap(e: &Env) -> TestResult {
    let f = e.p("f");
    let data = pattern(3 * 4096 + 100, 3);
    new_file(&f, &data)?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    let len = 4 * 4096;
    // Read through a mapping: the file's bytes, zeros after EOF in the last page.
    {
        let m = ok!(Map::new(&fd, len, libc::PROT_READ, libc::MAP_SHARED));
        eq_bytes!(m.bytes()[..data.len()], data);
        check!(
            m.bytes()[data.len()..].iter().all(|&b| b == 0),
            "bytes after EOF not zero"
        );
        // A write through write(2) is visible in the mapping at once.
        ok!(pwrite(&fd, b"NEW", 4096));
        eq!(m.bytes()[4096..4099], *b"NEW");
    }
    // Write through a shared mapping: visible through read(), before and after msync.
    let before = age(&f)?;
    {
        let mut m = ok!(Map::new(
            &fd,
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED
        ));
        m.bytes_mut()[10..15].copy_from_slice(b"mmap!");
        eq!(ok!(pread(&fd, 5, 10)), b"mmap!");
        m.bytes_mut()[3 * 4096..3 * 4096 + 4].copy_from_slice(b"last");
        ok!(m.msync());
        // Writing into the mapping past EOF (same page) does not grow the file.
        m.bytes_mut()[data.len() + 10] = b'!';
        ok!(m.msync());
    }
    eq!(ok!(fstat(&fd)).st_size, data.len() as i64);
    eq!(ok!(pread(&fd, 5, 10)), b"mmap!");
    eq!(ok!(pread(&fd, 4, 3 * 4096)), b"last");
    // The first write fault updates mtime and ctime (filemap_page_mkwrite); mmap itself
    // updates atime (relatime).
    mc_touched(&f, &before, "write through a shared mapping")?;
    let fd2 = ok!(open(&f, libc::O_RDONLY, 0));
    eq!(ok!(pread(&fd2, 4, 3 * 4096)), b"last");
    // A private mapping's writes stay private.
    {
        let mut m = ok!(Map::new(
            &fd,
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE
        ));
        m.bytes_mut()[0..4].copy_from_slice(b"priv");
        eq!(m.bytes()[0..4], *b"priv");
    }
    eq!(ok!(pread(&fd, 4, 0)), data[0..4].to_vec());
    // Growing by ftruncate makes the mapping's later page readable (zeros).
    ok!(ftruncate(&fd, 5 * 4096));
    {
        let m = ok!(Map::new(&fd, 5 * 4096, libc::PROT_READ, libc::MAP_SHARED));
        check!(
            m.bytes()[4 * 4096..].iter().all(|&b| b == 0),
            "grown page not zero"
        );
    }
    // Errors: a shared writable mapping needs a descriptor open for writing.
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    fails!(
        Map::new(
            &ro,
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED
        ),
        libc::EACCES
    );
    ok!(mkdir(&e.p("d"), 0o755));
    let dfd = ok!(open(&e.p("d"), libc::O_RDONLY | libc::O_DIRECTORY, 0));
    fails!(
        Map::new(&dfd, 4096, libc::PROT_READ, libc::MAP_SHARED),
        libc::ENODEV
    );
    Ok(())
}

fn t_copy_splice_sendfile(e: &Env) -> TestResult {
    let src = e.p("src");
    let data = pattern(3 * 4096 + 555, 9);
    new_file(&src, &data)?;
    let fin = ok!(open(&src, libc::O_RDONLY, 0));
    // copy_file_range at offsets, into a hole of the destination.
    let dst = ok!(open(
        &e.p("dst"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    let (mut oi, mut oo) = (100i64, 5000i64);
    let mut left = 9000usize;
    while left > 0 {
        let n = ok!(copy_file_range(&fin, &mut oi, &dst, &mut oo, left));
        check!(n > 0, "copy_file_range copied nothing");
        left -= n;
    }
    eq!((oi, oo), (9100, 14000));
    eq!(ok!(fstat(&dst)).st_size, 14000);
    let got = ok!(pread_full(&dst, 20000, 0));
    eq_bytes!(got, [vec![0u8; 5000], data[100..9100].to_vec()].concat());
    // Copying from past EOF copies nothing.
    let (mut oi, mut oo) = (data.len() as i64, 0i64);
    eq!(ok!(copy_file_range(&fin, &mut oi, &dst, &mut oo, 100)), 0);
    // sendfile into another file.
    let out = ok!(open(
        &e.p("sent"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    let mut off = 0i64;
    while (off as usize) < data.len() {
        let left = data.len() - off as usize;
        let n = ok!(sendfile(&out, &fin, &mut off, left));
        check!(n > 0, "sendfile sent nothing");
    }
    eq_bytes!(ok!(pread_full(&out, data.len() + 1, 0)), data);
    // splice file -> pipe -> file.
    let (pr, pw) = ok!(pipe());
    let spl = ok!(open(
        &e.p("spliced"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    let (mut off_in, mut off_out) = (4096i64, 10i64);
    let n = ok!(splice(&fin, Some(&mut off_in), &pw, None, 5000));
    eq!(n, 5000);
    let mut moved = 0;
    while moved < n {
        moved += ok!(splice(&pr, None, &spl, Some(&mut off_out), n - moved));
    }
    eq!(off_out, 5010);
    eq_bytes!(
        ok!(pread_full(&spl, 6000, 0)),
        [vec![0u8; 10], data[4096..9096].to_vec()].concat()
    );
    // Errors: copy_file_range needs regular files (EISDIR for a directory) and a
    // writable destination (EBADF).
    ok!(mkdir(&e.p("d"), 0o755));
    let dfd = ok!(open(&e.p("d"), libc::O_RDONLY | libc::O_DIRECTORY, 0));
    let (mut a, mut b) = (0i64, 0i64);
    fails!(
        copy_file_range(&dfd, &mut a, &dst, &mut b, 10),
        libc::EISDIR
    );
    fails!(copy_file_range(&fin, &mut a, &fin, &mut b, 10), libc::EBADF);
    Ok(())
}

fn t_fsync(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"data")?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    ok!(fsync(&fd));
    ok!(fdatasync(&fd));
    ok!(syncfs(&fd));
    let ro = ok!(open(&f, libc::O_RDONLY, 0));
    ok!(fsync(&ro));
    let dfd = ok!(open(&e.root, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    ok!(fsync(&dfd));
    ok!(fdatasync(&dfd));
    // O_SYNC and O_DSYNC writes work.
    let s = ok!(open(&f, libc::O_WRONLY | libc::O_SYNC, 0));
    eq!(ok!(pwrite(&s, b"S", 0)), 1);
    let s = ok!(open(&f, libc::O_WRONLY | libc::O_DSYNC, 0));
    eq!(ok!(pwrite(&s, b"D", 1)), 1);
    eq!(content(&f)?, b"SDta");
    Ok(())
}

/// What ramfs does not have: fallocate and extended attributes (bs2ramfs has both).
fn t_unsupported(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"data")?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    if e.fs != "ramfs" {
        // bs2ramfs and tmpfs have fallocate (tests of `falloc`).
        ok!(fallocate(&fd, libc::FALLOC_FL_KEEP_SIZE, 0, 8192));
        eq!(ok!(fstat(&fd)).st_size, 4);
        // bs2ramfs and tmpfs keep extended attributes in memory (tests of `xattr`).
        ok!(setxattr(&f, "user.test", b"v"));
        eq!(ok!(getxattr(&f, "user.test")), b"v");
        eq!(ok!(listxattr(&f)), b"user.test\0");
        return Ok(());
    }
    fails!(fallocate(&fd, 0, 0, 8192), libc::EOPNOTSUPP);
    fails!(
        fallocate(
            &fd,
            libc::FALLOC_FL_KEEP_SIZE | libc::FALLOC_FL_PUNCH_HOLE,
            0,
            2
        ),
        libc::EOPNOTSUPP
    );
    eq!(ok!(fstat(&fd)).st_size, 4);
    fails!(setxattr(&f, "user.test", b"v"), libc::EOPNOTSUPP);
    fails!(setxattr(&f, "trusted.test", b"v"), libc::EOPNOTSUPP);
    fails!(getxattr(&f, "user.test"), libc::EOPNOTSUPP);
    eq!(ok!(listxattr(&f)), b"");
    Ok(())
}

fn t_mkdir_rmdir(e: &Env) -> TestResult {
    let d = e.p("d");
    ok!(mkdir(&d, 0o750));
    let st = ok!(lstat(&d));
    eq!(st.st_mode, libc::S_IFDIR | 0o750);
    eq!(
        (st.st_nlink, st.st_size, st.st_uid, st.st_gid),
        (2, 0, 0, 0)
    );
    eq!(ok!(lstat(&e.root)).st_nlink, 3);
    eq!(names(&d)?, set(&[]));
    // mkdir keeps the sticky bit and drops bits beyond 07777.
    ok!(mkdir(&e.p("sticky"), 0o1777));
    eq!(ok!(lstat(&e.p("sticky"))).st_mode, libc::S_IFDIR | 0o1777);
    ok!(rmdir(&e.p("sticky")));
    // Errors.
    fails!(mkdir(&d, 0o755), libc::EEXIST);
    new_file(&e.p("f"), b"")?;
    fails!(mkdir(&e.p("f"), 0o755), libc::EEXIST);
    fails!(mkdir(&e.p("f/sub"), 0o755), libc::ENOTDIR);
    fails!(mkdir(&e.p("no/sub"), 0o755), libc::ENOENT);
    ok!(mkdir(&e.p("d/sub"), 0o755));
    eq!(ok!(lstat(&d)).st_nlink, 3);
    fails!(rmdir(&d), libc::ENOTEMPTY);
    ok!(rmdir(&e.p("d/sub")));
    new_file(&e.p("d/file"), b"")?;
    fails!(rmdir(&d), libc::ENOTEMPTY);
    ok!(unlink(&e.p("d/file")));
    fails!(rmdir(&e.p("f")), libc::ENOTDIR);
    fails!(rmdir(&e.p("missing")), libc::ENOENT);
    fails!(rmdir(&e.p("d/.")), libc::EINVAL);
    fails!(rmdir(&e.p("d/..")), libc::ENOTEMPTY);
    ok!(symlink(b"d", &e.p("link")));
    fails!(rmdir(&e.p("link")), libc::ENOTDIR);
    eq!(ok!(lstat(&d)).st_nlink, 2);
    // A removed directory that is still open: empty, nlink 0, no new entries.
    let dfd = ok!(open(&d, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    ok!(rmdir(&d));
    fails!(lstat(&d), libc::ENOENT);
    eq!(ok!(fstat(&dfd)).st_nlink, 0);
    fails!(getdents(&dfd, 4096), libc::ENOENT);
    eq!(ok!(lstat(&e.root)).st_nlink, 2);
    eq!(names(&e.root)?, set(&["f", "link"]));
    Ok(())
}

fn t_unlink(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"still here")?;
    let fd = ok!(open(&f, libc::O_RDWR, 0));
    let ino = ok!(fstat(&fd)).st_ino;
    ok!(unlink(&f));
    fails!(lstat(&f), libc::ENOENT);
    fails!(open(&f, libc::O_RDONLY, 0), libc::ENOENT);
    // The open file lives on with nlink 0.
    let st = ok!(fstat(&fd));
    eq!((st.st_nlink, st.st_ino), (0, ino));
    eq!(ok!(pread(&fd, 100, 0)), b"still here");
    eq!(ok!(pwrite(&fd, b"S", 0)), 1);
    eq!(ok!(pread(&fd, 100, 0)), b"Still here");
    // A new file of the same name is another inode.
    new_file(&f, b"new")?;
    check!(
        ok!(lstat(&f)).st_ino != ino,
        "reused inode number {ino} while in use"
    );
    eq!(content(&f)?, b"new");
    // Errors.
    fails!(unlink(&e.p("missing")), libc::ENOENT);
    ok!(mkdir(&e.p("d"), 0o755));
    fails!(unlink(&e.p("d")), libc::EISDIR);
    fails!(unlink(&e.p("f/x")), libc::ENOTDIR);
    fails!(unlink(&e.p("d/.")), libc::EISDIR);
    // Unlinking a symlink removes the link, not its target.
    ok!(symlink(b"f", &e.p("l")));
    ok!(unlink(&e.p("l")));
    eq!(content(&f)?, b"new");
    // Special files.
    ok!(mknod(&e.p("fifo"), libc::S_IFIFO | 0o600, 0));
    ok!(unlink(&e.p("fifo")));
    eq!(names(&e.root)?, set(&["d", "f"]));
    Ok(())
}

fn t_hard_link(e: &Env) -> TestResult {
    let (a, b) = (e.p("a"), e.p("d/b"));
    new_file(&a, b"shared")?;
    ok!(mkdir(&e.p("d"), 0o755));
    let before = age(&a)?;
    ok!(link(&a, &b));
    let (sa, sb) = (ok!(lstat(&a)), ok!(lstat(&b)));
    eq!(sa.st_ino, sb.st_ino);
    eq!((sa.st_nlink, sb.st_nlink), (2, 2));
    // The inode's ctime moves, its mtime does not.
    check!(
        ctime(&sa) > ctime(&before),
        "link did not update the inode's ctime"
    );
    eq!(mtime(&sa), OLD);
    // Adding a link does not count as a subdirectory.
    eq!(ok!(lstat(&e.p("d"))).st_nlink, 2);
    // Writes through one name are seen through the other.
    let fd = ok!(open(&b, libc::O_WRONLY, 0));
    eq!(ok!(pwrite(&fd, b"S", 0)), 1);
    eq!(content(&a)?, b"Shared");
    ok!(link(&a, &e.p("c")));
    eq!(ok!(lstat(&a)).st_nlink, 3);
    ok!(unlink(&a));
    eq!(ok!(lstat(&b)).st_nlink, 2);
    ok!(unlink(&e.p("c")));
    eq!(ok!(lstat(&b)).st_nlink, 1);
    eq!(content(&b)?, b"Shared");
    // A link to a symlink links the symlink itself (link(2) does not follow).
    ok!(symlink(b"d/b", &e.p("s")));
    ok!(link(&e.p("s"), &e.p("s2")));
    let st = ok!(lstat(&e.p("s2")));
    eq!((ftype(&st), st.st_nlink), (libc::S_IFLNK, 2));
    // And to special files.
    ok!(mknod(&e.p("fifo"), libc::S_IFIFO | 0o644, 0));
    ok!(link(&e.p("fifo"), &e.p("fifo2")));
    eq!(ok!(lstat(&e.p("fifo2"))).st_nlink, 2);
    // Errors.
    fails!(link(&e.p("missing"), &e.p("x")), libc::ENOENT);
    fails!(link(&b, &e.p("s")), libc::EEXIST);
    fails!(link(&b, &e.p("d")), libc::EEXIST);
    fails!(link(&e.p("d"), &e.p("dlink")), libc::EPERM);
    fails!(link(&b, &e.p("nodir/x")), libc::ENOENT);
    fails!(link(&b, &e.p("s2/x")), libc::ENOTDIR);
    fails!(link(&b, &e.p("fifo/x")), libc::ENOTDIR);
    Ok(())
}

fn t_symlink(e: &Env) -> TestResult {
    new_file(&e.p("file"), b"through the link")?;
    let l = e.p("l");
    ok!(symlink(b"file", &l));
    let st = ok!(lstat(&l));
    eq!(st.st_mode, libc::S_IFLNK | 0o777);
    eq!((st.st_size, st.st_nlink), (4, 1));
    eq!(ok!(readlink(&l)), b"file");
    eq!(content(&l)?, b"through the link");
    eq!(ok!(stat(&l)).st_ino, ok!(lstat(&e.p("file"))).st_ino);
    // Targets are not checked nor normalised.
    let odd = b"../../x//y/./z/";
    ok!(symlink(odd, &e.p("odd")));
    eq!(ok!(readlink(&e.p("odd"))), odd.to_vec());
    // A 3000-byte target (about the whole page) and the longest one, 4095 bytes.
    let long: Vec<u8> = (0..3000).map(|i| b'a' + (i % 26) as u8).collect();
    ok!(symlink(&long, &e.p("long")));
    eq!(ok!(lstat(&e.p("long"))).st_size, 3000);
    eq_bytes!(ok!(readlink(&e.p("long"))), long);
    let longest = vec![b'x'; 4095];
    ok!(symlink(&longest, &e.p("longest")));
    eq!(ok!(lstat(&e.p("longest"))).st_size, 4095);
    eq_bytes!(ok!(readlink(&e.p("longest"))), longest);
    // Errors: 4096 bytes do not fit PATH_MAX with the NUL.
    fails!(symlink(&[b'x'; 4096], &e.p("toolong")), libc::ENAMETOOLONG);
    fails!(symlink(b"", &e.p("empty")), libc::ENOENT);
    fails!(symlink(b"file", &l), libc::EEXIST);
    fails!(symlink(b"file", &e.p("file")), libc::EEXIST);
    fails!(symlink(b"file", &e.p("nodir/l")), libc::ENOENT);
    fails!(readlink(&e.p("file")), libc::EINVAL);
    fails!(readlink(&e.p("missing")), libc::ENOENT);
    // Dangling and looping links.
    ok!(symlink(b"nowhere", &e.p("dangling")));
    fails!(stat(&e.p("dangling")), libc::ENOENT);
    eq!(ftype(&ok!(lstat(&e.p("dangling")))), libc::S_IFLNK);
    ok!(symlink(b"loop2", &e.p("loop1")));
    ok!(symlink(b"loop1", &e.p("loop2")));
    fails!(stat(&e.p("loop1")), libc::ELOOP);
    fails!(open(&e.p("loop1"), libc::O_RDONLY, 0), libc::ELOOP);
    // Through a symlink to a directory.
    ok!(mkdir(&e.p("d"), 0o755));
    ok!(symlink(b"d", &e.p("dl")));
    new_file(&e.p("dl/inside"), b"in")?;
    eq!(content(&e.p("d/inside"))?, b"in");
    fails!(symlink(b"x", &e.p("dl")), libc::EEXIST);
    Ok(())
}

fn t_mknod(e: &Env) -> TestResult {
    let cases: [(&str, u32, u64); 5] = [
        ("fifo", libc::S_IFIFO | 0o640, 0),
        ("sock", libc::S_IFSOCK | 0o600, 0),
        ("chr", libc::S_IFCHR | 0o620, libc::makedev(1, 3)),
        ("blk", libc::S_IFBLK | 0o660, libc::makedev(259, 1_048_575)),
        ("reg", libc::S_IFREG | 0o604, 0),
    ];
    for (name, mode, dev) in cases {
        ok!(mknod(&e.p(name), mode, dev));
        let st = ok!(lstat(&e.p(name)));
        if st.st_mode != mode || st.st_rdev != dev || st.st_nlink != 1 || st.st_size != 0 {
            return Err(format!(
                "{name}: mode {:o} rdev {:#x} nlink {} size {}, want {mode:o} {dev:#x} 1 0",
                st.st_mode, st.st_rdev, st.st_nlink, st.st_size
            ));
        }
    }
    // mode 0 means a regular file.
    ok!(mknod(&e.p("zero"), 0o644, 0));
    eq!(ok!(lstat(&e.p("zero"))).st_mode, libc::S_IFREG | 0o644);
    // A fifo works as a pipe.
    let fifo = ok!(open(&e.p("fifo"), libc::O_RDWR, 0));
    eq!(ok!(write(&fifo, b"through the fifo")), 16);
    eq!(ok!(read(&fifo, 100)), b"through the fifo");
    fails!(lseek(&fifo, 0, libc::SEEK_SET), libc::ESPIPE);
    // Opening a socket inode fails.
    fails!(open(&e.p("sock"), libc::O_RDONLY, 0), libc::ENXIO);
    // The device numbers survive renames and links.
    ok!(rename(&e.p("blk"), &e.p("blk2"), 0));
    ok!(link(&e.p("blk2"), &e.p("blk3")));
    eq!(
        ok!(lstat(&e.p("blk3"))).st_rdev,
        libc::makedev(259, 1_048_575)
    );
    // Errors.
    fails!(mknod(&e.p("fifo"), libc::S_IFIFO | 0o644, 0), libc::EEXIST);
    fails!(mknod(&e.p("dir"), libc::S_IFDIR | 0o755, 0), libc::EPERM);
    fails!(mknod(&e.p("bad"), 0o170000 | 0o644, 0), libc::EINVAL);
    fails!(
        mknod(&e.p("nodir/x"), libc::S_IFIFO | 0o644, 0),
        libc::ENOENT
    );
    eq!(
        names(&e.root)?,
        set(&["blk2", "blk3", "chr", "fifo", "reg", "sock", "zero"])
    );
    Ok(())
}

fn t_rename_plain(e: &Env) -> TestResult {
    let (a, b) = (e.p("a"), e.p("b"));
    new_file(&a, b"content")?;
    let ino = ok!(lstat(&a)).st_ino;
    let fd = ok!(open(&a, libc::O_RDONLY, 0));
    let root_before = age(&e.root)?;
    let file_before = age(&a)?;
    ok!(rename(&a, &b, 0));
    fails!(lstat(&a), libc::ENOENT);
    let st = ok!(lstat(&b));
    eq!((st.st_ino, st.st_nlink), (ino, 1));
    eq!(content(&b)?, b"content");
    dir_touched(&e.root, &root_before, "rename in the root")?;
    // The renamed inode's ctime moves (simple_rename_timestamp), not its mtime.
    check!(
        ctime(&st) > ctime(&file_before),
        "rename did not update the inode's ctime"
    );
    eq!(mtime(&st), OLD);
    // An open descriptor follows the inode.
    eq!(ok!(pread(&fd, 100, 0)), b"content");
    // Into another directory and back, with both parents' times.
    ok!(mkdir(&e.p("d"), 0o755));
    let d_before = age(&e.p("d"))?;
    let root_before = age(&e.root)?;
    ok!(rename(&b, &e.p("d/c"), 0));
    dir_touched(&e.root, &root_before, "rename out of the root")?;
    dir_touched(&e.p("d"), &d_before, "rename into d")?;
    eq!(ok!(lstat(&e.p("d/c"))).st_ino, ino);
    eq!(names(&e.root)?, set(&["d"]));
    eq!(names(&e.p("d"))?, set(&["c"]));
    // Renaming a name onto itself (or onto another link of the same inode) does nothing.
    ok!(rename(&e.p("d/c"), &e.p("d/c"), 0));
    ok!(link(&e.p("d/c"), &e.p("d/c2")));
    ok!(rename(&e.p("d/c"), &e.p("d/c2"), 0));
    eq!(names(&e.p("d"))?, set(&["c", "c2"]));
    eq!(ok!(lstat(&e.p("d/c"))).st_nlink, 2);
    // A symlink is renamed, not its target.
    ok!(symlink(b"d/c", &e.p("l")));
    ok!(rename(&e.p("l"), &e.p("l2"), 0));
    eq!(ok!(readlink(&e.p("l2"))), b"d/c");
    eq!(ok!(lstat(&e.p("d/c"))).st_ino, ino);
    Ok(())
}

fn t_rename_over_file(e: &Env) -> TestResult {
    let (a, b) = (e.p("a"), e.p("b"));
    new_file(&a, b"from a")?;
    new_file(&b, b"old b")?;
    let ino_a = ok!(lstat(&a)).st_ino;
    let old_b = ok!(open(&b, libc::O_RDONLY, 0));
    let before = age(&b)?;
    ok!(rename(&a, &b, 0));
    fails!(lstat(&a), libc::ENOENT);
    eq!(ok!(lstat(&b)).st_ino, ino_a);
    eq!(content(&b)?, b"from a");
    // The replaced inode is unlinked: nlink 0, ctime moved, data still readable.
    let st = ok!(fstat(&old_b));
    eq!(st.st_nlink, 0);
    check!(
        ctime(&st) > ctime(&before),
        "the replaced inode's ctime did not move"
    );
    eq!(ok!(pread(&old_b, 100, 0)), b"old b");
    // A file over a symlink replaces the symlink; a symlink over a file the file.
    ok!(symlink(b"b", &e.p("l")));
    new_file(&e.p("c"), b"c")?;
    ok!(rename(&e.p("c"), &e.p("l"), 0));
    eq!(ftype(&ok!(lstat(&e.p("l")))), libc::S_IFREG);
    eq!(content(&b)?, b"from a");
    ok!(symlink(b"b", &e.p("l2")));
    ok!(rename(&e.p("l2"), &e.p("l"), 0));
    eq!(ok!(readlink(&e.p("l"))), b"b");
    // Replacing one hard link of a multiply linked file drops its count.
    new_file(&e.p("x"), b"x")?;
    ok!(link(&e.p("x"), &e.p("x2")));
    new_file(&e.p("y"), b"y")?;
    ok!(rename(&e.p("y"), &e.p("x2"), 0));
    eq!(ok!(lstat(&e.p("x"))).st_nlink, 1);
    eq!(content(&e.p("x2"))?, b"y");
    eq!(names(&e.root)?, set(&["b", "l", "x", "x2"]));
    Ok(())
}

fn t_rename_dirs(e: &Env) -> TestResult {
    // A directory over an empty directory, in other parents.
    for d in ["p1", "p2", "p1/src", "p1/src/sub", "p2/empty"] {
        ok!(mkdir(&e.p(d), 0o755));
    }
    new_file(&e.p("p1/src/f"), b"f")?;
    let ino = ok!(lstat(&e.p("p1/src"))).st_ino;
    let empty = ok!(open(
        &e.p("p2/empty"),
        libc::O_RDONLY | libc::O_DIRECTORY,
        0
    ));
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (3, 3)
    );
    ok!(rename(&e.p("p1/src"), &e.p("p2/empty"), 0));
    eq!(ok!(lstat(&e.p("p2/empty"))).st_ino, ino);
    eq!(ok!(lstat(&e.p("p2/empty"))).st_nlink, 3);
    eq!(ok!(lstat(&e.p("p1"))).st_nlink, 2);
    eq!(ok!(lstat(&e.p("p2"))).st_nlink, 3);
    eq!(ok!(fstat(&empty)).st_nlink, 0);
    eq!(names(&e.p("p2/empty"))?, set(&["f", "sub"]));
    // ".." of the moved directory is its new parent.
    let dfd = ok!(open(
        &e.p("p2/empty"),
        libc::O_RDONLY | libc::O_DIRECTORY,
        0
    ));
    let dots = ok!(getdents(&dfd, 4096));
    let dotdot = dots.iter().find(|d| d.name == "..").ok_or("no ..")?;
    eq!(dotdot.ino, ok!(lstat(&e.p("p2"))).st_ino);
    eq!(ok!(lstat(&e.p("p2/empty/sub/.."))).st_ino, ino);
    // A plain directory move between parents.
    ok!(rename(&e.p("p2/empty"), &e.p("p1/back"), 0));
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (3, 2)
    );
    // Within one parent.
    ok!(rename(&e.p("p1/back"), &e.p("p1/again"), 0));
    eq!(ok!(lstat(&e.p("p1"))).st_nlink, 3);
    // Errors.
    ok!(mkdir(&e.p("p2/full"), 0o755));
    new_file(&e.p("p2/full/x"), b"")?;
    fails!(
        rename(&e.p("p1/again"), &e.p("p2/full"), 0),
        libc::ENOTEMPTY
    );
    new_file(&e.p("file"), b"")?;
    fails!(rename(&e.p("p1/again"), &e.p("file"), 0), libc::ENOTDIR);
    fails!(rename(&e.p("file"), &e.p("p2/full"), 0), libc::EISDIR);
    fails!(rename(&e.p("p1/again"), &e.p("file/x"), 0), libc::ENOTDIR);
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (3, 3)
    );
    eq!(ok!(lstat(&e.root)).st_nlink, 4);
    Ok(())
}

fn t_rename_noreplace(e: &Env) -> TestResult {
    new_file(&e.p("a"), b"a")?;
    new_file(&e.p("b"), b"b")?;
    ok!(mkdir(&e.p("d"), 0o755));
    ok!(mkdir(&e.p("e"), 0o755));
    fails!(
        rename(&e.p("a"), &e.p("b"), libc::RENAME_NOREPLACE),
        libc::EEXIST
    );
    fails!(
        rename(&e.p("d"), &e.p("e"), libc::RENAME_NOREPLACE),
        libc::EEXIST
    );
    fails!(
        rename(&e.p("a"), &e.p("d"), libc::RENAME_NOREPLACE),
        libc::EEXIST
    );
    fails!(
        rename(&e.p("a"), &e.p("a"), libc::RENAME_NOREPLACE),
        libc::EEXIST
    );
    eq!(content(&e.p("a"))?, b"a");
    eq!(content(&e.p("b"))?, b"b");
    ok!(rename(&e.p("a"), &e.p("c"), libc::RENAME_NOREPLACE));
    ok!(rename(&e.p("d"), &e.p("e/d"), libc::RENAME_NOREPLACE));
    eq!(names(&e.root)?, set(&["b", "c", "e"]));
    eq!(ok!(lstat(&e.p("e"))).st_nlink, 3);
    eq!(ok!(lstat(&e.root)).st_nlink, 3);
    fails!(
        rename(&e.p("missing"), &e.p("x"), libc::RENAME_NOREPLACE),
        libc::ENOENT
    );
    fails!(
        rename(
            &e.p("b"),
            &e.p("c"),
            libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE
        ),
        libc::EINVAL
    );
    Ok(())
}

fn t_rename_exchange(e: &Env) -> TestResult {
    // A file in p1 and a directory in p2 swap places.
    ok!(mkdir(&e.p("p1"), 0o755));
    ok!(mkdir(&e.p("p2"), 0o755));
    ok!(mkdir(&e.p("p2/dir"), 0o700));
    new_file(&e.p("p2/dir/inner"), b"inner")?;
    new_file(&e.p("p1/file"), b"file")?;
    let (fi, di) = (
        ok!(lstat(&e.p("p1/file"))).st_ino,
        ok!(lstat(&e.p("p2/dir"))).st_ino,
    );
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (2, 3)
    );
    let (b1, b2) = (age(&e.p("p1"))?, age(&e.p("p2"))?);
    ok!(rename(
        &e.p("p1/file"),
        &e.p("p2/dir"),
        libc::RENAME_EXCHANGE
    ));
    let (s1, s2) = (ok!(lstat(&e.p("p1/file"))), ok!(lstat(&e.p("p2/dir"))));
    eq!((s1.st_ino, s1.st_mode), (di, libc::S_IFDIR | 0o700));
    eq!((s2.st_ino, s2.st_mode), (fi, libc::S_IFREG | 0o644));
    eq!(content(&e.p("p1/file/inner"))?, b"inner");
    eq!(content(&e.p("p2/dir"))?, b"file");
    // The subdirectory moved from p2 to p1.
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (3, 2)
    );
    eq!(
        ok!(lstat(&e.p("p1/file/.."))).st_ino,
        ok!(lstat(&e.p("p1"))).st_ino
    );
    dir_touched(&e.p("p1"), &b1, "exchange")?;
    dir_touched(&e.p("p2"), &b2, "exchange")?;
    // Two files in one directory.
    new_file(&e.p("x"), b"x")?;
    new_file(&e.p("y"), b"y")?;
    ok!(rename(&e.p("x"), &e.p("y"), libc::RENAME_EXCHANGE));
    eq!(
        (content(&e.p("x"))?, content(&e.p("y"))?),
        (b"y".to_vec(), b"x".to_vec())
    );
    // Two directories in different parents: the counts stay.
    ok!(mkdir(&e.p("p2/other"), 0o755));
    ok!(rename(
        &e.p("p1/file"),
        &e.p("p2/other"),
        libc::RENAME_EXCHANGE
    ));
    eq!(
        (
            ok!(lstat(&e.p("p1"))).st_nlink,
            ok!(lstat(&e.p("p2"))).st_nlink
        ),
        (3, 3)
    );
    eq!(ok!(lstat(&e.p("p2/other"))).st_ino, di);
    eq!(ok!(lstat(&e.root)).st_nlink, 4);
    // Errors: both names must exist; no exchange of an ancestor.
    fails!(
        rename(&e.p("x"), &e.p("missing"), libc::RENAME_EXCHANGE),
        libc::ENOENT
    );
    fails!(
        rename(&e.p("missing"), &e.p("x"), libc::RENAME_EXCHANGE),
        libc::ENOENT
    );
    fails!(
        rename(&e.p("p2"), &e.p("p2/other"), libc::RENAME_EXCHANGE),
        libc::EINVAL
    );
    fails!(
        rename(&e.p("p2/other"), &e.p("p2"), libc::RENAME_EXCHANGE),
        libc::EINVAL
    );
    Ok(())
}

fn t_rename_whiteout(e: &Env) -> TestResult {
    new_file(&e.p("a"), b"a")?;
    new_file(&e.p("b"), b"b")?;
    fails!(rename(&e.p("a"), &e.p("c"), 0x100), libc::EINVAL);
    if e.fs == "ramfs" {
        // ramfs's simple_rename refuses every flag but NOREPLACE and EXCHANGE.
        fails!(
            rename(&e.p("a"), &e.p("c"), libc::RENAME_WHITEOUT),
            libc::EINVAL
        );
        fails!(
            rename(&e.p("a"), &e.p("b"), libc::RENAME_WHITEOUT),
            libc::EINVAL
        );
        eq!(names(&e.root)?, set(&["a", "b"]));
        eq!(content(&e.p("b"))?, b"b");
        return Ok(());
    }
    // As tmpfs (overlayfs needs it): a whiteout, a character device 0:0 with no permission
    // bits, takes the source's place; first to a new name, then replacing a file.
    ok!(rename(&e.p("a"), &e.p("c"), libc::RENAME_WHITEOUT));
    eq!(content(&e.p("c"))?, b"a");
    ok!(rename(&e.p("b"), &e.p("c"), libc::RENAME_WHITEOUT));
    eq!(content(&e.p("c"))?, b"b");
    for w in ["a", "b"] {
        let st = ok!(lstat(&e.p(w)));
        eq!((st.st_mode, st.st_rdev, st.st_nlink), (libc::S_IFCHR, 0, 1));
    }
    let fd = ok!(open(&e.root, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    let mut types: Vec<(String, u8)> = ok!(getdents(&fd, 4096))
        .into_iter()
        .filter(|d| !d.name.starts_with('.'))
        .map(|d| (d.name, d.dtype))
        .collect();
    types.sort();
    eq!(
        types,
        vec![
            ("a".to_owned(), libc::DT_CHR),
            ("b".to_owned(), libc::DT_CHR),
            ("c".to_owned(), libc::DT_REG)
        ]
    );
    // The VFS refuses WHITEOUT with EXCHANGE.
    fails!(
        rename(
            &e.p("c"),
            &e.p("a"),
            libc::RENAME_WHITEOUT | libc::RENAME_EXCHANGE
        ),
        libc::EINVAL
    );
    // Onto a non-empty directory: ENOTEMPTY, and no whiteout is left behind.
    ok!(mkdir(&e.p("d"), 0o755));
    ok!(mkdir(&e.p("full"), 0o755));
    new_file(&e.p("full/x"), b"x")?;
    fails!(
        rename(&e.p("d"), &e.p("full"), libc::RENAME_WHITEOUT),
        libc::ENOTEMPTY
    );
    eq!(ok!(lstat(&e.p("d"))).st_mode & libc::S_IFMT, libc::S_IFDIR);
    // A directory moves into another one and leaves a whiteout; the link counts follow.
    ok!(rename(&e.p("d"), &e.p("full/d"), libc::RENAME_WHITEOUT));
    eq!(ok!(lstat(&e.p("d"))).st_mode, libc::S_IFCHR);
    eq!(ok!(lstat(&e.p("full"))).st_nlink, 3);
    eq!(ok!(lstat(&e.root)).st_nlink, 3);
    // Whiteouts go like other files.
    for w in ["a", "b", "d"] {
        ok!(unlink(&e.p(w)));
    }
    eq!(names(&e.root)?, set(&["c", "full"]));
    Ok(())
}

fn t_rename_errors(e: &Env) -> TestResult {
    for d in ["a", "a/b", "a/b/c"] {
        ok!(mkdir(&e.p(d), 0o755));
    }
    new_file(&e.p("f"), b"")?;
    // A directory into its own subtree.
    fails!(rename(&e.p("a"), &e.p("a/b/c/x"), 0), libc::EINVAL);
    fails!(rename(&e.p("a"), &e.p("a/new"), 0), libc::EINVAL);
    fails!(rename(&e.p("a"), &e.p("a/b"), 0), libc::EINVAL);
    // Onto an ancestor (which is never empty).
    fails!(rename(&e.p("a/b/c"), &e.p("a"), 0), libc::ENOTEMPTY);
    // Missing source or target folder.
    fails!(rename(&e.p("missing"), &e.p("x"), 0), libc::ENOENT);
    fails!(rename(&e.p("f"), &e.p("missing/x"), 0), libc::ENOENT);
    fails!(rename(&e.p("f/x"), &e.p("y"), 0), libc::ENOTDIR);
    // "." and ".." cannot be renamed or replaced.
    fails!(rename(&e.p("a/."), &e.p("x"), 0), libc::EBUSY);
    fails!(rename(&e.p("a/b/.."), &e.p("x"), 0), libc::EBUSY);
    fails!(rename(&e.p("f"), &e.p("a/."), 0), libc::EBUSY);
    fails!(rename(&e.p("f"), &e.p("a/b/.."), 0), libc::EBUSY);
    eq!(names(&e.root)?, set(&["a", "f"]));
    eq!(ok!(lstat(&e.root)).st_nlink, 3);
    Ok(())
}

fn t_exdev(e: &Env) -> TestResult {
    let other = format!("{}-2", e.root);
    mount(&e.fs, &other, None).map_err(|x| format!("mount {other}: {}", ename(x)))?;
    let r = (|| -> TestResult {
        new_file(&e.p("f"), b"f")?;
        ok!(mkdir(&e.p("d"), 0o755));
        let there = |n: &str| format!("{other}/{n}");
        fails!(rename(&e.p("f"), &there("f"), 0), libc::EXDEV);
        fails!(rename(&e.p("d"), &there("d"), 0), libc::EXDEV);
        fails!(link(&e.p("f"), &there("f")), libc::EXDEV);
        new_file(&there("g"), b"g")?;
        fails!(
            rename(&e.p("f"), &there("g"), libc::RENAME_EXCHANGE),
            libc::EXDEV
        );
        fails!(rename(&e.p("f"), &there("g"), 0), libc::EXDEV);
        fails!(
            rename(&e.p("f"), &there("new"), libc::RENAME_NOREPLACE),
            libc::EXDEV
        );
        // The two instances are separate: same names, different contents and inodes.
        new_file(&there("f"), b"other")?;
        eq!(content(&e.p("f"))?, b"f");
        eq!(content(&there("f"))?, b"other");
        eq!(names(&other)?, set(&["f", "g"]));
        // copy_file_range across super blocks needs a ->copy_file_range: EXDEV.
        let fin = ok!(open(&e.p("f"), libc::O_RDONLY, 0));
        let fout = ok!(open(&there("g"), libc::O_WRONLY, 0));
        let (mut a, mut b) = (0i64, 1i64);
        fails!(
            copy_file_range(&fin, &mut a, &fout, &mut b, 10),
            libc::EXDEV
        );
        drop((fin, fout));
        eq!(content(&there("g"))?, b"g");
        Ok(())
    })();
    let u = umount(&other);
    r?;
    u.map_err(|x| format!("umount {other}: {}", ename(x)))
}

fn t_tmpfile(e: &Env) -> TestResult {
    ok!(mkdir(&e.p("d"), 0o755));
    let d = e.p("d");
    let before = age(&d)?;
    let fd = ok!(open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o600));
    let st = ok!(fstat(&fd));
    eq!(st.st_mode, libc::S_IFREG | 0o600);
    eq!((st.st_nlink, st.st_size), (0, 0));
    untouched(&d, &before, "O_TMPFILE")?;
    eq!(names(&d)?, set(&[]));
    eq!(ok!(lstat(&d)).st_nlink, 2);
    let before = age(&d)?;
    eq!(ok!(write(&fd, b"anonymous")), 9);
    // Give it a name through /proc/self/fd.
    let proc = format!("/proc/self/fd/{}", fd.as_raw_fd());
    ok!(linkat_follow(&proc, &e.p("d/named")));
    let st2 = ok!(lstat(&e.p("d/named")));
    eq!((st2.st_ino, st2.st_nlink), (st.st_ino, 1));
    eq!(ok!(fstat(&fd)).st_nlink, 1);
    eq!(content(&e.p("d/named"))?, b"anonymous");
    dir_touched(&d, &before, "linkat of an O_TMPFILE")?;
    drop(fd);
    eq!(content(&e.p("d/named"))?, b"anonymous");
    // Without a name it is gone on close.
    let fd = ok!(open(&d, libc::O_TMPFILE | libc::O_WRONLY, 0o644));
    ok!(write(&fd, b"lost"));
    let ino = ok!(fstat(&fd)).st_ino;
    drop(fd);
    eq!(names(&d)?, set(&["named"]));
    eq!(names(&e.root)?, set(&["d"]));
    check!(ino != st.st_ino, "two tmpfiles share inode {ino}");
    // O_TMPFILE|O_EXCL can never be linked.
    let fd = ok!(open(
        &d,
        libc::O_TMPFILE | libc::O_EXCL | libc::O_RDWR,
        0o600
    ));
    let proc = format!("/proc/self/fd/{}", fd.as_raw_fd());
    fails!(linkat_follow(&proc, &e.p("d/never")), libc::ENOENT);
    // Linking over an existing name fails.
    let fd = ok!(open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o600));
    let proc = format!("/proc/self/fd/{}", fd.as_raw_fd());
    fails!(linkat_follow(&proc, &e.p("d/named")), libc::EEXIST);
    // Errors: O_TMPFILE needs write access and a directory.
    fails!(
        open(&d, libc::O_TMPFILE | libc::O_RDONLY, 0o600),
        libc::EINVAL
    );
    fails!(
        open(&e.p("d/named"), libc::O_TMPFILE | libc::O_RDWR, 0o600),
        libc::ENOTDIR
    );
    fails!(
        open(&e.p("missing"), libc::O_TMPFILE | libc::O_RDWR, 0o600),
        libc::ENOENT
    );
    eq!(names(&d)?, set(&["named"]));
    Ok(())
}

fn t_chmod_chown(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"")?;
    let before = age(&f)?;
    ok!(chmod(&f, 0o7777));
    let st = ok!(lstat(&f));
    eq!(st.st_mode, libc::S_IFREG | 0o7777);
    check!(ctime(&st) > ctime(&before), "chmod did not update ctime");
    eq!((atime(&st), mtime(&st)), (OLD, OLD));
    ok!(chmod(&f, 0));
    eq!(ok!(lstat(&f)).st_mode, libc::S_IFREG);
    // Bits beyond 07777 are ignored.
    ok!(chmod(&f, 0o170644));
    eq!(ok!(lstat(&f)).st_mode, libc::S_IFREG | 0o644);
    // chown sets both ids and updates only ctime.
    let before = age(&f)?;
    ok!(lchown(&f, 1000, 2000));
    let st = ok!(lstat(&f));
    eq!((st.st_uid, st.st_gid), (1000, 2000));
    check!(ctime(&st) > ctime(&before), "chown did not update ctime");
    eq!((atime(&st), mtime(&st)), (OLD, OLD));
    ok!(lchown(&f, u32::MAX, 3000));
    eq!((ok!(lstat(&f)).st_uid, ok!(lstat(&f)).st_gid), (1000, 3000));
    // chown(-1, -1) still updates ctime.
    let before = age(&f)?;
    ok!(lchown(&f, u32::MAX, u32::MAX));
    check!(
        ctime(&ok!(lstat(&f))) > ctime(&before),
        "chown(-1, -1) did not update ctime"
    );
    // chown drops set-user-ID and (with group execute) set-group-ID from a file.
    ok!(chmod(&f, 0o6755));
    ok!(lchown(&f, 0, 0));
    eq!(ok!(lstat(&f)).st_mode, libc::S_IFREG | 0o755);
    ok!(chmod(&f, 0o2745));
    ok!(lchown(&f, 1, 1));
    eq!(ok!(lstat(&f)).st_mode, libc::S_IFREG | 0o2745);
    // ... but not from a directory.
    ok!(mkdir(&e.p("d"), 0o755));
    ok!(chmod(&e.p("d"), 0o7755));
    ok!(lchown(&e.p("d"), 5, 5));
    eq!(ok!(lstat(&e.p("d"))).st_mode, libc::S_IFDIR | 0o7755);
    // A set-group-ID directory passes its group (and the bit to subdirectories) on.
    ok!(mkdir(&e.p("d/sub"), 0o755));
    new_file(&e.p("d/file"), b"")?;
    let (sub, file) = (ok!(lstat(&e.p("d/sub"))), ok!(lstat(&e.p("d/file"))));
    eq!((sub.st_gid, sub.st_mode), (5, libc::S_IFDIR | 0o2755));
    eq!(
        (file.st_gid, file.st_mode, file.st_uid),
        (5, libc::S_IFREG | 0o644, 0)
    );
    // lchown of a symlink changes the link, chmod follows it.
    ok!(symlink(b"f", &e.p("l")));
    ok!(lchown(&e.p("l"), 7, 8));
    eq!(
        (ok!(lstat(&e.p("l"))).st_uid, ok!(lstat(&e.p("l"))).st_gid),
        (7, 8)
    );
    eq!(ok!(lstat(&f)).st_uid, 1);
    ok!(chmod(&e.p("l"), 0o600));
    eq!(ok!(lstat(&f)).st_mode, libc::S_IFREG | 0o600);
    eq!(ok!(lstat(&e.p("l"))).st_mode, libc::S_IFLNK | 0o777);
    fails!(chmod(&e.p("missing"), 0o644), libc::ENOENT);
    fails!(lchown(&e.p("missing"), 0, 0), libc::ENOENT);
    Ok(())
}

fn t_utimensat(e: &Env) -> TestResult {
    let f = e.p("f");
    new_file(&f, b"x")?;
    let c0 = ctime(&ok!(lstat(&f)));
    tick();
    // Exact values, nanoseconds included (ramfs has a granularity of 1 ns).
    ok!(utimens(
        &f,
        Some([ts(1_234_567_890, 123_456_789), ts(987_654_321, 999_999_999)]),
        0
    ));
    let st = ok!(lstat(&f));
    eq!(atime(&st), (1_234_567_890, 123_456_789));
    eq!(mtime(&st), (987_654_321, 999_999_999));
    check!(ctime(&st) > c0, "utimensat did not update ctime");
    check!(
        (st.st_ctime - now()).abs() <= 5,
        "ctime {} is not now",
        st.st_ctime
    );
    // Before 1970 and far in the future.
    ok!(utimens(&f, Some([ts(-1, 0), ts(4_102_444_800, 1)]), 0));
    let st = ok!(lstat(&f));
    eq!((atime(&st), mtime(&st)), ((-1, 0), (4_102_444_800, 1)));
    // UTIME_OMIT keeps one, UTIME_NOW sets it to the ctime.
    ok!(utimens(&f, Some([ts(0, libc::UTIME_OMIT), ts(5, 5)]), 0));
    let st = ok!(lstat(&f));
    eq!((atime(&st), mtime(&st)), ((-1, 0), (5, 5)));
    let c1 = ctime(&st);
    tick();
    ok!(utimens(
        &f,
        Some([ts(0, libc::UTIME_NOW), ts(0, libc::UTIME_OMIT)]),
        0
    ));
    let st = ok!(lstat(&f));
    eq!(atime(&st), ctime(&st));
    eq!(mtime(&st), (5, 5));
    check!(ctime(&st) > c1, "UTIME_NOW did not update ctime");
    // Both omitted: nothing changes, not even ctime.
    let before = ok!(lstat(&f));
    tick();
    ok!(utimens(
        &f,
        Some([ts(0, libc::UTIME_OMIT), ts(0, libc::UTIME_OMIT)]),
        0
    ));
    untouched(&f, &before, "UTIME_OMIT twice")?;
    // NULL: all three to now.
    ok!(utimens(&f, None, 0));
    let st = ok!(lstat(&f));
    eq!((atime(&st), mtime(&st)), (ctime(&st), ctime(&st)));
    // On a symlink itself and on a directory.
    ok!(symlink(b"f", &e.p("l")));
    ok!(utimens(
        &e.p("l"),
        Some([ts(11, 1), ts(22, 2)]),
        libc::AT_SYMLINK_NOFOLLOW
    ));
    let (sl, sf) = (ok!(lstat(&e.p("l"))), ok!(lstat(&f)));
    eq!((atime(&sl), mtime(&sl)), ((11, 1), (22, 2)));
    check!(
        mtime(&sf) != (22, 2),
        "utimensat with AT_SYMLINK_NOFOLLOW changed the target"
    );
    ok!(mkdir(&e.p("d"), 0o755));
    ok!(utimens(&e.p("d"), Some([ts(33, 3), ts(44, 4)]), 0));
    let sd = ok!(lstat(&e.p("d")));
    eq!((atime(&sd), mtime(&sd)), ((33, 3), (44, 4)));
    // Errors.
    fails!(
        utimens(&f, Some([ts(0, 1_000_000_000), ts(0, 0)]), 0),
        libc::EINVAL
    );
    fails!(utimens(&f, Some([ts(0, -5), ts(0, 0)]), 0), libc::EINVAL);
    fails!(utimens(&e.p("missing"), None, 0), libc::ENOENT);
    Ok(())
}

fn t_readdir(e: &Env) -> TestResult {
    let d = e.p("d");
    ok!(mkdir(&d, 0o755));
    let mut want = BTreeSet::new();
    for i in 0..150 {
        // Names of many lengths, up to 255 bytes.
        let name = format!("{i:03}-{}", "n".repeat(i * 37 % 252));
        new_file(&format!("{d}/{name}"), b"")?;
        want.insert(name);
    }
    ok!(mkdir(&format!("{d}/subdir"), 0o755));
    ok!(symlink(b"x", &format!("{d}/symlink")));
    ok!(mknod(&format!("{d}/fifo"), libc::S_IFIFO | 0o644, 0));
    ok!(mknod(
        &format!("{d}/chr"),
        libc::S_IFCHR | 0o644,
        libc::makedev(1, 3)
    ));
    want.extend(["subdir", "symlink", "fifo", "chr"].map(String::from));
    let fd = ok!(open(&d, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    // A small buffer forces many getdents64 calls (and resumption from offsets).
    let ents = ok!(getdents(&fd, 600));
    eq!(ents.len(), want.len() + 2);
    eq!((ents[0].name.as_str(), ents[1].name.as_str()), (".", ".."));
    eq!(ents[0].ino, ok!(lstat(&d)).st_ino);
    eq!(ents[1].ino, ok!(lstat(&e.root)).st_ino);
    let got: BTreeSet<String> = ents[2..].iter().map(|x| x.name.clone()).collect();
    eq!(got.len(), ents.len() - 2);
    eq!(got, want);
    for x in &ents {
        let st = ok!(lstat(&format!("{d}/{}", x.name)));
        let want_type = match ftype(&st) {
            libc::S_IFREG => libc::DT_REG,
            libc::S_IFDIR => libc::DT_DIR,
            libc::S_IFLNK => libc::DT_LNK,
            libc::S_IFIFO => libc::DT_FIFO,
            libc::S_IFCHR => libc::DT_CHR,
            _ => 0,
        };
        if x.dtype != want_type || x.ino != st.st_ino {
            return Err(format!(
                "{}: d_type {} ino {}, want {want_type} {}",
                x.name, x.dtype, x.ino, st.st_ino
            ));
        }
    }
    // At the end it stays at the end; after a rewind it shows the current entries.
    eq!(ok!(getdents(&fd, 600)).len(), 0);
    for name in want.iter().filter(|n| n.starts_with('0')) {
        ok!(unlink(&format!("{d}/{name}")));
    }
    eq!(ok!(lseek(&fd, 0, libc::SEEK_SET)), 0);
    let ents = ok!(getdents(&fd, 32768));
    let got: BTreeSet<String> = ents.iter().map(|x| x.name.clone()).collect();
    let mut want2: BTreeSet<String> = want
        .iter()
        .filter(|n| !n.starts_with('0'))
        .cloned()
        .collect();
    want2.extend([".", ".."].map(String::from));
    eq!(got, want2);
    // The root of the mount: ".." is itself.
    let rfd = ok!(open(&e.root, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    let ents = ok!(getdents(&rfd, 4096));
    let root_ino = ok!(lstat(&e.root)).st_ino;
    eq!(ents.len(), 3);
    eq!((ents[1].name.as_str(), ents[1].ino), ("..", root_ino));
    // Errors: getdents needs a directory; a too-small buffer is EINVAL.
    new_file(&e.p("f"), b"")?;
    let ffd = ok!(open(&e.p("f"), libc::O_RDONLY, 0));
    fails!(getdents(&ffd, 4096), libc::ENOTDIR);
    eq!(ok!(lseek(&rfd, 0, libc::SEEK_SET)), 0);
    fails!(getdents(&rfd, 8), libc::EINVAL);
    Ok(())
}

fn t_dir_nlink(e: &Env) -> TestResult {
    let nl = |p: &str| lstat(p).map(|s| s.st_nlink);
    eq!(ok!(nl(&e.root)), 2);
    for i in 0..5 {
        ok!(mkdir(&e.p(&format!("d{i}")), 0o755));
    }
    eq!(ok!(nl(&e.root)), 7);
    // Files, links, symlinks and special files do not count.
    new_file(&e.p("f"), b"")?;
    ok!(link(&e.p("f"), &e.p("d0/f")));
    ok!(symlink(b"d1", &e.p("s")));
    ok!(mknod(&e.p("p"), libc::S_IFIFO | 0o644, 0));
    eq!(ok!(nl(&e.root)), 7);
    eq!(ok!(nl(&e.p("d0"))), 2);
    // Nested.
    ok!(mkdir(&e.p("d0/a"), 0o755));
    ok!(mkdir(&e.p("d0/b"), 0o755));
    ok!(mkdir(&e.p("d0/a/x"), 0o755));
    eq!(
        (ok!(nl(&e.p("d0"))), ok!(nl(&e.p("d0/a"))), ok!(nl(&e.root))),
        (4, 3, 7)
    );
    ok!(rmdir(&e.p("d4")));
    eq!(ok!(nl(&e.root)), 6);
    // Moving a directory moves one count between parents.
    ok!(rename(&e.p("d0/a"), &e.p("d1/a"), 0));
    eq!(
        (ok!(nl(&e.p("d0"))), ok!(nl(&e.p("d1"))), ok!(nl(&e.root))),
        (3, 3, 6)
    );
    ok!(rename(&e.p("d1/a"), &e.p("a"), 0));
    eq!((ok!(nl(&e.p("d1"))), ok!(nl(&e.root))), (2, 7));
    Ok(())
}

fn t_parent_times(e: &Env) -> TestResult {
    let r = &e.root;
    let b = age(r)?;
    new_file(&e.p("f"), b"")?;
    dir_touched(r, &b, "create")?;
    let b = age(r)?;
    ok!(mkdir(&e.p("d"), 0o755));
    dir_touched(r, &b, "mkdir")?;
    let b = age(r)?;
    ok!(symlink(b"f", &e.p("l")));
    dir_touched(r, &b, "symlink")?;
    let b = age(r)?;
    ok!(mknod(&e.p("p"), libc::S_IFIFO | 0o644, 0));
    dir_touched(r, &b, "mknod")?;
    let b = age(r)?;
    ok!(link(&e.p("f"), &e.p("f2")));
    dir_touched(r, &b, "link")?;
    let b = age(r)?;
    ok!(unlink(&e.p("f2")));
    dir_touched(r, &b, "unlink")?;
    let b = age(r)?;
    ok!(rmdir(&e.p("d")));
    dir_touched(r, &b, "rmdir")?;
    let b = age(r)?;
    ok!(rename(&e.p("f"), &e.p("g"), 0));
    dir_touched(r, &b, "rename")?;
    // The new inode's own times are all equal and now.
    let st = ok!(lstat(&e.p("p")));
    eq!((atime(&st), mtime(&st)), (ctime(&st), ctime(&st)));
    // Lookups, failed operations, reads and writes of a child leave the parent alone.
    let b = age(r)?;
    let _ = lstat(&e.p("missing"));
    fails!(mkdir(&e.p("g"), 0o755), libc::EEXIST);
    fails!(unlink(&e.p("missing")), libc::ENOENT);
    let fd = ok!(open(&e.p("g"), libc::O_RDWR, 0));
    ok!(write(&fd, b"data"));
    ok!(ftruncate(&fd, 1));
    ok!(chmod(&e.p("g"), 0o600));
    untouched(r, &b, "operations that do not change the directory")?;
    // Reading the directory updates its atime only (relatime: atime <= mtime here).
    let dfd = ok!(open(r, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    ok!(getdents(&dfd, 4096));
    let st = ok!(lstat(r));
    check!(atime(&st) > OLD, "readdir did not update atime");
    eq!((mtime(&st), ctime(&st)), (mtime(&b), ctime(&b)));
    Ok(())
}

fn t_name_too_long(e: &Env) -> TestResult {
    let n255 = "a".repeat(255);
    let n256 = "b".repeat(256);
    // 255 bytes work everywhere.
    new_file(&e.p(&n255), b"x")?;
    ok!(mkdir(&e.p(&format!("d{}", &n255[1..])), 0o755));
    ok!(symlink(b"x", &e.p(&format!("s{}", &n255[1..]))));
    eq!(names(&e.root)?.len(), 3);
    // 256 bytes fail with ENAMETOOLONG, for every operation.
    let long = e.p(&n256);
    fails!(
        open(&long, libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::ENAMETOOLONG
    );
    fails!(open(&long, libc::O_RDONLY, 0), libc::ENAMETOOLONG);
    fails!(lstat(&long), libc::ENAMETOOLONG);
    fails!(mkdir(&long, 0o755), libc::ENAMETOOLONG);
    fails!(mknod(&long, libc::S_IFIFO | 0o644, 0), libc::ENAMETOOLONG);
    fails!(symlink(b"x", &long), libc::ENAMETOOLONG);
    fails!(link(&e.p(&n255), &long), libc::ENAMETOOLONG);
    fails!(rename(&e.p(&n255), &long, 0), libc::ENAMETOOLONG);
    fails!(unlink(&long), libc::ENAMETOOLONG);
    fails!(rmdir(&long), libc::ENAMETOOLONG);
    fails!(lstat(&e.p(&format!("{n256}/x"))), libc::ENAMETOOLONG);
    eq!(names(&e.root)?.len(), 3);
    Ok(())
}

fn t_unique_inodes(e: &Env) -> TestResult {
    let mut seen = BTreeSet::new();
    seen.insert(ok!(lstat(&e.root)).st_ino);
    for i in 0..50 {
        let p = e.p(&format!("{i}"));
        match i % 4 {
            0 => new_file(&p, b"")?,
            1 => ok!(mkdir(&p, 0o755)),
            2 => ok!(symlink(b"x", &p)),
            _ => ok!(mknod(&p, libc::S_IFIFO | 0o644, 0)),
        }
        let ino = ok!(lstat(&p)).st_ino;
        check!(
            ino != 0 && seen.insert(ino),
            "{p}: inode number {ino} is 0 or used twice"
        );
    }
    // Inode numbers stay with the inode.
    let ino = ok!(lstat(&e.p("0"))).st_ino;
    ok!(rename(&e.p("0"), &e.p("1/moved"), 0));
    eq!(ok!(lstat(&e.p("1/moved"))).st_ino, ino);
    Ok(())
}

fn t_perm_nonroot(e: &Env) -> TestResult {
    // As root: a 0755 folder with a 0644 and a 0600 file, a sticky world-writable folder
    // with a file of user 1000, and a 0700 folder.
    ok!(mkdir(&e.p("pub"), 0o755));
    new_file(&e.p("pub/rootfile"), b"root")?;
    new_file(&e.p("pub/secret"), b"secret")?;
    ok!(chmod(&e.p("pub/secret"), 0o600));
    ok!(mkdir(&e.p("sticky"), 0o1777));
    new_file(&e.p("sticky/other"), b"other")?;
    ok!(lchown(&e.p("sticky/other"), 1000, 1000));
    ok!(chmod(&e.p("sticky/other"), 0o666));
    ok!(mkdir(&e.p("private"), 0o700));
    new_file(&e.p("private/x"), b"")?;
    ok!(mkdir(&e.p("open"), 0o777));
    let p = |s: &str| e.p(s);
    as_user(NOBODY, NOBODY, || {
        // No write permission in a 0755 root-owned folder.
        fails!(
            open(&p("pub/new"), libc::O_CREAT | libc::O_WRONLY, 0o644),
            libc::EACCES
        );
        fails!(mkdir(&p("pub/d"), 0o755), libc::EACCES);
        fails!(mknod(&p("pub/p"), libc::S_IFIFO | 0o644, 0), libc::EACCES);
        fails!(symlink(b"x", &p("pub/l")), libc::EACCES);
        fails!(unlink(&p("pub/rootfile")), libc::EACCES);
        fails!(rename(&p("pub/rootfile"), &p("pub/moved"), 0), libc::EACCES);
        fails!(
            rename(&p("pub/rootfile"), &p("open/moved"), 0),
            libc::EACCES
        );
        fails!(
            open(&p("pub"), libc::O_TMPFILE | libc::O_RDWR, 0o600),
            libc::EACCES
        );
        // Files: no write to 0644, no read of 0600, no truncate.
        eq!(content(&p("pub/rootfile"))?, b"root");
        fails!(open(&p("pub/rootfile"), libc::O_WRONLY, 0), libc::EACCES);
        fails!(open(&p("pub/secret"), libc::O_RDONLY, 0), libc::EACCES);
        fails!(truncate(&p("pub/rootfile"), 0), libc::EACCES);
        // No search in a 0700 folder.
        fails!(lstat(&p("private/x")), libc::EACCES);
        fails!(
            open(&p("private"), libc::O_RDONLY | libc::O_DIRECTORY, 0),
            libc::EACCES
        );
        // Only the owner may change mode, owner or explicit times.
        fails!(chmod(&p("pub/rootfile"), 0o666), libc::EPERM);
        fails!(lchown(&p("pub/rootfile"), NOBODY, NOBODY), libc::EPERM);
        fails!(
            utimens(&p("pub/rootfile"), Some([ts(1, 0), ts(1, 0)]), 0),
            libc::EPERM
        );
        // "Now" needs write permission instead.
        fails!(utimens(&p("pub/rootfile"), None, 0), libc::EACCES);
        // The sticky folder: others' files cannot be removed or renamed, own ones can.
        fails!(unlink(&p("sticky/other")), libc::EPERM);
        fails!(
            rename(&p("sticky/other"), &p("sticky/mine"), 0),
            libc::EPERM
        );
        new_file(&p("sticky/mine"), b"mine")?;
        fails!(
            rename(&p("sticky/mine"), &p("sticky/other"), 0),
            libc::EPERM
        );
        ok!(rename(&p("sticky/mine"), &p("sticky/mine2"), 0));
        ok!(utimens(&p("sticky/other"), None, 0));
        let st = ok!(lstat(&p("sticky/mine2")));
        eq!(
            (st.st_uid, st.st_gid, st.st_mode),
            (NOBODY, NOBODY, libc::S_IFREG | 0o644)
        );
        ok!(chmod(&p("sticky/mine2"), 0o600));
        fails!(lchown(&p("sticky/mine2"), 0, 0), libc::EPERM);
        ok!(unlink(&p("sticky/mine2")));
        // A world-writable non-sticky folder lets anyone remove anything in it.
        ok!(mkdir(&p("open/d"), 0o755));
        ok!(rmdir(&p("open/d")));
        Ok(())
    })?;
    eq!(names(&e.p("sticky"))?, set(&["other"]));
    eq!(names(&e.p("pub"))?, set(&["rootfile", "secret"]));
    eq!(content(&e.p("sticky/other"))?, b"other");
    // Root removes what nobody could.
    ok!(unlink(&e.p("sticky/other")));
    Ok(())
}
