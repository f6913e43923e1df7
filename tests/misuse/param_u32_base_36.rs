// SPDX-License-Identifier: GPL-2.0
//! expect: a u32 parameter's base must be 0, 8, 10 or 16
//! A u32 parameter in base 36: kstrtouint() only takes the bases 0, 8, 10 and 16, and with
//! another one parses wrong numbers (found by the second adversarial review of v2).

include!("common.rs");

use kernel::fs::param::{Kind, Spec, Table};

#[allow(dead_code)]
const BASE_36: Table = kernel::param_table!(Spec::new(c"n", Kind::U32 { base: 36 }));

fn misuse(_idmap: &MntIdmap, _dir: &Locked<'_, MisuseFs>, _dentry: &Negative<'_, MisuseFs>) -> Result {
    Ok(())
}
