# SPDX-License-Identifier: GPL-2.0
# Sourced after tools/lib.sh by the commands that build from the developer's worktree or check
# the machine first (tools/demo, tools/run, tools/test, ./bs2 build, tests/demo-fresh.sh):
# pre-flight, and the worktree kept in step with patches/. Kept out of lib.sh, which
# checkpatch-ci hashes into the key of every patch's cached result: a change here does not
# make it rebuild every patch.


# preflight demo|test: fail at once, before anything is downloaded or built, on what would fail
# later: not root, a distribution other than Debian 12+ or Ubuntu (BS2_ANY_DISTRO=1 tries
# anyway), too little disk under the cache for what is still missing (estimates in MB from a
# fresh run on the 2-core machine; BS2_MIN_FREE_MB overrides the figure).
preflight() {
	local what=$1 id="" ver="" name="" need=1024 free dir
	need_root
	if [ -r /etc/os-release ]; then
		id=$(. /etc/os-release && echo "${ID:-}")
		ver=$(. /etc/os-release && echo "${VERSION_ID:-}")
		name=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID}")
	fi
	if [ "${BS2_ANY_DISTRO:-0}" != 1 ]; then
		case $id in
		debian) [ -z "$ver" ] || [ "${ver%%.*}" -ge 12 ] ||
			die "this needs Debian 12 or later, or Ubuntu (this is $name); BS2_ANY_DISTRO=1 tries anyway" ;;
		ubuntu) ;;
		*) die "this needs Debian 12 or later, or Ubuntu (this is ${name:-an unknown system}); BS2_ANY_DISTRO=1 tries anyway" ;;
		esac
	fi
	# What a fresh run adds, piece by piece, when the piece is not there yet.
	[ -e "$CHROOT/.complete" ] || need=$((need + 2600))
	[ -e "$BASE_REPO/.git/bs2-complete" ] || need=$((need + 2700))
	case $what in
	demo)
		[ -e "$WORKTREE/.git" ] || need=$((need + 1900))
		[ -e "$(worktree_build_dir y)/vmlinux" ] || need=$((need + 600)) ;;
	test)
		# test-tree, patch-tree, the demo check's tree (1.9 GB each), the =y builds of
		# checkpatch-ci and of the demo check, the =m debug build, suites, b4, logs.
		local d
		for d in test-tree patch-tree demo-fresh-tree; do [ -e "$CACHE/$d/.git" ] || need=$((need + 1900)); done
		for d in patch-y demo-fresh-tree-y; do [ -e "$BUILD_ROOT/$d/vmlinux" ] || need=$((need + 600)); done
		[ -e "$BUILD_ROOT/debug-m/vmlinux" ] || need=$((need + 2500))
		need=$((need + 1000)) ;;
	esac
	need=${BS2_MIN_FREE_MB:-$need}
	dir=$CACHE
	while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
	free=$(df -Pm "$dir" | awk 'NR == 2 {print $4}')
	[ "$free" -ge "$need" ] ||
		die "$dir has $free MB free; ./bs2 $what needs about $need MB there for what the cache lacks (BS2_CACHE moves the cache)"
}

# The build folder of the worktree's kernel, by CONFIG_BS2RAMFS mode: named after the worktree,
# so that two worktrees never share one ($BUILD_ROOT/worktree-y for the default worktree).
worktree_build_dir() { echo "$BUILD_ROOT/$(basename "$WORKTREE")-$1"; }

# The branch a worktree made here gets: bs2ramfs for the default one (as tools/worktree), a branch
# of its own for any other (a branch checked out in two worktrees moves under one of them).
worktree_branch() {
	git -C "$WORKTREE" symbolic-ref -q --short HEAD 2>/dev/null && return
	if [ "$WORKTREE" = "$CACHE/worktree" ]; then echo bs2ramfs; else echo "bs2ramfs-$(basename "$WORKTREE")"; fi
}

# The patch files of patches/ (or of DIR/patches), series A then B, cover letters left out: the
# worktree's commits in order.
commit_patches() {
	local dir=${1:-$TOP} s
	for s in series-a series-b; do
		find "$dir/patches/$s" -name '*.patch' ! -name '*0000-cover-letter.patch' 2>/dev/null | sort
	done
}

# "<git blob id> patches/series-?/<file>" of the commits' patch files of DIR (default: the
# clone), in the order of the commits; or, with a commit of the clone, of patches/ at that
# commit, sorted (compare it with a sorted patches_list).
patches_list() {
	local dir=${1:-$TOP} files
	mapfile -t files < <(commit_patches "$dir")
	[ ${#files[@]} -gt 0 ] || return 0
	paste -d' ' <(printf '%s\n' "${files[@]}" | git hash-object --stdin-paths) \
		<(printf '%s\n' "${files[@]}" | sed "s|^$dir/||")
}
patches_list_commit() {
	git -C "$TOP" ls-tree -r "$1" -- patches/series-a patches/series-b |
		awk '$4 !~ /0000-cover-letter[.]patch$/ && $4 ~ /[.]patch$/ {print $3, $4}' | LC_ALL=C sort
}

# A worktree made here from patches/ records it in its git folder: its HEAD then, and the
# patches_list it was made from. While HEAD is still that commit, the worktree is exactly
# `git am` of those patches, whatever their text (a patch edited by hand need not export back
# to the same bytes).
worktree_stamp() { git -C "$WORKTREE" rev-parse --path-format=absolute --git-path bs2-made-from; }
write_worktree_stamp() {
	{ git -C "$WORKTREE" rev-parse HEAD; patches_list; } >"$(worktree_stamp)"
}

# sync_worktree: make sure that $WORKTREE holds the series of patches/, or say loudly that it
# holds something else. Sets WORKTREE_STATE:
# - patches: its commits are those of patches/. A worktree that is missing, or holds an older
#   series (a `git pull` changed patches/ since) and no work of its own, is made anew from
#   patches/: only the files of the patches from the first one that changed are rewritten, so
#   that an incremental build follows. "Holds an older series and no work of its own": its HEAD
#   is the one it was made with here from patches/ (the stamp above), or, for a worktree made
#   otherwise or changed since, the export of its commits (tools/export, as the round trip of
#   tools/test) is patches/ or a version of it in the clone's git history;
# - worktree: it holds work that patches/ does not have (uncommitted changes or untracked
#   files, an am or rebase stopped half-way, commits whose export is neither patches/ nor any
#   committed version of it): it is kept as it is, and what follows shows it, not patches/.
sync_worktree() {
	local wt=$WORKTREE tmp why="" n stamp current c found=""
	WORKTREE_STATE=patches
	current=$(patches_list)
	if [ ! -e "$wt/.git" ]; then
		log "making the worktree $wt: git am of $(commit_patches | wc -l) patches onto the base (about 20 s)"
		make_tree "$wt" "$(worktree_branch)"
		write_worktree_stamp
		return
	fi
	if [ "$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != "$BASE_REPO/.git" ]; then
		why="it is not a worktree of the current kernel base $BASE_REPO"
	elif [ -n "$(git -C "$wt" status --porcelain)" ]; then
		why="it has uncommitted changes (or files git does not know)"
	elif [ -e "$(git -C "$wt" rev-parse --git-path rebase-apply)" ] ||
		[ -e "$(git -C "$wt" rev-parse --git-path rebase-merge)" ]; then
		why="a git am or rebase is in progress in it"
	fi
	stamp=$(worktree_stamp)
	if [ -z "$why" ] && [ -s "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$(git -C "$wt" rev-parse HEAD)" ]; then
		[ "$(tail -n +2 "$stamp")" != "$current" ] || return 0
		log "patches/ changed since the worktree was made from them: remaking it from patches/"
		refresh_tree "$wt" "$(tail -n +2 "$stamp")"
		return
	fi
	tmp=$(mktemp -d)
	if [ -z "$why" ] && ! "$TOP/tools/export" "$wt" "$tmp" >"$tmp/export.log" 2>&1; then
		why="its commits cannot be exported ($(tail -n 1 "$tmp/export.log"))"
	fi
	if [ -z "$why" ]; then
		local exported
		exported=$(patches_list "$tmp")
		rm -rf "$tmp"
		if [ "$exported" = "$current" ]; then
			write_worktree_stamp
			return
		fi
		# The worktree differs from patches/: it is stale if its series is in the history.
		local sorted
		sorted=$(LC_ALL=C sort <<<"$exported")
		while IFS= read -r c; do
			if [ "$(patches_list_commit "$c")" = "$sorted" ]; then found=$c; break; fi
		done < <(git -C "$TOP" rev-list HEAD -- patches 2>/dev/null || true)
		if [ -n "$found" ]; then
			log "the worktree holds the series of $(git -C "$TOP" log -1 --format='%h (%cs) "%s"' "$found"), not patches/ now: remaking it from patches/"
			refresh_tree "$wt" "$exported"
			return
		fi
		n=$(git -C "$wt" rev-list --count base..HEAD)
		why="its $n commits export to patches that are neither patches/ nor any version of it in this clone's history"
	fi
	rm -rf "$tmp"
	WORKTREE_STATE=worktree
	{
		echo
		echo "NOTE: the worktree $wt has work that is not in patches/: $why."
		echo "      What follows is built from the worktree as it is, NOT from patches/."
		echo "      To keep the work: commit it there, then ./bs2 export (writes it into patches/, replacing them)."
		echo "      To discard it and use patches/: ./bs2 worktree --force"
		echo
	} >&2
}

# refresh_tree DIR OLD: remake the worktree DIR, whose commits were made from the patches that
# OLD lists (patches_list lines), from patches/: the commits before the first patch that
# differs are kept, the rest are applied with git am as make_tree does (same committer and
# dates: the same commits as a fresh make_tree), so that only the files of the changed patches
# and of those after them are rewritten. Records the stamp.
refresh_tree() {
	local dir=$1 keep=0 old new start
	mapfile -t old <<<"$2"
	mapfile -t new < <(patches_list)
	while [ $keep -lt ${#old[@]} ] && [ $keep -lt ${#new[@]} ] && [ "${old[$keep]}" = "${new[$keep]}" ]; do
		keep=$((keep + 1))
	done
	start=base
	[ $keep = 0 ] || start=$(git -C "$dir" rev-list --reverse base..HEAD | sed -n "${keep}p")
	log "keeping the first $keep commits, applying the other $((${#new[@]} - keep)) of the ${#new[@]} patches with git am"
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f -B "$(worktree_branch)" "$start"
	git -C "$dir" clean -q -f -d -x
	if [ $keep -lt ${#new[@]} ]; then
		mapfile -t new < <(commit_patches)
		GIT_COMMITTER_NAME="$SERIES_NAME" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
			git -C "$dir" -c core.whitespace=-blank-at-eof am -q --committer-date-is-author-date \
			--no-3way "${new[@]:$keep}" || die "git am failed in $dir"
	fi
	[ "$(git -C "$dir" rev-list --count base..HEAD)" = ${#new[@]} ] ||
		die "the remade worktree $dir has $(git -C "$dir" rev-list --count base..HEAD) commits on the base, not ${#new[@]}"
	WORKTREE=$dir write_worktree_stamp
}

# worktree_kernel y|m: pre-flight, set-up, the worktree in step with patches/ (sync_worktree)
# and its kernel built with CONFIG_BS2RAMFS=y or =m; sets KERNEL_OUT (the build folder) and
# WORKTREE_STATE. What tools/demo, tools/run and `./bs2 build` start with.
worktree_kernel() {
	local mode=$1 out
	preflight demo
	if [ ! -e "$CHROOT/.complete" ] || [ ! -e "$BASE_REPO/.git/bs2-complete" ]; then
		log "first run: fetching the pinned kernel source (167 MB) and making the toolchain chroot and the base git repository (about 3 min)"
	fi
	"$TOP/tools/setup"
	sync_worktree
	out=$(worktree_build_dir "$mode")
	if [ -e "$out/vmlinux" ]; then
		log "building the kernel in $out (incremental: seconds when nothing changed, 1–5 min after a change of the series)"
	else
		log "building the kernel in $out from nothing (about 10 min on 2 cores)"
	fi
	"$TOP/tools/build" "$WORKTREE" "$out" "$mode"
	KERNEL_OUT=$out
}

# The source of a worktree_kernel build, for the guest's banner.
worktree_source() {
	local head
	head=$(git -C "$WORKTREE" log -1 --format='%h %s')
	if [ "$WORKTREE_STATE" = patches ]; then
		echo "patches/ ($(git -C "$WORKTREE" rev-list --count base..HEAD) commits on the base, tip $head)"
	else
		echo "the worktree $WORKTREE, NOT patches/ (it has unexported work; tip $head)"
	fi
}

# kernel_problems FILE…: the lines of a console or dmesg log that show a kernel problem (the
# patterns of tools/guest); fails when there is none.
kernel_problems() {
	grep -nE 'BUG:|WARNING:|Oops|Kernel panic|kernel BUG|panicked at|KASAN|UBSAN|general protection|Call Trace:|possible circular locking|unreferenced object' "$@"
}
