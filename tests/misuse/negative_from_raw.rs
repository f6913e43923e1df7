// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0624]: associated function `from_raw` is private
//! A negative-dentry proof made for a positive dentry (point 5).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, dentry: &Negative<'_, MisuseFs>) -> Result {
    // SAFETY: None: the function is not meant to be reachable.
    let _n = unsafe { Negative::<MisuseFs>::from_raw(dentry.dentry().as_raw()) };
    Ok(())
}
