// SPDX-License-Identifier: GPL-2.0
//! Bad input.
//!
//! - Malformed mount options, each tried through mount(2) (`-o` data, messages in the
//!   kernel log), through a remount and through fsopen/fsconfig (messages in the context's
//!   log, read from its fd): every one must fail with `EINVAL` and a message that names the
//!   problem; and the odd but valid ones (repeated keys, padding) with the mode they give.
//!   These run on bs2ramfs only: ramfs ignores unknown options and masks `mode=` by design.
//! - The edges of the name space and of object lifetimes (names of 255/256 bytes, symlink
//!   targets of 4095/4096 bytes, a directory renamed into itself, offsets at the size
//!   limit, files and directories used after their removal): part of the functional
//!   suite, so they run on C ramfs too.

use crate::ops::{content, names, new_file, pattern, set, Env, Test, BS2RAMFS_MAGIC};
use crate::sys::*;
use crate::TestResult;
use std::os::fd::{AsRawFd, OwnedFd};

// ---------------------------------------------------------------------------------------
// Mount options (bs2ramfs only)

/// Where the option tests mount.
const OPT_MNT: &str = "/mnt/bad-opts";

/// fsconfig(2) copies a key or a string value with `strndup_user(.., 256)`: 255 bytes at
/// most.
const FSCONFIG_MAX: usize = 255;

/// A malformed option string and the message that must name the problem.
struct Bad {
    /// As given to `mount -o`.
    data: String,
    /// What the message must contain.
    msg: String,
}

impl Bad {
    fn new(data: impl Into<String>, msg: impl Into<String>) -> Self {
        Self {
            data: data.into(),
            msg: msg.into(),
        }
    }

    /// Whether fsconfig(2) refuses a key or value of this case itself (EINVAL, before any
    /// parser sees it, so with an empty log).
    fn too_long_for_fsconfig(&self) -> bool {
        options(&self.data)
            .any(|(k, v)| k.len() > FSCONFIG_MAX || v.map_or(0, str::len) > FSCONFIG_MAX)
    }
}

/// The options of a `-o` string as the VFS splits them (vfs_parse_monolithic_sep()):
/// empty ones are skipped, a key without `=` is a flag.
fn options(data: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    data.split(',')
        .filter(|o| !o.is_empty())
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (o, None),
        })
}

fn unknown(key: &str) -> String {
    format!("bs2ramfs: Unknown parameter '{key}'")
}

const BAD_MODE: &str = "bs2ramfs: Bad value for 'mode'";

fn beyond(octal: &str) -> String {
    format!("bs2ramfs: mode: {octal} has bits beyond the permissions (07777)")
}

const MALFORMED: &str = "is not a number with an optional k, m, g, t, p or e suffix";
const OVERFLOW: &str = "is more than 2^64 - 1";

fn size_bad(value: &str, why: &str) -> String {
    format!("bs2ramfs: size: '{value}' {why}")
}

fn nr_inodes_bad(value: &str, why: &str) -> String {
    format!("bs2ramfs: nr_inodes: '{value}' {why}")
}

/// Every malformed option string, with the message it must give.
fn bad_options() -> Vec<Bad> {
    let k255 = "k".repeat(255);
    let k256 = "q".repeat(256);
    let k4000 = "h".repeat(4000);
    vec![
        // Unknown keys, as a flag and with a value; keys are case-sensitive, and "no" is
        // no negation of a parameter that does not allow it.
        Bad::new("bogus", unknown("bogus")),
        Bad::new("bogus=1", unknown("bogus")),
        Bad::new("Mode=700", unknown("Mode")),
        Bad::new("nomode", unknown("nomode")),
        Bad::new("nr_blocks=1k", unknown("nr_blocks")),
        // A bad option after a good one still rejects the whole mount.
        Bad::new("mode=700,nosuch=1", unknown("nosuch")),
        // A key that needs a value, without one (a flag) or with an empty one.
        Bad::new("mode", BAD_MODE),
        Bad::new("mode=", BAD_MODE),
        // Not octal numbers.
        Bad::new("mode=8", BAD_MODE),
        Bad::new("mode=9", BAD_MODE),
        Bad::new("mode=0x1ff", BAD_MODE),
        Bad::new("mode=abc", BAD_MODE),
        Bad::new("mode=7a", BAD_MODE),
        Bad::new("mode=-1", BAD_MODE),
        Bad::new("mode= 700", BAD_MODE),
        Bad::new("mode=700 ", BAD_MODE),
        // Numbers that overflow 32 bits: 2^32 (one past the largest) and far beyond.
        Bad::new("mode=40000000000", BAD_MODE),
        Bad::new("mode=99999999999999999999", BAD_MODE),
        // Valid 32-bit numbers with bits beyond 07777: bs2ramfs refuses them (ramfs masks
        // them away silently).
        Bad::new("mode=10000", beyond("10000")),
        Bad::new("mode=17777", beyond("17777")),
        Bad::new("mode=37777777777", beyond("37777777777")),
        // A repeated key: every value is parsed, so a bad one fails even if another is good.
        Bad::new("mode=700,mode=8", BAD_MODE),
        Bad::new("mode=8,mode=700", BAD_MODE),
        // Long keys and values: 255 bytes reach the parser through both interfaces, more
        // only through mount(2) (one page of data).
        Bad::new(format!("{k255}=1"), unknown(&k255)),
        Bad::new(format!("{k256}=1"), unknown(&k256)),
        // The kernel log cuts the line of this one: ask for its start.
        Bad::new(
            format!("{k4000}=1"),
            format!("bs2ramfs: Unknown parameter '{}", &k4000[..200]),
        ),
        // Owners: not numbers, empty, or no valid ID (-1 is "no ID").
        Bad::new("uid=abc", "bs2ramfs: Bad value for 'uid'"),
        Bad::new("uid=", "bs2ramfs: Bad value for 'uid'"),
        Bad::new("uid=-1", "bs2ramfs: Bad value for 'uid'"),
        Bad::new("uid=4294967296", "bs2ramfs: Bad value for 'uid'"),
        Bad::new("uid=4294967295", "bs2ramfs: Invalid uid '4294967295'"),
        Bad::new("gid=0x", "bs2ramfs: Bad value for 'gid'"),
        Bad::new("gid=4294967295", "bs2ramfs: Invalid gid '4294967295'"),
        // Inode counts: bad suffixes, signs, overflow of 64 bits (with or without a suffix).
        Bad::new("nr_inodes=", "bs2ramfs: Bad value for 'nr_inodes'"),
        Bad::new("nr_inodes", "bs2ramfs: Bad value for 'nr_inodes'"),
        Bad::new("nr_inodes=1x", nr_inodes_bad("1x", MALFORMED)),
        Bad::new("nr_inodes=1kk", nr_inodes_bad("1kk", MALFORMED)),
        Bad::new("nr_inodes=-1", nr_inodes_bad("-1", MALFORMED)),
        Bad::new("nr_inodes=08", nr_inodes_bad("08", MALFORMED)),
        Bad::new("nr_inodes= 1", nr_inodes_bad(" 1", MALFORMED)),
        Bad::new("nr_inodes=16e", nr_inodes_bad("16e", OVERFLOW)),
        Bad::new(
            "nr_inodes=18446744073709551616",
            nr_inodes_bad("18446744073709551616", OVERFLOW),
        ),
        Bad::new(
            format!("nr_inodes={}", "9".repeat(4000)),
            "bs2ramfs: nr_inodes: '999",
        ),
        // Sizes: as nr_inodes=, and a percentage that overflows.
        Bad::new("size=1q", size_bad("1q", MALFORMED)),
        Bad::new("size=%", size_bad("%", MALFORMED)),
        Bad::new("size=1%%", size_bad("1%%", MALFORMED)),
        Bad::new("size=16e", size_bad("16e", OVERFLOW)),
        Bad::new("size=1e%", size_bad("1e%", OVERFLOW)),
        Bad::new(format!("mode={}", "7".repeat(255)), BAD_MODE),
        Bad::new(format!("mode={}", "7".repeat(4000)), BAD_MODE),
        Bad::new(format!("mode={}", "a".repeat(4000)), BAD_MODE),
    ]
}

/// Option strings that are valid, with the root mode they give.
fn good_options() -> Vec<(String, u32)> {
    let v = |s: &str, m| (s.to_owned(), m);
    vec![
        // A repeated key: each value is parsed in turn and the last one wins, as for every
        // fs_parser-based file system (ramfs and tmpfs too). That is sane: a later option
        // overrides an earlier one (e.g. defaults from fstab then the command line).
        v("mode=700,mode=755", 0o755),
        v("mode=755,mode=1700", 0o1700),
        v("mode=700,mode=700", 0o700),
        // kstrtouint() conventions: leading zeros and one leading '+'.
        v("mode=0000000000700", 0o700),
        v("mode=+700", 0o700),
        v("mode=0", 0),
        v("mode=7777", 0o7777),
        // Empty options between commas are skipped by the VFS.
        v("mode=700,", 0o700),
        v(",,mode=700,,", 0o700),
    ]
}

/// Kernel log records since `k` that come from bs2ramfs.
fn bs2_messages(k: &Kmsg) -> Result<Vec<String>, String> {
    let all = k
        .messages()
        .map_err(|e| format!("read /dev/kmsg: {}", ename(e)))?;
    Ok(all.into_iter().filter(|m| m.contains("bs2ramfs")).collect())
}

/// One rejected case through mount(2).
fn reject_mount2(b: &Bad) -> TestResult {
    let k = Kmsg::new().map_err(|e| format!("open /dev/kmsg: {}", ename(e)))?;
    let r = mount("bs2ramfs", OPT_MNT, Some(&b.data));
    if r.is_ok() {
        let _ = umount(OPT_MNT);
    }
    let msgs = bs2_messages(&k)?;
    check!(r == Err(libc::EINVAL), "{}, want EINVAL", show_err(r));
    check!(
        msgs.iter().any(|m| m.contains(&b.msg)),
        "kernel log lacks {:?}: {:?}",
        short(&b.msg),
        msgs.iter().map(|m| short(m)).collect::<Vec<_>>()
    );
    Ok(())
}

/// One rejected case through fsopen/fsconfig: a parameter must fail before the context is
/// created.
fn reject_fsconfig(b: &Bad) -> TestResult {
    let fd = fsopen("bs2ramfs").map_err(|e| format!("fsopen: {}", ename(e)))?;
    let mut err = None;
    for (key, val) in options(&b.data) {
        let cmd = if val.is_some() {
            FSCONFIG_SET_STRING
        } else {
            FSCONFIG_SET_FLAG
        };
        if let Err(e) = fsconfig(&fd, cmd, Some(key), val) {
            err = Some(e);
            break;
        }
    }
    let Some(e) = err else {
        let c = fsconfig(&fd, FSCONFIG_CMD_CREATE, None, None);
        return Err(format!("every parameter accepted; create: {}", show_err(c)));
    };
    let log = fs_log(&fd).map_err(|e| format!("read the context's log: {}", ename(e)))?;
    check!(e == libc::EINVAL, "fsconfig: {}, want EINVAL", ename(e));
    if b.too_long_for_fsconfig() {
        check!(
            log.is_empty(),
            "VFS refusal of a long key or value logged {log:?}"
        );
    } else {
        check!(
            log.iter()
                .any(|l| l.starts_with("e ") && l.contains(&b.msg)),
            "context log lacks \"e {}\": {log:?}",
            short(&b.msg)
        );
    }
    Ok(())
}

fn show_err(r: Sys<()>) -> String {
    match r {
        Ok(()) => "succeeded".into(),
        Err(e) => ename(e),
    }
}

/// A case or message cut for a failure line.
fn short(s: &str) -> String {
    if s.len() > 60 {
        format!("{}...({} bytes)", &s[..60], s.len())
    } else {
        s.to_owned()
    }
}

/// Runs `one` on every case and reports all the cases that failed.
fn each<T>(cases: &[T], what: impl Fn(&T) -> String, one: impl Fn(&T) -> TestResult) -> TestResult {
    let fails: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            one(c)
                .err()
                .map(|why| format!("[{}] {why}", short(&what(c))))
        })
        .collect();
    check!(fails.is_empty(), "{}", fails.join("; "));
    Ok(())
}

fn t_rejected_mount2() -> TestResult {
    each(&bad_options(), |b| b.data.clone(), reject_mount2)
}

fn t_rejected_fsconfig() -> TestResult {
    each(&bad_options(), |b| b.data.clone(), reject_fsconfig)?;
    // An empty key, which mount(2)'s splitting skips (see t_accepted_mount2), reaches the
    // parser through fsconfig and is unknown.
    let fd = fsopen("bs2ramfs").map_err(|e| format!("fsopen: {}", ename(e)))?;
    let r = fsconfig(&fd, FSCONFIG_SET_STRING, Some(""), Some("5"));
    let log = fs_log(&fd).map_err(|e| format!("read the context's log: {}", ename(e)))?;
    check!(
        r == Err(libc::EINVAL),
        "empty key: {}, want EINVAL",
        show_err(r)
    );
    let want = format!("e {}", unknown(""));
    check!(
        log == [want.clone()],
        "empty key: log {log:?}, want [{want:?}]"
    );
    Ok(())
}

/// One rejected case through a remount of OPT_MNT (mode=700), which must not change.
fn reject_remount(b: &Bad) -> TestResult {
    let k = Kmsg::new().map_err(|e| format!("open /dev/kmsg: {}", ename(e)))?;
    let r = remount(OPT_MNT, 0, Some(&b.data));
    let msgs = bs2_messages(&k)?;
    check!(r == Err(libc::EINVAL), "{}, want EINVAL", show_err(r));
    check!(
        msgs.iter().any(|m| m.contains(&b.msg)),
        "kernel log lacks {:?}: {:?}",
        short(&b.msg),
        msgs.iter().map(|m| short(m)).collect::<Vec<_>>()
    );
    let st = lstat(OPT_MNT).map_err(|e| format!("lstat: {}", ename(e)))?;
    check!(
        st.st_mode == libc::S_IFDIR | 0o700,
        "root mode now {:o}",
        st.st_mode
    );
    Ok(())
}

/// The same cases through mount(2)'s remount: bs2ramfs parses them again (ramfs would
/// ignore them), so they must fail the same way and leave the mount as it was.
fn t_rejected_remount() -> TestResult {
    mount("bs2ramfs", OPT_MNT, Some("mode=700")).map_err(|e| format!("mount: {}", ename(e)))?;
    let r = each(&bad_options(), |b| b.data.clone(), reject_remount);
    // Still writable and mounted once.
    let w = std::fs::write(format!("{OPT_MNT}/f"), b"x");
    let u = umount(OPT_MNT);
    r?;
    w.map_err(|e| format!("write after the refused remounts: {e}"))?;
    u.map_err(|e| format!("umount: {}", ename(e)))?;
    check!(
        umount(OPT_MNT) == Err(libc::EINVAL),
        "mounted more than once"
    );
    Ok(())
}

/// fsconfig with a value of another type than a string (binary, path, fd) for `mode`:
/// "Bad value"; for an unknown key: "Unknown parameter", whatever the type.
fn t_wrong_value_types_fsconfig() -> TestResult {
    let blob = b"700";
    let path = cstr("/tmp");
    let empty = cstr("");
    let dir = open("/tmp", libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .map_err(|e| format!("open /tmp: {}", ename(e)))?;
    let cases: [(&str, u32, *const libc::c_void, i32); 4] = [
        (
            "binary",
            FSCONFIG_SET_BINARY,
            blob.as_ptr().cast(),
            blob.len() as i32,
        ),
        (
            "path",
            FSCONFIG_SET_PATH,
            path.as_ptr().cast(),
            libc::AT_FDCWD,
        ),
        (
            "empty path",
            FSCONFIG_SET_PATH_EMPTY,
            empty.as_ptr().cast(),
            dir.as_raw_fd(),
        ),
        ("fd", FSCONFIG_SET_FD, std::ptr::null(), dir.as_raw_fd()),
    ];
    let one = |&(what, cmd, val, aux): &(&str, u32, *const libc::c_void, i32)| -> TestResult {
        for (key, msg) in [("mode", BAD_MODE.to_owned()), ("nosuch", unknown("nosuch"))] {
            let fd = fsopen("bs2ramfs").map_err(|e| format!("fsopen: {}", ename(e)))?;
            let r = fsconfig_raw(&fd, cmd, key, val, aux);
            let log = fs_log(&fd).map_err(|e| format!("read the log: {}", ename(e)))?;
            check!(
                r == Err(libc::EINVAL),
                "{what} {key}: {}, want EINVAL",
                show_err(r)
            );
            check!(
                log == [format!("e {msg}")],
                "{what} {key}: log {log:?}, want [\"e {msg}\"]"
            );
        }
        Ok(())
    };
    each(&cases, |c| c.0.to_owned(), one)
}

/// The root mode and show_options of a mount(2) with `data`, without a message.
fn accept_mount2(data: &str, mode: u32) -> TestResult {
    let k = Kmsg::new().map_err(|e| format!("open /dev/kmsg: {}", ename(e)))?;
    mount("bs2ramfs", OPT_MNT, Some(data)).map_err(|e| format!("mount: {}", ename(e)))?;
    let st = lstat(OPT_MNT);
    let line = std::fs::read_to_string("/proc/mounts")
        .unwrap_or_default()
        .lines()
        .find(|l| l.split(' ').nth(1) == Some(OPT_MNT))
        .map(str::to_owned)
        .unwrap_or_default();
    let u = umount(OPT_MNT);
    let st = st.map_err(|e| format!("lstat: {}", ename(e)))?;
    u.map_err(|e| format!("umount: {}", ename(e)))?;
    check!(
        st.st_mode == libc::S_IFDIR | mode,
        "root mode {:o}, want {:o}",
        st.st_mode,
        libc::S_IFDIR | mode
    );
    // show_options gives the value in effect, and only if it is not the default.
    let shown = format!(",mode={mode:o}");
    if mode == 0o755 {
        check!(!line.contains("mode="), "/proc/mounts: {line}");
    } else {
        check!(
            line.contains(&format!("{shown} ")) || line.ends_with(&shown),
            "/proc/mounts: {line}"
        );
    }
    let msgs = bs2_messages(&k)?;
    check!(msgs.is_empty(), "messages for a valid mount: {msgs:?}");
    Ok(())
}

/// The root mode of a context configured with `data` through fsconfig, created and
/// mounted with fsmount (detached: nothing is attached to the tree).
fn fsconfig_root_mode(data: &str) -> Result<(u32, Vec<String>), String> {
    let fd = fsopen("bs2ramfs").map_err(|e| format!("fsopen: {}", ename(e)))?;
    for (key, val) in options(data) {
        let cmd = if val.is_some() {
            FSCONFIG_SET_STRING
        } else {
            FSCONFIG_SET_FLAG
        };
        if let Err(e) = fsconfig(&fd, cmd, Some(key), val) {
            let log = fs_log(&fd).unwrap_or_default();
            return Err(format!("fsconfig {key}: {} {log:?}", ename(e)));
        }
    }
    fsconfig(&fd, FSCONFIG_CMD_CREATE, None, None).map_err(|e| format!("create: {}", ename(e)))?;
    let m = fsmount(&fd).map_err(|e| format!("fsmount: {}", ename(e)))?;
    let st = fstat(&m).map_err(|e| format!("fstat of the mount: {}", ename(e)))?;
    let log = fs_log(&fd).map_err(|e| format!("read the context's log: {}", ename(e)))?;
    Ok((st.st_mode, log))
}

fn accept_fsconfig(data: &str, mode: u32) -> TestResult {
    let (got, log) = fsconfig_root_mode(data)?;
    check!(
        got == libc::S_IFDIR | mode,
        "root mode {got:o}, want {:o}",
        libc::S_IFDIR | mode
    );
    check!(
        log.is_empty(),
        "messages for a valid configuration: {log:?}"
    );
    Ok(())
}

fn t_accepted_mount2() -> TestResult {
    let mut cases = good_options();
    // A huge but valid value (zero padding) is fine through mount(2)'s page of data.
    cases.push((format!("mode={}700", "0".repeat(4000)), 0o700));
    // What the VFS does with mount(2) data before bs2ramfs sees it (the same for every
    // file system): an option with an empty key is skipped; kstrtouint() takes one
    // trailing newline.
    cases.push(("=5,mode=700".to_owned(), 0o700));
    cases.push(("mode=700\n".to_owned(), 0o700));
    // And path_mount() cuts the data at 4095 bytes without an error: this value of 4103
    // bytes meant 0700 and becomes 0. No file system can tell; fsconfig(2) is the
    // interface that refuses what is too long.
    cases.push((format!("mode={}700", "0".repeat(4095)), 0));
    each(&cases, |c| c.0.clone(), |c| accept_mount2(&c.0, c.1))
}

fn t_accepted_fsconfig() -> TestResult {
    each(
        &good_options(),
        |c| c.0.clone(),
        |c| accept_fsconfig(&c.0, c.1),
    )
}

/// A rejected value changes nothing: the value set before it stays, and the context can
/// still be created. Also the log keeps each message, in order.
fn t_rejected_value_does_not_stick() -> TestResult {
    let fd = fsopen("bs2ramfs").map_err(|e| format!("fsopen: {}", ename(e)))?;
    let set_str = |k: &str, v: &str| fsconfig(&fd, FSCONFIG_SET_STRING, Some(k), Some(v));
    check!(set_str("mode", "700") == Ok(()), "mode=700 refused");
    check!(
        set_str("mode", "17777") == Err(libc::EINVAL),
        "mode=17777 not EINVAL"
    );
    check!(
        set_str("mode", "8") == Err(libc::EINVAL),
        "mode=8 not EINVAL"
    );
    check!(
        set_str("nosuch", "1") == Err(libc::EINVAL),
        "nosuch=1 not EINVAL"
    );
    let log = fs_log(&fd).map_err(|e| format!("read the context's log: {}", ename(e)))?;
    let want = [
        format!("e {}", beyond("17777")),
        format!("e {BAD_MODE}"),
        format!("e {}", unknown("nosuch")),
    ];
    check!(log == want, "log {log:?}, want {want:?}");
    fsconfig(&fd, FSCONFIG_CMD_CREATE, None, None)
        .map_err(|e| format!("create after rejected values: {}", ename(e)))?;
    let m = fsmount(&fd).map_err(|e| format!("fsmount: {}", ename(e)))?;
    let st = fstat(&m).map_err(|e| format!("fstat: {}", ename(e)))?;
    check!(
        st.st_mode == libc::S_IFDIR | 0o700,
        "root mode {:o}, want 40700",
        st.st_mode
    );
    let sf = fstatfs(&m).map_err(|e| format!("fstatfs: {}", ename(e)))?;
    check!(
        sf.f_type as i64 == BS2RAMFS_MAGIC,
        "f_type {:#x}",
        sf.f_type
    );
    Ok(())
}

/// The mount option tests: bs2ramfs only.
pub fn option_tests() -> Vec<(&'static str, crate::BasicTest)> {
    vec![
        ("bad_opts_rejected_mount2", t_rejected_mount2),
        ("bad_opts_rejected_fsconfig", t_rejected_fsconfig),
        ("bad_opts_rejected_remount", t_rejected_remount),
        (
            "bad_opts_wrong_value_types_fsconfig",
            t_wrong_value_types_fsconfig,
        ),
        ("bad_opts_accepted_mount2", t_accepted_mount2),
        ("bad_opts_accepted_fsconfig", t_accepted_fsconfig),
        (
            "bad_opts_rejected_value_does_not_stick",
            t_rejected_value_does_not_stick,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// The name space and lifetimes (any fs)

/// The tests of the functional suite, by name.
pub fn tests() -> Vec<(&'static str, Test)> {
    vec![
        ("fs_bad_name_255_256", t_name_255_256),
        ("fs_bad_symlink_4095_4096", t_symlink_4095_4096),
        ("fs_bad_rename_into_subtree", t_rename_into_subtree),
        ("fs_bad_huge_offsets", t_huge_offsets),
        ("fs_bad_unlinked_open_file", t_unlinked_open_file),
        ("fs_bad_removed_cwd", t_removed_cwd),
    ]
}

fn t_name_255_256(e: &Env) -> TestResult {
    let n255 = "a".repeat(255);
    let m255 = "m".repeat(255);
    // Lengths are in bytes: 85 three-byte characters are 255 bytes, 86 are 258.
    let u255 = "\u{20ac}".repeat(85);
    let u258 = "\u{20ac}".repeat(86);
    let n256 = "b".repeat(256);
    let f = e.p(&n255);
    new_file(&f, b"255")?;
    eq!(ok!(lstat(&f)).st_size, 3);
    // getdents gives the name back whole.
    eq!(names(&e.root)?, set(&[n255.as_str()]));
    ok!(rename(&f, &e.p(&m255), 0));
    fails!(lstat(&f), libc::ENOENT);
    eq!(content(&e.p(&m255))?, b"255");
    ok!(link(&e.p(&m255), &e.p(&u255)));
    eq!(ok!(lstat(&e.p(&u255))).st_nlink, 2);
    ok!(mkdir(&f, 0o755));
    let deep = format!("{f}/{m255}");
    ok!(rename(&e.p(&m255), &deep, 0));
    eq!(names(&f)?, set(&[m255.as_str()]));
    // One byte more fails ENAMETOOLONG everywhere, as a source or as a target.
    let long = e.p(&n256);
    fails!(
        open(&long, libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::ENAMETOOLONG
    );
    fails!(lstat(&long), libc::ENAMETOOLONG);
    fails!(unlink(&long), libc::ENAMETOOLONG);
    fails!(mkdir(&e.p(&u258), 0o755), libc::ENAMETOOLONG);
    fails!(symlink(b"x", &long), libc::ENAMETOOLONG);
    fails!(link(&e.p(&u255), &e.p(&u258)), libc::ENAMETOOLONG);
    fails!(rename(&e.p(&u255), &long, 0), libc::ENAMETOOLONG);
    fails!(
        rename(&e.p(&u255), &long, libc::RENAME_NOREPLACE),
        libc::ENAMETOOLONG
    );
    fails!(rename(&long, &e.p("x"), 0), libc::ENAMETOOLONG);
    fails!(lstat(&format!("{f}/{n256}")), libc::ENAMETOOLONG);
    // Nothing was left behind by the failures.
    eq!(names(&e.root)?, set(&[n255.as_str(), u255.as_str()]));
    eq!(ok!(lstat(&e.p(&u255))).st_nlink, 2);
    ok!(unlink(&deep));
    ok!(unlink(&e.p(&u255)));
    ok!(rmdir(&f));
    eq!(names(&e.root)?, set(&[]));
    Ok(())
}

fn t_symlink_4095_4096(e: &Env) -> TestResult {
    new_file(&e.p("fff"), b"target")?;
    // 4095 bytes (PATH_MAX with its NUL) that resolve: 2046 "./" then "fff".
    let t4095 = format!("{}fff", "./".repeat(2046)).into_bytes();
    eq!(t4095.len(), 4095);
    ok!(symlink(&t4095, &e.p("l4095")));
    eq_bytes!(ok!(readlink(&e.p("l4095"))), t4095);
    eq!(ok!(lstat(&e.p("l4095"))).st_size, 4095);
    eq!(content(&e.p("l4095"))?, b"target");
    // A 4095-byte target that is one long component is stored as it is; following it
    // fails on the component.
    let y4095 = vec![b'y'; 4095];
    ok!(symlink(&y4095, &e.p("ly")));
    eq_bytes!(ok!(readlink(&e.p("ly"))), y4095);
    fails!(open(&e.p("ly"), libc::O_RDONLY, 0), libc::ENAMETOOLONG);
    // 4096 bytes and more: ENAMETOOLONG, nothing made.
    fails!(
        symlink(&vec![b'x'; 4096], &e.p("l4096")),
        libc::ENAMETOOLONG
    );
    fails!(
        symlink(&vec![b'x'; 5000], &e.p("l5000")),
        libc::ENAMETOOLONG
    );
    // The empty target: ENOENT.
    fails!(symlink(b"", &e.p("lempty")), libc::ENOENT);
    eq!(names(&e.root)?, set(&["fff", "l4095", "ly"]));
    Ok(())
}

fn t_rename_into_subtree(e: &Env) -> TestResult {
    for d in ["a", "a/b", "a/b/c", "a/b/c/e"] {
        ok!(mkdir(&e.p(d), 0o755));
    }
    new_file(&e.p("a/b/c/f"), b"f")?;
    ok!(symlink(b"a/b/c", &e.p("link")));
    let ino = ok!(lstat(&e.p("a"))).st_ino;
    // A directory into its own subtree: EINVAL, whatever the flags, also onto an empty
    // directory there (the loop is found before emptiness is looked at) and through a
    // symlink.
    fails!(rename(&e.p("a"), &e.p("a/b/c/x"), 0), libc::EINVAL);
    fails!(
        rename(&e.p("a"), &e.p("a/b/c/x"), libc::RENAME_NOREPLACE),
        libc::EINVAL
    );
    fails!(rename(&e.p("a"), &e.p("a/b/c/e"), 0), libc::EINVAL);
    fails!(rename(&e.p("a/b"), &e.p("a/b/c/x"), 0), libc::EINVAL);
    fails!(rename(&e.p("a"), &e.p("link/x"), 0), libc::EINVAL);
    // Exchanging a directory with something inside it, either way round.
    fails!(
        rename(&e.p("a"), &e.p("a/b/c/e"), libc::RENAME_EXCHANGE),
        libc::EINVAL
    );
    fails!(
        rename(&e.p("a/b/c/e"), &e.p("a"), libc::RENAME_EXCHANGE),
        libc::EINVAL
    );
    // Nothing moved, no link count changed.
    eq!(names(&e.root)?, set(&["a", "link"]));
    eq!(names(&e.p("a/b/c"))?, set(&["e", "f"]));
    eq!(ok!(lstat(&e.p("a"))).st_ino, ino);
    for (d, n) in [("", 3), ("a", 3), ("a/b", 3), ("a/b/c", 3), ("a/b/c/e", 2)] {
        eq!((d, ok!(lstat(&e.p(d))).st_nlink), (d, n));
    }
    // The other way round is legal: the inner directory moves out, then the outer one
    // into it.
    ok!(rename(&e.p("a/b/c"), &e.p("c"), 0));
    ok!(rename(&e.p("a"), &e.p("c/a"), 0));
    eq!(names(&e.p("c"))?, set(&["a", "e", "f"]));
    eq!(ok!(lstat(&e.p("c/a"))).st_ino, ino);
    Ok(())
}

/// Offsets and sizes at the limit (MAX_LFS_FILESIZE, i64::MAX here): the last byte can be
/// written, one more fails, and the page far out is dropped again by a truncation.
fn t_huge_offsets(e: &Env) -> TestResult {
    let fd = ok!(open(
        &e.p("f"),
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR,
        0o644
    ));
    let max = i64::MAX;
    eq!(ok!(pwrite(&fd, b"z", max - 1)), 1);
    eq!(ok!(fstat(&fd)).st_size, max);
    eq!(ok!(pread(&fd, 1, max - 1)), b"z");
    // Reads that would end past it are refused like writes, not cut short.
    fails!(pread(&fd, 2, max - 1), libc::EINVAL);
    eq!(ok!(pread(&fd, 2, max - 3)), b"\0\0");
    eq!(ok!(lseek(&fd, 0, libc::SEEK_END)), max);
    // A write that would end past the largest offset is refused before the file system
    // (rw_verify_area()), at a position from pwrite or from lseek.
    fails!(pwrite(&fd, b"zz", max - 1), libc::EINVAL);
    eq!(ok!(lseek(&fd, max, libc::SEEK_SET)), max);
    fails!(write(&fd, b"z"), libc::EINVAL);
    // O_APPEND finds the end at the limit later: EFBIG.
    let ap = ok!(open(&e.p("f"), libc::O_WRONLY | libc::O_APPEND, 0));
    fails!(write(&ap, b"z"), libc::EFBIG);
    eq!(ok!(fstat(&fd)).st_size, max);
    // One page in the page cache: the one far out, none before it.
    eq!(ok!(fstat(&fd)).st_blocks, 8);
    // Truncation down drops the far page, and up again it reads back as zeroes.
    ok!(ftruncate(&fd, 1));
    ok!(ftruncate(&fd, max));
    eq!(ok!(pread(&fd, 1, max - 1)), b"\0");
    // Reading the hole fills a page on ramfs, none on bs2ramfs (as on tmpfs).
    eq!(ok!(fstat(&fd)).st_blocks, if e.fs == "ramfs" { 8 } else { 0 });
    ok!(truncate(&e.p("f"), 0));
    eq!(ok!(fstat(&fd)).st_blocks, 0);
    Ok(())
}

/// The kernel's count of unevictable pages (ramfs-like page caches are unevictable), KiB.
fn unevictable_kib() -> Result<i64, String> {
    let mi = std::fs::read_to_string("/proc/meminfo").map_err(|e| e.to_string())?;
    mi.lines()
        .find_map(|l| l.strip_prefix("Unevictable:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no Unevictable in /proc/meminfo".to_owned())
}

fn t_unlinked_open_file(e: &Env) -> TestResult {
    let f = e.p("f");
    let before = unevictable_kib()?;
    let fd = ok!(open(&f, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o644));
    ok!(unlink(&f));
    fails!(lstat(&f), libc::ENOENT);
    eq!(names(&e.root)?, set(&[]));
    eq!(ok!(fstat(&fd)).st_nlink, 0);
    // Write and read back.
    let data = pattern(3 * 4096 + 100, 7);
    ok!(pwrite_full(&fd, &data, 0));
    eq_bytes!(ok!(pread_full(&fd, data.len() + 10, 0)), data);
    // ftruncate down and up again (zeroes).
    ok!(ftruncate(&fd, 5000));
    eq!(ok!(fstat(&fd)).st_size, 5000);
    eq_bytes!(ok!(pread_full(&fd, 8192, 0)), data[..5000]);
    ok!(ftruncate(&fd, 8192));
    eq_bytes!(ok!(pread_full(&fd, 8192, 5000)), [0u8; 3192]);
    // fchmod and fchown.
    ok!(fchmod(&fd, 0o600));
    // SAFETY: plain syscall on a valid fd.
    let r = unsafe { libc::fchown(fd.as_raw_fd(), 1000, 1000) };
    check!(r == 0, "fchown: {}", ename(errno()));
    let st = ok!(fstat(&fd));
    eq!(
        (st.st_mode, st.st_uid, st.st_gid, st.st_nlink),
        (libc::S_IFREG | 0o600, 1000, 1000, 0)
    );
    // A shared mapping and read/write see each other.
    {
        let mut m = ok!(Map::new(
            &fd,
            8192,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED
        ));
        eq!(m.bytes()[..100], data[..100]);
        m.bytes_mut()[100] = 0xab;
        ok!(m.msync());
        eq!(ok!(pread(&fd, 1, 100)), [0xab]);
        ok!(pwrite(&fd, b"Z", 4097));
        eq!(m.bytes()[4097], b'Z');
    }
    // It cannot get a name again: only O_TMPFILE files may be linked at nlink 0.
    let proc = format!("/proc/self/fd/{}", fd.as_raw_fd());
    fails!(linkat_follow(&proc, &e.p("back")), libc::ENOENT);
    // Its pages are freed at the last close: grow it to 16 MiB, then close.
    ok!(pwrite_full(&fd, &vec![1u8; 16 << 20], 0));
    let full = unevictable_kib()?;
    drop(fd);
    let after = unevictable_kib()?;
    // Per-CPU batches and counters lag by a few hundred KiB at most.
    check!(
        full - before >= 12 << 10 && after - before <= 4 << 10,
        "Unevictable KiB: {before} before, {full} with 16 MiB written, {after} after close"
    );
    eq!(names(&e.root)?, set(&[]));
    Ok(())
}

fn t_removed_cwd(e: &Env) -> TestResult {
    let d = e.p("d");
    ok!(mkdir(&d, 0o755));
    new_file(&e.p("g"), b"g")?;
    let dfd = ok!(open(&d, libc::O_RDONLY | libc::O_DIRECTORY, 0));
    let home = ok!(open(".", libc::O_RDONLY | libc::O_DIRECTORY, 0));
    ok!(chdir(&d));
    let r = in_removed_cwd(e, &d, &dfd);
    // Back to where the program was, whatever happened.
    let back = fchdir(&home);
    r?;
    back.map_err(|x| format!("fchdir back: {}", ename(x)))?;
    eq!(names(&e.root)?, set(&["g", "t"]));
    Ok(())
}

/// The checks of `t_removed_cwd`, with `d` the working directory and open as `dfd`.
fn in_removed_cwd(e: &Env, d: &str, dfd: &OwnedFd) -> TestResult {
    let ino = ok!(fstat(dfd)).st_ino;
    // Removing the working directory is allowed.
    ok!(rmdir(d));
    fails!(lstat(d), libc::ENOENT);
    let st = ok!(fstat(dfd));
    eq!((st.st_nlink, st.st_ino), (0, ino));
    eq!(ok!(stat(".")).st_ino, ino);
    // getcwd(2) knows that it is gone; ".." is still the parent.
    fails!(getcwd(), libc::ENOENT);
    eq!(ok!(stat("..")).st_ino, ok!(lstat(&e.root)).st_ino);
    // Reading a removed directory fails ENOENT (iterate_dir() refuses a dead one): not
    // even "." and "..".
    fails!(getdents(dfd, 4096), libc::ENOENT);
    // Nothing can be made in it, by any path.
    fails!(open("x", libc::O_CREAT | libc::O_RDWR, 0o644), libc::ENOENT);
    fails!(
        openat(dfd, "x", libc::O_CREAT | libc::O_RDWR, 0o644),
        libc::ENOENT
    );
    fails!(mkdir("x", 0o755), libc::ENOENT);
    fails!(symlink(b"t", "x"), libc::ENOENT);
    fails!(mknod("x", libc::S_IFIFO | 0o644, 0), libc::ENOENT);
    fails!(link(&e.p("g"), "x"), libc::ENOENT);
    fails!(rename(&e.p("g"), "x", 0), libc::ENOENT);
    fails!(lstat("x"), libc::ENOENT);
    // O_TMPFILE still works there (vfs_tmpfile() does not look at IS_DEADDIR: the file
    // has no name in the directory), but it cannot be linked into it, only elsewhere.
    let t = ok!(open(".", libc::O_TMPFILE | libc::O_RDWR, 0o600));
    let proc = format!("/proc/self/fd/{}", t.as_raw_fd());
    fails!(linkat_follow(&proc, "x"), libc::ENOENT);
    ok!(linkat_follow(&proc, &e.p("t")));
    eq!(ok!(fstat(&t)).st_nlink, 1);
    Ok(())
}
