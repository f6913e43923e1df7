// SPDX-License-Identifier: GPL-2.0
//! overlayfs with its upper and work directories on the file system under test (tmpfs first,
//! the reference, then bs2ramfs) and a tmpfs lower layer: the mount must find every feature
//! it wants in the upper layer (d_type, O_TMPFILE, RENAME_WHITEOUT, trusted. xattrs), and
//! copy-up, whiteouts, opaque directories and renames must show in the upper layer as they
//! do on tmpfs, also after a remount of the overlay.

use crate::ops::{content, names, new_file, set};
use crate::sys::*;
use crate::TestResult;

const LOWER: &str = "/mnt/ovl-lower";
const UP: &str = "/mnt/ovl-up";
const MERGED: &str = "/mnt/ovl-merged";

fn l(n: &str) -> String {
    format!("{LOWER}/{n}")
}
fn u(n: &str) -> String {
    format!("{UP}/upper/{n}")
}
fn m(n: &str) -> String {
    format!("{MERGED}/{n}")
}

/// The kernel log lines of overlayfs so far.
fn overlay_log() -> Result<Vec<String>, String> {
    let out = std::process::Command::new("dmesg")
        .output()
        .map_err(|e| format!("dmesg: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|s| s.contains("overlayfs"))
        .map(str::to_owned)
        .collect())
}

fn mount_overlay() -> Sys<()> {
    let opts = format!(
        "lowerdir={LOWER},upperdir={UP}/upper,workdir={UP}/work"
    );
    mount("overlay", MERGED, Some(&opts))
}

fn is_whiteout(path: &str) -> bool {
    matches!(lstat(path), Ok(st) if st.st_mode == libc::S_IFCHR && st.st_rdev == 0)
}

fn checks(fs: &str) -> TestResult {
    // The lower layer: a, b (with user.x), d/x, d/y.
    new_file(&l("a"), b"lower a")?;
    new_file(&l("b"), b"lower b")?;
    ok!(setxattr(&l("b"), "user.x", b"1"));
    ok!(mkdir(&l("d"), 0o755));
    new_file(&l("d/x"), b"x")?;
    new_file(&l("d/y"), b"y")?;
    ok!(mkdir(&format!("{UP}/upper"), 0o755));
    ok!(mkdir(&format!("{UP}/work"), 0o755));

    let before = overlay_log()?.len();
    ok!(mount_overlay());
    let log = overlay_log()?;
    let new: Vec<&String> = log.iter().skip(before).collect();
    for bad in ["not support", "failed to set xattr", "falling back", "fallback"] {
        check!(
            !new.iter().any(|s| s.contains(bad)),
            "{fs}: overlayfs says: {new:?}"
        );
    }
    eq!(names(MERGED)?, set(&["a", "b", "d"]));

    // Copy-up: appending to b copies it, data and xattrs, into the upper layer.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(m("b"))
            .map_err(|e| format!("open merged/b: {e}"))?;
        f.write_all(b" and more")
            .map_err(|e| format!("append merged/b: {e}"))?;
    }
    eq!(content(&m("b"))?, b"lower b and more");
    eq!(content(&u("b"))?, b"lower b and more");
    eq!(ok!(getxattr(&u("b"), "user.x")), b"1");
    eq!(content(&l("b"))?, b"lower b");

    // Removing a lower file leaves a whiteout in the upper layer.
    ok!(unlink(&m("a")));
    check!(is_whiteout(&u("a")), "{fs}: upper/a is not a whiteout");
    fails!(lstat(&m("a")), libc::ENOENT);
    eq!(content(&l("a"))?, b"lower a");

    // A directory removed and made again is opaque: the lower entries do not show through.
    ok!(unlink(&m("d/x")));
    ok!(unlink(&m("d/y")));
    ok!(rmdir(&m("d")));
    ok!(mkdir(&m("d"), 0o755));
    eq!(names(&m("d"))?, set(&[]));
    eq!(ok!(getxattr(&u("d"), "trusted.overlay.opaque")), b"y");

    // A rename leaves a whiteout at the old name.
    ok!(rename(&m("b"), &m("c"), 0));
    check!(is_whiteout(&u("b")), "{fs}: upper/b is not a whiteout after rename");
    eq!(content(&m("c"))?, b"lower b and more");
    new_file(&m("new"), b"new")?;
    eq!(names(MERGED)?, set(&["c", "d", "new"]));

    // The same view after a remount of the overlay.
    ok!(umount(MERGED));
    ok!(mount_overlay());
    eq!(names(MERGED)?, set(&["c", "d", "new"]));
    eq!(names(&m("d"))?, set(&[]));
    eq!(content(&m("c"))?, b"lower b and more");
    ok!(umount(MERGED));
    Ok(())
}

/// The whole test with the upper layer on `fs`.
fn on(fs: &str) -> TestResult {
    mount("tmpfs", LOWER, None).map_err(|e| format!("mount lower: {}", ename(e)))?;
    let r = mount(fs, UP, None)
        .map_err(|e| format!("mount {fs}: {}", ename(e)))
        .and_then(|()| {
            let r = checks(fs);
            let _ = umount(MERGED);
            let u = crate::umount(UP);
            r.and(u)
        });
    let u = crate::umount(LOWER);
    r.map_err(|e| format!("{fs}: {e}"))?;
    u
}

/// overlayfs with a tmpfs (the reference) and a bs2ramfs upper layer.
pub fn t_overlay() -> TestResult {
    on("tmpfs")?;
    on("bs2ramfs")
}
