// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink dumps: one request, every reply message handed to a callback. */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include "netlink.h"

/* Big enough for any one message of a link or filter dump. */
#define NETLINK_BUF 32768

/* The messages of one datagram: 1 at the end of the dump, 0 for more, or -errno. */
static int each_message(char *buf, int len, int (*each)(const struct nlmsghdr *nh, void *ctx),
			void *ctx)
{
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
	     nh = NLMSG_NEXT(nh, len)) {
		int rc;

		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : -EPROTO;
		}
		rc = each(nh, ctx);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int netlink_dump(const struct nlmsghdr *req, int (*each)(const struct nlmsghdr *nh, void *ctx),
		 void *ctx)
{
	char buf[NETLINK_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, rc = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		rc = -errno;
	while (rc == 0) {
		int len = (int)recv(fd, buf, sizeof(buf), 0);

		if (len < 0)
			rc = -errno;
		else if (len == 0)
			rc = -EPROTO;
		else
			rc = each_message(buf, len, each, ctx);
	}
	close(fd);
	return rc < 0 ? rc : 0;
}

int netlink_link_monitor(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

bool netlink_drain(int fd)
{
	char buf[NETLINK_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool any = false;
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (len < 0 && errno == ENOBUFS) {
			any = true; /* lost some: look at every link anyway */
			continue;
		}
		if (len < 0)
			break;
		any = true;
	}
	return any;
}
