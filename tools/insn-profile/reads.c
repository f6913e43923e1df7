#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	static char buf[4096];
	const char *fss[] = { "ramfs", "tmpfs", "bs2ramfs" };
	char dir[64], path[80];
	struct iovec iov = { buf, sizeof(buf) };

	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "/run/out/m%d", i);
		mkdir(dir, 0755);
		if (mount(fss[i], dir, fss[i], 0, NULL)) {
			perror("mount");
			return 1;
		}
		snprintf(path, sizeof(path), "%s/f", dir);
		int fd = open(path, O_CREAT | O_RDWR, 0644);
		write(fd, buf, 4096);
		/* A, B: 4 KiB reads at 0; C: a read at the end */
		preadv2(fd, &iov, 1, 0, 0);
		preadv2(fd, &iov, 1, 0, 0);
		preadv2(fd, &iov, 1, 4096, 0);
		close(fd);
		umount(dir);
		rmdir(dir);
	}
	return 0;
}
