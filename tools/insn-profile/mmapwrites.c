// SPDX-License-Identifier: GPL-2.0
#include <sys/mman.h>
#include "each-fs.h"

/*
 * Write faults on a shared mapping of a new sparse file: on each file system, a store to each of
 * three new pages of the mapping (the first also allocates page tables). Profile
 * handle_mm_fault with INSN_AFTER_FUNC=__x64_sys_ftruncate and 15 calls: on ramfs and bs2ramfs
 * each store is two faults (the first reads the folio with read_folio and retries, the second
 * finds it and calls page_mkwrite), on tmpfs one (shmem_fault allocates the folio): calls 0-5
 * ramfs, 6-8 tmpfs, 9-14 bs2ramfs.
 */
static void mmapwrites(const char *dir)
{
	char path[80];

	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);

	ftruncate(fd, 3 * 4096);
	volatile char *map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	map[0] = 1;
	map[4096] = 1;
	map[8192] = 1;
	munmap((void *)map, 3 * 4096);
	close(fd);
}

int main(void)
{
	return each_fs(mmapwrites);
}
