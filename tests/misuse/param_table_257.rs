// SPDX-License-Identifier: GPL-2.0
//! expect: a parameter table has at most 255 entries
//! A parameter table of 257 entries built without the macro's check: option numbers wrap, so a
//! value would be read as the kind of another parameter (point 5).

include!("common.rs");

use kernel::fs::param::{RawTable, Spec, Table};

const SPECS: &[Spec] = &[Spec::flag(c"x"); 257];
const RAW: &RawTable<258> = &RawTable::new(SPECS);
#[allow(dead_code)]
const TOO_LONG: Table = Table::from_raw_table(RAW);

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
