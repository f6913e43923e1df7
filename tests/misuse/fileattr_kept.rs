// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0521]: borrowed data escapes outside of function
//! What `fileattr_set` is asked for kept past the call, to read it later: the `struct
//! file_kattr` is on the caller's stack (point 1).

include!("common.rs");

use kernel::{fs::inode::FileAttr, sync::SetOnce};

static KEPT: SetOnce<&'static FileAttr> = SetOnce::new();

#[allow(dead_code)]
fn fileattr_set(attr: &FileAttr) -> Result {
    KEPT.populate(attr);
    Ok(())
}

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
