// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rule that picks tc mode's default devices, on the device list of a
 * host with every kind of stack: `ip -d link` on it shows these devices,
 * kinds, masters (IFLA_MASTER, and the master's kind as the port's
 * IFLA_INFO_SLAVE_KIND) and lower devices (IFLA_LINK, left 0 when the lower
 * device is in another namespace).
 */
#include <stdlib.h>
#include "check.h"
#include "tc_devices.h"

/* An up device; KIND, MASTER, SLAVE_KIND, LINK, DOWN and LOOPBACK add the rest. */
/* clang-format off */
#define DEV(index, devname, ...) { .ifindex = (index), .name = (devname), .up = true, __VA_ARGS__ }
/* clang-format on */
#define KIND(k) .kind = (k)
#define MASTER(index, k) .master = (index), .slave_kind = (k)
#define LINK(index) .link = (index)
#define DOWN .up = false
#define LOOPBACK .loopback = true

/* One device a line, as ip link lists them. */
/* clang-format off */
static const struct tc_device host[] = {
	DEV(1, "lo", LOOPBACK),
	DEV(2, "eth0"),                                         /* addresses of its own */
	DEV(3, "eth1", MASTER(7, "bond")),
	DEV(4, "eth2", MASTER(7, "bond")),
	DEV(5, "eth3", MASTER(9, "bridge")),
	DEV(6, "eth4", DOWN),
	DEV(7, "bond0", KIND("bond")),
	DEV(8, "bond0.100", KIND("vlan"), LINK(7)),
	DEV(9, "br0", KIND("bridge")),
	DEV(10, "vnet0", KIND("tun"), MASTER(9, "bridge")),     /* a VM's tap */
	DEV(11, "eth0.200", KIND("vlan"), LINK(2)),
	DEV(12, "eth0.200.300", KIND("vlan"), LINK(11)),        /* QinQ */
	DEV(13, "eth3.5", KIND("vlan"), LINK(5)),               /* on a bridge port */
	DEV(14, "veth1a", KIND("veth")),                        /* peer in a container */
	DEV(15, "docker0", KIND("bridge"), DOWN),
	DEV(16, "vethd", KIND("veth"), MASTER(15, "bridge"), LINK(14)),
	DEV(17, "vrf-blue", KIND("vrf")),
	DEV(18, "eth5", MASTER(17, "vrf")),
	DEV(19, "macvlan0", KIND("macvlan"), LINK(2)),
	DEV(20, "wg0", KIND("wireguard")),
	DEV(21, "br0.10", KIND("vlan"), LINK(9)),
	DEV(22, "eth6", MASTER(23, "openvswitch")),
	DEV(23, "ovs-system", KIND("openvswitch"), DOWN),
	DEV(24, "br-ex", KIND("openvswitch")),                  /* OVS internal port */
	DEV(25, "eth7", MASTER(26, "team")),
	DEV(26, "team0", KIND("team")),
	DEV(27, "eth8", MASTER(9, "")),                         /* no IFLA_INFO_SLAVE_KIND */
	DEV(28, "eth9", MASTER(17, "")),
	DEV(29, "ipvl0", KIND("ipvlan"), LINK(7)),
	DEV(30, "mvtap0", KIND("macvtap"), LINK(11)),           /* on a VLAN on eth0 */
	DEV(31, "vx0", KIND("vxlan"), LINK(2)),                 /* a tunnel: another packet */
	DEV(32, "macvlan1", KIND("macvlan")),                   /* lower in another namespace */
	DEV(33, "eth4.9", KIND("vlan"), LINK(6)),               /* on a device that is down */
};
/* clang-format on */
#define N_HOST (sizeof(host) / sizeof(host[0]))

struct expected {
	const char *name;
	enum tc_device_verdict verdict;
	unsigned int counted_on;
};

/* clang-format off */
static const struct expected want[N_HOST] = {
	{ "lo", TC_DEVICE_LOOPBACK, 0 },
	{ "eth0", TC_DEVICE_ATTACH, 0 },
	{ "eth1", TC_DEVICE_PORT, 7 },
	{ "eth2", TC_DEVICE_PORT, 7 },
	{ "eth3", TC_DEVICE_PORT, 9 },
	{ "eth4", TC_DEVICE_DOWN, 0 },
	{ "bond0", TC_DEVICE_ATTACH, 0 },
	{ "bond0.100", TC_DEVICE_STACKED, 7 },
	{ "br0", TC_DEVICE_ATTACH, 0 },
	{ "vnet0", TC_DEVICE_PORT, 9 },
	{ "eth0.200", TC_DEVICE_STACKED, 2 },
	{ "eth0.200.300", TC_DEVICE_STACKED, 2 },
	{ "eth3.5", TC_DEVICE_ATTACH, 0 },
	{ "veth1a", TC_DEVICE_ATTACH, 0 },
	{ "docker0", TC_DEVICE_DOWN, 0 },
	{ "vethd", TC_DEVICE_PORT, 15 },
	{ "vrf-blue", TC_DEVICE_ATTACH, 0 },
	{ "eth5", TC_DEVICE_ATTACH, 0 },
	{ "macvlan0", TC_DEVICE_STACKED, 2 },
	{ "wg0", TC_DEVICE_ATTACH, 0 },
	{ "br0.10", TC_DEVICE_STACKED, 9 },
	{ "eth6", TC_DEVICE_PORT, 23 },
	{ "ovs-system", TC_DEVICE_DOWN, 0 },
	{ "br-ex", TC_DEVICE_ATTACH, 0 },
	{ "eth7", TC_DEVICE_PORT, 26 },
	{ "team0", TC_DEVICE_ATTACH, 0 },
	{ "eth8", TC_DEVICE_PORT, 9 },
	{ "eth9", TC_DEVICE_ATTACH, 0 },
	{ "ipvl0", TC_DEVICE_STACKED, 7 },
	{ "mvtap0", TC_DEVICE_STACKED, 2 },
	{ "vx0", TC_DEVICE_ATTACH, 0 },
	{ "macvlan1", TC_DEVICE_ATTACH, 0 },
	{ "eth4.9", TC_DEVICE_ATTACH, 0 },
};
/* clang-format on */

static void test_host(void)
{
	struct tc_device_choice choice[N_HOST];
	size_t attached = tc_devices_select(host, N_HOST, choice), n = 0;

	for (size_t i = 0; i < N_HOST; i++) {
		CHECK_STR_EQ(host[i].name, want[i].name);
		if (choice[i].verdict != want[i].verdict ||
		    choice[i].counted_on != want[i].counted_on)
			fprintf(stderr, "%s: verdict %d on %u, expected %d on %u\n", host[i].name,
				choice[i].verdict, choice[i].counted_on, want[i].verdict,
				want[i].counted_on);
		CHECK(choice[i].verdict == want[i].verdict);
		CHECK(choice[i].counted_on == want[i].counted_on);
		n += want[i].verdict == TC_DEVICE_ATTACH;
	}
	CHECK(attached == n);
}

/* The stack is followed through the list's own order, whatever it is. */
static void test_order(void)
{
	const struct tc_device devs[] = {
		DEV(12, "eth0.200.300", KIND("vlan"), LINK(11)),
		DEV(11, "eth0.200", KIND("vlan"), LINK(2)),
		DEV(2, "eth0"),
	};
	struct tc_device_choice choice[3];

	CHECK(tc_devices_select(devs, 3, choice) == 1);
	CHECK(choice[0].verdict == TC_DEVICE_STACKED && choice[0].counted_on == 2);
	CHECK(choice[1].verdict == TC_DEVICE_STACKED && choice[1].counted_on == 2);
	CHECK(choice[2].verdict == TC_DEVICE_ATTACH);
}

/* Links that loop (no kernel makes them) end the walk rather than the daemon. */
static void test_loop(void)
{
	const struct tc_device devs[] = {
		DEV(1, "a", KIND("vlan"), LINK(2)),
		DEV(2, "b", KIND("vlan"), LINK(1)),
	};
	struct tc_device_choice choice[2];

	tc_devices_select(devs, 2, choice);
	CHECK(choice[0].verdict != TC_DEVICE_DOWN && choice[1].verdict != TC_DEVICE_DOWN);
}

/* A bridge with one veth port, as the integration test builds it. */
static void test_bridge_with_one_port(void)
{
	const struct tc_device devs[] = {
		DEV(1, "lo", LOOPBACK),
		DEV(2, "pdtt0", KIND("veth"), MASTER(3, "bridge")),
		DEV(3, "pdttbr0", KIND("bridge")),
	};
	struct tc_device_choice choice[3];

	CHECK(tc_devices_select(devs, 3, choice) == 1);
	CHECK(choice[2].verdict == TC_DEVICE_ATTACH);
	CHECK(choice[1].verdict == TC_DEVICE_PORT && choice[1].counted_on == 3);
	CHECK_STR_EQ(tc_device_why(choice[1].verdict), "is a port of");
}

static void test_nothing(void)
{
	const struct tc_device devs[] = { DEV(1, "lo", LOOPBACK), DEV(2, "eth0", DOWN) };
	struct tc_device_choice choice[2];

	CHECK(tc_devices_select(devs, 2, choice) == 0);
	CHECK(tc_devices_select(devs, 0, choice) == 0);
}

/* The namespace the test runs in has at least loopback, found by the netlink dump. */
static void test_read(void)
{
	struct tc_device *devs = NULL;
	size_t n = 0;
	bool lo = false;

	CHECK(tc_devices_read(&devs, &n) == 0);
	for (size_t i = 0; i < n; i++)
		lo = lo || (devs[i].loopback && devs[i].ifindex && devs[i].name[0]);
	CHECK(lo);
	free(devs);
}

int main(void)
{
	test_host();
	test_order();
	test_loop();
	test_bridge_with_one_port();
	test_nothing();
	test_read();
	return check_summary("test_tc_devices");
}
