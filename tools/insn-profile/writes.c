#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	static char buf[4096];
	const char *fss[] = { "ramfs", "tmpfs", "bs2ramfs" };
	char dir[64], path[80];

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
		/* A: new page, B: overwrite, C: new page, D: overwrite, E: 1 byte overwrite */
		pwrite(fd, buf, 4096, 0);
		pwrite(fd, buf, 4096, 0);
		pwrite(fd, buf, 4096, 4096);
		pwrite(fd, buf, 4096, 4096);
		pwrite(fd, buf, 1, 100);
		close(fd);
		umount(dir);
		rmdir(dir);
	}
	return 0;
}
