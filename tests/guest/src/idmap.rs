// SPDX-License-Identifier: GPL-2.0
//! Idmapped mounts (`FS_ALLOW_IDMAP`): an idmapped view of a mount, made with
//! open_tree(2), mount_setattr(2) `MOUNT_ATTR_IDMAP` and move_mount(2), with a user namespace
//! that maps ids 0..65536 to 10000..75536. The same checks run on tmpfs first (the reference)
//! and then on bs2ramfs.

use crate::sys::*;
use crate::TestResult;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Where the file system is mounted, and where its idmapped view goes.
const BASE: &str = "/mnt/idmap-base";
const VIEW: &str = "/mnt/idmap-view";
/// The user namespace maps ids `0..RANGE` to `SHIFT..SHIFT + RANGE`.
pub(crate) const SHIFT: u32 = 10000;
const RANGE: u32 = 65536;

const OPEN_TREE_CLONE: u32 = 1;
const MOVE_MOUNT_F_EMPTY_PATH: u32 = 4;
const MOUNT_ATTR_IDMAP: u64 = 0x0010_0000;

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

fn sys_err(what: &str) -> String {
    format!("{what}: {}", ename(errno()))
}

/// A user namespace with the test's mapping, as a descriptor: a child unshares it and waits
/// while this process writes its maps and opens it.
pub(crate) fn userns_fd() -> Result<OwnedFd, String> {
    let (up_r, up_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    let (down_r, down_w) = pipe().map_err(|e| format!("pipe: {}", ename(e)))?;
    // SAFETY: this program is single-threaded, so the child may run arbitrary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(sys_err("fork"));
    }
    if pid == 0 {
        drop((up_r, down_w));
        let ok = unshare(libc::CLONE_NEWUSER).is_ok();
        let _ = write(&up_w, if ok { b"y" } else { b"n" });
        let _ = read(&down_r, 1);
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop((up_w, down_r));
    let r = (|| {
        let said = read(&up_r, 1).map_err(|e| format!("read from child: {}", ename(e)))?;
        if said != b"y" {
            return Err("unshare(CLONE_NEWUSER) failed in the child".to_owned());
        }
        for file in ["uid_map", "gid_map"] {
            let p = format!("/proc/{pid}/{file}");
            std::fs::write(&p, format!("0 {SHIFT} {RANGE}"))
                .map_err(|e| format!("write {p}: {e}"))?;
        }
        open(&format!("/proc/{pid}/ns/user"), libc::O_RDONLY | libc::O_CLOEXEC, 0)
            .map_err(|e| format!("open the user namespace: {}", ename(e)))
    })();
    drop(down_w);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    r
}

/// Makes `VIEW` an idmapped view of `BASE`.
fn idmapped_view(userns: &OwnedFd) -> Result<(), String> {
    view_of(BASE, VIEW, userns)
}

/// Makes `view` an idmapped view of the mount at `base`, with the mapping of `userns`.
pub(crate) fn view_of(base: &str, view: &str, userns: &OwnedFd) -> Result<(), String> {
    let base = cstr(base);
    // SAFETY: `base` is a valid string.
    let tree = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            base.as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as u32,
        )
    };
    if tree < 0 {
        return Err(sys_err("open_tree"));
    }
    // SAFETY: open_tree returned a new descriptor, which is ours.
    let tree = unsafe { OwnedFd::from_raw_fd(tree as i32) };
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_IDMAP,
        attr_clr: 0,
        propagation: 0,
        userns_fd: userns.as_raw_fd() as u64,
    };
    let empty = cstr("");
    // SAFETY: `attr` and `empty` are valid for the call, the size is that of `attr`.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            tree.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_EMPTY_PATH as u32,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if r != 0 {
        return Err(sys_err("mount_setattr(MOUNT_ATTR_IDMAP)"));
    }
    std::fs::create_dir_all(view).map_err(|e| format!("mkdir {view}: {e}"))?;
    let view = cstr(view);
    // SAFETY: the strings are valid; the descriptor is the detached tree.
    let r = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            view.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if r != 0 {
        return Err(sys_err("move_mount"));
    }
    Ok(())
}

fn owner(path: &str) -> Result<(u32, u32), String> {
    let s = lstat(path).map_err(|e| format!("lstat {path}: {}", ename(e)))?;
    Ok((s.st_uid, s.st_gid))
}

/// The checks, on `fs` mounted at `BASE` with its idmapped view at `VIEW`.
fn checks(fs: &str) -> TestResult {
    let w = |p: &str| format!("{VIEW}/{p}");
    let b = |p: &str| format!("{BASE}/{p}");
    // What root made on the file system shows shifted in the view.
    std::fs::write(b("by-root"), b"x").map_err(|e| format!("{fs}: create: {e}"))?;
    check!(owner(&b("by-root"))? == (0, 0), "{fs}: owner on the mount");
    check!(
        owner(&w("by-root"))? == (SHIFT, SHIFT),
        "{fs}: owner {:?} in the view, want ({SHIFT}, {SHIFT})",
        owner(&w("by-root"))?
    );
    check!(owner(VIEW)? == (SHIFT, SHIFT), "{fs}: the root in the view");
    // A file made through the view by id 10000 is stored as id 0, a directory and a symlink
    // by 10005 as 5; the new names belong to their creator in the view.
    as_user(SHIFT, SHIFT, || {
        std::fs::write(w("by-10000"), b"y").map_err(|e| format!("create in the view: {e}"))
    })?;
    check!(owner(&b("by-10000"))? == (0, 0), "{fs}: stored owner of by-10000");
    check!(owner(&w("by-10000"))? == (SHIFT, SHIFT), "{fs}: by-10000 in the view");
    as_user(SHIFT, SHIFT, || {
        chmod(VIEW, 0o777).map_err(|e| format!("chmod the root in the view: {}", ename(e)))
    })?;
    as_user(SHIFT + 5, SHIFT + 5, || {
        mkdir(&w("dir"), 0o755).map_err(|e| format!("mkdir: {}", ename(e)))?;
        symlink(b"by-root", &w("link")).map_err(|e| format!("symlink: {}", ename(e)))?;
        mknod(&w("fifo"), libc::S_IFIFO | 0o600, 0).map_err(|e| format!("mknod: {}", ename(e)))
    })?;
    for p in ["dir", "link", "fifo"] {
        check!(owner(&b(p))? == (5, 5), "{fs}: stored owner of {p}: {:?}", owner(&b(p))?);
        check!(owner(&w(p))? == (SHIFT + 5, SHIFT + 5), "{fs}: {p} in the view");
    }
    // chown through the view stores the unshifted ids.
    lchown(&w("by-root"), SHIFT + 7, SHIFT + 8).map_err(|e| format!("{fs}: chown: {}", ename(e)))?;
    check!(owner(&b("by-root"))? == (7, 8), "{fs}: stored owner after chown through the view");
    // Ids the view cannot map: root (0 has no id in 0..65536 of the file system) cannot
    // create there, and cannot chown to an unmapped id.
    let r = open(&w("by-unmapped"), libc::O_CREAT | libc::O_WRONLY, 0o644);
    check!(
        matches!(r, Err(libc::EOVERFLOW)),
        "{fs}: create by an unmapped id: {:?}, want EOVERFLOW",
        r.map(drop).map_err(ename)
    );
    let r = lchown(&w("by-10000"), 5, 5);
    check!(
        matches!(r, Err(libc::EINVAL) | Err(libc::EOVERFLOW)),
        "{fs}: chown to an unmapped id: {:?}",
        r.map_err(ename)
    );
    // setattr through the view: the owner (10000 in the view) may chmod and set times.
    as_user(SHIFT, SHIFT, || {
        chmod(&w("by-10000"), 0o600).map_err(|e| format!("chmod: {}", ename(e)))?;
        utimens(&w("by-10000"), Some([ts(1, 0), ts(2, 0)]), 0)
            .map_err(|e| format!("utimensat: {}", ename(e)))
    })?;
    let s = lstat(&b("by-10000")).map_err(ename)?;
    check!(
        s.st_mode & 0o7777 == 0o600 && s.st_mtime == 2,
        "{fs}: mode {:o} mtime {} after setattr through the view",
        s.st_mode,
        s.st_mtime
    );
    // Someone else in the view (10001) may not.
    let r = as_user(SHIFT + 1, SHIFT + 1, || chmod(&w("by-10000"), 0o644).map_err(ename));
    check!(r.is_err(), "{fs}: chmod by a non-owner in the view succeeded");
    Ok(())
}

/// The whole test on `fs`: mount, view, checks, unmount both.
fn on(fs: &str, userns: &OwnedFd) -> TestResult {
    mount(fs, BASE, Some("mode=0755")).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let r = idmapped_view(userns).and_then(|()| {
        let r = checks(fs);
        let _ = umount(VIEW);
        r
    });
    let _ = umount(BASE);
    r.map_err(|e| format!("{fs}: {e}"))
}

/// Idmapped mounts on tmpfs (the reference) and bs2ramfs.
pub fn t_idmapped_mount() -> TestResult {
    let userns = userns_fd()?;
    on("tmpfs", &userns)?;
    on("bs2ramfs", &userns)
}
