// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0499]: cannot borrow `*pass` as mutable more than once at a time
//! A write-back pass asked for its next folio while the file system still holds the one before:
//! `writeback_iter()` drops the reference of its batch to the folio it was given back, which
//! would leave the guard of the first on a folio that may be freed, and the C protocol wants it
//! unlocked first (point 1).

include!("common.rs");

use kernel::fs::address_space::writeback::Writeback;

struct WbAops;

#[vtable]
impl address_space::Operations for WbAops {
    type FileSystem = MisuseFs;

    fn writepages(_inode: &INode<MisuseFs>, pass: &mut Writeback<'_>) -> Result {
        if let Some(first) = pass.next_folio() {
            let _second = pass.next_folio();
            first.start_writeback().end();
        }
        Ok(())
    }
}

const WB_AOPS: address_space::Ops<MisuseFs> = address_space::Ops::new::<WbAops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = WB_AOPS;
    Ok(())
}
