// SPDX-License-Identifier: GPL-2.0
//! Stable directory offsets: readdir returns every entry that lives through it exactly once
//! while the directory changes, and a position saved from `d_off` stays valid for `lseek`. On
//! tmpfs (the reference) and bs2ramfs, which keep an offset map per directory; C ramfs
//! (`dcache_readdir()`) counts entries instead, so there the check must find entries skipped,
//! which shows that it can fail.

use crate::sys::*;
use crate::TestResult;
use std::collections::{HashMap, HashSet};
use std::os::fd::{AsRawFd, OwnedFd};

const ROOT: &str = "/mnt/readdir";
const FILES: usize = 2000;

/// One getdents64(2) call with a buffer of `size` bytes: (name, d_off) of each entry, none at
/// the end of the directory.
fn getdents_once(fd: &OwnedFd, size: usize) -> Sys<Vec<(String, i64)>> {
    let mut buf = vec![0u8; size];
    // SAFETY: valid fd and buffer of the given length.
    let n = unsafe { libc::syscall(libc::SYS_getdents64, fd.as_raw_fd(), buf.as_mut_ptr(), size) };
    if n < 0 {
        return Err(errno());
    }
    let n = n as usize;
    let mut out = Vec::new();
    let mut off = 0;
    while off < n {
        // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, name.
        let rec = &buf[off..n];
        let d_off = i64::from_ne_bytes(rec[8..16].try_into().unwrap_or([0; 8]));
        let reclen = u16::from_ne_bytes(rec[16..18].try_into().unwrap_or([0; 2])) as usize;
        if reclen < 20 {
            return Err(libc::EIO);
        }
        let name = &rec[19..reclen];
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        out.push((String::from_utf8_lossy(&name[..end]).into_owned(), d_off));
        off += reclen;
    }
    Ok(out)
}

/// The names left to read on `fd`, in 1 KiB calls, "." and ".." left out.
fn read_rest(fd: &OwnedFd) -> Sys<Vec<String>> {
    let mut out = Vec::new();
    loop {
        let v = getdents_once(fd, 1024)?;
        if v.is_empty() {
            return Ok(out);
        }
        out.extend(v.into_iter().map(|(n, _)| n).filter(|n| n != "." && n != ".."));
    }
}

fn name(i: usize) -> String {
    format!("f{i:04}")
}

/// The problems found on `fs`: names read twice, untouched names read other than once.
fn checks(fs: &str) -> Result<Vec<String>, String> {
    for i in 0..FILES {
        ok_s(mknod(&format!("{ROOT}/{}", name(i)), libc::S_IFREG | 0o644, 0))?;
    }
    let a = ok_s(open(ROOT, libc::O_RDONLY | libc::O_DIRECTORY, 0))?;
    // A first part: 16 calls of 1 KiB (about 500 names).
    let mut first = Vec::new();
    let mut cookie = 0;
    for _ in 0..16 {
        let v = ok_s(getdents_once(&a, 1024))?;
        if let Some((_, off)) = v.last() {
            cookie = *off;
        }
        first.extend(v.into_iter().map(|(n, _)| n).filter(|n| n != "." && n != ".."));
    }
    let seen: HashSet<&String> = first.iter().collect();
    if first.len() < 300 || first.len() > FILES - 700 {
        return Err(format!("{fs}: the first part has {} names", first.len()));
    }
    // Then, through paths: remove 300 names already read and 300 not yet read, rename 100
    // not yet read, make 50 new ones. (More names go than come, so a position that counts
    // names, as dcache_readdir()'s, moves.)
    let read: Vec<usize> = (0..FILES).filter(|i| seen.contains(&name(*i))).collect();
    let unread: Vec<usize> = (0..FILES).filter(|i| !seen.contains(&name(*i))).collect();
    let mut gone = HashSet::new();
    for &i in read.iter().step_by(read.len() / 300).take(300) {
        ok_s(unlink(&format!("{ROOT}/{}", name(i))))?;
        gone.insert(name(i));
    }
    let mut touched_unread = unread.iter().copied().step_by(unread.len() / 400);
    for i in touched_unread.by_ref().take(300) {
        ok_s(unlink(&format!("{ROOT}/{}", name(i))))?;
        gone.insert(name(i));
    }
    for i in touched_unread.take(100) {
        ok_s(rename(&format!("{ROOT}/{}", name(i)), &format!("{ROOT}/r{i:04}"), 0))?;
        gone.insert(name(i));
    }
    for i in 0..50 {
        ok_s(mknod(&format!("{ROOT}/n{i:04}"), libc::S_IFREG | 0o644, 0))?;
    }
    let rest = ok_s(read_rest(&a))?;
    // A second descriptor from the saved position.
    let b = ok_s(open(ROOT, libc::O_RDONLY | libc::O_DIRECTORY, 0))?;
    ok_s(lseek(&b, cookie, libc::SEEK_SET))?;
    let from_cookie = ok_s(read_rest(&b))?;

    let mut probs = Vec::new();
    let mut count: HashMap<&String, usize> = HashMap::new();
    for n in first.iter().chain(&rest) {
        *count.entry(n).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, c)| **c > 1).map(|(n, _)| *n).collect();
    if !twice.is_empty() {
        probs.push(format!("{} names read twice, e.g. {:?}", twice.len(), &twice[..1]));
    }
    let after: HashSet<&String> = rest.iter().collect();
    let removed_then_read = gone.iter().filter(|n| !seen.contains(n) && after.contains(n)).count();
    if removed_then_read != 0 {
        probs.push(format!("{removed_then_read} names read after their removal"));
    }
    let untouched: Vec<String> = (0..FILES).map(name).filter(|n| !gone.contains(n)).collect();
    let missing = untouched.iter().filter(|n| !count.contains_key(n)).count();
    if missing != 0 {
        probs.push(format!("{missing} untouched names never read"));
    }
    // From the cookie: every untouched name not in the first part, once.
    let mut bcount: HashMap<&String, usize> = HashMap::new();
    for n in &from_cookie {
        *bcount.entry(n).or_default() += 1;
    }
    let want: Vec<&String> = untouched.iter().filter(|n| !seen.contains(n)).collect();
    let bmissing = want.iter().filter(|n| !bcount.contains_key(*n)).count();
    let btwice = bcount.values().filter(|c| **c > 1).count();
    let bold = from_cookie.iter().filter(|n| seen.contains(n)).count();
    if bmissing != 0 || btwice != 0 || bold != 0 {
        probs.push(format!(
            "from a saved d_off: {bmissing} of {} untouched unread names missing, {btwice} read \
             twice, {bold} of the first part read again",
            want.len()
        ));
    }
    Ok(probs)
}

fn ok_s<T>(r: Sys<T>) -> Result<T, String> {
    r.map_err(ename)
}

fn on(fs: &str) -> Result<Vec<String>, String> {
    mount(fs, ROOT, None).map_err(|e| format!("mount {fs}: {}", ename(e)))?;
    let r = checks(fs);
    let u = crate::umount(ROOT);
    let r = r.map_err(|e| format!("{fs}: {e}"))?;
    u?;
    Ok(r)
}

/// readdir under concurrent creation, removal and rename, and `lseek` to a saved `d_off`.
pub fn t_stable_offsets() -> TestResult {
    for fs in ["tmpfs", "bs2ramfs"] {
        let probs = on(fs)?;
        check!(probs.is_empty(), "{fs}: {}", probs.join("; "));
    }
    // The check can fail: C ramfs, which counts entries, skips some from the saved position.
    let probs = on("ramfs")?;
    eprintln!("readdir_stable_offsets: on ramfs, as expected: {}", probs.join("; "));
    check!(
        probs.iter().any(|p| p.starts_with("from a saved d_off")),
        "ramfs passed the check it should fail: {probs:?}"
    );
    Ok(())
}
