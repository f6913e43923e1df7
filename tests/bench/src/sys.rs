// SPDX-License-Identifier: GPL-2.0
//! Thin wrappers of the system calls the benchmark uses. A benchmark has no use for a failed
//! call: every wrapper panics with the call, the path and the errno on failure, so that the
//! guest command fails loudly instead of timing an error path.

use std::ffi::{CStr, CString};
use std::io::Error;
use std::os::raw::c_int;

pub fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in benchmark paths")
}

/// `CLOCK_MONOTONIC` in nanoseconds.
pub fn now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write to.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(r, 0, "clock_gettime");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cold]
#[inline(never)]
fn fail(what: &str, path: &CStr) -> ! {
    let e = Error::last_os_error();
    panic!("{what} {}: {e}", path.to_string_lossy());
}

#[inline]
fn ok(r: c_int, what: &str, path: &CStr) -> c_int {
    if r < 0 {
        fail(what, path);
    }
    r
}

#[inline]
pub fn open(path: &CStr, flags: c_int, mode: libc::mode_t) -> c_int {
    // SAFETY: `path` is a valid NUL-terminated string.
    ok(
        unsafe { libc::open(path.as_ptr(), flags, mode as libc::c_uint) },
        "open",
        path,
    )
}

#[inline]
pub fn close(fd: c_int) {
    // SAFETY: Closing a descriptor the caller owns.
    if unsafe { libc::close(fd) } < 0 {
        fail("close", c"(fd)");
    }
}

#[inline]
pub fn stat(path: &CStr) {
    // SAFETY: `path` is a valid string and `st` a valid buffer.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        ok(libc::stat(path.as_ptr(), &mut st), "stat", path);
    }
}

/// `stat` of a name that must not exist.
#[inline]
pub fn stat_missing(path: &CStr) {
    // SAFETY: `path` is a valid string and `st` a valid buffer.
    let r = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::stat(path.as_ptr(), &mut st)
    };
    if r == 0 || Error::last_os_error().raw_os_error() != Some(libc::ENOENT) {
        panic!("stat {}: expected ENOENT", path.to_string_lossy());
    }
}

#[inline]
pub fn chmod(path: &CStr, mode: libc::mode_t) {
    // SAFETY: `path` is a valid string.
    ok(unsafe { libc::chmod(path.as_ptr(), mode) }, "chmod", path);
}

#[inline]
pub fn unlink(path: &CStr) {
    // SAFETY: `path` is a valid string.
    ok(unsafe { libc::unlink(path.as_ptr()) }, "unlink", path);
}

#[inline]
pub fn mkdir(path: &CStr) {
    // SAFETY: `path` is a valid string.
    ok(unsafe { libc::mkdir(path.as_ptr(), 0o755) }, "mkdir", path);
}

#[inline]
pub fn rmdir(path: &CStr) {
    // SAFETY: `path` is a valid string.
    ok(unsafe { libc::rmdir(path.as_ptr()) }, "rmdir", path);
}

#[inline]
pub fn rename(from: &CStr, to: &CStr) {
    // SAFETY: Both are valid strings.
    ok(
        unsafe { libc::rename(from.as_ptr(), to.as_ptr()) },
        "rename",
        from,
    );
}

#[inline]
pub fn link(from: &CStr, to: &CStr) {
    // SAFETY: Both are valid strings.
    ok(
        unsafe { libc::link(from.as_ptr(), to.as_ptr()) },
        "link",
        to,
    );
}

#[inline]
pub fn symlink(target: &CStr, path: &CStr) {
    // SAFETY: Both are valid strings.
    ok(
        unsafe { libc::symlink(target.as_ptr(), path.as_ptr()) },
        "symlink",
        path,
    );
}

/// `readlink` into `buf`; returns the length.
#[inline]
pub fn readlink(path: &CStr, buf: &mut [u8]) -> usize {
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { libc::readlink(path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if r < 0 {
        fail("readlink", path);
    }
    r as usize
}

#[inline]
pub fn write(fd: c_int, buf: &[u8]) {
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
    if r != buf.len() as isize {
        fail("write", c"(fd)");
    }
}

/// Punches a hole of `len` bytes at `off`, keeping the size; false if the fs cannot
/// (`EOPNOTSUPP`, as on ramfs), and a panic on any other error.
pub fn punch_hole(fd: c_int, off: u64, len: u64) -> bool {
    let mode = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    // SAFETY: `fallocate(2)` on a descriptor; the kernel checks the arguments.
    let r = unsafe { libc::fallocate(fd, mode, off as i64, len as i64) };
    if r != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EOPNOTSUPP) {
        return false;
    }
    assert_eq!(r, 0, "fallocate: {}", std::io::Error::last_os_error());
    true
}

#[inline]
pub fn pwrite(fd: c_int, buf: &[u8], off: u64) {
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { libc::pwrite(fd, buf.as_ptr().cast(), buf.len(), off as libc::off_t) };
    if r != buf.len() as isize {
        fail("pwrite", c"(fd)");
    }
}

/// `read` into `buf`; returns the length (0 at the end of the file).
#[inline]
pub fn read(fd: c_int, buf: &mut [u8]) -> usize {
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if r < 0 {
        fail("read", c"(fd)");
    }
    r as usize
}

#[inline]
pub fn ftruncate(fd: c_int, len: u64) {
    // SAFETY: A plain system call on a descriptor.
    if unsafe { libc::ftruncate(fd, len as libc::off_t) } < 0 {
        fail("ftruncate", c"(fd)");
    }
}

/// One `getdents64` call into `buf`; returns the number of entries it gave (0 at the end).
#[inline]
pub fn getdents64(fd: c_int, buf: &mut [u8]) -> usize {
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) };
    if r < 0 {
        fail("getdents64", c"(fd)");
    }
    // Walk the records: d_ino (8), d_off (8), d_reclen (2), d_type (1), name.
    let (mut off, mut n) = (0usize, 0usize);
    while off < r as usize {
        let reclen = u16::from_ne_bytes([buf[off + 16], buf[off + 17]]) as usize;
        off += reclen;
        n += 1;
    }
    n
}

/// A shared read-write mapping of `len` bytes of `fd`, unmapped when dropped.
pub struct Map {
    ptr: *mut u8,
    len: usize,
}

impl Map {
    pub fn new(fd: c_int, len: usize) -> Self {
        // SAFETY: A new mapping of a descriptor; the kernel checks the arguments.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            fail("mmap", c"(fd)");
        }
        Self { ptr: p.cast(), len }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: The mapping is valid for `len` bytes while `self` lives.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    pub fn as_u64s(&self) -> &[u64] {
        // SAFETY: The mapping is page-aligned and valid for `len` bytes while `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u64>(), self.len / 8) }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: Unmapping the mapping this value owns.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

pub fn mount(fstype: &str, target: &str) {
    let (src, t, typ) = (cstr(fstype), cstr(target), cstr(fstype));
    // SAFETY: Valid strings; no data.
    let r = unsafe { libc::mount(src.as_ptr(), t.as_ptr(), typ.as_ptr(), 0, std::ptr::null()) };
    ok(r, "mount", &t);
}

pub fn umount(target: &str) {
    let t = cstr(target);
    // SAFETY: A valid string.
    ok(unsafe { libc::umount(t.as_ptr()) }, "umount", &t);
}

pub fn sync() {
    // SAFETY: A plain system call.
    unsafe { libc::sync() };
}

/// Runs the calling thread on `cpu` only (fewer migrations, steadier numbers).
pub fn pin_to_cpu(cpu: usize) -> bool {
    // SAFETY: `set` is a valid, zeroed CPU set that the macros fill.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}
