echo "bs2-demo: kernel $(uname -r)"
set -x
grep bs2ramfs /proc/filesystems
mkdir -p /mnt/bs2
mount -t bs2ramfs -o mode=0750 demo /mnt/bs2
grep bs2ramfs /proc/mounts
ls -la /mnt/bs2
stat /mnt/bs2
stat -f /mnt/bs2
mount -t bs2ramfs -o bogus=1 demo /mnt/bs2 || echo "rejected, as it should be (exit status $?)"
umount /mnt/bs2
