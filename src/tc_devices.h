/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The devices tc mode attaches to when the configuration lists none
 * (interfaces = [ ]): one rule, so that each packet of the host is counted
 * on exactly one device, whatever stack of bridges, bonds, VLANs and
 * macvlans it crosses. tc_devices_select() is the rule, pure logic over a
 * device list (unit-tested on a recorded one); tc_devices_read() lists the
 * devices of pdttd's network namespace.
 */
#ifndef PDTT_TC_DEVICES_H
#define PDTT_TC_DEVICES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define TC_DEVICE_KIND_LEN 16

/* One network device, as `ip -d link` shows it. */
struct tc_device {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	bool up;                             /* IFF_UP */
	bool loopback;                       /* IFF_LOOPBACK */
	char kind[TC_DEVICE_KIND_LEN];       /* IFLA_INFO_KIND: "vlan", "bridge"... ("" physical) */
	unsigned int master;                 /* IFLA_MASTER: the device it is enslaved to, or 0 */
	char slave_kind[TC_DEVICE_KIND_LEN]; /* IFLA_INFO_SLAVE_KIND: the master's kind */
	unsigned int link; /* IFLA_LINK in this namespace (the lower device), or 0 */
};

enum tc_device_verdict {
	TC_DEVICE_ATTACH,   /* counted here */
	TC_DEVICE_DOWN,     /* not up */
	TC_DEVICE_LOOPBACK, /* loopback: never by default */
	TC_DEVICE_PORT,     /* a port of a bridge, bond, team...: counted on its master */
	TC_DEVICE_STACKED,  /* a VLAN or macvlan: counted on the device below it */
};

struct tc_device_choice {
	enum tc_device_verdict verdict;
	unsigned int counted_on; /* PORT, STACKED: the ifindex the traffic is counted on */
};

/*
 * The rule, for each of devs[n] into choice[n]; returns how many are
 * attached. A device is attached when it is up, not loopback, not a port of
 * a master that receives and sends its traffic again as its own (any master
 * but a VRF), and not stacked (VLAN, macvlan, macvtap, ipvlan, ipvtap) on a
 * device whose hooks already see its frames.
 */
size_t tc_devices_select(const struct tc_device *devs, size_t n, struct tc_device_choice *choice);

/*
 * Why a device is not attached, for the log: "is down", "is loopback", or
 * followed by the device that counts its traffic, "is a port of" and "is
 * stacked on" ("" for TC_DEVICE_ATTACH).
 */
const char *tc_device_why(enum tc_device_verdict verdict);

/* The device of devs[n] with this ifindex, or NULL. */
const struct tc_device *tc_device_by_index(const struct tc_device *devs, size_t n,
					   unsigned int ifindex);

/* The devices of the current network namespace, in *devs (malloc'd); 0 or -errno. */
int tc_devices_read(struct tc_device **devs, size_t *n);

#endif /* PDTT_TC_DEVICES_H */
