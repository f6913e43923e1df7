// SPDX-License-Identifier: GPL-2.0
//! expect: error[E0515]: cannot return value referencing local variable
//! A symbolic link's target made in `get_link` and returned borrowed: the VFS reads it after the
//! callback returns, when the buffer is gone (point 1). A target made in the call is returned
//! owned (`LinkTarget::Owned`).

include!("common.rs");

use kernel::fs::dentry::DEntry;

struct LinkOps;

#[vtable]
impl inode::Operations for LinkOps {
    type FileSystem = MisuseFs;

    fn get_link<'a>(
        _dentry: &DEntry<MisuseFs>,
        _inode: &'a INode<MisuseFs>,
    ) -> Result<inode::LinkTarget<'a>> {
        let mut target = KVec::new();
        target.extend_from_slice(b"target\0", GFP_KERNEL)?;
        Ok(CStr::from_bytes_with_nul(&target).map_err(|_| EINVAL)?.into())
    }
}

const LINK_IOPS: inode::Ops<MisuseFs> = inode::Ops::new::<LinkOps>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = LINK_IOPS;
    Ok(())
}
