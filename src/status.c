// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt status: see status.h. */
#include <inttypes.h>
#include <string.h>
#include "state.h"
#include "status.h"

#define KEY_WIDTH 18 /* "accounting start: " */

static void key(FILE *out, const char *k)
{
	fprintf(out, "%s:%*s", k, (int)(KEY_WIDTH - strlen(k) - 1), "");
}

static void format_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

void status_age(char *buf, size_t len, time_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 120)
		snprintf(buf, len, "%lld s", (long long)seconds);
	else if (seconds < 2 * 3600)
		snprintf(buf, len, "%lld min", (long long)seconds / 60);
	else if (seconds < 2 * 86400)
		snprintf(buf, len, "%lld h", (long long)seconds / 3600);
	else
		snprintf(buf, len, "%lld d", (long long)seconds / 86400);
}

static bool any_hook(const struct pdtt_status *s, enum pins_hook_kind kind)
{
	for (size_t i = 0; i < s->n_hooks; i++)
		if (s->hooks[i].kind == kind && s->hooks[i].live)
			return true;
	return false;
}

static bool counting(const struct pdtt_status *s)
{
	return any_hook(s, PINS_HOOK_CGROUP) || any_hook(s, PINS_HOOK_TCX) ||
	       any_hook(s, PINS_HOOK_TC_FILTER);
}

static void write_daemon(FILE *out, const struct pdtt_status *s)
{
	key(out, "pdttd");
	if (s->daemon_pid > 0)
		fprintf(out, "running (PID %d)\n", (int)s->daemon_pid);
	else if (s->daemon_pid < 0)
		fputs("running (PID unknown)\n", out);
	else if (!s->maps)
		fprintf(out,
			"not running; no maps pinned in %s (not started since the last "
			"reboot, or unloaded)\n",
			s->pin_path);
	else if (counting(s))
		fputs("not running; the pinned programs keep counting\n", out);
	else
		fputs("not running; nothing is attached: nothing is counted\n", out);
}

static void write_hook(FILE *out, const struct pdtt_status *s, const struct pins_hook *h)
{
	switch (h->kind) {
	case PINS_HOOK_CGROUP:
		fprintf(out, "cgroup_skb %s on ", h->hook);
		if (!h->live)
			fputs("a cgroup that was removed (not counting)", out);
		else if (s->cgroup_path && h->cgroup_id == s->cgroup_id)
			fprintf(out, "cgroup %s", s->cgroup_path);
		else if (s->other_cgroup && h->cgroup_id == s->other_cgroup_id)
			fprintf(out,
				"cgroup %s (cgroup_path is %s: pdttd moves the hooks there at its "
				"next start)",
				s->other_cgroup, s->cgroup_path ? s->cgroup_path : "-");
		else
			fprintf(out, "cgroup id %" PRIu64, (uint64_t)h->cgroup_id);
		break;
	case PINS_HOOK_TCX:
		fprintf(out, "tcx %s on %s%s", h->hook, h->ifname,
			h->live ? "" : " (the interface is gone: not counting)");
		break;
	case PINS_HOOK_TC_FILTER:
		fprintf(out, "tc filter %s on %s, handle 0x%x, priority %u", h->hook, h->ifname,
			h->handle, h->priority);
		if (h->other_netns)
			fputs(", in another network namespace (not checked)", out);
		else if (!h->live)
			fputs(" (the filter is gone: not counting)", out);
		break;
	case PINS_HOOK_OWNER:
		fprintf(out, "%s (owner tracking)", h->hook);
		break;
	}
	fputc('\n', out);
}

static void write_hooks(FILE *out, const struct pdtt_status *s)
{
	key(out, "hooks");
	if (!s->n_hooks) {
		fputs("none\n", out);
		return;
	}
	for (size_t i = 0; i < s->n_hooks; i++) {
		if (i)
			fprintf(out, "%*s", KEY_WIDTH, "");
		write_hook(out, s, &s->hooks[i]);
	}
}

static void write_interfaces(FILE *out, const struct pdtt_status *s)
{
	size_t shown = 0;

	key(out, "interfaces");
	for (size_t i = 0; i < s->n_hooks; i++) {
		const struct pins_hook *h = &s->hooks[i];
		bool seen = false;

		if (h->kind != PINS_HOOK_TCX && h->kind != PINS_HOOK_TC_FILTER)
			continue;
		for (size_t j = 0; j < i; j++)
			seen = seen || ((s->hooks[j].kind == PINS_HOOK_TCX ||
					 s->hooks[j].kind == PINS_HOOK_TC_FILTER) &&
					strcmp(s->hooks[j].ifname, h->ifname) == 0);
		if (!seen)
			fprintf(out, "%s%s", shown++ ? ", " : "", h->ifname);
	}
	if (shown)
		fputc('\n', out);
	else if (any_hook(s, PINS_HOOK_CGROUP))
		fputs("all (socket mode counts at the sockets)\n", out);
	else
		fputs("none\n", out);
}

/* How the counting programs attached find a socket's UID (the first one's way). */
static void write_uid_read(FILE *out, const struct pdtt_status *s)
{
	key(out, "uid read");
	for (size_t i = 0; i < s->n_hooks; i++) {
		if (s->hooks[i].kind != PINS_HOOK_OWNER &&
		    s->hooks[i].access != PINS_ACCESS_UNKNOWN) {
			fprintf(out, "%s\n", pins_access_text(s->hooks[i].access));
			return;
		}
	}
	fputs("-\n", out);
}

/* On or off, and how its programs find a socket's owner record (pdtt_owner.bpf.h). */
static void write_owner_tracking(FILE *out, const struct pdtt_status *s)
{
	bool direct = false;

	key(out, "owner tracking");
	if (!any_hook(s, PINS_HOOK_OWNER)) {
		fputs("off\n", out);
		return;
	}
	for (size_t i = 0; i < s->n_hooks; i++)
		if (s->hooks[i].kind == PINS_HOOK_OWNER && s->hooks[i].storage_direct)
			direct = true;
	fprintf(out, "on, %s\n",
		direct ? "the socket's storage read directly (Linux 6.2+)"
		       : "the socket's storage through bpf_sk_storage_get");
}

static void write_map(FILE *out, const struct pdtt_status *s)
{
	uint64_t permille = s->capacity ? (s->entries * 1000 + s->capacity / 2) / s->capacity : 0;

	key(out, "counter map");
	if (!s->maps) {
		fputs("not pinned\n", out);
		return;
	}
	fprintf(out, "%" PRIu64 " of %" PRIu64 " UIDs (%" PRIu64 ".%" PRIu64 "%%)", s->entries,
		s->capacity, permille / 10, permille % 10);
	if (s->capacity && s->entries >= s->capacity)
		fputs(": full, more UIDs are counted in [overflow] (raise max_users)", out);
	fputc('\n', out);
}

static void write_state(FILE *out, const struct pdtt_status *s)
{
	char when[64], age[32];

	key(out, "state file");
	if (s->state == PDTT_STATE_ABSENT) {
		fprintf(out, "%s (none yet: pdttd writes it at each report)\n", s->state_file);
	} else if (s->state == PDTT_STATE_INVALID) {
		fprintf(out, "%s; pdttd refuses to start with it\n",
			s->state_error ? s->state_error : s->state_file);
	} else {
		format_time(when, sizeof(when), s->state_saved_at);
		status_age(age, sizeof(age), s->now - s->state_saved_at);
		fprintf(out, "%s, saved %s ago (%s)\n", s->state_file, age, when);
	}
}

void status_write(FILE *out, const struct pdtt_status *s)
{
	char when[64];

	write_daemon(out, s);
	key(out, "mode");
	fprintf(out, "%s\n", s->mode ? s->mode : "-");
	write_hooks(out, s);
	write_interfaces(out, s);
	write_uid_read(out, s);
	write_owner_tracking(out, s);
	write_map(out, s);
	key(out, "accounting start");
	if (s->accounting_start) {
		format_time(when, sizeof(when), s->accounting_start);
		fprintf(out, "%s\n", when);
	} else {
		fputs("unknown\n", out);
	}
	if (s->maps) {
		key(out, "maps since");
		format_time(when, sizeof(when), s->maps_start);
		fprintf(out, "%s\n", when);
	}
	key(out, "pin_path");
	if (s->maps)
		fprintf(out, "%s (map layout %u, instance %016" PRIx64 ")\n", s->pin_path,
			s->layout_version, s->instance_id);
	else
		fprintf(out, "%s\n", s->pin_path);
	if (s->retired_layout) {
		key(out, "migration");
		fprintf(out,
			"the counts of the maps in %s/retired (layout %u) are being carried "
			"over\n",
			s->pin_path, s->retired_layout);
	}
	write_state(out, s);
	key(out, "version");
	fprintf(out, "pdtt %s\n", s->version);
}
