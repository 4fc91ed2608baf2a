/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the profile loader (line scanner, key table,
 * checks), the lint and the summary, on arbitrary bytes: crashes and
 * sanitizer reports.
 * Build: make fuzz.  Run: ./build/fuzz-profile tests/fuzz/corpus */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct profile *p = NULL;
	struct diags d;
	char buf[2048];

	if (size > 65536)
		return 0;
	diags_init(&d);
	if (profile_load_buffer("fuzz.ini", (const char *)data, size, &p, &d) == 0) {
		profile_lint(p, &d);
		profile_summary(p, buf, sizeof(buf));
		for (size_t i = 0; i < p->n_links; i++)
			profile_key_line(p, "bond", p->links[i].name, "miimon");
		profile_free(p);
	}
	for (size_t i = 0; i < d.n; i++)
		diag_format(&d.v[i], buf, sizeof(buf));
	diags_fini(&d);
	return 0;
}
