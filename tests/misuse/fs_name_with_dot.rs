// SPDX-License-Identifier: GPL-2.0
//! expect: FileSystem::NAME may only contain ASCII letters, digits, '_' and '-'
//! A file system type whose name has a '.': register_filesystem() BUGs on it (found by the
//! adversarial review of v2).

const BAD_NAME: &CStr = c"mis.use";
const BAD_FLAGS: kernel::fs::Flags = kernel::fs::Flags::empty();

include!("type_common.rs");
