// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <sys/uio.h>
#include "each-fs.h"

/*
 * On each file system, three preadv2(2) calls of a 4 KiB file (calls 3i..3i+2): two reads of
 * the page, and a read at the end of the file. (preadv2, which the dynamic loader does not use.)
 */
static void reads(const char *dir)
{
	static char buf[4096];
	struct iovec iov = { buf, sizeof(buf) };
	char path[80];

	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	write(fd, buf, 4096);
	preadv2(fd, &iov, 1, 0, 0);
	preadv2(fd, &iov, 1, 0, 0);
	preadv2(fd, &iov, 1, 4096, 0);
	close(fd);
}

int main(void)
{
	return each_fs(reads);
}
