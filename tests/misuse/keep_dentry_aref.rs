// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: the trait bound `DEntry<MisuseFs>: AlwaysRefCounted` is not satisfied
//! A dentry reference kept by the file system outlives the superblock, whose dentries
//! `generic_shutdown_super()` takes apart (point 1).

include!("common.rs");

use kernel::{fs::dentry::DEntry, sync::{aref::ARef, SetOnce}};

static KEPT: SetOnce<ARef<DEntry<MisuseFs>>> = SetOnce::new();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, dentry: &Negative<'_, MisuseFs>) -> Result {
    KEPT.populate(ARef::from(dentry.dentry()));
    Ok(())
}
