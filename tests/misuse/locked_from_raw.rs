// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0624]: associated function `from_raw` is private
//! A lock proof made for an inode whose lock is not held, with an unbounded lifetime (point 5).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    // SAFETY: None: the function is not meant to be reachable.
    let _unlocked = unsafe { Locked::<MisuseFs>::from_raw(dir.as_raw()) };
    Ok(())
}
