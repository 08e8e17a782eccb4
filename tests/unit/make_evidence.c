// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* make_evidence DIR PREFIX: print the encoded evidence of a device of vectors/evidence/. */
#include <stdio.h>
#include <stdlib.h>

#include "evidence_vectors.h"

int main(int argc, char **argv)
{
	struct tao_evidence ev;
	char err[256], *text;

	if (argc != 3) {
		fprintf(stderr, "usage: make_evidence DIR PREFIX\n");
		return 2;
	}
	if (vec_evidence(argv[1], argv[2], &ev) < 0) {
		fprintf(stderr, "make_evidence: cannot read the vectors of %s\n", argv[2]);
		return 1;
	}
	if (tao_evidence_encode(&ev, &text, err, sizeof(err)) < 0) {
		fprintf(stderr, "make_evidence: %s\n", err);
		tao_evidence_free(&ev);
		return 1;
	}
	puts(text);
	free(text);
	tao_evidence_free(&ev);
	return 0;
}
