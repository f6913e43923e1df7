// SPDX-License-Identifier: GPL-2.0
//! The measured operations. Each one prepares what it needs untimed, times one batch of `n`
//! operations with `CLOCK_MONOTONIC` around the whole batch, and cleans up untimed, so that
//! it leaves its work folder empty and any operation can follow any other on any fs.

use crate::sys::{self, cstr, now};
use std::ffi::CString;
use std::hint::black_box;

/// What a batch measured: `count` operations (or directory entries) in `ns`, moving `bytes`.
pub struct M {
    pub count: u64,
    pub ns: u64,
    pub bytes: u64,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Unit {
    /// Nanoseconds per operation (lower is better).
    NsPerOp,
    /// Nanoseconds per directory entry read (lower is better).
    NsPerEntry,
    /// MiB per second (higher is better).
    MiBps,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::NsPerOp => "ns/op",
            Unit::NsPerEntry => "ns/entry",
            Unit::MiBps => "MiB/s",
        }
    }

    pub fn value(self, m: &M) -> f64 {
        match self {
            Unit::NsPerOp | Unit::NsPerEntry => m.ns as f64 / m.count as f64,
            Unit::MiBps => m.bytes as f64 / (1 << 20) as f64 / (m.ns as f64 / 1e9),
        }
    }
}

/// The folders of one mounted fs an operation works in.
pub struct Ctx {
    /// An empty folder; an operation leaves it empty.
    pub work: String,
    /// A folder of `pool_n` empty files `p0000000`…, always the same names (`chmod` changes
    /// their modes).
    pub pool: String,
    pub pool_n: usize,
}

pub struct Op {
    pub group: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    /// The batch size at scale 1 (operations, files, MiB or directory scans: see `run`).
    pub n: usize,
    pub run: fn(&Ctx, usize) -> M,
}

const KIB4: usize = 4096;
const MIB: usize = 1 << 20;
/// The target of every symbolic link made (a typical relative path of 30 bytes).
const LINK_TARGET: &str = "../some/where/else/a-file-name";

pub fn names(dir: &str, prefix: &str, n: usize) -> Vec<CString> {
    (0..n)
        .map(|i| cstr(&format!("{dir}/{prefix}{i:07}")))
        .collect()
}

fn create_files(names: &[CString], size: usize) {
    let buf = vec![0x5au8; size.max(1)];
    for p in names {
        let fd = sys::open(p, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644);
        if size > 0 {
            sys::write(fd, &buf[..size]);
        }
        sys::close(fd);
    }
}

fn unlink_all(names: &[CString]) {
    names.iter().for_each(|p| sys::unlink(p));
}

/// Times `f` and returns `count` operations moving `bytes`.
fn timed(count: usize, bytes: usize, f: impl FnOnce()) -> M {
    let t = now();
    f();
    M {
        count: count as u64,
        ns: now() - t,
        bytes: bytes as u64,
    }
}

fn create_close(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "c", n);
    let m = timed(n, 0, || {
        for p in &v {
            let fd = sys::open(p, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644);
            sys::close(fd);
        }
    });
    unlink_all(&v);
    m
}

fn open_close(c: &Ctx, n: usize) -> M {
    let v = names(&c.pool, "p", n.min(c.pool_n));
    let rounds = n.div_ceil(v.len());
    timed(rounds * v.len(), 0, || {
        for _ in 0..rounds {
            for p in &v {
                sys::close(sys::open(p, libc::O_RDONLY, 0));
            }
        }
    })
}

fn stat(c: &Ctx, n: usize) -> M {
    let v = names(&c.pool, "p", n.min(c.pool_n));
    let rounds = n.div_ceil(v.len());
    timed(rounds * v.len(), 0, || {
        for _ in 0..rounds {
            v.iter().for_each(|p| sys::stat(p));
        }
    })
}

fn stat_missing(c: &Ctx, n: usize) -> M {
    let v = names(&c.pool, "m", n);
    timed(n, 0, || v.iter().for_each(|p| sys::stat_missing(p)))
}

fn unlink(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "u", n);
    create_files(&v, 0);
    timed(n, 0, || unlink_all(&v))
}

fn mkdir_rmdir(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "d", n);
    timed(n, 0, || {
        v.iter().for_each(|p| sys::mkdir(p));
        v.iter().for_each(|p| sys::rmdir(p));
    })
}

fn rename_same_dir(c: &Ctx, n: usize) -> M {
    let a = names(&c.work, "a", n);
    let b = names(&c.work, "b", n);
    create_files(&a, 0);
    let m = timed(n, 0, || {
        a.iter().zip(&b).for_each(|(x, y)| sys::rename(x, y))
    });
    unlink_all(&b);
    m
}

fn rename_across_dirs(c: &Ctx, n: usize) -> M {
    let (dx, dy) = (format!("{}/x", c.work), format!("{}/y", c.work));
    sys::mkdir(&cstr(&dx));
    sys::mkdir(&cstr(&dy));
    let a = names(&dx, "a", n);
    let b = names(&dy, "a", n);
    create_files(&a, 0);
    let m = timed(n, 0, || {
        a.iter().zip(&b).for_each(|(x, y)| sys::rename(x, y))
    });
    unlink_all(&b);
    sys::rmdir(&cstr(&dx));
    sys::rmdir(&cstr(&dy));
    m
}

fn link(c: &Ctx, n: usize) -> M {
    let n = n.min(c.pool_n);
    let from = names(&c.pool, "p", n);
    let to = names(&c.work, "l", n);
    let m = timed(n, 0, || {
        from.iter().zip(&to).for_each(|(x, y)| sys::link(x, y))
    });
    unlink_all(&to);
    m
}

fn symlink_readlink(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "s", n);
    let target = cstr(LINK_TARGET);
    let mut buf = [0u8; 256];
    let m = timed(n, 0, || {
        for p in &v {
            sys::symlink(&target, p);
            let len = sys::readlink(p, &mut buf);
            assert_eq!(len, LINK_TARGET.len());
        }
    });
    unlink_all(&v);
    m
}

/// Changes the permissions of pool files back and forth (`notify_change()` without a size:
/// the fs's `setattr` alone, no page cache).
fn chmod(c: &Ctx, n: usize) -> M {
    let v = names(&c.pool, "p", n.min(c.pool_n));
    let rounds = n.div_ceil(v.len());
    let mut mode = 0o600;
    timed(rounds * v.len(), 0, || {
        for _ in 0..rounds {
            v.iter().for_each(|p| sys::chmod(p, mode));
            mode ^= 0o044;
        }
    })
}

/// Reads the whole folder `dir` `scans` times with `getdents64` (32 KiB buffer, as glibc's
/// `readdir`); counts the entries read, `.` and `..` included.
pub fn readdir_scans(dir: &CString, expect: usize, scans: usize) -> M {
    let mut buf = vec![0u8; 32 * 1024];
    let mut total = 0usize;
    let m = timed(0, 0, || {
        for _ in 0..scans {
            let fd = sys::open(dir, libc::O_RDONLY | libc::O_DIRECTORY, 0);
            loop {
                let got = sys::getdents64(fd, &mut buf);
                if got == 0 {
                    break;
                }
                total += got;
            }
            sys::close(fd);
        }
    });
    assert_eq!(total, scans * expect, "readdir of {dir:?}: entries");
    M {
        count: total as u64,
        ..m
    }
}

fn readdir(c: &Ctx, n: usize) -> M {
    readdir_scans(&cstr(&c.pool), c.pool_n + 2, n)
}

fn small_write(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "w", n);
    let buf = vec![0x5au8; KIB4];
    let m = timed(n, n * KIB4, || {
        for p in &v {
            let fd = sys::open(p, libc::O_CREAT | libc::O_TRUNC | libc::O_WRONLY, 0o644);
            sys::write(fd, &buf);
            sys::close(fd);
        }
    });
    unlink_all(&v);
    m
}

fn small_read(c: &Ctx, n: usize) -> M {
    let v = names(&c.work, "r", n);
    create_files(&v, KIB4);
    let mut buf = vec![0u8; 2 * KIB4];
    let m = timed(n, n * KIB4, || {
        for p in &v {
            let fd = sys::open(p, libc::O_RDONLY, 0);
            assert_eq!(sys::read(fd, &mut buf), KIB4);
            sys::close(fd);
        }
    });
    unlink_all(&v);
    m
}

/// Writes a new file of `mib` MiB with 1 MiB writes.
fn write_file(p: &CString, mib: usize, flags: libc::c_int) {
    let buf = vec![0x5au8; MIB];
    let fd = sys::open(p, libc::O_CREAT | libc::O_WRONLY | flags, 0o644);
    (0..mib).for_each(|_| sys::write(fd, &buf));
    sys::close(fd);
}

fn large_write(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/large", c.work));
    let m = timed(1, n * MIB, || write_file(&p, n, libc::O_EXCL));
    sys::unlink(&p);
    m
}

/// Reads the file at `p`, `n` MiB long, from start to end with 1 MiB reads, timed.
fn read_file_timed(p: &CString, n: usize) -> M {
    let mut buf = vec![0u8; MIB];
    let mut got = 0;
    let m = timed(1, n * MIB, || {
        let fd = sys::open(p, libc::O_RDONLY, 0);
        loop {
            let r = sys::read(fd, &mut buf);
            if r == 0 {
                break;
            }
            got += r;
        }
        sys::close(fd);
    });
    assert_eq!(got, n * MIB);
    m
}

fn large_read(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/large", c.work));
    write_file(&p, n, libc::O_EXCL);
    let m = read_file_timed(&p, n);
    sys::unlink(&p);
    m
}

/// Reads a file of `n` MiB that is one hole (never written) with 1 MiB reads: tmpfs and
/// bs2ramfs read zeroes without pages; ramfs fills its page cache with zeroed pages.
fn sparse_read(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/sparse", c.work));
    let fd = sys::open(&p, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644);
    sys::ftruncate(fd, (n * MIB) as u64);
    sys::close(fd);
    let m = read_file_timed(&p, n);
    sys::unlink(&p);
    m
}

/// 4 KiB writes at random page-aligned offsets of a 16 MiB file that has all its pages.
fn random_write(c: &Ctx, n: usize) -> M {
    const FILE_MIB: usize = 16;
    let p = cstr(&format!("{}/random", c.work));
    write_file(&p, FILE_MIB, libc::O_EXCL);
    let pages = (FILE_MIB * MIB / KIB4) as u64;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let offs: Vec<u64> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % pages) * KIB4 as u64
        })
        .collect();
    let buf = vec![0xa5u8; KIB4];
    let fd = sys::open(&p, libc::O_WRONLY, 0);
    let m = timed(n, n * KIB4, || {
        offs.iter().for_each(|&o| sys::pwrite(fd, &buf, o))
    });
    sys::close(fd);
    sys::unlink(&p);
    m
}

fn append(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/append", c.work));
    let buf = vec![0x5au8; KIB4];
    let m = timed(n, n * KIB4, || {
        let fd = sys::open(
            &p,
            libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_APPEND,
            0o644,
        );
        (0..n).for_each(|_| sys::write(fd, &buf));
        sys::close(fd);
    });
    sys::unlink(&p);
    m
}

/// `ftruncate` a file without pages to 1 MiB and back to 0: the size change alone (setattr).
fn truncate_sparse(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/trunc", c.work));
    let fd = sys::open(&p, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644);
    let m = timed(n, 0, || {
        for _ in 0..n {
            sys::ftruncate(fd, MIB as u64);
            sys::ftruncate(fd, 0);
        }
    });
    sys::close(fd);
    sys::unlink(&p);
    m
}

/// Write 64 KiB at offset 0, then `ftruncate` to 0, which frees the 16 pages.
fn truncate_data(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/trunc", c.work));
    let buf = vec![0x5au8; 16 * KIB4];
    let fd = sys::open(&p, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644);
    let m = timed(n, n * buf.len(), || {
        for _ in 0..n {
            sys::pwrite(fd, &buf, 0);
            sys::ftruncate(fd, 0);
        }
    });
    sys::close(fd);
    sys::unlink(&p);
    m
}

/// Writes 64 KiB at the start of a file and punches them out again (`fallocate(2)` with
/// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`), `n` times: the punch frees the pages. A fs that
/// cannot punch holes (ramfs) gives no measurement (a count of 0, which is not recorded).
fn punch_hole(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/punch", c.work));
    let buf = vec![0x5au8; 16 * KIB4];
    let len = buf.len() as u64;
    let fd = sys::open(&p, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644);
    let m = if sys::punch_hole(fd, 0, len) {
        timed(n, n * buf.len(), || {
            for _ in 0..n {
                sys::pwrite(fd, &buf, 0);
                assert!(sys::punch_hole(fd, 0, len));
            }
        })
    } else {
        M {
            count: 0,
            ns: 0,
            bytes: 0,
        }
    };
    sys::close(fd);
    sys::unlink(&p);
    m
}

/// Maps a new sparse file of `n` MiB shared and writes every byte: each page is faulted in
/// and made writable through the fs's `vm_operations`.
fn mmap_write(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/mmap", c.work));
    let m = timed(1, n * MIB, || {
        let fd = sys::open(&p, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644);
        sys::ftruncate(fd, (n * MIB) as u64);
        let mut map = sys::Map::new(fd, n * MIB);
        map.as_mut_slice().fill(0x5a);
        drop(map);
        sys::close(fd);
    });
    sys::unlink(&p);
    m
}

/// Maps a file of `n` MiB written with `write` and reads every byte.
fn mmap_read(c: &Ctx, n: usize) -> M {
    let p = cstr(&format!("{}/mmap", c.work));
    write_file(&p, n, libc::O_EXCL);
    let mut sum = 0u64;
    let m = timed(1, n * MIB, || {
        let fd = sys::open(&p, libc::O_RDWR, 0);
        let map = sys::Map::new(fd, n * MIB);
        sum = map.as_u64s().iter().fold(0u64, |a, &x| a.wrapping_add(x));
        drop(map);
        sys::close(fd);
    });
    assert_eq!(black_box(sum), (n * MIB / 8) as u64 * 0x5a5a_5a5a_5a5a_5a5a);
    sys::unlink(&p);
    m
}

/// Every metadata and data operation, in the order they run, with its batch size: operations
/// or files, except that the readdir batch is a number of full scans of the pool folder and
/// the large-file and mmap batches are MiB (one file).
pub fn all() -> Vec<Op> {
    use Unit::*;
    let op = |group, name, unit, n, run| Op {
        group,
        name,
        unit,
        n,
        run,
    };
    vec![
        op("metadata", "create+close", NsPerOp, 400, create_close),
        op("metadata", "open+close", NsPerOp, 500, open_close),
        op("metadata", "stat", NsPerOp, 500, stat),
        op(
            "metadata",
            "stat of a missing name (ENOENT)",
            NsPerOp,
            500,
            stat_missing,
        ),
        op("metadata", "unlink", NsPerOp, 400, unlink),
        op("metadata", "mkdir+rmdir", NsPerOp, 200, mkdir_rmdir),
        op(
            "metadata",
            "rename within a directory",
            NsPerOp,
            400,
            rename_same_dir,
        ),
        op(
            "metadata",
            "rename across directories",
            NsPerOp,
            400,
            rename_across_dirs,
        ),
        op("metadata", "link", NsPerOp, 400, link),
        op(
            "metadata",
            "symlink+readlink",
            NsPerOp,
            200,
            symlink_readlink,
        ),
        op(
            "metadata",
            "chmod (setattr without a size)",
            NsPerOp,
            500,
            chmod,
        ),
        op("metadata", "readdir (getdents64)", NsPerEntry, 10, readdir),
        op(
            "data",
            "small files: create+write 4 KiB+close",
            MiBps,
            250,
            small_write,
        ),
        op(
            "data",
            "small files: open+read 4 KiB+close",
            MiBps,
            400,
            small_read,
        ),
        op(
            "data",
            "large file: sequential write (1 MiB writes, new file)",
            MiBps,
            64,
            large_write,
        ),
        op(
            "data",
            "large file: sequential read (1 MiB reads)",
            MiBps,
            64,
            large_read,
        ),
        op(
            "data",
            "sparse file: sequential read of a hole (1 MiB reads)",
            MiBps,
            64,
            sparse_read,
        ),
        op(
            "data",
            "random 4 KiB writes (16 MiB file)",
            MiBps,
            1000,
            random_write,
        ),
        op("data", "append 4 KiB", MiBps, 1024, append),
        op(
            "data",
            "ftruncate 0 → 1 MiB → 0 (no pages)",
            NsPerOp,
            500,
            truncate_sparse,
        ),
        op(
            "data",
            "write 64 KiB + ftruncate to 0",
            MiBps,
            100,
            truncate_data,
        ),
        op(
            "data",
            "write 64 KiB + punch it out (fallocate)",
            MiBps,
            100,
            punch_hole,
        ),
        op("data", "mmap write (new sparse file)", MiBps, 8, mmap_write),
        op("data", "mmap read", MiBps, 8, mmap_read),
    ]
}
