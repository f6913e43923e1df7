// SPDX-License-Identifier: GPL-2.0
//! expect: FileSystem::NAME may only contain ASCII letters, digits, '_' and '-'
//! A file system type whose name has a space: it garbles /proc/filesystems, and the slab cache
//! of its inodes, named after it, trips kmem_cache_sanity_check() (found by the third
//! adversarial review of v2).

const BAD_NAME: &CStr = c"mis use";
const BAD_FLAGS: kernel::fs::Flags = kernel::fs::Flags::empty();

include!("type_common.rs");
