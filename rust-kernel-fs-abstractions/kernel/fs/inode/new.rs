// SPDX-License-Identifier: GPL-2.0

//! New inodes: made by [`SuperBlock::new_inode`](crate::fs::sb::SuperBlock::new_inode), checked
//! against what the operation that returns them asked for, and bound to a dentry by the
//! abstractions.

use super::*;

/// A new inode: made by [`SuperBlock::new_inode`](sb::SuperBlock::new_inode), not yet bound
/// to a dentry, so that nobody else can see it.
///
/// Dropping it puts the inode, which then goes away. It cannot outlive the superblock `'a`
/// borrows, so the file system cannot store it. (Leaking it with `core::mem::forget` leaks the
/// inode, which the VFS then reports as busy at umount.)
///
/// # Invariants
///
/// `inode` points to an inode of a ready superblock of a file system of type `T` that lives
/// for `'a`, with a reference that the [`New`] owns; the inode is not bound to a dentry, and
/// `typ` is its type.
pub struct New<'a, T: FileSystem + ?Sized> {
    inode: NonNull<INode<T>>,
    typ: Type,
    aops: Option<address_space::Ops<T>>,
    /// Whether the inode operations keep a symbolic link's target with the inode
    /// ([`Libfs::CACHED_LINK`]).
    cached_link: bool,
    /// The ID mapping and the directory that `inode_init_owner()` gave the owner by.
    made_for: (*const bindings::mnt_idmap, *const bindings::inode),
    /// Whether [`New::set_owner`] changed the owner since.
    owner_set: Cell<bool>,
    _sb: PhantomData<&'a sb::SuperBlock<T>>,
}

impl<'a, T: FileSystem + ?Sized> New<'a, T> {
    /// Writes `target` as the target of a new symbolic link, with its NUL: to its page cache
    /// (`page_symlink()`), or, if its inode operations take [`Libfs::CACHED_LINK`], to memory
    /// kept with the inode until it is freed (`inode_set_cached_link()`), as tmpfs keeps short
    /// targets. The link's size is the length of the target.
    ///
    /// Fails with `EINVAL` unless the inode is a [`Type::Lnk`] whose target is not written yet,
    /// made with address-space operations or with [`Libfs::CACHED_LINK`], or if `target` is
    /// empty (`symlink(2)` refuses one: the path walk would take it for the link's directory),
    /// with `ENAMETOOLONG`
    /// if the target and its NUL do not fit in a page (the VFS limits targets to `PATH_MAX`, one
    /// page or less), and with `ENOMEM` if the memory for it cannot be had. A link with
    /// [`Libfs::CACHED_LINK`] cannot be bound to a name without a target: the operation that
    /// returns it fails with `EINVAL`.
    pub fn write_symlink(&self, target: &CStr) -> Result {
        // A second target would leave the size of the first (`simple_write_end()` does not
        // shrink a file), or the memory of the first (`inode_set_cached_link()`).
        if self.typ != Type::Lnk
            || target.is_empty()
            || (self.aops.is_none() && !self.cached_link)
            || self.size() != 0
            || self.has_cached_link()
        {
            return Err(EINVAL);
        }
        let len = target.to_bytes_with_nul().len();
        if len > crate::page::PAGE_SIZE {
            return Err(ENAMETOOLONG);
        }
        let len = c_int::try_from(len).map_err(|_| ENAMETOOLONG)?;
        if self.cached_link {
            let mut link = KVec::with_capacity(target.to_bytes_with_nul().len(), GFP_KERNEL)?;
            link.extend_from_slice(target.to_bytes_with_nul(), GFP_KERNEL)?;
            let (link, _, _) = link.into_raw_parts();
            // SAFETY: The inode is a new symbolic link that nobody else can see yet, without a
            // target; `link` is a string of `len - 1` characters and a NUL in memory from
            // `kmalloc()` (not empty, so not dangling), which `free_inode` frees with the inode,
            // after an RCU grace period (the path walk reads `i_link` under RCU). Its size is
            // that of the target, as a link in the page cache gets.
            unsafe {
                bindings::inode_set_cached_link(self.as_raw(), link.cast(), len - 1);
                bindings::i_size_write(self.as_raw(), (len - 1).into());
            }
            return Ok(());
        }
        // SAFETY: The inode is a new symbolic link in low memory (`new_inode`) whose folios its
        // address-space operations can write (`new_inode` gives a link no others than the
        // kernel's); `target` is a valid string of `len` bytes with its NUL, which fits in the
        // one page `page_symlink` writes.
        to_result(unsafe { bindings::page_symlink(self.as_raw(), target.as_char_ptr(), len) })
    }

    /// Checks that the inode may be bound to `dentry`, a name in `dir` (they belong to the same
    /// superblock, else `EINVAL`), gives it the ACLs it inherits from `dir` with
    /// [`acl::Acls::InMemory`] (masking its mode by them, or by the umask if `dir` has no
    /// default ACL), and lets the security modules initialise it for that name
    /// (`security_inode_init_security()`). With [`xattr::Handlers::InMemory`], the extended
    /// attributes they give it (its security label) are stored with it, as tmpfs stores them
    /// (see [`xattr::initxattrs`]): charged, so that this fails with `ENOSPC` if the file
    /// system cannot take them.
    ///
    /// [`acl::Acls::InMemory`]: crate::fs::acl::Acls::InMemory
    /// [`xattr::Handlers::InMemory`]: crate::fs::xattr::Handlers::InMemory
    /// [`xattr::initxattrs`]: crate::fs::xattr::initxattrs
    ///
    /// # Safety
    ///
    /// `dentry` must point to a valid dentry, and `dir` be its directory's inode.
    #[inline]
    pub(crate) unsafe fn prepare_binding(
        &self,
        dir: &INode<T>,
        dentry: *mut bindings::dentry,
    ) -> Result {
        // SAFETY: The caller guarantees that the dentry is valid.
        if self.super_block().as_raw() != unsafe { (*dentry).d_sb } {
            return Err(EINVAL);
        }
        // `simple_get_link()` would return a null target to the VFS, which reads it as a
        // string.
        if self.cached_link && !self.has_cached_link() {
            return Err(EINVAL);
        }
        // SAFETY: The dentry is valid, so is its name.
        let name = unsafe { &raw const (*dentry).__bindgen_anon_1.d_name };
        if T::ACLS.in_memory() {
            // SAFETY: `dir` is a directory of this superblock (the VFS's, where the dentry
            // is), and the inode is new, of this superblock, whose ACLs are in memory.
            unsafe { crate::fs::acl::create(dir.as_raw(), self.as_raw()) }?;
        }
        let initxattrs: bindings::initxattrs = match T::XATTRS {
            crate::fs::xattr::Handlers::InMemory => Some(crate::fs::xattr::initxattrs),
            crate::fs::xattr::Handlers::None => None,
        };
        // SAFETY: The inodes and the name are valid. The new inode was allocated by
        // `Cache::alloc`, as all of `T`'s are, its superblock is ready, and nobody else can
        // see it yet, as `xattr::initxattrs` requires.
        to_result(unsafe {
            bindings::security_inode_init_security(
                self.as_raw(),
                dir.as_raw(),
                name,
                initxattrs,
                ptr::null_mut(),
            )
        })
    }

    /// The type of the new inode.
    pub fn typ(&self) -> Type {
        self.typ
    }

    /// Whether [`New::write_symlink`] kept a target with the inode.
    fn has_cached_link(&self) -> bool {
        // SAFETY: The inode is valid and, not bound to a dentry yet, seen by nobody else; only
        // a symbolic link's `i_link` is read (the union holds a fifo's pipe, a device's
        // `cdev` or a directory's sequence count in the others, all null or zero in a new
        // inode, but not to be read as a target).
        self.typ == Type::Lnk && unsafe { !(*self.as_raw()).__bindgen_anon_5.i_link.is_null() }
    }

    /// Makes `uid` and `gid` the owner and group of the new inode, instead of those
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) gave it: for a root directory
    /// owned as mount options say. An inode operation that returns an inode whose owner was
    /// set so is refused (see [`Operations`]): the owner of what a caller creates is the
    /// caller's, as the VFS checked its permissions (setting `S_ISUID`, following symbolic
    /// links in sticky directories) for that owner.
    pub fn set_owner(&self, uid: Kuid, gid: Kgid) {
        self.owner_set.set(true);
        let raw = self.as_raw();
        // SAFETY: The inode is valid and, not bound to a dentry yet, seen by nobody else.
        unsafe {
            (*raw).i_uid = uid.into_raw();
            (*raw).i_gid = gid.into_raw();
        }
    }

    /// Gives the new inode the number `ino` instead of the one
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) gave it (from `get_next_ino()`,
    /// which all of the kernel's in-memory inodes share, 32 bits wide and wrapping): for a file
    /// system that numbers its inodes itself, as tmpfs does per instance. The file system keeps
    /// the numbers of its live inodes apart, and `0` unused (`readdir(3)` skips entries numbered
    /// `0`); the VFS does not check.
    ///
    /// It takes `&mut self`, so that no reference to the inode that [`New`] gives out is held
    /// while its number changes.
    pub fn set_ino(&mut self, ino: u64) {
        // SAFETY: The inode is valid and, not bound to a dentry yet, seen by nobody else; it is
        // not in the inode hash, which is keyed by the number (`new_inode` does not add it).
        unsafe { (*self.as_raw()).i_ino = ino };
    }

    /// Gives up the new inode's reference, for a C function that takes it over.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        ManuallyDrop::new(self).inode.as_ptr().cast()
    }
}

impl<T: FileSystem + ?Sized> Deref for New<'_, T> {
    type Target = INode<T>;

    fn deref(&self) -> &INode<T> {
        // SAFETY: The inode is valid while the reference the `New` owns is (type invariants).
        unsafe { self.inode.as_ref() }
    }
}

impl<T: FileSystem + ?Sized> Drop for New<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants).
        unsafe { bindings::iput(self.as_raw()) };
    }
}

// SAFETY: The inode's reference may be put on any thread.
unsafe impl<T: FileSystem + ?Sized> Send for New<'_, T> {}

// `New` is not `Sync`: its `&self` methods change the inode without a lock, which is right only
// while one thread at a time can use it.

/// What a new inode may be, by the operation that binds it to a name, with the mode (file
/// type and permissions) that the VFS asked for: after the umask, or before it on a file system
/// with ACLs, which applies it when it binds the inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Creation {
    /// `create` and `tmpfile`: a regular file.
    Reg(u16),
    /// `mkdir`: a directory.
    Dir(u16),
    /// `symlink`: a symbolic link (whose permissions do not matter).
    Lnk,
    /// `mknod`: the file type and device number asked for (`vfs_mknod()` refuses
    /// directories).
    Node(u16, DevT),
    /// The whiteout of `RENAME_WHITEOUT`.
    Whiteout,
}

impl Creation {
    /// Fails with `EINVAL` unless `inode`, to be made in `dir` through a mount with the ID
    /// mapping `idmap`, is what the operation asked for: made by
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) with `idmap` and `dir`, so owned by
    /// the caller as `inode_init_owner()` decides, and not given another owner since
    /// ([`New::set_owner`]); of the type (and for `mknod`, the device number) asked for; and
    /// with no permission bit that was not asked for, except the `S_ISGID` that
    /// `inode_init_owner()` gives a new directory in a set-group-ID directory (a whiteout has
    /// none). So a file system cannot make a device where the VFS checked the permissions to
    /// make a fifo, give a file bits the caller may not set, or give it an owner the VFS did
    /// not check the caller against.
    pub(crate) fn check<T: FileSystem + ?Sized>(
        self,
        inode: &New<'_, T>,
        dir: &INode<T>,
        idmap: &MntIdmap,
    ) -> Result {
        // The owner is the caller's, as seen through the mount: the one `inode_init_owner()`
        // gave with this ID mapping and directory, not changed since.
        let made_for = (idmap.as_raw().cast_const(), dir.as_raw().cast_const());
        if inode.made_for != made_for || inode.owner_set.get() {
            return Err(EINVAL);
        }
        let typ = inode.typ();
        let asked = match self {
            Creation::Reg(mode) if typ == Type::Reg => mode,
            Creation::Dir(mode) if typ == Type::Dir => mode,
            Creation::Node(mode, dev) if typ != Type::Dir && Type::from_mode(mode, dev)? == typ => {
                mode
            }
            Creation::Lnk if typ == Type::Lnk => return Ok(()),
            // A whiteout has no permission bits (`WHITEOUT_MODE`).
            Creation::Whiteout if typ == Type::WHITEOUT => 0,
            _ => return Err(EINVAL),
        };
        let perm = bindings::S_IALLUGO as u16;
        // SAFETY: Both inodes are valid; the new one is seen by nobody else, and `dir`'s mode
        // is only read.
        let (mode, dir_mode) = unsafe { ((*inode.as_raw()).i_mode, (*dir.as_raw()).i_mode) };
        let mut allowed = asked & perm;
        if typ == Type::Dir && u32::from(dir_mode) & bindings::S_ISGID != 0 {
            allowed |= bindings::S_ISGID as u16;
        }
        if mode & perm & !allowed != 0 {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// Binds `inode`, a new regular file, to the unnamed dentry of `file`, a file being opened
/// with `O_TMPFILE` (`d_tmpfile()`), and opens the file (`finish_open()`), after the security
/// modules have initialised it.
///
/// `dir` is the directory the file is made in. The inode starts with no link: a later
/// `linkat(2)` gives it a name, otherwise it goes away when the file is closed. Fails with
/// `EINVAL` if the inode is not a regular file with the permissions of `mode` (see
/// [`Creation::check`]) or belongs to another superblock; on failure the inode goes away.
///
/// # Safety
///
/// `file` must be a `struct file` in the middle of `vfs_tmpfile()`, with a negative dentry in
/// `dir`, and not yet opened.
pub(super) unsafe fn bind_tmpfile<T: FileSystem + ?Sized>(
    file: *mut bindings::file,
    dir: &INode<T>,
    inode: New<'_, T>,
    mode: u16,
    idmap: &MntIdmap,
) -> Result {
    Creation::Reg(mode).check(&inode, dir, idmap)?;
    // SAFETY: By the safety requirements the file and its dentry are valid.
    let dentry = unsafe { (*file).__bindgen_anon_1.f_path.dentry };
    // SAFETY: The dentry is valid, and `vfs_tmpfile()` made it in `dir` (safety requirements).
    unsafe { inode.prepare_binding(dir, dentry) }?;
    // SAFETY: The file is in `vfs_tmpfile()` with a negative dentry (safety requirements);
    // `d_tmpfile` takes over the inode's reference.
    unsafe { bindings::d_tmpfile(file, inode.into_raw()) };
    // SAFETY: The file has its dentry now, and is not yet open.
    to_result(unsafe { bindings::finish_open(file, dentry, None) })
}

/// The operation tables of a new inode, checked against each other, its type and its
/// superblock.
pub(super) struct Tables<T: FileSystem + ?Sized> {
    iops: Option<Ops<T>>,
    fops: Option<file::Ops<T>>,
    aops: Option<address_space::Ops<T>>,
    /// Whether the inode is a directory that keeps an offset map.
    offsets: bool,
}

impl<T: FileSystem + ?Sized> Tables<T> {
    /// Fails with `EINVAL` unless the tables fit an inode of type `typ` of `sb` and each other,
    /// as [`Params`] says.
    #[inline]
    pub(super) fn check(
        sb: &sb::SuperBlock<T>,
        typ: Type,
        iops: Option<Ops<T>>,
        fops: Option<file::Ops<T>>,
        aops: Option<address_space::Ops<T>>,
    ) -> Result<Self> {
        // A directory's file operations for a directory, a regular file's for a regular file;
        // none for the other types (a fifo, socket or device gets the kernel's).
        if let Some(fops) = fops {
            let fits = match typ {
                Type::Dir => fops.is_dir(),
                Type::Reg => !fops.is_dir(),
                _ => false,
            };
            if !fits {
                return Err(EINVAL);
            }
        }
        // Operations that read or write the page cache need address-space operations. A
        // target in the page cache is a symbolic link's: the dcache takes an inode with
        // `get_link` for one, and `page_get_link()` needs its page cache in low memory.
        let page_link = iops.as_ref().is_some_and(|i| i.page_link);
        let cached_link = iops.as_ref().is_some_and(|i| i.cached_link);
        let rust_link = iops.as_ref().is_some_and(|i| i.rust_link);
        if (page_link || cached_link || rust_link) && typ != Type::Lnk {
            return Err(EINVAL);
        }
        // Rust code must not get at a link's folio: `page_get_link()` reads the target without
        // the folio's lock, up to the NUL it trusts to be there.
        let rust_aops = aops.is_some_and(|a| a.is_rust());
        if typ == Type::Lnk && rust_aops {
            return Err(EINVAL);
        }
        // The kernel's reads, writes and faults call `read_folio`, `write_begin` and `write_end`
        // without checking that they are there.
        let (reads, writes) = aops.map_or((false, false), |a| (a.reads(), a.writes()));
        let reads_folios = fops.is_some_and(|f| f.reads_folios()) || page_link;
        let writes_folios = fops.is_some_and(|f| f.writes_folios());
        if (reads_folios && !reads) || (writes_folios && !writes) {
            return Err(EINVAL);
        }
        // An offset map is kept by a directory's Rust operations (see `file::Ops::offset_dir`).
        let offsets = fops.is_some_and(|f| f.uses_offsets());
        let keeps_offsets = iops.as_ref().is_some_and(|i| i.keeps_offsets);
        if offsets && (typ != Type::Dir || !keeps_offsets) {
            return Err(EINVAL);
        }
        // On a superblock with a backing device, the VFS counts the dirty folios of every
        // mapping for write-back, and truncation subtracts them: a table whose `dirty_folio` does
        // not count them (`noop_dirty_folio()`) would make the counters go negative.
        if sb.writes_back() && aops.is_some_and(|a| !a.writes_back()) {
            return Err(EINVAL);
        }
        // Dirty folios are written back only on a superblock whose write-back runs: elsewhere
        // they would wait for it in the page cache, and go with the inode.
        // An `fsync(2)` that does not write them back would tell the caller they are safe: it
        // must be `simple_fsync_noflush()`, or the file system's, whose duty it is.
        if aops.is_some_and(|a| a.writes_back())
            && (!sb.writes_back() || !fops.is_some_and(|f| f.syncs()))
        {
            return Err(EINVAL);
        }
        // With ACLs, an inode that can have them needs `set_acl`, and a `setattr` that keeps the
        // access ACL's mask to the mode: those the abstractions give their tables but a link's.
        // A symbolic link has none, so its table must be a link's.
        if T::ACLS.in_memory() {
            let fits = match typ {
                Type::Lnk => page_link || cached_link || rust_link,
                _ => iops.as_ref().is_some_and(|i| i.keeps_offsets),
            };
            if !fits {
                return Err(EINVAL);
            }
        }
        // A charged file's size changes through `libfs::setattr`, which charges it.
        let charged =
            T::HAS_CHARGE_PAGES && typ == Type::Reg && fops.is_some_and(|f| f.is_in_memory());
        if charged && !iops.as_ref().is_some_and(|i| i.rust_setattr) {
            return Err(EINVAL);
        }
        Ok(Self {
            iops,
            fops,
            aops,
            offsets,
        })
    }

    /// Whether an inode of type `typ` with the tables would be kept in memory only, so that its
    /// eviction would lose it: the data of a file of [`file::Ops::in_memory`], or in the page
    /// cache of address-space operations that do not write back, the offset map of a directory
    /// of [`file::Ops::offset_dir`], the names of a directory whose inode operations are Rust's
    /// (the abstractions keep them in the dcache), or the target of a symbolic link in its page
    /// cache or kept with the inode.
    pub(super) fn in_memory(&self, typ: Type) -> bool {
        self.offsets
            || self
                .iops
                .as_ref()
                .is_some_and(|i| i.page_link || i.cached_link)
            || (typ == Type::Dir && self.iops.as_ref().is_some_and(|i| i.keeps_offsets))
            || self.fops.is_some_and(|f| f.is_in_memory())
            || self.aops.is_some_and(|a| !a.writes_back())
    }

    /// Gives the inode `raw`, of type `typ` and mode `mode`, the tables, its page cache the
    /// treatment `mapping`, and what its type needs: a symbolic link's page cache in low memory,
    /// the kernel's file operations for a fifo, socket or device. `hashed` says that the inode is
    /// in the inode hash.
    ///
    /// # Safety
    ///
    /// `raw` must be a new inode of the superblock the tables were checked for, allocated by the
    /// `Cache` of `T`, that nobody else can see yet.
    #[inline]
    pub(super) unsafe fn install(
        self,
        raw: *mut bindings::inode,
        typ: Type,
        mode: u16,
        mapping: address_space::Mapping,
        hashed: bool,
    ) {
        // SAFETY: By the safety requirements; the mapping of a new inode is its own `i_data`.
        let space = unsafe { (*raw).i_mapping };
        if let Some(aops) = self.aops {
            // SAFETY: As above.
            unsafe { (*space).a_ops = aops.as_raw() };
            if aops.release_always() {
                // SAFETY: As above.
                unsafe { bindings::mapping_set_release_always(space) };
            }
            if aops.writes_back() && !hashed {
                // `__mark_inode_dirty()` puts only hashed inodes on the lists that the flusher
                // threads, `sync(2)` and the unmount write back; these are found by no lookup
                // (as xfs's, whose hash is its own).
                // SAFETY: The inode is not visible yet, nor in the inode hash.
                unsafe { bindings::inode_fake_hash(raw) };
            }
        }
        if mapping == address_space::Mapping::Unevictable {
            // SAFETY: As above.
            unsafe {
                (*space).gfp_mask = bindings::GFP_HIGHUSER;
                bindings::mapping_set_unevictable(space);
            }
        }
        if let Some(iops) = self.iops {
            // SAFETY: As above.
            unsafe { (*raw).i_op = iops.table };
        }
        if let Some(fops) = self.fops {
            // SAFETY: As above.
            unsafe { (*raw).__bindgen_anon_3.i_fop = fops.as_raw() };
        }
        if self.offsets {
            // SAFETY: As above; the inode is a new directory from `Cache::alloc`, as all of
            // `T`'s are.
            unsafe { offsets::init(raw) };
        }
        match typ {
            // SAFETY: As above.
            Type::Lnk => unsafe { bindings::inode_nohighmem(raw) },
            // SAFETY: As above; the mode and device number are those of a special file.
            t if t.is_special() => unsafe { bindings::init_special_inode(raw, mode, t.dev()) },
            _ => {}
        }
    }
}

/// The parameters of a new inode.
pub struct Params<'a, T: FileSystem + ?Sized> {
    /// The type of the inode.
    pub typ: Type,
    /// The permission bits (and `S_ISUID`, `S_ISGID` and `S_ISVTX`).
    pub perm: u16,
    /// The ID mapping of the mount the inode is created through.
    pub idmap: &'a MntIdmap,
    /// The directory the inode is created in (it gives the group of the new inode if it has
    /// `S_ISGID` set); `None` for the root.
    pub dir: Option<&'a INode<T>>,
    /// The inode operations; `None` for none (a fifo, socket or device needs none).
    pub iops: Option<Ops<T>>,
    /// The file operations: a directory's ([`file::Ops::is_dir`]) for a directory, a regular
    /// file's for a regular file, `None` for the other types (a fifo, socket or device gets the
    /// kernel's, `init_special_inode()`); [`SuperBlock::new_inode`](sb::SuperBlock::new_inode)
    /// fails with `EINVAL` otherwise.
    pub fops: Option<file::Ops<T>>,
    /// The address-space operations of the inode's page cache, if it uses it: ones that read
    /// ([`address_space::Ops::reads`]) for file operations that fill folios
    /// ([`file::Ops::reads_folios`]), ones that write ([`address_space::Ops::writes`]) for file
    /// operations that write to folios ([`file::Ops::writes_folios`]), the kernel's for a
    /// symbolic link; else
    /// [`SuperBlock::new_inode`](sb::SuperBlock::new_inode) fails with `EINVAL`.
    pub aops: Option<address_space::Ops<T>>,
    /// How the page cache treats the inode's folios.
    pub mapping: address_space::Mapping,
}

impl<T: FileSystem + ?Sized> sb::SuperBlock<T> {
    /// Allocates a new inode that is not in the inode hash, with the next free inode number,
    /// owned by the caller's fsuid and fsgid as seen through `idmap` (as `inode_init_owner()`
    /// decides, with the group of `dir` if it is set-group-ID), and with its three timestamps
    /// set to now.
    ///
    /// Directories start with two links (for `.` and the name in the parent), other inodes
    /// with one. A fifo, socket or device gets the kernel's file operations for it
    /// (`init_special_inode()`); a symbolic link keeps its page cache in low memory
    /// (`inode_nohighmem()`), as `page_get_link()` needs.
    ///
    /// The inode's data ([`FileSystem::INodeData`]) is its default value; see
    /// [`SuperBlock::new_inode_with`](sb::SuperBlock::new_inode_with) to give another.
    #[inline]
    pub fn new_inode(&self, params: Params<'_, T>) -> Result<New<'_, T>>
    where
        T::INodeData: Default,
    {
        self.new_inode_with(params, T::INodeData::default())
    }

    /// As [`SuperBlock::new_inode`](sb::SuperBlock::new_inode), with `data` to initialise the
    /// file system's data of the inode ([`FileSystem::INodeData`]) in place, before the inode
    /// can be seen.
    ///
    /// If `data` fails, so does this, with its error, and the inode the VFS allocated goes
    /// away without [`FileSystem::evict_inode`]: as far as the file system knows, no inode was
    /// made.
    #[inline]
    pub fn new_inode_with<E>(
        &self,
        params: Params<'_, T>,
        data: impl PinInit<T::INodeData, E>,
    ) -> Result<New<'_, T>>
    where
        Error: From<E>,
    {
        let tables = Tables::check(self, params.typ, params.iops, params.fops, params.aops)?;
        // SAFETY: The superblock is valid by the type invariants.
        let ptr = NonNull::new(unsafe { bindings::new_inode(self.as_raw()) }).ok_or(ENOMEM)?;
        // SAFETY: The inode was allocated by the `Cache` of `T` (`alloc_inode`), where its data
        // stays until it is destroyed; nobody else can see it yet, and its data is not
        // initialised (`Cache::alloc`).
        let slot = unsafe { INodeBox::data::<T::INodeData>(ptr.as_ptr()) };
        // SAFETY: `slot` is valid for writes, not initialised, and pinned: the inode's memory
        // does not move until it is freed, after the data is dropped (`destroy_inode`).
        let init = unsafe { pin_init::raw_try_init(slot, data) };
        if let Err(e) = init {
            // SAFETY: The inode has the one reference `new_inode` gave; without data, its
            // eviction does not call `T::evict_inode`, and nothing is dropped.
            unsafe { bindings::iput(ptr.as_ptr()) };
            return Err(e.into());
        }
        // SAFETY: The inode is new and its data was initialised above.
        unsafe { INodeBox::set_has_data(ptr.as_ptr()) };
        // INVARIANT: `new_inode` returns an inode of this superblock, which is ready and lives
        // while `self` is borrowed, with one reference that the `New` owns from now on; its type
        // is set below.
        let dir = params.dir.map_or(ptr::null(), |d| d.as_raw().cast_const());
        let inode = New {
            inode: ptr.cast::<INode<T>>(),
            typ: params.typ,
            aops: params.aops,
            cached_link: params.iops.as_ref().is_some_and(|i| i.cached_link),
            made_for: (params.idmap.as_raw().cast_const(), dir),
            owner_set: Cell::new(false),
            _sb: PhantomData,
        };
        let raw = inode.as_raw();
        let mode = params.typ.format() | (params.perm & bindings::S_IALLUGO as u16);
        // SAFETY: `raw` is a new inode that nobody else can see yet, `dir` is null or a valid
        // inode, and `idmap` is a valid ID mapping.
        unsafe {
            (*raw).i_ino = bindings::get_next_ino().into();
            bindings::inode_init_owner(params.idmap.as_raw(), raw, dir, mode);
            bindings::simple_inode_init_ts(raw);
            // Known to have no ACLs (rather than not looked up yet), as tmpfs's new inodes: the
            // ACL cache is all a file system with ACLs in memory has of them.
            bindings::cache_no_acl(raw);
            // Marked as having nothing for a write or a truncation to strip unless its mode has
            // a set-ID bit (`SB_NOSEC` is set on every superblock), as xfs marks an inode
            // without extended attributes: a new inode has no file capability, which only
            // `setxattr(2)` gives, and the VFS clears the mark when it sets a `security.`
            // attribute or a set-ID bit. Without it, the first write to each new file and
            // every truncation of a file never written would look the capability up.
            bindings::inode_has_no_xattr(raw);
            // A random generation, as tmpfs gives: file handles and fanotify's file IDs name an
            // inode by its number and generation, and numbers are used again.
            (*raw).i_generation = bindings::get_random_u32();
        }
        // SAFETY: As above; the tables were checked for this superblock, and the inode comes
        // from the `Cache` of `T` (`alloc_inode`) and is not in the inode hash.
        unsafe { tables.install(raw, params.typ, mode, params.mapping, false) };
        if params.typ == Type::Dir {
            // SAFETY: As above.
            unsafe { bindings::inc_nlink(raw) };
        }
        Ok(inode)
    }
}
