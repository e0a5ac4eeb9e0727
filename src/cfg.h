/*
 * libconfig files read strictly: every setting is looked up by name from a
 * table of allowed keys, anything else is an error naming file:line (a typo
 * must never silently drop a rule), and every error carries file:line.
 * ca.cfg (conf.c) and role profiles (profile.c) are both read through it.
 */
#ifndef ROLECA_CFG_H
#define ROLECA_CFG_H

#include <libconfig.h>

#include "util.h"

/* The largest file cfg_read reads: deployment files list thousands. */
#define CFG_MAX	(16 * 1024 * 1024)

/*
 * Read and parse a file; a syntax error names file:line and the problem.
 * What is parsed is the bytes read once, so nothing can change between
 * the checks and the parse; path must outlive the config (its settings
 * name it). cfg_read_keep reads at most max bytes and also hands back
 * those bytes (*text, *len).
 */
int	 cfg_read(config_t *, const char *path, char **cause);
int	 cfg_read_keep(config_t *, const char *path, size_t max,
	    unsigned char **text, size_t *len, char **cause);

/*
 * Check that every member of group is in allowed (NULL-terminated);
 * "what" names the group in messages ("profile", "variable 'x'").
 */
int	 cfg_check_keys(const config_setting_t *group,
	    const char *const *allowed, const char *what, char **cause);

/* "file:line" of a setting, for messages; static buffer is not used. */
char	*cfg_where(const config_setting_t *);

/*
 * Typed getters. A missing optional member leaves *out untouched and
 * returns 0; a missing required member or one of the wrong type is an
 * error naming file:line and the key. A string list accepts a single
 * string too.
 */
int	 cfg_string(const config_setting_t *group, const char *name,
	    int required, const char **out, char **cause);
int	 cfg_uint(const config_setting_t *group, const char *name, int required,
	    unsigned long min, unsigned long max, unsigned *out, char **cause);
int	 cfg_bool(const config_setting_t *group, const char *name, int *out,
	    char **cause);
int	 cfg_strings(const config_setting_t *group, const char *name,
	    int required, struct strv *out, int *lines, size_t maxlines,
	    char **cause);

#endif
