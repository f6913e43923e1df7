#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* On ramfs, tmpfs and bs2ramfs in turn: three files made with creat(2) (calls 3i..3i+2). */
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
		for (int j = 0; j < 3; j++) {
			snprintf(path, sizeof(path), "%s/f%d", dir, j);
			close(creat(path, 0644));
		}
		umount(dir);
		rmdir(dir);
	}
	return 0;
}
