// SPDX-License-Identifier: GPL-2.0

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

__rust_helper struct folio *rust_helper_folio_alloc(gfp_t gfp, unsigned int order)
{
	return folio_alloc(gfp, order);
}

__rust_helper void rust_helper_folio_get(struct folio *folio)
{
	folio_get(folio);
}

__rust_helper void rust_helper_folio_put(struct folio *folio)
{
	folio_put(folio);
}

__rust_helper void rust_helper_folio_lock(struct folio *folio)
{
	folio_lock(folio);
}

__rust_helper bool rust_helper_folio_trylock(struct folio *folio)
{
	return folio_trylock(folio);
}

__rust_helper loff_t rust_helper_folio_pos(const struct folio *folio)
{
	return folio_pos(folio);
}

__rust_helper size_t rust_helper_folio_size(const struct folio *folio)
{
	return folio_size(folio);
}

__rust_helper bool rust_helper_folio_test_uptodate(const struct folio *folio)
{
	return folio_test_uptodate(folio);
}

__rust_helper bool rust_helper_folio_test_dirty(const struct folio *folio)
{
	return folio_test_dirty(folio);
}

__rust_helper void rust_helper_folio_mark_uptodate(struct folio *folio)
{
	folio_mark_uptodate(folio);
}

__rust_helper void rust_helper_memcpy_from_folio(char *to, struct folio *folio,
						 size_t offset, size_t len)
{
	memcpy_from_folio(to, folio, offset, len);
}

__rust_helper void rust_helper_memcpy_to_folio(struct folio *folio, size_t offset,
					       const char *from, size_t len)
{
	memcpy_to_folio(folio, offset, from, len);
}

__rust_helper void rust_helper_folio_zero_range(struct folio *folio, size_t start,
						size_t length)
{
	folio_zero_range(folio, start, length);
}

__rust_helper struct folio *rust_helper_write_begin_get_folio(const struct kiocb *iocb,
							      struct address_space *mapping,
							      pgoff_t index, size_t len)
{
	return write_begin_get_folio(iocb, mapping, index, len);
}

__rust_helper size_t rust_helper_copy_folio_to_iter(struct folio *folio, size_t offset,
						    size_t bytes, struct iov_iter *i)
{
	return copy_folio_to_iter(folio, offset, bytes, i);
}

__rust_helper struct folio *rust_helper_filemap_get_folio(struct address_space *mapping,
							  pgoff_t index)
{
	return filemap_get_folio(mapping, index);
}

__rust_helper void rust_helper_mapping_set_error(struct address_space *mapping, int error)
{
	mapping_set_error(mapping, error);
}

__rust_helper bool rust_helper_folio_test_writeback(const struct folio *folio)
{
	return folio_test_writeback(folio);
}

__rust_helper struct folio *rust_helper_page_folio(struct page *page)
{
	return page_folio(page);
}
