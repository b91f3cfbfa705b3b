#!/bin/sh
# QEMU 10 beside the system's QEMU 7.2: qemu-system-x86 from Debian's
# bookworm-backports, unpacked under build/qemu10/root and never installed.
# Tests run it inside the guests, whose root is this machine's, read-only:
# so it lives in files under the checkout and runs by path, through
# test/vm/qemu10-run.sh (build/qemu10/qemu-system-x86_64 links to it),
# while `qemu-system-x86_64` and dpkg keep Debian's 7.2.
#
# It adds a bookworm-backports apt source when none is configured (backports
# are NotAutomatic: nothing installed changes unless asked for with
# -t bookworm-backports), lets apt's resolver choose the packages that
# QEMU 10 needs beyond what is installed, downloads them to a cache of its
# own and unpacks them with dpkg-deb -x.  Done once per version: a second run
# finds build/qemu10/version matching and returns at once.
#
# Usage: qemu10.sh   (test/vm/deps.sh qemu10, `make check` and `make stock`)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/build/qemu10
suite=bookworm-backports
pkg=qemu-system-x86
src=/etc/apt/sources.list.d/debian-backports.sources
# another apt run (the stock lane's deps.sh) is waited for, not failed on
lock="-o DPkg::Lock::Timeout=900"

have_version() {
	[ -x "$dir/root/usr/bin/qemu-system-x86_64" ] && [ -f "$dir/version" ] &&
		cat "$dir/version"
}

link_wrapper() {
	[ "$(readlink "$dir/qemu-system-x86_64")" = ../../test/vm/qemu10-run.sh ] ||
		ln -sfn ../../test/vm/qemu10-run.sh "$dir/qemu-system-x86_64"
}

has_source() {
	grep -Eqs "^[^#]*[[:space:]]$suite([[:space:]]|\$)" \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
}

# the candidate of qemu-system-x86 when asked for from backports
candidate() {
	apt-cache -t "$suite" policy "$pkg" 2>/dev/null |
		sed -n 's/^  Candidate: //p' | grep -v '^(none)$' || true
}

# Not root: what is unpacked is used as it is.
if [ "$(id -u)" != 0 ] && ! has_source; then
	if have_version > /dev/null; then
		link_wrapper
		exit 0
	fi
	echo "qemu10: no $suite apt source; run as root: $0" >&2
	exit 1
fi

mkdir -p "$dir"
# One tree at a time adds the source and updates its lists (apt's lists
# lock does not wait): a lock on the sources directory itself.
if ! has_source; then
	exec 8< /etc/apt/sources.list.d
	flock 8
fi
if ! has_source; then
	# the mirror of bookworm, and its snapshot comment if it has one
	# shellcheck disable=SC2016
	mirror=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
		awk '$1 == "bookworm" { print $2; exit }')
	mirror=${mirror:-http://deb.debian.org/debian/}
	mirror=${mirror%/}
	snapshot=$(grep -hsm1 '^# *https\?://snapshot\.debian\.org/archive/debian/[0-9TZ]*$' \
		/etc/apt/sources.list.d/*.sources || true)
	echo "qemu10: adding the $suite apt source ($src)"
	{
		echo "# $suite, for QEMU 10 unpacked under a WarpDrive checkout's"
		echo "# build/qemu10 (test/vm/qemu10.sh).  NotAutomatic: nothing"
		echo "# installs from it unless asked for with -t $suite."
		echo "Types: deb"
		[ -z "$snapshot" ] || echo "$snapshot"
		echo "URIs: $mirror"
		echo "Suites: $suite"
		echo "Components: main"
		echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	} > "$src.tmp"
	mv "$src.tmp" "$src"
	# its lists alone: the others stay as they are
	# shellcheck disable=SC2086
	apt-get update $lock -o Dir::Etc::sourcelist="$src" \
		-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
	# What is installed stays: an upgrade takes nothing from backports.
	from_bp=$(apt-get -s upgrade | grep '^Inst .*Backports' || true)
	if [ -n "$from_bp" ]; then
		echo "qemu10: with $suite, apt-get upgrade would install:" >&2
		echo "$from_bp" >&2
		echo "qemu10: removing $src again" >&2
		rm -f "$src"
		exit 1
	fi
fi
exec 8<&-

want=$(candidate)
if [ -z "$want" ]; then
	# a source configured by hand, its lists not downloaded yet
	# shellcheck disable=SC2086
	[ "$(id -u)" = 0 ] && apt-get update $lock
	want=$(candidate)
fi
case $want in
1:10.*) ;;
*)
	if got=$(have_version); then
		echo "qemu10: $suite offers $pkg '${want:-nothing}'; keeping $got" >&2
		link_wrapper
		exit 0
	fi
	echo "qemu10: $suite offers $pkg '${want:-nothing}', not 1:10.x" >&2
	exit 1
	;;
esac

got=$(have_version || true)
[ "$got" = "$want" ] && { link_wrapper; exit 0; }
if [ -n "$got" ] && [ "$(id -u)" != 0 ]; then
	echo "qemu10: $suite has $pkg $want; keeping $got (run as root: $0)" >&2
	link_wrapper
	exit 0
fi

# One unpacker per tree; a second one waits, then finds it done.
exec 9> "$dir/.lock"
flock 9
[ "$(have_version || true)" = "$want" ] && { link_wrapper; exit 0; }

echo "qemu10: unpacking $pkg $want from $suite into $dir/root"
debs=$dir/debs
rm -rf "$debs" "$dir/root.new"
mkdir -p "$debs/partial"
# apt's resolver against what is installed: QEMU 10 and exactly the
# packages it lacks (newer qemu-system-common, -data, seabios, ...),
# into our own cache; no dpkg run, nothing installed.
fetch() {
	# shellcheck disable=SC2086
	apt-get install $lock -y -qq --download-only --no-install-recommends \
		-t "$suite" -o Dir::Cache::archives="$debs/" "$pkg=$want"
}
if ! fetch; then
	# stale lists: the mirror has moved on
	# shellcheck disable=SC2086
	[ "$(id -u)" = 0 ] && apt-get update $lock
	want=$(candidate)
	fetch
fi
mkdir -p "$dir/root.new"
: > "$dir/packages.new"
for deb in "$debs"/*.deb; do
	[ -f "$deb" ] || {
		echo "qemu10: apt downloaded nothing (is $pkg $want installed?)" >&2
		exit 1
	}
	dpkg-deb -x "$deb" "$dir/root.new"
	# shellcheck disable=SC2016
	dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb" >> "$dir/packages.new"
done
grep -qx "$pkg $want" "$dir/packages.new" ||
	{ echo "qemu10: apt did not download $pkg $want" >&2; exit 1; }

rm -rf "$dir/root" "$debs"
mv "$dir/root.new" "$dir/root"
mv "$dir/packages.new" "$dir/packages"
link_wrapper
"$dir/qemu-system-x86_64" --version | grep -q "^QEMU emulator version 10\\." ||
	{ echo "qemu10: $dir/qemu-system-x86_64 does not run" >&2; exit 1; }
echo "$want" > "$dir/version"
echo "qemu10: unpacked $(tr '\n' ',' < "$dir/packages" | sed 's/,$//; s/,/, /g')"
