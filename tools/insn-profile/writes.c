// SPDX-License-Identifier: GPL-2.0
#include "each-fs.h"

/*
 * On each file system, five pwrite(2) calls (calls 5i..5i+4): a new page, an overwrite of it,
 * another new page, an overwrite of that, and an overwrite of 1 byte.
 */
static void writes(const char *dir)
{
	static char buf[4096];
	char path[80];

	memset(buf, 'a', sizeof(buf));
	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	pwrite(fd, buf, 4096, 0);
	pwrite(fd, buf, 4096, 0);
	pwrite(fd, buf, 4096, 4096);
	pwrite(fd, buf, 4096, 4096);
	pwrite(fd, buf, 1, 100);
	close(fd);
}

int main(void)
{
	return each_fs(writes);
}
