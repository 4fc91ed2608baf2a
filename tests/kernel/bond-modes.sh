#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A bond in every mode, two veth slaves each: the mode as ip -d -j link
# and /proc/net/bonding report it, the slaves attached, and a second
# apply that does nothing.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

modes="balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb"
declare -A proc=(
	[balance-rr]="load balancing (round-robin)"
	[active-backup]="fault-tolerance (active-backup)"
	[balance-xor]="load balancing (xor)"
	[broadcast]="fault-tolerance (broadcast)"
	[802.3ad]="IEEE 802.3ad Dynamic link aggregation"
	[balance-tlb]="transmit load balancing"
	[balance-alb]="adaptive load balancing"
)

p=$HN_TMP/modes.ini
: >"$p"
i=0
veths=
for m in $modes; do
	veths+=" s${i}a s${i}b"
	cat >>"$p" <<EOT
[bond bm$i]
mode = $m
slaves = s${i}a, s${i}b
miimon = 50

EOT
	i=$((i + 1))
done

kl_veths $veths
kl_apply "$p"
i=0
expect=
shown=
for m in $modes; do
	b=bm$i
	expect+="$b mode $m
$b miimon 50
$b .operstate UP
s${i}a .master $b
s${i}b .master $b
s${i}a @slave.mii_status UP
"
	shown+="$b mode $m
$b miimon 50
$b slaves s${i}a,s${i}b
"
	hn_assert_eq "$(kl_bonding $b "Bonding Mode")" "${proc[$m]}" "$b: /proc/net/bonding mode"
	hn_assert_eq "$(kl_bonding_slaves $b)" "s${i}a s${i}b" "$b: slaves in /proc/net/bonding"
	i=$((i + 1))
done
kl_expect_ip <<<"$expect"
kl_expect_show <<<"$shown"
kl_apply_noop "$p"
