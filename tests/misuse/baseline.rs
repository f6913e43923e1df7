// SPDX-License-Identifier: GPL-2.0
//! expect: builds
//! The shared file system alone: the harness's proof that a program that uses the API as
//! meant builds, so that the failures of the others come from their misuse.

include!("common.rs");

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
