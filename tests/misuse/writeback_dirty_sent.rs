// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0277]: `*mut kernel::bindings::address_space` cannot be sent between threads safely
//! A dirty folio of a write-back pass handed to another thread: its guard borrows the pass, whose
//! `writeback_control` holds the batch of folios of this thread's `writepages` call; a thread
//! that gave it back after the call returned would unlock a folio the pass no longer holds
//! (point 3).

include!("common.rs");

use kernel::fs::address_space::writeback::Writeback;

struct WbAops;

fn elsewhere<T: Send>(_folio: T) {}

#[vtable]
impl address_space::Operations for WbAops {
    type FileSystem = MisuseFs;

    fn writepages(_inode: &INode<MisuseFs>, pass: &mut Writeback<'_>) -> Result {
        while let Some(dirty) = pass.next_folio() {
            elsewhere(dirty);
        }
        Ok(())
    }
}

const WB_AOPS: address_space::Ops<MisuseFs> = address_space::Ops::new::<WbAops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = WB_AOPS;
    Ok(())
}
