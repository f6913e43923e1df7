// SPDX-License-Identifier: GPL-2.0
//! bs2ramfs benchmark: runs as root inside the guest (see `tools/bench`) and measures
//! bs2ramfs, C ramfs and tmpfs back to back, interleaved.
//!
//! Usage: `bs2ramfs-bench [--reps N] [--subs N] [--pause-ms N] [--scale F] [--fs A,B,C]
//! [--sizes N,N,N] [--mem-files N] [--groups G,G] [--out CSV] [--info FILE]`
//!
//! - groups: `memory` (meminfo and slabinfo deltas per new empty file, 4 KiB file and hard
//!   link), `metadata`, `data` (see `ops::all`), `scaling` (create, lookup, unlink and a full
//!   readdir as a folder grows through the ascending `--sizes`);
//! - interleaving: in each of `--reps` repetitions (5), each operation runs `--subs` (10)
//!   short batches on every fs, alternating between the fs batch by batch, in an order that
//!   rotates from batch to batch, so that a slow phase of the (TCG, shared) machine hits all of
//!   them; `--pause-ms` (20) before each batch lets the deferred work of the previous one run;
//! - `--scale` multiplies every batch size (0.1 for a quick try);
//! - each fs is mounted on `/mnt/bench/<fs>` (the guest's `/mnt` is a tmpfs) and unmounted at
//!   the end;
//! - writes one CSV row per batch: `rep,sub,group,op,entries,unit,fs,value,count,bytes,ns`
//!   (`value` in `unit`: ns/op, ns/entry, MiB/s or B/file), and a description of the run to
//!   `--info`.

mod ops;
mod sys;

use ops::{names, readdir_scans, Ctx, Unit, M};
use std::collections::HashMap;
use std::ffi::CString;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

struct Args {
    reps: usize,
    subs: usize,
    pause_ms: u64,
    scale: f64,
    fss: Vec<String>,
    sizes: Vec<usize>,
    mem_files: usize,
    groups: Vec<String>,
    out: String,
    info: String,
}

fn parse_args() -> Args {
    let mut a = Args {
        reps: 5,
        subs: 10,
        pause_ms: 20,
        scale: 1.0,
        fss: vec!["bs2ramfs".into(), "ramfs".into(), "tmpfs".into()],
        sizes: vec![1000, 10_000, 100_000],
        mem_files: 20_000,
        groups: ["memory", "metadata", "data", "scaling"]
            .map(String::from)
            .to_vec(),
        out: "/run/out/results.csv".into(),
        info: "/run/out/guest-info.txt".into(),
    };
    let list = |s: String| s.split(',').map(String::from).collect::<Vec<_>>();
    let mut it = std::env::args().skip(1);
    while let Some(opt) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{opt} needs a value"));
        match opt.as_str() {
            "--reps" => a.reps = val().parse().expect("--reps N"),
            "--subs" => a.subs = val().parse().expect("--subs N"),
            "--pause-ms" => a.pause_ms = val().parse().expect("--pause-ms N"),
            "--scale" => a.scale = val().parse().expect("--scale F"),
            "--fs" => a.fss = list(val()),
            "--sizes" => {
                a.sizes = list(val())
                    .iter()
                    .map(|s| s.parse().expect("--sizes N,N"))
                    .collect()
            }
            "--mem-files" => a.mem_files = val().parse().expect("--mem-files N"),
            "--groups" => a.groups = list(val()),
            "--out" => a.out = val(),
            "--info" => a.info = val(),
            _ => panic!("unknown option {opt}"),
        }
    }
    assert!(a.reps > 0 && a.subs > 0 && !a.fss.is_empty());
    assert!(
        a.sizes.windows(2).all(|w| w[0] < w[1]),
        "--sizes must be ascending"
    );
    a
}

fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).max(1)
}

/// The order of the fs for the `k`-th round of batches: a rotation, so that each fs runs
/// first, second and third equally often.
fn order(nfs: usize, k: usize) -> Vec<usize> {
    (0..nfs).map(|i| (i + k) % nfs).collect()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One CSV row.
struct Row<'a> {
    rep: usize,
    sub: usize,
    group: &'a str,
    op: &'a str,
    entries: usize,
    unit: &'a str,
    fs: &'a str,
    value: f64,
}

struct Csv(BufWriter<File>);

impl Csv {
    fn row(&mut self, r: Row<'_>, m: &M) {
        writeln!(
            self.0,
            "{},{},{},\"{}\",{},{},{},{:.3},{},{},{}",
            r.rep, r.sub, r.group, r.op, r.entries, r.unit, r.fs, r.value, m.count, m.bytes, m.ns
        )
        .expect("write the CSV");
    }

    fn flush(&mut self) {
        self.0.flush().expect("flush the CSV");
    }
}

/// Runs `a.subs` batches of `run` on every fs, alternating between the fs batch by batch,
/// writes a row per batch and returns a progress line with each fs's median. Before each
/// batch, a pause lets the deferred work of the previous one (RCU frees of inodes and
/// dentries) run outside the timed part, instead of landing in another fs's batch.
fn interleaved(
    csv: &mut Csv,
    a: &Args,
    rep: usize,
    rotation: usize,
    (group, op, entries, unit): (&str, &str, usize, Unit),
    mut run: impl FnMut(usize, usize) -> M,
) -> String {
    let fss = &a.fss;
    let mut vals = vec![Vec::new(); fss.len()];
    for sub in 0..a.subs {
        for fi in order(fss.len(), rotation + sub) {
            std::thread::sleep(Duration::from_millis(a.pause_ms));
            let m = run(fi, sub);
            if m.count == 0 {
                // The fs cannot do the operation (punching holes on ramfs): no row.
                continue;
            }
            let value = unit.value(&m);
            vals[fi].push(value);
            let fs = &fss[fi];
            let unit = unit.name();
            let r = Row {
                rep,
                sub,
                group,
                op,
                entries,
                unit,
                fs,
                value,
            };
            csv.row(r, &m);
        }
    }
    csv.flush();
    let mut line = format!("rep {rep} {group} {op}");
    if entries > 0 {
        line += &format!(" ({entries} entries)");
    }
    line += ":";
    for (fs, v) in fss.iter().zip(&mut vals) {
        if v.is_empty() {
            line += &format!(" {fs} -");
        } else {
            line += &format!(" {fs} {:.1}", median(v));
        }
    }
    line + " " + unit.name()
}

fn meminfo() -> HashMap<String, i64> {
    fs::read_to_string("/proc/meminfo")
        .expect("/proc/meminfo")
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            let kb: i64 = v.split_whitespace().next()?.parse().ok()?;
            Some((k.to_owned(), kb * 1024))
        })
        .collect()
}

/// Per slab cache: (active objects, object size), if the kernel has `/proc/slabinfo`.
fn slabinfo() -> Option<HashMap<String, (i64, i64)>> {
    let s = fs::read_to_string("/proc/slabinfo").ok()?;
    Some(
        s.lines()
            .skip(2)
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                let objs = f.get(1)?.parse().ok()?;
                let size = f.get(3)?.parse().ok()?;
                Some((f.first()?.to_string(), (objs, size)))
            })
            .collect(),
    )
}

/// Lets RCU-deferred frees of earlier work finish before a snapshot.
fn settle() {
    sys::sync();
    std::thread::sleep(Duration::from_millis(300));
}

const MEM_FIELDS: [&str; 6] = [
    "Slab",
    "SReclaimable",
    "SUnreclaim",
    "Cached",
    "Shmem",
    "Unevictable",
];

/// What [`mem_per_name`] makes.
#[derive(Clone, Copy)]
enum MemKind {
    /// Empty regular files.
    Empty,
    /// Regular files of 4 KiB (one page each).
    Page,
    /// Hard links to one file: a dentry (and a name) without an inode.
    Link,
}

/// The memory `n` new names of `kind` take in `dir`, per name: the drop of MemFree, meminfo
/// fields and, with slabinfo, every slab cache whose object count moved.
fn mem_per_name(dir: &str, n: usize, kind: MemKind) -> Vec<(String, f64)> {
    let v = names(dir, "m", n);
    let target = sys::cstr(&format!("{dir}/target"));
    let page = vec![0x5au8; 4096];
    if let MemKind::Link = kind {
        create_all(std::slice::from_ref(&target));
    }
    settle();
    let (m0, s0) = (meminfo(), slabinfo());
    for p in &v {
        match kind {
            MemKind::Link => sys::link(&target, p),
            _ => {
                let fd = sys::open(p, libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY, 0o644);
                if let MemKind::Page = kind {
                    sys::write(fd, &page);
                }
                sys::close(fd);
            }
        }
    }
    settle();
    let (m1, s1) = (meminfo(), slabinfo());
    let per = |d: i64| d as f64 / n as f64;
    let mut out = vec![(
        "MemFree drop".to_owned(),
        per(m0["MemFree"] - m1["MemFree"]),
    )];
    for f in MEM_FIELDS {
        if let (Some(a), Some(b)) = (m0.get(f), m1.get(f)) {
            out.push((f.to_owned(), per(b - a)));
        }
    }
    if let (Some(s0), Some(s1)) = (s0, s1) {
        let mut moved: Vec<_> = s1
            .iter()
            .filter_map(|(name, &(objs, osize))| {
                let d = objs - s0.get(name).map_or(0, |x| x.0);
                (d.unsigned_abs() as usize >= n / 20)
                    .then(|| (format!("slab {name}"), per(d * osize)))
            })
            .collect();
        moved.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(moved);
    }
    v.iter().for_each(|p| sys::unlink(p));
    if let MemKind::Link = kind {
        sys::unlink(&target);
    }
    out
}

fn create_all(v: &[CString]) {
    for p in v {
        sys::close(sys::open(
            p,
            libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY,
            0o644,
        ));
    }
}

/// Times `f` over `v`, one operation per name.
fn per_name(v: &[CString], f: impl Fn(&CString)) -> M {
    let t = sys::now();
    v.iter().for_each(f);
    M {
        count: v.len() as u64,
        ns: sys::now() - t,
        bytes: 0,
    }
}

fn main() {
    let a = parse_args();
    let t_start = Instant::now();
    let log = |s: String| println!("[{:6.1} s] {s}", t_start.elapsed().as_secs_f64());
    let nfs = a.fss.len();
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pinned = sys::pin_to_cpu(ncpu - 1);
    let roots: Vec<String> = a.fss.iter().map(|f| format!("/mnt/bench/{f}")).collect();
    for (fs, root) in a.fss.iter().zip(&roots) {
        fs::create_dir_all(root).expect("mkdir the mount point");
        sys::mount(fs, root);
    }
    let pool_n = scaled(1000, a.scale);
    let ctxs: Vec<Ctx> = roots
        .iter()
        .map(|r| {
            let c = Ctx {
                work: format!("{r}/work"),
                pool: format!("{r}/pool"),
                pool_n,
            };
            fs::create_dir(&c.work).expect("mkdir work");
            fs::create_dir(&c.pool).expect("mkdir pool");
            create_all(&names(&c.pool, "p", pool_n));
            c
        })
        .collect();

    let read = |p: &str| fs::read_to_string(p).unwrap_or_default().trim().to_owned();
    let ops = ops::all();
    let has = |g: &str| a.groups.iter().any(|x| x == g);
    let mem_n = scaled(a.mem_files, a.scale);
    let mut info = String::new();
    info += &format!("kernel: {}\n", read("/proc/version"));
    info += &format!(
        "cpus: {ncpu}; benchmark pinned to cpu {}: {pinned}\n",
        ncpu - 1
    );
    info += &format!("memory: {} MiB\n", meminfo()["MemTotal"] >> 20);
    info += &format!(
        "clocksource: {}\n",
        read("/sys/devices/system/clocksource/clocksource0/current_clocksource")
    );
    let slab = if slabinfo().is_some() {
        "present"
    } else {
        "absent"
    };
    info += &format!("/proc/slabinfo: {slab}\n");
    info += &format!(
        "repetitions: {}; batches per fs per operation and repetition: {}; pause before each \
         batch: {} ms; scale: {}\n",
        a.reps, a.subs, a.pause_ms, a.scale
    );
    info += &format!("fs: {}; groups: {}\n", a.fss.join(","), a.groups.join(","));
    info += &format!("metadata pool folder (open, stat, link, readdir): {pool_n} entries\n");
    info += &format!(
        "scaling sizes: {:?}; memory: {mem_n} files per measurement\n",
        a.sizes
    );
    for op in ops.iter().filter(|o| has(o.group)) {
        info += &format!(
            "batch: {} {}: {}\n",
            op.group,
            op.name,
            scaled(op.n, a.scale)
        );
    }
    fs::write(&a.info, &info).expect("write the info file");
    print!("{info}");

    let mut csv = Csv(BufWriter::new(
        File::create(&a.out).expect("create the CSV"),
    ));
    writeln!(
        csv.0,
        "rep,sub,group,op,entries,unit,fs,value,count,bytes,ns"
    )
    .unwrap();

    // Warm up every path (TCG translates code on first use) with small batches, unrecorded.
    if has("metadata") || has("data") {
        for op in ops.iter().filter(|o| has(o.group)) {
            for c in &ctxs {
                (op.run)(c, (scaled(op.n, a.scale) / 8).max(1));
            }
        }
        log("warm-up done".into());
    }

    for rep in 1..=a.reps {
        if has("memory") {
            for fi in order(nfs, rep) {
                let dir = format!("{}/mem", roots[fi]);
                fs::create_dir(&dir).expect("mkdir mem");
                let kinds = [
                    ("empty file", MemKind::Empty, 0),
                    ("4 KiB file", MemKind::Page, 4096),
                    ("hard link", MemKind::Link, 0),
                ];
                for (what, kind, size) in kinds {
                    for (field, value) in mem_per_name(&dir, mem_n, kind) {
                        let m = M {
                            count: mem_n as u64,
                            ns: 0,
                            bytes: (mem_n * size) as u64,
                        };
                        let op = format!("{what}: {field}");
                        let r = Row {
                            rep,
                            sub: 0,
                            group: "memory",
                            op: &op,
                            entries: 0,
                            unit: "B/file",
                            fs: &a.fss[fi],
                            value,
                        };
                        csv.row(r, &m);
                    }
                }
                fs::remove_dir(&dir).expect("rmdir mem");
            }
            csv.flush();
            log(format!("rep {rep}: memory done"));
        }
        for (k, op) in ops.iter().enumerate().filter(|(_, o)| has(o.group)) {
            let n = scaled(op.n, a.scale);
            let what = (op.group, op.name, 0, op.unit);
            let line = interleaved(&mut csv, &a, rep, rep + k, what, |fi, _| {
                (op.run)(&ctxs[fi], n)
            });
            log(line);
        }
    }

    if has("scaling") {
        let k = scaled(2000, a.scale);
        let dirs: Vec<String> = roots.iter().map(|r| format!("{r}/scale")).collect();
        dirs.iter()
            .for_each(|d| fs::create_dir(d).expect("mkdir scale"));
        let mut have = 0;
        for (si, &size) in a.sizes.iter().enumerate() {
            // Grow every folder to `size` entries (untimed).
            for d in &dirs {
                create_all(&names(d, "f", size)[have.min(size)..]);
            }
            have = have.max(size);
            log(format!("scaling: folders at {size} entries"));
            let scans = (scaled(100_000, a.scale) / size).max(1);
            // Each batch: k / subs names; lookups spread over the whole folder.
            let per = k.div_ceil(a.subs);
            let spread: Vec<Vec<CString>> = dirs
                .iter()
                .map(|d| {
                    (0..k)
                        .map(|i| sys::cstr(&format!("{d}/f{:07}", i * size / k)))
                        .collect()
                })
                .collect();
            let extra: Vec<Vec<CString>> = dirs.iter().map(|d| names(d, "x", k)).collect();
            let chunk = |v: &'_ [CString], sub: usize| -> std::ops::Range<usize> {
                (sub * per).min(v.len())..((sub + 1) * per).min(v.len())
            };
            for rep in 1..=a.reps {
                let steps = [
                    ("create", Unit::NsPerOp),
                    ("lookup (stat)", Unit::NsPerOp),
                    ("unlink", Unit::NsPerOp),
                    ("readdir", Unit::NsPerEntry),
                ];
                for (j, &(name, unit)) in steps.iter().enumerate() {
                    let what = ("scaling", name, size, unit);
                    let rot = rep + j + si;
                    let line = interleaved(&mut csv, &a, rep, rot, what, |fi, sub| {
                        let (x, s) = (&extra[fi], &spread[fi]);
                        match j {
                            0 => {
                                per_name(&x[chunk(x, sub)], |p| create_all(std::slice::from_ref(p)))
                            }
                            1 => per_name(&s[chunk(s, sub)], |p| sys::stat(p)),
                            2 => per_name(&x[chunk(x, sub)], |p| sys::unlink(p)),
                            _ => readdir_scans(&sys::cstr(&dirs[fi]), size + 2, scans),
                        }
                    });
                    log(line);
                }
            }
        }
    }

    for root in &roots {
        sys::umount(root);
    }
    log("done".into());
}
