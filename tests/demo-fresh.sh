#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# No stale series: the kernel of `./bs2 demo` (and `./bs2 run`, `./bs2 build`) is built from
# patches/ as they are now. In a scratch copy of this clone (its working copy committed, as a
# clone would be after a `git pull`), with a worktree and build folder of its own:
# 1. patches/ change (a pr_*! message of bs2ramfs gets a new random word, committed as a pull
#    would bring it): `./bs2 build y`, which the demo starts with, must remake the worktree
#    and build a kernel whose vmlinux carries the word;
# 2. the worktree gets unexported work (a commit; then an uncommitted change): it must be kept
#    as it is, and said so, with the commands that export or discard it;
# 3. back to patches/: nothing to remake.
# The worktree and build folder stay in the cache ($BS2_CACHE/demo-fresh-tree, and
# demo-fresh-tree-y in the build root), so a later run rebuilds only what changed.
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/../tools/lib-worktree.sh"
need_root
scratch=$CACHE/demo-fresh-clone
export BS2_WORKTREE=$CACHE/demo-fresh-tree
WORKTREE=$BS2_WORKTREE
out=$(worktree_build_dir y)
fail() { echo "FAIL: $*"; exit 1; }

log "a scratch copy of the clone in $scratch"
rm -rf "$scratch"
git clone -q "$TOP" "$scratch"
find "$scratch" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
tar -C "$TOP" --exclude=./.git -cf - . | tar -C "$scratch" -xf -
g() { git -C "$scratch" -c user.name=demo-fresh -c user.email=demo-fresh@invalid "$@"; }
g add -A
g commit -q --allow-empty -m "the working copy under test"

# The starting point, whatever an earlier run left: the worktree holds the scratch's patches/
# (remade by sync_worktree, which rewrites only the files of the patches that differ, so the
# build folder stays warm; made anew if an interrupted run left work in it).
if [ -e "$WORKTREE/.git" ]; then
	git -C "$WORKTREE" am --abort >/dev/null 2>&1 || true
	git -C "$WORKTREE" reset -q --hard
fi
state=$(TOP=$scratch; sync_worktree >&2; echo "$WORKTREE_STATE")
if [ "$state" != patches ]; then
	(TOP=$scratch; make_tree "$WORKTREE" "$(worktree_branch)"; write_worktree_stamp)
fi

# 1. A change to patches/, as a pull brings it.
word=demofresh$(date +%s)$RANDOM
changed=$(python3 - "$scratch" "$word" <<-'PY'
	import glob, re, sys
	top, word = sys.argv[1], sys.argv[2]
	files = sorted(glob.glob(top + "/patches/series-b/*.patch"))
	files = [f for f in files if not f.endswith("0000-cover-letter.patch")]
	msg = re.compile(r'^\+.*\bpr_(info|notice|warn|err|crit|alert|emerg)!\("')
	for i in range(len(files) - 1, -1, -1):
	    lines = open(files[i]).read().split("\n")
	    later = "".join(open(f).read() for f in files[i + 1:])
	    in_fs = False
	    for n, line in enumerate(lines):
	        if line.startswith("+++ "):
	            in_fs = line.startswith("+++ b/fs/bs2ramfs/") and line.endswith(".rs")
	        elif in_fs and msg.match(line) and line[1:] not in later:
	            lines[n] = re.sub(r'pr_(\w+)!\("', lambda m: m.group(0) + word + " ", line, count=1)
	            open(files[i], "w").write("\n".join(lines))
	            print("%s, line %d" % (files[i][len(top) + 1:], n + 1))
	            sys.exit(0)
	sys.exit("no pr_*! message of fs/bs2ramfs to change in patches/series-b")
	PY
) || fail "cannot make the change"
g commit -q -a -m "a change of the series, as a pull brings it"
echo "changed: $changed: a message of bs2ramfs now has the word $word"
t0=$SECONDS
"$scratch/bs2" build y >"$scratch.build.log" 2>&1 || { tail -n 30 "$scratch.build.log"; fail "./bs2 build y failed"; }
echo "./bs2 build y: $((SECONDS - t0)) s; it said:"
grep -E '==> ' "$scratch.build.log" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /'
grep -q 'remaking it from patches/' "$scratch.build.log" || fail "the worktree was not remade"
grep -qaF "$word" "$out/vmlinux" || fail "$out/vmlinux does not carry the change ($word)"
[ ! "$out/vmlinux" -nt "$out/arch/x86/boot/bzImage" ] || fail "bzImage is older than vmlinux"
git -C "$WORKTREE" grep -q "$word" HEAD -- fs/bs2ramfs || fail "the worktree's HEAD lacks the change"
echo "ok: the kernel the demo boots carries the change"

# 2. Unexported work is kept, and said so.
head=$(git -C "$WORKTREE" rev-parse HEAD)
restore() { git -C "$WORKTREE" reset -q --hard "$head"; }
trap restore EXIT
sync_state() {
	(TOP=$scratch; sync_worktree; echo "state=$WORKTREE_STATE") 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
}
echo "# unexported work" >>"$WORKTREE/fs/bs2ramfs/Makefile"
git -C "$WORKTREE" -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" commit -q -a -s \
	-m "fs: bs2ramfs: unexported work"
said=$(sync_state)
echo "with an unexported commit, it said:"
echo "$said" | sed 's/^/    /'
[ "$(git -C "$WORKTREE" rev-parse HEAD)" != "$head" ] || fail "the unexported commit is gone"
grep -q '^state=worktree$' <<<"$said" || fail "the worktree with an unexported commit was not reported as such"
grep -q 'NOT from patches/' <<<"$said" && grep -q './bs2 export' <<<"$said" &&
	grep -q './bs2 worktree --force' <<<"$said" || fail "the message lacks what to do"
git -C "$WORKTREE" reset -q --hard "$head"
echo "# uncommitted" >>"$WORKTREE/fs/bs2ramfs/Makefile"
said=$(sync_state)
grep -q '^state=worktree$' <<<"$said" && grep -q 'uncommitted changes' <<<"$said" ||
	fail "an uncommitted change was not reported: $said"
grep -q '# uncommitted' "$WORKTREE/fs/bs2ramfs/Makefile" || fail "the uncommitted change is gone"
echo "ok: unexported work is kept and reported, with ./bs2 export and ./bs2 worktree --force"
restore
trap - EXIT

# 3. In step: nothing to do.
said=$(sync_state)
[ "$said" = state=patches ] || fail "in step with patches/, yet it said: $said"
[ "$(git -C "$WORKTREE" rev-parse HEAD)" = "$head" ] || fail "a worktree in step was changed"
echo "ok: a worktree in step with patches/ is left alone"
rm -rf "$scratch" "$scratch.build.log"
