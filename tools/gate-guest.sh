#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest of the debug kernel (see tools/gate): the reliability gate.
#   gate-guest.sh            (settings from the environment, see below)
# (0) with GATE_MODULE (a bs2ramfs.ko of a =m kernel): insmod it first;
# (a) stress-ng's filesystem class with --verify on bs2ramfs, C ramfs and tmpfs (every stressor
#     of the class at once, the three file systems at once: the same load for each);
#     with GATE_FSX: an fsx run on bs2ramfs in the background of (b), (c) and (d);
# (b) concurrency: processes doing create/write/append/truncate/rename/exchange/link/unlink/
#     mkdir/rmdir/readdir in the same directories, then an fsck-like check;
# (c) fault injection (failslab + fail_page_alloc, for the test process only) on file
#     operations, checked against a model of what each call's result says happened;
#     (b) and (c) on an instance with nr_inodes= and size= limits they reach, then a check
#     that only the root's inode and no page are charged once everything is removed;
# (d) mount/umount loops with files in the fs, also under injection;
# (e) with GATE_TESTS: the bs2ramfs guest tests (functional, bad input, permissions) on this
#     kernel; (f) with GATE_MODULE: module load/mount/unload loops, also under injection;
# then kmemleak scans; (g) a summary in /run/out/summary.txt and key=value lines in
# /run/out/result. The kernel's own reports (KASAN, lockdep, kmemleak, WARNING) fail the run in
# tools/guest; this script exits non-zero on a check of its own that fails.
set -u
out=/run/out
export NO_COLOR=1
cd /
GATE_STRESS_TIMEOUT=${GATE_STRESS_TIMEOUT:-20}
GATE_FSX=${GATE_FSX:-}
GATE_FSX_OPS=${GATE_FSX_OPS:-30000}
GATE_TESTS=${GATE_TESTS:-}
GATE_MODULE=${GATE_MODULE:-}
GATE_MODULE_LOOPS=${GATE_MODULE_LOOPS:-20}
GATE_CONCUR_SECS=${GATE_CONCUR_SECS:-30}
GATE_CONCUR_PROCS=${GATE_CONCUR_PROCS:-4}
# Inode and size limits of the concurrency and fault-injection stages: low enough that
# creations and writes hit them (ENOSPC, short writes), with room for the trees those stages
# keep.
GATE_CONCUR_LIMITS=${GATE_CONCUR_LIMITS:-nr_inodes=64,size=256k}
GATE_INJECT_LIMITS=${GATE_INJECT_LIMITS:-nr_inodes=160,size=512k}
GATE_INJECT_OPS=${GATE_INJECT_OPS:-3000}
GATE_INJECT_PCT=${GATE_INJECT_PCT:-3}
GATE_LOOPS=${GATE_LOOPS:-200}
GATE_INJECT_LOOPS=${GATE_INJECT_LOOPS:-100}
GATE_FS=${GATE_FS:-bs2ramfs ramfs tmpfs}
rm -f "$out/result" "$out/summary.txt"
res() { echo "$1" >>"$out/result"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
fail=0
failed() { echo "gate: FAILED: $*"; res "failure=$*"; fail=1; }
t_all=$(now)

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
KML=/sys/kernel/debug/kmemleak
[ -e "$KML" ] || failed "no $KML (kernel without kmemleak?)"
# kmemleak: no scanning thread (config says so; make sure), and forget what boot left: a
# first scan, its reports saved apart (base kernel, not bs2ramfs), then "clear" so the scans
# at the end report only what the tests leaked.
kml_scan() { echo scan >"$KML"; sleep 5; echo scan >"$KML"; }
echo scan=off >"$KML" 2>/dev/null
kml_scan
cat "$KML" >"$out/kmemleak-boot.txt"
res "kmemleak_boot_reports=$(grep -c '^unreferenced object' "$out/kmemleak-boot.txt")"
# What boot left is the base kernel's, unless a backtrace names the file system code (the
# KUnit suites of Series A run at boot): then it is ours.
n=$(grep -cE '6kernel2fs|bs2ramfs' "$out/kmemleak-boot.txt")
[ "$n" = 0 ] || { failed "kmemleak after boot: $n backtrace lines in the file system code"; cat "$out/kmemleak-boot.txt"; }
echo clear >"$KML"

# ---- (0) the module --------------------------------------------------------------------------
if [ -n "$GATE_MODULE" ]; then
	insmod "$GATE_MODULE" || failed "insmod $GATE_MODULE"
	grep -q '^bs2ramfs ' /proc/modules || failed "bs2ramfs not in /proc/modules after insmod"
fi

# ---- (a) stress-ng, filesystem class -------------------------------------------------------
# Excluded, with the reason:
#   fiemap                 no ->fiemap (as ramfs)
#   fpunch                 its --verify fails on tmpfs too ("data ... was 0xff and not zero":
#                          its own writers race its check of the punched range)
#   verity                 no fs-verity
#   handle                 does not use the --temp-path file system: it encodes /dev/zero (it
#                          passes with --temp-path on ramfs, which has no export_operations,
#                          and fails EOPNOTSUPP once /dev/zero is bind-mounted over by a ramfs
#                          file); it runs on its own below, aimed at each file system so
#   fanotify dnotify binderfs   kernel built without FANOTIFY, DNOTIFY, ANDROID_BINDERFS
#   bind-mount procfs statmount eventfd dup fd-fork ioprio umask
#                          do not use the --temp-path file system (/, procfs, anon inodes,
#                          the mount table, process state): time spent elsewhere under TCG
STRESS_EXCLUDE=fiemap,fpunch,verity,handle,fanotify,dnotify,binderfs,bind-mount,procfs,statmount,eventfd,dup,fd-fork,ioprio,umask
res "stress_exclude=$STRESS_EXCLUDE"
fss=()
for fs in $GATE_FS; do
	mkdir -p /mnt/$fs
	if mount -t $fs gate-$fs /mnt/$fs; then fss+=("$fs"); else failed "mount $fs"; fi
done
echo "gate: (a) stress-ng on ${fss[*]}: every stressor of the class at once for ${GATE_STRESS_TIMEOUT}s"
t=$(now)
for fs in "${fss[@]}"; do
	rm -f "$out/stress-$fs.log"
	stress-ng --class filesystem --all 1 --exclude "$STRESS_EXCLUDE" \
		--timeout "${GATE_STRESS_TIMEOUT}s" --verify --metrics-brief --temp-path /mnt/$fs \
		--hdd-bytes 32M --iomix-bytes 32M --sync-file-bytes 32M --log-file "$out/stress-$fs.log" >"$out/stress-$fs.out" 2>&1 &
	eval "pid_$fs=$!"
done
for fs in "${fss[@]}"; do
	eval "wait \$pid_$fs"
	rc=$?
	res "stress_${fs}_rc=$rc"
	# "metrc: [pid] stressor bogo-ops real usr sys ops/s ops/s": one row per stressor.
	awk '/metrc:/ && $4 ~ /^[a-z]/ && $5 ~ /^[0-9]+$/ { print $4, $5 }' "$out/stress-$fs.log" >"$out/stress-$fs.ops"
	res "stress_${fs}_stressors=$(wc -l <"$out/stress-$fs.ops")"
	res "stress_${fs}_ops=$(awk '{ s += $2 } END { print s + 0 }' "$out/stress-$fs.ops")"
	sf=$(grep -E 'fail:|failed: [1-9]' "$out/stress-$fs.log" | head -n 20)
	res "stress_${fs}_fail_lines=$(grep -cE 'fail:' "$out/stress-$fs.log")"
	for k in skipped passed failed; do
		res "stress_${fs}_$k=$(sed -n "s/.*\] $k: \([0-9]*\).*/\1/p" "$out/stress-$fs.log" | tail -n 1)"
	done
	res "stress_${fs}_run=$(sed -n 's/.*run completed in \(.*\)$/\1/p' "$out/stress-$fs.log" | tail -n 1)"
	# The stressors that failed, by name ("failed: N: name (instances) …").
	sed -n 's/.*\] failed: [0-9]*: //p' "$out/stress-$fs.log" | tr -d '()0-9' | tr ' ' '\n' |
		grep . | sort -u >"$out/stress-$fs.failed"
	res "stress_${fs}_failed_names=$(tr '\n' ' ' <"$out/stress-$fs.failed")"
	[ -s "$out/stress-$fs.log" ] || failed "stress-ng on $fs did not run: $(head -n 2 "$out/stress-$fs.out" | tr '\n' '|')"
done
# bs2ramfs must pass every stressor that C ramfs passes (as tools/suites does for pjdfstest).
if [ -e "$out/stress-bs2ramfs.failed" ]; then
	touch "$out/stress-ramfs.failed"
	regress=$(grep -vxF -f "$out/stress-ramfs.failed" "$out/stress-bs2ramfs.failed")
	# A stressor can time out under this load (111 of them at once under KASAN and TCG), and
	# one stopped by the timer mid-operation can misreport: fsize on a file system without
	# ->fallocate (ramfs, bs2ramfs) gets stress-ng's write-based fallocate emulation, which
	# returns success without writing once the run is over, then "fallocate unexpectedly
	# succeeded" fails the stressor (ramfs and bs2ramfs alike; which one is luck). So one that
	# failed only on bs2ramfs runs again, alone, bounded by operations rather than by time (no
	# timer fires mid-operation); it must pass then.
	again=
	for name in $regress; do
		if stress-ng --"$name" 1 --"$name"-ops 2 --timeout 120s --verify --temp-path /mnt/bs2ramfs \
			--hdd-bytes 32M --iomix-bytes 32M --sync-file-bytes 32M \
			--log-file "$out/stress-bs2ramfs-$name.log" >/dev/null 2>&1; then
			again+=" $name"
		else
			failed "stress-ng: bs2ramfs fails $name where ramfs passes, also alone"
		fi
	done
	res "stress_bs2ramfs_regressions=$(echo $regress)"
	res "stress_bs2ramfs_passed_alone=$(echo $again)"
fi
# stress-ng's handle stressor encodes and opens /dev/zero by handle, whatever --temp-path says:
# it is aimed at each file system by a device node of it bind-mounted over /dev/zero in a
# private mount namespace. It must pass on bs2ramfs and tmpfs; ramfs has no export operations.
for fs in "${fss[@]}"; do
	if ! mknod /mnt/$fs/handle-zero c 1 5; then
		failed "mknod on $fs for the handle stressor"
		continue
	fi
	unshare -m sh -c "mount --bind /mnt/$fs/handle-zero /dev/zero &&
		exec stress-ng --handle 2 --verify --timeout 10s --metrics-brief --temp-path /mnt/$fs" \
		>"$out/stress-handle-$fs.log" 2>&1
	rc=$?
	res "stress_handle_${fs}_rc=$rc"
	if [ "$fs" != ramfs ] &&
		{ [ "$rc" != 0 ] || ! grep -q '\] passed: 2: handle' "$out/stress-handle-$fs.log"; }; then
		failed "stress-ng --handle on $fs (see stress-handle-$fs.log)"
	fi
	rm -f /mnt/$fs/handle-zero
done
res "stress_s=$(secs "$t" "$(now)")"
for fs in "${fss[@]}"; do
	left=$(find /mnt/$fs -mindepth 1 | wc -l)
	res "stress_${fs}_left=$left"
	rm -rf /mnt/$fs/* 2>/dev/null
	umount /mnt/$fs || failed "umount $fs after stress-ng"
done

# ---- the Python part: (b), (c), (d) ----------------------------------------------------------
cat >/tmp/gate.py <<'PYEOF'
import ctypes, errno, hashlib, os, random, stat, sys, time

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
REC = 64

def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), a)

def mount(src, tgt, fstype, data=b""):
    if libc.mount(src.encode(), tgt.encode(), fstype.encode(), 0, data) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), tgt)

def umount(tgt):
    if libc.umount2(tgt.encode(), 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), tgt)

def record(rng):
    body = rng.randbytes(REC - 32)
    return body + hashlib.sha256(body).digest()

ZERO = bytes(REC)

def records_ok(data):
    """Whole 64-byte records, each 32 random bytes and their sha256, or zeros (a truncate that
    extended the file)."""
    if len(data) % REC:
        return False
    for i in range(0, len(data), REC):
        r = data[i:i + REC]
        if r != ZERO and hashlib.sha256(r[:32]).digest() != r[32:]:
            return False
    return True

def read_all(p):
    with open(p, "rb") as f:
        return f.read()

def fsck(root, content_check=None):
    """Walk ROOT: every name lstat()s, '..' is the parent, directory link counts are 2 + the
    subdirectories, a regular file's link count is the number of its names; content_check(path,
    data) for each regular file. Returns a list of problems."""
    probs = []
    names = {}
    nfiles = ndirs = 0
    def walk(d, parent_ino):
        nonlocal nfiles, ndirs
        ndirs += 1
        try:
            st = os.lstat(d)
            entries = os.listdir(d)
        except OSError as e:
            probs.append(f"{d}: {e}")
            return
        if parent_ino is not None and os.lstat(os.path.join(d, "..")).st_ino != parent_ino:
            probs.append(f"{d}: '..' is not its parent")
        if len(entries) != len(set(entries)):
            probs.append(f"{d}: duplicate names in readdir")
        subdirs = 0
        for n in entries:
            p = os.path.join(d, n)
            try:
                s = os.lstat(p)
            except OSError as e:
                probs.append(f"{p}: listed but lstat fails: {e}")
                continue
            if stat.S_ISDIR(s.st_mode):
                subdirs += 1
                walk(p, st.st_ino)
            else:
                names.setdefault(s.st_ino, []).append((p, s))
        if st.st_nlink != 2 + subdirs:
            probs.append(f"{d}: nlink {st.st_nlink}, expected {2 + subdirs}")
    walk(root, None)
    for ino, ps in names.items():
        p, s = ps[0]
        nfiles += 1
        if s.st_nlink != len(ps):
            probs.append(f"{p}: nlink {s.st_nlink} but {len(ps)} names: {[q for q, _ in ps]}")
        if stat.S_ISREG(s.st_mode):
            data = read_all(p)
            if len(data) != s.st_size:
                probs.append(f"{p}: read {len(data)} bytes, size {s.st_size}")
            if content_check:
                m = content_check(p, data)
                if m:
                    probs.append(m)
    return probs, nfiles, ndirs

def report(tag, d):
    for k, v in d.items():
        print(f"{tag}_{k}={v}")
    sys.stdout.flush()

# ---- (b) concurrency ----------------------------------------------------------------------
CONCUR_OK = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR,
             errno.EINVAL, errno.EPERM, errno.EXDEV, errno.ENOSPC}   # ENOSPC: nr_inodes=

def concur_worker(root, wid, secs, seed):
    rng = random.Random(seed)
    top = [f"{root}/d{i}" for i in range(3)]
    def path():
        d = rng.choice(top)
        if rng.random() < 0.4:
            d += f"/s{rng.randrange(3)}"
        return f"{d}/f{rng.randrange(12)}"
    def dpath():
        return f"{rng.choice(top)}/s{rng.randrange(3)}"
    ops = errs = bad = 0
    hist = {}
    end = time.time() + secs
    tmpn = 0
    while time.time() < end:
        op = rng.randrange(13)
        try:
            if op == 0:
                os.close(os.open(path(), os.O_CREAT | os.O_WRONLY, 0o644))
            elif op == 1:   # whole new contents, made aside, renamed into place
                tmpn += 1
                d = rng.choice(top)
                t = f"{d}/.tmp-{wid}-{tmpn}"
                fd = os.open(t, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                try:
                    os.write(fd, b"".join(record(rng) for _ in range(rng.randrange(1, 80))))
                finally:
                    os.close(fd)
                try:
                    os.rename(t, f"{d}/f{rng.randrange(12)}")
                except OSError:
                    os.unlink(t)
                    raise
            elif op == 2:   # one record appended (one write under the inode lock)
                fd = os.open(path(), os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(fd, record(rng))
                finally:
                    os.close(fd)
            elif op == 3:
                os.truncate(path(), REC * rng.randrange(0, 40))
            elif op == 4:
                os.unlink(path())
            elif op == 5:
                os.link(path(), path())
            elif op == 6:
                os.rename(path(), path())
            elif op == 7:
                renameat2(path(), path(), RENAME_EXCHANGE if rng.random() < 0.5 else RENAME_NOREPLACE)
            elif op == 8:
                os.mkdir(dpath())
            elif op == 9:
                os.rmdir(dpath())
            elif op == 10:
                a, b = dpath(), dpath()
                if rng.random() < 0.5:
                    os.rename(a, b)
                else:
                    renameat2(a, b, RENAME_EXCHANGE)
            elif op == 11:
                for d in top:
                    for n in os.listdir(d):
                        try:
                            os.lstat(f"{d}/{n}")
                        except FileNotFoundError:
                            pass
            else:
                with open(path(), "rb") as f:
                    data = f.read()
                # A reader can see a record half-appended or a truncate in progress only at
                # the end; whole records must be intact.
                n = len(data) - len(data) % REC
                if not records_ok(data[:n]):
                    bad += 1
                    print(f"concur: worker {wid}: corrupt record read", file=sys.stderr)
            ops += 1
        except OSError as e:
            errs += 1
            hist[e.errno] = hist.get(e.errno, 0) + 1
            if e.errno not in CONCUR_OK:
                bad += 1
                print(f"concur: worker {wid}: op {op}: unexpected {e}", file=sys.stderr)
    with open(f"/tmp/concur-{wid}", "w") as f:
        f.write(f"{ops} {errs} {bad} {sorted((errno.errorcode.get(k, k), v) for k, v in hist.items())}\n")

def concur(root, secs, nproc):
    for i in range(3):
        os.mkdir(f"{root}/d{i}")
    pids = []
    for w in range(nproc):
        pid = os.fork()
        if pid == 0:
            try:
                concur_worker(root, w, secs, 1000 + w)
                os._exit(0)
            except BaseException as e:
                print(f"concur: worker {w} died: {e!r}", file=sys.stderr)
                os._exit(1)
        pids.append(pid)
    died = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        died += st != 0
    ops = errs = bad = 0
    for w in range(nproc):
        try:
            o, e, b, h = open(f"/tmp/concur-{w}").read().split(" ", 3)
            ops += int(o); errs += int(e); bad += int(b)
            print(f"concur: worker {w}: {o} ops, {e} errors {h.strip()}", file=sys.stderr)
        except OSError:
            pass
    def check(p, data):
        if os.path.basename(p).startswith(".tmp-"):
            return f"{p}: temporary file left behind"
        if not records_ok(data):
            return f"{p}: corrupt contents ({len(data)} bytes)"
        return None
    probs, nf, nd = fsck(root, check)
    for p in probs[:30]:
        print(f"concur: fsck: {p}", file=sys.stderr)
    report("concur", {"procs": nproc, "secs": secs, "ops": ops, "errors": errs,
                      "unexpected": bad, "workers_died": died, "fsck_problems": len(probs),
                      "files": nf, "dirs": nd})
    return bad == 0 and died == 0 and not probs

# ---- (c) fault injection ------------------------------------------------------------------
DBG = "/sys/kernel/debug"
TIMES = 10000000

def wr(p, v):
    with open(p, "w") as f:
        f.write(str(v))

def inject_setup(pct):
    for a in ("failslab", "fail_page_alloc"):
        d = f"{DBG}/{a}"
        wr(f"{d}/probability", pct)
        wr(f"{d}/interval", 1)
        wr(f"{d}/times", TIMES)
        wr(f"{d}/space", 0)
        wr(f"{d}/verbose", 0)          # 2 would dump a stack ("Call Trace:") per failure
        wr(f"{d}/task-filter", "Y")
        wr(f"{d}/ignore-gfp-wait", "N")  # default Y: only atomic allocations would fail
    wr(f"{DBG}/fail_page_alloc/ignore-gfp-highmem", "N")  # page cache pages are HIGHUSER
    wr(f"{DBG}/fail_page_alloc/min-order", 0)             # default 1: no order-0 failures

def inject_count():
    n = 0
    for a in ("failslab", "fail_page_alloc"):
        n += TIMES - int(open(f"{DBG}/{a}/times").read())
    return n

def inject_off():
    for a in ("failslab", "fail_page_alloc"):
        wr(f"{DBG}/{a}/probability", 0)

class Inj:
    """make-it-fail on for the current task only around one call."""
    def __init__(self):
        self.fd = os.open("/proc/self/make-it-fail", os.O_WRONLY)
        self.calls = self.fails = 0
    def __call__(self, fn, *a):
        self.calls += 1
        os.pwrite(self.fd, b"1", 0)
        try:
            return fn(*a)
        finally:
            os.pwrite(self.fd, b"0", 0)

SANE = {errno.ENOMEM, errno.ENOSPC}

def inject(root, nops, seed):
    """One process; a model of the tree (path -> inode id, inode id -> bytes, dirs) is updated
    only by what each call returned; every call is chosen so that it must succeed without
    injection, so an error must be ENOMEM/ENOSPC and must change nothing."""
    rng = random.Random(seed)
    inj = Inj()
    files, data, dirs, links = {}, {}, {root}, {}
    nextid = [0]
    hist = {}
    insane = []
    def err(op, e):
        hist[e.errno] = hist.get(e.errno, 0) + 1
        if e.errno not in SANE and not (e.errno == errno.EFAULT and op in ("write", "read")):
            insane.append(f"{op}: {e}")
    def fresh(d):
        while True:
            p = f"{d}/n{rng.randrange(10**6)}"
            if p not in files and p not in dirs and p not in links:
                return p
    buf = bytearray(1 << 16)
    done = 0
    for _ in range(nops):
        op = rng.choice(["create", "create", "write", "write", "append", "truncate", "read",
                         "unlink", "link", "rename", "rename_over", "mkdir", "rmdir",
                         "symlink", "readdir", "stat", "tmpfile"])
        d = rng.choice(sorted(dirs))
        fl = sorted(files)
        try:
            if op == "create":
                p = fresh(d)
                try:
                    fd = inj(os.open, p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                    os.close(fd)
                except OSError:
                    # open(O_CREAT) may fail after the create itself: accept what is there.
                    if os.path.lexists(p):
                        s = os.lstat(p)
                        if stat.S_ISREG(s.st_mode) and s.st_size == 0 and s.st_nlink == 1:
                            files[p] = nextid[0]; data[nextid[0]] = b""; nextid[0] += 1
                        else:
                            insane.append(f"create {p}: failed, left {s}")
                    raise
                files[p] = nextid[0]; data[nextid[0]] = b""; nextid[0] += 1
            elif op in ("write", "append") and fl:
                p = rng.choice(fl); i = files[p]; old = data[i]
                new = rng.randbytes(rng.choice([1, 100, 4096, 5000, 20000, 65536]))
                if op == "append":
                    fd = os.open(p, os.O_WRONLY | os.O_APPEND)
                    off = len(old)
                else:
                    fd = os.open(p, os.O_WRONLY)
                    off = rng.randrange(len(old) + 1)
                try:
                    n = inj(os.pwrite, fd, new, off) if op == "write" else inj(os.write, fd, new)
                finally:
                    os.close(fd)
                cur = old + b"\0" * max(0, off - len(old))
                data[i] = cur[:off] + new[:n] + cur[off + n:]
                if n != len(new):
                    hist["short"] = hist.get("short", 0) + 1
            elif op == "truncate" and fl:
                p = rng.choice(fl); i = files[p]
                n = rng.randrange(70000)
                inj(os.truncate, p, n)
                data[i] = data[i][:n] + b"\0" * max(0, n - len(data[i]))
            elif op == "read" and fl:
                p = rng.choice(fl); i = files[p]
                fd = os.open(p, os.O_RDONLY)
                try:
                    off = rng.randrange(len(data[i]) + 1)
                    n = inj(os.preadv, fd, [buf], off)
                finally:
                    os.close(fd)
                if bytes(buf[:n]) != data[i][off:off + n]:
                    insane.append(f"read {p}: contents differ from what was written")
            elif op == "unlink" and fl:
                p = rng.choice(fl)
                inj(os.unlink, p)
                del files[p]
            elif op == "link" and fl:
                p = rng.choice(fl); q = fresh(d)
                inj(os.link, p, q)
                files[q] = files[p]
            elif op == "rename" and fl:
                p = rng.choice(fl); q = fresh(d)
                inj(os.rename, p, q)
                files[q] = files.pop(p)
            elif op == "rename_over" and len(fl) > 1:
                p, q = rng.sample(fl, 2)
                inj(os.rename, p, q)
                if files[p] != files[q]:
                    files[q] = files.pop(p)
                # rename of a name over another name of the same inode does nothing
            elif op == "mkdir" and len(dirs) < 12:
                q = fresh(d)
                inj(os.mkdir, q)
                dirs.add(q)
            elif op == "rmdir":
                empty = [x for x in dirs if x != root and
                         not any(os.path.dirname(y) == x for y in list(files) + list(dirs) + list(links))]
                if empty:
                    q = rng.choice(sorted(empty))
                    inj(os.rmdir, q)
                    dirs.discard(q)
            elif op == "symlink":
                q = fresh(d); t = "t" * rng.choice([1, 50, 200, 3000])
                inj(os.symlink, t, q)
                links[q] = t
            elif op == "readdir":
                got = sorted(inj(os.listdir, d))
                want = sorted(os.path.basename(x) for x in list(files) + list(dirs) + list(links)
                              if os.path.dirname(x) == d)
                if got != want:
                    insane.append(f"readdir {d}: {len(got)} names, model {len(want)}")
            elif op == "stat" and fl:
                p = rng.choice(fl)
                s = inj(os.lstat, p)
                nl = sum(1 for x in files.values() if x == files[p])
                if s.st_size != len(data[files[p]]) or s.st_nlink != nl:
                    insane.append(f"stat {p}: size {s.st_size}/{len(data[files[p]])} nlink {s.st_nlink}/{nl}")
            elif op == "tmpfile":
                fd = inj(os.open, d, os.O_TMPFILE | os.O_RDWR, 0o600)
                try:
                    inj(os.write, fd, rng.randbytes(rng.choice([10, 5000])))
                finally:
                    os.close(fd)
            else:
                continue
            done += 1
        except OSError as e:
            err(op, e)
        except MemoryError:
            hist["MemoryError"] = hist.get("MemoryError", 0) + 1
    injected = inject_count()
    inject_off()
    # Compare the tree with the model, injection off.
    probs = []
    for p, i in files.items():
        try:
            got = read_all(p)
        except OSError as e:
            probs.append(f"{p}: {e}"); continue
        if got != data[i]:
            probs.append(f"{p}: contents differ ({len(got)} bytes, model {len(data[i])})")
    for q, t in links.items():
        try:
            if os.readlink(q) != t:
                probs.append(f"{q}: symlink target differs")
        except OSError as e:
            probs.append(f"{q}: {e}")
    model = set(files) | dirs | set(links)
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            if os.path.join(dp, n) not in model:
                probs.append(f"{os.path.join(dp, n)}: exists, not in the model")
    for x in model:
        if not os.path.lexists(x):
            probs.append(f"{x}: in the model, missing")
    p2, nf, nd = fsck(root)
    probs += p2
    for m in (insane + probs)[:40]:
        print(f"inject: {m}", file=sys.stderr)
    report("inject", {"calls": inj.calls, "ops_ok": done, "injected": injected,
                      "errors": sorted((errno.errorcode.get(k, k) if isinstance(k, int) else k, v)
                                       for k, v in hist.items()),
                      "insane_errors": len(insane), "model_problems": len(probs),
                      "files": nf, "dirs": nd})
    return not insane and not probs

# ---- (d) mount/umount loops ---------------------------------------------------------------
def loops(mnt, n, injecting, seed):
    rng = random.Random(seed)
    inj = Inj() if injecting else (lambda fn, *a: fn(*a))
    done = mfail = ofail = ufail = 0
    hist = {}
    bad = []
    for k in range(n):
        try:
            inj(mount, "gate-loop", mnt, "bs2ramfs", b"mode=0755")
        except OSError as e:
            mfail += 1
            hist[e.errno] = hist.get(e.errno, 0) + 1
            if e.errno not in SANE:
                bad.append(f"mount: {e}")
            continue
        for j in range(8):
            try:
                p = f"{mnt}/f{j}"
                fd = inj(os.open, p, os.O_CREAT | os.O_WRONLY, 0o644)
                try:
                    inj(os.write, fd, rng.randbytes(rng.choice([0, 100, 4096, 9000])))
                finally:
                    os.close(fd)
                if j % 3 == 0:
                    inj(os.mkdir, f"{mnt}/d{j}")
                    inj(os.symlink, p, f"{mnt}/d{j}/l")
                    inj(os.link, p, f"{mnt}/d{j}/h")
                if j == 5:
                    inj(os.mknod, f"{mnt}/p", stat.S_IFIFO | 0o600)
                    fd = inj(os.open, mnt, os.O_TMPFILE | os.O_RDWR, 0o600)
                    os.close(fd)
            except OSError as e:
                ofail += 1
                hist[e.errno] = hist.get(e.errno, 0) + 1
                if e.errno not in SANE and not (injecting and e.errno in (errno.ENOENT, errno.EEXIST)):
                    bad.append(f"op: {e}")
        for attempt in range(2):   # the second attempt without injection
            try:
                (inj if attempt == 0 else (lambda fn, *a: fn(*a)))(umount, mnt)
                break
            except OSError as e:
                ufail += 1
                hist[e.errno] = hist.get(e.errno, 0) + 1
                if attempt:
                    bad.append(f"umount: {e}")
        done += 1
    injected = inject_count() if injecting else 0
    if injecting:
        inject_off()
    for m in bad[:20]:
        print(f"loops: {m}", file=sys.stderr)
    tag = "loops_inject" if injecting else "loops"
    report(tag, {"asked": n, "done": done, "mount_failed": mfail, "op_failed": ofail,
                 "umount_failed": ufail, "injected": injected, "insane_errors": len(bad),
                 "errors": sorted((errno.errorcode.get(k, k), v) for k, v in hist.items())})
    return not bad and os.path.ismount(mnt) is False

# ---- (f) module load/unload loops -------------------------------------------------------------
SYS_init_module, SYS_delete_module = 175, 176   # x86_64
O_NONBLOCK = 0o4000

def sysc(nr, *a):
    if libc.syscall(nr, *a) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

def loaded():
    return any(l.startswith("bs2ramfs ") for l in open("/proc/modules"))

def registered():
    return any(l.split()[-1] == "bs2ramfs" for l in open("/proc/filesystems"))

class FailNth:
    """Make the Nth allocation (slab or page) of the current task fail, in one call:
    /proc/thread-self/fail-nth, as syzkaller does; count() gives the allocations of a call."""
    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    def set(self, nth):
        os.pwrite(self.fd, str(nth).encode(), 0)
    def left(self):
        return int(os.pread(self.fd, 32, 0))
    def __call__(self, nth, fn, *a):
        self.set(nth)
        try:
            return fn(*a)
        finally:
            self.set(0)
    def count(self, fn, *a):
        big = 1 << 30
        self.set(big)
        try:
            fn(*a)
        finally:
            used = big - self.left()
            self.set(0)
        return used

def modloops(ko, mnt, n, injecting, seed):
    """N rounds: init_module(2) of KO (read into memory first, so that only the kernel's
    allocations can fail); when injecting, round k makes the (k * A / N)th allocation of the
    load fail, A being the allocations of a load (from a first, counted load), so the failures
    sweep the whole load, the module's init included. If it loaded: mount, files, umount,
    delete_module(2), without injection; if not: the error must be ENOMEM and neither the
    module nor the file system type may be left."""
    rng = random.Random(seed)
    image = open(ko, "rb").read()
    buf = ctypes.create_string_buffer(image, len(image))
    load = lambda: sysc(SYS_init_module, buf, ctypes.c_ulong(len(image)), b"")
    nth = FailNth()
    nload = nfail = 0
    hist = {}
    bad = []
    allocs = 0
    if injecting:
        allocs = nth.count(load)
        sysc(SYS_delete_module, b"bs2ramfs", O_NONBLOCK)
        print(f"modloops: a load makes {allocs} allocations", file=sys.stderr)
    for k in range(n):
        try:
            if injecting:
                nth(max(1, (k + 1) * allocs // (n + 1)), load)
            else:
                load()
        except OSError as e:
            nfail += 1
            hist[e.errno] = hist.get(e.errno, 0) + 1
            if not injecting or e.errno not in SANE:
                bad.append(f"init_module: {e}")
            if loaded():
                bad.append("init_module failed, the module is listed")
            if registered():
                bad.append("init_module failed, bs2ramfs is in /proc/filesystems")
            continue
        nload += 1
        if not loaded() or not registered():
            bad.append("init_module succeeded, module or file system type missing")
        try:
            mount("gate-mod", mnt, "bs2ramfs")
            try:
                for j in range(3):
                    with open(f"{mnt}/f{j}", "wb") as f:
                        f.write(rng.randbytes(5000))
                os.mkdir(f"{mnt}/d")
                os.link(f"{mnt}/f0", f"{mnt}/d/h")
                os.symlink("f0", f"{mnt}/l")
            finally:
                umount(mnt)
            sysc(SYS_delete_module, b"bs2ramfs", O_NONBLOCK)
        except OSError as e:
            bad.append(f"round {k}: {e}")
        if loaded() or registered():
            bad.append(f"round {k}: the module or the type is left after delete_module")
            break
    for m in bad[:20]:
        print(f"modloops: {m}", file=sys.stderr)
    tag = "module_loops_inject" if injecting else "module_loops"
    report(tag, {"asked": n, "loaded": nload, "load_failed": nfail,
                 "allocations_per_load": allocs, "insane_errors": len(bad),
                 "errors": sorted((errno.errorcode.get(k, k), v) for k, v in hist.items())})
    return not bad

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "concur":
        ok = concur(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "inject":
        inject_setup(int(sys.argv[4]))
        ok = inject(sys.argv[2], int(sys.argv[3]), 42)
    elif cmd == "loops":
        ok = loops(sys.argv[2], int(sys.argv[3]), False, 7)
    elif cmd == "loops-inject":
        inject_setup(int(sys.argv[4]))
        ok = loops(sys.argv[2], int(sys.argv[3]), True, 8)
    elif cmd == "modloops":
        ok = modloops(sys.argv[2], sys.argv[3], int(sys.argv[4]), False, 9)
    elif cmd == "modloops-inject":
        inject_setup(0)   # fail-nth decides; the filters (GFP_KERNEL, order 0) still apply
        ok = modloops(sys.argv[2], sys.argv[3], int(sys.argv[4]), True, 10)
    sys.exit(0 if ok else 1)
PYEOF

M=/mnt/bs2ramfs
mkdir -p $M

# stage NAME WHAT OPTIONS PY-ARGS…: mount a fresh bs2ramfs with OPTIONS on $M, run gate.py
# PY-ARGS on it (key=value lines to the result, its messages in NAME.log), empty it and unmount
# it. With nr_inodes= and size= limits in OPTIONS, the run hits them (ENOSPC and short writes,
# which must change nothing more than they say), and once everything is removed, statfs must
# count only the root's inode and no page as used: no charge was lost or given back twice,
# whatever failed.
# in_use_after_removal WHAT 'TOTAL FREE' WANT WHY: in stage(), statfs's count of WHAT in use on
# $M (stat -f's format for the total and the free) must be WANT.
in_use_after_removal() {
	local total free
	read -r total free <<<"$(stat -f -c "$2" $M)"
	res "${name}_$1_in_use_after_removal=$((total - free)) of $total"
	[ "$((total - free))" = "$3" ] ||
		failed "$what: $((total - free)) $1 charged after removing everything$4"
}
stage() {
	local name=$1 what=$2 opts=$3 t
	shift 3
	t=$(now)
	mount -t bs2ramfs -o "$opts" "gate-$name" $M || failed "mount for the $what"
	python3 /tmp/gate.py "$@" >>"$out/result" 2>"$out/$name.log" || failed "$what (see $name.log)"
	cat "$out/$name.log"
	rm -rf "${M:?}"/*
	if [ "${opts#*nr_inodes=}" != "$opts" ]; then
		in_use_after_removal inodes '%c %d' 1 " (want 1: the root)"
	fi
	if [ "${opts#*size=}" != "$opts" ]; then
		in_use_after_removal pages '%b %f' 0 " (want 0)"
	fi
	umount $M || failed "umount after the $what"
	res "${name}_s=$(secs "$t" "$(now)")"
}

# ---- fsx in the background of (b) to (e) ------------------------------------------------------
fsx_pid=
if [ -n "$GATE_FSX" ]; then
	echo "gate: fsx on bs2ramfs, $GATE_FSX_OPS operations, in the background"
	mkdir -p /mnt/gate-fsx "$out/fsx"
	# As tools/suites-guest.sh does for bs2ramfs (with fallocate and punch hole), another seed.
	printf '%s\n' 'flen = 262144' '[weights]' 'read = 10' 'write = 10' 'mapread = 10' \
		'mapwrite = 10' 'truncate = 2' 'close_open = 1' 'invalidate = 1' 'fsync = 1' \
		'fdatasync = 1' 'sendfile = 2' 'copy_file_range = 2' 'posix_fallocate = 2' \
		'punch_hole = 2' >"$out/fsx.toml"
	if mount -t bs2ramfs gate-fsx /mnt/gate-fsx; then
		t_fsx=$(now)
		"$GATE_FSX" -N "$GATE_FSX_OPS" -S 7 -f "$out/fsx.toml" -P "$out/fsx" /mnt/gate-fsx/fsx.data \
			>"$out/fsx.log" 2>&1 &
		fsx_pid=$!
	else
		failed "mount for fsx"
	fi
fi

# ---- (b) concurrency ---------------------------------------------------------------------
echo "gate: (b) concurrency: $GATE_CONCUR_PROCS processes, ${GATE_CONCUR_SECS}s"
stage concur "concurrency test" "$GATE_CONCUR_LIMITS" concur $M "$GATE_CONCUR_SECS" "$GATE_CONCUR_PROCS"

# ---- (c) fault injection -------------------------------------------------------------------
echo "gate: (c) fault injection: $GATE_INJECT_OPS operations, ${GATE_INJECT_PCT}% of allocations fail"
stage inject "fault-injection test" "$GATE_INJECT_LIMITS" inject $M "$GATE_INJECT_OPS" "$GATE_INJECT_PCT"

# ---- (d) mount/umount loops ---------------------------------------------------------------
echo "gate: (d) $GATE_LOOPS mount/umount loops, then $GATE_INJECT_LOOPS under injection"
t=$(now)
python3 /tmp/gate.py loops $M "$GATE_LOOPS" >>"$out/result" 2>"$out/loops.log" || failed "mount loops (see loops.log)"
python3 /tmp/gate.py loops-inject $M "$GATE_INJECT_LOOPS" "$GATE_INJECT_PCT" >>"$out/result" 2>>"$out/loops.log" ||
	failed "mount loops under injection (see loops.log)"
cat "$out/loops.log"
mountpoint -q $M && { failed "$M still mounted after the loops"; umount $M; }
res "loops_s=$(secs "$t" "$(now)")"

# ---- (e) the guest tests: functional, bad input, permissions ---------------------------------
if [ -n "$GATE_TESTS" ]; then
	echo "gate: (e) the bs2ramfs guest tests"
	t=$(now)
	"$GATE_TESTS" >"$out/tests.log" 2>&1 || failed "bs2ramfs guest tests (see tests.log)"
	grep -E '^FAIL ' "$out/tests.log"
	last=$(tail -n 1 "$out/tests.log")
	echo "gate: (e) $last"
	res "tests=$last"
	res "tests_s=$(secs "$t" "$(now)")"
fi

if [ -n "$fsx_pid" ]; then
	wait "$fsx_pid"
	rc=$?
	res "fsx_rc=$rc"
	res "fsx_ops=$GATE_FSX_OPS"
	res "fsx_s=$(secs "$t_fsx" "$(now)")"
	tail -n 3 "$out/fsx.log"
	{ [ $rc = 0 ] && grep -q 'All operations completed A-OK' "$out/fsx.log"; } ||
		failed "fsx on bs2ramfs (exit $rc, see fsx.log)"
	umount /mnt/gate-fsx || failed "umount after fsx"
fi

# ---- (f) module load/unload loops ------------------------------------------------------------
if [ -n "$GATE_MODULE" ]; then
	echo "gate: (f) $GATE_MODULE_LOOPS module load/mount/unload rounds, then $GATE_MODULE_LOOPS with one allocation failing"
	t=$(now)
	rmmod bs2ramfs || failed "rmmod before the module loops"
	python3 /tmp/gate.py modloops "$GATE_MODULE" $M "$GATE_MODULE_LOOPS" >>"$out/result" 2>"$out/module.log" ||
		failed "module loops (see module.log)"
	python3 /tmp/gate.py modloops-inject "$GATE_MODULE" $M "$GATE_MODULE_LOOPS" \
		>>"$out/result" 2>>"$out/module.log" || failed "module loops under injection (see module.log)"
	# And a clean round after them.
	python3 /tmp/gate.py modloops "$GATE_MODULE" $M 1 >/dev/null 2>>"$out/module.log" ||
		failed "module round after the injection (see module.log)"
	cat "$out/module.log"
	res "module_s=$(secs "$t" "$(now)")"
fi

# ---- kmemleak --------------------------------------------------------------------------------
echo "gate: kmemleak scans"
t=$(now)
kml_scan
cat "$KML" >"$out/kmemleak.txt"
n=$(grep -c '^unreferenced object' "$out/kmemleak.txt")
res "kmemleak_scans=4 (2 after boot, then clear; 2 after the tests)"
res "kmemleak_reports=$n"
res "kmemleak_s=$(secs "$t" "$(now)")"
if [ "$n" != 0 ]; then
	failed "kmemleak: $n unreferenced objects"
	cat "$out/kmemleak.txt"   # to the console: tools/guest sees them too
fi

# ---- (g) summary -----------------------------------------------------------------------------
res "total_s=$(secs "$t_all" "$(now)")"
res "gate=$([ $fail = 0 ] && echo ok || echo FAILED)"
{
	echo "reliability gate (guest part): $([ $fail = 0 ] && echo ok || echo FAILED)"
	cat "$out/result"
	for fs in "${fss[@]}"; do
		echo "--- stress-ng bogo ops on $fs (stressor ops)"
		cat "$out/stress-$fs.ops"
	done
} >"$out/summary.txt"
cat "$out/summary.txt"
exit $fail
