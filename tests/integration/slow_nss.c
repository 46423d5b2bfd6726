// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for nss_slow.sh: getpwuid_r as a slow or demanding NSS
 * source would answer it, for the UIDs in SLOW_NSS_UIDS (comma-separated);
 * other UIDs go to the real one. For those UIDs:
 *   SLOW_NSS_FAIL_UIDS=LIST  the first lookup of each fails with EIO;
 *   SLOW_NSS_MIN_BUFFER=N  ERANGE for a buffer smaller than N bytes;
 *   SLOW_NSS_GATE=PATH     the lookup blocks until PATH exists, at most
 *                          SLOW_NSS_SECONDS (default 5) seconds;
 *   SLOW_NSS_LOG=PATH      "begin UID", "end UID", "fail UID" and "erange UID
 *                          SIZE" lines;
 * and the answer is the user "slow_UID" (shell /bin/false).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int in_list(const char *var, uid_t uid)
{
	const char *list = getenv(var);
	char *end;

	while (list && *list) {
		if (strtoul(list, &end, 10) == uid && end != list)
			return 1;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return 0;
}

static void note(const char *what, uid_t uid, size_t size)
{
	const char *path = getenv("SLOW_NSS_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (!f)
		return;
	if (size)
		fprintf(f, "%s %u %zu\n", what, (unsigned)uid, size);
	else
		fprintf(f, "%s %u\n", what, (unsigned)uid);
	fclose(f);
}

static void wait_for_gate(void)
{
	const char *gate = getenv("SLOW_NSS_GATE");
	const char *secs = getenv("SLOW_NSS_SECONDS");
	long ticks = (secs ? atol(secs) : 5) * 20;
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	while (ticks-- > 0 && !(gate && access(gate, F_OK) == 0))
		nanosleep(&tick, NULL);
}

/* Whether the lookup of uid fails this time: only the first one does. */
static int fails_now(uid_t uid)
{
	static uid_t failed[64];
	static size_t n_failed;

	if (!in_list("SLOW_NSS_FAIL_UIDS", uid))
		return 0;
	for (size_t i = 0; i < n_failed; i++)
		if (failed[i] == uid)
			return 0;
	if (n_failed < sizeof(failed) / sizeof(failed[0]))
		failed[n_failed++] = uid;
	return 1;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
	int (*real)(uid_t, struct passwd *, char *, size_t, struct passwd **);
	const char *min = getenv("SLOW_NSS_MIN_BUFFER");
	char name[32];
	size_t need;

	*result = NULL;
	if (!in_list("SLOW_NSS_UIDS", uid)) {
		real = dlsym(RTLD_NEXT, "getpwuid_r");
		return real ? real(uid, pw, buf, size, result) : ENOSYS;
	}
	if (min && size < strtoul(min, NULL, 10)) {
		note("erange", uid, size);
		return ERANGE;
	}
	if (fails_now(uid)) {
		note("fail", uid, 0);
		return EIO;
	}
	note("begin", uid, 0);
	wait_for_gate();
	snprintf(name, sizeof(name), "slow_%u", (unsigned)uid);
	need = strlen(name) + 1 + sizeof("x") + sizeof("/") + sizeof("/bin/false");
	if (size < need)
		return ERANGE;
	memset(pw, 0, sizeof(*pw));
	pw->pw_name = strcpy(buf, name);
	pw->pw_passwd = strcpy(pw->pw_name + strlen(name) + 1, "x");
	pw->pw_dir = strcpy(pw->pw_passwd + 2, "/");
	pw->pw_shell = strcpy(pw->pw_dir + 2, "/bin/false");
	pw->pw_gecos = pw->pw_passwd + 1;
	pw->pw_uid = uid;
	pw->pw_gid = uid;
	*result = pw;
	note("end", uid, 0);
	return 0;
}
