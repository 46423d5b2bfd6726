// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Small-message TCP request/response with work between messages, as a
 * server answering short requests does: the socket's cache lines go cold
 * between packets, unlike in a flood.
 *
 *   pingpong serve ADDR PORT       prints "ready", answers each 64-byte
 *                                  request with 64 bytes until the client
 *                                  closes, then "served N SECONDS CPU"
 *   pingpong call ADDR PORT SECONDS
 *                                  one connection: request, wait for the
 *                                  answer, then work (read and write 1 MiB,
 *                                  a line at a time); prints
 *                                  "called N SECONDS CPU"
 *
 * CPU is the process's CPU seconds (user + system), as in udpflood.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "benchclock.h"

#define MSG 64
#define WORK_BYTES (1 << 20)

static int exact(int fd, char *buf, int n, int writing)
{
	int done = 0;

	while (done < n) {
		ssize_t r = writing ? write(fd, buf + done, n - done)
				    : read(fd, buf + done, n - done);

		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

static struct sockaddr_in address(const char *addr, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "pingpong: bad address %s\n", addr);
		exit(2);
	}
	return sa;
}

static int serve(struct sockaddr_in sa)
{
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
	char buf[MSG];
	long n = 0;
	double t0;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		perror("pingpong: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("pingpong: accept");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now();
	while (exact(fd, buf, MSG, 0) == 0 && exact(fd, buf, MSG, 1) == 0)
		n++;
	printf("served %ld %.3f %.3f\n", n, now() - t0, cpu_seconds());
	return 0;
}

static int call(struct sockaddr_in sa, double seconds)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[MSG] = { 0 };
	char *work = calloc(1, WORK_BYTES);
	double t0, end;
	long n = 0;

	if (!work || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("pingpong: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now();
	end = t0 + seconds;
	while (now() < end) {
		if (exact(fd, buf, MSG, 1) || exact(fd, buf, MSG, 0)) {
			perror("pingpong: exchange");
			return 1;
		}
		n++;
		for (int i = 0; i < WORK_BYTES; i += 64)
			((volatile char *)work)[i] += 1;
	}
	printf("called %ld %.3f %.3f\n", n, now() - t0, cpu_seconds());
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(address(argv[2], argv[3]));
	if (argc == 5 && !strcmp(argv[1], "call"))
		return call(address(argv[2], argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: pingpong serve ADDR PORT | pingpong call ADDR PORT SECONDS\n");
	return 2;
}
