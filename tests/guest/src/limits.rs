// SPDX-License-Identifier: GPL-2.0
//! `size=`, `nr_inodes=`, `uid=` and `gid=`: the size and inode limits (ENOSPC, short writes,
//! nothing left behind, statfs counts, show_options, remount rules) and the owner of the root,
//! on tmpfs first (the reference) and then on bs2ramfs. Where bs2ramfs differs on purpose, the
//! check says so.

use crate::sys::*;
use crate::TestResult;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;

const ROOT: &str = "/mnt/limits";

fn p(name: &str) -> String {
    format!("{ROOT}/{name}")
}

/// `statfs(2)`'s inode counts: (f_files, f_ffree).
fn files() -> Sys<(u64, u64)> {
    let st = statfs(ROOT)?;
    Ok((st.f_files as u64, st.f_ffree as u64))
}

fn mounts_line() -> Result<String, String> {
    crate::proc_mounts_line(ROOT).ok_or_else(|| "not in /proc/mounts".to_owned())
}

/// The messages `fs` logged since `k`.
fn logged(k: &Kmsg, fs: &str) -> Result<Vec<String>, String> {
    let all = k.messages().map_err(|e| format!("read /dev/kmsg: {}", ename(e)))?;
    Ok(all.into_iter().filter(|m| m.contains(fs)).collect())
}

/// Every way to make an inode fails with ENOSPC and leaves no name and no change behind.
fn creations_refused(fs: &str) -> TestResult {
    let mtime = |p: &str| std::fs::metadata(p).map(|m| (m.mtime(), m.mtime_nsec()));
    let before = mtime(ROOT).map_err(|e| e.to_string())?;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let f = p("new");
    fails!(open(&f, libc::O_CREAT | libc::O_WRONLY, 0o644), libc::ENOSPC);
    fails!(mkdir(&f, 0o755), libc::ENOSPC);
    fails!(symlink(b"target", &f), libc::ENOSPC);
    fails!(mknod(&f, libc::S_IFIFO | 0o644, 0), libc::ENOSPC);
    fails!(open(ROOT, libc::O_TMPFILE | libc::O_RDWR, 0o600), libc::ENOSPC);
    fails!(lstat(&f), libc::ENOENT);
    let after = mtime(ROOT).map_err(|e| e.to_string())?;
    check!(before == after, "{fs}: a refused creation changed the directory's mtime");
    Ok(())
}

fn nr_inodes_checks(fs: &str) -> TestResult {
    // The root is one of the four.
    eq!(ok!(files()), (4, 3));
    check!(
        mounts_line()?.contains(",nr_inodes=4"),
        "show_options: {}",
        mounts_line()?
    );
    ok!(open(&p("f"), libc::O_CREAT | libc::O_WRONLY, 0o644));
    ok!(mkdir(&p("d"), 0o755));
    ok!(symlink(b"f", &p("l")));
    eq!(ok!(files()), (4, 0));
    creations_refused(fs)?;
    eq!(ok!(files()), (4, 0));

    // An unlinked file keeps its inode until its last close.
    let fd = ok!(open(&p("f"), libc::O_RDWR, 0));
    ok!(unlink(&p("f")));
    eq!(ok!(files()), (4, 0));
    fails!(mknod(&p("fifo"), libc::S_IFIFO | 0o644, 0), libc::ENOSPC);
    drop(fd);
    eq!(ok!(files()), (4, 1));
    ok!(mknod(&p("fifo"), libc::S_IFIFO | 0o644, 0));
    eq!(ok!(files()), (4, 0));

    // Removing everything gives every inode back.
    ok!(unlink(&p("fifo")));
    ok!(unlink(&p("l")));
    ok!(rmdir(&p("d")));
    eq!(ok!(files()), (4, 3));

    // A remount below the inodes in use is refused, with a message, and changes nothing.
    for n in ["a", "b", "c"] {
        ok!(mknod(&p(n), libc::S_IFIFO | 0o644, 0));
    }
    refused_remount(
        fs,
        "nr_inodes=2",
        "tmpfs: Too few inodes for current use",
        "bs2ramfs: nr_inodes=2 is too few for the 4 inodes in use",
    )?;
    eq!(ok!(files()), (4, 0));
    // Growing, with a suffix, takes effect at once; the usage stays.
    ok!(remount(ROOT, 0, Some("nr_inodes=1k")));
    eq!(ok!(files()), (1024, 1020));
    check!(
        mounts_line()?.contains(",nr_inodes=1024"),
        "show_options after a remount: {}",
        mounts_line()?
    );
    ok!(mkdir(&p("d"), 0o755));
    eq!(ok!(files()), (1024, 1019));
    // Down to exactly the usage: allowed, and then full.
    ok!(remount(ROOT, 0, Some("nr_inodes=5")));
    eq!(ok!(files()), (5, 0));
    fails!(mkdir(&p("e"), 0o755), libc::ENOSPC);
    // A remount without nr_inodes= keeps the limit.
    ok!(remount(ROOT, 0, Some("mode=755")));
    eq!(ok!(files()), (5, 0));
    // nr_inodes=0: no limit at all; statfs reports none, and show_options shows it (it is not
    // the default).
    ok!(remount(ROOT, 0, Some("nr_inodes=0")));
    eq!(ok!(files()), (0, 0));
    check!(
        mounts_line()?.contains(",nr_inodes=0"),
        "an unlimited instance does not show nr_inodes=0: {}",
        mounts_line()?
    );
    ok!(mkdir(&p("e"), 0o755));
    if fs == "tmpfs" {
        // tmpfs counts nothing without a limit, so it cannot set one again.
        refused_remount(fs, "nr_inodes=6", "tmpfs: Cannot retroactively limit inodes", "")?;
    } else {
        // bs2ramfs keeps counting without a limit, so one can be set again (unlike tmpfs).
        fails!(remount(ROOT, 0, Some("nr_inodes=5")), libc::EINVAL);
        ok!(remount(ROOT, 0, Some("nr_inodes=6")));
        eq!(ok!(files()), (6, 0));
        // Hard links take no inode on bs2ramfs (tmpfs charges one for each extra link).
        ok!(link(&p("a"), &p("a2")));
        eq!(ok!(files()), (6, 0));
    }
    Ok(())
}

fn uid_gid_checks(fs: &str) -> TestResult {
    let md = std::fs::metadata(ROOT).map_err(|e| e.to_string())?;
    eq!((md.uid(), md.gid(), md.mode() & 0o7777), (1000, 2000, 0o700));
    let line = mounts_line()?;
    check!(
        line.contains(",mode=700") && line.contains(",uid=1000") && line.contains(",gid=2000"),
        "show_options: {line}"
    );
    // A file of root's, in the directory of uid 1000, is root's.
    ok!(mkdir(&p("d"), 0o755));
    let st = ok!(lstat(&p("d")));
    eq!((st.st_uid, st.st_gid), (0, 0));
    // The same owner again is no change.
    ok!(remount(ROOT, 0, Some("uid=1000,gid=2000")));
    let k = ok!(Kmsg::new());
    let r = remount(ROOT, 0, Some("uid=3000"));
    if fs == "bs2ramfs" {
        check!(r == Err(libc::EINVAL), "remount,uid=3000: {:?}", r.map_err(ename));
        let msgs = logged(&k, fs)?;
        let want = "bs2ramfs: uid= cannot change on remount (it is 1000, not 3000)";
        check!(msgs.iter().any(|m| m.contains(want)), "log lacks {want:?}: {msgs:?}");
        fails!(remount(ROOT, 0, Some("gid=3000")), libc::EINVAL);
    } else {
        // tmpfs takes the option and ignores it.
        check!(r.is_ok(), "tmpfs remount,uid=3000: {:?}", r.map_err(ename));
    }
    let md = std::fs::metadata(ROOT).map_err(|e| e.to_string())?;
    eq!((md.uid(), md.gid()), (1000, 2000));
    Ok(())
}

/// A remount of `fs` on `ROOT` with `opts` fails with EINVAL, and the kernel log says why:
/// `tmpfs_says` on tmpfs, `we_say` on bs2ramfs.
fn refused_remount(fs: &str, opts: &str, tmpfs_says: &str, we_say: &str) -> TestResult {
    let k = Kmsg::new().map_err(|e| format!("open /dev/kmsg: {}", ename(e)))?;
    let r = remount(ROOT, 0, Some(opts));
    check!(r == Err(libc::EINVAL), "remount,{opts}: {:?}, want EINVAL", r.map_err(ename));
    let msgs = logged(&k, fs)?;
    let want = if fs == "tmpfs" { tmpfs_says } else { we_say };
    check!(
        msgs.iter().any(|m| m.contains(want)),
        "remount,{opts}: log lacks {want:?}: {msgs:?}"
    );
    Ok(())
}

/// Mounts `fs` with `data`, runs `checks`, unmounts.
fn on(fs: &str, data: &str, checks: fn(&str) -> TestResult) -> TestResult {
    mount(fs, ROOT, Some(data)).map_err(|e| format!("mount {fs} -o {data}: {}", ename(e)))?;
    let r = checks(fs);
    let u = crate::umount(ROOT);
    r.map_err(|e| format!("{fs}: {e}"))?;
    u
}

/// `nr_inodes=`: creations past it fail with ENOSPC, statfs counts, remount rules.
pub fn t_nr_inodes() -> TestResult {
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "nr_inodes=4", nr_inodes_checks)?;
    }
    // Without nr_inodes=, bs2ramfs has tmpfs's default limit (as many inodes as half the
    // RAM's pages) and reports it; nr_inodes=0 means no limit, reported as none.
    let mut counts = Vec::new();
    for (fs, data) in [
        ("tmpfs", None),
        ("bs2ramfs", None),
        ("tmpfs", Some("nr_inodes=0")),
        ("bs2ramfs", Some("nr_inodes=0")),
    ] {
        mount(fs, ROOT, data).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
        let r = files();
        crate::umount(ROOT)?;
        counts.push(r.map_err(|e| format!("{fs}: statfs: {}", ename(e)))?);
    }
    let (files, ffree) = counts[0];
    check!(files > 0 && ffree == files - 1, "tmpfs without nr_inodes=: {:?}", counts[0]);
    check!(
        counts[1] == counts[0],
        "without nr_inodes=: bs2ramfs {:?}, tmpfs {:?}",
        counts[1],
        counts[0]
    );
    check!(counts[2] == (0, 0), "tmpfs -o nr_inodes=0: {:?}", counts[2]);
    check!(counts[3] == (0, 0), "bs2ramfs -o nr_inodes=0: {:?}", counts[3]);
    Ok(())
}

/// `uid=`, `gid=` (with `mode=`): the owner of the root, shown, fixed at mount.
pub fn t_uid_gid() -> TestResult {
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "uid=1000,gid=2000,mode=700", uid_gid_checks)?;
    }
    // By default the root is the mounter's, and no uid= or gid= is shown.
    mount("bs2ramfs", ROOT, None).map_err(|e| format!("mount: {}", ename(e)))?;
    let md = std::fs::metadata(ROOT).map_err(|e| e.to_string());
    let line = mounts_line();
    crate::umount(ROOT)?;
    let md = md?;
    eq!((md.uid(), md.gid()), (0, 0));
    let line = line?;
    check!(!line.contains("uid=") && !line.contains("gid="), "show_options: {line}");
    Ok(())
}

/// `statfs(2)`'s block counts: (f_blocks, f_bfree, f_bavail), in pages.
fn blocks() -> Sys<(u64, u64, u64)> {
    let st = statfs(ROOT)?;
    Ok((st.f_blocks as u64, st.f_bfree as u64, st.f_bavail as u64))
}

const MIB: usize = 1 << 20;

fn size_checks(fs: &str) -> TestResult {
    // 1 MiB: 256 pages.
    eq!(ok!(blocks()), (256, 256, 256));
    check!(
        mounts_line()?.contains(",size=1024k"),
        "show_options: {}",
        mounts_line()?
    );
    let f = p("f");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_RDWR, 0o644));
    let mib = vec![1u8; MIB];
    eq!(ok!(pwrite(&fd, &mib, 0)), MIB);
    eq!(ok!(blocks()).1, 0);
    fails!(pwrite(&fd, b"x", MIB as i64), libc::ENOSPC);
    eq!(ok!(fstat(&fd)).st_size, MIB as i64);
    // Truncating gives pages back; a write that only partly fits is short, then ENOSPC.
    ok!(ftruncate(&fd, (MIB / 2) as i64));
    eq!(ok!(blocks()).1, 128);
    eq!(ok!(pwrite(&fd, &mib, (MIB / 2) as i64)), MIB / 2);
    eq!(ok!(fstat(&fd)).st_size, MIB as i64);
    fails!(pwrite(&fd, b"x", MIB as i64), libc::ENOSPC);
    // Allocating beyond the limit fails and changes nothing.
    fails!(fallocate(&fd, 0, MIB as i64, 4096), libc::ENOSPC);
    fails!(fallocate(&fd, libc::FALLOC_FL_KEEP_SIZE, MIB as i64, 4096), libc::ENOSPC);
    eq!(ok!(fstat(&fd)).st_size, MIB as i64);
    eq!(ok!(blocks()).1, 0);
    // An unlinked file keeps its pages until its last close.
    ok!(unlink(&f));
    eq!(ok!(blocks()).1, 0);
    drop(fd);
    eq!(ok!(blocks()), (256, 256, 256));
    // A write far beyond the end takes the one page it writes: holes take nothing.
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_RDWR, 0o644));
    eq!(ok!(pwrite(&fd, b"x", 2 * MIB as i64)), 1);
    eq!(ok!(blocks()).1, 255);
    drop(fd);
    ok!(unlink(&f));
    eq!(ok!(blocks()), (256, 256, 256));

    // A remount below the usage is refused, with a message, and changes nothing.
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_RDWR, 0o644));
    eq!(ok!(pwrite(&fd, &mib[..MIB / 2], 0)), MIB / 2);
    refused_remount(
        fs,
        "size=256k",
        "tmpfs: Too small a size for current use",
        "bs2ramfs: size=256k is too small for the 512k in use",
    )?;
    eq!(ok!(blocks()), (256, 128, 128));
    // Growing takes effect at once.
    ok!(remount(ROOT, 0, Some("size=2m")));
    eq!(ok!(blocks()), (512, 384, 384));
    check!(
        mounts_line()?.contains(",size=2048k"),
        "show_options after a remount: {}",
        mounts_line()?
    );
    // A sparse file may be larger than the limit, and reading its holes takes nothing.
    ok!(ftruncate(&fd, (4 * MIB) as i64));
    eq!(ok!(pread_full(&fd, MIB, MIB as i64)), vec![0u8; MIB]);
    eq!(ok!(blocks()), (512, 384, 384));
    if fs == "bs2ramfs" {
        // Unlike tmpfs, a splice read of a hole takes (and charges) a page: it goes through
        // read_folio.
        let (_r, w) = ok!(pipe());
        let mut off = 2 * MIB as i64;
        eq!(ok!(splice(&fd, Some(&mut off), &w, None, 4096)), 4096);
        eq!(ok!(blocks()), (512, 383, 383));
    }
    ok!(ftruncate(&fd, (MIB / 2) as i64));
    // size=0: no limit; statfs reports none, and show_options shows it (it is not the
    // default).
    ok!(remount(ROOT, 0, Some("size=0")));
    eq!(ok!(blocks()), (0, 0, 0));
    check!(
        mounts_line()?.contains(",size=0k"),
        "an unlimited instance does not show size=0k: {}",
        mounts_line()?
    );
    if fs == "tmpfs" {
        // tmpfs counts nothing without a limit, so it cannot set one again.
        refused_remount(fs, "size=1m", "tmpfs: Cannot retroactively limit size", "")?;
    } else {
        // The usage is still counted, so that a limit may be set again (unlike tmpfs).
        fails!(remount(ROOT, 0, Some("size=256k")), libc::EINVAL);
        ok!(remount(ROOT, 0, Some("size=1m")));
        eq!(ok!(blocks()), (256, 128, 128));
    }
    drop(fd);
    Ok(())
}

/// What a step of a sequence did, and left: its result, the pages in use (`statfs(2)`), and
/// the file's `st_blocks` and size.
#[derive(Debug, PartialEq)]
struct Seen {
    step: &'static str,
    ret: Result<i64, String>,
    used: u64,
    blocks: i64,
    size: i64,
}

/// Records what `step` did (`ret`) and left in `seen`.
fn record(seen: &mut Vec<Seen>, fd: &OwnedFd, step: &'static str, ret: Sys<i64>) -> TestResult {
    let (total, free, _) = ok!(blocks());
    let st = ok!(fstat(fd));
    seen.push(Seen {
        step,
        ret: ret.map_err(ename),
        used: total - free,
        blocks: st.st_blocks,
        size: st.st_size,
    });
    Ok(())
}

/// Writes a byte at `off` of `fd` through a shared mapping in a child process, and returns the
/// signal that killed the child, or 0 if none did.
fn write_in_child(fd: &OwnedFd, off: usize) -> Sys<i64> {
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(errno());
    }
    if pid == 0 {
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        if let Ok(m) = Map::new(fd, off + 1, prot, libc::MAP_SHARED) {
            // SAFETY: `off` is within the mapping.
            unsafe { m.ptr.add(off).write_volatile(1) };
        }
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    Ok(if libc::WIFSIGNALED(status) {
        libc::WTERMSIG(status).into()
    } else {
        0
    })
}

/// The two cases of the issue that made bs2ramfs's `size=` tmpfs's, with `size=512m`.
fn issue_cases(_fs: &str, seen: &mut Vec<Seen>) -> TestResult {
    let fd = ok!(open(&p("f"), libc::O_CREAT | libc::O_RDWR, 0o644));
    let ret = ftruncate(&fd, 1 << 30).map(|()| 0);
    record(seen, &fd, "truncate -s 1G f", ret)?;
    let h = ok!(open(&p("h"), libc::O_CREAT | libc::O_RDWR, 0o644));
    let ret = fallocate(&h, 0, 0, 100 * MIB as i64).map(|()| 0);
    record(seen, &h, "fallocate -l 100M h", ret)?;
    let punch = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    let ret = fallocate(&h, punch, 0, 100 * MIB as i64).map(|()| 0);
    record(seen, &h, "fallocate -p -o 0 -l 100M h", ret)
}

/// Writes, holes, punches, truncates, mmap writes and reads, fallocate modes and the limit,
/// with `size=1m` (256 pages).
fn size_sequence(_fs: &str, seen: &mut Vec<Seen>) -> TestResult {
    let f = p("s");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_RDWR, 0o644));
    let n = |r: Sys<usize>| r.map(|n| n as i64);
    let z = |r: Sys<()>| r.map(|()| 0);
    let keep = libc::FALLOC_FL_KEEP_SIZE;
    let punch = libc::FALLOC_FL_PUNCH_HOLE | keep;
    record(seen, &fd, "write 10000 at 0", n(pwrite(&fd, &[7; 10000], 0)))?;
    record(seen, &fd, "write 1 at 100000", n(pwrite(&fd, b"x", 100000)))?;
    // The copy faults: both keep the page that write_begin took, and set the size to 120000.
    let ret = n(pwrite_bad_buffer(&fd, 120000));
    record(seen, &fd, "write 1 at 120000 from a bad buffer", ret)?;
    let nonzero = pread(&fd, 4096, 50000).map(|v| v.iter().filter(|b| **b != 0).count() as i64);
    record(seen, &fd, "read a hole", nonzero)?;
    record(seen, &fd, "SEEK_DATA 20000", lseek(&fd, 20000, libc::SEEK_DATA))?;
    record(seen, &fd, "SEEK_HOLE 0", lseek(&fd, 0, libc::SEEK_HOLE))?;
    let ret = z(fallocate(&fd, keep, 200000, 20000));
    record(seen, &fd, "fallocate -n 200000+20000", ret)?;
    record(seen, &fd, "fallocate 300000+8192", z(fallocate(&fd, 0, 300000, 8192)))?;
    // Over an earlier allocation: its pages are data from then on.
    record(seen, &fd, "fallocate -n 299008+4096", z(fallocate(&fd, keep, 299008, 4096)))?;
    record(seen, &fd, "SEEK_DATA 200000", lseek(&fd, 200000, libc::SEEK_DATA))?;
    record(seen, &fd, "SEEK_DATA 110000", lseek(&fd, 110000, libc::SEEK_DATA))?;
    record(seen, &fd, "write 1 at 301000", n(pwrite(&fd, b"y", 301000)))?;
    record(seen, &fd, "SEEK_DATA 110000 again", lseek(&fd, 110000, libc::SEEK_DATA))?;
    record(seen, &fd, "punch 0+8192", z(fallocate(&fd, punch, 0, 8192)))?;
    record(seen, &fd, "punch 4000+100", z(fallocate(&fd, punch, 4000, 100)))?;
    record(seen, &fd, "truncate 150000", z(ftruncate(&fd, 150000)))?;
    record(seen, &fd, "truncate 600000", z(ftruncate(&fd, 600000)))?;
    {
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        let mut m = ok!(Map::new(&fd, 600000, prot, libc::MAP_SHARED));
        m.bytes_mut()[400000] = 1;
        m.bytes_mut()[404096] = 1;
        record(seen, &fd, "mmap write 2 pages", Ok(0))?;
        let b = m.bytes()[500000];
        record(seen, &fd, "mmap read a hole", Ok(b.into()))?;
    }
    // An allocation, then the limit reached; an allocation over the first one that does not
    // fit fails and keeps the first one (whose pages are data from then on).
    let m2 = 2 * MIB as i64;
    let ret = z(fallocate(&fd, keep, m2, 40960));
    record(seen, &fd, "fallocate -n 2M+40960", ret)?;
    let mib = vec![1u8; MIB];
    record(seen, &fd, "write 1M at 700000", n(pwrite(&fd, &mib, 700000)))?;
    let ret = z(fallocate(&fd, keep, m2, 65536));
    record(seen, &fd, "fallocate -n 2M+65536", ret)?;
    record(seen, &fd, "truncate 4M", z(ftruncate(&fd, 4 * MIB as i64)))?;
    record(seen, &fd, "SEEK_DATA 1800000", lseek(&fd, 1800000, libc::SEEK_DATA))?;
    record(seen, &fd, "SEEK_HOLE 2M", lseek(&fd, m2, libc::SEEK_HOLE))?;
    record(seen, &fd, "write 1 at 2M", n(pwrite(&fd, b"z", m2)))?;
    record(seen, &fd, "write 1 at 2.5M", n(pwrite(&fd, b"z", m2 + m2 / 4)))?;
    let ret = z(fallocate(&fd, 0, 3 * MIB as i64, 8192));
    record(seen, &fd, "fallocate 3M+8192", ret)?;
    let ret = write_in_child(&fd, 3 * MIB + MIB / 2);
    record(seen, &fd, "mmap write at 3.5M in a child", ret)?;
    record(seen, &fd, "punch 0+700000", z(fallocate(&fd, punch, 0, 700000)))?;
    record(seen, &fd, "write 1 at 2.5M again", n(pwrite(&fd, b"z", m2 + m2 / 4)))?;
    let ret = write_in_child(&fd, 3 * MIB + MIB / 2);
    record(seen, &fd, "mmap write at 3.5M in a child again", ret)?;
    ok!(unlink(&f));
    drop(fd);
    let (total, free, _) = ok!(blocks());
    eq!(total - free, 0);
    Ok(())
}

/// Runs `steps` on tmpfs and on bs2ramfs, each mounted with `data`, and fails unless both saw
/// the same at every step; prints what each saw.
fn same_as_tmpfs(data: &str, steps: fn(&str, &mut Vec<Seen>) -> TestResult) -> TestResult {
    let mut all = Vec::new();
    for fs in ["tmpfs", "bs2ramfs"] {
        mount(fs, ROOT, Some(data)).map_err(|e| format!("mount {fs} -o {data}: {}", ename(e)))?;
        let mut seen = Vec::new();
        let r = steps(fs, &mut seen);
        let u = crate::umount(ROOT);
        for s in &seen {
            println!(
                "{fs} -o {data}: {}: {:?}, {} pages used, st_blocks {}, size {}",
                s.step, s.ret, s.used, s.blocks, s.size
            );
        }
        r.map_err(|e| format!("{fs}: {e}"))?;
        u?;
        all.push(seen);
    }
    for (t, b) in all[0].iter().zip(&all[1]) {
        check!(t == b, "tmpfs saw {t:?}, bs2ramfs {b:?}");
    }
    eq!(all[0].len(), all[1].len());
    Ok(())
}

/// Symbolic links of targets around the length tmpfs keeps with the inode (128 bytes with the
/// NUL) and of a page: their size, blocks and the pages they take (`statfs`), read back, after
/// `drop_caches`, renamed, hard-linked and removed, side by side with tmpfs. The pages and blocks
/// are compared while only short links exist: tmpfs charges the page of a longer link to
/// `size=` and counts it in `st_blocks`, bs2ramfs keeps it uncharged in the page cache, as ramfs
/// (see Documentation/filesystems/bs2ramfs.rst).
fn symlink_steps(_fs: &str, seen: &mut Vec<Seen>) -> TestResult {
    let short: [(usize, &'static str); 3] = [(1, "1"), (126, "126"), (127, "127")];
    let long: [(usize, &'static str); 4] =
        [(128, "128"), (129, "129"), (3000, "3000"), (4095, "4095")];
    let target = |len: usize| -> Vec<u8> { (0..len).map(|i| b'a' + (i % 26) as u8).collect() };
    // What `path`, a link to `target(len)`, is; the pages used and its blocks if `pages`.
    let look = |seen: &mut Vec<Seen>, step: &'static str, path: &str, len: usize, pages: bool| {
        let (total, free, _) = ok!(blocks());
        let st = ok!(lstat(path));
        let back = readlink(path).map(|t| i64::from(t == target(len)));
        seen.push(Seen {
            step,
            ret: back.map_err(ename),
            used: if pages { total - free } else { 0 },
            blocks: if pages { st.st_blocks } else { 0 },
            size: st.st_size,
        });
        Ok(())
    };
    for (len, step) in short {
        ok!(symlink(&target(len), &p(step)));
        look(seen, step, &p(step), len, true)?;
    }
    // 64 more short links: in the page cache (/proc/meminfo's Cached), or not.
    let cached = || -> Result<i64, String> {
        let m = std::fs::read_to_string("/proc/meminfo").map_err(|e| e.to_string())?;
        let line = m.lines().find(|l| l.starts_with("Cached:")).ok_or("no Cached:")?;
        let kib = line.split_whitespace().nth(1).and_then(|v| v.parse().ok());
        kib.ok_or_else(|| format!("bad meminfo line {line}"))
    };
    let before = cached()?;
    for i in 0..64 {
        ok!(symlink(&target(100), &p(&format!("s{i}"))));
    }
    let grew = cached()? - before;
    seen.push(Seen {
        step: "64 short links: 128 KiB or more in the page cache",
        ret: Ok(i64::from(grew >= 128)),
        used: 0,
        blocks: 0,
        size: 0,
    });
    for i in 0..64 {
        ok!(unlink(&p(&format!("s{i}"))));
    }
    for (len, step) in long {
        ok!(symlink(&target(len), &p(step)));
        look(seen, step, &p(step), len, false)?;
    }
    let dropped = std::fs::write("/proc/sys/vm/drop_caches", "3");
    dropped.map_err(|e| format!("drop_caches: {e}"))?;
    for (len, step) in short.into_iter().chain(long) {
        look(seen, step, &p(step), len, false)?;
    }
    ok!(rename(&p("127"), &p("renamed"), 0));
    look(seen, "renamed", &p("renamed"), 127, false)?;
    ok!(link(&p("renamed"), &p("hard")));
    look(seen, "hard link", &p("hard"), 127, false)?;
    let r = crate::xattr::set(&p("hard"), "trusted.t", Some(b"on a short link"), 0);
    seen.push(Seen {
        step: "trusted. on a short link",
        ret: r.map(|()| 0).map_err(ename),
        used: 0,
        blocks: 0,
        size: 0,
    });
    for (_, name) in long {
        ok!(unlink(&p(name)));
    }
    look(seen, "1, only short links left", &p("1"), 1, true)?;
    look(seen, "hard, only short links left", &p("hard"), 127, true)?;
    for name in ["1", "126", "renamed", "hard"] {
        ok!(unlink(&p(name)));
    }
    let (total, free, _) = ok!(blocks());
    eq!(total - free, 0);
    Ok(())
}

/// Short symbolic links kept with the inode, longer ones in a page, as tmpfs: their sizes,
/// blocks, targets and the pages they take, side by side with tmpfs.
pub fn t_symlinks_like_tmpfs() -> TestResult {
    same_as_tmpfs("size=1m", symlink_steps)
}

/// Multigrain timestamps, as tmpfs's: a change after the change time was read gets a later
/// change and modification time however soon it comes, where a coarse clock (C ramfs's) gives
/// the same time to the changes of one tick.
pub fn t_timestamps_like_tmpfs() -> TestResult {
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "size=1m", multigrain_checks)?;
    }
    Ok(())
}

/// A change time and a modification time: seconds and nanoseconds.
type Times = ((i64, u32), (i64, u32));

fn multigrain_checks(fs: &str) -> TestResult {
    let f = p("t");
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_WRONLY, 0o644));
    let times = |path: &str| -> Result<Times, String> {
        let st = ok!(statx(path, 0, libc::STATX_CTIME | libc::STATX_MTIME));
        let t = |ts: libc::statx_timestamp| (ts.tv_sec, ts.tv_nsec);
        Ok((t(st.stx_ctime), t(st.stx_mtime)))
    };
    for i in 0..100 {
        let (ctime, _) = times(&f)?;
        eq!(ok!(pwrite(&fd, b"x", i)), 1);
        let (c, m) = times(&f)?;
        check!(c > ctime, "{fs}: write {i}: change time {c:?} not after {ctime:?}");
        check!(m == c, "{fs}: write {i}: modification time {m:?}, change time {c:?}");
        // And a change of the mode, which goes through setattr.
        ok!(chmod(&f, if i % 2 == 0 { 0o600 } else { 0o644 }));
        let (c2, _) = times(&f)?;
        check!(c2 > c, "{fs}: chmod {i}: change time {c2:?} not after {c:?}");
    }
    Ok(())
}

/// `size=` as tmpfs's: the cases of the issue and a sequence, side by side with tmpfs.
pub fn t_size_like_tmpfs() -> TestResult {
    same_as_tmpfs("size=512m", issue_cases)?;
    same_as_tmpfs("size=1m", size_sequence)
}

/// A remount applies only the parameters it was given (as tmpfs's `ctx->seen`), even when
/// another remount changed the superblock after its context was made with fspick(2).
fn remount_given_checks(fs: &str) -> TestResult {
    let fc = fspick(ROOT).map_err(|e| format!("fspick: {}", ename(e)))?;
    ok!(remount(ROOT, 0, Some("size=2m")));
    let set = fsconfig(&fc, FSCONFIG_SET_STRING, Some("nr_inodes"), Some("1000"));
    set.map_err(|e| format!("fsconfig nr_inodes: {}", ename(e)))?;
    let r = fsconfig(&fc, FSCONFIG_CMD_RECONFIGURE, None, None);
    let log = fs_log(&fc).unwrap_or_default();
    r.map_err(|e| format!("reconfigure: {} {log:?}", ename(e)))?;
    // size=2m from the other remount stays; nr_inodes= changed; mode= did not.
    eq!(ok!(blocks()).0, 512);
    eq!(ok!(files()).0, 1000);
    let line = mounts_line()?;
    check!(line.contains(",size=2048k"), "{fs}: show_options: {line}");
    check!(line.contains(",mode=750"), "{fs}: show_options: {line}");
    Ok(())
}

/// At the limit, while other processes write to new pages (each write fails with ENOSPC), a
/// remount that keeps `size=` or sets nothing succeeds every time, nothing is charged past the
/// limit, and a remount that raises it by one page gives exactly that page.
fn full_remount_checks(fs: &str) -> TestResult {
    // size=64k: 16 pages, all taken.
    let fd = ok!(open(&p("f"), libc::O_CREAT | libc::O_RDWR, 0o644));
    eq!(ok!(pwrite(&fd, &[1u8; 65536], 0)), 65536);
    eq!(ok!(blocks()), (16, 0, 0));
    let mut kids = Vec::new();
    for i in 0..2i64 {
        // SAFETY: this program is single-threaded, so the child may run arbitrary code.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", ename(errno())));
        }
        if pid == 0 {
            // Until killed: every write to a new page fails with ENOSPC, else exit 1.
            let mut off = 65536 + i * 4096;
            loop {
                if pwrite(&fd, b"x", off) != Err(libc::ENOSPC) {
                    // SAFETY: leave the child without running the parent's destructors.
                    unsafe { libc::_exit(1) };
                }
                off = if off > 1 << 30 { 65536 } else { off + 8192 };
            }
        }
        kids.push(pid);
    }
    let mut remounts = Ok(());
    for n in 0..300 {
        let data = if n % 2 == 0 { Some("size=64k") } else { None };
        if let Err(e) = remount(ROOT, 0, data) {
            remounts = Err(format!("{fs}: remount {n} ({data:?}) while full: {}", ename(e)));
            break;
        }
    }
    let mut writes = Ok(());
    for pid in kids {
        let mut status = 0;
        // SAFETY: killing and waiting for our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, &mut status, 0);
        }
        if libc::WIFEXITED(status) {
            writes = Err(format!("{fs}: a write past the limit did not fail with ENOSPC"));
        }
    }
    remounts?;
    writes?;
    eq!(ok!(blocks()), (16, 0, 0));
    ok!(remount(ROOT, 0, Some("size=68k")));
    eq!(ok!(blocks()), (17, 1, 1));
    eq!(ok!(pwrite(&fd, b"x", 65536)), 1);
    eq!(ok!(blocks()), (17, 0, 0));
    Ok(())
}

/// `size=`: writes, truncates and allocations past it fail with ENOSPC (a write that partly
/// fits is short), statfs counts, remount rules, show_options.
pub fn t_size() -> TestResult {
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "size=1m", size_checks)?;
    }
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "size=1m,nr_inodes=100,mode=750", remount_given_checks)?;
    }
    for fs in ["tmpfs", "bs2ramfs"] {
        on(fs, "size=64k", full_remount_checks)?;
    }
    // A percentage of the memory: bs2ramfs shows the same size as tmpfs.
    let mut shown = Vec::new();
    for fs in ["tmpfs", "bs2ramfs"] {
        mount(fs, ROOT, Some("size=25%")).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
        let line = mounts_line();
        crate::umount(ROOT)?;
        let line = line?;
        let size = line
            .split([',', ' '])
            .find(|o| o.starts_with("size="))
            .map(str::to_owned);
        shown.push(size.ok_or_else(|| format!("{fs}: no size= in {line}"))?);
    }
    check!(shown[0] == shown[1], "size=25%: tmpfs shows {}, bs2ramfs {}", shown[0], shown[1]);
    Ok(())
}
