// SPDX-License-Identifier: GPL-2.0
#include "each-fs.h"

/*
 * On each file system, two ftruncate(2) calls (calls 2i, 2i+1), each to size 0 after 64 KiB
 * were written: sixteen pages removed from the page cache and given back.
 */
static void truncdata(const char *dir)
{
	static char buf[65536];
	char path[80];

	memset(buf, 'a', sizeof(buf));
	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	for (int i = 0; i < 2; i++) {
		pwrite(fd, buf, sizeof(buf), 0);
		ftruncate(fd, 0);
	}
	close(fd);
}

int main(void)
{
	return each_fs(truncdata);
}
