/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink dumps, read message by message (links, tc filters). */
#ifndef PDTT_NETLINK_H
#define PDTT_NETLINK_H

#include <stdbool.h>
#include <linux/netlink.h>

/*
 * Send req (a complete NLM_F_DUMP request) on a NETLINK_ROUTE socket of the
 * current network namespace and call each() with every message of the reply
 * until its end. 0, or -errno: the kernel's error, a failed socket call, or
 * each()'s own negative return (which stops the dump).
 */
int netlink_dump(const struct nlmsghdr *req, int (*each)(const struct nlmsghdr *nh, void *ctx),
		 void *ctx);

/*
 * A non-blocking NETLINK_ROUTE socket that receives the link notifications
 * (RTMGRP_LINK: interfaces created, deleted, up, down, renamed) of the
 * current network namespace; -errno on failure.
 */
int netlink_link_monitor(void);

/*
 * Read every notification waiting on a monitor socket; true when there was
 * any (or the socket overflowed and some were lost: the caller looks again).
 */
bool netlink_drain(int fd);

#endif /* PDTT_NETLINK_H */
