// SPDX-License-Identifier: GPL-2.0
//! expect: file operations with DIRECT and SPLICE must have a read_iter
//! File operations that allow `O_DIRECT` and splice but have no `read_iter`: the VFS splices an
//! `O_DIRECT` file through `read_iter` (`copy_splice_read()`), which it calls without a check,
//! so `splice(2)` or `copy_file_range(2)` from such a file would call NULL (found by the
//! nineteenth adversarial review).

include!("common.rs");

struct WriteOnlyFops;

#[vtable]
impl file::Operations for WriteOnlyFops {
    type FileSystem = MisuseFs;
    type Data = ();

    const GENERIC: file::Generic = file::Generic::WRITE_ITER
        .with(file::Generic::SPLICE)
        .with(file::Generic::LLSEEK)
        .with(file::Generic::DIRECT);
}

const WRITE_ONLY_FOPS: file::Ops<MisuseFs> = file::Ops::new::<WriteOnlyFops>();

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    let _ = WRITE_ONLY_FOPS;
    Ok(())
}
