# SPDX-License-Identifier: GPL-2.0
# The demo, run in the guest by tools/demo (which sets DEMO_TOP, DEMO_MODULE, DEMO_SOURCE
# first): bs2ramfs at work, step by step, each step's command line and its output, beside tmpfs
# (and C ramfs) where the comparison teaches something. A step that fails when it should not,
# or succeeds when it should fail, is marked "!!" and fails the demo. Its output also goes to
# /run/out/demo.out, which tools/demo follows.

failures=0
# section TITLE LINE…: a heading and what the section shows.
section() {
	printf '\n=== %s\n' "$1"
	shift
	local l
	for l in "$@"; do printf '    %s\n' "$l"; done
}
# run 'COMMAND LINE': show it, run it; it must succeed.
run() {
	local rc
	printf '$ %s\n' "$1"
	eval "$1"
	rc=$?
	if [ $rc != 0 ]; then
		echo "!! failed with exit status $rc: it should not have"
		failures=$((failures + 1))
	fi
	return 0
}
# fails 'COMMAND LINE': show it, run it; it must fail.
fails() {
	local rc
	printf '$ %s\n' "$1"
	eval "$1"
	rc=$?
	if [ $rc = 0 ]; then
		echo "!! succeeded: it should have failed"
		failures=$((failures + 1))
	else
		echo "(exit status $rc, as expected)"
	fi
	return 0
}

demo() {
	local how="built in"
	[ -z "$DEMO_MODULE" ] || how="as a module"
	section "bs2ramfs demo" "kernel $(uname -r), bs2ramfs $how, built from $DEMO_SOURCE"
	if [ -n "$DEMO_MODULE" ]; then
		fails "grep -w bs2ramfs /proc/filesystems"
		run "insmod $DEMO_MODULE"
	fi
	run "grep -w bs2ramfs /proc/filesystems"

	section "Mount: bs2ramfs beside tmpfs" \
		"Each mount is a new, empty instance, in memory only; statfs gives bs2ramfs's own magic."
	run "mkdir -p /mnt/bs2 /mnt/tmpfs /mnt/ramfs"
	run "mount -t bs2ramfs demo /mnt/bs2"
	run "mount -t tmpfs demo /mnt/tmpfs"
	run "mount -t ramfs demo /mnt/ramfs"
	run "grep ' /mnt/' /proc/mounts"
	run "stat -f -c '%n: type %T, block size %S' /mnt/bs2 /mnt/tmpfs /mnt/ramfs"
	run "ls -la /mnt/bs2"

	section "Files written and read back, with checksums" \
		"Sizes around the page size (4096) and over 1 MiB, written with head, dd (3000-byte writes)" \
		"and an append, on bs2ramfs and on tmpfs; the checksums taken on bs2ramfs must hold on tmpfs."
	run "head -c 2M /dev/urandom >/tmp/random"
	run "for n in 0 1 4095 4096 4097 65537 1048576 2097152; do
	head -c \$n /tmp/random >/mnt/bs2/file-\$n; head -c \$n /tmp/random >/mnt/tmpfs/file-\$n
done"
	run "dd if=/tmp/random of=/mnt/bs2/dd-3000 bs=3000 count=200 status=none && dd if=/tmp/random of=/mnt/tmpfs/dd-3000 bs=3000 count=200 status=none"
	run "echo 'one more line' | tee -a /mnt/bs2/file-4097 /mnt/tmpfs/file-4097 >/dev/null"
	run "ls -l /mnt/bs2"
	run "cd /mnt/bs2 && sha256sum -- * >/tmp/sums && head -n 3 /tmp/sums"
	run "cd /mnt/tmpfs && sha256sum -c /tmp/sums"
	run "echo 3 >/proc/sys/vm/drop_caches; cd /mnt/bs2 && sha256sum --quiet -c /tmp/sums && echo 'bs2ramfs: every checksum still holds after drop_caches (its pages are its only copy)'"

	section "Hard and symbolic links" \
		"A hard link is a second name of the same inode (same number, link count 2); a symbolic" \
		"link holds a path, and dangles once that path is gone."
	run "cd /mnt/bs2 && echo hello >a && ln a b && ln -s a c && ln -s /nowhere d"
	run "ls -li /mnt/bs2/[abcd]"
	run "readlink /mnt/bs2/c && cat /mnt/bs2/c"
	run "rm /mnt/bs2/a && cat /mnt/bs2/b && stat -c '%n: %h link, inode %i, %s bytes' /mnt/bs2/b"
	fails "cat /mnt/bs2/c"

	section "A directory tree" \
		"Directories count their links (2 + subdirectories), moves keep them right, and the" \
		"same tree copied to tmpfs lists the same (type, links, name)."
	run "mkdir -p /mnt/bs2/tree/a/b/c /mnt/bs2/tree/d && touch /mnt/bs2/tree/a/b/c/leaf /mnt/bs2/tree/d/x && mv /mnt/bs2/tree/d /mnt/bs2/tree/a/"
	run "cd /mnt/bs2/tree && find . -printf '%y %n %p\n' | sort -k3"
	run "cp -a /mnt/bs2/tree /mnt/tmpfs/ && for fs in bs2 tmpfs; do (cd /mnt/\$fs/tree && find . -printf '%y %n %p\n' | sort >/tmp/tree-\$fs); done && diff /tmp/tree-bs2 /tmp/tree-tmpfs && echo 'the same on tmpfs'"
	fails "rmdir /mnt/bs2/tree/a"
	section "Stable directory positions" \
		"A position saved with telldir(3) stays valid while entries before it are removed:" \
		"bs2ramfs keeps stable offsets as tmpfs does; C ramfs counts entries and skips some."
	run "python3 $DEMO_TOP/tools/demo-readdir.py bs2ramfs=/mnt/bs2/rd tmpfs=/mnt/tmpfs/rd ramfs=/mnt/ramfs/rd"

	section "Limits: size= and nr_inodes=" \
		"Instances of 64 KiB and 8 inodes (the root is one): a write past the limit is short, the" \
		"next one fails with ENOSPC; df and df -i show it; a remount raises the limits."
	run "mkdir -p /mnt/bs2-small /mnt/tmpfs-small"
	run "mount -t bs2ramfs -o size=64k,nr_inodes=8 small /mnt/bs2-small"
	run "mount -t tmpfs -o size=64k,nr_inodes=8 small /mnt/tmpfs-small"
	run "df /mnt/bs2-small /mnt/tmpfs-small && df -i /mnt/bs2-small /mnt/tmpfs-small"
	fails "dd if=/dev/zero of=/mnt/bs2-small/big bs=100k count=1"
	fails "dd if=/dev/zero of=/mnt/tmpfs-small/big bs=100k count=1"
	run "stat -c '%n: %s bytes' /mnt/bs2-small/big /mnt/tmpfs-small/big"
	run "for fs in bs2 tmpfs; do i=0; while touch /mnt/\$fs-small/f\$i; do i=\$((i + 1)); done; echo \"\$fs: \$i files made, then ENOSPC\"; done"
	run "df /mnt/bs2-small /mnt/tmpfs-small && df -i /mnt/bs2-small /mnt/tmpfs-small"
	fails "mount -o remount,size=16k /mnt/bs2-small"
	fails "mount -o remount,nr_inodes=4 /mnt/bs2-small"
	run "mount -o remount,size=256k,nr_inodes=32 /mnt/bs2-small && mount -o remount,size=256k,nr_inodes=32 /mnt/tmpfs-small"
	run "for fs in bs2 tmpfs; do dd if=/dev/zero of=/mnt/\$fs-small/big bs=100k count=1 status=none && touch /mnt/\$fs-small/one-more && echo \"\$fs: 100k written, \$(ls /mnt/\$fs-small | wc -l) files\"; done"
	run "df /mnt/bs2-small /mnt/tmpfs-small && df -i /mnt/bs2-small /mnt/tmpfs-small"
	run "grep small /proc/mounts"

	section "Extended attributes" \
		"user. and trusted. attributes are kept in memory, as on tmpfs; C ramfs has none."
	run "touch /mnt/bs2/x && setfattr -n user.colour -v blue /mnt/bs2/x && setfattr -n trusted.note -v 'seen by root only' /mnt/bs2/x"
	run "getfattr -d -m - /mnt/bs2/x"
	run "setfattr -x user.colour /mnt/bs2/x && getfattr -d -m - /mnt/bs2/x"
	fails "getfattr -n user.colour /mnt/bs2/x"
	fails "touch /mnt/ramfs/x && setfattr -n user.colour -v blue /mnt/ramfs/x"

	section "bs2ramfs as the upper layer of overlayfs" \
		"overlayfs keeps its changes on the upper layer: a removed lower file becomes a whiteout" \
		"(a 0/0 character device), a replaced directory is marked opaque with a trusted. attribute."
	run "mkdir -p /mnt/tmpfs/lower/dir /mnt/bs2/upper /mnt/bs2/work /mnt/overlay && echo lower >/mnt/tmpfs/lower/kept && echo lower >/mnt/tmpfs/lower/removed && touch /mnt/tmpfs/lower/dir/file"
	run "dmesg -C; mount -t overlay overlay -o lowerdir=/mnt/tmpfs/lower,upperdir=/mnt/bs2/upper,workdir=/mnt/bs2/work /mnt/overlay"
	run "rm /mnt/overlay/removed && echo changed >>/mnt/overlay/kept && rm -r /mnt/overlay/dir && mkdir /mnt/overlay/dir"
	run "ls -l /mnt/overlay /mnt/bs2/upper"
	run "getfattr -d -m - /mnt/bs2/upper/dir"
	run "cat /mnt/overlay/kept /mnt/tmpfs/lower/kept"
	run "dmesg | grep -i overlay || echo 'overlayfs logged nothing: it found all it needs on bs2ramfs'"
	run "umount /mnt/overlay"
	section "... and C ramfs as the upper layer, for comparison"
	run "mkdir -p /mnt/ramfs/upper /mnt/ramfs/work && dmesg -C; mount -t overlay overlay -o lowerdir=/mnt/tmpfs/lower,upperdir=/mnt/ramfs/upper,workdir=/mnt/ramfs/work /mnt/overlay; dmesg | sed 's/^\[[ 0-9.]*\] //'; umount /mnt/overlay 2>/dev/null; true"

	section "An idmapped mount" \
		"A view of the same instance in which its owners appear as others: here root (0) appears as" \
		"1000, and what user 1000 makes through the view is stored as root. tmpfs allows it, C ramfs not."
	run "mkdir -p /mnt/view /mnt/bs2/shared && echo data >/mnt/bs2/shared/by-root"
	run "mount --bind -o X-mount.idmap=b:0:1000:1 /mnt/bs2/shared /mnt/view"
	run "ls -lnd /mnt/bs2/shared /mnt/bs2/shared/by-root /mnt/view /mnt/view/by-root"
	run "setpriv --reuid 1000 --regid 1000 --clear-groups touch /mnt/view/by-1000"
	run "ls -ln /mnt/bs2/shared /mnt/view"
	fails "setpriv --reuid 1000 --regid 1000 --clear-groups touch /mnt/bs2/shared/not-allowed"
	run "umount /mnt/view"
	fails "mount --bind -o X-mount.idmap=b:0:1000:1 /mnt/ramfs /mnt/view"

	section "Bad options" \
		"Unknown or malformed options fail the mount with EINVAL and a message (C ramfs ignores them)."
	run "mkdir -p /mnt/bad"
	fails "mount -t bs2ramfs -o bogus=1 demo /mnt/bad"
	fails "mount -t bs2ramfs -o mode=17777 demo /mnt/bad"
	fails "mount -t bs2ramfs -o size=1q demo /mnt/bad"
	run "mount -t ramfs -o bogus=1 demo /mnt/bad && echo 'C ramfs: mounted, the option silently ignored' && umount /mnt/bad"

	section "Unmount${DEMO_MODULE:+ and unload}" "Everything is gone with the unmount${DEMO_MODULE:+; the module cannot go while it is mounted}."
	[ -z "$DEMO_MODULE" ] || fails "rmmod bs2ramfs"
	run "cd / && umount /mnt/bs2 /mnt/bs2-small /mnt/tmpfs /mnt/tmpfs-small /mnt/ramfs"
	fails "grep bs2ramfs /proc/mounts"
	if [ -n "$DEMO_MODULE" ]; then
		run "rmmod bs2ramfs"
		fails "grep -w bs2ramfs /proc/filesystems"
	fi

	section "bs2fat" "Not yet: bs2fat comes with Series C, which has not landed; this part of the demo comes with it."

	if [ $failures = 0 ]; then
		printf '\nbs2-demo: every step did what it should\n'
	else
		printf '\nbs2-demo: %d step(s) did not do what they should (marked !!)\n' "$failures"
		return 1
	fi
}

demo 2>&1 | tee /run/out/demo.out
exit "${PIPESTATUS[0]}"
