#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Rollback covers bonds, teams, VLANs and macvlans: a change of a profile
# (a bond's mode: slaves released and attached again; a VLAN made again
# with another id, a macvlan on it; a team's mode and a port priority)
# fails at each of its steps in turn (HANET_FAIL_AT) and every time the
# kernel is back where it was, the team's settings included.  Then
# apply --confirm: without a confirmation the change is rolled back when
# the time is up; with `hanet confirm` it stays.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
kl_veths s1 s2 t1 t2
p=$HN_TMP/rb.ini
a=$HN_TMP/a.ini
b=$HN_TMP/b.ini
cat >"$a" <<'EOT'
[profile]
name = krb

[bond bond0]
mode = active-backup
slaves = s1, s2
miimon = 10
num_grat_arp = 3

[vlan bond0.100]
link = bond0
id = 100
addresses = 192.0.2.11/24

[macvlan api0]
link = bond0.100
mode = bridge

[team team0]
mode = activebackup
ports = t1, t2
priority.t2 = 10
EOT
sed 's/^mode = active-backup$/mode = balance-xor\nxmit_hash_policy = layer3+4/; /^num_grat_arp/d; s/^id = 100$/id = 101/;
     s/^mode = activebackup$/mode = roundrobin/; s/^priority.t2 = 10$/priority.t2 = 20/' "$a" >"$b"

cp "$a" "$p"
hk_apply "$p"
# the links and addresses, and the team as its backend sees it
rb_state() {
	hk_state
	"$KL_TOOL" show team0
}
rb_state >"$HN_TMP/state-a"
cp "$b" "$p"
hk_fail_each_step change "$p" rb_state "$HN_TMP/state-a" 8
hk_noop "$a"

# --confirm, not confirmed: rolled back when the time is up (bounded wait)
cp "$b" "$p"
hk_apply "$p" --confirm 2s
echo "bond0 mode balance-xor" | kl_expect_ip
# the waiting process has rolled back when its journal is gone: the
# bond's mode comes back before the slaves and the bond's MAC address do
# (undo runs in reverse), so the state is read only then
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
t0=$(now_ms) mode_back=
for ((i = 0; i < 200; i++)); do
	[ -z "$mode_back" ] && [ "$(kl_ipfield bond0 linkinfo.info_data.mode)" = active-backup ] && mode_back=$(now_ms)
	[ -e /run/hanet/confirm/krb.journal ] || break
	sleep 0.1
done
[ -e /run/hanet/confirm/krb.journal ] && hn_fail "not rolled back $(($(now_ms) - t0)) ms after apply --confirm 2s"
grep -q 'not confirmed in time: rolled back$' /run/hanet/confirm/krb.log ||
	hn_fail "the rollback: $(cat /run/hanet/confirm/krb.log)"
echo "rolled back $(($(now_ms) - t0)) ms after apply returned${mode_back:+; the mode of bond0 was back after $((mode_back - t0)) ms}"
rb_state >"$HN_TMP/state"
diff -u "$HN_TMP/state-a" "$HN_TMP/state" || hn_fail "an unconfirmed change was not rolled back"

# --confirm, confirmed: the change stays
hk_apply "$p" --confirm 3s
"$HANET" confirm "$p" || hn_fail "hanet confirm failed"
sleep 4
echo "bond0 mode balance-xor
bond0.100 id 101" | kl_expect_ip
echo "team0 mode roundrobin" | kl_expect_show
hk_noop "$p"
