// SPDX-License-Identifier: GPL-2.0
//! Thin wrappers of the system calls the tests use: paths as `&str`, failures as the
//! raw errno (`Err(i32)`), so that a test can check the exact error.

use std::ffi::CString;
use std::io::Error;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

pub type Sys<T> = Result<T, i32>;

pub fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in test strings")
}

pub fn errno() -> i32 {
    Error::last_os_error().raw_os_error().unwrap_or(-1)
}

/// The name of an errno value, for messages ("ENOENT").
pub fn ename(e: i32) -> String {
    let name = match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::ENOTTY => "ENOTTY",
        libc::E2BIG => "E2BIG",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EROFS => "EROFS",
        libc::EMLINK => "EMLINK",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ELOOP => "ELOOP",
        libc::ENODATA => "ENODATA",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ETXTBSY => "ETXTBSY",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ERANGE => "ERANGE",
        libc::ESTALE => "ESTALE",
        _ => return format!("errno {e}"),
    };
    name.to_owned()
}

/// -1 (or any negative value) means failure with errno.
fn chk<T: Default + PartialOrd>(r: T) -> Sys<T> {
    if r < T::default() {
        Err(errno())
    } else {
        Ok(r)
    }
}

pub fn open(path: &str, flags: i32, mode: u32) -> Sys<OwnedFd> {
    let p = cstr(path);
    // SAFETY: `p` is a valid string; the new fd is owned by nobody else.
    chk(unsafe { libc::open(p.as_ptr(), flags | libc::O_CLOEXEC, mode) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn mkdir(path: &str, mode: u32) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::mkdir(p.as_ptr(), mode) }).map(drop)
}

pub fn rmdir(path: &str) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::rmdir(p.as_ptr()) }).map(drop)
}

pub fn unlink(path: &str) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::unlink(p.as_ptr()) }).map(drop)
}

pub fn link(old: &str, new: &str) -> Sys<()> {
    let (o, n) = (cstr(old), cstr(new));
    // SAFETY: valid strings.
    chk(unsafe { libc::link(o.as_ptr(), n.as_ptr()) }).map(drop)
}

pub fn linkat_follow(old: &str, new: &str) -> Sys<()> {
    let (o, n) = (cstr(old), cstr(new));
    // SAFETY: valid strings.
    chk(unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            o.as_ptr(),
            libc::AT_FDCWD,
            n.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    })
    .map(drop)
}

pub fn symlink(target: &[u8], path: &str) -> Sys<()> {
    let t = CString::new(target).expect("no NUL in symlink targets");
    let p = cstr(path);
    // SAFETY: valid strings.
    chk(unsafe { libc::symlink(t.as_ptr(), p.as_ptr()) }).map(drop)
}

pub fn readlink(path: &str) -> Sys<Vec<u8>> {
    let p = cstr(path);
    let mut buf = vec![0u8; 8192];
    // SAFETY: valid string and buffer of the given length.
    let n = chk(unsafe { libc::readlink(p.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
    buf.truncate(n as usize);
    Ok(buf)
}

pub fn mknod(path: &str, mode: u32, dev: u64) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::mknod(p.as_ptr(), mode, dev) }).map(drop)
}

pub fn rename(old: &str, new: &str, flags: u32) -> Sys<()> {
    let (o, n) = (cstr(old), cstr(new));
    // SAFETY: valid strings.
    chk(unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            o.as_ptr(),
            libc::AT_FDCWD,
            n.as_ptr(),
            flags,
        )
    })
    .map(drop)
}

pub fn chmod(path: &str, mode: u32) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::chmod(p.as_ptr(), mode) }).map(drop)
}

pub fn lchown(path: &str, uid: u32, gid: u32) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::lchown(p.as_ptr(), uid, gid) }).map(drop)
}

pub fn ts(sec: i64, nsec: i64) -> libc::timespec {
    libc::timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

/// utimensat(2); `times` None means "now" for both.
pub fn utimens(path: &str, times: Option<[libc::timespec; 2]>, flags: i32) -> Sys<()> {
    let p = cstr(path);
    let ptr = times.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
    // SAFETY: valid string; `ptr` is null or points to two timespecs.
    chk(unsafe { libc::utimensat(libc::AT_FDCWD, p.as_ptr(), ptr, flags) }).map(drop)
}

fn zeroed_stat() -> libc::stat {
    // SAFETY: an all-zero stat is a valid value of the plain C struct.
    unsafe { std::mem::zeroed() }
}

/// lstat(2): does not follow a final symlink.
pub fn lstat(path: &str) -> Sys<libc::stat> {
    let p = cstr(path);
    let mut st = zeroed_stat();
    // SAFETY: valid string and out pointer.
    chk(unsafe { libc::lstat(p.as_ptr(), &mut st) })?;
    Ok(st)
}

/// stat(2): follows symlinks.
pub fn stat(path: &str) -> Sys<libc::stat> {
    let p = cstr(path);
    let mut st = zeroed_stat();
    // SAFETY: valid string and out pointer.
    chk(unsafe { libc::stat(p.as_ptr(), &mut st) })?;
    Ok(st)
}

pub fn fstat(fd: &OwnedFd) -> Sys<libc::stat> {
    let mut st = zeroed_stat();
    // SAFETY: valid fd and out pointer.
    chk(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
    Ok(st)
}

pub fn statfs(path: &str) -> Sys<libc::statfs> {
    let p = cstr(path);
    // SAFETY: an all-zero statfs is a valid value of the plain C struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid string and out pointer.
    chk(unsafe { libc::statfs(p.as_ptr(), &mut st) })?;
    Ok(st)
}

pub fn truncate(path: &str, len: i64) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::truncate(p.as_ptr(), len) }).map(drop)
}

pub fn ftruncate(fd: &OwnedFd, len: i64) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::ftruncate(fd.as_raw_fd(), len) }).map(drop)
}

pub fn write(fd: &OwnedFd, buf: &[u8]) -> Sys<usize> {
    // SAFETY: valid fd and buffer.
    chk(unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) }).map(|n| n as usize)
}

pub fn read(fd: &OwnedFd, len: usize) -> Sys<Vec<u8>> {
    let mut buf = vec![0u8; len];
    // SAFETY: valid fd and buffer.
    let n = chk(unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), len) })?;
    buf.truncate(n as usize);
    Ok(buf)
}

pub fn pwrite(fd: &OwnedFd, buf: &[u8], off: i64) -> Sys<usize> {
    // SAFETY: valid fd and buffer.
    chk(unsafe { libc::pwrite(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len(), off) })
        .map(|n| n as usize)
}

/// `pwrite(2)` of one byte from an address that is not mapped: the kernel's copy faults.
pub fn pwrite_bad_buffer(fd: &OwnedFd, off: i64) -> Sys<usize> {
    // SAFETY: valid fd; the kernel checks the address (page 0 is never mapped) and fails
    // with EFAULT.
    chk(unsafe { libc::pwrite(fd.as_raw_fd(), std::ptr::null(), 1, off) }).map(|n| n as usize)
}

/// `pwrite(2)` of `len` bytes from a buffer of which only the first `good` are mapped (and
/// hold `byte`): the kernel's copy faults part-way, and the write is short.
pub fn pwrite_part_mapped(fd: &OwnedFd, good: usize, len: usize, byte: u8, off: i64) -> Sys<usize> {
    let page = 4096;
    assert!(good <= page);
    // SAFETY: a new anonymous mapping of two pages chosen by the kernel.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(errno());
    }
    let p = p.cast::<u8>();
    // SAFETY: the mapping is ours: its first page is filled and stays, its second unmapped, so
    // that the buffer ends with the first page; all of it is unmapped after the write.
    unsafe {
        std::ptr::write_bytes(p, byte, page);
        libc::munmap(p.add(page).cast(), page);
        let buf = p.add(page - good);
        let r = chk(libc::pwrite(fd.as_raw_fd(), buf.cast(), len, off)).map(|n| n as usize);
        libc::munmap(p.cast(), page);
        r
    }
}

pub fn pread(fd: &OwnedFd, len: usize, off: i64) -> Sys<Vec<u8>> {
    let mut buf = vec![0u8; len];
    // SAFETY: valid fd and buffer.
    let n = chk(unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), len, off) })?;
    buf.truncate(n as usize);
    Ok(buf)
}

/// Reads `len` bytes at `off` in a loop (short reads allowed), stops at EOF.
pub fn pread_full(fd: &OwnedFd, len: usize, off: i64) -> Sys<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let chunk = pread(fd, len - out.len(), off + out.len() as i64)?;
        if chunk.is_empty() {
            break;
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

pub fn pwrite_full(fd: &OwnedFd, buf: &[u8], off: i64) -> Sys<()> {
    let mut done = 0;
    while done < buf.len() {
        done += pwrite(fd, &buf[done..], off + done as i64)?;
    }
    Ok(())
}

pub fn lseek(fd: &OwnedFd, off: i64, whence: i32) -> Sys<i64> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::lseek(fd.as_raw_fd(), off, whence) })
}

pub fn fsync(fd: &OwnedFd) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::fsync(fd.as_raw_fd()) }).map(drop)
}

pub fn fdatasync(fd: &OwnedFd) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::fdatasync(fd.as_raw_fd()) }).map(drop)
}

pub fn syncfs(fd: &OwnedFd) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::syncfs(fd.as_raw_fd()) }).map(drop)
}

pub fn fallocate(fd: &OwnedFd, mode: i32, off: i64, len: i64) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::fallocate(fd.as_raw_fd(), mode, off, len) }).map(drop)
}

pub fn setxattr(path: &str, name: &str, val: &[u8]) -> Sys<()> {
    let (p, n) = (cstr(path), cstr(name));
    // SAFETY: valid strings and buffer.
    chk(unsafe { libc::setxattr(p.as_ptr(), n.as_ptr(), val.as_ptr().cast(), val.len(), 0) })
        .map(drop)
}

pub fn getxattr(path: &str, name: &str) -> Sys<Vec<u8>> {
    let (p, n) = (cstr(path), cstr(name));
    let mut buf = vec![0u8; 256];
    // SAFETY: valid strings and buffer.
    let r =
        chk(unsafe { libc::getxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
    buf.truncate(r as usize);
    Ok(buf)
}

pub fn listxattr(path: &str) -> Sys<Vec<u8>> {
    let p = cstr(path);
    let mut buf = vec![0u8; 256];
    // SAFETY: valid string and buffer.
    let r = chk(unsafe { libc::listxattr(p.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
    buf.truncate(r as usize);
    Ok(buf)
}

/// One entry of getdents64.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dirent {
    pub name: String,
    pub ino: u64,
    pub dtype: u8,
}

/// All entries of a directory fd from its current position, read with getdents64 in
/// calls of `bufsize` bytes.
pub fn getdents(fd: &OwnedFd, bufsize: usize) -> Sys<Vec<Dirent>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; bufsize];
    loop {
        // SAFETY: valid fd and buffer of the given length.
        let n = chk(unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                fd.as_raw_fd(),
                buf.as_mut_ptr(),
                buf.len(),
            )
        })? as usize;
        if n == 0 {
            return Ok(out);
        }
        let mut off = 0;
        while off < n {
            // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, name.
            let rec = &buf[off..n];
            let ino = u64::from_ne_bytes(rec[0..8].try_into().unwrap());
            let reclen = u16::from_ne_bytes(rec[16..18].try_into().unwrap()) as usize;
            let dtype = rec[18];
            let name = &rec[19..reclen];
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            out.push(Dirent {
                name: String::from_utf8_lossy(&name[..end]).into_owned(),
                ino,
                dtype,
            });
            off += reclen;
        }
    }
}

pub fn copy_file_range(
    fd_in: &OwnedFd,
    off_in: &mut i64,
    fd_out: &OwnedFd,
    off_out: &mut i64,
    len: usize,
) -> Sys<usize> {
    // SAFETY: valid fds and offset pointers.
    chk(unsafe {
        libc::copy_file_range(
            fd_in.as_raw_fd(),
            off_in,
            fd_out.as_raw_fd(),
            off_out,
            len,
            0,
        )
    })
    .map(|n| n as usize)
}

pub fn sendfile(out: &OwnedFd, fd_in: &OwnedFd, off: &mut i64, len: usize) -> Sys<usize> {
    // SAFETY: valid fds and offset pointer.
    chk(unsafe { libc::sendfile(out.as_raw_fd(), fd_in.as_raw_fd(), off, len) }).map(|n| n as usize)
}

/// splice(2) with optional offsets (None for the pipe end).
pub fn splice(
    fd_in: &OwnedFd,
    off_in: Option<&mut i64>,
    fd_out: &OwnedFd,
    off_out: Option<&mut i64>,
    len: usize,
) -> Sys<usize> {
    let pi = off_in.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    let po = off_out.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    // SAFETY: valid fds; the offset pointers are null or valid.
    chk(unsafe { libc::splice(fd_in.as_raw_fd(), pi, fd_out.as_raw_fd(), po, len, 0) })
        .map(|n| n as usize)
}

pub fn pipe() -> Sys<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: valid out array of two fds.
    chk(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both fds are new and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A shared or private mapping of a file, unmapped on drop.
pub struct Map {
    pub ptr: *mut u8,
    pub len: usize,
}

impl Map {
    pub fn new(fd: &OwnedFd, len: usize, prot: i32, flags: i32) -> Sys<Self> {
        // SAFETY: a new mapping chosen by the kernel; the fd is valid.
        let p = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd.as_raw_fd(), 0) };
        if p == libc::MAP_FAILED {
            return Err(errno());
        }
        Ok(Self { ptr: p.cast(), len })
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is `len` bytes long and lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above; the mapping is writable when asked for it.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    pub fn msync(&self) -> Sys<()> {
        // SAFETY: the mapping is ours.
        chk(unsafe { libc::msync(self.ptr.cast(), self.len, libc::MS_SYNC) }).map(drop)
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: the mapping is ours and not used after this.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

pub fn mount(fstype: &str, target: &str, data: Option<&str>) -> Sys<()> {
    mount_with_flags(fstype, target, 0, data)
}

/// mount(2) of a new instance of `fstype` on `target` with `flags` (`MS_STRICTATIME`, ...)
/// and `data`.
pub fn mount_with_flags(
    fstype: &str,
    target: &str,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> Sys<()> {
    std::fs::create_dir_all(target).map_err(|e| e.raw_os_error().unwrap_or(-1))?;
    let (src, tgt, ty) = (cstr("none"), cstr(target), cstr(fstype));
    let data = data.map(cstr);
    let dptr = data
        .as_ref()
        .map_or(std::ptr::null(), |d| d.as_ptr().cast());
    // SAFETY: All pointers are valid NUL-terminated strings or null.
    chk(unsafe { libc::mount(src.as_ptr(), tgt.as_ptr(), ty.as_ptr(), flags, dptr) }).map(drop)
}

/// mount(2) of `target` again with `MS_REMOUNT | flags` and `data`.
pub fn remount(target: &str, flags: libc::c_ulong, data: Option<&str>) -> Sys<()> {
    let (src, tgt) = (cstr("none"), cstr(target));
    let data = data.map(cstr);
    let dptr = data
        .as_ref()
        .map_or(std::ptr::null(), |d| d.as_ptr().cast());
    let flags = libc::MS_REMOUNT | flags;
    // SAFETY: All pointers are valid NUL-terminated strings or null.
    chk(unsafe { libc::mount(src.as_ptr(), tgt.as_ptr(), std::ptr::null(), flags, dptr) }).map(drop)
}

pub fn umount(target: &str) -> Sys<()> {
    let t = cstr(target);
    // SAFETY: `t` is a valid NUL-terminated string.
    chk(unsafe { libc::umount(t.as_ptr()) }).map(drop)
}

/// Makes the calling process uid and gid (real, effective and saved) with no
/// supplementary groups. Only for forked children: there is no way back.
pub fn become_user(uid: u32, gid: u32) -> Result<(), String> {
    // SAFETY: plain syscalls changing the process's credentials.
    if unsafe { libc::setgroups(0, std::ptr::null()) } != 0 {
        Err(format!("setgroups: {}", ename(errno())))
    } else if unsafe { libc::setresgid(gid, gid, gid) } != 0 {
        Err(format!("setresgid: {}", ename(errno())))
    } else if unsafe { libc::setresuid(uid, uid, uid) } != 0 {
        Err(format!("setresuid: {}", ename(errno())))
    } else {
        Ok(())
    }
}

/// Runs `f` in a forked child with the given uid and gid (and no supplementary groups);
/// the child's result comes back through a pipe.
pub fn as_user(uid: u32, gid: u32, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let (rd, wr) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", ename(errno())));
    }
    if pid == 0 {
        drop(rd);
        let r = become_user(uid, gid).and_then(|()| f());
        let msg = match &r {
            Ok(()) => String::new(),
            Err(m) => m.clone(),
        };
        let _ = write(&wr, msg.as_bytes());
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(if r.is_ok() { 0 } else { 1 }) };
    }
    drop(wr);
    let mut msg = Vec::new();
    loop {
        match read(&rd, 4096) {
            Ok(b) if b.is_empty() => break,
            Ok(b) => msg.extend_from_slice(&b),
            Err(libc::EINTR) => continue,
            Err(e) => return Err(format!("read from child: {}", ename(e))),
        }
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else if !msg.is_empty() {
        Err(format!("as uid {uid}: {}", String::from_utf8_lossy(&msg)))
    } else {
        Err(format!("child as uid {uid} ended with status {status:#x}"))
    }
}

pub fn umask(mask: u32) -> u32 {
    // SAFETY: plain syscall.
    unsafe { libc::umask(mask) }
}

pub fn fchmod(fd: &OwnedFd, mode: u32) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::fchmod(fd.as_raw_fd(), mode) }).map(drop)
}

pub fn chdir(path: &str) -> Sys<()> {
    let p = cstr(path);
    // SAFETY: valid string.
    chk(unsafe { libc::chdir(p.as_ptr()) }).map(drop)
}

pub fn fchdir(fd: &OwnedFd) -> Sys<()> {
    // SAFETY: plain syscall on a valid fd.
    chk(unsafe { libc::fchdir(fd.as_raw_fd()) }).map(drop)
}

/// getcwd(2) (the system call: it fails ENOENT when the working directory was removed).
pub fn getcwd() -> Sys<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: valid buffer of the given length.
    let n = chk(unsafe { libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr(), buf.len()) })?;
    buf.truncate((n as usize).saturating_sub(1));
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// openat(2) relative to a directory fd.
pub fn openat(dir: &OwnedFd, path: &str, flags: i32, mode: u32) -> Sys<OwnedFd> {
    let p = cstr(path);
    // SAFETY: valid fd and string; the new fd is owned by nobody else.
    chk(unsafe { libc::openat(dir.as_raw_fd(), p.as_ptr(), flags | libc::O_CLOEXEC, mode) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn unshare(flags: i32) -> Sys<()> {
    // SAFETY: plain syscall.
    chk(unsafe { libc::unshare(flags) }).map(drop)
}

/// mount(2) with explicit flags and no data (for propagation changes).
pub fn mount_flags(target: &str, flags: libc::c_ulong) -> Sys<()> {
    let (src, tgt) = (cstr("none"), cstr(target));
    // SAFETY: valid strings; null type and data are allowed for propagation changes.
    chk(unsafe {
        libc::mount(
            src.as_ptr(),
            tgt.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    })
    .map(drop)
}

// The new mount API (include/uapi/linux/mount.h).
pub const FSCONFIG_SET_FLAG: u32 = 0;
pub const FSCONFIG_SET_STRING: u32 = 1;
pub const FSCONFIG_SET_BINARY: u32 = 2;
pub const FSCONFIG_SET_PATH: u32 = 3;
pub const FSCONFIG_SET_PATH_EMPTY: u32 = 4;
pub const FSCONFIG_SET_FD: u32 = 5;
pub const FSCONFIG_CMD_CREATE: u32 = 6;
pub const FSCONFIG_CMD_RECONFIGURE: u32 = 7;
const FSOPEN_CLOEXEC: u32 = 1;
const FSMOUNT_CLOEXEC: u32 = 1;

pub fn fsopen(fstype: &str) -> Sys<OwnedFd> {
    let name = cstr(fstype);
    // SAFETY: valid string; the new fd is owned by nobody else.
    chk(unsafe { libc::syscall(libc::SYS_fsopen, name.as_ptr(), FSOPEN_CLOEXEC) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// fspick(2): a context to reconfigure the superblock mounted at `path`.
pub fn fspick(path: &str) -> Sys<OwnedFd> {
    let p = cstr(path);
    // SAFETY: valid path; the new fd is owned by nobody else (FSPICK_CLOEXEC is 1).
    chk(unsafe { libc::syscall(libc::SYS_fspick, libc::AT_FDCWD, p.as_ptr(), 1) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// fsconfig(2): `value` None sets a flag, Some a string; `key` None is a command.
pub fn fsconfig(fd: &OwnedFd, cmd: u32, key: Option<&str>, value: Option<&str>) -> Sys<()> {
    let (k, v) = (key.map(cstr), value.map(cstr));
    let kp = k.as_ref().map_or(std::ptr::null(), |k| k.as_ptr());
    let vp = v.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
    // SAFETY: valid fd; the strings are valid or null as the command needs.
    chk(unsafe { libc::syscall(libc::SYS_fsconfig, fd.as_raw_fd(), cmd, kp, vp, 0) }).map(drop)
}

/// fsconfig(2) with a raw value pointer and `aux` (binary values, paths, fds).
pub fn fsconfig_raw(
    fd: &OwnedFd,
    cmd: u32,
    key: &str,
    value: *const libc::c_void,
    aux: i32,
) -> Sys<()> {
    let k = cstr(key);
    // SAFETY: valid fd and key; `value` is what the command needs, checked by the caller.
    chk(unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fd.as_raw_fd(),
            cmd,
            k.as_ptr(),
            value,
            aux,
        )
    })
    .map(drop)
}

/// fsmount(2) of a created context: a detached mount of its root.
pub fn fsmount(fd: &OwnedFd) -> Sys<OwnedFd> {
    // SAFETY: valid fd; the new fd is owned by nobody else.
    chk(unsafe { libc::syscall(libc::SYS_fsmount, fd.as_raw_fd(), FSMOUNT_CLOEXEC, 0) })
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The messages of an fs_context's log, read from its fd one per read(2) until it is
/// empty (ENODATA); each is "e|w|i PREFIX: text".
pub fn fs_log(fd: &OwnedFd) -> Sys<Vec<String>> {
    let mut out = Vec::new();
    loop {
        match read(fd, 8192) {
            Ok(b) => out.push(String::from_utf8_lossy(&b).trim_end().to_owned()),
            Err(libc::ENODATA) => return Ok(out),
            Err(e) => return Err(e),
        }
    }
}

/// A reader of the kernel log that sees only the records written after it was made.
pub struct Kmsg {
    rd: OwnedFd,
    wr: OwnedFd,
}

/// The text of the record `Kmsg` writes to end what it reads.
const KMSG_MARK: &str = "bs2ramfs-guest-tests: kmsg mark";

impl Kmsg {
    pub fn new() -> Sys<Self> {
        let rd = open("/dev/kmsg", libc::O_RDONLY | libc::O_NONBLOCK, 0)?;
        lseek(&rd, 0, libc::SEEK_END)?;
        let wr = open("/dev/kmsg", libc::O_WRONLY, 0)?;
        Ok(Self { rd, wr })
    }

    /// The texts of the records since the last call (or since `new`).
    pub fn messages(&self) -> Sys<Vec<String>> {
        // A record cut at the printk size limit has lost its newline, so printk keeps it
        // open for a continuation and readers do not see it until the next record: write
        // one, and read up to it. At debug level ("<7>"), so that it stays off the console
        // (where it would land among the program's own lines).
        write(&self.wr, format!("<7>{KMSG_MARK}\n").as_bytes())?;
        let mut out = Vec::new();
        loop {
            match read(&self.rd, 8192) {
                // "prio,seq,time,flags;text\n" then continuation lines.
                Ok(b) => {
                    let rec = String::from_utf8_lossy(&b);
                    let text = rec.split_once(';').map_or("", |(_, t)| t);
                    let text = text.lines().next().unwrap_or("");
                    if text == KMSG_MARK {
                        return Ok(out);
                    }
                    out.push(text.to_owned());
                }
                Err(libc::EAGAIN) => return Ok(out),
                // Records were overwritten before we read them: go on with the next.
                Err(libc::EPIPE) => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

pub fn fstatfs(fd: &OwnedFd) -> Sys<libc::statfs> {
    // SAFETY: an all-zero statfs is a valid value of the plain C struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid fd and out pointer.
    chk(unsafe { libc::fstatfs(fd.as_raw_fd(), &mut st) })?;
    Ok(st)
}

/// Everything a pipe's reader gets until every writer is closed.
pub fn read_to_end(fd: &OwnedFd) -> Sys<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match read(fd, 4096) {
            Ok(b) if b.is_empty() => return Ok(out),
            Ok(b) => out.extend_from_slice(&b),
            Err(libc::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// fcntl(2) with an integer (or pointer, cast) argument; returns what the call returns.
pub fn fcntl(fd: &OwnedFd, cmd: i32, arg: libc::c_long) -> Sys<i32> {
    // SAFETY: valid fd; a command that takes a pointer is given a valid one by the caller.
    chk(unsafe { libc::fcntl(fd.as_raw_fd(), cmd, arg) })
}

/// statx(2) of `path` (relative to the working directory) with `flags` and `mask`.
pub fn statx(path: &str, flags: i32, mask: u32) -> Sys<libc::statx> {
    let p = cstr(path);
    // SAFETY: an all-zero statx is a valid value of the plain C struct.
    let mut stx: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: valid string and out pointer.
    chk(unsafe { libc::statx(libc::AT_FDCWD, p.as_ptr(), flags, mask, &mut stx) })?;
    Ok(stx)
}

/// sysinfo(2).
pub fn sysinfo() -> Sys<libc::sysinfo> {
    // SAFETY: an all-zero sysinfo is a valid value of the plain C struct.
    let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: valid out pointer.
    chk(unsafe { libc::sysinfo(&mut si) })?;
    Ok(si)
}

/// pread(2) into `buf` (which may start at any address); returns the bytes read.
pub fn pread_into(fd: &OwnedFd, buf: &mut [u8], off: i64) -> Sys<usize> {
    // SAFETY: valid fd and buffer of the given length.
    chk(unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), off) })
        .map(|n| n as usize)
}
