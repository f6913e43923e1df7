// SPDX-License-Identifier: GPL-2.0

// What the programs on inodes found by number share: what their `fill` finds, a regular file
// with no operations, owned by the caller.

#[allow(dead_code)]
fn found<T: FileSystem<INodeData = ()> + ?Sized>() -> inode::Found<T, ()> {
    inode::Found {
        typ: Type::Reg,
        perm: 0o644,
        uid: kernel::task::Kuid::current_fsuid(),
        gid: kernel::task::Kgid::current_fsgid(),
        nlink: 1,
        size: 0,
        iops: None,
        fops: None,
        aops: None,
        mapping: address_space::Mapping::Evictable,
        data: (),
    }
}
