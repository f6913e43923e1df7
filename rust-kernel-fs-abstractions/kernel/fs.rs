// SPDX-License-Identifier: GPL-2.0

//! Kernel file systems.
//!
//! A file system type implements [`FileSystem`] and is registered with [`Registration`] (or the
//! [`module_fs!`](crate::module_fs) macro). Mounting goes through the VFS's filesystem context
//! (`struct fs_context`): [`FileSystem::init_options`] makes the mount options,
//! [`FileSystem::parse_param`] receives each parameter typed by [`FileSystem::PARAMS`],
//! [`FileSystem::fill_super`] sets up a new [`SuperBlock`](sb::SuperBlock) and
//! [`FileSystem::init_root`] makes its root. Inode, file and address-space operations are not
//! part of this trait: like in C, each inode gets its own tables (see [`inode::Params`]).
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)

use crate::{
    bindings,
    error::{code::*, from_result, to_result, Error, Result, VTABLE_DEFAULT_ERROR},
    fmt,
    prelude::*,
    seq_file::SeqFile,
    types::{ForeignOwnable, Opaque},
    ThisModule,
};
use core::marker::PhantomData;

pub mod acl;
pub mod address_space;
pub mod dentry;
pub mod export;
pub mod file;
pub use self::file::{File, LocalFile};
pub mod folio;
pub mod inode;
pub mod libfs;
pub mod param;
pub mod sb;
mod tests;
#[cfg(CONFIG_FS_POSIX_ACL)]
mod tests_acl;
#[cfg(CONFIG_EXPORTFS)]
mod tests_export;
mod tests_hashed;
pub mod xattr;

mod kiocb;
pub use self::kiocb::Kiocb;

crate::impl_flags!(
    /// Flags of a file system type (`file_system_type.fs_flags`), of those the abstractions
    /// follow. Others change what the VFS does around the file system's operations in ways the
    /// abstractions do not: with `FS_RENAME_DOES_D_MOVE`, for one, the VFS leaves the `d_move()`
    /// of a rename to the file system, and the offset maps would go out of step with the dcache.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Flags(i32);

    /// A flag of a file system type.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Flag {
        /// The file system may be mounted by a user namespace's root (`FS_USERNS_MOUNT`).
        UsernsMount = bindings::FS_USERNS_MOUNT as i32,

        /// The file system may be mounted idmapped (`FS_ALLOW_IDMAP`, see
        /// Documentation/filesystems/idmappings.rst).
        ///
        /// A file system may set it when every inode it creates for a caller is made with the
        /// [`MntIdmap`](inode::MntIdmap) the VFS passed along (as
        /// [`inode::Params::idmap`]: the abstractions refuse an inode made with another), and
        /// when it changes and reports attributes through that idmap, as
        /// [`libfs::setattr`] (which takes it from the VFS) (or [`inode::Libfs::SETATTR`]) and
        /// [`libfs::getattr`] (or [`inode::Libfs::GETATTR`]) do. Permission checks are the
        /// VFS's own, which are idmap aware.
        AllowIdmap = bindings::FS_ALLOW_IDMAP as i32,

        /// The file system's inodes have multigrain timestamps (`FS_MGTIME`, see
        /// Documentation/filesystems/multigrain-ts.rst), as tmpfs's: a change made after the
        /// change time was read gets a fine-grained time, so that it shows.
        ///
        /// The flag asks that the change time be set with `inode_set_ctime_current()` and
        /// `setattr_copy()`, and reported with `generic_fillattr()`. The abstractions set it as
        /// tmpfs does: so, or with libfs's `simple_link()` and `simple_unlink()`, which give a
        /// directory the new change time of the inode linked or unlinked; [`libfs::getattr`]
        /// and [`libfs::fillattr`] report it so. Fine-grained times need a granularity of a
        /// nanosecond ([`SuperBlock::set_time_gran`](sb::SuperBlock::set_time_gran)).
        MgTime = bindings::FS_MGTIME as i32,
    }
);

impl Flags {
    /// These flags and `flag`, in constant expressions such as [`FileSystem::FLAGS`].
    pub const fn with(self, flag: Flag) -> Self {
        Self(self.0 | flag as i32)
    }

    /// The raw `FS_*` bits.
    pub const fn bits(self) -> i32 {
        self.0
    }
}

/// A file system context (`struct fs_context`): a mount or a reconfiguration in progress.
///
/// # Invariants
///
/// The pointee is a valid file system context.
#[repr(transparent)]
pub struct FsContext(Opaque<bindings::fs_context>);

impl FsContext {
    /// Creates a reference to an [`FsContext`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a file system context that remains valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::fs_context) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::fs_context>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct fs_context`.
    pub fn as_raw(&self) -> *mut bindings::fs_context {
        self.0.get()
    }

    /// Reports an invalid mount request and returns `EINVAL` (C's `invalfc()`).
    ///
    /// The message, prefixed with the file system's name, goes to the context's log, where
    /// `fsconfig(2)` users read it, or to the kernel log for `mount(2)` callers.
    pub fn invalid(&self, args: fmt::Arguments<'_>) -> Error {
        let raw = self.as_raw();
        // SAFETY: `raw` is a valid context by the type invariants, so its log is valid; the
        // format string takes exactly one `%pA` argument, a `fmt::Arguments`.
        unsafe {
            bindings::logfc(
                (*raw).log.log,
                (*raw).log.prefix,
                b'e' as c_char,
                c"%pA".as_char_ptr(),
                (&raw const args).cast::<c_void>(),
            )
        };
        EINVAL
    }
}

/// A file system type.
#[vtable]
pub trait FileSystem {
    /// The data of a mounted instance (a superblock), made by [`FileSystem::fill_super`] and
    /// dropped after the superblock is shut down.
    type Data: ForeignOwnable + Send + Sync;

    /// The data the file system keeps with each of its inodes, as a C file system embeds
    /// `struct inode` in a structure of its own (such as `struct shmem_inode_info`); `()` for
    /// none.
    ///
    /// It is stored in the memory of the inode, next to the abstractions' own state, initialised
    /// in place (it may be pinned) by
    /// [`SuperBlock::new_inode_with`](sb::SuperBlock::new_inode_with) or
    /// [`SuperBlock::iget`](sb::SuperBlock::iget) before the inode can be seen, read with
    /// [`INode::data`](inode::INode::data) (shared: what changes in it needs its own
    /// synchronisation, such as a lock or atomics), and dropped when the inode is destroyed,
    /// after [`FileSystem::evict_inode`], in process context.
    type INodeData: Send + Sync;

    /// The mount options collected by [`FileSystem::parse_param`].
    type Options: Send;

    /// The name of the file system type, as in `mount -t NAME` and `/proc/filesystems`: not
    /// empty and only ASCII letters, digits, `_` and `-`, else a build error. The slab cache
    /// of its inodes is `rust_NAME_inode_cache`.
    const NAME: &'static CStr;

    /// The file system type's flags, for example
    /// `Flags::empty().with(Flag::UsernsMount)`.
    const FLAGS: Flags = Flags::empty();

    /// The extended attributes of the file system's inodes. With [`xattr::Handlers::InMemory`],
    /// its inode operation tables list them with [`inode::Libfs::LISTXATTR`].
    const XATTRS: xattr::Handlers = xattr::Handlers::None;

    /// The POSIX ACLs of the file system's inodes. With [`acl::Acls::InMemory`], its extended
    /// attributes must be [`xattr::Handlers::InMemory`] too.
    const ACLS: acl::Acls = acl::Acls::None;

    /// Whether and how the file system's inodes are found from file handles. With
    /// [`export::Export::InMemory`], the file system cannot look inodes up by number.
    const EXPORT: export::Export = export::Export::None;

    /// The mount parameters the file system accepts. Any other parameter is rejected with
    /// `EINVAL` and a message that names it.
    const PARAMS: param::Table = param::Table::EMPTY;

    /// Makes the options of a new mount or of a remount, before any parameter is parsed.
    ///
    /// A remount applies only the parameters it is given, as tmpfs's (its `ctx->seen`): the
    /// options record which were given (for example as `Option` fields), and
    /// [`FileSystem::reconfigure`] changes only those. They do not start as a copy of the
    /// superblock's: another remount may change it between `fspick(2)` and the
    /// reconfiguration, and the copy would undo that change.
    fn init_options() -> Result<Self::Options>;

    /// Takes one mount parameter of [`FileSystem::PARAMS`], already parsed and typed.
    fn parse_param(options: &mut Self::Options, param: param::Param<'_>) -> Result;

    /// Applies the `options` of a remount to the mounted superblock `sb`
    /// (`fs_context_operations.reconfigure`), with `s_umount` held for writing: only the
    /// parameters that were given (see [`FileSystem::init_options`]). `fc` reports why the
    /// options are refused ([`FsContext::invalid`]).
    ///
    /// Without it, a remount only changes what the VFS handles itself (such as read-only), and
    /// the file system's own parameters are parsed and then not used, as in C.
    fn reconfigure(
        _fc: &FsContext,
        _sb: &sb::SuperBlock<Self>,
        _options: &Self::Options,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Sets up a new superblock for a mount with `options` and returns the data of the new
    /// instance.
    fn fill_super(
        sb: &sb::SuperBlock<Self, sb::New>,
        options: &Self::Options,
    ) -> Result<Self::Data>;

    /// Makes the root directory of a superblock that [`FileSystem::fill_super`] set up.
    fn init_root(sb: &sb::SuperBlock<Self>) -> Result<dentry::Root<'_, Self>>;

    /// Shows the mount options of `sb` in `/proc/mounts`, each as `,name=value`.
    fn show_options(_sb: &sb::SuperBlock<Self>, _m: &SeqFile) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reports how much of `sb` is used, for `statfs(2)` (`super_operations.statfs`).
    ///
    /// `buf` already holds what `simple_statfs()` gives: the magic number, the block size, the
    /// longest name, and zero blocks and files, which `df` shows as "no limit".
    fn statfs(_sb: &sb::SuperBlock<Self>, _buf: &sb::StatFs) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called when an inode is evicted (`super_operations.evict_inode`), once its page cache is
    /// empty, e.g. to give back what the inode was charged.
    ///
    /// Every inode that [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) made is evicted
    /// exactly once: when it is unused and has no link left, when it is an [`inode::New`] dropped
    /// before it was bound, or when the superblock is shut down, before [`FileSystem::Data`] is
    /// dropped (no reference to an inode can outlive the superblock, but one leaked with
    /// `core::mem::forget` is never put). An inode that
    /// [`SuperBlock::iget`](sb::SuperBlock::iget) made is also evicted when its last reference
    /// goes and [`FileSystem::drop_inode`] says so, and when the VFS gives back the memory of
    /// the unused inodes it keeps. A failed [`new_inode_with`](sb::SuperBlock::new_inode_with) or
    /// [`iget`](sb::SuperBlock::iget) made no inode, even if the inode's
    /// data failed to initialise after the VFS allocated it. The inode's data is still there
    /// ([`inode::Evicting::data`]).
    ///
    /// The data of the inode is dropped after this returns, possibly after a new inode of the same
    /// number was made by [`SuperBlock::iget`](sb::SuperBlock::iget): what the file system keeps
    /// of an inode by its number is to be given up here, not in the data's `Drop`.
    ///
    /// Its superblock gives no way to look inodes up ([`sb::InEviction`]): an eviction may run
    /// in a batch of evictions by the same thread, and a lookup of an inode of the batch would
    /// wait for itself. For the same reason, it must not take a lock that is held across
    /// [`SuperBlock::iget`](sb::SuperBlock::iget) or
    /// [`SuperBlock::ilookup`](sb::SuperBlock::ilookup), which may wait for this eviction.
    ///
    /// The unused inodes that the VFS keeps (see [`FileSystem::drop_inode`]) are evicted in
    /// memory reclaim too, by the inode cache's shrinker, in whatever task is allocating: this,
    /// and the drop of the inode's data, must not wait for something that such a task may hold,
    /// such as a lock of the file system held while allocating with `GFP_KERNEL`. (C file
    /// systems allocate with `GFP_NOFS` under such locks; the kernel crate has no such flag
    /// yet.)
    fn evict_inode(_inode: &inode::Evicting<'_, Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Says whether to evict an unused inode now (`true`), or to keep it in the inode cache
    /// (`false`), where a later [`SuperBlock::iget`](sb::SuperBlock::iget) or
    /// [`SuperBlock::ilookup`](sb::SuperBlock::ilookup) of its number finds it
    /// (`super_operations.drop_inode`).
    ///
    /// It is asked only of an inode that [`SuperBlock::iget`](sb::SuperBlock::iget) made and
    /// that still has links, when its last reference goes. Without it, such an inode is kept,
    /// as by C's default (`inode_generic_drop()`). The VFS keeps an inode only while the
    /// superblock is active; it evicts the kept ones when memory is short, and at umount. The
    /// other inodes are evicted without a call: those with no link left, those that `iget`
    /// failed to make, and those of [`SuperBlock::new_inode`](sb::SuperBlock::new_inode), which
    /// their dentries keep, and which no lookup by number could find again (a file handle finds
    /// one only while it has a dentry: see [`export::Export::InMemory`]).
    ///
    /// It is called with the inode's `i_lock` held, a spinlock: it must not sleep (neither take
    /// a mutex nor allocate with `GFP_KERNEL`). The abstractions cannot check this: a sleep
    /// there is a bug that `CONFIG_DEBUG_ATOMIC_SLEEP` reports, as in C.
    fn drop_inode(_inode: &inode::Dropping<'_, Self>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Charges `pages` pages of file data to `sb`, or fails with `ENOSPC`, to limit the memory
    /// that the regular files with [`file::Ops::in_memory`] may take (as tmpfs's `size=`).
    ///
    /// With it, each such file is charged for its extent, the pages from its start to its size
    /// (or further, after `fallocate(2)` with `FALLOC_FL_KEEP_SIZE`), holes included, before a
    /// write, `truncate(2)` or `fallocate(2)` makes it larger: a write that only partly fits is
    /// cut short, one that does not fit fails with `ENOSPC`, and so does a truncate or an
    /// allocation beyond the limit, leaving the file as it was. The pages go back with
    /// [`FileSystem::uncharge_pages`] when the extent shrinks and when the inode is evicted;
    /// punching a hole gives nothing back, the extent stays. Reads, faults and `mmap(2)`
    /// writes need no charge: they stay within the size (see `inode::pages` for the one race
    /// where a folio may stay beyond it). Any error is taken as `ENOSPC`. Such
    /// files need their `setattr` implemented in Rust
    /// ([`SuperBlock::new_inode`](sb::SuperBlock::new_inode) fails with `EINVAL` otherwise),
    /// and it must change sizes with [`libfs::setattr`], which charges them: a `setattr` that
    /// changes the size otherwise leaves the charge wrong (not unsafe). Symbolic links are not
    /// charged.
    ///
    /// It runs with the file's `i_rwsem` held, and must not sleep for long.
    fn charge_pages(_sb: &sb::SuperBlock<Self>, _pages: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Gives back `pages` pages that [`FileSystem::charge_pages`] charged to `sb`.
    fn uncharge_pages(_sb: &sb::SuperBlock<Self>, _pages: u64) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Charges `bytes` bytes of extended attributes kept in memory to `sb`, or fails with
    /// `ENOSPC`, to limit the memory that [`xattr::Handlers::InMemory`] may take (as tmpfs
    /// charges them against the inode space of `nr_inodes=`).
    ///
    /// An attribute takes the bytes `simple_xattr_space()` counts: 40, plus the length of its
    /// full name and of its value. As tmpfs's: setting a value charges its bytes first, and
    /// fails with `ENOSPC` if the charge fails (any error is taken as `ENOSPC`); the value it
    /// replaces, or the attribute it removes, gives its bytes back with
    /// [`FileSystem::uncharge_xattrs`], as does a set that fails, and so do all the
    /// attributes an inode still has when it goes away. The attributes that the security
    /// modules give a new inode are charged all at once before they are stored; if that fails,
    /// so does the creation of the inode, with `ENOSPC`.
    ///
    /// It runs with the inode's `i_rwsem` held (for the initial attributes of a new inode, its
    /// directory's), and must not sleep for long.
    fn charge_xattrs(_sb: &sb::SuperBlock<Self>, _bytes: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Gives back `bytes` bytes that [`FileSystem::charge_xattrs`] charged to `sb`.
    fn uncharge_xattrs(_sb: &sb::SuperBlock<Self>, _bytes: u64) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A registration of a file system type: the file system can be mounted while it lives.
///
/// # Invariants
///
/// `fs` is a `file_system_type` registered with `register_filesystem` whose callbacks are
/// those of `Tables<T>`, and the inodes of its superblocks come from `inodes`.
#[pin_data(PinnedDrop)]
pub struct Registration<T: FileSystem + ?Sized> {
    /// Pinned: every inode of the type points to it.
    #[pin]
    inodes: inode::Cache<T::INodeData>,
    #[pin]
    fs: Opaque<bindings::file_system_type>,
    _t: PhantomData<fn() -> T>,
}

// SAFETY: A registration only unregisters the file system type when dropped, which may happen
// on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for Registration<T> {}

// SAFETY: A shared reference to a registration allows nothing.
unsafe impl<T: FileSystem + ?Sized> Sync for Registration<T> {}

impl<T: FileSystem + ?Sized> Registration<T> {
    /// Registers the file system type `T`, owned by `module`.
    ///
    /// [`module_fs!`](crate::module_fs) does this for a module that only registers a file
    /// system type.
    ///
    /// # Safety
    ///
    /// The registration must not be dropped while a superblock of the type exists:
    /// `unregister_filesystem()` does not wait for them, and they point to the registration's
    /// `file_system_type`. This holds if the registration lives as long as `module` does, as the
    /// VFS holds a reference to `module` for every superblock of the type.
    ///
    /// The registration must be in static storage (a `static` item, or the data of a module, as
    /// with [`module_fs!`](crate::module_fs)), as a C `file_system_type` is: it holds the lock
    /// class keys of the type's superblock and inode locks, and lockdep refuses keys that are
    /// not static objects.
    pub unsafe fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inodes: inode::Cache::new(
                Tables::<T>::FS_NAME,
                Tables::<T>::PAGE_CHARGE,
                Tables::<T>::XATTR_CHARGE,
            )?,
            fs <- Opaque::try_ffi_init(|slot: *mut bindings::file_system_type| {
                let mut fs: bindings::file_system_type = pin_init::zeroed();
                fs.owner = module.as_ptr();
                fs.name = Tables::<T>::FS_NAME.as_char_ptr();
                fs.fs_flags = T::FLAGS.bits();
                fs.init_fs_context = Some(Tables::<T>::init_fs_context);
                fs.parameters = T::PARAMS.as_raw();
                fs.kill_sb = Some(Tables::<T>::kill_sb);
                // SAFETY: `slot` is valid for writes and pinned: it stays where it is until
                // `drop` unregisters it.
                unsafe { slot.write(fs) };
                // SAFETY: `slot` is a fully initialised file system type.
                to_result(unsafe { bindings::register_filesystem(slot) })
            }),
            _t: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: FileSystem + ?Sized> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariants the file system type is registered, and by the safety
        // requirements of `new` no superblock of it is left, so no callback runs after this.
        // The inode cache goes after this, when its inodes have been freed.
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}

/// The C callbacks and operation tables of a file system type `T`.
struct Tables<T: FileSystem + ?Sized>(PhantomData<fn() -> T>);

impl<T: FileSystem + ?Sized> Tables<T> {
    /// [`FileSystem::NAME`], checked at build time: not empty, and only ASCII letters, digits,
    /// `_` and `-`. `register_filesystem()` BUGs on a `.`, a space or a newline would garble
    /// `/proc/filesystems` and the name of the type's slab cache, a `/` its `/sys/kernel/slab`
    /// entry.
    const FS_NAME: &'static CStr = {
        let name = T::NAME.to_bytes();
        assert!(!name.is_empty(), "FileSystem::NAME may not be empty");
        let mut i = 0;
        while i < name.len() {
            let c = name[i];
            assert!(
                c.is_ascii_alphanumeric() || c == b'_' || c == b'-',
                "FileSystem::NAME may only contain ASCII letters, digits, '_' and '-'"
            );
            i += 1;
        }
        T::NAME
    };

    const PAGE_CHARGE: Option<inode::Charge> =
        Self::charge_of(T::HAS_CHARGE_PAGES, inode::Charged::Pages);
    const XATTR_CHARGE: Option<inode::Charge> =
        Self::charge_of(T::HAS_CHARGE_XATTRS, inode::Charged::XattrBytes);

    /// How `T` charges `what`, if it implements its callbacks (`implemented`).
    const fn charge_of(implemented: bool, what: inode::Charged) -> Option<inode::Charge> {
        if implemented {
            // SAFETY: `Self::charge` and `Self::uncharge` call `T`'s callbacks for `what`, and
            // only if they are implemented.
            Some(unsafe { inode::Charge::new(what, Self::charge, Self::uncharge) })
        } else {
            None
        }
    }

    /// # Safety
    ///
    /// `sb` must be a ready superblock of this type.
    unsafe fn charge(sb: *mut bindings::super_block, what: inode::Charged, n: u64) -> Result {
        // SAFETY: By the safety requirements.
        let sb = unsafe { sb::SuperBlock::from_raw(sb) };
        match what {
            inode::Charged::Pages if T::HAS_CHARGE_PAGES => T::charge_pages(sb, n),
            inode::Charged::XattrBytes if T::HAS_CHARGE_XATTRS => T::charge_xattrs(sb, n),
            // Not implemented: `charge_of` made no `Charge` for it.
            _ => Ok(()),
        }
    }

    /// # Safety
    ///
    /// `sb` must be a ready superblock of this type.
    unsafe fn uncharge(sb: *mut bindings::super_block, what: inode::Charged, n: u64) {
        // SAFETY: By the safety requirements.
        let sb = unsafe { sb::SuperBlock::from_raw(sb) };
        match what {
            inode::Charged::Pages if T::HAS_CHARGE_PAGES => T::uncharge_pages(sb, n),
            inode::Charged::XattrBytes if T::HAS_CHARGE_XATTRS => T::uncharge_xattrs(sb, n),
            _ => (),
        }
    }

    /// A build error for ACLs in memory without extended attributes in memory: those list the
    /// ACLs, and keep the inodes out of [`sb::SuperBlock::iget`], whose eviction would free them.
    const ACLS_NEED_XATTRS: () = assert!(
        !T::ACLS.in_memory() || matches!(T::XATTRS, xattr::Handlers::InMemory),
        "ACLs kept in memory (ACLS) without extended attributes kept in memory (XATTRS)"
    );

    /// A build error for ACLs in memory on a kernel without them.
    const ACLS_NEED_CONFIG: () = assert!(
        !T::ACLS.in_memory() || cfg!(CONFIG_FS_POSIX_ACL),
        "ACLs kept in memory (ACLS) without CONFIG_FS_POSIX_ACL"
    );

    const CONTEXT_OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        free: Some(Self::free_fc),
        parse_param: Some(Self::parse_param),
        get_tree: Some(Self::get_tree),
        reconfigure: if T::HAS_RECONFIGURE {
            Some(Self::reconfigure)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    const SUPER_OPS: bindings::super_operations = bindings::super_operations {
        alloc_inode: Some(Self::alloc_inode),
        destroy_inode: Some(inode::destroy_inode::<T::INodeData>),
        free_inode: Some(inode::free_inode::<T::INodeData>),
        statfs: if T::HAS_STATFS {
            Some(Self::statfs)
        } else {
            Some(bindings::simple_statfs)
        },
        drop_inode: Some(Self::drop_inode),
        // Always: it writes back the inodes that still have links.
        evict_inode: Some(Self::evict_inode),
        show_options: if T::HAS_SHOW_OPTIONS {
            Some(Self::show_options)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS (`alloc_inode()`) with a valid superblock of this file system type.
    unsafe extern "C" fn alloc_inode(sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: The superblock's type is the `fs` of a `Registration<T>`, the only place
        // where `Tables<T>` is used, which outlives the superblock.
        let reg = unsafe {
            let fs = (*sb).s_type.cast::<Opaque<bindings::file_system_type>>();
            crate::container_of!(fs, Registration<T>, fs)
        };
        // SAFETY: As above, `reg` is valid and pinned, so its cache does not move; `sb` is
        // valid, and releases its inodes with `Self::SUPER_OPS`.
        unsafe { (*reg).inodes.alloc(sb) }
    }

    /// # Safety
    ///
    /// Called by the VFS with a new, valid `fc` for this file system type.
    unsafe extern "C" fn init_fs_context(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            let options = KBox::new(T::init_options()?, GFP_KERNEL)?;
            // SAFETY: `fc` is valid and ours to set up; `free_fc` turns `fs_private` back.
            unsafe {
                (*fc).fs_private = KBox::into_raw(options).cast();
                (*fc).ops = &Self::CONTEXT_OPS;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `fc` that `init_fs_context` set up, once, at its end.
    unsafe extern "C" fn free_fc(fc: *mut bindings::fs_context) {
        // SAFETY: `fs_private` is null or the options that `init_fs_context` boxed.
        let options = unsafe { (*fc).fs_private }.cast::<T::Options>();
        if !options.is_null() {
            // SAFETY: See above; nobody uses the options after the context is freed.
            drop(unsafe { KBox::from_raw(options) });
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `fc` that `init_fs_context` set up and a valid `param`.
    unsafe extern "C" fn parse_param(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid for the duration of the call.
            let ctx = unsafe { FsContext::from_raw(fc) };
            // SAFETY: `param` belongs to `fc` and stays valid for the duration of the call.
            let Some(p) = (unsafe { T::PARAMS.parse(ctx, param) })? else {
                // Not ours: the VFS handles "source" and rejects (and names) anything else.
                return Err(ENOPARAM);
            };
            // SAFETY: `fs_private` holds the options boxed by `init_fs_context`; the VFS calls
            // the context's operations one at a time (under `fc->uapi_mutex` or before the
            // context is visible), so this is the only reference.
            let options = unsafe { &mut *(*fc).fs_private.cast::<T::Options>() };
            T::parse_param(options, p)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `fc` that `init_fs_context` set up.
    unsafe extern "C" fn get_tree(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: `fc` is valid and `fill_super` has the signature `get_tree_nodev` expects.
        unsafe { bindings::get_tree_nodev(fc, Some(Self::fill_super)) }
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `fc` for the reconfiguration of a mounted superblock of
    /// this type, that `init_fs_context` set up, with `s_umount` held for writing.
    unsafe extern "C" fn reconfigure(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid for the duration of the call.
            let ctx = unsafe { FsContext::from_raw(fc) };
            // SAFETY: `fc->root` is the root of the mounted superblock, which is `Ready`.
            let sb = unsafe { sb::SuperBlock::<T>::from_raw((*(*fc).root).d_sb) };
            // SAFETY: `fs_private` holds the options boxed by `init_fs_context`, not changed
            // while the superblock is reconfigured.
            let options = unsafe { &*(*fc).fs_private.cast::<T::Options>() };
            T::reconfigure(ctx, sb, options)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by `get_tree_nodev` with a new superblock, locked and not yet visible, and the
    /// valid `fc` that `init_fs_context` set up.
    unsafe extern "C" fn fill_super(
        sb: *mut bindings::super_block,
        fc: *mut bindings::fs_context,
    ) -> c_int {
        from_result(|| {
            let () = Self::ACLS_NEED_XATTRS;
            let () = Self::ACLS_NEED_CONFIG;
            // SAFETY: The superblock is new and ours to set up. Its inodes get `IOP_XATTR` if
            // it has handlers when they are made, so they are set before any inode is.
            // `SB_NOSEC`, as tmpfs and every block file system (`get_tree_bdev()`) have: the
            // VFS marks a file that a write found with nothing to strip (no set-user-ID bit, no
            // `security.capability`) `S_NOSEC`, so that later writes skip the check, and clears
            // the mark when the file's mode or its `security.` attributes change, which these
            // file systems only change through the VFS.
            // Not `SB_POSIXACL`, which `mount(2)` passes on from `MS_POSIXACL` to a new
            // superblock: with it, the VFS leaves the umask to the file system, which applies
            // it when it gives a new inode its ACLs (`posix_acl_create()`); without ACLs, files
            // would be created as if the umask were 0. It is set for a file system with ACLs,
            // as tmpfs sets it, whose inodes get them when they are bound to a name
            // (`New::prepare_binding`).
            unsafe {
                (*sb).s_op = &Self::SUPER_OPS;
                (*sb).s_xattr = T::XATTRS.as_raw();
                (*sb).s_export_op = T::EXPORT.as_raw();
                // A random UUID, as tmpfs has: overlayfs tells layers apart by it, and keeps
                // its index of handles only on layers that have one (or a single lower layer).
                if T::EXPORT.in_memory() {
                    bindings::uuid_gen(&raw mut (*sb).s_uuid);
                    (*sb).s_uuid_len = core::mem::size_of::<bindings::uuid_t>() as u8;
                }
                (*sb).s_flags |= bindings::SB_NOSEC;
                (*sb).s_flags &= !bindings::SB_POSIXACL;
                if T::ACLS.in_memory() {
                    (*sb).s_flags |= bindings::SB_POSIXACL;
                }
            }
            // SAFETY: The superblock is new and only visible to this thread (see above).
            let new_sb = unsafe { sb::SuperBlock::<T, sb::New>::from_raw(sb) };
            // SAFETY: `fs_private` holds the options boxed by `init_fs_context`, not changed
            // while the tree is got.
            let options = unsafe { &*(*fc).fs_private.cast::<T::Options>() };
            let data = T::fill_super(new_sb, options)?;
            // SAFETY: The superblock is still ours; `kill_sb` turns `s_fs_info` back.
            unsafe { (*sb).s_fs_info = data.into_foreign() };
            // SAFETY: The superblock now has its data: it is `Ready`.
            let ready = unsafe { sb::SuperBlock::<T>::from_raw(sb) };
            let root = T::init_root(ready)?;
            // SAFETY: The superblock is still ours; the VFS owns the root reference from now on.
            unsafe { (*sb).s_root = root.into_raw() };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS, once, with a superblock of this type that is being shut down.
    unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
        // SAFETY: `sb` is valid; `s_fs_info` is null or was set by `fill_super`.
        let data = unsafe { (*sb).s_fs_info };
        // SAFETY: `sb` is an anonymous superblock made by `get_tree_nodev`.
        unsafe { bindings::kill_anon_super(sb) };
        if !data.is_null() {
            // SAFETY: `data` came from `T::Data::into_foreign` in `fill_super`, and the
            // superblock and all its inodes are gone, so nothing borrows it any more.
            drop(unsafe { T::Data::from_foreign(data) });
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid dentry of a superblock of this type and a valid buffer
    /// that only this thread uses.
    unsafe extern "C" fn statfs(
        dentry: *mut bindings::dentry,
        buf: *mut bindings::kstatfs,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The dentry and the buffer are valid.
            to_result(unsafe { bindings::simple_statfs(dentry, buf) })?;
            // SAFETY: The dentry is valid, and its superblock is `Ready`: it has a dentry.
            let sb = unsafe { sb::SuperBlock::<T>::from_raw((*dentry).d_sb) };
            // SAFETY: The buffer is valid and only used by this thread for the call.
            T::statfs(sb, unsafe { sb::StatFs::from_raw(buf) })?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS (`iput_final()`) with an unused inode of a superblock of this type,
    /// with its `i_lock` held.
    unsafe extern "C" fn drop_inode(inode: *mut bindings::inode) -> c_int {
        // Only an inode of `iget` can be found again by number, and only while it has links and
        // is in the inode hash (`iget_failed()` takes it out). One of `new_inode` that a file
        // handle put in the hash is evicted at once too, as tmpfs's: its dentries keep it.
        // SAFETY: The inode is valid and allocated by the type's `Cache`; an inode being put
        // for the last time is not `I_NEW`.
        if !unsafe { inode::INodeBox::hashed(inode) }
            // SAFETY: The inode is valid and its `i_lock` is held.
            || unsafe { bindings::inode_generic_drop(inode) } != 0
        {
            return 1;
        }
        if !T::HAS_DROP_INODE {
            return 0;
        }
        // SAFETY: The inode is of a ready superblock (it has data: `hashed`), and this thread
        // holds its `i_lock` in `iput_final()` for the duration of the call.
        c_int::from(T::drop_inode(&unsafe { inode::Dropping::from_raw(inode) }))
    }

    /// # Safety
    ///
    /// Called by the VFS (`evict()`), once, with an inode of a superblock of this type that is
    /// being evicted.
    unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
        // `drop_inode` evicts unused inodes that still have links (those of `new_inode`, and
        // those of `iget` that it does not keep), and `iput_final()` does so without writing
        // their dirty folios back: they are written here, or lost. An error is recorded
        // in the mapping, which goes with the inode: nobody could hear of it but the kernel log.
        // Only the inodes of a superblock with a backing device can have folios to write back
        // (`new_inode_with` gives the others no operations that write back).
        // SAFETY: The inode is valid, and so is its superblock.
        let writes_back = unsafe { sb::writes_back((*inode).i_sb) };
        // SAFETY: The inode is valid; its page cache is its own `i_data`, written back by this
        // thread.
        let err = unsafe {
            if writes_back && (*inode).__bindgen_anon_1.i_nlink != 0 {
                bindings::filemap_write_and_wait_range(&raw mut (*inode).i_data, 0, i64::MAX)
            } else {
                0
            }
        };
        if err != 0 {
            crate::pr_warn!(
                "{}: inode {} evicted, writing its data back failed ({})\n",
                T::NAME.to_str().unwrap_or("?"),
                // SAFETY: The inode is valid.
                unsafe { (*inode).i_ino },
                err
            );
        }
        // SAFETY: The inode is valid; its page cache is its own `i_data`.
        unsafe { bindings::truncate_inode_pages_final(&raw mut (*inode).i_data) };
        // An inode without data is one that `new_inode_with` or `iget` failed to make (`iget`:
        // also when `fill` failed or what it found was refused): it was never made, as far as
        // the file system knows.
        // SAFETY: The inode is valid and was allocated by the type's `Cache`.
        if T::HAS_EVICT_INODE && unsafe { inode::INodeBox::has_data(inode) } {
            // SAFETY: The inode is evicted by this thread for the duration of the call, its
            // superblock is `Ready` (only a ready superblock has inodes: `new_inode_with`), and
            // its data is initialised.
            T::evict_inode(&unsafe { inode::Evicting::from_raw(inode) });
        }
        // SAFETY: The inode is valid, and `evict()` expects its `evict_inode` to clear it.
        unsafe { bindings::clear_inode(inode) };
    }

    /// # Safety
    ///
    /// Called by the VFS with a valid `seq_file` and the root of a mounted superblock.
    unsafe extern "C" fn show_options(
        m: *mut bindings::seq_file,
        root: *mut bindings::dentry,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The root dentry is valid and its superblock is `Ready` while mounted.
            let sb = unsafe { sb::SuperBlock::<T>::from_raw((*root).d_sb) };
            // SAFETY: `m` is valid for the duration of the call.
            let m = unsafe { SeqFile::from_raw(m) };
            T::show_options(sb, m)?;
            Ok(0)
        })
    }
}

/// Declares a kernel module that registers the file system type `type`.
///
/// # Examples
///
/// ```ignore
/// use kernel::prelude::*;
/// use kernel::fs;
///
/// kernel::module_fs! {
///     type: MyFs,
///     name: "myfs",
///     authors: ["Rust for Linux Contributors"],
///     description: "My Rust file system",
///     license: "GPL",
/// }
///
/// struct MyFs;
/// #[vtable]
/// impl fs::FileSystem for MyFs {
///     // ...
/// }
/// ```
#[macro_export]
macro_rules! module_fs {
    (type: $type:ty, $($f:tt)*) => {
        #[$crate::prelude::pin_data]
        struct FsModule {
            #[pin]
            _fs: $crate::fs::Registration<$type>,
        }

        impl $crate::InPlaceModule for FsModule {
            fn init(
                module: &'static $crate::ThisModule,
            ) -> impl ::pin_init::PinInit<Self, $crate::error::Error> {
                $crate::try_pin_init!(Self {
                    // SAFETY: The registration lives as long as the module, which the VFS
                    // holds for every superblock of the type, and in the module's static data.
                    _fs <- unsafe { $crate::fs::Registration::new(module) },
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    }
}
