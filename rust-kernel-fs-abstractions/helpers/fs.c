// SPDX-License-Identifier: GPL-2.0

/*
 * Copyright (C) 2024 Google LLC.
 */

#include <linux/fileattr.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>

__rust_helper struct file *rust_helper_get_file(struct file *f)
{
	return get_file(f);
}

__rust_helper void rust_helper_mapping_set_unevictable(struct address_space *mapping)
{
	mapping_set_unevictable(mapping);
}

__rust_helper bool rust_helper_dir_emit_dots(struct file *file, struct dir_context *ctx)
{
	return dir_emit_dots(file, ctx);
}

__rust_helper void rust_helper_file_accessed(struct file *file)
{
	file_accessed(file);
}

__rust_helper void rust_helper_mapping_set_release_always(struct address_space *mapping)
{
	mapping_set_release_always(mapping);
}

__rust_helper loff_t rust_helper_i_size_read(const struct inode *inode)
{
	return i_size_read(inode);
}

__rust_helper struct timespec64
rust_helper_inode_set_mtime_to_ts(struct inode *inode, struct timespec64 ts)
{
	return inode_set_mtime_to_ts(inode, ts);
}

__rust_helper void *rust_helper_alloc_inode_sb(struct super_block *sb,
					       struct kmem_cache *cache, gfp_t gfp)
{
	return alloc_inode_sb(sb, cache, gfp);
}

__rust_helper void rust_helper_inode_lock(struct inode *inode)
{
	inode_lock(inode);
}

__rust_helper void rust_helper_inode_unlock(struct inode *inode)
{
	inode_unlock(inode);
}

__rust_helper void rust_helper_i_size_write(struct inode *inode, loff_t i_size)
{
	i_size_write(inode, i_size);
}

__rust_helper void rust_helper_inode_set_cached_link(struct inode *inode, char *link,
						     int linklen)
{
	inode_set_cached_link(inode, link, linklen);
}

__rust_helper ssize_t rust_helper_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}

__rust_helper void rust_helper_iov_iter_truncate(struct iov_iter *i, u64 count)
{
	iov_iter_truncate(i, count);
}

__rust_helper void rust_helper_iov_iter_reexpand(struct iov_iter *i, size_t count)
{
	iov_iter_reexpand(i, count);
}

__rust_helper void rust_helper_cond_resched(void)
{
	cond_resched();
}

__rust_helper bool rust_helper_user_backed_iter(const struct iov_iter *i)
{
	return user_backed_iter(i);
}

__rust_helper bool rust_helper_inode_trylock(struct inode *inode)
{
	return inode_trylock(inode);
}

__rust_helper void rust_helper_inode_fake_hash(struct inode *inode)
{
	inode_fake_hash(inode);
}

__rust_helper void rust_helper_sb_start_pagefault(struct super_block *sb)
{
	sb_start_pagefault(sb);
}

__rust_helper void rust_helper_sb_end_pagefault(struct super_block *sb)
{
	sb_end_pagefault(sb);
}

__rust_helper enum inode_state_flags_enum rust_helper_inode_state_read_once(struct inode *inode)
{
	return inode_state_read_once(inode);
}

__rust_helper int rust_helper_inode_generic_drop(struct inode *inode)
{
	return inode_generic_drop(inode);
}

__rust_helper bool rust_helper_fileattr_has_fsx(const struct file_kattr *fa)
{
	return fileattr_has_fsx(fa);
}

__rust_helper void rust_helper_cache_no_acl(struct inode *inode)
{
	cache_no_acl(inode);
}

__rust_helper void rust_helper_inode_has_no_xattr(struct inode *inode)
{
	inode_has_no_xattr(inode);
}

__rust_helper void rust_helper_posix_acl_release(struct posix_acl *acl)
{
	posix_acl_release(acl);
}
