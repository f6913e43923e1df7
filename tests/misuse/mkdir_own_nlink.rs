// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0599]: no method named `inc_nlink` found
//! A `mkdir` that adds the parent's link itself (twice, or not at all, and the count
//! underflows later): directory link counts are the abstractions' (point 4).

include!("common.rs");

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    dir.inc_nlink();
    Ok(())
}
