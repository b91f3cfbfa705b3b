#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# wdcdi: a Container Device Interface (CDI) specification for a WarpDrive
# access point, so that podman, containerd or CRI-O hand it to a container
# by name:
#
#	mdevctl start -u $UUID -p vzip-0 -t uacce-ap4
#	wdcdi $UUID				# writes /etc/cdi/warpdrive-$UUID.json
#	podman run --device warpdrive.io/uacce=$UUID ...
#
# The container gets the instance's node /dev/<name> (read-write, nothing
# else: the runtime's device cgroup allows only it), WD_DEVICE_<CLASS>=<name>
# (CLASS: the device's api attribute up to its first '_', in upper case:
# vzip_v1 gives WD_DEVICE_VZIP), which makes libwarpdrive use it for that
# class, and WD_DEVICE=<name> for libraries older than WD_DEVICE_<CLASS>.
# A container given an access point of each class gets one WD_DEVICE_<CLASS>
# each, so every class finds its own.  The node's name and number are those of
# the running instance: run wdcdi again after the instance is re-created.
#
# POSIX sh and sysfs only.  Documentation/mdev.rst describes the flow.
set -u

KIND=warpdrive.io/uacce
CDI_VERSION=0.5.0

usage() {
	cat <<EOF
usage: wdcdi [-o DIR | -c] UUID      write DIR/warpdrive-UUID.json (DIR: /etc/cdi)
       wdcdi [-o DIR] -r UUID        remove it
  -o DIR   directory of CDI specifications (default /etc/cdi)
  -c       print the specification on stdout instead
  -r       remove the specification of UUID
The device is then requested as $KIND=UUID.
EOF
	exit 2
}

die() {
	echo "wdcdi: $*" >&2
	exit 1
}

dir=/etc/cdi
stdout=false
remove=false
while getopts o:cr opt; do
	case $opt in
	o) dir=$OPTARG ;;
	c) stdout=true ;;
	r) remove=true ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || usage
uuid=$1

# a UUID, as mdev names its devices: lower-case, 8-4-4-4-12 hex digits
hex='[0-9a-f]'
h4="$hex$hex$hex$hex"
case "$uuid" in
$h4$h4-$h4-$h4-$h4-$h4$h4$h4) ;;
*) die "'$uuid' is not a UUID in lower case" ;;
esac
spec=$dir/warpdrive-$uuid.json

if $remove; then
	rm -f "$spec" || die "cannot remove $spec"
	exit 0
fi

mdev=/sys/bus/mdev/devices/$uuid
[ -d "$mdev" ] || die "no mdev $uuid (start it first: mdevctl start -u $uuid)"
[ -r "$mdev/access_point/name" ] ||
	die "$uuid is not a WarpDrive access point (type $(basename "$(readlink "$mdev/mdev_type")"))"
name=$(cat "$mdev/access_point/name") || die "cannot read $mdev/access_point/name"
case "$name" in
*[!A-Za-z0-9_.-]* | "") die "unexpected device name '$name'" ;;
esac
devno=$(cat "/sys/class/uacce/$name/dev") || die "no uacce device $name"
major=${devno%:*}
minor=${devno#*:}
case "$major$minor" in
*[!0-9]* | "") die "unexpected device number '$devno' of $name" ;;
esac
[ -c "/dev/$name" ] || die "/dev/$name is missing"
# the class of the device: its api up to the first '_' (vzip_v1: VZIP)
api=$(cat "/sys/class/uacce/$name/api") || die "cannot read the api of $name"
class=$(printf '%s' "${api%%_*}" | tr '[:lower:]' '[:upper:]')
case "$class" in
*[!A-Z0-9]* | "") die "unexpected api '$api' of $name" ;;
esac

json() {
	cat <<EOF
{
  "cdiVersion": "$CDI_VERSION",
  "kind": "$KIND",
  "devices": [
    {
      "name": "$uuid",
      "containerEdits": {
        "env": [
          "WD_DEVICE=$name",
          "WD_DEVICE_$class=$name"
        ],
        "deviceNodes": [
          {
            "path": "/dev/$name",
            "type": "c",
            "major": $major,
            "minor": $minor,
            "permissions": "rw"
          }
        ]
      }
    }
  ]
}
EOF
}

if $stdout; then
	json
	exit 0
fi

mkdir -p "$dir" || die "cannot create $dir"
# written whole or not at all: runtimes may read the directory any time
tmp=$dir/.warpdrive-$uuid.json.$$
trap 'rm -f "$tmp"' EXIT
json > "$tmp" && chmod 644 "$tmp" && mv -f "$tmp" "$spec" ||
	die "cannot write $spec"
trap - EXIT
echo "$spec: $KIND=$uuid is /dev/$name ($major:$minor)"
