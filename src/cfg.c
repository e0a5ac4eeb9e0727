/*
 * Strict libconfig reading shared by ca.cfg and role profiles: a table of
 * allowed keys per group, and getters that name file:line on every error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "cfg.h"
#include "err.h"
#include "out.h"
#include "util.h"

/*
 * @include is refused: a CA config is copied into the CA directory and a
 * relative include would then name another file, and a profile must say
 * everything it does in one place. The file is read once, through
 * out_read_file(), which refuses a FIFO or a device and bounds its size,
 * and the bytes scanned are the bytes parsed; lines are counted by their
 * newlines, however long.
 */
static const char *
find_include(const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(nl - p) >= 8 && memcmp(p, "@include", 8) == 0)
			return p;
		p = nl + 1;
	}
	return NULL;
}

/*
 * libconfig 1.5 stores an integer without the L suffix in an int, wrapped
 * (4294967297 reads as 1): the first such literal, or NULL. Strings and
 * comments are skipped; a digit inside a name is the name's; a float
 * ('.', 'e') and an L integer are left to libconfig.
 */
static const char *
find_wrapped_int(const char *p, const char *end)
{
	const char		*start, *q;
	unsigned long long	 v;
	int			 neg, hex, over;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			p++;
		} else if (*p == '#' || (*p == '/' && p + 1 < end &&
		    p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			for (p += 2; p + 1 < end && !(p[0] == '*' &&
			    p[1] == '/'); p++)
				;
			p += 2;
		} else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' &&
		    *p <= 'z') || *p == '*' || *p == '_') {
			while (p < end && ((*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') || (*p >= '0' &&
			    *p <= '9') || *p == '*' || *p == '_' || *p == '-'))
				p++;
		} else if ((*p >= '0' && *p <= '9') || ((*p == '-' ||
		    *p == '+') && p + 1 < end && p[1] >= '0' && p[1] <= '9')) {
			start = p;
			neg = *p == '-';
			if (*p == '-' || *p == '+')
				p++;
			hex = p + 1 < end && p[0] == '0' && (p[1] == 'x' ||
			    p[1] == 'X');
			if (hex)
				p += 2;
			v = 0;
			over = 0;
			for (q = p; q < end && ((*q >= '0' && *q <= '9') ||
			    (hex && ((*q >= 'a' && *q <= 'f') ||
			    (*q >= 'A' && *q <= 'F')))); q++) {
				unsigned d = *q <= '9' ? (unsigned)(*q - '0') :
				    (unsigned)((*q | 0x20) - 'a' + 10);

				if (v > (1ULL << 40))
					over = 1;
				else
					v = v * (hex ? 16 : 10) + d;
			}
			p = q;
			if (p < end && (*p == '.' || *p == 'e' || *p == 'E' ||
			    *p == 'L'))
				continue;	/* a float, or an int64 */
			if (over || v > (neg ? 2147483648ULL : 2147483647ULL))
				return start;
		} else
			p++;
	}
	return NULL;
}

/* The line of the byte at p: one more than the newlines before it. */
static int
line_at(const char *data, const char *p)
{
	int	 line = 1;

	for (; data < p; data++)
		line += *data == '\n';
	return line;
}

int
cfg_read_keep(config_t *cfg, const char *path, size_t max,
    unsigned char **text, size_t *len, char **cause)
{
	unsigned char	*data = NULL;
	const char	*s, *bad;
	size_t		 n;
	int		 rc = ERR_FAIL;

	TRY(out_read_file(path, max, &data, &n, cause));
	s = (const char *)data;
	if ((bad = find_include(s, n)) != NULL) {
		rc = err_set(cause, "%s:%d: @include is not supported (the "
		    "file must be complete)", path, line_at(s, bad));
		goto out;
	}
	/* what Windows editors put first; libconfig sees a syntax error */
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		rc = err_set(cause, "%s:1: the file starts with a UTF-8 byte "
		    "order mark, which libconfig cannot read (save it as "
		    "UTF-8 without BOM)", path);
		goto out;
	}
	/* the parse stops at a NUL: what follows would be dropped unseen */
	if ((bad = memchr(s, '\0', n)) != NULL) {
		rc = err_set(cause, "%s:%d: a NUL byte (not a text file)",
		    path, line_at(s, bad));
		goto out;
	}
	if ((bad = find_wrapped_int(s, s + n)) != NULL) {
		rc = err_set(cause, "%s:%d: integer %.*s is out of range",
		    path, line_at(s, bad), (int)strcspn(bad, " \t\r\n;,]})"),
		    bad);
		goto out;
	}
	if (config_read_string(cfg, s) != CONFIG_TRUE) {
		rc = err_set(cause, "%s:%d: %s", path, config_error_line(cfg),
		    config_error_text(cfg));
		goto out;
	}
	/* settings parsed from a string have no file: the root names it */
	config_setting_set_hook(config_root_setting(cfg), (void *)path);
	if (text != NULL) {
		*text = data;
		*len = n;
		data = NULL;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

int
cfg_read(config_t *cfg, const char *path, char **cause)
{
	return cfg_read_keep(cfg, path, CFG_MAX, NULL, NULL, cause);
}

char *
cfg_where(const config_setting_t *s)
{
	const config_setting_t	*root = s;
	const char		*file = config_setting_source_file(s);
	char			*out;

	if (file == NULL) {
		while (config_setting_parent(root) != NULL)
			root = config_setting_parent(root);
		file = config_setting_get_hook(root);
	}

	/* the root setting has no line: name the file alone */
	if (config_setting_source_line(s) == 0)
		xasprintf(&out, "%s", file != NULL ? file : "?");
	else
		xasprintf(&out, "%s:%u", file != NULL ? file : "?",
		    config_setting_source_line(s));
	return out;
}

int
cfg_check_keys(const config_setting_t *group, const char *const *allowed,
    const char *what, char **cause)
{
	int	 n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		config_setting_t	*s = config_setting_get_elem(group, i);
		const char		*name = config_setting_name(s);
		size_t			 j;
		char			*where;
		int			 rc;

		if (name == NULL)
			continue;
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], name) == 0)
				break;
		if (allowed[j] != NULL)
			continue;
		where = cfg_where(s);
		rc = err_set(cause, "%s: unknown key '%s' in %s", where, name,
		    what);
		free(where);
		return rc;
	}
	return 0;
}

static int
lookup(const config_setting_t *group, const char *name, int required,
    config_setting_t **out, char **cause)
{
	char	*where;
	int	 rc;

	*out = config_setting_get_member(group, name);
	if (*out != NULL || !required)
		return 0;
	where = cfg_where(group);
	rc = err_set(cause, "%s: missing required key '%s'", where, name);
	free(where);
	return rc;
}

static int
wrong_type(const config_setting_t *s, const char *want, char **cause)
{
	char	*where = cfg_where(s);
	int	 rc;

	rc = err_set(cause, "%s: '%s' must be %s", where,
	    config_setting_name(s) != NULL ? config_setting_name(s) : "value",
	    want);
	free(where);
	return rc;
}

int
cfg_string(const config_setting_t *group, const char *name, int required,
    const char **out, char **cause)
{
	config_setting_t	*s;
	int			 rc = ERR_FAIL;

	TRY(lookup(group, name, required, &s, cause));
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(s, "a string", cause);
	*out = config_setting_get_string(s);
	rc = 0;
out:
	return rc;
}

int
cfg_uint(const config_setting_t *group, const char *name, int required,
    unsigned long min, unsigned long max, unsigned *out, char **cause)
{
	config_setting_t	*s;
	long long		 v;
	char			*where;
	int			 rc = ERR_FAIL;

	TRY(lookup(group, name, required, &s, cause));
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return wrong_type(s, "an integer", cause);
	v = config_setting_get_int64(s);
	if (v < (long long)min || v > (long long)max) {
		where = cfg_where(s);
		rc = err_set(cause, "%s: '%s' must be between %lu and %lu",
		    where, name, min, max);
		free(where);
		goto out;
	}
	*out = (unsigned)v;
	rc = 0;
out:
	return rc;
}

int
cfg_bool(const config_setting_t *group, const char *name, int *out,
    char **cause)
{
	config_setting_t	*s;
	int			 rc = ERR_FAIL;

	TRY(lookup(group, name, 0, &s, cause));
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(s, "true or false", cause);
	*out = config_setting_get_bool(s);
	rc = 0;
out:
	return rc;
}

int
cfg_strings(const config_setting_t *group, const char *name, int required,
    struct strv *out, int *lines, size_t maxlines, char **cause)
{
	config_setting_t	*s, *e;
	int			 rc = ERR_FAIL, n;

	TRY(lookup(group, name, required, &s, cause));
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (lines != NULL && maxlines > out->n)
			lines[out->n] = (int)config_setting_source_line(s);
		strv_add(out, config_setting_get_string(s));
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return wrong_type(s, "a string or a list of strings", cause);
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return wrong_type(s, "a list of strings", cause);
		if (lines != NULL && maxlines > out->n)
			lines[out->n] = (int)config_setting_source_line(e);
		strv_add(out, config_setting_get_string(e));
	}
	rc = 0;
out:
	return rc;
}
