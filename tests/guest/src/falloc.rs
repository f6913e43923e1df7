// SPDX-License-Identifier: GPL-2.0
//! fallocate(2) (allocation and punching holes) and lseek(2) with SEEK_DATA and SEEK_HOLE:
//! the same checks on tmpfs first (the reference) and then on bs2ramfs. C ramfs has neither
//! (`fs_unsupported`, `fs_seek_data_hole`).

use crate::sys::*;
use crate::TestResult;
use std::os::fd::OwnedFd;

const ROOT: &str = "/mnt/falloc";
const PAGE: i64 = 4096;

fn p(name: &str) -> String {
    format!("{ROOT}/{name}")
}

fn create(name: &str) -> Result<OwnedFd, String> {
    open(&p(name), libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644)
        .map_err(|e| format!("create {name}: {}", ename(e)))
}

/// (st_size, st_blocks)
fn size_blocks(fd: &OwnedFd) -> Result<(i64, i64), String> {
    let st = fstat(fd).map_err(|e| format!("fstat: {}", ename(e)))?;
    Ok((st.st_size, st.st_blocks))
}

fn checks(fs: &str) -> TestResult {
    // Allocation: the size grows, the pages count in st_blocks, they read as zeroes, and
    // they are holes for SEEK_DATA.
    let fd = create("alloc")?;
    let before = ok!(fstat(&fd));
    std::thread::sleep(std::time::Duration::from_millis(20));
    ok!(fallocate(&fd, 0, 0, 256 * PAGE));
    eq!(size_blocks(&fd)?, (256 * PAGE, 256 * 8));
    let after = ok!(fstat(&fd));
    check!(
        (after.st_mtime, after.st_mtime_nsec) != (before.st_mtime, before.st_mtime_nsec),
        "{fs}: fallocate did not change mtime"
    );
    fails!(lseek(&fd, 0, libc::SEEK_DATA), libc::ENXIO);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_HOLE)), 0);
    eq!(ok!(pread_full(&fd, 8192, 100 * PAGE)), vec![0u8; 8192]);
    // KEEP_SIZE beyond the end: the size stays, the blocks grow; truncating to the size
    // drops them again.
    ok!(fallocate(&fd, libc::FALLOC_FL_KEEP_SIZE, 256 * PAGE, 16 * PAGE));
    eq!(size_blocks(&fd)?, (256 * PAGE, 272 * 8));
    ok!(ftruncate(&fd, 256 * PAGE));
    eq!(size_blocks(&fd)?, (256 * PAGE, 256 * 8));
    // Modes beyond KEEP_SIZE and PUNCH_HOLE are not supported, on tmpfs either.
    for mode in [
        libc::FALLOC_FL_ZERO_RANGE,
        libc::FALLOC_FL_COLLAPSE_RANGE,
        libc::FALLOC_FL_INSERT_RANGE,
    ] {
        fails!(fallocate(&fd, mode, 0, PAGE), libc::EOPNOTSUPP);
    }
    drop(fd);

    // SEEK_DATA and SEEK_HOLE in a sparse file written at [0, 4K) and [1M, 1M + 4K), never
    // read.
    let fd = create("sparse")?;
    ok!(pwrite_full(&fd, &[b'a'; 4096], 0));
    ok!(pwrite_full(&fd, &[b'b'; 4096], 1 << 20));
    let end = (1 << 20) + 4096;
    eq!(ok!(lseek(&fd, 0, libc::SEEK_DATA)), 0);
    eq!(ok!(lseek(&fd, 0, libc::SEEK_HOLE)), 4096);
    eq!(ok!(lseek(&fd, 4096, libc::SEEK_DATA)), 1 << 20);
    eq!(ok!(lseek(&fd, 5000, libc::SEEK_HOLE)), 5000);
    eq!(ok!(lseek(&fd, 1 << 20, libc::SEEK_HOLE)), end);
    fails!(lseek(&fd, end, libc::SEEK_DATA), libc::ENXIO);
    fails!(lseek(&fd, end, libc::SEEK_HOLE), libc::ENXIO);
    fails!(lseek(&fd, -1, libc::SEEK_DATA), libc::ENXIO);
    eq!(size_blocks(&fd)?, (end, 2 * 8));
    drop(fd);

    // Punching [5000, 20000) out of 32 KiB of data: zeroes inside, data around it, the two
    // whole pages inside are holes and no longer count in st_blocks.
    let fd = create("punch")?;
    ok!(pwrite_full(&fd, &[b'x'; 32768], 0));
    let punch = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    ok!(fallocate(&fd, punch, 5000, 15000));
    eq!(size_blocks(&fd)?, (32768, 6 * 8));
    eq!(ok!(lseek(&fd, 0, libc::SEEK_HOLE)), 8192);
    eq!(ok!(lseek(&fd, 8192, libc::SEEK_DATA)), 16384);
    // (Last: on bs2ramfs, reading the hole brings zeroed pages back, which are data.)
    let data = ok!(pread_full(&fd, 32768, 0));
    let want = [vec![b'x'; 5000], vec![0u8; 15000], vec![b'x'; 32768 - 20000]].concat();
    eq_bytes!(data, want);
    // PUNCH_HOLE needs KEEP_SIZE (the VFS says so).
    fails!(
        fallocate(&fd, libc::FALLOC_FL_PUNCH_HOLE, 0, PAGE),
        libc::EOPNOTSUPP
    );
    drop(fd);

    // The file size limit: EFBIG (and SIGXFSZ, ignored here), with nothing allocated.
    let fd = create("limit")?;
    let path = p("limit");
    as_user(0, 0, move || {
        let lim = libc::rlimit {
            rlim_cur: 1 << 20,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: plain system calls in the child.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
        }
        let fd = open(&path, libc::O_RDWR, 0).map_err(ename)?;
        let r = fallocate(&fd, 0, 0, 2 << 20);
        check!(r == Err(libc::EFBIG), "fallocate past RLIMIT_FSIZE: {:?}", r.map_err(ename));
        Ok(())
    })?;
    eq!(size_blocks(&fd)?, (0, 0));
    Ok(())
}

/// The whole test on `fs`: mount, checks, unmount.
fn on(fs: &str) -> TestResult {
    mount(fs, ROOT, None).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let r = checks(fs);
    let u = crate::umount(ROOT);
    r.map_err(|e| format!("{fs}: {e}"))?;
    u
}

/// fallocate and SEEK_DATA/SEEK_HOLE on tmpfs (the reference) and bs2ramfs.
pub fn t_falloc_seek() -> TestResult {
    on("tmpfs")?;
    on("bs2ramfs")
}
