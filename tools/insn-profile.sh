#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Counts, instruction by instruction, what the kernel executes in one system call (or any
# kernel function, such as handle_mm_fault for page faults), per function.
#   tools/insn-profile.sh BUILD_DIR PROGRAM SYSCALL_FUNCTION CALLS OUT_DIR
# PROGRAM: a C file of tools/insn-profile/ (writes.c, reads.c, ftruncate.c, truncdata.c, mmapwrites.c, stats.c): it
# mounts ramfs, tmpfs and bs2ramfs in turn and makes the same calls on each. The guest boots
# paused with QEMU's gdb stub (one CPU, nokaslr); gdb stops at each of the first CALLS entries to
# SYSCALL_FUNCTION (e.g. __x64_sys_pwrite64) and single-steps to its return (QEMU steps with
# interrupts off), recording every instruction (a rep-prefixed one counts once per iteration,
# as -icount does). OUT_DIR gets pcs.json and syms.txt; compare two calls with
#   tools/insn-profile/hist.py OUT_DIR/pcs.json OUT_DIR/syms.txt A B
# INSN_AFTER_FUNC=FUNCTION: count only the entries after the first entry to FUNCTION (to skip
# the calls of the boot and of the program's start, e.g. __x64_sys_ftruncate for mmapwrites.c).
. "$(dirname "$0")/lib.sh"
need_root
build=$1 prog=$2 func=$3 calls=$4 out=$5
mkdir -p "$out" "$out/run"
out=$(cd "$out" && pwd)
vmlinux=$build/vmlinux
addr=$(nm "$vmlinux" | awk -v f="$func" '$3 == f { print $1 }')
[ -n "$addr" ] || die "no $func in $vmlinux"
# INSN_AFTER_FUNC (optional): count only the entries after the first entry to that function.
after=
if [ -n "${INSN_AFTER_FUNC:-}" ]; then
	after=$(nm "$vmlinux" | awk -v f="$INSN_AFTER_FUNC" '$3 == f { print $1 }')
	[ -n "$after" ] || die "no $INSN_AFTER_FUNC in $vmlinux"
fi
nm -n "$vmlinux" | grep -i ' [tw] ' >"$out/syms.txt"
BS2_EXTRA_BIND=$out in_chroot clang -O2 -o "$out/run/prog" "$TOP/tools/insn-profile/$prog"
BS2_GUEST_CPUS=1 BS2_GUEST_CMDLINE=nokaslr BS2_QEMU_ARGS="-s -S" BS2_GUEST_TIMEOUT=900 \
	"$TOP/tools/guest" "$build" "$out/run" ./prog >"$out/guest.log" 2>&1 &
guest=$!
sleep 3
INSN_ADDR=$addr INSN_AFTER=$after INSN_CALLS=$calls INSN_OUT=$out/pcs.json \
	timeout 900 gdb -q -batch -nx -x "$TOP/tools/insn-profile/step.py" "$vmlinux" | grep '^call'
wait $guest
