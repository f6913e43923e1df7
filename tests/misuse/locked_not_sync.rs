// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: `*mut ()` cannot be shared between threads safely
//! A lock proof sent to another thread (here: required to be `Sync`), where the lock is not
//! held by that thread.

include!("common.rs");

fn need_sync<T: Sync>(_: &T) {}

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    need_sync(dir);
    Ok(())
}
