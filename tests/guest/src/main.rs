// SPDX-License-Identifier: GPL-2.0
//! bs2ramfs tests that run as root inside the guest.
//!
//! Usage: `bs2ramfs-guest-tests [--module PATH.ko | --fs TYPE | --lsm] [FILTER]`.
//!
//! - no option: the bs2ramfs tests (mount, options, `statfs`, ..., and the malformed mount
//!   options of `badinput`, `size=`, `nr_inodes=`, `uid=` and `gid=` of `limits`, idmapped mounts of
//!   `idmap`, stable readdir offsets of `readdir`, extended attributes of `xattr`, an
//!   overlayfs upper layer of `overlay`, fallocate and SEEK_DATA/SEEK_HOLE of `falloc`, and
//!   the leases, O_DIRECT, inode numbers (`inode64`, `inode32`), birth time and default size
//!   and inode limits of `parity`, the `chattr` inode flags of `inode_flags` and the POSIX ACLs
//!   of `acl` (`acl_*`: the umask, access and default ACLs, permissions, symbolic links,
//!   idmapped mounts, the ACL cache, setfacl and getfacl) and the file handles of `handle`
//!   (`handle_*`: name_to_handle_at and open_by_handle_at, stale handles, concurrent encoding,
//!   unprivileged callers and user namespace mounts, fsnotify's handles and fsid, an overlayfs
//!   with `nfs_export=on`), with tmpfs as the reference) and the
//!   functional suite on bs2ramfs: `ops`, the bad input of
//!   `badinput` (names, symlink targets, renames, removed but open objects) and the
//!   permission checks of `perms` (unprivileged users, sticky and set-group-ID bits, user
//!   namespace mounts);
//! - `--fs TYPE`: only the functional suite, on TYPE (`ramfs` is the reference: every test
//!   passes there);
//! - `--module PATH.ko`: insmod, mount, busy rmmod refused, rmmod, three rounds;
//! - `--lsm`: in a guest booted with `lsm=smack`, the extended attribute tests with a security
//!   module that gives new inodes initial extended attributes (Smack's labels, which tmpfs
//!   stores and charges), and the test of those attributes, `lsm_initial_xattrs`.
//!
//! FILTER runs only the tests whose name contains it. Prints one `ok NAME` or
//! `FAIL NAME: why` line per test and `N passed, N failed` last; exits 1 on any failure.

use std::fs;
use std::io::{Error, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

type TestResult = Result<(), String>;

macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

// The assertion macros of `ops` (ok!, fails!, eq!, ...) serve the modules declared after it.
#[macro_use]
mod ops;
mod acl;
mod badinput;
mod falloc;
mod handle;
mod idmap;
mod inode_flags;
mod limits;
mod overlay;
mod parity;
mod perms;
mod readdir;
mod sys;
mod xattr;

use ops::BS2RAMFS_MAGIC;
use sys::{cstr, mount, remount};

fn umount(target: &str) -> TestResult {
    sys::umount(target).map_err(|e| format!("umount {target}: {}", sys::ename(e)))
}

fn statfs(path: &str) -> Result<libc::statfs, String> {
    sys::statfs(path).map_err(|e| format!("statfs {path}: {}", sys::ename(e)))
}

fn sh(cmd: &str) -> Result<String, String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "`{cmd}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn kernel_log() -> Result<String, String> {
    sh("dmesg")
}

fn proc_mounts_line(target: &str) -> Option<String> {
    fs::read_to_string("/proc/mounts")
        .ok()?
        .lines()
        .find(|l| l.split(' ').nth(1) == Some(target))
        .map(str::to_owned)
}

/// A fresh bs2ramfs mount for one test, unmounted when dropped.
struct Mnt(String);

impl Mnt {
    fn new(name: &str, data: Option<&str>) -> Result<Self, String> {
        let t = format!("/mnt/{name}");
        mount("bs2ramfs", &t, data).map_err(|e| format!("mount {t}: errno {e}"))?;
        Ok(Self(t))
    }
}

impl Drop for Mnt {
    fn drop(&mut self) {
        let _ = umount(&self.0);
    }
}

fn t_mount_umount() -> TestResult {
    let m = Mnt::new("mu", None)?;
    let line = proc_mounts_line(&m.0).ok_or("not in /proc/mounts")?;
    check!(
        line.starts_with("none /mnt/mu bs2ramfs rw"),
        "/proc/mounts: {line}"
    );
    check!(
        fs::read_to_string("/proc/filesystems")
            .map_err(|e| e.to_string())?
            .lines()
            .any(|l| l == "nodev\tbs2ramfs"),
        "bs2ramfs is not a nodev fs in /proc/filesystems"
    );
    drop(m);
    check!(
        proc_mounts_line("/mnt/mu").is_none(),
        "still mounted after umount"
    );
    Ok(())
}

fn t_root_is_empty_dir() -> TestResult {
    let m = Mnt::new("ls", None)?;
    check!(
        fs::read_dir(&m.0)
            .map_err(|e| e.to_string())?
            .next()
            .is_none(),
        "root not empty"
    );
    let ls = sh(&format!("ls -la {}", m.0))?;
    let names: Vec<&str> = ls
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    check!(names == [".", ".."], "ls -la shows {names:?}:\n{ls}");
    Ok(())
}

fn t_root_stat() -> TestResult {
    let m = Mnt::new("st", None)?;
    let md = fs::metadata(&m.0).map_err(|e| e.to_string())?;
    check!(md.is_dir(), "root is not a directory");
    check!(
        md.permissions().mode() == 0o40755,
        "mode {:o}, want 40755",
        md.permissions().mode()
    );
    check!(md.nlink() == 2, "nlink {}, want 2", md.nlink());
    check!(
        md.uid() == 0 && md.gid() == 0,
        "owner {}:{}, want 0:0",
        md.uid(),
        md.gid()
    );
    check!(md.ino() != 0, "inode number 0");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    check!(
        (now - md.mtime()).abs() < 60 && md.mtime() == md.ctime(),
        "timestamps {} {} vs now {now}",
        md.mtime(),
        md.ctime()
    );
    // stat(1) agrees.
    let out = sh(&format!("stat -c '%F %a %h' {}", m.0))?;
    check!(out.trim() == "directory 755 2", "stat(1) says {out}");
    Ok(())
}

fn t_statfs() -> TestResult {
    let m = Mnt::new("sf", None)?;
    let st = statfs(&m.0)?;
    check!(
        st.f_type as i64 == BS2RAMFS_MAGIC,
        "f_type {:#x}",
        st.f_type
    );
    check!(st.f_bsize == 4096, "f_bsize {}", st.f_bsize);
    check!(st.f_namelen == 255, "f_namelen {}", st.f_namelen);
    let out = sh(&format!("stat -f -c '%t' {}", m.0))?;
    check!(out.trim() == "62733272", "stat -f says type {out}");
    Ok(())
}

fn t_mode_option() -> TestResult {
    let m = Mnt::new("mode", Some("mode=1770"))?;
    let md = fs::metadata(&m.0).map_err(|e| e.to_string())?;
    check!(
        md.permissions().mode() == 0o41770,
        "mode {:o}, want 41770",
        md.permissions().mode()
    );
    let line = proc_mounts_line(&m.0).ok_or("not in /proc/mounts")?;
    check!(line.contains(",mode=1770"), "show_options: {line}");
    drop(m);
    let m = Mnt::new("mode", Some("mode=0755"))?;
    let line = proc_mounts_line(&m.0).ok_or("not in /proc/mounts")?;
    check!(!line.contains("mode="), "default mode shown: {line}");
    Ok(())
}

/// A remount keeps mode= unless it is given; changing it is refused with a message.
fn t_remount() -> TestResult {
    let m = Mnt::new("remount", Some("mode=700"))?;
    let mode = || fs::metadata(&m.0).map(|md| md.permissions().mode() & 0o7777);
    check!(
        remount(&m.0, libc::MS_RDONLY, None) == Ok(()),
        "remount,ro failed"
    );
    let ro = fs::File::create(format!("{}/f", m.0)).map_err(|e| e.raw_os_error());
    check!(
        ro.err() == Some(Some(libc::EROFS)),
        "create on a read-only remount did not fail EROFS"
    );
    check!(remount(&m.0, 0, None) == Ok(()), "remount,rw failed");
    fs::write(format!("{}/f", m.0), b"x").map_err(|e| format!("create after remount,rw: {e}"))?;
    check!(
        mode().ok() == Some(0o700),
        "mode changed by a remount without mode="
    );
    check!(
        remount(&m.0, 0, Some("mode=700")) == Ok(()),
        "remount with the same mode= failed"
    );
    let r = remount(&m.0, 0, Some("mode=755"));
    check!(
        r == Err(libc::EINVAL),
        "remount,mode=755: {r:?}, want EINVAL"
    );
    let log = kernel_log()?;
    let msg = "bs2ramfs: mode= cannot change on remount (it is 700, not 755)";
    check!(log.contains(msg), "kernel log lacks {msg:?}");
    check!(
        mode().ok() == Some(0o700),
        "mode changed by a refused remount"
    );
    let line = proc_mounts_line(&m.0).ok_or("not in /proc/mounts")?;
    check!(
        line.contains(",mode=700"),
        "show_options after remounts: {line}"
    );
    Ok(())
}

/// Mount with `data` must fail with EINVAL and log `msg`.
fn expect_rejected(data: &str, msg: &str) -> TestResult {
    let r = mount("bs2ramfs", "/mnt/bad", Some(data));
    if r.is_ok() {
        let _ = umount("/mnt/bad");
    }
    check!(
        r == Err(libc::EINVAL),
        "mount -o {data}: {r:?}, want EINVAL"
    );
    let log = kernel_log()?;
    check!(log.contains(msg), "kernel log lacks {msg:?} for -o {data}");
    Ok(())
}

fn t_unknown_option() -> TestResult {
    expect_rejected("bogus=1", "bs2ramfs: Unknown parameter 'bogus'")?;
    expect_rejected("mode=0755,nr_blocks=1k", "bs2ramfs: Unknown parameter 'nr_blocks'")
}

fn t_bad_mode_values() -> TestResult {
    expect_rejected("mode=abc", "bs2ramfs: Bad value for 'mode'")?;
    expect_rejected("mode=8", "bs2ramfs: Bad value for 'mode'")?;
    expect_rejected("mode=", "bs2ramfs: Bad value for 'mode'")?;
    expect_rejected("mode=99999999999", "bs2ramfs: Bad value for 'mode'")?;
    expect_rejected(
        "mode=17777",
        "bs2ramfs: mode: 17777 has bits beyond the permissions",
    )
}

/// The new mount API: the message goes to the context's log, readable from the fd.
fn t_fsconfig_unknown_option() -> TestResult {
    let name = cstr("bs2ramfs");
    // SAFETY: valid string, flags 0.
    let fd = unsafe { libc::syscall(libc::SYS_fsopen, name.as_ptr(), 0) } as i32;
    check!(fd >= 0, "fsopen: {}", Error::last_os_error());
    let (key, val) = (cstr("nosuch"), cstr("1"));
    // SAFETY: valid fd and strings; FSCONFIG_SET_STRING = 1.
    let r = unsafe { libc::syscall(libc::SYS_fsconfig, fd, 1, key.as_ptr(), val.as_ptr(), 0) };
    let err = Error::last_os_error().raw_os_error();
    let mut msg = String::new();
    // SAFETY: `fd` is ours; File closes it.
    let mut f = unsafe { <fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let mut buf = [0u8; 512];
    if let Ok(n) = f.read(&mut buf) {
        msg = String::from_utf8_lossy(&buf[..n]).into_owned();
    }
    check!(
        r == -1 && err == Some(libc::EINVAL),
        "fsconfig: {r} {err:?}, want EINVAL"
    );
    check!(
        msg.contains("Unknown parameter 'nosuch'"),
        "fsopen log: {msg:?}"
    );
    Ok(())
}

fn t_module(ko: &str) -> TestResult {
    let fs_listed = || {
        fs::read_to_string("/proc/filesystems")
            .map(|s| s.contains("\tbs2ramfs\n"))
            .unwrap_or(false)
    };
    check!(
        !fs_listed(),
        "bs2ramfs registered before insmod (is it built in?)"
    );
    for round in 0..3 {
        sh(&format!("insmod {ko}"))?;
        check!(
            fs_listed(),
            "round {round}: not in /proc/filesystems after insmod"
        );
        check!(
            sh("cat /proc/modules")?.contains("bs2ramfs "),
            "not in /proc/modules"
        );
        {
            let m = Mnt::new("mod", Some("mode=700"))?;
            check!(statfs(&m.0)?.f_type as i64 == BS2RAMFS_MAGIC, "wrong magic");
            // The module is busy while mounted.
            check!(
                sh("rmmod bs2ramfs").is_err(),
                "rmmod succeeded while mounted"
            );
        }
        sh("rmmod bs2ramfs")?;
        check!(!fs_listed(), "round {round}: still registered after rmmod");
    }
    Ok(())
}

/// A test of the first group (it mounts what it needs itself).
type BasicTest = fn() -> TestResult;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut tests: Vec<(String, Box<dyn Fn() -> TestResult>)> = Vec::new();
    let mut filter = None;
    let mut suite_fs = Some("bs2ramfs".to_owned());
    let mut legacy = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--module" => {
                let ko = it.next().cloned().unwrap_or_default();
                tests.push((
                    "module_load_mount_unload".into(),
                    Box::new(move || t_module(&ko)),
                ));
                (legacy, suite_fs) = (false, None);
            }
            "--lsm" => {
                let lsm: [(&str, BasicTest); 3] = [
                    ("xattrs", xattr::t_xattrs),
                    ("xattrs_nr_inodes", xattr::t_xattrs_nr_inodes),
                    ("lsm_initial_xattrs", xattr::t_lsm_initial_xattrs),
                ];
                for (name, t) in lsm {
                    tests.push((name.into(), Box::new(t)));
                }
                (legacy, suite_fs) = (false, None);
            }
            "--fs" => {
                let Some(ty) = it.next() else {
                    eprintln!("--fs needs a file system type");
                    std::process::exit(2);
                };
                (legacy, suite_fs) = (false, Some(ty.clone()));
            }
            _ if a.starts_with("--") => {
                eprintln!(
                    "usage: bs2ramfs-guest-tests [--module PATH.ko | --fs TYPE | --lsm] [FILTER]"
                );
                std::process::exit(2);
            }
            _ => filter = Some(a.clone()),
        }
    }
    if legacy {
        let legacy_tests: [(&str, BasicTest); 9] = [
            ("mount_umount", t_mount_umount),
            ("remount", t_remount),
            ("root_is_empty_dir", t_root_is_empty_dir),
            ("root_stat", t_root_stat),
            ("statfs", t_statfs),
            ("mode_option", t_mode_option),
            ("unknown_option_rejected", t_unknown_option),
            ("bad_mode_values_rejected", t_bad_mode_values),
            ("fsconfig_unknown_option", t_fsconfig_unknown_option),
        ];
        let more: [(&str, BasicTest); 12] = [
            ("readdir_stable_offsets", readdir::t_stable_offsets),
            ("size", limits::t_size),
            ("size_like_tmpfs", limits::t_size_like_tmpfs),
            ("symlinks_like_tmpfs", limits::t_symlinks_like_tmpfs),
            ("timestamps_like_tmpfs", limits::t_timestamps_like_tmpfs),
            ("nr_inodes", limits::t_nr_inodes),
            ("uid_gid", limits::t_uid_gid),
            ("idmapped_mount", idmap::t_idmapped_mount),
            ("xattrs", xattr::t_xattrs),
            ("xattrs_nr_inodes", xattr::t_xattrs_nr_inodes),
            ("overlay_upper", overlay::t_overlay),
            ("fallocate_seek_data_hole", falloc::t_falloc_seek),
        ];
        for (name, t) in legacy_tests
            .into_iter()
            .chain(badinput::option_tests())
            .chain(more)
            .chain(parity::tests())
            .chain(inode_flags::tests())
            .chain(acl::tests())
            .chain(handle::tests())
        {
            tests.push((name.into(), Box::new(t)));
        }
    }
    if let Some(fs) = suite_fs {
        // Exact modes: no umask in the way.
        sys::umask(0);
        let suite = ops::tests()
            .into_iter()
            .chain(badinput::tests())
            .chain(perms::tests());
        for (name, t) in suite {
            let fs = fs.clone();
            tests.push((name.into(), Box::new(move || ops::run(&fs, name, t))));
        }
    }
    if let Some(f) = &filter {
        tests.retain(|(name, _)| name.contains(f.as_str()));
    }
    let (mut passed, mut failed) = (0, 0);
    for (name, t) in &tests {
        match t() {
            Ok(()) => {
                passed += 1;
                println!("ok {name}");
            }
            Err(why) => {
                failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
