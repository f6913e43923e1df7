// SPDX-License-Identifier: GPL-2.0
//! POSIX ACLs (`system.posix_acl_access`, `system.posix_acl_default`), as tmpfs has them with
//! CONFIG_TMPFS_POSIX_ACL: the umask left to the file system, an access ACL and the mode bits
//! that follow it, default ACLs inherited on creation, permission checks of named entries,
//! symbolic links without ACLs, ACLs through an idmapped mount, ACLs kept in the inode's cache
//! and not charged to the instance. Each test runs the same steps on tmpfs first (the
//! reference) and then on bs2ramfs (`parity::same_as_tmpfs`): every step's outcome is a line
//! of a transcript, and bs2ramfs must give the same lines. The ACLs are set and read with the
//! system calls and the binary format of include/uapi/linux/posix_acl_xattr.h (a tool's
//! output format is no part of the comparison), but for one end-to-end check with
//! setfacl(1) and getfacl(1).

use crate::parity::{expect, p, rec, rec_ok, same_as_tmpfs, Log, ROOT};
use crate::sys::*;
use crate::TestResult;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

const ACCESS: &str = "system.posix_acl_access";
const DEFAULT: &str = "system.posix_acl_default";

// include/uapi/linux/posix_acl_xattr.h and posix_acl.h.
const VERSION: u32 = 2;
const USER_OBJ: u16 = 0x01;
const USER: u16 = 0x02;
const GROUP_OBJ: u16 = 0x04;
const GROUP: u16 = 0x08;
const MASK: u16 = 0x10;
const OTHER: u16 = 0x20;
const UNDEFINED_ID: u32 = u32::MAX;

/// The tests of this module, for main's list.
pub fn tests() -> Vec<(&'static str, crate::BasicTest)> {
    vec![
        ("acl_umask", t_umask),
        ("acl_access", t_access),
        ("acl_default", t_default),
        ("acl_permissions", t_permissions),
        ("acl_symlink", t_symlink),
        ("acl_idmapped_mount", t_idmapped),
        ("acl_userns_mount", t_userns_mount),
        ("acl_cached_not_charged", t_cached_not_charged),
        ("acl_setfacl_getfacl", t_setfacl_getfacl),
    ]
}

/// One entry of the binary format.
fn entry(tag: u16, perm: u16, id: u32) -> [u8; 8] {
    let mut e = [0u8; 8];
    e[0..2].copy_from_slice(&tag.to_le_bytes());
    e[2..4].copy_from_slice(&perm.to_le_bytes());
    e[4..8].copy_from_slice(&id.to_le_bytes());
    e
}

/// The binary form of `text`, the short text form ("u::rw-,u:1000:rwx,g::r--,m::rwx,o::r--"),
/// entries in the order given (the kernel checks the order, not the encoder).
fn encode(text: &str) -> Vec<u8> {
    let mut v = VERSION.to_le_bytes().to_vec();
    for e in text.split(',').filter(|e| !e.is_empty()) {
        let f: Vec<&str> = e.split(':').collect();
        assert!(f.len() == 3, "bad ACL entry {e:?}");
        let id = if f[1].is_empty() {
            UNDEFINED_ID
        } else {
            f[1].parse().expect("numeric ids in test ACLs")
        };
        let tag = match (f[0], f[1].is_empty()) {
            ("u", true) => USER_OBJ,
            ("u", false) => USER,
            ("g", true) => GROUP_OBJ,
            ("g", false) => GROUP,
            ("m", _) => MASK,
            ("o", _) => OTHER,
            _ => panic!("bad ACL tag in {e:?}"),
        };
        let perm = f[2]
            .chars()
            .zip([4u16, 2, 1])
            .filter(|(c, _)| *c != '-')
            .map(|(_, b)| b)
            .sum();
        v.extend_from_slice(&entry(tag, perm, id));
    }
    v
}

/// The short text form of a binary ACL (as `encode` takes it); what the format does not
/// expect (a size that is no whole number of entries, another version, an id on an entry that
/// has none, unknown tags or permission bits) is shown as such.
fn decode(b: &[u8]) -> String {
    if b.len() < 4 || (b.len() - 4) % 8 != 0 {
        return format!("(size {})", b.len());
    }
    let version = u32::from_le_bytes(b[0..4].try_into().unwrap());
    let mut out = Vec::new();
    if version != VERSION {
        out.push(format!("(version {version})"));
    }
    for e in b[4..].chunks(8) {
        let tag = u16::from_le_bytes(e[0..2].try_into().unwrap());
        let perm = u16::from_le_bytes(e[2..4].try_into().unwrap());
        let id = u32::from_le_bytes(e[4..8].try_into().unwrap());
        let t = match tag {
            USER_OBJ | USER => "u",
            GROUP_OBJ | GROUP => "g",
            MASK => "m",
            OTHER => "o",
            _ => "?",
        };
        let named = matches!(tag, USER | GROUP);
        let id = match (named, id) {
            (true, id) => id.to_string(),
            (false, UNDEFINED_ID) => String::new(),
            (false, id) => format!("(id {id})"),
        };
        let mut s = format!("{t}:{id}:");
        for (c, bit) in [('r', 4), ('w', 2), ('x', 1)] {
            s.push(if perm & bit != 0 { c } else { '-' });
        }
        if perm & !7 != 0 || t == "?" {
            s.push_str(&format!("(tag {tag:#x} perm {perm:#x})"));
        }
        out.push(s);
    }
    out.join(",")
}

/// `lsetxattr(2)` of `name` with the raw `value` and `flags`.
fn set_raw(path: &str, name: &str, value: &[u8], flags: i32) -> Sys<()> {
    let (p, n) = (cstr(path), cstr(name));
    // SAFETY: valid strings and buffer.
    let r = unsafe {
        libc::lsetxattr(
            p.as_ptr(),
            n.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            flags,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// Sets the ACL `name` of `path` (not following a symlink) to `text`.
fn set(path: &str, name: &str, text: &str) -> Sys<()> {
    set_raw(path, name, &encode(text), 0)
}

/// `setxattr(2)`: follows a symlink.
fn set_follow(path: &str, name: &str, text: &str) -> Sys<()> {
    let (p, n, v) = (cstr(path), cstr(name), encode(text));
    // SAFETY: valid strings and buffer.
    let r = unsafe { libc::setxattr(p.as_ptr(), n.as_ptr(), v.as_ptr().cast(), v.len(), 0) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// `lremovexattr(2)`.
fn remove(path: &str, name: &str) -> Sys<()> {
    let (p, n) = (cstr(path), cstr(name));
    // SAFETY: valid strings.
    if unsafe { libc::lremovexattr(p.as_ptr(), n.as_ptr()) } < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// `lgetxattr(2)` (or `getxattr(2)` with `follow`) with a buffer of `size` bytes: the size
/// it gives.
fn get_size(path: &str, name: &str, size: usize, follow: bool) -> Sys<usize> {
    let (p, n) = (cstr(path), cstr(name));
    let mut buf = vec![0u8; size.max(1)];
    let ptr = if size == 0 {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr().cast()
    };
    // SAFETY: valid strings; `ptr` is null (with size 0) or a buffer of `size` bytes.
    let r = unsafe {
        if follow {
            libc::getxattr(p.as_ptr(), n.as_ptr(), ptr, size)
        } else {
            libc::lgetxattr(p.as_ptr(), n.as_ptr(), ptr, size)
        }
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(r as usize)
    }
}

/// The ACL `name` of `path` in text form, with `lgetxattr(2)` (`getxattr(2)` with `follow`).
fn get_with(path: &str, name: &str, follow: bool) -> Sys<String> {
    let (p, n) = (cstr(path), cstr(name));
    let mut buf = vec![0u8; 65536];
    // SAFETY: valid strings and buffer.
    let r = unsafe {
        if follow {
            libc::getxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        } else {
            libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        }
    };
    if r < 0 {
        return Err(errno());
    }
    Ok(decode(&buf[..r as usize]))
}

fn get(path: &str, name: &str) -> Sys<String> {
    get_with(path, name, false)
}

/// `fgetxattr(2)` in text form.
fn fget(fd: &OwnedFd, name: &str) -> Sys<String> {
    let n = cstr(name);
    let mut buf = vec![0u8; 65536];
    // SAFETY: valid fd, string and buffer.
    let r = unsafe {
        libc::fgetxattr(
            fd.as_raw_fd(),
            n.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if r < 0 {
        return Err(errno());
    }
    Ok(decode(&buf[..r as usize]))
}

/// The names `llistxattr(2)` gives, sorted, but for a security module's labels.
fn names(path: &str) -> Sys<String> {
    let c = cstr(path);
    let mut buf = vec![0u8; 65536];
    // SAFETY: valid string and buffer.
    let r = unsafe { libc::llistxattr(c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if r < 0 {
        return Err(errno());
    }
    let mut v: Vec<String> = buf[..r as usize]
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .filter(|n| !n.starts_with("security."))
        .collect();
    v.sort();
    Ok(format!("[{}]", v.join(" ")))
}

fn mode_of(path: &str) -> Sys<u32> {
    lstat(path).map(|s| s.st_mode)
}

/// A value, or the name of its errno.
fn show<T: std::fmt::Display>(r: Sys<T>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => ename(e),
    }
}

/// What a transcript shows of an inode: mode, owner, both ACLs, the names listed.
fn state(log: &mut Log, what: &str, path: &str) {
    let (mode, owner) = match lstat(path) {
        Ok(s) => (
            format!("{:o}", s.st_mode),
            format!("{}:{}", s.st_uid, s.st_gid),
        ),
        Err(e) => (ename(e), String::new()),
    };
    log.push(format!(
        "{what}: mode {mode} owner {owner} access {} default {} listed {}",
        show(get(path, ACCESS)),
        show(get(path, DEFAULT)),
        show(names(path))
    ));
}

/// `state` of an open file (an O_TMPFILE one).
fn fstate(log: &mut Log, what: &str, fd: &OwnedFd) {
    let mode = show(fstat(fd).map(|s| format!("{:o}", s.st_mode)));
    log.push(format!(
        "{what}: mode {mode} access {} default {}",
        show(fget(fd, ACCESS)),
        show(fget(fd, DEFAULT))
    ));
}

/// Runs `f` in a forked child as `uid`/`gid` (no supplementary groups); its errno comes back
/// as the exit status.
fn as_uid(uid: u32, gid: u32, f: impl FnOnce() -> Sys<()>) -> Sys<()> {
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(errno());
    }
    if pid == 0 {
        let code = match become_user(uid, gid).map_err(|_| 255).and_then(|()| f()) {
            Ok(()) => 0,
            Err(e) => e.clamp(1, 255),
        };
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    match (libc::WIFEXITED(status), libc::WEXITSTATUS(status)) {
        (true, 0) => Ok(()),
        (true, e) => Err(e),
        _ => Err(-1),
    }
}

/// `open(2)` that closes what it opened.
fn try_open(path: &str, flags: i32) -> Sys<()> {
    open(path, flags, 0o644).map(drop)
}

/// Creates `path` with `open(2)` and `mode` (under the process's umask).
fn create(path: &str, mode: u32) -> Sys<()> {
    open(path, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, mode).map(drop)
}

/// Runs `f` with the umask `mask`, then puts the old one back.
fn with_umask<T>(mask: u32, f: impl FnOnce() -> T) -> T {
    let old = umask(mask);
    let r = f();
    umask(old);
    r
}

fn ctime(path: &str) -> (i64, i64) {
    lstat(path).map_or((0, 0), |s| (s.st_ctime, s.st_ctime_nsec))
}

// 1. The umask, with no default ACL.

/// With SB_POSIXACL the VFS leaves the umask to the file system (`posix_acl_create()`): every
/// kind of inode made with no default ACL above it still has its mode masked.
fn umask_steps(_fs: &str, log: &mut Log) -> TestResult {
    for mask in [0o022, 0o077] {
        let d = p(&format!("umask{mask:03o}"));
        ok!(mkdir(&d, 0o777));
        let path = |n: &str| format!("{d}/{n}");
        let tmp = with_umask(mask, || {
            rec_ok(log, "create file 0666", create(&path("file"), 0o666));
            rec_ok(log, "mkdir 0777", mkdir(&path("dir"), 0o777));
            rec_ok(
                log,
                "mkfifo 0666",
                mknod(&path("fifo"), libc::S_IFIFO | 0o666, 0),
            );
            rec_ok(log, "symlink", symlink(b"file", &path("link")));
            rec_ok(log, "mkdir 01777", mkdir(&path("sticky"), 0o1777));
            open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o666)
        });
        log.push(format!("umask {mask:03o}"));
        for n in ["file", "dir", "fifo", "link", "sticky"] {
            state(log, n, &path(n));
        }
        match &tmp {
            Ok(fd) => fstate(log, "O_TMPFILE 0666", fd),
            Err(e) => log.push(format!("O_TMPFILE 0666: {}", ename(*e))),
        }
        let m = |n: &str| mode_of(&path(n)).unwrap_or(0) & 0o7777;
        expect(log, "file masked", m("file") == 0o666 & !mask);
        expect(log, "dir masked", m("dir") == 0o777 & !mask);
        expect(log, "fifo masked", m("fifo") == 0o666 & !mask);
        expect(log, "symlink 0777", m("link") == 0o777);
        let tmode = tmp
            .as_ref()
            .map_or(0, |fd| fstat(fd).map_or(0, |s| s.st_mode & 0o7777));
        expect(log, "O_TMPFILE masked", tmode == 0o666 & !mask);
    }
    Ok(())
}

/// The umask (022 and 077) on a file, a directory, a fifo, a symlink and an O_TMPFILE file
/// with no default ACL: as tmpfs masks them.
fn t_umask() -> TestResult {
    same_as_tmpfs(None, None, &umask_steps)
}

// 2. Access ACLs.

const NAMED: &str = "u::rw-,u:1000:rwx,g::r--,m::rwx,o::r--";

fn access_steps(_fs: &str, log: &mut Log) -> TestResult {
    let f = p("f");
    ok!(with_umask(0, || create(&f, 0o644)));
    // No ACL: nothing listed, nothing to read.
    state(log, "fresh file", &f);
    expect(
        log,
        "a fresh file lists no ACL",
        names(&f) == Ok("[]".into()),
    );
    // A named user: the group bits of the mode are the mask.
    let before = ctime(&f);
    std::thread::sleep(Duration::from_millis(20));
    rec_ok(log, "set u:1000:rwx", set(&f, ACCESS, NAMED));
    expect(log, "ctime changed", ctime(&f) != before);
    state(log, "named user", &f);
    expect(
        log,
        "group bits are the mask",
        mode_of(&f) == Ok(libc::S_IFREG | 0o674),
    );
    expect(log, "read back as set", get(&f, ACCESS) == Ok(NAMED.into()));
    rec(log, "size query", get_size(&f, ACCESS, 0, false));
    rec(log, "buffer of 44", get_size(&f, ACCESS, 44, false));
    rec(log, "buffer of 43", get_size(&f, ACCESS, 43, false));
    // chmod rewrites the mask, the owner's and the others' entries.
    rec_ok(log, "chmod 640", chmod(&f, 0o640));
    state(log, "chmod 640", &f);
    expect(
        log,
        "chmod sets the mask",
        get(&f, ACCESS) == Ok("u::rw-,u:1000:rwx,g::r--,m::r--,o::---".into()),
    );
    // An ACL of the mode's three entries only is the mode: no ACL is kept.
    rec_ok(
        log,
        "set u::rwx,g::r-x,o::---",
        set(&f, ACCESS, "u::rwx,g::r-x,o::---"),
    );
    state(log, "equivalent ACL", &f);
    expect(
        log,
        "an equivalent ACL is not kept",
        mode_of(&f) == Ok(libc::S_IFREG | 0o750) && get(&f, ACCESS) == Err(libc::ENODATA),
    );
    let two = "u::rw-,u:1000:r--,u:1001:rw-,g::r--,g:1002:rw-,m::rw-,o::---";
    rec_ok(log, "set named users and group", set(&f, ACCESS, two));
    state(log, "named users and group", &f);
    // What the kernel refuses, and leaves the ACL as it was.
    let bad: [(&str, Vec<u8>); 9] = [
        ("no mask", encode("u::rw-,u:1000:r--,g::r--,o::---")),
        ("no other", encode("u::rw-,g::r--")),
        ("out of order", encode("g::r--,u::rw-,o::---")),
        ("two owners", encode("u::rw-,u::rw-,g::r--,o::---")),
        ("perm bit 8", {
            let mut v = encode("u::rw-,g::r--");
            v.extend_from_slice(&entry(OTHER, 8, UNDEFINED_ID));
            v
        }),
        ("tag 0x40", {
            let mut v = encode("u::rw-,g::r--,o::---");
            v.extend_from_slice(&entry(0x40, 4, UNDEFINED_ID));
            v
        }),
        ("version 1", {
            let mut v = encode("u::rw-,g::r--,o::---");
            v[0] = 1;
            v
        }),
        (
            "part of an entry",
            encode("u::rw-,g::r--,o::---")[..27].to_vec(),
        ),
        ("3 bytes", vec![2, 0, 0]),
    ];
    for (what, v) in &bad {
        rec_ok(log, &format!("set {what}"), set_raw(&f, ACCESS, v, 0));
    }
    state(log, "after refused sets", &f);
    // The flags of setxattr(2).
    rec_ok(
        log,
        "XATTR_CREATE over an ACL",
        set_raw(&f, ACCESS, &encode(NAMED), libc::XATTR_CREATE),
    );
    state(log, "after XATTR_CREATE", &f);
    // A header with no entries, and an empty value, remove the ACL.
    rec_ok(
        log,
        "set header only",
        set_raw(&f, ACCESS, &VERSION.to_le_bytes(), 0),
    );
    state(log, "header only", &f);
    rec_ok(log, "set NAMED", set(&f, ACCESS, NAMED));
    rec_ok(log, "set empty value", set_raw(&f, ACCESS, b"", 0));
    state(log, "empty value", &f);
    rec_ok(
        log,
        "XATTR_REPLACE with no ACL",
        set_raw(&f, ACCESS, &encode(NAMED), libc::XATTR_REPLACE),
    );
    state(log, "after XATTR_REPLACE", &f);
    // removexattr(2), twice.
    rec_ok(log, "set NAMED", set(&f, ACCESS, NAMED));
    rec_ok(log, "removexattr", remove(&f, ACCESS));
    state(log, "removed", &f);
    rec_ok(log, "removexattr again", remove(&f, ACCESS));
    // A directory and a fifo take access ACLs too.
    let d = p("d");
    ok!(mkdir(&d, 0o755));
    rec_ok(
        log,
        "dir: set",
        set(&d, ACCESS, "u::rwx,u:1000:r-x,g::r-x,m::r-x,o::r-x"),
    );
    state(log, "dir", &d);
    let fifo = p("fifo");
    ok!(mknod(&fifo, libc::S_IFIFO | 0o644, 0));
    rec_ok(log, "fifo: set", set(&fifo, ACCESS, NAMED));
    state(log, "fifo", &fifo);
    // The ACL goes with the inode: rename and link keep it, the links share it.
    rec_ok(log, "set NAMED", set(&f, ACCESS, NAMED));
    rec_ok(log, "rename", rename(&f, &p("g"), 0));
    rec_ok(log, "link", link(&p("g"), &p("h")));
    rec_ok(log, "chmod 600 h", chmod(&p("h"), 0o600));
    state(log, "renamed", &p("g"));
    state(log, "link", &p("h"));
    // A large ACL: 100 named users and 100 named groups.
    let users: Vec<String> = (0..100).map(|i| format!("u:{}:r--", 2000 + i)).collect();
    let groups: Vec<String> = (0..100).map(|i| format!("g:{}:-w-", 3000 + i)).collect();
    let big = format!(
        "u::rw-,{},g::r--,{},m::rw-,o::---",
        users.join(","),
        groups.join(",")
    );
    rec_ok(log, "set 200 named entries", set(&p("g"), ACCESS, &big));
    rec(log, "its size", get_size(&p("g"), ACCESS, 0, false));
    expect(
        log,
        "read back as set",
        get(&p("g"), ACCESS) == Ok(big.clone()),
    );
    Ok(())
}

/// An access ACL: the mode's group bits are its mask, it reads back as set and is listed only
/// when there is one, chmod rewrites it, an ACL equivalent to a mode is not kept, invalid ACLs
/// are refused, removexattr, directories and fifos, rename and link, a large ACL.
fn t_access() -> TestResult {
    same_as_tmpfs(None, None, &access_steps)
}

// 3. Default ACLs.

const DEF: &str = "u::rwx,u:1000:rwx,g::r-x,m::rwx,o::rwx";

fn default_steps(_fs: &str, log: &mut Log) -> TestResult {
    let d = p("d");
    let dp = |n: &str| format!("{d}/{n}");
    ok!(mkdir(&d, 0o755));
    rec_ok(log, "set default", set(&d, DEFAULT, DEF));
    state(log, "dir", &d);
    // What is made in it inherits, its mode masked by the default ACL and not the umask.
    let tmp = with_umask(0o022, || {
        rec_ok(log, "create file 0666", create(&dp("file"), 0o666));
        rec_ok(log, "create file 0640", create(&dp("file640"), 0o640));
        rec_ok(log, "mkdir 0777", mkdir(&dp("sub"), 0o777));
        rec_ok(log, "mkdir 0700", mkdir(&dp("sub700"), 0o700));
        rec_ok(
            log,
            "mkfifo 0666",
            mknod(&dp("fifo"), libc::S_IFIFO | 0o666, 0),
        );
        rec_ok(log, "symlink", symlink(b"file", &dp("link")));
        rec_ok(log, "create sub/file 0600", create(&dp("sub/file"), 0o600));
        rec_ok(log, "mkdir sub/sub 0755", mkdir(&dp("sub/sub"), 0o755));
        open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o666)
    });
    for n in [
        "file", "file640", "sub", "sub700", "fifo", "link", "sub/file", "sub/sub",
    ] {
        state(log, n, &dp(n));
    }
    match &tmp {
        Ok(fd) => {
            fstate(log, "O_TMPFILE 0666", fd);
            let at = format!("/proc/self/fd/{}", fd.as_raw_fd());
            rec_ok(log, "linkat O_TMPFILE", linkat_follow(&at, &dp("tmp")));
            state(log, "O_TMPFILE linked", &dp("tmp"));
        }
        Err(e) => log.push(format!("O_TMPFILE 0666: {}", ename(*e))),
    }
    drop(tmp);
    // A whiteout of RENAME_WHITEOUT is made as a new inode in the directory (mode 0).
    rec_ok(
        log,
        "rename whiteout",
        rename(&dp("file640"), &dp("moved"), libc::RENAME_WHITEOUT),
    );
    state(log, "whiteout", &dp("file640"));
    state(log, "moved", &dp("moved"));
    expect(
        log,
        "umask not applied",
        mode_of(&dp("file")) == Ok(libc::S_IFREG | 0o666),
    );
    expect(
        log,
        "inherited access ACL",
        get(&dp("file"), ACCESS) == Ok("u::rw-,u:1000:rwx,g::r-x,m::rw-,o::rw-".into()),
    );
    expect(
        log,
        "subdirectory inherits the default ACL",
        get(&dp("sub"), DEFAULT) == Ok(DEF.into()),
    );
    expect(
        log,
        "symlink has no ACL",
        get(&dp("link"), ACCESS).is_err() && names(&dp("link")) == Ok("[]".into()),
    );
    // A default ACL is for directories only.
    rec_ok(log, "set default on a file", set(&dp("file"), DEFAULT, DEF));
    rec_ok(
        log,
        "remove default of a file",
        remove(&dp("file"), DEFAULT),
    );
    rec_ok(log, "set default on a fifo", set(&dp("fifo"), DEFAULT, DEF));
    // chmod of the directory changes no default ACL.
    rec_ok(log, "chmod dir 700", chmod(&d, 0o700));
    state(log, "dir after chmod", &d);
    // A default ACL of the three base entries: still masks, the umask still left out, and
    // what is made has no access ACL (it would be equivalent to its mode).
    let e = p("e");
    ok!(mkdir(&e, 0o777));
    rec_ok(
        log,
        "set minimal default",
        set(&e, DEFAULT, "u::rwx,g::r-x,o::r--"),
    );
    state(log, "minimal default dir", &e);
    with_umask(0o077, || {
        rec_ok(
            log,
            "create e/file 0666",
            create(&format!("{e}/file"), 0o666),
        );
        rec_ok(log, "mkdir e/sub 0777", mkdir(&format!("{e}/sub"), 0o777));
    });
    state(log, "e/file", &format!("{e}/file"));
    state(log, "e/sub", &format!("{e}/sub"));
    // Once the default ACL is removed, the umask is applied again.
    rec_ok(log, "remove default", remove(&d, DEFAULT));
    state(log, "dir without default", &d);
    with_umask(0o022, || {
        rec_ok(log, "create file2 0666", create(&dp("file2"), 0o666));
        rec_ok(log, "mkdir sub2 0777", mkdir(&dp("sub2"), 0o777));
    });
    state(log, "file2", &dp("file2"));
    state(log, "sub2", &dp("sub2"));
    expect(
        log,
        "umask applied again",
        mode_of(&dp("file2")) == Ok(libc::S_IFREG | 0o644),
    );
    // A default ACL with a named group, on the root of the instance.
    rec_ok(
        log,
        "set default on the root",
        set(ROOT, DEFAULT, "u::rwx,g::rwx,g:1002:r-x,m::r-x,o::---"),
    );
    rec_ok(
        log,
        "mkdir in the root",
        with_umask(0, || mkdir(&p("r"), 0o775)),
    );
    state(log, "r", &p("r"));
    rec_ok(log, "remove default of the root", remove(ROOT, DEFAULT));
    Ok(())
}

/// Default ACLs: inherited by a file, a directory (which also gets the default ACL), a fifo, an
/// O_TMPFILE file and a whiteout, whose mode is masked by the ACL and not the umask; a symlink
/// gets none; only directories take one (EACCES on a file); chmod leaves it; the umask again
/// without it.
fn t_default() -> TestResult {
    same_as_tmpfs(None, None, &default_steps)
}

// 4. Permissions.

fn permission_steps(_fs: &str, log: &mut Log) -> TestResult {
    let f = p("f");
    ok!(with_umask(0, || create(&f, 0o600)));
    rec_ok(
        log,
        "set named user 1000 and group 1002",
        set(
            &f,
            ACCESS,
            "u::rw-,u:1000:rw-,g::---,g:1002:r--,m::rw-,o::---",
        ),
    );
    state(log, "f", &f);
    let (rd, wr) = (libc::O_RDONLY, libc::O_WRONLY);
    let f1 = f.clone();
    let user = |log: &mut Log, what: &str, uid: u32, gid: u32, flags: i32| {
        let f = f1.clone();
        rec_ok(log, what, as_uid(uid, gid, move || try_open(&f, flags)));
    };
    user(log, "1000 opens for writing", 1000, 1000, wr);
    user(log, "1000 opens for reading", 1000, 1000, rd);
    user(log, "1001 opens for reading", 1001, 1001, rd);
    user(log, "1003 in 1002 opens for reading", 1003, 1002, rd);
    user(log, "1003 in 1002 opens for writing", 1003, 1002, wr);
    // The mask limits the named entries: chmod 600 makes it ---.
    rec_ok(log, "chmod 600", chmod(&f, 0o600));
    user(log, "1000 opens for reading after chmod", 1000, 1000, rd);
    user(
        log,
        "1003 in 1002 opens for reading after chmod",
        1003,
        1002,
        rd,
    );
    rec_ok(log, "chmod 660", chmod(&f, 0o660));
    user(
        log,
        "1000 opens for writing after chmod 660",
        1000,
        1000,
        wr,
    );
    // Only the owner (or CAP_FOWNER) sets an ACL.
    let f2 = f.clone();
    rec_ok(
        log,
        "1000 sets an ACL on root's file",
        as_uid(1000, 1000, move || set(&f2, ACCESS, "u::rw-,g::---,o::rw-")),
    );
    let f2 = f.clone();
    rec_ok(
        log,
        "1000 removes the ACL of root's file",
        as_uid(1000, 1000, move || remove(&f2, ACCESS)),
    );
    state(log, "f after refused sets", &f);
    // A directory that a named entry lets 1000 search and write in, not read.
    let d = p("d");
    ok!(mkdir(&d, 0o700));
    ok!(with_umask(0, || create(&format!("{d}/x"), 0o644)));
    rec_ok(
        log,
        "dir: set u:1000:-wx",
        set(&d, ACCESS, "u::rwx,u:1000:-wx,g::---,m::-wx,o::---"),
    );
    let dx = format!("{d}/x");
    let (d1, dx1) = (d.clone(), dx.clone());
    rec_ok(
        log,
        "1000 stats d/x",
        as_uid(1000, 1000, move || lstat(&dx1).map(drop)),
    );
    rec_ok(
        log,
        "1000 reads d",
        as_uid(1000, 1000, move || {
            try_open(&d1, libc::O_RDONLY | libc::O_DIRECTORY)
        }),
    );
    let dn = format!("{d}/new");
    rec_ok(
        log,
        "1000 creates d/new",
        as_uid(1000, 1000, move || create(&dn, 0o600)),
    );
    let dx1 = dx.clone();
    rec_ok(
        log,
        "1001 stats d/x",
        as_uid(1001, 1001, move || lstat(&dx1).map(drop)),
    );
    state(log, "d/new", &format!("{d}/new"));
    // The owner sets ACLs on their own file and directory.
    let h = p("h");
    ok!(with_umask(0, || create(&h, 0o644)));
    ok!(lchown(&h, 1000, 1000));
    let h1 = h.clone();
    rec_ok(
        log,
        "1000 sets an ACL on its file",
        as_uid(1000, 1000, move || {
            set(&h1, ACCESS, "u::rw-,u:1001:rw-,g::r--,m::rw-,o::---")
        }),
    );
    state(log, "h", &h);
    let h1 = h.clone();
    rec_ok(
        log,
        "1001 writes h",
        as_uid(1001, 1001, move || try_open(&h1, libc::O_WRONLY)),
    );
    let h1 = h.clone();
    rec_ok(
        log,
        "1000 chmods h 640",
        as_uid(1000, 1000, move || chmod(&h1, 0o640)),
    );
    state(log, "h after chmod", &h);
    // Set-group-ID: the owner, not in the file's group, setting an access ACL loses S_ISGID
    // (as chmod would); in the group, keeps it.
    for (name, gid) in [("sgid-other", 1000), ("sgid-member", 2000)] {
        let g = p(name);
        ok!(with_umask(0, || create(&g, 0o644)));
        ok!(lchown(&g, 1000, 2000));
        ok!(chmod(&g, 0o2770));
        state(log, name, &g);
        let g1 = g.clone();
        rec_ok(
            log,
            &format!("{name}: 1000 in {gid} sets an ACL"),
            as_uid(1000, gid, move || {
                set(&g1, ACCESS, "u::rwx,u:1001:r--,g::rwx,m::rwx,o::---")
            }),
        );
        state(log, name, &g);
    }
    expect(
        log,
        "S_ISGID dropped",
        mode_of(&p("sgid-other")) == Ok(libc::S_IFREG | 0o770),
    );
    expect(
        log,
        "S_ISGID kept",
        mode_of(&p("sgid-member")) == Ok(libc::S_IFREG | 0o2770),
    );
    Ok(())
}

/// Permission checks of unprivileged users through ACL entries: a named user or group is let
/// in where the mode would not, others not, the mask limits them; only the owner sets an ACL
/// (EPERM); an owner outside the group of a set-group-ID file loses S_ISGID by setting one.
fn t_permissions() -> TestResult {
    same_as_tmpfs(None, None, &permission_steps)
}

// 5. Symbolic links.

fn symlink_steps(_fs: &str, log: &mut Log) -> TestResult {
    let (f, l) = (p("f"), p("l"));
    ok!(with_umask(0, || create(&f, 0o644)));
    ok!(symlink(b"f", &l));
    rec_ok(log, "set on the file", set(&f, ACCESS, NAMED));
    rec(log, "lgetxattr access", get(&l, ACCESS));
    rec(log, "lgetxattr default", get(&l, DEFAULT));
    rec(log, "lgetxattr size query", get_size(&l, ACCESS, 0, false));
    rec(log, "llistxattr", names(&l));
    rec_ok(
        log,
        "lsetxattr access",
        set(&l, ACCESS, "u::rwx,g::rwx,o::rwx"),
    );
    rec_ok(
        log,
        "lsetxattr access with a named user",
        set(&l, ACCESS, NAMED),
    );
    rec_ok(
        log,
        "lsetxattr default",
        set(&l, DEFAULT, "u::rwx,g::rwx,o::rwx"),
    );
    rec_ok(log, "lremovexattr access", remove(&l, ACCESS));
    state(log, "symlink", &l);
    // Through the link, the file's.
    rec(log, "getxattr through the link", get_with(&l, ACCESS, true));
    rec(
        log,
        "getxattr size through the link",
        get_size(&l, ACCESS, 0, true),
    );
    rec_ok(
        log,
        "setxattr through the link",
        set_follow(&l, ACCESS, "u::rw-,u:1001:r--,g::r--,m::r--,o::---"),
    );
    state(log, "file", &f);
    Ok(())
}

/// A symbolic link has no ACL: l*xattr(2) of the ACL names on it, as tmpfs answers them; the
/// calls that follow it reach the file's.
fn t_symlink() -> TestResult {
    same_as_tmpfs(None, None, &symlink_steps)
}

// 6. Idmapped mounts.

const VIEW: &str = "/mnt/acl-view";

fn idmapped_steps(userns: &OwnedFd, log: &mut Log) -> TestResult {
    ok!(with_umask(0, || create(&p("f"), 0o644)));
    ok!(mkdir(&p("d"), 0o777));
    ok!(chmod(ROOT, 0o777));
    crate::idmap::view_of(ROOT, VIEW, userns)?;
    let r = view_steps(log);
    let _ = umount(VIEW);
    r
}

/// The steps of `idmapped_steps` once the view is made.
fn view_steps(log: &mut Log) -> TestResult {
    let s = crate::idmap::SHIFT;
    let b = |n: &str| p(n);
    let v = |n: &str| format!("{VIEW}/{n}");
    // Ids in the ACL set through the view are stored unshifted, and shown shifted there.
    let acl = format!(
        "u::rw-,u:{}:rwx,g::r--,g:{}:r--,m::rwx,o::---",
        s + 5,
        s + 7
    );
    rec_ok(
        log,
        "root sets through the view",
        set(&v("f"), ACCESS, &acl),
    );
    state(log, "f on the mount", &b("f"));
    state(log, "f in the view", &v("f"));
    // An id that the view cannot map.
    rec_ok(
        log,
        "an unmapped id through the view",
        set(&v("f"), ACCESS, "u::rw-,u:5:rwx,g::r--,m::rwx,o::---"),
    );
    state(log, "f on the mount", &b("f"));
    // Set on the mount, seen shifted in the view.
    rec_ok(
        log,
        "set on the mount",
        set(
            &b("f"),
            ACCESS,
            "u::rw-,u:6:r--,g::r--,g:8:rw-,m::rw-,o::---",
        ),
    );
    state(log, "f in the view", &v("f"));
    // The owner in the view (s, stored 0) sets an ACL through it; another id may not.
    let (vf, acl2) = (
        v("f"),
        format!("u::rw-,u:{}:rw-,g::r--,m::rw-,o::---", s + 9),
    );
    rec_ok(
        log,
        "the owner in the view sets",
        as_uid(s, s, move || set(&vf, ACCESS, &acl2)),
    );
    state(log, "f on the mount", &b("f"));
    let vf = v("f");
    rec_ok(
        log,
        "another id in the view sets",
        as_uid(s + 1, s + 1, move || {
            set(&vf, ACCESS, "u::rw-,g::r--,o::---")
        }),
    );
    // Permission through a named entry, checked through the view: stored 9, id s + 9.
    let vf = v("f");
    rec_ok(
        log,
        "the named user opens through the view",
        as_uid(s + 9, s + 9, move || try_open(&vf, libc::O_WRONLY)),
    );
    let bf = b("f");
    rec_ok(
        log,
        "the same uid opens on the mount",
        as_uid(s + 9, s + 9, move || try_open(&bf, libc::O_WRONLY)),
    );
    // A default ACL set through the view, inherited by a file made through it.
    let def = format!("u::rwx,u:{}:r-x,g::rwx,m::rwx,o::rwx", s + 5);
    rec_ok(log, "default through the view", set(&v("d"), DEFAULT, &def));
    state(log, "d on the mount", &b("d"));
    let vn = v("d/new");
    rec_ok(
        log,
        "id s + 5 creates through the view",
        as_uid(s + 5, s + 5, move || create(&vn, 0o666)),
    );
    state(log, "d/new on the mount", &b("d/new"));
    state(log, "d/new in the view", &v("d/new"));
    Ok(())
}

/// ACLs through an idmapped mount (the mapping of `idmap`: ids 0..65536 seen as 10000..):
/// their ids mapped both ways, the owner in the view setting one, permission of a named entry,
/// a default ACL inherited by a file made through the view.
fn t_idmapped() -> TestResult {
    let userns = crate::idmap::userns_fd()?;
    same_as_tmpfs(None, None, &|_fs, log| idmapped_steps(&userns, log))
}

// A mount in a user namespace.

/// Where the child mounts the file system in its namespaces, and the id it is outside (root
/// inside).
const NS_DIR: &str = "/mnt/acl-ns";
const NS_ID: u32 = 1500;

/// What the child does as root of its user namespace, on its own mount of `fs`.
fn userns_inside(fs: &str, log: &mut Log) -> TestResult {
    mount(fs, NS_DIR, Some("mode=755")).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let f = format!("{NS_DIR}/f");
    let d = format!("{NS_DIR}/d");
    ok!(with_umask(0, || create(&f, 0o644)));
    ok!(mkdir(&d, 0o755));
    let acl = "u::rw-,u:0:rwx,g::r--,g:0:r--,m::rwx,o::---";
    rec_ok(log, "set with the namespace's root", set(&f, ACCESS, acl));
    state(log, "f", &f);
    // An id that the namespace does not map.
    rec_ok(
        log,
        "set with an unmapped id",
        set(&f, ACCESS, "u::rw-,u:5:rwx,g::r--,m::rwx,o::---"),
    );
    rec_ok(
        log,
        "default",
        set(&d, DEFAULT, "u::rwx,u:0:r-x,g::r-x,m::r-x,o::---"),
    );
    let n = format!("{d}/new");
    rec_ok(log, "create d/new", with_umask(0o022, || create(&n, 0o666)));
    state(log, "d/new", &n);
    Ok(())
}

/// What root of the init namespace sees of, and does to, the child's mount.
fn userns_outside(pid: i32, log: &mut Log) {
    let there = |n: &str| format!("/proc/{pid}/root{NS_DIR}/{n}");
    state(log, "f", &there("f"));
    state(log, "d/new", &there("d/new"));
    // Only ids of the instance's user namespace fit in an ACL.
    rec_ok(
        log,
        "set with an id outside the instance's namespace",
        set(
            &there("f"),
            ACCESS,
            "u::rw-,u:1234:rwx,g::r--,m::rwx,o::---",
        ),
    );
    let acl = format!("u::rw-,u:{NS_ID}:r--,g::r--,g:{NS_ID}:rw-,m::rw-,o::---");
    rec_ok(
        log,
        "set with the namespace's root",
        set(&there("f"), ACCESS, &acl),
    );
    state(log, "f", &there("f"));
}

/// The transcript of the steps on `fs` mounted in a user namespace: the child's lines, then
/// those of this process.
fn userns_transcript(fs: &str) -> Result<Log, String> {
    std::fs::create_dir_all(NS_DIR).map_err(|e| format!("mkdir {NS_DIR}: {e}"))?;
    ok!(chmod(NS_DIR, 0o777));
    let (up_r, up_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    let (down_r, down_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", ename(errno())));
    }
    if pid == 0 {
        drop((up_r, down_w));
        let mut log = Vec::new();
        let r = become_user(NS_ID, NS_ID)
            .and_then(|()| crate::perms::enter_userns(NS_ID))
            .and_then(|()| userns_inside(fs, &mut log));
        if let Err(e) = r {
            log.push(format!("failed: {e}"));
        }
        let text = log.join("\n");
        let mut msg = (text.len() as u64).to_le_bytes().to_vec();
        msg.extend_from_slice(text.as_bytes());
        let _ = write_all(&up_w, &msg);
        // Until the parent has looked (it closes its end).
        let _ = read(&down_r, 1);
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop((up_w, down_r));
    let mut got = Vec::new();
    let mut want = 8;
    while got.len() < want {
        match read(&up_r, 65536) {
            Ok(b) if b.is_empty() => break,
            Ok(b) => got.extend_from_slice(&b),
            Err(libc::EINTR) => continue,
            Err(e) => return Err(format!("read from the child: {}", ename(e))),
        }
        if got.len() >= 8 {
            want = 8 + u64::from_le_bytes(got[..8].try_into().unwrap()) as usize;
        }
    }
    let mut log: Log = if got.len() >= 8 {
        String::from_utf8_lossy(&got[8..])
            .lines()
            .map(|l| format!("inside: {l}"))
            .collect()
    } else {
        vec!["the child said nothing".into()]
    };
    let mut outside = Vec::new();
    userns_outside(pid, &mut outside);
    log.extend(outside.into_iter().map(|l| format!("outside: {l}")));
    drop(down_w);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    for l in &log {
        println!("{fs} in a user namespace: {l}");
    }
    Ok(log)
}

/// Writes all of `buf` to a pipe.
fn write_all(fd: &OwnedFd, buf: &[u8]) -> Sys<()> {
    let mut done = 0;
    while done < buf.len() {
        done += write(fd, &buf[done..])?;
    }
    Ok(())
}

/// ACLs on an instance mounted in a user namespace (FS_USERNS_MOUNT): the ids of its entries
/// are those of the instance's namespace, an id that it does not map is refused, inside
/// (EINVAL from the caller's namespace) and outside (not in the instance's namespace).
fn t_userns_mount() -> TestResult {
    let tmpfs = userns_transcript("tmpfs")?;
    check!(
        !tmpfs.iter().any(|l| l.contains("failed: ")),
        "tmpfs (the reference): {tmpfs:?}"
    );
    let ours = userns_transcript("bs2ramfs")?;
    for i in 0..tmpfs.len().max(ours.len()) {
        let (t, o) = (tmpfs.get(i), ours.get(i));
        check!(t == o, "step {i}: tmpfs {t:?}, bs2ramfs {o:?}");
    }
    Ok(())
}

// 7. The inode's ACL cache, and no charge.

fn counts(log: &mut Log, when: &str, before: Option<&libc::statfs>) -> Option<libc::statfs> {
    match statfs(ROOT) {
        Ok(st) => {
            if let Some(b) = before {
                log.push(format!(
                    "{when}: free inodes {:+}, free blocks {:+}",
                    st.f_ffree as i64 - b.f_ffree as i64,
                    st.f_bfree as i64 - b.f_bfree as i64
                ));
            }
            Some(st)
        }
        Err(e) => {
            log.push(format!("{when}: statfs {}", ename(e)));
            None
        }
    }
}

fn drop_caches(log: &mut Log) {
    let r = std::fs::write("/proc/sys/vm/drop_caches", "3");
    log.push(format!(
        "drop_caches: {}",
        if r.is_ok() { "ok" } else { "failed" }
    ));
}

fn cached_steps(_fs: &str, log: &mut Log) -> TestResult {
    let base = counts(log, "mounted", None);
    let names: Vec<String> = (0..16).map(|i| p(&format!("f{i}"))).collect();
    for n in &names {
        ok!(with_umask(0, || create(n, 0o640)));
    }
    ok!(mkdir(&p("d"), 0o755));
    let made = counts(log, "made", base.as_ref());
    let users: Vec<String> = (0..60).map(|i| format!("u:{}:rw-", 5000 + i)).collect();
    let big = format!("u::rw-,{},g::r--,m::rw-,o::---", users.join(","));
    for n in &names {
        ok!(set(n, ACCESS, &big));
    }
    ok!(set(
        &p("d"),
        ACCESS,
        "u::rwx,u:1000:rwx,g::r-x,m::rwx,o::r-x"
    ));
    ok!(set(&p("d"), DEFAULT, DEF));
    let set_ = counts(log, "ACLs set", made.as_ref());
    expect(
        log,
        "ACLs take no inode or block of the instance",
        matches!((&made, &set_), (Some(a), Some(b)) if a.f_ffree == b.f_ffree && a.f_bfree == b.f_bfree),
    );
    // Dropping the caches does not lose them.
    drop_caches(log);
    let all = names.iter().all(|n| get(n, ACCESS) == Ok(big.clone()));
    log.push(format!("all files' ACLs after drop_caches: {all}"));
    state(log, "d after drop_caches", &p("d"));
    rec_ok(
        log,
        "create in d",
        with_umask(0o022, || create(&p("d/new"), 0o666)),
    );
    state(log, "d/new", &p("d/new"));
    drop_caches(log);
    state(log, "d/new after drop_caches", &p("d/new"));
    counts(log, "after drop_caches", set_.as_ref());
    // Removing them gives nothing back either (nothing was taken).
    for n in &names {
        ok!(remove(n, ACCESS));
    }
    counts(log, "ACLs removed", set_.as_ref());
    for n in &names {
        ok!(unlink(n));
    }
    ok!(unlink(&p("d/new")));
    ok!(rmdir(&p("d")));
    counts(log, "all removed", base.as_ref());
    Ok(())
}

/// ACLs stay through `drop_caches` (kept in the inode's ACL cache, which is all there is of
/// them), and take none of the instance's inodes or blocks (tmpfs does not charge them), with
/// nr_inodes= and size= limits that make the free counts exact.
fn t_cached_not_charged() -> TestResult {
    let data = Some("nr_inodes=100,size=1m");
    same_as_tmpfs(data, data, &cached_steps)
}

// 8. setfacl(1) and getfacl(1).

fn tools_steps(_fs: &str, log: &mut Log) -> TestResult {
    ok!(with_umask(0, || create(&p("f"), 0o644)));
    ok!(mkdir(&p("d"), 0o755));
    let out = crate::sh(&format!(
        "cd {ROOT} && umask 022 && setfacl -m u:1000:rwx,g:1001:r-x f && \
         setfacl -d -m u:1000:rx,g:1001:rwx d && touch d/new && mkdir d/sub && \
         setfacl -x u:1000 f && getfacl -n f d d/new d/sub && ls -l f | cut -c1-11"
    ));
    match out {
        Ok(out) => log.extend(out.lines().map(str::to_owned)),
        Err(e) => log.push(e),
    }
    Ok(())
}

/// setfacl(1) and getfacl(1), end to end.
fn t_setfacl_getfacl() -> TestResult {
    same_as_tmpfs(None, None, &tools_steps)
}
