// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Small UDP datagrams as fast as one core can send them.
 *
 *   udpflood recv ADDR PORT        prints "ready", then, once the flow stops
 *                                  (1 s without a datagram):
 *                                  "received N SECONDS CPU" (first to last datagram)
 *   udpflood send ADDR PORT SECONDS SIZE
 *                                  prints "sent N SECONDS CPU"
 *
 * CPU is the process's CPU seconds (user + system, which includes the
 * loopback receive path the sender runs in softirq context): packets per CPU
 * second still mean something when other work competes for the CPUs.
 *
 * Batches of 64 datagrams per sendmmsg/recvmmsg: the system-call cost is
 * spread, so the rate measures the network stack and what is attached to it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "benchclock.h"

#define BATCH 64
#define MAXSIZE 2048

static int addr_of(const char *addr, int port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? 0 : -1;
}

static int do_recv(int fd)
{
	static char bufs[BATCH][MAXSIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct timeval tv = { .tv_sec = 1 };
	unsigned long long got = 0;
	double first = 0, last = 0;
	int size = 16 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAXSIZE;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);

		if (n < 0) {
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && got)
				break;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("recvmmsg");
			return 1;
		}
		if (!got) {
			first = now();
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		got += n;
		last = now();
	}
	printf("received %llu %.6f %.6f\n", got, last - first, cpu_seconds());
	return 0;
}

static int do_send(int fd, const struct sockaddr_in *to, double seconds, int size)
{
	static char payload[MAXSIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = size };
	unsigned long long sent = 0;
	double start, end, t;

	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		perror("connect");
		return 1;
	}
	memset(payload, 'u', sizeof(payload));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	end = start + seconds;
	do {
		for (int k = 0; k < 16; k++) {
			int n = sendmmsg(fd, msgs, BATCH, 0);

			if (n > 0)
				sent += n;
			else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED &&
				 errno != EINTR) {
				perror("sendmmsg");
				return 1;
			}
		}
		t = now();
	} while (t < end);
	printf("sent %llu %.6f %.6f\n", sent, t - start, cpu_seconds());
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int fd;

	if (argc < 4 || addr_of(argv[2], atoi(argv[3]), &sin) < 0 ||
	    (strcmp(argv[1], "send") == 0 && argc != 6) ||
	    (strcmp(argv[1], "recv") == 0 && argc != 4)) {
		fprintf(stderr, "usage: udpflood recv ADDR PORT | send ADDR PORT SECONDS SIZE\n");
		return 64;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (strcmp(argv[1], "recv") == 0) {
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("bind");
			return 1;
		}
		return do_recv(fd);
	}
	return do_send(fd, &sin, atof(argv[4]), atoi(argv[5]));
}
