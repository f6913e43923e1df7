# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the bs2ramfs tooling. Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../pin.conf
. "$TOP/pin.conf"
# shellcheck source=../series.conf
. "$TOP/series.conf"
SERIES_IDENTITY=${BS2_IDENTITY:-$SERIES_IDENTITY}
SERIES_NAME=${SERIES_IDENTITY% <*}
SERIES_EMAIL=${SERIES_IDENTITY##*<}
SERIES_EMAIL=${SERIES_EMAIL%>}

read -r KERNEL_PKGVER KERNEL_SUITE KERNEL_SHA256 <<<"$KERNEL_PIN"
KERNEL_PACKAGE=${KERNEL_PKGVER%%=*}
KERNEL_VERSION=${KERNEL_PKGVER#*=}

# Everything heavy lives outside the clone, so that CI and later sessions reuse it.
CACHE=${BS2_CACHE:-/var/cache/bs2ramfs}

# Cache keys: a change of the pin or of the toolchain package list gives new folders,
# so a stale cache can never stand in for a fresh one.
key() { printf '%s' "$*" | sha256sum | cut -c1-12; }
BASE_KEY=$(key "$KERNEL_PIN" v1)
CHROOT_KEY=$(key "$TOOLCHAIN_SUITE" $TOOLCHAIN_PACKAGES v1)
BASE_REPO=$CACHE/base-$BASE_KEY
CHROOT=$CACHE/chroot-$CHROOT_KEY
BUILD_ROOT=$CACHE/build-$CHROOT_KEY-$BASE_KEY
WORKTREE=${BS2_WORKTREE:-$CACHE/worktree}
CARGO_CACHE=$CACHE/cargo-$CHROOT_KEY

# The fixed identity and date of the base commit (reproducible hashes).
BASE_IDENT_NAME="bs2ramfs base"
BASE_IDENT_EMAIL="base@bs2ramfs.invalid"
BASE_DATE="2000-01-01T00:00:00Z"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"; }

# The host's own Debian mirror, read from its apt sources, so that no host name is
# written into the project.
host_mirror() {
	local uri
	uri=$(awk '/^URIs:/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || die "cannot find a Debian mirror in the host's apt sources"
	printf '%s\n' "$uri"
}

# Run a command inside the toolchain chroot, in a private mount namespace: the mounts
# vanish with the command. The clone and the cache appear at the same paths inside.
in_chroot() {
	[ -x "$CHROOT/usr/bin/rustc" ] || die "no toolchain chroot at $CHROOT (run tools/setup)"
	local binds=("$TOP" "$CACHE")
	[ -n "${BS2_EXTRA_BIND:-}" ] && binds+=("$BS2_EXTRA_BIND")
	unshare --mount --propagation private -- bash -euc '
		root=$1; shift; n=$1; shift
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmpfs "$root/tmp"
		# KVM does not run guests here: hide it so QEMU cannot hang trying it.
		[ -e "$root/dev/kvm" ] && mount --bind /dev/null "$root/dev/kvm"
		for ((i = 0; i < n; i++)); do
			mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift
		done
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		# Trust what the host trusts (registries may be reached through a TLS proxy).
		ca=/etc/ssl/certs/ca-certificates.crt
		[ -s "$ca" ] && [ -e "$root$ca" ] && mount --bind -o ro "$ca" "$root$ca"
		exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 CARGO_HOME="$CARGO_HOME" "$@"
	' bash "$CHROOT" "${#binds[@]}" "${binds[@]}" "$@"
}
export CARGO_HOME=$CARGO_CACHE

# Make with the kernel's LLVM toolchain, out of tree.
kmake() { local tree=$1 out=$2; shift 2; in_chroot make -C "$tree" O="$out" LLVM=1 -j"$(nproc)" "$@"; }

# Whether commit $2 of the kernel tree $1 is one of Series A's: the abstractions and the C
# changes they need, which all come before the commit that adds fs/bs2ramfs (Series B).
in_series_a() { ! git -C "$1" cat-file -e "$2:fs/bs2ramfs/Kconfig" 2>/dev/null; }

# The patch files of a series folder, in order, without the cover letter.
series_patches() { find "$TOP/patches/$1" -name '*.patch' ! -name '*0000-cover-letter.patch' | sort; }

# Make (or reset) a git worktree of the base at $1 on branch $2 with both series
# applied by `git am`. The committer is the series identity and committer dates are
# the author dates, so that the commit hashes are the same on every machine.
make_tree() {
	local dir=$1 branch=$2 p
	if [ -e "$dir/.git" ] && [ "$(git -C "$dir" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != "$BASE_REPO/.git" ]; then
		log "$dir belongs to another base: making it anew"
		rm -rf "$dir"
	fi
	if [ ! -e "$dir/.git" ]; then
		git -C "$BASE_REPO" worktree prune
		git -C "$BASE_REPO" worktree add -q -f -B "$branch" "$dir" base
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f -B "$branch" base
	git -C "$dir" clean -q -f -d -x
	local patches=()
	for s in series-a series-b; do
		while IFS= read -r p; do patches+=("$p"); done < <(series_patches "$s")
	done
	[ ${#patches[@]} = 0 ] && return
	GIT_COMMITTER_NAME="$SERIES_NAME" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
		git -C "$dir" -c core.whitespace=-blank-at-eof am -q --committer-date-is-author-date \
		--no-3way "${patches[@]}" || die "git am failed in $dir"
}

# codespell's dictionary less the words that checkpatch-ci/codespell-ignore.txt lists as
# kernel identifiers, for checkpatch --codespellfile; prints its path.
codespell_dictionary() {
	local dict=$CACHE/codespell-dictionary.txt src
	src=$(in_chroot python3 -c 'import codespell_lib, os; print(os.path.join(os.path.dirname(codespell_lib.__file__), "data", "dictionary.txt"))')
	grep -v '^#' "$TOP/checkpatch-ci/codespell-ignore.txt" | cut -f1 >"$dict.ignore"
	in_chroot cat "$src" | awk -F'->' 'NR == FNR { ignore[$1] = 1; next } !($1 in ignore)' "$dict.ignore" - >"$dict.new"
	mv "$dict.new" "$dict"
	echo "$dict"
}
