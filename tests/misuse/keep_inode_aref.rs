// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: the trait bound `INode<MisuseFs>: AlwaysRefCounted` is not satisfied
//! An inode reference kept by the file system, here in a `static`, outlives the superblock:
//! after umount its `iput()` touches a freed superblock (issue: Series A v2, point 1).

include!("common.rs");

use kernel::sync::{aref::ARef, SetOnce};

static KEPT: SetOnce<ARef<INode<MisuseFs>>> = SetOnce::new();

fn misuse(_idmap: &MntIdmap, dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    KEPT.populate(ARef::from(&**dir));
    Ok(())
}
