// SPDX-License-Identifier: GPL-2.0

//! Typed mount parameters.
//!
//! A file system describes the parameters it accepts with a [`Table`] of [`Spec`]s. The VFS
//! parses each parameter against the table with `fs_parse()` (so malformed values are rejected
//! with the usual messages, e.g. "Bad value for 'mode'"), and the file system receives a typed
//! [`Param`] with the index of the matching [`Spec`] and its [`Value`].
//!
//! C headers: [`include/linux/fs_parser.h`](srctree/include/linux/fs_parser.h)

use crate::{
    bindings,
    error::{code::*, Error, Result},
    fmt,
    fs::FsContext,
    prelude::*,
    task::{Kgid, Kuid},
};
use core::ptr;

/// The type of value that a mount parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A flag without a value, e.g. `noatime`.
    Flag,
    /// A flag that may be negated with a `no` prefix, e.g. `acl` and `noacl`.
    FlagNo,
    /// A boolean value, e.g. `acl=yes`.
    Bool,
    /// An unsigned 32-bit integer in the given base (0: detected from a `0x` or `0` prefix).
    U32 {
        /// The base of the number: 0, 8, 10 or 16 (`kstrtouint()`'s), else a build error of
        /// [`param_table!`](crate::param_table).
        base: u32,
    },
    /// A signed 32-bit integer.
    S32,
    /// An unsigned 64-bit integer.
    U64,
    /// A string.
    String,
    /// A user ID, read in the user namespace of the caller, that must be mapped in the user
    /// namespace of the mount.
    Uid,
    /// A group ID, read in the user namespace of the caller, that must be mapped in the user
    /// namespace of the mount.
    Gid,
    /// A size or a count, as tmpfs's `size=` and `nr_inodes=`: an unsigned number, decimal or
    /// `0x`/`0`-prefixed, with an optional binary suffix `k`, `m`, `g`, `t`, `p` or `e` (in
    /// either case). Unlike C's `memparse()`, a value that overflows 64 bits is rejected.
    Size,
    /// A size in bytes as tmpfs's `size=`: a [`Kind::Size`], or one followed by `%` for that
    /// percentage of the memory of the system (`totalram_pages()`), in bytes.
    SizeOrPercent,
}

/// The specification of one mount parameter: its name and the type of its value.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    name: &'static CStr,
    kind: Kind,
}

impl Spec {
    /// A parameter of the given name and kind.
    pub const fn new(name: &'static CStr, kind: Kind) -> Self {
        Self { name, kind }
    }

    /// A flag without a value (C's `fsparam_flag`).
    pub const fn flag(name: &'static CStr) -> Self {
        Self::new(name, Kind::Flag)
    }

    /// A flag that may be negated with `no` (C's `fsparam_flag_no`).
    pub const fn flag_no(name: &'static CStr) -> Self {
        Self::new(name, Kind::FlagNo)
    }

    /// A boolean (C's `fsparam_bool`).
    pub const fn bool(name: &'static CStr) -> Self {
        Self::new(name, Kind::Bool)
    }

    /// An unsigned 32-bit decimal or `0x`/`0`-prefixed integer (C's `fsparam_u32`).
    pub const fn u32(name: &'static CStr) -> Self {
        Self::new(name, Kind::U32 { base: 0 })
    }

    /// An unsigned 32-bit octal integer, e.g. a mode (C's `fsparam_u32oct`).
    pub const fn u32_oct(name: &'static CStr) -> Self {
        Self::new(name, Kind::U32 { base: 8 })
    }

    /// A signed 32-bit integer (C's `fsparam_s32`).
    pub const fn s32(name: &'static CStr) -> Self {
        Self::new(name, Kind::S32)
    }

    /// An unsigned 64-bit integer (C's `fsparam_u64`).
    pub const fn u64(name: &'static CStr) -> Self {
        Self::new(name, Kind::U64)
    }

    /// A string (C's `fsparam_string`).
    pub const fn string(name: &'static CStr) -> Self {
        Self::new(name, Kind::String)
    }

    /// A user ID (C's `fsparam_uid`, plus a check that it is mapped in the mount's user
    /// namespace).
    pub const fn uid(name: &'static CStr) -> Self {
        Self::new(name, Kind::Uid)
    }

    /// A group ID (C's `fsparam_gid`, plus a check that it is mapped in the mount's user
    /// namespace).
    pub const fn gid(name: &'static CStr) -> Self {
        Self::new(name, Kind::Gid)
    }

    /// A size or a count with an optional binary suffix (see [`Kind::Size`]).
    pub const fn size(name: &'static CStr) -> Self {
        Self::new(name, Kind::Size)
    }

    /// A size in bytes, or a percentage of the memory of the system (see
    /// [`Kind::SizeOrPercent`]).
    pub const fn size_or_percent(name: &'static CStr) -> Self {
        Self::new(name, Kind::SizeOrPercent)
    }

    /// The name of the parameter.
    pub const fn name(&self) -> &'static CStr {
        self.name
    }

    /// The kind of value the parameter takes.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the C parser can parse the kind as given: `kstrtouint()` takes the bases 0
    /// (the prefix decides), 8, 10 and 16; with another, it parses wrong numbers.
    const fn is_parsable(self) -> bool {
        !matches!(self.kind, Kind::U32 { base } if !matches!(base, 0 | 8 | 10 | 16))
    }

    const fn to_raw(self, opt: u8) -> bindings::fs_parameter_spec {
        let mut raw: bindings::fs_parameter_spec = pin_init::zeroed();
        raw.name = crate::str::as_char_ptr_in_const_context(self.name);
        raw.opt = opt;
        match self.kind {
            Kind::Flag => {}
            Kind::FlagNo => raw.flags = bindings::fs_param_neg_with_no as u16,
            Kind::Bool => raw.type_ = Some(bindings::fs_param_is_bool),
            Kind::U32 { base } => {
                raw.type_ = Some(bindings::fs_param_is_u32);
                raw.data = ptr::without_provenance(base as usize);
            }
            Kind::S32 => raw.type_ = Some(bindings::fs_param_is_s32),
            Kind::U64 => raw.type_ = Some(bindings::fs_param_is_u64),
            Kind::String | Kind::Size | Kind::SizeOrPercent => {
                raw.type_ = Some(bindings::fs_param_is_string)
            }
            Kind::Uid => raw.type_ = Some(bindings::fs_param_is_uid),
            Kind::Gid => raw.type_ = Some(bindings::fs_param_is_gid),
        }
        raw
    }
}

/// The C parameter table for a list of [`Spec`]s, with its zeroed terminator; `M` is the number
/// of specs plus one.
///
/// Made by [`param_table!`](crate::param_table); not meant to be used directly.
///
/// # Invariants
///
/// Entry `i` of `raw` describes `specs[i]` with option number `i`; the entries after the last
/// spec are zeroed.
#[doc(hidden)]
pub struct RawTable<const M: usize> {
    raw: [bindings::fs_parameter_spec; M],
    specs: &'static [Spec],
}

impl<const M: usize> RawTable<M> {
    /// Builds the C table for `specs`, which must have fewer than `M` and 256 entries: a
    /// build error otherwise.
    pub const fn new(specs: &'static [Spec]) -> Self {
        // Room for the terminator: without it, `fs_parse()` would read past the table.
        crate::build_assert::build_assert!(
            specs.len() < M,
            "a parameter table needs room for its terminator"
        );
        // C numbers the options with a `u8`: a larger table would give two specs the same
        // number, and a value would be read as the kind of another spec.
        crate::build_assert::build_assert!(
            specs.len() <= u8::MAX as usize,
            "a parameter table has at most 255 entries"
        );
        let mut raw: [bindings::fs_parameter_spec; M] = pin_init::zeroed();
        let mut i = 0;
        // Only evaluated at compile time (see `param_table!`), where indexing out of bounds
        // is a build error.
        while i < specs.len() {
            crate::build_assert::build_assert!(
                specs[i].is_parsable(),
                "a u32 parameter's base must be 0, 8, 10 or 16"
            );
            // No truncation: `i` is below `specs.len()`, which is at most `u8::MAX` (above).
            raw[i] = specs[i].to_raw(i as u8);
            i += 1;
        }
        // INVARIANT: Entry `i` was built from `specs[i]`; the rest stays zeroed.
        Self { raw, specs }
    }
}

/// The table of the mount parameters of a file system.
///
/// Made with [`param_table!`](crate::param_table).
///
/// # Invariants
///
/// `raw` is the C view of `specs`: entry `i` describes `specs[i]` with option number `i`, and
/// it is followed by a zeroed terminator.
#[derive(Clone, Copy)]
pub struct Table {
    raw: &'static [bindings::fs_parameter_spec],
    specs: &'static [Spec],
}

impl Table {
    /// A table that accepts no parameter.
    pub const EMPTY: Self = crate::param_table!();

    #[doc(hidden)]
    pub const fn from_raw_table<const M: usize>(table: &'static RawTable<M>) -> Self {
        // INVARIANT: By the invariants of `RawTable`, `raw` describes `specs` and, as
        // `RawTable::new` only builds with `M` of at least `specs.len() + 1`, it ends with a
        // terminator.
        Self {
            raw: &table.raw,
            specs: table.specs,
        }
    }

    /// The parameter specifications, in the order given to [`param_table!`](crate::param_table).
    pub const fn specs(&self) -> &'static [Spec] {
        self.specs
    }

    /// Returns the table as the C `fs_parameter_spec` array it is, terminator included.
    pub const fn as_raw(&self) -> *const bindings::fs_parameter_spec {
        self.raw.as_ptr()
    }

    /// Parses `param` against this table.
    ///
    /// Returns `Ok(None)` if the table has no parameter of that name (the caller then leaves it
    /// to the VFS, which handles `source` and rejects unknown names with an error message).
    /// A malformed value is rejected with `EINVAL` and a message in the context's log.
    ///
    /// # Safety
    ///
    /// `param` must point to a valid `struct fs_parameter` belonging to `fc` that stays valid,
    /// and unchanged, for `'a`.
    pub(crate) unsafe fn parse<'a>(
        &self,
        fc: &'a FsContext,
        param: *mut bindings::fs_parameter,
    ) -> Result<Option<Param<'a>>> {
        let mut result: bindings::fs_parse_result = pin_init::zeroed();
        // SAFETY: `fc` is a valid context, so its log is valid; `self.raw` is a terminated
        // parameter table by the type invariant; the caller guarantees that `param` is valid.
        let opt = unsafe {
            bindings::__fs_parse(
                &raw mut (*fc.as_raw()).log,
                self.as_raw(),
                param,
                &mut result,
            )
        };
        if opt == ENOPARAM.to_errno() {
            return Ok(None);
        }
        crate::error::to_result(opt)?;
        let index = opt as usize;
        let spec = self.specs.get(index).ok_or(EINVAL)?;
        // SAFETY: `__fs_parse` only returns option numbers of entries of the table, so the
        // matching entry's kind tells which member of the result union it set.
        let value = match spec.kind {
            Kind::Flag => Value::Flag,
            Kind::FlagNo => Value::Bool(!result.negated),
            // SAFETY: `fs_param_is_bool` sets `boolean`.
            Kind::Bool => Value::Bool(unsafe { result.__bindgen_anon_1.boolean }),
            // SAFETY: `fs_param_is_u32` sets `uint_32`.
            Kind::U32 { .. } => Value::U32(unsafe { result.__bindgen_anon_1.uint_32 }),
            // SAFETY: `fs_param_is_s32` sets `int_32`.
            Kind::S32 => Value::S32(unsafe { result.__bindgen_anon_1.int_32 }),
            // SAFETY: `fs_param_is_u64` sets `uint_64`.
            Kind::U64 => Value::U64(unsafe { result.__bindgen_anon_1.uint_64 }),
            Kind::String | Kind::Size | Kind::SizeOrPercent => {
                // SAFETY: `fs_param_is_string` checked that the parameter has a string value,
                // which the caller guarantees stays valid for `'a`.
                let s = unsafe { (*param).__bindgen_anon_1.string };
                // SAFETY: The string is NUL-terminated and valid for `'a` (see above).
                let s = unsafe { CStr::from_char_ptr(s) };
                let size = match spec.kind {
                    Kind::Size => parse_size(s.to_bytes()),
                    Kind::SizeOrPercent => parse_size_or_percent(s.to_bytes()),
                    _ => return Ok(Some(Param::new(index, spec, Value::String(s), fc))),
                };
                Value::Size(size.map_err(|e| {
                    let s = s.to_str().unwrap_or("?");
                    fc.invalid(fmt!("{}: '{s}' {e}", spec.name.to_str().unwrap_or("?")))
                })?)
            }
            Kind::Uid => {
                // SAFETY: `fs_param_is_uid` sets `uid`.
                let uid = Kuid::from_raw(unsafe { result.__bindgen_anon_1.uid });
                // SAFETY: `fc` is valid, and so is its user namespace (`kuid_has_mapping()`).
                if unsafe { bindings::from_kuid((*fc.as_raw()).user_ns, uid.into_raw()) }
                    == u32::MAX
                {
                    // SAFETY: `fs_param_is_uid` only accepts a parameter with a string value.
                    return Err(unsafe { unmapped(fc, spec, param) });
                }
                Value::Uid(uid)
            }
            Kind::Gid => {
                // SAFETY: `fs_param_is_gid` sets `gid`.
                let gid = Kgid::from_raw(unsafe { result.__bindgen_anon_1.gid });
                // SAFETY: As for `Kind::Uid` (`kgid_has_mapping()`).
                if unsafe { bindings::from_kgid((*fc.as_raw()).user_ns, gid.into_raw()) }
                    == u32::MAX
                {
                    // SAFETY: `fs_param_is_gid` only accepts a parameter with a string value.
                    return Err(unsafe { unmapped(fc, spec, param) });
                }
                Value::Gid(gid)
            }
        };
        Ok(Some(Param::new(index, spec, value, fc)))
    }
}

/// Reports a user or group ID that the mount's user namespace does not map, so that the file
/// system could not show it, and returns `EINVAL`.
///
/// # Safety
///
/// `param` must point to a valid parameter with a string value.
unsafe fn unmapped(fc: &FsContext, spec: &Spec, param: *mut bindings::fs_parameter) -> Error {
    // SAFETY: The caller guarantees that the parameter has a valid string value.
    let s = unsafe { CStr::from_char_ptr((*param).__bindgen_anon_1.string) };
    fc.invalid(fmt!(
        "{}: {} has no mapping in the user namespace of the mount",
        spec.name.to_str().unwrap_or("?"),
        s.to_str().unwrap_or("?")
    ))
}

/// Why a [`Kind::Size`] value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeError {
    /// Not a number with an optional suffix.
    Malformed,
    /// More than `u64::MAX`.
    Overflow,
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => {
                f.write_str("is not a number with an optional k, m, g, t, p or e suffix")
            }
            Self::Overflow => f.write_str("is more than 2^64 - 1"),
        }
    }
}

/// Parses a [`Kind::Size`] value: an unsigned number, decimal or `0x`/`0`-prefixed (as
/// `simple_strtoull()` with base 0), then an optional binary suffix `k`, `m`, `g`, `t`, `p` or
/// `e`, in either case (as `memparse()`), and nothing else.
///
/// # Examples
///
/// ```
/// use kernel::fs::param::{parse_size, SizeError};
///
/// assert_eq!(parse_size(b"4096"), Ok(4096));
/// assert_eq!(parse_size(b"1k"), Ok(1024));
/// assert_eq!(parse_size(b"0x10M"), Ok(16 << 20));
/// assert_eq!(parse_size(b"010"), Ok(8));
/// assert_eq!(parse_size(b"0k"), Ok(0));
/// assert_eq!(parse_size(b"16E"), Err(SizeError::Overflow));
/// assert_eq!(parse_size(b"18446744073709551616"), Err(SizeError::Overflow));
/// assert_eq!(parse_size(b"1x"), Err(SizeError::Malformed));
/// assert_eq!(parse_size(b"08"), Err(SizeError::Malformed));
/// assert_eq!(parse_size(b"k"), Err(SizeError::Malformed));
/// assert_eq!(parse_size(b"-1"), Err(SizeError::Malformed));
/// assert_eq!(parse_size(b""), Err(SizeError::Malformed));
/// ```
pub fn parse_size(s: &[u8]) -> core::result::Result<u64, SizeError> {
    let (base, digits) = match s {
        [b'0', b'x' | b'X', rest @ ..] => (16, rest),
        [b'0', rest @ ..] if rest.first().is_some_and(u8::is_ascii_digit) => (8, rest),
        _ => (10, s),
    };
    let end = digits
        .iter()
        .position(|c| !char::from(*c).is_digit(base))
        .unwrap_or(digits.len());
    if end == 0 {
        return Err(SizeError::Malformed);
    }
    let mut n: u64 = 0;
    for c in &digits[..end] {
        let d = char::from(*c).to_digit(base).ok_or(SizeError::Malformed)?;
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(SizeError::Overflow)?;
    }
    let shift = match &digits[end..] {
        [] => 0,
        [b'k' | b'K'] => 10,
        [b'm' | b'M'] => 20,
        [b'g' | b'G'] => 30,
        [b't' | b'T'] => 40,
        [b'p' | b'P'] => 50,
        [b'e' | b'E'] => 60,
        _ => return Err(SizeError::Malformed),
    };
    n.checked_mul(1 << shift).ok_or(SizeError::Overflow)
}

/// Parses a [`Kind::SizeOrPercent`] value: a [`Kind::Size`] in bytes, or one followed by `%`
/// for that percentage of the memory of the system, as tmpfs's `size=` (which turns
/// `(n << PAGE_SHIFT) * totalram_pages() / 100` into bytes); a value beyond 64 bits is rejected.
///
/// # Examples
///
/// ```
/// use kernel::fs::param::{parse_size_or_percent, SizeError};
///
/// assert_eq!(parse_size_or_percent(b"1m"), Ok(1 << 20));
/// let page = kernel::page::PAGE_SIZE as u64;
/// let all = parse_size_or_percent(b"100%");
/// assert!(matches!(all, Ok(n) if n > 0 && n % page == 0));
/// assert_eq!(parse_size_or_percent(b"50%"), all.map(|n| n / 2));
/// assert_eq!(parse_size_or_percent(b"0%"), Ok(0));
/// assert_eq!(parse_size_or_percent(b"%"), Err(SizeError::Malformed));
/// assert_eq!(parse_size_or_percent(b"5%%"), Err(SizeError::Malformed));
/// assert_eq!(parse_size_or_percent(b"16E%"), Err(SizeError::Overflow));
/// ```
pub fn parse_size_or_percent(s: &[u8]) -> core::result::Result<u64, SizeError> {
    let Some(percent) = s.strip_suffix(b"%") else {
        return parse_size(s);
    };
    let n = parse_size(percent)?;
    let pages = crate::page::totalram_pages() as u64;
    (n.checked_mul(pages))
        .and_then(|n| n.checked_mul(crate::page::PAGE_SIZE as u64))
        .map(|n| n / 100)
        .ok_or(SizeError::Overflow)
}

/// Makes a [`Table`] of mount parameters, in a constant.
///
/// The index of a [`Spec`] in the list is the [`Param::index`] it is reported with.
///
/// # Examples
///
/// ```
/// use kernel::fs::param::{Kind, Spec, Table};
///
/// const MODE: usize = 0;
/// const SIZE: usize = 1;
/// const PARAMS: Table = kernel::param_table!(Spec::u32_oct(c"mode"), Spec::u64(c"size"));
///
/// assert_eq!(PARAMS.specs().len(), 2);
/// assert_eq!(PARAMS.specs()[MODE].name(), c"mode");
/// assert_eq!(PARAMS.specs()[MODE].kind(), Kind::U32 { base: 8 });
/// assert_eq!(PARAMS.specs()[SIZE].kind(), Kind::U64);
/// assert_eq!(Table::EMPTY.specs().len(), 0);
/// ```
#[macro_export]
macro_rules! param_table {
    ($($spec:expr),* $(,)?) => {{
        const SPECS: &[$crate::fs::param::Spec] = &[$($spec),*];
        // C numbers the options with a `u8`.
        const _: () = ::core::assert!(SPECS.len() < 256);
        const RAW: &$crate::fs::param::RawTable<{ SPECS.len() + 1 }> =
            &$crate::fs::param::RawTable::new(SPECS);
        $crate::fs::param::Table::from_raw_table(RAW)
    }};
}

/// The value of a parsed mount parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A [`Kind::Flag`] was given.
    Flag,
    /// The value of a [`Kind::Bool`], or whether a [`Kind::FlagNo`] was given without `no`.
    Bool(bool),
    /// The value of a [`Kind::U32`].
    U32(u32),
    /// The value of a [`Kind::S32`].
    S32(i32),
    /// The value of a [`Kind::U64`].
    U64(u64),
    /// The value of a [`Kind::String`].
    String(&'a CStr),
    /// The value of a [`Kind::Uid`].
    Uid(Kuid),
    /// The value of a [`Kind::Gid`].
    Gid(Kgid),
    /// The value of a [`Kind::Size`], suffix applied.
    Size(u64),
}

/// A mount parameter parsed against a [`Table`].
#[derive(Clone, Copy)]
pub struct Param<'a> {
    /// The index of the parameter's [`Spec`] in its [`Table`].
    pub index: usize,
    /// The name of the parameter.
    pub name: &'static CStr,
    /// The value.
    pub value: Value<'a>,
    fc: &'a FsContext,
}

impl<'a> Param<'a> {
    fn new(index: usize, spec: &Spec, value: Value<'a>, fc: &'a FsContext) -> Self {
        Self {
            index,
            name: spec.name,
            value,
            fc,
        }
    }

    /// Rejects the parameter's value: reports `args` for the mount, after the parameter's
    /// name, and returns `EINVAL`.
    pub fn reject(&self, args: fmt::Arguments<'_>) -> Error {
        self.fc
            .invalid(fmt!("{}: {}", self.name.to_str().unwrap_or("?"), args))
    }
}
