// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which devices tc mode attaches to by default, so that a packet of the host
 * is counted once however many devices it crosses:
 *
 * - Ports are left out: a bridge port, a bond or team slave, an Open vSwitch
 *   port. Their master receives every frame again as its own (the port's
 *   rx_handler hands it over) and sends through them what it sent itself,
 *   with the same socket, so both would count it. The master is the device
 *   that carries the host's addresses and sees each host packet once, where
 *   a port would also see the frames it merely bridges and a bridge floods
 *   a broadcast out of every port. The exception is a VRF: it sees nothing
 *   of its slaves' traffic on its own hooks (the l3mdev hooks bypass them),
 *   so its slaves are counted as ordinary devices.
 *
 * - A device stacked on another in the same namespace (VLAN, macvlan,
 *   macvtap, ipvlan, ipvtap) is left out when a device below it is attached.
 *   Its frames cross the lower device's hooks too (tagged, or with the tag
 *   in the packet's metadata, which the BPF parser handles), and the lower
 *   device may carry addresses of its own, untagged, that only its hooks
 *   see: so the lower device it is, and the stacked one goes. A VLAN on a
 *   bridge port, or on a device in another namespace, is attached itself:
 *   no attached device below it sees its frames.
 *
 * Tunnels (GRE, VXLAN, WireGuard...) are not stacked in this sense: what
 * crosses the tunnel device is the inner packet, what crosses the lower
 * device is another IP packet, the outer one, so both are attached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include "netlink.h"
#include "tc_devices.h"

static const char *const stacked_kinds[] = { "vlan", "macvlan", "macvtap", "ipvlan", "ipvtap" };

const struct tc_device *tc_device_by_index(const struct tc_device *devs, size_t n,
					   unsigned int ifindex)
{
	for (size_t i = 0; ifindex && i < n; i++)
		if (devs[i].ifindex == ifindex)
			return &devs[i];
	return NULL;
}

static bool is_stacked(const struct tc_device *d)
{
	for (size_t i = 0; i < sizeof(stacked_kinds) / sizeof(stacked_kinds[0]); i++)
		if (strcmp(d->kind, stacked_kinds[i]) == 0)
			return d->link != 0;
	return false;
}

/* A port whose master counts its traffic: enslaved to anything but a VRF. */
static bool is_port(const struct tc_device *d, const struct tc_device *devs, size_t n)
{
	const struct tc_device *master = tc_device_by_index(devs, n, d->master);
	const char *kind = d->slave_kind;

	if (!d->master)
		return false;
	if (!*kind && master)
		kind = master->kind;
	return strcmp(kind, "vrf") != 0;
}

/* The verdict on d alone, its stack aside. */
static enum tc_device_verdict own_verdict(const struct tc_device *d, const struct tc_device *devs,
					  size_t n)
{
	if (!d->up)
		return TC_DEVICE_DOWN;
	if (d->loopback)
		return TC_DEVICE_LOOPBACK;
	if (is_port(d, devs, n))
		return TC_DEVICE_PORT;
	return TC_DEVICE_ATTACH;
}

/*
 * The attached device below a stacked d that sees its frames: the lowest
 * one down the stack that passes on its own (nothing below it can then be
 * attached), or NULL. At most n steps, whatever loop the links make.
 */
static const struct tc_device *carrier_below(const struct tc_device *d,
					     const struct tc_device *devs, size_t n)
{
	const struct tc_device *carrier = NULL;

	for (size_t step = 0; step < n && is_stacked(d); step++) {
		d = tc_device_by_index(devs, n, d->link);
		if (!d)
			break;
		if (own_verdict(d, devs, n) == TC_DEVICE_ATTACH)
			carrier = d;
	}
	return carrier;
}

size_t tc_devices_select(const struct tc_device *devs, size_t n, struct tc_device_choice *choice)
{
	size_t attached = 0;

	for (size_t i = 0; i < n; i++) {
		const struct tc_device *carrier;

		choice[i].verdict = own_verdict(&devs[i], devs, n);
		choice[i].counted_on = 0;
		if (choice[i].verdict == TC_DEVICE_PORT) {
			choice[i].counted_on = devs[i].master;
		} else if (choice[i].verdict == TC_DEVICE_ATTACH &&
			   (carrier = carrier_below(&devs[i], devs, n))) {
			choice[i].verdict = TC_DEVICE_STACKED;
			choice[i].counted_on = carrier->ifindex;
		}
		attached += choice[i].verdict == TC_DEVICE_ATTACH;
	}
	return attached;
}

const char *tc_device_why(enum tc_device_verdict verdict)
{
	switch (verdict) {
	case TC_DEVICE_DOWN:
		return "is down";
	case TC_DEVICE_LOOPBACK:
		return "is loopback";
	case TC_DEVICE_PORT:
		return "is a port of";
	case TC_DEVICE_STACKED:
		return "is stacked on";
	case TC_DEVICE_ATTACH:
		break;
	}
	return "";
}

/* --- reading the devices (rtnetlink) ------------------------------------- */

struct device_list {
	struct tc_device *devs;
	size_t n;
};

static void copy_attr_string(char *out, size_t outlen, const struct rtattr *a)
{
	snprintf(out, outlen, "%.*s", (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
}

static unsigned int attr_u32(const struct rtattr *a)
{
	return RTA_PAYLOAD(a) >= sizeof(__u32) ? *(const __u32 *)RTA_DATA(a) : 0;
}

static void parse_linkinfo(struct tc_device *d, const struct rtattr *info)
{
	int len = (int)RTA_PAYLOAD(info);

	for (const struct rtattr *a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_INFO_KIND)
			copy_attr_string(d->kind, sizeof(d->kind), a);
		else if (a->rta_type == IFLA_INFO_SLAVE_KIND)
			copy_attr_string(d->slave_kind, sizeof(d->slave_kind), a);
	}
}

static int add_link(const struct nlmsghdr *nh, void *ctx)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)IFLA_PAYLOAD(nh);
	struct device_list *l = ctx;
	struct tc_device d = {}, *more;
	bool link_elsewhere = false;

	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	d.ifindex = (unsigned int)ifi->ifi_index;
	d.up = ifi->ifi_flags & IFF_UP;
	d.loopback = ifi->ifi_flags & IFF_LOOPBACK;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			copy_attr_string(d.name, sizeof(d.name), a);
		else if (a->rta_type == IFLA_MASTER)
			d.master = attr_u32(a);
		else if (a->rta_type == IFLA_LINK)
			d.link = attr_u32(a);
		else if (a->rta_type == IFLA_LINK_NETNSID)
			link_elsewhere = true;
		else if (a->rta_type == IFLA_LINKINFO)
			parse_linkinfo(&d, a);
	}
	/* The lower device's ifindex means nothing in this namespace. */
	if (link_elsewhere || d.link == d.ifindex)
		d.link = 0;
	more = realloc(l->devs, (l->n + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	l->devs = more;
	l->devs[l->n++] = d;
	return 0;
}

int tc_devices_read(struct tc_device **devs, size_t *n)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct device_list l = { NULL, 0 };
	int rc = netlink_dump(&req.nh, add_link, &l);

	if (rc < 0) {
		free(l.devs);
		return rc;
	}
	*devs = l.devs;
	*n = l.n;
	return 0;
}
