// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0603]: function `link` is private
//! `simple_link()` on a dentry other than the one the VFS passed, whose inode's `i_rwsem` is not
//! held: a data race on `i_nlink`, and a resurrected inode with no link (point 3).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, dentry: &Negative<'_, MisuseFs>) -> Result {
    // SAFETY: None: the function is not meant to be reachable.
    unsafe { kernel::fs::libfs::link(core::ptr::null_mut(), dir, todo!(), |_| Ok(())) }?;
    let _ = dentry;
    Ok(())
}
