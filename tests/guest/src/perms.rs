// SPDX-License-Identifier: GPL-2.0
//! Permissions, checked as unprivileged users (forked children with other ids): directory
//! write and search rights, the sticky and set-group-ID directory bits, the stripping of
//! set-user-ID and set-group-ID bits, who may chown, chmod and set times, and a mount in a
//! user namespace. Part of the functional suite: the expectations are the VFS's rules, the
//! same on bs2ramfs and on C ramfs.

use crate::ops::{
    age, atime, content, ctime, magic_of, mtime, names, new_file, set, Env, Test, OLD,
};
use crate::sys::*;
use crate::TestResult;

/// Two unprivileged users, each with a group of the same number, and a group neither is in
/// unless a test says so.
const A: u32 = 1000;
const B: u32 = 1001;
const GRP: u32 = 5000;

/// chown's "leave this id alone".
const KEEP: u32 = u32::MAX;

/// The tests, by name.
pub fn tests() -> Vec<(&'static str, Test)> {
    vec![
        ("fs_perm_readonly_dir", t_readonly_dir),
        ("fs_perm_sticky_dir", t_sticky_dir),
        ("fs_perm_setgid_dir", t_setgid_dir),
        ("fs_perm_write_strips_suid", t_write_strips_suid),
        ("fs_perm_chown_strips_suid", t_chown_strips_suid),
        ("fs_perm_chown_chmod_owner_only", t_chown_chmod_owner_only),
        ("fs_perm_utimes", t_utimes),
        ("fs_perm_userns_mount", t_userns_mount),
    ]
}

fn mode(path: &str) -> Result<u32, String> {
    lstat(path)
        .map(|st| st.st_mode)
        .map_err(|e| format!("lstat {path}: {}", ename(e)))
}

fn ids(path: &str) -> Result<(u32, u32), String> {
    lstat(path)
        .map(|st| (st.st_uid, st.st_gid))
        .map_err(|e| format!("lstat {path}: {}", ename(e)))
}

/// Creates `path` as the calling user with open(O_CREAT) and `mode` (umask is 0).
fn create(path: &str, mode: u32) -> Result<(), String> {
    open(path, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, mode)
        .map(drop)
        .map_err(|e| format!("create {path}: {}", ename(e)))
}

fn write_to(path: &str, data: &[u8]) -> Result<(), String> {
    let fd = open(path, libc::O_WRONLY, 0).map_err(|e| format!("open {path}: {}", ename(e)))?;
    pwrite_full(&fd, data, 0).map_err(|e| format!("write {path}: {}", ename(e)))
}

/// A root-owned 0755 directory: others may read and search it, and change nothing in it.
fn t_readonly_dir(e: &Env) -> TestResult {
    let d = e.p("ro");
    ok!(mkdir(&d, 0o755));
    new_file(&e.p("ro/f"), b"f")?;
    ok!(mkdir(&e.p("ro/sub"), 0o755));
    ok!(mkdir(&e.p("open"), 0o777));
    let p = |s: &str| e.p(s);
    as_user(A, A, || {
        eq!(names(&p("ro"))?, set(&["f", "sub"]));
        eq!(content(&p("ro/f"))?, b"f");
        new_file(&p("open/mine"), b"mine")?;
        fails!(
            open(&p("ro/new"), libc::O_CREAT | libc::O_WRONLY, 0o644),
            libc::EACCES
        );
        fails!(open(&p("ro/f"), libc::O_WRONLY, 0), libc::EACCES);
        fails!(mkdir(&p("ro/new"), 0o755), libc::EACCES);
        fails!(mknod(&p("ro/new"), libc::S_IFIFO | 0o644, 0), libc::EACCES);
        fails!(symlink(b"f", &p("ro/new")), libc::EACCES);
        fails!(link(&p("open/mine"), &p("ro/new")), libc::EACCES);
        fails!(unlink(&p("ro/f")), libc::EACCES);
        fails!(rmdir(&p("ro/sub")), libc::EACCES);
        fails!(rename(&p("ro/f"), &p("ro/g"), 0), libc::EACCES);
        fails!(rename(&p("open/mine"), &p("ro/mine"), 0), libc::EACCES);
        fails!(rename(&p("ro/f"), &p("open/f"), 0), libc::EACCES);
        // Nor can a directory be moved out of it.
        fails!(rename(&p("ro/sub"), &p("open/sub"), 0), libc::EACCES);
        fails!(
            open(&p("ro"), libc::O_TMPFILE | libc::O_RDWR, 0o600),
            libc::EACCES
        );
        fails!(utimens(&p("ro"), None, 0), libc::EACCES);
        Ok(())
    })?;
    eq!(names(&d)?, set(&["f", "sub"]));
    // The control: with write permission for others, the same user may create there.
    ok!(chmod(&d, 0o757));
    as_user(A, A, || {
        new_file(&p("ro/new"), b"")?;
        ok!(rename(&p("ro/new"), &p("ro/new2"), 0));
        ok!(unlink(&p("ro/new2")));
        Ok(())
    })
}

/// A sticky world-writable directory: only the file's owner, the directory's owner or
/// root may remove or rename a file in it.
fn t_sticky_dir(e: &Env) -> TestResult {
    let s = e.p("s");
    ok!(mkdir(&s, 0o1777));
    eq!(mode(&s)?, libc::S_IFDIR | 0o1777);
    let p = |x: &str| e.p(x);
    as_user(A, A, || {
        new_file(&p("s/a"), b"a")?;
        ok!(chmod(&p("s/a"), 0o666));
        ok!(mkdir(&p("s/adir"), 0o777));
        Ok(())
    })?;
    as_user(B, B, || {
        // B may write A's world-writable file, not remove, rename or replace it.
        write_to(&p("s/a"), b"b")?;
        fails!(unlink(&p("s/a")), libc::EPERM);
        fails!(rename(&p("s/a"), &p("s/b"), 0), libc::EPERM);
        fails!(rmdir(&p("s/adir")), libc::EPERM);
        fails!(rename(&p("s/adir"), &p("s/bdir"), 0), libc::EPERM);
        new_file(&p("s/mine"), b"mine")?;
        fails!(rename(&p("s/mine"), &p("s/a"), 0), libc::EPERM);
        fails!(
            rename(&p("s/mine"), &p("s/a"), libc::RENAME_EXCHANGE),
            libc::EPERM
        );
        // B may still make things in A's world-writable directory (it is not sticky).
        new_file(&p("s/adir/b"), b"")?;
        // B's own files: B may do anything.
        ok!(rename(&p("s/mine"), &p("s/mine2"), 0));
        ok!(unlink(&p("s/mine2")));
        Ok(())
    })?;
    eq!(names(&s)?, set(&["a", "adir"]));
    eq!(content(&p("s/a"))?, b"b");
    // The owner of the files may.
    as_user(A, A, || {
        ok!(rename(&p("s/a"), &p("s/a2"), 0));
        ok!(unlink(&p("s/a2")));
        // In its own non-sticky directory, A removes B's file too.
        ok!(unlink(&p("s/adir/b")));
        ok!(rmdir(&p("s/adir")));
        new_file(&p("s/c"), b"")
    })?;
    // The owner of the directory may remove others' files; chown keeps a directory's
    // sticky bit.
    ok!(lchown(&s, B, B));
    eq!(mode(&s)?, libc::S_IFDIR | 0o1777);
    as_user(B, B, || {
        ok!(unlink(&p("s/c")));
        Ok(())
    })?;
    eq!(names(&s)?, set(&[]));
    Ok(())
}

/// A set-group-ID directory: what is made in it gets its group, directories inherit the
/// bit, and a file's own S_ISGID is kept only for members of that group.
fn t_setgid_dir(e: &Env) -> TestResult {
    let g = e.p("g");
    // mkdir ignores S_ISGID in its mode (outside a set-group-ID directory): chmod sets it.
    ok!(mkdir(&g, 0o2777));
    eq!(mode(&g)?, libc::S_IFDIR | 0o777);
    ok!(chmod(&g, 0o2777));
    // chown keeps a directory's S_ISGID, even with group execute.
    ok!(lchown(&g, 0, GRP));
    eq!(mode(&g)?, libc::S_IFDIR | 0o2777);
    ok!(mkdir(&e.p("open"), 0o777));
    let p = |x: &str| e.p(x);
    as_user(A, A, || {
        create(&p("g/f"), 0o644)?;
        eq!(
            (ids(&p("g/f"))?, mode(&p("g/f"))?),
            ((A, GRP), libc::S_IFREG | 0o644)
        );
        // Subdirectories get the group and S_ISGID, without asking, to any depth.
        ok!(mkdir(&p("g/sub"), 0o755));
        eq!(
            (ids(&p("g/sub"))?, mode(&p("g/sub"))?),
            ((A, GRP), libc::S_IFDIR | 0o2755)
        );
        ok!(mkdir(&p("g/sub/sub"), 0o700));
        eq!(
            (ids(&p("g/sub/sub"))?, mode(&p("g/sub/sub"))?),
            ((A, GRP), libc::S_IFDIR | 0o2700)
        );
        // Every kind of inode gets the group.
        ok!(mknod(&p("g/fifo"), libc::S_IFIFO | 0o644, 0));
        ok!(symlink(b"f", &p("g/l")));
        eq!((ids(&p("g/fifo"))?, ids(&p("g/l"))?), ((A, GRP), (A, GRP)));
        let t = ok!(open(&g, libc::O_TMPFILE | libc::O_RDWR, 0o600));
        let st = ok!(fstat(&t));
        eq!((st.st_uid, st.st_gid), (A, GRP));
        // An executable S_ISGID file asked for by a non-member loses the bit
        // (mode_strip_sgid()), also through O_TMPFILE; without group execute it stays.
        create(&p("g/x"), 0o2755)?;
        eq!(mode(&p("g/x"))?, libc::S_IFREG | 0o755);
        let t = ok!(open(&g, libc::O_TMPFILE | libc::O_RDWR, 0o2755));
        eq!(ok!(fstat(&t)).st_mode, libc::S_IFREG | 0o755);
        create(&p("g/y"), 0o2745)?;
        eq!(mode(&p("g/y"))?, libc::S_IFREG | 0o2745);
        // Outside such a directory: the creator's group, and mkdir ignores S_ISGID.
        ok!(mkdir(&p("open/d"), 0o2755));
        eq!(
            (ids(&p("open/d"))?, mode(&p("open/d"))?),
            ((A, A), libc::S_IFDIR | 0o755)
        );
        Ok(())
    })?;
    // A member of the group keeps S_ISGID on an executable file.
    as_user(A, GRP, || {
        create(&p("g/z"), 0o2755)?;
        eq!(mode(&p("g/z"))?, libc::S_IFREG | 0o2755);
        Ok(())
    })?;
    // So does root (CAP_FSETID).
    create(&p("g/r"), 0o2755)?;
    eq!(
        (ids(&p("g/r"))?, mode(&p("g/r"))?),
        ((0, GRP), libc::S_IFREG | 0o2755)
    );
    Ok(())
}

/// A file with `mode`, owned by `uid`:`gid`, written to with one byte.
fn file_with(path: &str, uid: u32, gid: u32, mode: u32) -> TestResult {
    new_file(path, b"data")?;
    // chown first: it would strip the bits chmod sets.
    ok!(lchown(path, uid, gid));
    ok!(chmod(path, mode));
    let m = self::mode(path)?;
    check!(
        m == libc::S_IFREG | mode,
        "{path}: mode {m:o} after chmod {mode:o}"
    );
    Ok(())
}

/// Writing (or truncating) a file strips S_ISUID, and S_ISGID if the group may execute it
/// or the writer is not in its group, unless the writer has CAP_FSETID.
fn t_write_strips_suid(e: &Env) -> TestResult {
    let p = |x: &str| e.p(x);
    file_with(&p("w1"), 0, 0, 0o6777)?;
    file_with(&p("w2"), 0, 0, 0o2767)?;
    file_with(&p("w3"), 0, GRP, 0o2767)?;
    file_with(&p("w4"), 0, 0, 0o6777)?;
    file_with(&p("w5"), A, A, 0o4755)?;
    file_with(&p("w6"), 0, 0, 0o6777)?;
    file_with(&p("w7"), 0, 0, 0o6777)?;
    as_user(A, A, || {
        write_to(&p("w1"), b"x")?;
        eq!(mode(&p("w1"))?, libc::S_IFREG | 0o777);
        // No group execute, but A is not in group 0.
        write_to(&p("w2"), b"x")?;
        eq!(mode(&p("w2"))?, libc::S_IFREG | 0o767);
        // Truncation strips them too.
        ok!(truncate(&p("w4"), 1));
        eq!(mode(&p("w4"))?, libc::S_IFREG | 0o777);
        // The owner is no exception.
        write_to(&p("w5"), b"x")?;
        eq!(mode(&p("w5"))?, libc::S_IFREG | 0o755);
        // A write of nothing changes nothing, and strips nothing.
        let fd = ok!(open(&p("w6"), libc::O_WRONLY, 0));
        eq!(ok!(write(&fd, b"")), 0);
        eq!(mode(&p("w6"))?, libc::S_IFREG | 0o6777);
        Ok(())
    })?;
    // A member of the group, without group execute: S_ISGID stays (it marks mandatory
    // locking, not a set-group-ID program).
    as_user(A, GRP, || {
        write_to(&p("w3"), b"x")?;
        eq!(mode(&p("w3"))?, libc::S_IFREG | 0o2767);
        Ok(())
    })?;
    // Root writes without stripping.
    write_to(&p("w7"), b"x")?;
    eq!(mode(&p("w7"))?, libc::S_IFREG | 0o6777);
    // A file capability goes with any write, also to a file that was written before it was
    // set (a fs may remember that a write found nothing to strip: SB_NOSEC). ramfs keeps no
    // attributes.
    if e.fs != "ramfs" {
        file_with(&p("w8"), 0, 0, 0o777)?;
        // struct vfs_cap_data, VFS_CAP_REVISION_2, no capabilities.
        let cap = [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        ok!(setxattr(&p("w8"), "security.capability", &cap));
        eq!(ok!(getxattr(&p("w8"), "security.capability")).len(), 20);
        as_user(A, A, || write_to(&p("w8"), b"x"))?;
        fails!(getxattr(&p("w8"), "security.capability"), libc::ENODATA);
    }
    Ok(())
}

/// chown strips S_ISUID always (even root's chown, even chown(-1, -1)), S_ISGID if the
/// group may execute or the caller is neither in the group nor privileged; never from a
/// directory.
fn t_chown_strips_suid(e: &Env) -> TestResult {
    let p = |x: &str| e.p(x);
    file_with(&p("f1"), 0, 0, 0o6755)?;
    ok!(lchown(&p("f1"), A, A));
    eq!(
        (ids(&p("f1"))?, mode(&p("f1"))?),
        ((A, A), libc::S_IFREG | 0o755)
    );
    file_with(&p("f2"), 0, 0, 0o2745)?;
    ok!(lchown(&p("f2"), A, A));
    eq!(mode(&p("f2"))?, libc::S_IFREG | 0o2745);
    file_with(&p("f3"), 0, 0, 0o6755)?;
    ok!(lchown(&p("f3"), KEEP, KEEP));
    eq!(mode(&p("f3"))?, libc::S_IFREG | 0o755);
    ok!(mkdir(&p("d"), 0o755));
    ok!(chmod(&p("d"), 0o7755));
    ok!(lchown(&p("d"), A, A));
    eq!(mode(&p("d"))?, libc::S_IFDIR | 0o7755);
    // As the owner.
    file_with(&p("o1"), A, A, 0o4755)?;
    file_with(&p("o2"), A, A, 0o2745)?;
    file_with(&p("o3"), A, GRP, 0o2745)?;
    file_with(&p("o4"), A, A, 0o2755)?;
    as_user(A, A, || {
        ok!(lchown(&p("o1"), KEEP, A));
        eq!(mode(&p("o1"))?, libc::S_IFREG | 0o755);
        // In the group, no group execute: kept.
        ok!(lchown(&p("o2"), A, A));
        eq!(mode(&p("o2"))?, libc::S_IFREG | 0o2745);
        // Not in the group: dropped, even by chown(-1, -1).
        ok!(lchown(&p("o3"), KEEP, KEEP));
        eq!(
            (ids(&p("o3"))?, mode(&p("o3"))?),
            ((A, GRP), libc::S_IFREG | 0o745)
        );
        // Group execute: dropped.
        ok!(lchown(&p("o4"), KEEP, KEEP));
        eq!(mode(&p("o4"))?, libc::S_IFREG | 0o755);
        Ok(())
    })
}

/// Only the owner (or root) may chmod; chown needs root, except that the owner may change
/// the group to one of its own.
fn t_chown_chmod_owner_only(e: &Env) -> TestResult {
    let p = |x: &str| e.p(x);
    file_with(&p("f"), A, A, 0o644)?;
    file_with(&p("s"), A, A, 0o4755)?;
    as_user(B, B, || {
        fails!(chmod(&p("f"), 0o666), libc::EPERM);
        fails!(lchown(&p("f"), B, KEEP), libc::EPERM);
        fails!(lchown(&p("f"), KEEP, B), libc::EPERM);
        // Not even to the ids it has.
        fails!(lchown(&p("f"), A, A), libc::EPERM);
        // chown(-1, -1) asks for no change, and gets none (only the ctime moves): allowed
        // for anyone. On a set-user-ID file it would strip the bit: refused.
        ok!(lchown(&p("f"), KEEP, KEEP));
        fails!(lchown(&p("s"), KEEP, KEEP), libc::EPERM);
        Ok(())
    })?;
    eq!(
        (ids(&p("f"))?, mode(&p("f"))?),
        ((A, A), libc::S_IFREG | 0o644)
    );
    eq!(mode(&p("s"))?, libc::S_IFREG | 0o4755);
    as_user(A, A, || {
        ok!(chmod(&p("f"), 0o600));
        fails!(lchown(&p("f"), B, KEEP), libc::EPERM);
        fails!(lchown(&p("f"), KEEP, GRP), libc::EPERM);
        ok!(lchown(&p("f"), A, A));
        Ok(())
    })?;
    // A member of GRP may give its file to GRP, and then set S_ISGID on it; a non-member
    // owner's S_ISGID is dropped silently by chmod.
    as_user(A, GRP, || {
        ok!(lchown(&p("f"), KEEP, GRP));
        ok!(chmod(&p("f"), 0o2750));
        eq!(mode(&p("f"))?, libc::S_IFREG | 0o2750);
        Ok(())
    })?;
    as_user(A, A, || {
        ok!(chmod(&p("f"), 0o2750));
        eq!(mode(&p("f"))?, libc::S_IFREG | 0o750);
        Ok(())
    })?;
    eq!(ids(&p("f"))?, (A, GRP));
    Ok(())
}

/// utimensat: with write permission, a non-owner may set both times to now and nothing
/// else (EPERM); without it, not even that (EACCES). The owner may set anything.
fn t_utimes(e: &Env) -> TestResult {
    let p = |x: &str| e.p(x);
    file_with(&p("w"), 0, 0, 0o666)?;
    file_with(&p("r"), 0, 0, 0o644)?;
    file_with(&p("own"), A, A, 0o444)?;
    for f in ["w", "r", "own"] {
        age(&p(f))?;
    }
    let (now, omit) = (ts(0, libc::UTIME_NOW), ts(0, libc::UTIME_OMIT));
    as_user(A, A, || {
        ok!(utimens(&p("w"), None, 0));
        let st = ok!(lstat(&p("w")));
        check!(
            mtime(&st) != OLD && atime(&st) == mtime(&st),
            "NULL did not set now"
        );
        ok!(utimens(&p("w"), Some([now, now]), 0));
        fails!(utimens(&p("w"), Some([ts(1, 0), ts(1, 0)]), 0), libc::EPERM);
        fails!(utimens(&p("w"), Some([ts(1, 0), omit]), 0), libc::EPERM);
        // One time "now", the other left: an explicit change in the VFS's eyes.
        fails!(utimens(&p("w"), Some([now, omit]), 0), libc::EPERM);
        fails!(utimens(&p("w"), Some([now, ts(1, 0)]), 0), libc::EPERM);
        fails!(utimens(&p("r"), None, 0), libc::EACCES);
        fails!(utimens(&p("r"), Some([now, now]), 0), libc::EACCES);
        fails!(utimens(&p("r"), Some([ts(1, 0), ts(1, 0)]), 0), libc::EPERM);
        // Both omitted: nothing to do, no check at all.
        ok!(utimens(&p("r"), Some([omit, omit]), 0));
        // The owner, even of a read-only file.
        ok!(utimens(&p("own"), Some([ts(11, 1), ts(22, 2)]), 0));
        let st = ok!(lstat(&p("own")));
        eq!((atime(&st), mtime(&st)), ((11, 1), (22, 2)));
        ok!(utimens(&p("own"), None, 0));
        let st = ok!(lstat(&p("own")));
        eq!(mtime(&st), ctime(&st));
        Ok(())
    })?;
    let st = ok!(lstat(&p("r")));
    eq!((atime(&st), mtime(&st)), (OLD, OLD));
    let st = ok!(lstat(&p("w")));
    check!(
        mtime(&st) != (1, 0) && atime(&st) != (1, 0),
        "refused times were set"
    );
    Ok(())
}

/// Enters a new user and mount namespace as uid and gid 0 mapped to `id` (the caller's
/// ids already).
pub(crate) fn enter_userns(id: u32) -> TestResult {
    // setresuid() made the process non-dumpable, which makes its /proc files root's: it
    // could not write its own uid_map.
    // SAFETY: plain prctl.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) } != 0 {
        return Err(format!("PR_SET_DUMPABLE: {}", ename(errno())));
    }
    unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS)
        .map_err(|e| format!("unshare: {}", ename(e)))?;
    // An unprivileged gid_map needs setgroups(2) disabled first.
    for (file, text) in [
        ("/proc/self/setgroups", "deny".to_owned()),
        ("/proc/self/uid_map", format!("0 {id} 1")),
        ("/proc/self/gid_map", format!("0 {id} 1")),
    ] {
        std::fs::write(file, text).map_err(|e| format!("write {file}: {e}"))?;
    }
    // Nothing mounted here may reach the parent namespace (it could not anyway: the copy
    // of a more privileged namespace's mounts is a slave), and being explicit costs nothing.
    mount_flags("/", libc::MS_REC | libc::MS_PRIVATE)
        .map_err(|e| format!("make / private: {}", ename(e)))
}

/// Runs `inside` in a forked child that is `id` in the init namespace and root in a new
/// user and mount namespace; then, while the child waits in its namespaces with what it
/// mounted, `outside` runs here with the child's pid.
fn in_userns(
    id: u32,
    inside: impl FnOnce() -> TestResult,
    outside: impl FnOnce(i32) -> TestResult,
) -> TestResult {
    let (up_r, up_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    let (down_r, down_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", ename(errno())));
    }
    if pid == 0 {
        drop((up_r, down_w));
        let r = become_user(id, id)
            .and_then(|()| enter_userns(id))
            .and_then(|()| inside());
        let msg = r.as_ref().err().cloned().unwrap_or_else(|| "ready".into());
        let _ = write(&up_w, msg.as_bytes());
        drop(up_w);
        if r.is_ok() {
            // Until the parent has looked (it closes its end).
            let _ = read(&down_r, 1);
        }
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(if r.is_ok() { 0 } else { 1 }) };
    }
    drop((up_w, down_r));
    let msg = read_to_end(&up_r).map_err(|e| format!("read from child: {}", ename(e)));
    let r = match msg {
        Ok(m) if m == b"ready" => outside(pid),
        Ok(m) => Err(format!(
            "in the user namespace: {}",
            String::from_utf8_lossy(&m)
        )),
        Err(m) => Err(m),
    };
    drop(down_w);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    r?;
    check!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child ended with status {status:#x}"
    );
    Ok(())
}

/// The line of a mountinfo file whose mount point is `target`.
fn mountinfo_line(file: &str, target: &str) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("read {file}: {e}"))?;
    Ok(text
        .lines()
        .find(|l| l.split(' ').nth(4) == Some(target))
        .map(str::to_owned))
}

/// What the child checks on its mount of `fs` at `dir`, as root of its user namespace.
fn userns_inside(fs: &str, dir: &str) -> TestResult {
    ok!(mount(fs, dir, Some("mode=750")));
    let magic = magic_of(fs).ok_or(format!("no known magic for {fs}"))?;
    eq!(ok!(statfs(dir)).f_type as i64, magic);
    // The root and what is made in it belong to the namespace's root.
    eq!((ids(dir)?, mode(dir)?), ((0, 0), libc::S_IFDIR | 0o750));
    let f = format!("{dir}/f");
    new_file(&f, b"ns")?;
    eq!(ids(&f)?, (0, 0));
    ok!(mkdir(&format!("{dir}/d"), 0o755));
    ok!(mknod(&format!("{dir}/p"), libc::S_IFIFO | 0o644, 0));
    // Ids outside the mapping cannot be given; devices need CAP_MKNOD of the init
    // namespace.
    fails!(lchown(&f, 5, 5), libc::EINVAL);
    fails!(
        mknod(
            &format!("{dir}/c"),
            libc::S_IFCHR | 0o644,
            libc::makedev(1, 3)
        ),
        libc::EPERM
    );
    ok!(lchown(&f, 0, 0));
    Ok(())
}

/// What the parent sees of the child's mount at `dir`: nothing in its own namespace, the
/// mapped ids through the child's root.
fn userns_outside(pid: i32, fs: &str, dir: &str) -> TestResult {
    let mine = mountinfo_line("/proc/self/mountinfo", dir)?;
    check!(
        mine.is_none(),
        "the namespace's mount shows outside: {mine:?}"
    );
    eq!(names(dir)?, set(&[]));
    let theirs = mountinfo_line(&format!("/proc/{pid}/mountinfo"), dir)?
        .ok_or(format!("{dir} not in the child's mountinfo"))?;
    check!(
        theirs.contains(&format!(" - {fs} ")),
        "child's mountinfo: {theirs}"
    );
    let there = format!("/proc/{pid}/root{dir}");
    eq!(
        (ids(&there)?, mode(&there)?),
        ((A, A), libc::S_IFDIR | 0o750)
    );
    for x in ["f", "d", "p"] {
        eq!((x, ids(&format!("{there}/{x}"))?), (x, (A, A)));
    }
    eq!(content(&format!("{there}/f"))?, b"ns");
    Ok(())
}

/// A mount in a user namespace (FS_USERNS_MOUNT), with C ramfs beside it for comparison.
fn t_userns_mount(e: &Env) -> TestResult {
    let mut mounts = vec![(e.fs.clone(), e.p("ns"))];
    if e.fs != "ramfs" {
        mounts.push(("ramfs".to_owned(), e.p("ns-ramfs")));
    }
    for (_, dir) in &mounts {
        ok!(mkdir(dir, 0o755));
    }
    // Without a user namespace, the same user may not mount at all.
    as_user(A, A, || {
        for (fs, dir) in &mounts {
            fails!(mount(fs, dir, None), libc::EPERM);
        }
        Ok(())
    })?;
    let root = e.root.clone();
    in_userns(
        A,
        || {
            // Outside ids are unmapped here: the test's mount root belongs to "nobody".
            eq!(ids(&root)?, (65534, 65534));
            for (fs, dir) in &mounts {
                userns_inside(fs, dir).map_err(|why| format!("{fs}: {why}"))?;
            }
            Ok(())
        },
        |pid| {
            for (fs, dir) in &mounts {
                userns_outside(pid, fs, dir).map_err(|why| format!("{fs}: {why}"))?;
            }
            Ok(())
        },
    )?;
    // The namespace went with the child, and its mounts with it.
    for (_, dir) in &mounts {
        eq!(names(dir)?, set(&[]));
        check!(
            mountinfo_line("/proc/self/mountinfo", dir)?.is_none(),
            "{dir} is mounted"
        );
    }
    Ok(())
}
