/* SPDX-License-Identifier: GPL-2.0 */
/* tools/insn-profile: runs the same calls on ramfs, tmpfs and bs2ramfs, in that order. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mounts each file system in turn on a new folder and calls fn() with it, then unmounts it. */
static int each_fs(void (*fn)(const char *dir))
{
	const char *fss[] = { "ramfs", "tmpfs", "bs2ramfs" };
	char dir[64];

	for (int i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "/run/out/m%d", i);
		mkdir(dir, 0755);
		if (mount(fss[i], dir, fss[i], 0, NULL)) {
			perror(fss[i]);
			return 1;
		}
		fn(dir);
		umount(dir);
		rmdir(dir);
	}
	return 0;
}
