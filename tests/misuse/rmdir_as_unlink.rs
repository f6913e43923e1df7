// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0603]: function `unlink` is private
//! An `rmdir` that removes a non-empty directory with the steps of `unlink` (point 4).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    kernel::fs::libfs::unlink(dir, todo!());
    Ok(())
}
