/*
 * The profile and ca.cfg loaders read files: each input is written to one
 * temporary file per process and loaded from there.
 */
#ifndef ROLECA_FUZZ_FILE_H
#define ROLECA_FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *
fuzz_file(const unsigned char *data, size_t len)
{
	static char	 path[64];
	FILE		*f;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/roleca-fuzz-%d.cfg",
		    (int)getpid());
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

#endif
