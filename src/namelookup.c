// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "namelookup.h"

/* No passwd entry needs more than this; past it, ERANGE is an error. */
#define PW_BUFFER_MAX (1024 * 1024)

enum pw_answer pw_name_of(uint32_t uid, char **name)
{
	struct passwd pw, *result;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf = NULL, *bigger;
	int err;

	*name = NULL;
	if (size <= 0)
		size = 16384;
	for (;;) {
		bigger = realloc(buf, size);
		if (!bigger) {
			free(buf);
			return PW_FAILED;
		}
		buf = bigger;
		result = NULL;
		err = getpwuid_r(uid, &pw, buf, size, &result);
		if (err != ERANGE || size >= PW_BUFFER_MAX)
			break;
		size *= 2;
	}
	if (!err && result)
		*name = strdup(pw.pw_name);
	free(buf);
	if (!err && !result)
		return PW_NO_USER;
	return *name ? PW_NAMED : PW_FAILED;
}

struct answer {
	uint32_t uid;
	enum pw_answer kind;
	char *name;
};

/* Shared by the owner and the thread; the last of the two to leave frees it. */
struct namelookup {
	pthread_mutex_t lock;
	pthread_cond_t asked;    /* the thread waits for work */
	pthread_cond_t answered; /* the owner waits for answers */
	uint32_t *questions;     /* FIFO: questions[head..n_questions) */
	size_t head, n_questions, questions_cap;
	struct answer *answers;
	size_t n_answers, answers_cap;
	bool closing;
	int refs;
};

static void release(struct namelookup *nl)
{
	bool last;

	pthread_mutex_lock(&nl->lock);
	last = --nl->refs == 0;
	pthread_mutex_unlock(&nl->lock);
	if (!last)
		return;
	for (size_t i = 0; i < nl->n_answers; i++)
		free(nl->answers[i].name);
	free(nl->answers);
	free(nl->questions);
	pthread_cond_destroy(&nl->asked);
	pthread_cond_destroy(&nl->answered);
	pthread_mutex_destroy(&nl->lock);
	free(nl);
}

/* Under the lock: the answer is kept, or dropped when memory runs out. */
static void keep_answer(struct namelookup *nl, uint32_t uid, enum pw_answer kind, char *name)
{
	struct answer *grown;

	if (nl->n_answers == nl->answers_cap) {
		size_t cap = nl->answers_cap ? nl->answers_cap * 2 : 16;

		grown = realloc(nl->answers, cap * sizeof(*grown));
		if (!grown) {
			free(name); /* asked again at the next report */
			return;
		}
		nl->answers = grown;
		nl->answers_cap = cap;
	}
	nl->answers[nl->n_answers++] = (struct answer){ uid, kind, name };
	pthread_cond_signal(&nl->answered);
}

static void *lookup_thread(void *arg)
{
	struct namelookup *nl = arg;
	enum pw_answer kind;
	uint32_t uid;
	char *name;

	pthread_mutex_lock(&nl->lock);
	for (;;) {
		while (!nl->closing && nl->head == nl->n_questions)
			pthread_cond_wait(&nl->asked, &nl->lock);
		if (nl->closing)
			break;
		uid = nl->questions[nl->head++];
		pthread_mutex_unlock(&nl->lock);
		kind = pw_name_of(uid, &name);
		pthread_mutex_lock(&nl->lock);
		keep_answer(nl, uid, kind, name);
	}
	pthread_mutex_unlock(&nl->lock);
	release(nl);
	return NULL;
}

struct namelookup *namelookup_start(void)
{
	struct namelookup *nl = calloc(1, sizeof(*nl));
	pthread_condattr_t attr;
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (!nl)
		return NULL;
	pthread_mutex_init(&nl->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&nl->answered, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&nl->asked, NULL);
	nl->refs = 2;
	/* Signals are the main loop's (signalfd): none may land on this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&thread, NULL, lookup_thread, nl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		nl->refs = 1;
		release(nl);
		errno = err;
		return NULL;
	}
	pthread_detach(thread);
	return nl;
}

void namelookup_stop(struct namelookup *nl)
{
	if (!nl)
		return;
	pthread_mutex_lock(&nl->lock);
	nl->closing = true;
	pthread_cond_signal(&nl->asked);
	pthread_mutex_unlock(&nl->lock);
	release(nl);
}

int namelookup_ask(struct namelookup *nl, uint32_t uid)
{
	int rc = 0;

	pthread_mutex_lock(&nl->lock);
	if (nl->head == nl->n_questions)
		nl->head = nl->n_questions = 0;
	if (nl->n_questions == nl->questions_cap) {
		size_t cap = nl->questions_cap ? nl->questions_cap * 2 : 64;
		uint32_t *grown = realloc(nl->questions, cap * sizeof(*grown));

		if (grown) {
			nl->questions = grown;
			nl->questions_cap = cap;
		}
	}
	if (nl->n_questions < nl->questions_cap) {
		nl->questions[nl->n_questions++] = uid;
		pthread_cond_signal(&nl->asked);
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&nl->lock);
	return rc;
}

size_t namelookup_collect(struct namelookup *nl, const struct timespec *deadline,
			  namelookup_answer_fn *answer, void *ctx)
{
	struct answer *got;
	size_t n;

	pthread_mutex_lock(&nl->lock);
	while (deadline && !nl->n_answers &&
	       pthread_cond_timedwait(&nl->answered, &nl->lock, deadline) != ETIMEDOUT)
		;
	got = nl->answers;
	n = nl->n_answers;
	nl->answers = NULL;
	nl->n_answers = nl->answers_cap = 0;
	pthread_mutex_unlock(&nl->lock);
	/* Outside the lock: the thread may go on answering meanwhile. */
	for (size_t i = 0; i < n; i++)
		answer(ctx, got[i].uid, got[i].kind, got[i].name);
	free(got);
	return n;
}
