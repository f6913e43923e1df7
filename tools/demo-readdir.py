#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# Part of the demo (tools/demo-guest.sh): is a directory position saved with telldir(3) still
# valid after entries before it are removed? For each folder given: make 20 names, read 10 of
# them with readdir(3) and save the position, remove those 10, seekdir(3) back to the position
# and read on. Stable offsets (tmpfs, bs2ramfs) give the 10 names not yet read; a position that
# counts entries (C ramfs) now points past the entries that are left. Arguments: FS=FOLDER
# (FOLDER is made; FS names it in the output). Exits 1 if a folder of another FS than ramfs
# skips names.
import ctypes
import os
import sys


class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]


libc = ctypes.CDLL(None, use_errno=True)
libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.closedir.argtypes = [ctypes.c_void_p]


def names(d, count=None):
    """The next names of the open directory d (at most count), without . and .."""
    out = []
    while count is None or len(out) < count:
        e = libc.readdir(d)
        if not e:
            break
        name = e.contents.d_name.decode()
        if name not in (".", ".."):
            out.append(name)
    return out


status = 0
for arg in sys.argv[1:]:
    fs, folder = arg.split("=", 1)
    os.makedirs(folder)
    for i in range(20):
        open(os.path.join(folder, "name%02d" % i), "w").close()
    d = libc.opendir(folder.encode())
    first = names(d, 10)
    pos = libc.telldir(d)
    for n in first:
        os.unlink(os.path.join(folder, n))
    libc.seekdir(d, pos)
    rest = names(d)
    libc.closedir(d)
    left = sorted(os.listdir(folder))
    ok = sorted(rest) == left
    print("%-9s read 10 names, removed them, seekdir back: %2d of the %d names left read%s"
          % (fs + ":", len(rest), len(left), "" if ok else "  <- entries skipped"))
    if fs != "ramfs" and not ok:
        status = 1
sys.exit(status)
