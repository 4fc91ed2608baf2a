#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package make deb built (tests/boot/run.sh builds it): what it
# carries and where, its Depends (libteam5 and libsystemd0 are loaded at
# run time, so no shlibs entry names them), nothing in /etc/hanet an
# upgrade would overwrite, and lintian: no error, no warning that
# debian/hanet.lintian-overrides does not explain.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu
cd "$HN_TOP"
debs=(build/deb/hanet_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || hn_fail "no build/deb/hanet_*.deb (make deb)"
v=$(cat VERSION)
[ "$deb" = "build/deb/hanet_${v}_$(dpkg-architecture -qDEB_HOST_ARCH).deb" ] || hn_fail "unexpected name $deb"

files=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
for f in /usr/sbin/hanet /usr/share/man/man8/hanet.8.gz /usr/share/man/man5/hanet.ini.5.gz \
	/lib/systemd/system/hanet-apply@.service /lib/systemd/system/hanet-watch@.service \
	/usr/lib/ocf/resource.d/hanet/hanet-vip /usr/share/hanet/keepalived/hanet-notify \
	/usr/share/bash-completion/completions/hanet /usr/share/doc/hanet/examples/controller-ab.ini \
	/usr/share/doc/hanet/README.Debian /usr/share/doc/hanet/copyright; do
	grep -qx "$f" <<<"$files" || hn_fail "$deb has no $f"
done
# the units name the installed binary
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/hanet-apply@.service |
	grep -q '^ExecStart=/usr/sbin/hanet apply ' || hn_fail "apply unit: ExecStart"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/ocf/resource.d/hanet/hanet-vip |
	grep -q '/usr/sbin/hanet' || hn_fail "OCF agent does not name /usr/sbin/hanet"
# nothing under /etc/hanet but the directory, no conffile there
grep '^/etc/hanet/.' <<<"$files" && hn_fail "the package has files in /etc/hanet"
if dpkg-deb -I "$deb" conffiles >/dev/null 2>&1; then
	dpkg-deb -I "$deb" conffiles | grep -q '^/etc/hanet' && hn_fail "conffiles in /etc/hanet"
fi
dep=$(dpkg-deb -f "$deb" Depends)
for l in libteam5 libsystemd0 libmnl0 libc6; do
	grep -Eq "(^|, )$l( |,|$)" <<<"$dep" || hn_fail "Depends lacks $l: $dep"
done

command -v lintian >/dev/null || hn_fail "lintian missing (tools/setup.sh)"
out=$(lintian --allow-root --tag-display-limit 0 build/deb/hanet_"${v}"_*.changes 2>&1) || true
echo "$out" | sed 's/^/  /'
tags=$(grep -E '^[EW]: ' <<<"$out" || true)
[ -z "$tags" ] || hn_fail "lintian errors or warnings: $tags"
echo "# lintian: $(grep -c '^I: ' <<<"$out" || true) info tags, no error, no warning"
