#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	const char *fss[] = { "ramfs", "tmpfs", "bs2ramfs" };
	char dir[64], path[80];

	for (int i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "/run/out/m%d", i);
		mkdir(dir, 0755);
		if (mount(fss[i], dir, fss[i], 0, NULL)) {
			perror("mount");
			return 1;
		}
		snprintf(path, sizeof(path), "%s/f", dir);
		int fd = open(path, O_CREAT | O_RDWR, 0644);
		/* up, down, up, down */
		ftruncate(fd, 1 << 20);
		ftruncate(fd, 0);
		ftruncate(fd, 1 << 20);
		ftruncate(fd, 0);
		close(fd);
		umount(dir);
		rmdir(dir);
	}
	return 0;
}
