// SPDX-License-Identifier: GPL-2.0
#include "each-fs.h"

/* On each file system, four ftruncate(2) calls (calls 4i..4i+3): to 1 MiB, to 0, again. */
static void truncates(const char *dir)
{
	char path[80];

	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 1 << 20);
	ftruncate(fd, 0);
	ftruncate(fd, 1 << 20);
	ftruncate(fd, 0);
	close(fd);
}

int main(void)
{
	return each_fs(truncates);
}
