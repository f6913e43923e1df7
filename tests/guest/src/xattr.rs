// SPDX-License-Identifier: GPL-2.0
//! Extended attributes (`user.`, `trusted.`, `security.` kept in memory): the same checks on
//! tmpfs first (the reference) and then on bs2ramfs. C ramfs has none (`fs_unsupported`).

use crate::sys::*;
use crate::TestResult;
use std::time::Duration;

const ROOT: &str = "/mnt/xattr";

fn p(name: &str) -> String {
    format!("{ROOT}/{name}")
}

/// `lsetxattr(2)` with flags, or `lremovexattr(2)` for `None`.
fn set(path: &str, name: &str, val: Option<&[u8]>, flags: i32) -> Sys<()> {
    let (p, n) = (cstr(path), cstr(name));
    // SAFETY: valid strings and buffer.
    let r = unsafe {
        match val {
            Some(v) => libc::lsetxattr(p.as_ptr(), n.as_ptr(), v.as_ptr().cast(), v.len(), flags),
            None => libc::lremovexattr(p.as_ptr(), n.as_ptr()),
        }
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// `lgetxattr(2)` into a buffer of `size` bytes (0: the size query).
fn get(path: &str, name: &str, size: usize) -> Sys<Vec<u8>> {
    let (p, n) = (cstr(path), cstr(name));
    let mut buf = vec![0u8; size];
    // SAFETY: valid strings and buffer.
    let r = unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), size) };
    if r < 0 {
        return Err(errno());
    }
    if size == 0 {
        return Ok(vec![0; r as usize]);
    }
    buf.truncate(r as usize);
    Ok(buf)
}

/// The names `llistxattr(2)` gives, sorted.
fn names(path: &str) -> Sys<Vec<String>> {
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
        .collect();
    v.sort();
    Ok(v)
}

fn ctime(path: &str) -> Result<(i64, i64), String> {
    let st = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    Ok((st.st_ctime, st.st_ctime_nsec))
}

fn checks(fs: &str) -> TestResult {
    let f = p("f");
    std::fs::write(&f, b"data").map_err(|e| format!("create: {e}"))?;
    ok!(mkdir(&p("d"), 0o777));
    ok!(symlink(b"f", &p("l")));
    ok!(mknod(&p("fifo"), libc::S_IFIFO | 0o666, 0));

    // Set, get, list, replace, remove, on a file.
    fails!(get(&f, "user.a", 64), libc::ENODATA);
    let before = ctime(&f)?;
    std::thread::sleep(Duration::from_millis(20));
    ok!(set(&f, "user.a", Some(b"one"), 0));
    check!(ctime(&f)? != before, "{fs}: setxattr did not change ctime");
    eq!(ok!(get(&f, "user.a", 64)), b"one");
    eq!(ok!(get(&f, "user.a", 0)).len(), 3);
    fails!(get(&f, "user.a", 2), libc::ERANGE);
    fails!(set(&f, "user.a", Some(b"x"), libc::XATTR_CREATE), libc::EEXIST);
    fails!(set(&f, "user.b", Some(b"x"), libc::XATTR_REPLACE), libc::ENODATA);
    ok!(set(&f, "user.a", Some(b"two!"), libc::XATTR_REPLACE));
    eq!(ok!(get(&f, "user.a", 64)), b"two!");
    ok!(set(&f, "user.empty", Some(b""), libc::XATTR_CREATE));
    eq!(ok!(get(&f, "user.empty", 64)), b"");
    ok!(set(&f, "trusted.t", Some(b"t"), 0));
    ok!(set(&f, "security.s", Some(b"s"), 0));
    eq!(
        ok!(names(&f)),
        vec!["security.s", "trusted.t", "user.a", "user.empty"]
    );
    ok!(set(&f, "user.a", None, 0));
    fails!(set(&f, "user.a", None, 0), libc::ENODATA);
    fails!(get(&f, "user.a", 64), libc::ENODATA);
    eq!(ok!(names(&f)), vec!["security.s", "trusted.t", "user.empty"]);

    // Sizes and names: a value of XATTR_SIZE_MAX fits, one byte more is E2BIG; a name of
    // 255 bytes fits, 256 is ERANGE; an unknown namespace is EOPNOTSUPP.
    let big = vec![7u8; 65536];
    ok!(set(&f, "user.big", Some(&big), 0));
    eq!(ok!(get(&f, "user.big", 65536)), big);
    fails!(set(&f, "user.big", Some(&vec![7u8; 65537]), 0), libc::E2BIG);
    ok!(set(&f, "user.big", None, 0));
    let long = format!("user.{}", "n".repeat(250));
    ok!(set(&f, &long, Some(b"v"), 0));
    fails!(set(&f, &format!("{long}n"), Some(b"v"), 0), libc::ERANGE);
    fails!(set(&f, "foo.bar", Some(b"v"), 0), libc::EOPNOTSUPP);
    fails!(get(&f, "foo.bar", 64), libc::EOPNOTSUPP);

    // Directories, symbolic links and fifos: user. only on files and directories.
    ok!(set(&p("d"), "user.d", Some(b"dir"), 0));
    eq!(ok!(names(&p("d"))), vec!["user.d"]);
    for other in ["l", "fifo"] {
        fails!(set(&p(other), "user.x", Some(b"v"), 0), libc::EPERM);
        ok!(set(&p(other), "trusted.x", Some(other.as_bytes()), 0));
        eq!(ok!(get(&p(other), "trusted.x", 64)), other.as_bytes());
        eq!(ok!(names(&p(other))), vec!["trusted.x"]);
    }

    // An unprivileged owner: user. yes, trusted. no (and not listed).
    ok!(lchown(&f, 1000, 1000));
    let f2 = f.clone();
    as_user(1000, 1000, move || {
        set(&f2, "user.mine", Some(b"m"), 0).map_err(|e| format!("user.mine: {}", ename(e)))?;
        let r = set(&f2, "trusted.no", Some(b"n"), 0);
        check!(r == Err(libc::EPERM), "trusted. by a user: {:?}", r.map_err(ename));
        let n = names(&f2).map_err(ename)?;
        let want = ["security.s", "user.empty", "user.mine", long.as_str()];
        check!(n == want, "names for a user: {n:?}");
        Ok(())
    })?;
    // Not the owner: no user. on someone else's 0644 file.
    ok!(lchown(&f, 0, 0));
    ok!(chmod(&f, 0o644));
    let f3 = f.clone();
    as_user(1001, 1001, move || {
        let r = set(&f3, "user.other", Some(b"o"), 0);
        check!(r == Err(libc::EACCES), "user. by another user: {:?}", r.map_err(ename));
        Ok(())
    })?;

    // bs2ramfs caps user. at 128 attributes per inode (tmpfs counts them against its inode
    // space instead, unlimited here).
    let g = p("g");
    std::fs::write(&g, b"").map_err(|e| format!("create g: {e}"))?;
    for i in 0..128 {
        ok!(set(&g, &format!("user.{i}"), Some(b"v"), 0));
    }
    let r = set(&g, "user.128", Some(b"v"), 0);
    if fs == "bs2ramfs" {
        check!(r == Err(libc::ENOSPC), "129th user. attribute: {:?}", r.map_err(ename));
        // Removing one makes room again.
        ok!(set(&g, "user.0", None, 0));
        ok!(set(&g, "user.128", Some(b"v"), 0));
    } else {
        check!(r.is_ok(), "{fs}: 129th user. attribute: {:?}", r.map_err(ename));
    }
    eq!(ok!(names(&g)).len(), 128 + usize::from(fs != "bs2ramfs"));

    // Attributes go with their inode: unlink and rename keep or drop them as the inode goes.
    ok!(rename(&g, &p("h"), 0));
    eq!(ok!(get(&p("h"), "user.5", 64)), b"v");
    ok!(unlink(&p("h")));
    Ok(())
}

/// The whole test on `fs`: mount, checks, unmount.
fn on(fs: &str) -> TestResult {
    mount(fs, ROOT, Some("mode=0755")).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let r = checks(fs);
    let u = crate::umount(ROOT);
    r.map_err(|e| format!("{fs}: {e}"))?;
    u
}

/// Extended attributes on tmpfs (the reference) and bs2ramfs.
pub fn t_xattrs() -> TestResult {
    on("tmpfs")?;
    on("bs2ramfs")
}
