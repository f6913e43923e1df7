// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: `*mut kernel::bindings::address_space` cannot be sent between threads safely
//! A write-back pass handed to another thread: `writeback_iter()` keeps its batch of folios in
//! the caller's `writeback_control`, for the `writepages` call of this thread only (point 3).

include!("common.rs");

use kernel::fs::address_space::writeback::Writeback;

struct WbAops;

fn elsewhere<T: Send>(_pass: T) {}

#[vtable]
impl address_space::Operations for WbAops {
    type FileSystem = MisuseFs;

    fn writepages(_inode: &INode<MisuseFs>, pass: &mut Writeback<'_>) -> Result {
        elsewhere(pass);
        Ok(())
    }
}

const WB_AOPS: address_space::Ops<MisuseFs> = address_space::Ops::new::<WbAops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = WB_AOPS;
    Ok(())
}
