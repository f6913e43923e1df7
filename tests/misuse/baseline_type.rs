// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! The file system type of the FLAGS and NAME cases, with a good name and flags: it builds.

const BAD_NAME: &CStr = c"misuse";
const BAD_FLAGS: kernel::fs::Flags = kernel::fs::Flags::empty().with(kernel::fs::Flag::UsernsMount);

include!("type_common.rs");
