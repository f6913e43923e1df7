// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <sys/syscall.h>
#include "each-fs.h"

/*
 * On each file system, two fstatat(2) calls of an empty file (calls 2i, 2i+1), after an
 * ftruncate(2) that marks the start (INSN_AFTER_FUNC=__x64_sys_ftruncate: the dynamic loader
 * calls fstatat too).
 */
static void stats(const char *dir)
{
	struct stat st;
	char path[80];

	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 0);
	syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	close(fd);
}

int main(void)
{
	return each_fs(stats);
}
