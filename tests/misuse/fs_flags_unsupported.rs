// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0603]: tuple struct constructor `Flags` is private
//! A file system type with a flag the abstractions do not follow: with FS_RENAME_DOES_D_MOVE
//! the VFS leaves the d_move() of a rename to the file system, the dentry stays in the old
//! directory while the new one's offset map points to it, and a later readdir walks a freed
//! dentry (found by the adversarial review of v2). FileSystem::FLAGS is a kernel::fs::Flags,
//! made only of the kernel::fs::Flag values the abstractions follow.

const BAD_NAME: &CStr = c"misuse";
const BAD_FLAGS: kernel::fs::Flags =
    kernel::fs::Flags(kernel::bindings::FS_RENAME_DOES_D_MOVE as i32);

include!("type_common.rs");
