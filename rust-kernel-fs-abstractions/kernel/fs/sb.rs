// SPDX-License-Identifier: GPL-2.0

//! Superblocks.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h)

use crate::{
    bindings,
    error::{code::*, to_result, Result},
    fs::{file::Offset, FileSystem},
    types::{ForeignOwnable, Opaque},
};
use core::marker::PhantomData;

/// The largest file size the page cache can address (C's `MAX_LFS_FILESIZE`).
#[cfg(CONFIG_64BIT)]
pub const MAX_LFS_FILESIZE: Offset = Offset::MAX;

/// The largest file size the page cache can address (C's `MAX_LFS_FILESIZE`).
#[cfg(not(CONFIG_64BIT))]
pub const MAX_LFS_FILESIZE: Offset = (u32::MAX as Offset) << crate::page::PAGE_SHIFT;

/// Typestate of a [`SuperBlock`] that is being filled by [`FileSystem::fill_super`].
///
/// Its fields may be set: the filling thread holds `s_umount` for writing and the superblock
/// is not yet born (`SB_BORN`), so nothing else uses it.
pub struct New;

/// Typestate of a [`SuperBlock`] that is fully set up: its private data is in place.
pub struct Ready;

/// Typestate of a [`SuperBlock`] that is [`Ready`], seen from the eviction of one of its inodes
/// ([`Evicting::super_block`](crate::fs::inode::Evicting::super_block)): it has its data, but
/// gives no way to look up or make inodes.
///
/// An eviction may run among others that the same thread carries out: at umount and in memory
/// reclaim, the VFS marks a batch of unused inodes as being freed, then evicts them one after
/// the other. A lookup by number of another inode of the batch
/// ([`SuperBlock::iget`](SuperBlock::iget)) would wait for that inode's eviction, which this
/// thread would carry out only after the lookup: forever.
///
/// This keeps [`FileSystem::evict_inode`] from such a lookup; the address-space operations that
/// an eviction calls with an [`INode`](crate::fs::inode::INode) could still make one, and a lock
/// that `evict_inode` takes must not be held across one: both are documented, not prevented.
pub struct InEviction;

/// A typestate of a [`SuperBlock`]: [`New`], [`Ready`] or [`InEviction`].
pub trait State: private::Sealed {}
impl State for New {}
impl State for Ready {}
impl State for InEviction {}

/// A typestate of a [`SuperBlock`] whose data is in place: [`Ready`] or [`InEviction`].
pub trait WithData: State {}
impl WithData for Ready {}
impl WithData for InEviction {}

mod private {
    pub trait Sealed {}
    impl Sealed for super::New {}
    impl Sealed for super::Ready {}
    impl Sealed for super::InEviction {}
}

/// A superblock of a file system of type `T`.
///
/// Wraps the kernel's `struct super_block`.
///
/// # Invariants
///
/// The pointee is a valid superblock of a file system of type `T`, whose `s_fs_info` is either
/// null or, once `S` is [`Ready`] (or [`InEviction`]), the value of [`FileSystem::fill_super`]
/// made foreign with [`ForeignOwnable::into_foreign`]. While `S` is [`New`], the thread that
/// fills the superblock holds `s_umount` for writing and the superblock is not yet born, so
/// nobody else uses it.
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem + ?Sized, S: State = Ready>(
    Opaque<bindings::super_block>,
    PhantomData<(S, fn() -> T)>,
);

impl<T: FileSystem + ?Sized, S: State> SuperBlock<T, S> {
    /// Creates a reference to a [`SuperBlock`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a superblock of a file system of type `T` that remains valid for
    /// `'a`, in the state `S` (see the type invariants).
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::super_block>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the raw pointer to the C `struct super_block`.
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }
}

/// The magic numbers of the kernel's own file systems (`include/uapi/linux/magic.h`, and
/// XFS's `XFS_SB_MAGIC`), which parts of the kernel trust to tell their superblocks: devpts,
/// binderfs, autofs and XFS, for example, read the private data, dentries or inodes of a
/// superblock with their magic as their own.
const KERNEL_MAGICS: &[usize] = &[
    bindings::ADFS_SUPER_MAGIC as usize,
    bindings::AFFS_SUPER_MAGIC as usize,
    bindings::AFS_SUPER_MAGIC as usize,
    bindings::AUTOFS_SUPER_MAGIC as usize,
    bindings::CEPH_SUPER_MAGIC as usize,
    bindings::CODA_SUPER_MAGIC as usize,
    bindings::CONFIGFS_MAGIC as usize,
    bindings::CRAMFS_MAGIC as usize,
    bindings::CRAMFS_MAGIC_WEND as usize,
    bindings::DEBUGFS_MAGIC as usize,
    bindings::SECURITYFS_MAGIC as usize,
    bindings::SELINUX_MAGIC as usize,
    bindings::SMACK_MAGIC as usize,
    bindings::RAMFS_MAGIC as usize,
    bindings::TMPFS_MAGIC as usize,
    bindings::HUGETLBFS_MAGIC as usize,
    bindings::SQUASHFS_MAGIC as usize,
    bindings::ECRYPTFS_SUPER_MAGIC as usize,
    bindings::EFS_SUPER_MAGIC as usize,
    bindings::EROFS_SUPER_MAGIC_V1 as usize,
    bindings::EXT2_SUPER_MAGIC as usize,
    bindings::EXT3_SUPER_MAGIC as usize,
    bindings::XENFS_SUPER_MAGIC as usize,
    bindings::EXT4_SUPER_MAGIC as usize,
    bindings::BTRFS_SUPER_MAGIC as usize,
    bindings::NILFS_SUPER_MAGIC as usize,
    bindings::F2FS_SUPER_MAGIC as usize,
    bindings::HPFS_SUPER_MAGIC as usize,
    bindings::ISOFS_SUPER_MAGIC as usize,
    bindings::JFFS2_SUPER_MAGIC as usize,
    bindings::XFS_SUPER_MAGIC as usize,
    bindings::PSTOREFS_MAGIC as usize,
    bindings::EFIVARFS_MAGIC as usize,
    bindings::HOSTFS_SUPER_MAGIC as usize,
    bindings::OVERLAYFS_SUPER_MAGIC as usize,
    bindings::FUSE_SUPER_MAGIC as usize,
    bindings::BCACHEFS_SUPER_MAGIC as usize,
    bindings::MINIX_SUPER_MAGIC as usize,
    bindings::MINIX_SUPER_MAGIC2 as usize,
    bindings::MINIX2_SUPER_MAGIC as usize,
    bindings::MINIX2_SUPER_MAGIC2 as usize,
    bindings::MINIX3_SUPER_MAGIC as usize,
    bindings::MSDOS_SUPER_MAGIC as usize,
    bindings::EXFAT_SUPER_MAGIC as usize,
    bindings::NCP_SUPER_MAGIC as usize,
    bindings::NFS_SUPER_MAGIC as usize,
    bindings::OCFS2_SUPER_MAGIC as usize,
    bindings::OPENPROM_SUPER_MAGIC as usize,
    bindings::QNX4_SUPER_MAGIC as usize,
    bindings::QNX6_SUPER_MAGIC as usize,
    bindings::AFS_FS_MAGIC as usize,
    bindings::REISERFS_SUPER_MAGIC as usize,
    bindings::SMB_SUPER_MAGIC as usize,
    bindings::CIFS_SUPER_MAGIC as usize,
    bindings::SMB2_SUPER_MAGIC as usize,
    bindings::CGROUP_SUPER_MAGIC as usize,
    bindings::CGROUP2_SUPER_MAGIC as usize,
    bindings::RDTGROUP_SUPER_MAGIC as usize,
    bindings::STACK_END_MAGIC as usize,
    bindings::TRACEFS_MAGIC as usize,
    bindings::V9FS_MAGIC as usize,
    bindings::BDEVFS_MAGIC as usize,
    bindings::DAXFS_MAGIC as usize,
    bindings::BINFMTFS_MAGIC as usize,
    bindings::DEVPTS_SUPER_MAGIC as usize,
    bindings::BINDERFS_SUPER_MAGIC as usize,
    bindings::FUTEXFS_SUPER_MAGIC as usize,
    bindings::PIPEFS_MAGIC as usize,
    bindings::PROC_SUPER_MAGIC as usize,
    bindings::SOCKFS_MAGIC as usize,
    bindings::SYSFS_MAGIC as usize,
    bindings::USBDEVICE_SUPER_MAGIC as usize,
    bindings::MTD_INODE_FS_MAGIC as usize,
    bindings::ANON_INODE_FS_MAGIC as usize,
    bindings::BTRFS_TEST_MAGIC as usize,
    bindings::NSFS_MAGIC as usize,
    bindings::BPF_FS_MAGIC as usize,
    bindings::AAFS_MAGIC as usize,
    bindings::ZONEFS_MAGIC as usize,
    bindings::UDF_SUPER_MAGIC as usize,
    bindings::DMA_BUF_MAGIC as usize,
    bindings::DEVMEM_MAGIC as usize,
    bindings::SECRETMEM_MAGIC as usize,
    bindings::PID_FS_MAGIC as usize,
    bindings::GUEST_MEMFD_MAGIC as usize,
    bindings::NULL_FS_MAGIC as usize,
    bindings::FAIL_FS_MAGIC as usize,
    // XFS_SB_MAGIC, in fs/xfs/libxfs/xfs_format.h: `xfs_khandle_to_dentry()` trusts it.
    0x5846_5342,
];

impl<T: FileSystem + ?Sized> SuperBlock<T, New> {
    /// Sets the magic number reported by `statfs(2)`. Fails with `EINVAL` for the magic number
    /// of one of the kernel's own file systems, which parts of the kernel trust to read the
    /// superblock as that file system's.
    pub fn set_magic(&self, magic: usize) -> Result<&Self> {
        if KERNEL_MAGICS.contains(&magic) {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants nobody else accesses the new superblock.
        unsafe { (*self.as_raw()).s_magic = magic };
        Ok(self)
    }

    /// Sets the largest file size; fails with `EINVAL` if it is negative or above
    /// [`MAX_LFS_FILESIZE`], the largest the page cache can index.
    pub fn set_max_bytes(&self, max: Offset) -> Result<&Self> {
        if !(0..=MAX_LFS_FILESIZE).contains(&max) {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants nobody else accesses the new superblock.
        unsafe { (*self.as_raw()).s_maxbytes = max };
        Ok(self)
    }

    /// Sets the block size to `1 << bits` bytes; fails with `EINVAL` unless it is 512 bytes to
    /// a page (`bits` from 9 to `PAGE_SHIFT`).
    pub fn set_blocksize_bits(&self, bits: u8) -> Result<&Self> {
        if !(9..=crate::page::PAGE_SHIFT).contains(&usize::from(bits)) {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants nobody else accesses the new superblock.
        unsafe {
            (*self.as_raw()).s_blocksize_bits = bits;
            (*self.as_raw()).s_blocksize = 1 << bits;
        }
        Ok(self)
    }

    /// Sets the granularity of the timestamps, in nanoseconds; fails with `EINVAL` unless it
    /// is 1 to 1,000,000,000.
    pub fn set_time_gran(&self, nanoseconds: u32) -> Result<&Self> {
        if !(1..=1_000_000_000).contains(&nanoseconds) {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants nobody else accesses the new superblock.
        unsafe { (*self.as_raw()).s_time_gran = nanoseconds };
        Ok(self)
    }

    /// Gives the superblock a backing device of its own (`super_setup_bdi()`), so that the
    /// dirty folios of its files are written back, by the flusher threads, `sync(2)`,
    /// `fsync(2)` and unmount, through address-space operations that write back
    /// ([`address_space::Operations::writepages`](super::address_space::Operations::writepages)):
    /// [`SuperBlock::new_inode`](SuperBlock::new_inode) refuses those on a superblock without
    /// one. The device goes with the superblock.
    ///
    /// Fails with `ENOMEM`, or with `EINVAL` if the superblock has a backing device already, or
    /// if its inodes are exported in memory ([`export::Export::InMemory`]: an inode that writes
    /// back is kept out of the inode hash, where a handle finds it).
    ///
    /// [`export::Export::InMemory`]: crate::fs::export::Export::InMemory
    pub fn setup_bdi(&self) -> Result<&Self> {
        if self.writes_back() || T::EXPORT.in_memory() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants nobody else accesses the new superblock, whose
        // backing device is the no-op one, as `super_setup_bdi()` expects.
        to_result(unsafe { bindings::super_setup_bdi(self.as_raw()) })?;
        Ok(self)
    }

    /// Asks the VFS not to keep unused dentries of this superblock cached (`DCACHE_DONTCACHE`).
    pub fn set_dont_cache_dentries(&self) -> &Self {
        // SAFETY: By the type invariants nobody else accesses the new superblock.
        unsafe { (*self.as_raw()).s_d_flags |= bindings::dentry_flags_DCACHE_DONTCACHE };
        self
    }
}

impl<T: FileSystem + ?Sized, S: State> SuperBlock<T, S> {
    /// Whether the superblock has a backing device of its own ([`SuperBlock::setup_bdi`]),
    /// which writes dirty folios back, and not the no-op one of in-memory file systems.
    pub fn writes_back(&self) -> bool {
        // SAFETY: The superblock is valid (type invariants).
        unsafe { writes_back(self.as_raw()) }
    }
}

/// Whether `sb` has a backing device of its own ([`SuperBlock::writes_back`]).
///
/// # Safety
///
/// `sb` must be a valid superblock of a file system of these abstractions.
pub(crate) unsafe fn writes_back(sb: *mut bindings::super_block) -> bool {
    // SAFETY: The superblock is valid. Its `s_bdi` only changes in `setup_bdi`, on a new
    // superblock that no other thread sees, and at its shutdown, after its inodes are gone.
    let bdi = unsafe { (*sb).s_bdi };
    !core::ptr::eq(bdi, &raw const bindings::noop_backing_dev_info)
}

impl<T: FileSystem + ?Sized, S: WithData> SuperBlock<T, S> {
    /// The data of the file system instance, as returned by [`FileSystem::fill_super`].
    pub fn data(&self) -> <T::Data as ForeignOwnable>::Borrowed<'_> {
        // SAFETY: By the type invariants `s_fs_info` came from `T::Data::into_foreign` once the
        // superblock is `Ready` (`InEviction` is a ready one), and it is only turned back in
        // `kill_sb`, after every user of the superblock is gone.
        unsafe { T::Data::borrow((*self.as_raw()).s_fs_info) }
    }
}

/// The answer to a `statfs(2)` call, being filled in by
/// [`FileSystem::statfs`] (`struct kstatfs`).
///
/// # Invariants
///
/// The pointee is a valid `struct kstatfs` that only the current thread uses while a
/// reference to it exists.
#[repr(transparent)]
pub struct StatFs(Opaque<bindings::kstatfs>);

impl StatFs {
    /// Creates a reference to a [`StatFs`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct kstatfs` that only the current thread uses for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::kstatfs) -> &'a Self {
        // SAFETY: The caller guarantees that the pointee is valid for `'a`; the layout is the
        // same since `Self` is a transparent wrapper of `Opaque<bindings::kstatfs>`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Reports `total` blocks (of the superblock's block size), of which `free` are free and
    /// `available` may be used by unprivileged users.
    pub fn set_blocks(&self, total: u64, free: u64, available: u64) {
        let raw = self.0.get();
        // SAFETY: The buffer is valid and only used by this thread (type invariants).
        unsafe {
            (*raw).f_blocks = total;
            (*raw).f_bfree = free;
            (*raw).f_bavail = available;
        }
    }

    /// Reports that the file system can hold `total` inodes, of which `free` are not used.
    pub fn set_files(&self, total: u64, free: u64) {
        let raw = self.0.get();
        // SAFETY: The buffer is valid and only used by this thread (type invariants).
        unsafe {
            (*raw).f_files = total;
            (*raw).f_ffree = free;
        }
    }
}
