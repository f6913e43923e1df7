// SPDX-License-Identifier: GPL-2.0
#include "each-fs.h"

/* On each file system, three files made with creat(2) (calls 3i..3i+2). */
static void creates(const char *dir)
{
	char path[80];

	for (int j = 0; j < 3; j++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, j);
		close(creat(path, 0644));
	}
}

int main(void)
{
	return each_fs(creates);
}
