// SPDX-License-Identifier: GPL-2.0-or-later
/* Escaping user names for JSON and Prometheus, and the UTF-8 check behind both. */
#include <stdlib.h>
#include "check.h"
#include "escape.h"

static char *escaped(void (*esc)(FILE *, const char *), const char *str)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	esc(out, str);
	fclose(out);
	return buf;
}

#define CHECK_ESCAPE(esc, in, want)               \
	do {                                      \
		char *got_ = escaped(esc, in);    \
		CHECK(got_ != NULL);              \
		if (got_)                         \
			CHECK_STR_EQ(got_, want); \
		free(got_);                       \
	} while (0)

static void test_utf8(void)
{
	CHECK(utf8_valid_length((const unsigned char *)"a") == 1);
	CHECK(utf8_valid_length((const unsigned char *)"\xc3\xa9") == 2);         /* é */
	CHECK(utf8_valid_length((const unsigned char *)"\xe2\x82\xac") == 3);     /* € */
	CHECK(utf8_valid_length((const unsigned char *)"\xf0\x9f\x98\x80") == 4); /* 😀 */
	CHECK(utf8_valid_length((const unsigned char *)"\xf4\x8f\xbf\xbf") == 4); /* U+10FFFF */
	CHECK(utf8_valid_length((const unsigned char *)"\x80") == 0);             /* stray */
	CHECK(utf8_valid_length((const unsigned char *)"\xc0\xaf") == 0);         /* overlong */
	CHECK(utf8_valid_length((const unsigned char *)"\xe0\x80\xaf") == 0);     /* overlong */
	CHECK(utf8_valid_length((const unsigned char *)"\xf0\x80\x80\xaf") == 0); /* overlong */
	CHECK(utf8_valid_length((const unsigned char *)"\xed\xa0\x80") == 0);     /* surrogate */
	CHECK(utf8_valid_length((const unsigned char *)"\xf4\x90\x80\x80") == 0); /* > U+10FFFF */
	CHECK(utf8_valid_length((const unsigned char *)"\xc3") == 0);             /* cut short */
	CHECK(utf8_valid_length((const unsigned char *)"\xe2\x82") == 0);
	CHECK(utf8_valid_length((const unsigned char *)"\xff") == 0);
}

static void test_json(void)
{
	CHECK_ESCAPE(escape_json_string, NULL, "null");
	CHECK_ESCAPE(escape_json_string, "", "\"\"");
	CHECK_ESCAPE(escape_json_string, "alice", "\"alice\"");
	CHECK_ESCAPE(escape_json_string, "a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	CHECK_ESCAPE(escape_json_string, "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	CHECK_ESCAPE(escape_json_string, "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	CHECK_ESCAPE(escape_json_string, "caf\xc3\xa9 \xe2\x82\xac",
		     "\"caf\xc3\xa9 \xe2\x82\xac\"");
	/* Each invalid byte becomes U+FFFD; what follows it is kept. */
	CHECK_ESCAPE(escape_json_string,
		     "a\xff"
		     "b\xc3",
		     "\"a\xef\xbf\xbd"
		     "b\xef\xbf\xbd\"");
	CHECK_ESCAPE(escape_json_string, "\xed\xa0\x80",
		     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void test_prom(void)
{
	CHECK_ESCAPE(escape_prom_label, NULL, "");
	CHECK_ESCAPE(escape_prom_label, "alice", "alice");
	/* Exactly backslash, double quote and line feed are escaped. */
	CHECK_ESCAPE(escape_prom_label, "a\"b\\c\nd\te{f}", "a\\\"b\\\\c\\nd\te{f}");
	CHECK_ESCAPE(escape_prom_label, "caf\xc3\xa9", "caf\xc3\xa9");
	CHECK_ESCAPE(escape_prom_label, "x\xfey", "x\xef\xbf\xbdy");
}

/* A name can never start a line of its own in the text report. */
static void test_text(void)
{
	CHECK_ESCAPE(escape_text_name, "alice", "alice");
	CHECK_ESCAPE(escape_text_name, "a b|c\"d", "a b|c\"d");
	CHECK_ESCAPE(escape_text_name, "x\nUID: 0 | Username: root",
		     "x\\x0aUID: 0 | Username: root");
	CHECK_ESCAPE(escape_text_name, "\r\t\x7f\\", "\\x0d\\x09\\x7f\\\\");
	CHECK_ESCAPE(escape_text_name, "caf\xc3\xa9\xff", "caf\xc3\xa9\xef\xbf\xbd");
}

int main(void)
{
	test_utf8();
	test_json();
	test_prom();
	test_text();
	return check_summary("test_escape");
}
