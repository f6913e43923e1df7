// SPDX-License-Identifier: GPL-2.0
//! expect: FileSystem::FLAGS may only hold the flags of kernel::fs::flags
//! A file system type with a flag the abstractions do not follow: with FS_RENAME_DOES_D_MOVE
//! the VFS leaves the d_move() of a rename to the file system, the dentry stays in the old
//! directory while the new one's offset map points to it, and a later readdir walks a freed
//! dentry (found by the adversarial review of v2).

const BAD_NAME: &CStr = c"misuse";
const BAD_FLAGS: i32 = kernel::bindings::FS_RENAME_DOES_D_MOVE as i32;

include!("type_common.rs");
