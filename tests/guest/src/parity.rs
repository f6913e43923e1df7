// SPDX-License-Identifier: GPL-2.0
//! tmpfs parity of file leases, O_DIRECT, inode numbers (`inode64`, `inode32`), birth time and
//! the default size and inode limits. Each test runs the same steps on tmpfs first (the
//! reference) and then on bs2ramfs, records what every step saw (a line per step), and fails
//! where bs2ramfs saw something else. The steps' statements about tmpfs (`expect`) must hold
//! on tmpfs too, or the test fails before bs2ramfs is tried. Where the two differ on purpose
//! (what /proc/mounts shows of `inode64` and `inode32`), each is checked on its own.

use crate::sys::*;
use crate::TestResult;
use std::fmt::Debug;
use std::os::fd::OwnedFd;

pub(crate) const ROOT: &str = "/mnt/parity";
/// A second instance, for the inode numbers of two instances.
const ROOT2: &str = "/mnt/parity2";
const PAGE: usize = 4096;

pub(crate) fn p(name: &str) -> String {
    format!("{ROOT}/{name}")
}

/// The tests of this module, for main's list.
pub fn tests() -> Vec<(&'static str, crate::BasicTest)> {
    vec![
        ("lease_regular_file", t_lease_regular_file),
        ("odirect", t_odirect),
        ("inode_numbers", t_inode_numbers),
        ("birth_time", t_birth_time),
        ("default_limits", t_default_limits),
    ]
}

/// What the steps saw on one file system, a line per step.
pub(crate) type Log = Vec<String>;

/// Steps on the file system (named by the first argument) mounted on `ROOT`.
pub(crate) type Steps<'a> = &'a dyn Fn(&str, &mut Log) -> TestResult;

/// Records what `step` gave: its value, or the name of its errno; returns the value.
pub(crate) fn rec<T: Debug>(log: &mut Log, step: &str, r: Sys<T>) -> Option<T> {
    match r {
        Ok(v) => {
            log.push(format!("{step}: {v:?}"));
            Some(v)
        }
        Err(e) => {
            log.push(format!("{step}: {}", ename(e)));
            None
        }
    }
}

/// Records whether `step` succeeded, without its value (an fd, a mapping), which it drops.
pub(crate) fn rec_ok<T>(log: &mut Log, step: &str, r: Sys<T>) {
    rec_keep(log, step, r);
}

/// `rec_ok` that returns the value, for the following steps.
pub(crate) fn rec_keep<T>(log: &mut Log, step: &str, r: Sys<T>) -> Option<T> {
    match r {
        Ok(v) => {
            log.push(format!("{step}: ok"));
            Some(v)
        }
        Err(e) => {
            log.push(format!("{step}: {}", ename(e)));
            None
        }
    }
}

const EXPECT: &str = "expect: ";

/// Records a statement about what tmpfs does; it must hold on tmpfs (`same_as_tmpfs` checks
/// that) and so, by the comparison, on bs2ramfs.
pub(crate) fn expect(log: &mut Log, what: &str, holds: bool) {
    log.push(format!("{EXPECT}{what}: {holds}"));
}

fn shown_data(data: Option<&str>) -> &str {
    data.unwrap_or("(none)")
}

/// Mounts `fs` on `ROOT` with `flags` and `data`, runs `steps`, unmounts; prints and returns
/// the log.
fn run(fs: &str, flags: libc::c_ulong, data: Option<&str>, steps: Steps) -> Result<Log, String> {
    let o = shown_data(data);
    mount_with_flags(fs, ROOT, flags, data)
        .map_err(|e| format!("mount {fs} -o {o}: {}", ename(e)))?;
    let mut log = Vec::new();
    let r = steps(fs, &mut log);
    let u = crate::umount(ROOT);
    for l in &log {
        println!("{fs} -o {o}: {l}");
    }
    r.map_err(|e| format!("{fs} -o {o}: {e}"))?;
    u?;
    Ok(log)
}

/// The lines where `ours` differs from `reference` (at most a few), and their number.
fn differences(reference: &[String], ours: &[String]) -> (usize, String) {
    let n = reference.len().max(ours.len());
    let diffs: Vec<String> = (0..n)
        .filter(|&i| reference.get(i) != ours.get(i))
        .map(|i| {
            let line = |l: Option<&String>| l.map_or("(no step)".to_owned(), |l| l.clone());
            format!(
                "[{i}] want {:?}, got {:?}",
                line(reference.get(i)),
                line(ours.get(i))
            )
        })
        .collect();
    let shown: Vec<&str> = diffs.iter().take(8).map(String::as_str).collect();
    (diffs.len(), shown.join("; "))
}

/// Runs `steps` on tmpfs mounted with `tmpfs_data` and on bs2ramfs mounted with `ours_data`;
/// fails if a statement about tmpfs does not hold there, or if bs2ramfs saw anything else.
pub(crate) fn same_as_tmpfs(
    tmpfs_data: Option<&str>,
    ours_data: Option<&str>,
    steps: Steps,
) -> TestResult {
    same_as_tmpfs_mounted(0, tmpfs_data, ours_data, steps)
}

/// `same_as_tmpfs` with the mount flags `flags` (`MS_STRICTATIME`, ...) for both.
pub(crate) fn same_as_tmpfs_mounted(
    flags: libc::c_ulong,
    tmpfs_data: Option<&str>,
    ours_data: Option<&str>,
    steps: Steps,
) -> TestResult {
    let t = run("tmpfs", flags, tmpfs_data, steps)?;
    let unmet: Vec<&String> = t
        .iter()
        .filter(|l| l.starts_with(EXPECT) && l.ends_with(": false"))
        .collect();
    check!(
        unmet.is_empty(),
        "tmpfs (the reference) does not: {unmet:?}"
    );
    let o = run("bs2ramfs", flags, ours_data, steps)?;
    let (n, diffs) = differences(&t, &o);
    check!(
        n == 0,
        "bs2ramfs -o {} differs from tmpfs -o {} in {n} of {} steps: {diffs}",
        shown_data(ours_data),
        shown_data(tmpfs_data),
        t.len().max(o.len())
    );
    Ok(())
}

/// Fails with every failure of `parts` (each of them ran).
pub(crate) fn all(parts: Vec<TestResult>) -> TestResult {
    let failed: Vec<String> = parts.into_iter().filter_map(Result::err).collect();
    check!(failed.is_empty(), "{}", failed.join("\n  AND "));
    Ok(())
}

pub(crate) fn create(name: &str, data: &[u8]) -> TestResult {
    let fd = open(
        &p(name),
        libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY,
        0o644,
    )
    .map_err(|e| format!("create {name}: {}", ename(e)))?;
    pwrite_full(&fd, data, 0).map_err(|e| format!("write {name}: {}", ename(e)))
}

// Leases.

/// fcntl(2)'s delegations (include/uapi/linux/fcntl.h; not in the libc crate).
const F_GETDELEG: i32 = libc::F_SETLEASE + 15;
const F_SETDELEG: i32 = libc::F_SETLEASE + 16;

/// struct delegation of include/uapi/linux/fcntl.h.
#[repr(C)]
struct Delegation {
    d_flags: u32,
    d_type: u16,
    pad: u16,
}

fn lease_name(t: i32) -> String {
    if t == libc::F_RDLCK {
        "F_RDLCK".into()
    } else if t == libc::F_WRLCK {
        "F_WRLCK".into()
    } else if t == libc::F_UNLCK {
        "F_UNLCK".into()
    } else {
        format!("type {t}")
    }
}

fn setlease(fd: &OwnedFd, t: i32) -> Sys<i32> {
    fcntl(fd, libc::F_SETLEASE, t.into())
}

fn getlease(fd: &OwnedFd) -> Sys<String> {
    fcntl(fd, libc::F_GETLEASE, 0).map(lease_name)
}

fn setdeleg(fd: &OwnedFd, t: i32) -> Sys<i32> {
    let d = Delegation {
        d_flags: 0,
        d_type: t as u16,
        pad: 0,
    };
    fcntl(fd, F_SETDELEG, &d as *const Delegation as libc::c_long)
}

fn getdeleg(fd: &OwnedFd) -> Sys<String> {
    let mut d = Delegation {
        d_flags: 0,
        d_type: 0,
        pad: 0,
    };
    fcntl(fd, F_GETDELEG, &mut d as *mut Delegation as libc::c_long)?;
    Ok(lease_name(d.d_type.into()))
}

fn lease_steps(_fs: &str, log: &mut Log) -> TestResult {
    let (rd_lck, wr_lck, un_lck) = (libc::F_RDLCK, libc::F_WRLCK, libc::F_UNLCK);
    let f = p("f");
    let open_nb = |flags: i32| open(&f, flags | libc::O_NONBLOCK, 0);
    create("f", b"data")?;

    // A read lease on a file opened O_RDONLY.
    let rd = ok!(open(&f, libc::O_RDONLY, 0));
    rec(log, "O_RDONLY: F_GETLEASE before", getlease(&rd));
    rec(log, "O_RDONLY: F_SETLEASE F_RDLCK", setlease(&rd, rd_lck));
    rec(log, "O_RDONLY: F_GETLEASE", getlease(&rd));
    // Another reader does not break it; a writer does, at once with O_NONBLOCK
    // (EWOULDBLOCK), and until it is given up the lease shows what it is broken to.
    rec_ok(log, "O_RDONLY|O_NONBLOCK open", open_nb(libc::O_RDONLY));
    rec(log, "F_GETLEASE after a reader's open", getlease(&rd));
    rec_ok(log, "O_WRONLY|O_NONBLOCK open", open_nb(libc::O_WRONLY));
    rec(log, "F_GETLEASE while broken", getlease(&rd));
    rec(log, "F_SETLEASE F_UNLCK", setlease(&rd, un_lck));
    rec(log, "F_GETLEASE after F_UNLCK", getlease(&rd));
    rec_ok(
        log,
        "O_WRONLY|O_NONBLOCK open, no lease",
        open_nb(libc::O_WRONLY),
    );
    // A write lease on the only open file, even O_RDONLY.
    rec(
        log,
        "only open, O_RDONLY: F_SETLEASE F_WRLCK",
        setlease(&rd, wr_lck),
    );
    rec(log, "F_GETLEASE", getlease(&rd));
    rec(log, "F_SETLEASE F_UNLCK", setlease(&rd, un_lck));
    drop(rd);

    // O_WRONLY, no other open file: no read lease (the file is open for writing), but a
    // write lease.
    let wr = ok!(open(&f, libc::O_WRONLY, 0));
    rec(log, "O_WRONLY: F_SETLEASE F_RDLCK", setlease(&wr, rd_lck));
    rec(log, "O_WRONLY: F_SETLEASE F_WRLCK", setlease(&wr, wr_lck));
    rec(log, "O_WRONLY: F_GETLEASE", getlease(&wr));
    // A reader's open breaks it down to a read lease.
    rec_ok(log, "O_RDONLY|O_NONBLOCK open", open_nb(libc::O_RDONLY));
    rec(log, "F_GETLEASE while broken", getlease(&wr));
    rec(log, "F_SETLEASE F_UNLCK", setlease(&wr, un_lck));
    // No write lease while another file is open.
    let other = ok!(open(&f, libc::O_RDONLY, 0));
    rec(
        log,
        "another open: F_SETLEASE F_WRLCK",
        setlease(&wr, wr_lck),
    );
    drop(other);
    rec(
        log,
        "other closed: F_SETLEASE F_WRLCK",
        setlease(&wr, wr_lck),
    );
    // Closing the holder gives its lease up.
    drop(wr);
    let rw = ok!(open(&f, libc::O_RDWR, 0));
    rec(
        log,
        "holder closed, O_RDWR: F_SETLEASE F_WRLCK",
        setlease(&rw, wr_lck),
    );
    rec(log, "O_RDWR: F_GETLEASE", getlease(&rw));
    rec(log, "O_RDWR: F_SETLEASE F_UNLCK", setlease(&rw, un_lck));
    rec(log, "O_RDWR: F_SETLEASE 7", setlease(&rw, 7));
    rec(log, "O_RDWR: F_SETDELEG F_RDLCK", setdeleg(&rw, rd_lck));
    drop(rw);

    // Delegations (F_SETDELEG) go to the same ->setlease, and are no leases.
    let rd = ok!(open(&f, libc::O_RDONLY, 0));
    rec(log, "O_RDONLY: F_SETDELEG F_RDLCK", setdeleg(&rd, rd_lck));
    rec(log, "O_RDONLY: F_GETDELEG", getdeleg(&rd));
    rec(log, "O_RDONLY: F_GETLEASE with a delegation", getlease(&rd));
    rec(log, "O_RDONLY: F_SETDELEG F_UNLCK", setdeleg(&rd, un_lck));
    rec(log, "O_RDONLY: F_GETDELEG after", getdeleg(&rd));
    drop(rd);

    // A directory. fcntl_setlease() refuses directories (EINVAL) before the file system is
    // asked, so F_SETLEASE cannot tell the two apart (recorded all the same); F_SETDELEG
    // reaches the directory's ->setlease.
    ok!(mkdir(&p("d"), 0o755));
    let d = ok!(open(&p("d"), libc::O_RDONLY | libc::O_DIRECTORY, 0));
    rec(log, "directory: F_SETLEASE F_RDLCK", setlease(&d, rd_lck));
    rec(log, "directory: F_GETLEASE", getlease(&d));
    rec(log, "directory: F_SETDELEG F_RDLCK", setdeleg(&d, rd_lck));
    rec(log, "directory: F_GETDELEG", getdeleg(&d));
    rec(log, "directory: F_SETDELEG F_WRLCK", setdeleg(&d, wr_lck));
    rec(log, "directory: F_SETDELEG F_UNLCK", setdeleg(&d, un_lck));
    rec(log, "directory: F_GETDELEG after", getdeleg(&d));
    Ok(())
}

/// Leases (F_SETLEASE, F_GETLEASE) on regular files, as tmpfs: read and write leases, their
/// conditions, breaks by opens, delegations, and directories.
pub fn t_lease_regular_file() -> TestResult {
    // A broken lease signals its holder (SIGIO, which would end this program).
    // SAFETY: plain syscall; this program is single-threaded.
    let old = unsafe { libc::signal(libc::SIGIO, libc::SIG_IGN) };
    let r = same_as_tmpfs(None, None, &lease_steps);
    // SAFETY: as above; `old` is the disposition signal() returned.
    unsafe { libc::signal(libc::SIGIO, old) };
    r
}

// O_DIRECT.

fn o_direct_set(fd: &OwnedFd) -> Sys<bool> {
    fcntl(fd, libc::F_GETFL, 0).map(|fl| fl & libc::O_DIRECT != 0)
}

/// `n` bytes of a pattern.
fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

/// The part of `buf` of length `n` that starts at an odd address (`buf` is `n + 1` long).
fn odd(buf: &mut [u8], n: usize) -> &mut [u8] {
    let start = usize::from(buf.as_ptr() as usize % 2 == 0);
    &mut buf[start..start + n]
}

fn odirect_steps(_fs: &str, log: &mut Log) -> TestResult {
    let f = p("f");
    let flags = libc::O_CREAT | libc::O_RDWR | libc::O_DIRECT;
    let Some(fd) = rec_keep(log, "open O_CREAT|O_RDWR|O_DIRECT", open(&f, flags, 0o644)) else {
        // Nothing to read or write: the comparison fails on this step.
        return Ok(());
    };
    rec(log, "F_GETFL has O_DIRECT", o_direct_set(&fd));
    rec(log, "pwrite 3 bytes at 1", pwrite(&fd, b"abc", 1));
    rec(log, "pread 4 at 0", pread(&fd, 4, 0));
    // 4097 bytes from an odd address to an odd offset, read back to an odd address.
    let n = 4097;
    let mut src = vec![0u8; n + 1];
    let src = odd(&mut src, n);
    src.copy_from_slice(&pattern(n, 3));
    expect(
        log,
        "source at an odd address",
        src.as_ptr() as usize % 2 == 1,
    );
    rec(log, "pwrite 4097 at 4095", pwrite(&fd, src, 4095));
    let mut dst = vec![0u8; n + 1];
    let dst = odd(&mut dst, n);
    rec(log, "pread 4097 at 4095", pread_into(&fd, dst, 4095));
    expect(log, "read back what was written", dst == src);
    rec(log, "size", fstat(&fd).map(|st| st.st_size));
    rec(
        log,
        "pread at the end",
        pread(&fd, 10, 8192).map(|b| b.len()),
    );

    // An ordinary file of the same file sees the same data; O_DIRECT can be set on it.
    let plain = ok!(open(&f, libc::O_RDWR, 0));
    rec(log, "plain: pread 4 at 0", pread(&plain, 4, 0));
    rec(log, "plain: F_GETFL has O_DIRECT", o_direct_set(&plain));
    rec(
        log,
        "plain: F_SETFL O_DIRECT",
        fcntl(&plain, libc::F_SETFL, libc::O_DIRECT.into()),
    );
    rec(log, "plain: F_GETFL has O_DIRECT now", o_direct_set(&plain));
    rec(
        log,
        "plain: pwrite 5 at 10000",
        pwrite(&plain, b"hello", 10000),
    );
    rec(log, "O_DIRECT: pread 5 at 10000", pread(&fd, 5, 10000));
    rec(log, "plain: F_SETFL 0", fcntl(&plain, libc::F_SETFL, 0));
    rec(
        log,
        "plain: F_GETFL has O_DIRECT after",
        o_direct_set(&plain),
    );

    // splice(2) from an O_DIRECT file reads through read_iter (copy_splice_read()).
    let (r, w) = ok!(pipe());
    let mut off = 1;
    rec(
        log,
        "splice 100 at 1 to a pipe",
        splice(&fd, Some(&mut off), &w, None, 100),
    );
    rec(log, "offset after splice", Ok(off));
    let got = ok!(read(&r, 200));
    let want = ok!(pread(&plain, 100, 1));
    expect(log, "the pipe holds the file's bytes", got == want);
    rec(log, "pipe bytes", Ok(got.len()));
    // Its own offset: splice without one.
    ok!(lseek(&fd, 4095, libc::SEEK_SET));
    rec(
        log,
        "splice 10 at the fd's offset",
        splice(&fd, None, &w, None, 10),
    );
    rec(log, "the fd's offset after", lseek(&fd, 0, libc::SEEK_CUR));
    rec(log, "pipe bytes", read(&r, 20));
    drop((r, w));
    // A shared mapping of an O_DIRECT file.
    let m = Map::new(&fd, 2 * PAGE, libc::PROT_READ, libc::MAP_SHARED);
    rec(log, "mmap bytes 1..4", m.map(|m| m.bytes()[1..4].to_vec()));
    rec(log, "ftruncate 5", ftruncate(&fd, 5));
    rec(log, "pread 10 at 0", pread(&fd, 10, 0));
    drop((fd, plain));

    rec_ok(
        log,
        "open O_RDONLY|O_DIRECT",
        open(&f, libc::O_RDONLY | libc::O_DIRECT, 0),
    );
    ok!(symlink(b"f", &p("l")));
    let via = open(&p("l"), libc::O_RDONLY | libc::O_DIRECT, 0);
    rec_ok(log, "open through a symlink, O_DIRECT", via);
    let tmp = open(ROOT, libc::O_TMPFILE | libc::O_RDWR | libc::O_DIRECT, 0o600);
    if let Some(t) = rec_keep(log, "open O_TMPFILE|O_DIRECT", tmp) {
        rec(log, "O_TMPFILE: pwrite 3 at 1", pwrite(&t, b"xyz", 1));
        rec(log, "O_TMPFILE: pread 4 at 0", pread(&t, 4, 0));
    }
    // Directories and fifos have no direct I/O.
    ok!(mkdir(&p("d"), 0o755));
    let dflags = libc::O_RDONLY | libc::O_DIRECTORY;
    rec_ok(
        log,
        "directory: open O_DIRECT",
        open(&p("d"), dflags | libc::O_DIRECT, 0),
    );
    let d = ok!(open(&p("d"), dflags, 0));
    rec(
        log,
        "directory: F_SETFL O_DIRECT",
        fcntl(&d, libc::F_SETFL, libc::O_DIRECT.into()),
    );
    ok!(mknod(&p("p"), libc::S_IFIFO | 0o644, 0));
    let fifo = open(
        &p("p"),
        libc::O_RDONLY | libc::O_NONBLOCK | libc::O_DIRECT,
        0,
    );
    rec_ok(log, "fifo: open O_DIRECT", fifo);
    Ok(())
}

/// O_DIRECT as tmpfs: accepted at open and by F_SETFL, unaligned I/O, splice, mmap,
/// O_TMPFILE; refused for directories and fifos.
pub fn t_odirect() -> TestResult {
    same_as_tmpfs(None, None, &odirect_steps)
}

// Inode numbers.

fn ino(path: &str) -> Sys<u64> {
    lstat(path).map(|st| st.st_ino)
}

/// Records an inode number, and keeps it in `nums`.
fn num(log: &mut Log, nums: &mut Vec<u64>, what: &str, r: Sys<u64>) {
    nums.push(rec(log, what, r).unwrap_or(0));
}

fn ino_steps(_fs: &str, log: &mut Log) -> TestResult {
    let mut nums = Vec::new();
    num(log, &mut nums, "root", ino(ROOT));
    create("f", b"")?;
    num(log, &mut nums, "file", ino(&p("f")));
    ok!(mkdir(&p("d"), 0o755));
    num(log, &mut nums, "directory", ino(&p("d")));
    ok!(symlink(b"f", &p("l")));
    num(log, &mut nums, "symlink", ino(&p("l")));
    ok!(mknod(&p("p"), libc::S_IFIFO | 0o644, 0));
    num(log, &mut nums, "fifo", ino(&p("p")));
    ok!(mknod(&p("c"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)));
    num(log, &mut nums, "char device", ino(&p("c")));
    // A hard link has its target's number and takes none.
    ok!(link(&p("f"), &p("h")));
    num(log, &mut nums, "hard link", ino(&p("h")));
    create("g", b"")?;
    num(log, &mut nums, "file after the link", ino(&p("g")));
    create("d/x", b"")?;
    num(log, &mut nums, "file in the directory", ino(&p("d/x")));
    // Numbers are not reused.
    ok!(unlink(&p("g")));
    create("g2", b"")?;
    num(log, &mut nums, "file after an unlink", ino(&p("g2")));
    let t = ok!(open(ROOT, libc::O_TMPFILE | libc::O_RDWR, 0o600));
    num(log, &mut nums, "O_TMPFILE", fstat(&t).map(|st| st.st_ino));
    drop(t);
    // A whiteout is a new inode; the renamed file keeps its number.
    ok!(rename(&p("f"), &p("f2"), libc::RENAME_WHITEOUT));
    num(log, &mut nums, "whiteout", ino(&p("f")));
    num(log, &mut nums, "renamed file", ino(&p("f2")));
    create("last", b"")?;
    num(log, &mut nums, "file after the whiteout", ino(&p("last")));
    let want: Vec<u64> = vec![1, 2, 3, 4, 5, 6, 2, 7, 8, 9, 10, 11, 2, 12];
    expect(log, &format!("numbers {want:?}"), nums == want);
    // readdir gives the same numbers.
    let dir = ok!(open(ROOT, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    let mut ents: Vec<(String, u64)> = ok!(getdents(&dir, 4096))
        .into_iter()
        .map(|e| (e.name, e.ino))
        .collect();
    ents.sort();
    rec(log, "readdir", Ok(ents));
    drop(dir);
    // A remount changes the kind of numbers, not the counter.
    rec(log, "remount inode32", remount(ROOT, 0, Some("inode32")));
    create("a", b"")?;
    rec(log, "file after remount inode32", ino(&p("a")));
    rec(log, "remount inode64", remount(ROOT, 0, Some("inode64")));
    create("b", b"")?;
    rec(log, "file after remount inode64", ino(&p("b")));
    rec(log, "remount without options", remount(ROOT, 0, None));
    create("c2", b"")?;
    rec(log, "file after remount", ino(&p("c2")));
    Ok(())
}

/// Mounts `fs` with `data` on `ROOT` and `ROOT2` (two instances), creates a file in each,
/// then one more in each; the six inode numbers.
fn two_instances(fs: &str, data: Option<&str>) -> Result<Vec<u64>, String> {
    let o = shown_data(data);
    mount(fs, ROOT, data).map_err(|e| format!("mount {fs} -o {o}: {}", ename(e)))?;
    if let Err(e) = mount(fs, ROOT2, data) {
        let _ = umount(ROOT);
        return Err(format!("mount {fs} -o {o} again: {}", ename(e)));
    }
    let steps = || -> Result<Vec<u64>, String> {
        let dev = |r| lstat(r).map(|st| st.st_dev);
        check!(
            ok!(dev(ROOT)) != ok!(dev(ROOT2)),
            "{fs}: one device for two instances"
        );
        let mut v = vec![ok!(ino(ROOT)), ok!(ino(ROOT2))];
        for name in ["a", "b"] {
            for r in [ROOT, ROOT2] {
                let f = format!("{r}/{name}");
                drop(ok!(open(&f, libc::O_CREAT | libc::O_WRONLY, 0o644)));
                v.push(ok!(ino(&f)));
            }
        }
        Ok(v)
    };
    let r = steps();
    let u2 = crate::umount(ROOT2);
    let u = crate::umount(ROOT);
    let v = r.map_err(|e| format!("{fs} -o {o}: {e}"))?;
    u2?;
    u?;
    Ok(v)
}

/// The `inode32`/`inode64` options /proc/mounts shows for `ROOT`.
fn inum_opts() -> Result<String, String> {
    let line = crate::proc_mounts_line(ROOT).ok_or("not in /proc/mounts")?;
    let opts = line.split(' ').nth(3).unwrap_or("");
    let inums: Vec<&str> = opts.split(',').filter(|o| o.starts_with("inode")).collect();
    Ok(format!("[{}]", inums.join(",")))
}

/// What /proc/mounts shows of `inode32`/`inode64` for `fs` through mounts and remounts, a
/// line per step.
fn shown_inum_opts(fs: &str) -> Result<Log, String> {
    let mut log = Vec::new();
    let shown = |log: &mut Log, what: &str, r: Sys<()>| -> TestResult {
        let r = rec(log, what, r);
        if r.is_some() {
            log.push(format!("{what}: shows {}", inum_opts()?));
        }
        Ok(())
    };
    let at = |data| mount(fs, ROOT, data);
    let again = |data| remount(ROOT, 0, data);
    // A step may have failed to mount: unmount what there is.
    let off = || while umount(ROOT).is_ok() {};
    let mut steps = || -> TestResult {
        shown(&mut log, "mount", at(None))?;
        off();
        shown(&mut log, "mount -o inode64", at(Some("inode64")))?;
        shown(&mut log, "remount -o inode32", again(Some("inode32")))?;
        shown(&mut log, "remount", again(None))?;
        shown(&mut log, "remount -o inode64", again(Some("inode64")))?;
        shown(&mut log, "remount", again(None))?;
        off();
        shown(&mut log, "mount -o inode32", at(Some("inode32")))?;
        shown(&mut log, "remount -o size=2m", again(Some("size=2m")))?;
        off();
        let r = at(Some("inode64=1"));
        off();
        rec(&mut log, "mount -o inode64=1", r);
        Ok(())
    };
    let r = steps();
    off();
    for l in &log {
        println!("{fs}: {l}");
    }
    r.map_err(|e| format!("{fs}: {e}"))?;
    Ok(log)
}

/// What `shown_inum_opts` must see: `show(X)` is what `fs` shows when X is in effect.
/// What `shown_inum_opts()` must see on a file system whose default width is `default`
/// (`inode32` or `inode64`) and that shows the width `show` gives.
fn want_inum_opts(default: &str, show: impl Fn(&str) -> &'static str) -> Log {
    let steps = [
        ("mount", default),
        ("mount -o inode64", "inode64"),
        ("remount -o inode32", "inode32"),
        ("remount", "inode32"),
        ("remount -o inode64", "inode64"),
        ("remount", "inode64"),
        ("mount -o inode32", "inode32"),
        ("remount -o size=2m", "inode32"),
    ];
    let mut log = Vec::new();
    for (what, inums) in steps {
        log.push(format!("{what}: ()"));
        log.push(format!("{what}: shows [{}]", show(inums)));
    }
    log.push("mount -o inode64=1: EINVAL".into());
    log
}

/// Inode numbers as tmpfs's: one counter per instance, from 1 for the root, one number per
/// new inode in creation order (links take none, none is reused), across remounts;
/// `inode64` and `inode32` at mount and remount, and what /proc/mounts shows of them.
///
/// Not tested: the wrap of 32-bit numbers and the refusal of `inode32` ("Current inum too high
/// to switch to 32-bit inums"): both need 2^32 inodes.
pub fn t_inode_numbers() -> TestResult {
    // tmpfs in this configuration (CONFIG_TMPFS_INODE64 not set) is inode32 by default,
    // bs2ramfs inode64: below 2^32 the numbers are the same.
    let mut parts = vec![
        same_as_tmpfs(Some("inode64"), None, &ino_steps),
        same_as_tmpfs(Some("inode64"), Some("inode64"), &ino_steps),
        same_as_tmpfs(Some("inode32"), Some("inode32"), &ino_steps),
    ];
    let want = vec![1, 1, 2, 2, 3, 3];
    parts.push(two_instances("tmpfs", Some("inode64")).and_then(|t| {
        check!(
            t == want,
            "two tmpfs instances: numbers {t:?}, want {want:?}"
        );
        Ok(())
    }));
    parts.push(two_instances("bs2ramfs", None).and_then(|o| {
        check!(
            o == want,
            "two bs2ramfs instances: numbers {o:?}, want {want:?}"
        );
        Ok(())
    }));
    // tmpfs shows inode64 (not its default here) and never inode32; bs2ramfs shows inode32
    // (not its default) and never inode64.
    let tmpfs_shows = |o: &str| if o == "inode64" { "inode64" } else { "" };
    parts.push(shown_inum_opts("tmpfs").and_then(|seen| {
        // tmpfs is inode32 by default here (CONFIG_TMPFS_INODE64 is not set).
        let (n, diffs) = differences(&want_inum_opts("inode32", tmpfs_shows), &seen);
        check!(n == 0, "tmpfs (the reference) shows other options: {diffs}");
        Ok(())
    }));
    let ours_shows = |o: &str| if o == "inode32" { "inode32" } else { "" };
    parts.push(shown_inum_opts("bs2ramfs").and_then(|seen| {
        let (n, diffs) = differences(&want_inum_opts("inode64", ours_shows), &seen);
        check!(n == 0, "bs2ramfs shows other options: {diffs}");
        Ok(())
    }));
    all(parts)
}

// Birth time.

fn btime_stat(path: &str) -> Sys<libc::statx> {
    let mask = libc::STATX_BTIME | libc::STATX_BASIC_STATS;
    statx(path, libc::AT_SYMLINK_NOFOLLOW, mask)
}

fn t_of(t: &libc::statx_timestamp) -> (i64, u32) {
    (t.tv_sec, t.tv_nsec)
}

fn has_btime(st: &libc::statx) -> bool {
    st.stx_mask & libc::STATX_BTIME != 0
}

fn btime_steps(_fs: &str, log: &mut Log) -> TestResult {
    let st = ok!(btime_stat(ROOT));
    expect(log, "root: STATX_BTIME", has_btime(&st));
    expect(
        log,
        "root: btime == mtime",
        t_of(&st.stx_btime) == t_of(&st.stx_mtime),
    );
    // One object of each kind; "w" becomes a whiteout.
    create("f", b"")?;
    ok!(mkdir(&p("d"), 0o755));
    ok!(symlink(b"f", &p("l")));
    ok!(mknod(&p("p"), libc::S_IFIFO | 0o644, 0));
    ok!(mknod(&p("c"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)));
    create("w", b"")?;
    ok!(rename(&p("w"), &p("w2"), libc::RENAME_WHITEOUT));
    let names = ["f", "d", "l", "p", "c", "w"];
    let mut born = Vec::new();
    for n in names {
        let st = ok!(btime_stat(&p(n)));
        expect(log, &format!("{n}: STATX_BTIME"), has_btime(&st));
        let b = t_of(&st.stx_btime);
        expect(log, &format!("{n}: btime set"), b.0 > 0);
        let same = b == t_of(&st.stx_mtime) && b == t_of(&st.stx_ctime);
        expect(
            log,
            &format!("{n}: btime == mtime == ctime at creation"),
            same,
        );
        let basic = statx(&p(n), libc::AT_SYMLINK_NOFOLLOW, libc::STATX_BASIC_STATS);
        let r = basic.map(|st| has_btime(&st));
        rec(log, &format!("{n}: STATX_BTIME when not asked for"), r);
        born.push((n, st));
    }
    // Later changes: a write, an entry, utimensat, chmod, chown.
    std::thread::sleep(std::time::Duration::from_millis(50));
    ok!(pwrite(&ok!(open(&p("f"), libc::O_WRONLY, 0)), b"x", 0));
    ok!(mkdir(&p("d/sub"), 0o755));
    ok!(utimens(&p("l"), None, libc::AT_SYMLINK_NOFOLLOW));
    ok!(chmod(&p("p"), 0o600));
    ok!(utimens(&p("c"), None, 0));
    ok!(lchown(&p("w"), 1, 1));
    for (n, before) in &born {
        let st = ok!(btime_stat(&p(n)));
        expect(
            log,
            &format!("{n}: STATX_BTIME after a change"),
            has_btime(&st),
        );
        let b = t_of(&before.stx_btime);
        expect(
            log,
            &format!("{n}: btime unchanged"),
            t_of(&st.stx_btime) == b,
        );
        let m = t_of(&st.stx_mtime) != t_of(&before.stx_mtime);
        rec(log, &format!("{n}: mtime changed"), Ok(m));
        let c = t_of(&st.stx_ctime) != t_of(&before.stx_ctime);
        expect(log, &format!("{n}: ctime changed"), c);
    }
    // An mtime before the birth, a rename and a link change nothing of it.
    let born_f = t_of(&born[0].1.stx_btime);
    ok!(utimens(&p("f"), Some([ts(1000, 0), ts(1000, 0)]), 0));
    let st = ok!(btime_stat(&p("f")));
    expect(log, "f: mtime 1000", t_of(&st.stx_mtime) == (1000, 0));
    expect(
        log,
        "f: btime after utimensat",
        t_of(&st.stx_btime) == born_f,
    );
    ok!(rename(&p("f"), &p("f3"), 0));
    ok!(link(&p("f3"), &p("f4")));
    ok!(chmod(&p("f4"), 0o600));
    let st = ok!(btime_stat(&p("f4")));
    expect(
        log,
        "f: btime after rename, link, chmod",
        t_of(&st.stx_btime) == born_f,
    );
    Ok(())
}

/// Birth time (statx STATX_BTIME) as tmpfs: reported for every kind of inode, the mtime at
/// creation, kept through later changes.
pub fn t_birth_time() -> TestResult {
    same_as_tmpfs(None, None, &btime_steps)
}

// Default limits.

/// (totalram, totalhigh) in pages, from sysinfo(2).
fn ram_pages() -> Result<(u64, u64), String> {
    let si = sysinfo().map_err(|e| format!("sysinfo: {}", ename(e)))?;
    let unit = u64::from(si.mem_unit);
    let page = PAGE as u64;
    Ok((
        si.totalram as u64 * unit / page,
        si.totalhigh as u64 * unit / page,
    ))
}

/// tmpfs's default limits: (blocks, inodes) (shmem_default_max_blocks() and
/// shmem_default_max_inodes()).
fn default_limits() -> Result<(u64, u64), String> {
    let (ram, high) = ram_pages()?;
    Ok((ram / 2, (ram - high).min(ram / 2)))
}

/// Records statfs(2)'s counts.
fn counts(log: &mut Log, when: &str) -> Result<libc::statfs, String> {
    let st = ok!(statfs(ROOT));
    log.push(format!(
        "{when}: f_bsize {} f_blocks {} f_bfree {} f_bavail {} f_files {} f_ffree {}",
        st.f_bsize, st.f_blocks, st.f_bfree, st.f_bavail, st.f_files, st.f_ffree
    ));
    Ok(st)
}

/// The `size=` and `nr_inodes=` options /proc/mounts shows for `ROOT`, in the order of their
/// names (their order in the line is not compared: bs2ramfs shows nr_inodes= first, tmpfs
/// size=).
fn limit_opts() -> Result<String, String> {
    let line = crate::proc_mounts_line(ROOT).ok_or("not in /proc/mounts")?;
    let opts = line.split(' ').nth(3).unwrap_or("");
    let mut limits: Vec<&str> = opts
        .split(',')
        .filter(|o| o.starts_with("size=") || o.starts_with("nr_inodes="))
        .collect();
    limits.sort();
    Ok(format!("[{}]", limits.join(",")))
}

/// Whether df(1), without arguments, lists `ROOT` (it leaves out file systems of no blocks).
fn df_lists() -> Result<bool, String> {
    let out = crate::sh("df -P 2>/dev/null || true")?;
    Ok(out.lines().any(|l| l.ends_with(&format!(" {ROOT}"))))
}

/// The counts, the options shown and df's listing of an instance, and what one file and one
/// directory take of it; `blocks` and `inodes` are its limits (0: none).
fn limit_steps(log: &mut Log, blocks: u64, inodes: u64) -> TestResult {
    let st = counts(log, "fresh")?;
    let (b, f) = (st.f_blocks as u64, st.f_files as u64);
    expect(log, &format!("f_blocks {blocks}"), b == blocks);
    expect(log, &format!("f_files {inodes}"), f == inodes);
    expect(
        log,
        "all blocks free",
        st.f_bfree as u64 == b && st.f_bavail as u64 == b,
    );
    let ffree = st.f_ffree as u64;
    expect(log, "the root's inode in use", ffree == f.saturating_sub(1));
    log.push(format!("/proc/mounts shows {}", limit_opts()?));
    log.push(format!("df lists it: {}", df_lists()?));
    create("f", &[1; PAGE])?;
    ok!(mkdir(&p("d"), 0o755));
    let st = counts(log, "after a one-page file and a directory")?;
    let used_blocks = st.f_blocks as u64 - st.f_bfree as u64;
    expect(
        log,
        "one block in use",
        used_blocks == u64::from(blocks != 0),
    );
    let used_inodes = st.f_files as u64 - st.f_ffree as u64;
    expect(
        log,
        "three inodes in use",
        used_inodes == if inodes != 0 { 3 } else { 0 },
    );
    Ok(())
}

/// Remounts from the default limits.
fn remount_steps(log: &mut Log) -> TestResult {
    create("f", &[1; PAGE])?;
    let (blocks, inodes) = default_limits()?;
    for (opts, b, i) in [
        ("size=2m".to_owned(), 512, inodes),
        ("nr_inodes=1000".to_owned(), 512, 1000),
        (format!("size={}k", blocks * 4), blocks, 1000),
        (format!("nr_inodes={inodes}"), blocks, inodes),
        ("size=0".to_owned(), 0, inodes),
        ("nr_inodes=0".to_owned(), 0, 0),
    ] {
        rec(
            log,
            &format!("remount -o {opts}"),
            remount(ROOT, 0, Some(&opts)),
        );
        let st = counts(log, &format!("after -o {opts}"))?;
        let limits = (st.f_blocks as u64, st.f_files as u64);
        expect(
            log,
            &format!("limits {b} blocks, {i} inodes"),
            limits == (b, i),
        );
        log.push(format!("/proc/mounts shows {}", limit_opts()?));
    }
    Ok(())
}

/// The default size and inode limits as tmpfs's (half the RAM's pages; the same number of
/// inodes but never more than the low memory's pages), reported by statfs and so by df, and
/// not shown in /proc/mounts; `size=0` and `nr_inodes=0` for none, reported as 0 and shown;
/// explicit values equal to the defaults not shown; remounts from the defaults.
pub fn t_default_limits() -> TestResult {
    let (blocks, inodes) = default_limits()?;
    let defaults = format!("size={}k,nr_inodes={inodes}", blocks * 4);
    let mut parts = Vec::new();
    for (data, b, i) in [
        (None, blocks, inodes),
        (Some("size=0"), 0, inodes),
        (Some("nr_inodes=0"), blocks, 0),
        (Some("size=0,nr_inodes=0"), 0, 0),
        (Some(defaults.as_str()), blocks, inodes),
    ] {
        parts.push(same_as_tmpfs(data, data, &|_, log| limit_steps(log, b, i)));
    }
    parts.push(same_as_tmpfs(None, None, &|_, log| remount_steps(log)));
    all(parts)
}
