#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test guest (see tools/suites): a data-integrity check, pjdfstest and fsx on
# each file system given, each mounted on its own /mnt/<fs>. Writes raw logs and
# key=value results to /run/out/<fs>/; tools/suites turns them into the table.
#   suites-guest.sh BIN_DIR FSX_OPS FS...
# Order: for each fs, checksums then pjdfstest without remounts (from outside the mount, /);
# then fsx on all of them at once (same config and seed, so the same operation sequence);
# then, once the mounts are idle again, pjdfstest's read-only-remount (erofs) tests.
set -u
bin=$1 ops=$2
shift 2
out=/run/out
export NO_COLOR=1 CLICOLOR=0
cd /

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
res() { echo "$2" >>"$out/$1/result"; }

# pjdfstest: Debian's users; 10 ms naptime (the 1 ms default is below the 4 ms tick). The
# Linux features all three fs have (posix_fallocate: ramfs has none, so tmpfs alone passes it).
# The remount (erofs) tests run on their own: in one process an earlier test leaks a
# descriptor and every read-only remount then fails "mount point is busy".
pjd_config() {
	cat <<-EOF
		[features]
		posix_fallocate = {}
		rename_ctime = {}
		utime_now = {}
		utimensat = {}

		[settings]
		naptime = 0.01
		allow_remount = $1

		[dummy_auth]
		entries = [["nobody", "nogroup"], ["daemon", "daemon"]]
	EOF
}
pjd_config false >"$out/pjdfstest.toml"
pjd_config true >"$out/pjdfstest-remount.toml"

# fsx: mmap reads and writes, and every other operation the three fs share (no posix_fadvise:
# the test kernel has no CONFIG_ADVISE_SYSCALLS); on bs2ramfs and tmpfs also fallocate and
# punch hole (fsx-falloc.toml), which ramfs lacks.
cat >"$out/fsx.toml" <<EOF
flen = 262144
[weights]
read = 10
write = 10
mapread = 10
mapwrite = 10
truncate = 2
close_open = 1
invalidate = 1
fsync = 1
fdatasync = 1
sendfile = 2
copy_file_range = 2
EOF
{ cat "$out/fsx.toml"; printf '%s\n' 'posix_fallocate = 2' 'punch_hole = 2'; } >"$out/fsx-falloc.toml"

# Reference data for the integrity check: sizes around pages, odd sizes, some over 1 MiB.
sizes="0 1 511 4095 4096 4097 12289 65535 65536 131073 1048575 1048576 1048577 3145731 8388613"
mkdir -p /tmp/ref
for s in $sizes; do
	head -c "$s" /dev/urandom >/tmp/ref/f$s
done
(cd /tmp/ref && sha256sum f* >/tmp/ref.sha256)
sed 's/  f/  dd/' /tmp/ref.sha256 >/tmp/ref.dd.sha256
sed 's/  f/  ap/' /tmp/ref.sha256 >/tmp/ref.ap.sha256

# The secondary fs for pjdfstest's EXDEV tests.
mkdir -p /mnt/second
mount -t tmpfs second /mnt/second

checksums() {
	local d=$1/integrity s
	mkdir "$d" || return 1
	# Written three ways: cp, small odd-sized blocks, and in two appended halves.
	for s in $sizes; do
		cp /tmp/ref/f$s "$d/f$s" &&
			dd if=/tmp/ref/f$s of="$d/dd$s" bs=3000 status=none &&
			head -c $((s / 2)) /tmp/ref/f$s >"$d/ap$s" &&
			tail -c +$((s / 2 + 1)) /tmp/ref/f$s >>"$d/ap$s" || return 1
	done
	sync
	(cd "$d" && sha256sum --quiet -c /tmp/ref.sha256 /tmp/ref.dd.sha256 /tmp/ref.ap.sha256) || return 1
	echo "read back: all match"
	echo 3 >/proc/sys/vm/drop_caches
	(cd "$d" && sha256sum --quiet -c /tmp/ref.sha256 /tmp/ref.dd.sha256 /tmp/ref.ap.sha256) || return 1
	echo "after drop_caches: all match"
	# Same sizes as written (no stray padding to the page size).
	(cd "$d" && for s in $sizes; do
		for p in f dd ap; do
			[ "$(stat -c %s $p$s)" = "$s" ] || { echo "size of $p$s: $(stat -c %s $p$s), not $s"; exit 1; }
		done
	done) || return 1
	echo "sizes: all match"
	rm -r "$d" || return 1
	echo "removed"
}

fss=()
for fs in "$@"; do
	mkdir -p "$out/$fs"
	rm -f "$out/$fs/result"
	if ! grep -qw "$fs" /proc/filesystems; then
		res "$fs" "mount=not in /proc/filesystems (not built into this kernel)"
		continue
	fi
	mkdir -p /mnt/"$fs"
	if ! msg=$(mount -t "$fs" "suites-$fs" /mnt/"$fs" 2>&1); then
		res "$fs" "mount=mount failed: $(echo "$msg" | tail -n 1)"
		continue
	fi
	res "$fs" "mount=ok"
	fss+=("$fs")
done

for fs in "${fss[@]}"; do
	echo "suites: $fs: checksums"
	t=$(now)
	if checksums /mnt/"$fs" >"$out/$fs/checksums.log" 2>&1; then
		res "$fs" "checksums=ok"
	else
		res "$fs" "checksums=FAILED"
	fi
	res "$fs" "checksums_s=$(secs "$t" "$(now)")"

	echo "suites: $fs: pjdfstest"
	mkdir -p /mnt/second/"$fs"
	t=$(now)
	timeout -k 10 900 "$bin/pjdfstest" -c "$out/pjdfstest.toml" -p /mnt/"$fs" -s /mnt/second/"$fs" \
		>"$out/$fs/pjdfstest.log" 2>&1
	res "$fs" "pjdfstest_rc=$?"
	res "$fs" "pjdfstest_s=$(secs "$t" "$(now)")"
done

echo "suites: fsx on ${fss[*]} at once, $ops operations each"
for fs in "${fss[@]}"; do
	(
		t=$(now)
		conf=$out/fsx-falloc.toml
		[ "$fs" = ramfs ] && conf=$out/fsx.toml
		timeout -k 10 1500 "$bin/fsx" -N "$ops" -S 42 -f "$conf" -P "$out/$fs" \
			/mnt/"$fs"/fsx.data >"$out/$fs/fsx.log" 2>&1
		rc=$?
		res "$fs" "fsx_rc=$rc"
		res "$fs" "fsx_s=$(secs "$t" "$(now)")"
		echo "suites: $fs: fsx exited $rc"
	) &
done
wait
for fs in "${fss[@]}"; do
	rm -f /mnt/"$fs"/fsx.data
done

# The remount tests: exactly those the first run skipped for want of allow_remount.
for fs in "${fss[@]}"; do
	names=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$fs/pjdfstest.log" | awk '
		/^\t/ { if (name != "" && /allow_remount/) { print "pjdfstest::tests::" name; name = "" } next }
		{ name = ($NF == "skipped") ? $1 : "" }')
	res "$fs" "pjdfstest_remount_tests=$(echo "$names" | grep -c .)"
	[ -n "$names" ] || continue
	echo "suites: $fs: pjdfstest remount tests"
	t=$(now)
	# shellcheck disable=SC2086
	timeout -k 10 300 "$bin/pjdfstest" -c "$out/pjdfstest-remount.toml" -p /mnt/"$fs" -e $names \
		>"$out/$fs/pjdfstest-remount.log" 2>&1
	res "$fs" "pjdfstest_remount_rc=$?"
	res "$fs" "pjdfstest_remount_s=$(secs "$t" "$(now)")"
done

for fs in "${fss[@]}"; do
	if msg=$(umount /mnt/"$fs" 2>&1); then
		res "$fs" "umount=ok"
	else
		res "$fs" "umount=FAILED: $(echo "$msg" | tail -n 1)"
	fi
done
echo "suites: done"
