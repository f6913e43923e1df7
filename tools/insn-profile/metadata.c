// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <sys/syscall.h>
#include "each-fs.h"

/*
 * On each file system, the metadata calls of the benchmark, each three times, by their own
 * system calls (so that one SYSCALL_FUNCTION counts one kind): unlink, mkdir, rmdir, rename
 * (three within a folder, then three across two folders), link, symlink and readlink
 * (alternating), chmod. Per file system i, the calls of a kind are:
 *   __x64_sys_unlink 3i..3i+2, __x64_sys_rename 6i..6i+2 (within) and 6i+3..6i+5 (across),
 *   __x64_sys_link, __x64_sys_symlink, __x64_sys_readlink, __x64_sys_chmod 3i..3i+2,
 *   __x64_sys_mkdir 6i+3..6i+5 and __x64_sys_rmdir 4i..4i+2 (each-fs.h makes the mount point
 *   with mkdir(2) before and removes it with rmdir(2) after; the folders x and y of the renames
 *   are made with mkdir(2) too).
 */
static void call(long nr, const char *a, const char *b, const char *dir, int j)
{
	char pa[80], pb[80];

	snprintf(pa, sizeof(pa), "%s/%s%d", dir, a, j);
	snprintf(pb, sizeof(pb), "%s/%s%d", dir, b, j);
	switch (nr) {
	case SYS_unlink:
	case SYS_mkdir:
	case SYS_rmdir:
		syscall(nr, pa, 0755);
		break;
	case SYS_chmod:
		syscall(nr, pa, 0600);
		break;
	case SYS_symlink:
		syscall(nr, "a-target-of-some-length", pb);
		break;
	case SYS_readlink: {
		char buf[256];

		syscall(nr, pa, buf, sizeof(buf));
		break;
	}
	default:
		syscall(nr, pa, pb);
	}
}

static void metadata(const char *dir)
{
	char path[80];

	for (int j = 0; j < 3; j++) {
		snprintf(path, sizeof(path), "%s/u%d", dir, j);
		close(creat(path, 0644));
		snprintf(path, sizeof(path), "%s/a%d", dir, j);
		close(creat(path, 0644));
		snprintf(path, sizeof(path), "%s/x/c%d", dir, j);
		if (j == 0) {
			snprintf(path, sizeof(path), "%s/x", dir);
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/y", dir);
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/x/c%d", dir, j);
		}
		close(creat(path, 0644));
	}
	for (int j = 0; j < 3; j++)
		call(SYS_unlink, "u", "", dir, j);
	for (int j = 0; j < 3; j++)
		call(SYS_mkdir, "d", "", dir, j);
	for (int j = 0; j < 3; j++)
		call(SYS_rmdir, "d", "", dir, j);
	for (int j = 0; j < 3; j++)
		call(SYS_rename, "a", "b", dir, j);
	for (int j = 0; j < 3; j++)
		call(SYS_rename, "x/c", "y/c", dir, j);
	for (int j = 0; j < 3; j++)
		call(SYS_link, "b", "l", dir, j);
	for (int j = 0; j < 3; j++) {
		call(SYS_symlink, "", "s", dir, j);
		call(SYS_readlink, "s", "", dir, j);
	}
	for (int j = 0; j < 3; j++)
		call(SYS_chmod, "b", "", dir, j);
}

int main(void)
{
	return each_fs(metadata);
}
