// SPDX-License-Identifier: GPL-2.0
//! Extended attributes (`user.`, `trusted.`, `security.` kept in memory): the same checks on
//! tmpfs first (the reference) and then on bs2ramfs. C ramfs has none (`fs_unsupported`).

use crate::sys::*;
use crate::TestResult;
use std::os::fd::AsRawFd;
use std::time::Duration;

const ROOT: &str = "/mnt/xattr";

fn p(name: &str) -> String {
    format!("{ROOT}/{name}")
}

/// `lsetxattr(2)` with flags, or `lremovexattr(2)` for `None`.
pub(crate) fn set(path: &str, name: &str, val: Option<&[u8]>, flags: i32) -> Sys<()> {
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

/// The names `llistxattr(2)` gives, sorted, but for the security label that the security
/// module lists for every inode on every file system (Smack's, see config/lsm.config).
fn names(path: &str) -> Sys<Vec<String>> {
    let mut v = listed(path)?;
    v.retain(|n| n != "security.SMACK64");
    Ok(v)
}

/// The names `llistxattr(2)` gives, sorted.
fn listed(path: &str) -> Sys<Vec<String>> {
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
    // space instead, which is ample here).
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

/// One line of a transcript: what `r` gave.
fn outcome<T>(what: &str, r: Sys<T>) -> String {
    match r {
        Ok(_) => format!("{what}: ok"),
        Err(e) => format!("{what}: {}", ename(e)),
    }
}

/// `statfs(2)`'s inode counts of `ROOT`, for a transcript.
fn inode_counts(when: &str) -> Result<String, String> {
    let st = statfs(ROOT).map_err(|e| format!("statfs: {}", ename(e)))?;
    Ok(format!("{when}: f_files {} f_ffree {}", st.f_files, st.f_ffree))
}

/// Mounts `fs` on `ROOT` with `data`, runs `steps`, which writes a transcript of what it
/// saw, and unmounts.
fn transcript(
    fs: &str,
    data: &str,
    steps: fn(&mut Vec<String>) -> TestResult,
) -> Result<Vec<String>, String> {
    mount(fs, ROOT, Some(data)).map_err(|e| format!("mount {fs} -o {data}: {}", ename(e)))?;
    let mut log = Vec::new();
    let r = steps(&mut log);
    let u = crate::umount(ROOT);
    r.map_err(|e| format!("{fs}: {e}"))?;
    u?;
    Ok(log)
}

/// The first line where the transcripts of tmpfs and bs2ramfs differ, if any.
fn same_as_tmpfs(tmpfs: &[String], ours: &[String]) -> TestResult {
    for i in 0..tmpfs.len().max(ours.len()) {
        let (t, o) = (tmpfs.get(i), ours.get(i));
        check!(
            t == o,
            "step {i}: tmpfs {t:?}, bs2ramfs {o:?}\n  tmpfs: {tmpfs:?}\n  bs2ramfs: {ours:?}"
        );
    }
    Ok(())
}

/// Extended attributes fill the inode space of `nr_inodes=8` (1 KiB per inode, as tmpfs
/// counts it) until a set fails with ENOSPC; replacing, removing and unlinking give it back.
fn xattr_space_steps(log: &mut Vec<String>) -> TestResult {
    log.push(inode_counts("mounted")?);
    let f = p("f");
    std::fs::write(&f, b"").map_err(|e| format!("create: {e}"))?;
    log.push(inode_counts("a file")?);
    let kib = vec![b'x'; 1000];
    let mut n = 0;
    loop {
        let r = set(&f, &format!("user.{n}"), Some(&kib), 0);
        if r.is_err() || n == 100 {
            log.push(outcome(&format!("user.{n} of 1000 bytes"), r));
            break;
        }
        n += 1;
    }
    log.push(inode_counts("full")?);
    // Nothing fits any more, whatever the namespace, nor does a new inode.
    log.push(outcome("trusted.t", set(&f, "trusted.t", Some(b"t"), 0)));
    log.push(outcome("security.s", set(&f, "security.s", Some(b"s"), 0)));
    log.push(outcome("mkdir", mkdir(&p("d"), 0o755)));
    // A bigger value in place of one is charged before the old one goes back: no room.
    log.push(outcome("user.0 to 1100 bytes", set(&f, "user.0", Some(&[b'y'; 1100]), 0)));
    // A smaller one fits, and gives the difference back.
    log.push(outcome("user.0 to 10 bytes", set(&f, "user.0", Some(&[b'z'; 10]), 0)));
    log.push(inode_counts("smaller")?);
    log.push(outcome("trusted.t", set(&f, "trusted.t", Some(&[b't'; 500]), 0)));
    log.push(outcome("security.s", set(&f, "security.s", Some(&[b's'; 400]), 0)));
    log.push(inode_counts("trusted and security")?);
    // Removing one gives its space back.
    log.push(outcome("remove user.1", set(&f, "user.1", None, 0)));
    log.push(inode_counts("removed")?);
    log.push(outcome("mkdir", mkdir(&p("d"), 0o755)));
    log.push(inode_counts("mkdir")?);
    // A remount below the space in use is refused; to exactly the inodes that hold it, not.
    log.push(outcome("remount nr_inodes=5", remount(ROOT, 0, Some("nr_inodes=5"))));
    log.push(outcome("remount nr_inodes=7", remount(ROOT, 0, Some("nr_inodes=7"))));
    log.push(inode_counts("nr_inodes=7")?);
    log.push(outcome("remount nr_inodes=8", remount(ROOT, 0, Some("nr_inodes=8"))));
    // The inode goes, and its attributes with it.
    log.push(outcome("unlink", unlink(&f)));
    log.push(inode_counts("unlinked")?);
    log.push(outcome("rmdir", rmdir(&p("d"))));
    log.push(inode_counts("empty")?);
    Ok(())
}

/// Extended attributes take the inode space of `nr_inodes=` as on tmpfs: the same ENOSPC at
/// the same point, the same `statfs` counts, the same remount rules.
pub fn t_xattrs_nr_inodes() -> TestResult {
    let tmpfs = transcript("tmpfs", "nr_inodes=8", xattr_space_steps)?;
    check!(
        tmpfs.iter().any(|l| l.ends_with("ENOSPC")),
        "tmpfs never ran out of inode space: {tmpfs:?}"
    );
    let ours = transcript("bs2ramfs", "nr_inodes=8", xattr_space_steps)?;
    same_as_tmpfs(&tmpfs, &ours)
}

/// The names `llistxattr(2)` gives, sorted, and `(name, value)` for each one `lgetxattr(2)`
/// reads, for a transcript.
fn all_xattrs(path: &str) -> String {
    match listed(path) {
        Ok(names) => {
            let values: Vec<String> = names
                .iter()
                .map(|n| match get(path, n, 4096) {
                    Ok(v) => format!("{n}={}", String::from_utf8_lossy(&v)),
                    Err(e) => format!("{n}: {}", ename(e)),
                })
                .collect();
            format!("{path}: {}", values.join(" "))
        }
        Err(e) => format!("{path}: {}", ename(e)),
    }
}

/// The Smack label `LSM_LABEL` on a directory, which makes what is created in it take its label
/// (and, for a directory, the transmute attribute: `security.SMACK64TRANSMUTE`, which only the
/// file system stores), with the rule that lets `_` (every task here) transmute to it.
const LSM_LABEL: &str = "bs2label";

fn lsm_steps(log: &mut Vec<String>) -> TestResult {
    // Every new inode has the label of its maker ("_"), listed and read through the LSM.
    let f = p("f");
    std::fs::write(&f, b"").map_err(|e| format!("create: {e}"))?;
    log.push(all_xattrs(&f));
    let d = p("d");
    ok!(mkdir(&d, 0o755));
    ok!(set(&d, "security.SMACK64", Some(LSM_LABEL.as_bytes()), 0));
    ok!(set(&d, "security.SMACK64TRANSMUTE", Some(b"TRUE"), 0));
    log.push(all_xattrs(&d));
    // The initial attributes of what is made in it, as Smack gives them and the file
    // system stores them.
    ok!(mkdir(&p("d/sub"), 0o755));
    std::fs::write(p("d/file"), b"").map_err(|e| format!("create d/file: {e}"))?;
    ok!(symlink(b"file", &p("d/link")));
    ok!(mknod(&p("d/fifo"), libc::S_IFIFO | 0o644, 0));
    ok!(mkdir(&p("d/sub/sub"), 0o755));
    for n in ["d/sub", "d/file", "d/link", "d/fifo", "d/sub/sub"] {
        log.push(all_xattrs(&p(n)));
    }
    // O_TMPFILE too, and a name given to it later.
    let fd = ok!(open(&d, libc::O_TMPFILE | libc::O_RDWR, 0o600));
    let fd_path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    log.push(outcome("linkat", linkat_follow(&fd_path, &p("d/tmp"))));
    drop(fd);
    log.push(all_xattrs(&p("d/tmp")));
    // A whiteout of RENAME_WHITEOUT is labelled as a new inode.
    let whiteout = rename(&p("d/file"), &p("d/file2"), libc::RENAME_WHITEOUT);
    log.push(outcome("rename whiteout", whiteout));
    log.push(all_xattrs(&p("d/file")));
    Ok(())
}

/// With nr_inodes=20, the labels take inode space too: tmpfs makes fewer inodes than 20.
fn lsm_space_steps(log: &mut Vec<String>) -> TestResult {
    log.push(inode_counts("mounted")?);
    let mut n = 0;
    loop {
        let r = mknod(&p(&format!("{n}")), libc::S_IFIFO | 0o644, 0);
        if r.is_err() || n == 100 {
            log.push(outcome(&format!("fifo {n}"), r));
            break;
        }
        n += 1;
    }
    log.push(inode_counts("full")?);
    // A label longer than the free space left is not taken.
    let big = "l".repeat(255);
    log.push(outcome("relabel", set(&p("0"), "security.SMACK64", Some(big.as_bytes()), 0)));
    log.push(outcome("unlink", unlink(&p("0"))));
    log.push(inode_counts("unlinked")?);
    Ok(())
}

/// Mounts smackfs, if it is not, and loads the rule that lets `_` transmute to `LSM_LABEL`.
fn smack_rule() -> TestResult {
    let dir = "/sys/fs/smackfs";
    if !std::path::Path::new(&format!("{dir}/load2")).exists() {
        mount("smackfs", dir, None).map_err(|e| {
            format!("mount smackfs: {} (no Smack in this kernel: config/lsm.config)", ename(e))
        })?;
    }
    std::fs::write(format!("{dir}/load2"), format!("_ {LSM_LABEL} rwxat"))
        .map_err(|e| format!("load a Smack rule: {e}"))
}

/// The initial extended attributes that a security module gives a new inode (Smack's labels)
/// are stored as tmpfs stores them (`shmem_initxattrs()`): `security.SMACK64TRANSMUTE`, which
/// only the file system keeps, on what is made in a transmuting directory, and the inode
/// space the labels take with `nr_inodes=`.
pub fn t_lsm_initial_xattrs() -> TestResult {
    smack_rule()?;
    let tmpfs = transcript("tmpfs", "mode=0755", lsm_steps)?;
    check!(
        tmpfs.iter().any(|l| l.contains("d/sub: ") && l.contains("security.SMACK64TRANSMUTE=TRUE")),
        "tmpfs stored no transmute attribute: {tmpfs:?}"
    );
    let ours = transcript("bs2ramfs", "mode=0755", lsm_steps)?;
    same_as_tmpfs(&tmpfs, &ours)?;
    let tmpfs = transcript("tmpfs", "nr_inodes=20", lsm_space_steps)?;
    let ours = transcript("bs2ramfs", "nr_inodes=20", lsm_space_steps)?;
    same_as_tmpfs(&tmpfs, &ours)
}
