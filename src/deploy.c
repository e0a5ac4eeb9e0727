/*
 * Deployment files, read as strictly as profiles: a table of allowed keys,
 * file:line on every error. A shared group becomes one unit.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "cfg.h"
#include "deploy.h"
#include "err.h"
#include "util.h"

static const char *const top_keys[] = { "servers", NULL };
static const char *const server_keys[] = { "name", "role", "shared", "set",
	NULL };

static int
name_ok(const char *s)
{
	if (*s == '\0' || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

static int
fail_at(const config_setting_t *s, char **cause, const char *what,
    const char *arg)
{
	char	*where = cfg_where(s);
	int	 rc;

	rc = err_set(cause, "%s: %s%s%s", where, what, arg != NULL ? " " : "",
	    arg != NULL ? arg : "");
	free(where);
	return rc;
}

/* set = { var = "value"; list = [ "a", "b" ]; } as --set arguments. */
static int
load_values(const config_setting_t *set, struct profile_values *pv,
    char **cause)
{
	struct strv	 vals = { NULL, 0 };
	char		*arg;
	int		 rc = ERR_FAIL;

	/* a list or a string has no variable names: not read as none */
	if (set != NULL && !config_setting_is_group(set))
		return fail_at(set, cause, "'set' must be a group { variable = "
		    "\"value\"; ... }", NULL);
	for (int i = 0; set != NULL && i < config_setting_length(set); i++) {
		config_setting_t	*e = config_setting_get_elem(set, i);

		strv_free(&vals);
		TRY(cfg_strings(set, config_setting_name(e), 1, &vals, NULL, 0,
		    cause));
		for (size_t k = 0; k < vals.n; k++) {
			xasprintf(&arg, "%s=%s", config_setting_name(e),
			    vals.v[k]);
			rc = profile_values_add(pv, arg, cause);
			free(arg);
			TRY(rc);
		}
	}
	rc = 0;
out:
	strv_free(&vals);
	return rc;
}

/* The values as --set reads them: each split at ',', empty parts dropped. */
static void
flat_values(const struct strv *v, struct strv *out)
{
	const char	*p, *end;

	for (size_t i = 0; i < v->n; i++)
		for (p = v->v[i]; *p != '\0'; p = *end == ',' ? end + 1 : end) {
			end = p + strcspn(p, ",");
			if (end > p)
				strv_add_take(out, xstrndup(p,
				    (size_t)(end - p)));
		}
}

/*
 * Two sets of values are the same variables, in any order, with the same
 * values in the same order ("a,b" is [ "a", "b" ], as for --set).
 */
static int
same_values(const struct profile_values *a, const struct profile_values *b)
{
	struct strv	 fa = { NULL, 0 }, fb = { NULL, 0 };
	size_t		 j;
	int		 same = a->n == b->n;

	for (size_t i = 0; i < a->n && same; i++) {
		for (j = 0; j < b->n; j++)
			if (strcmp(a->v[i].name, b->v[j].name) == 0)
				break;
		if (j == b->n) {
			same = 0;
			break;
		}
		flat_values(&a->v[i].values, &fa);
		flat_values(&b->v[j].values, &fb);
		same = fa.n == fb.n;
		for (size_t k = 0; k < fa.n && same; k++)
			same = strcmp(fa.v[k], fb.v[k]) == 0;
		strv_free(&fa);
		strv_free(&fb);
	}
	return same;
}

/*
 * Every name the file has used so far, each once: a server's (unit -1),
 * or a shared group's with the index of its unit. Open addressing over a
 * power-of-two table made at least twice as large as the names can be
 * (each server brings at most its own and its group's), so that checking
 * a name costs the same whether the file lists ten servers or ten
 * thousand.
 */
struct name_index {
	struct name_slot {
		const char	*name;	/* the file's own string */
		long		 unit;
	}		*slot;
	size_t		 size;
};

static void
name_index_init(struct name_index *ix, size_t servers)
{
	for (ix->size = 64; ix->size < 4 * servers; ix->size *= 2)
		;
	ix->slot = xcalloc(ix->size, sizeof *ix->slot);
}

static size_t
name_hash(const char *s)
{
	size_t	 h = 2166136261u;	/* FNV-1a */

	/* in any case: names that differ only so name one file on Windows */
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

/* The slot holding name, or the empty one where it would go. */
static struct name_slot *
name_slot(const struct name_index *ix, const char *name)
{
	size_t	 i = name_hash(name) & (ix->size - 1);

	while (ix->slot[i].name != NULL &&
	    strcasecmp(ix->slot[i].name, name) != 0)
		i = (i + 1) & (ix->size - 1);
	return &ix->slot[i];
}

static void
name_add(struct name_index *ix, const char *name, long unit)
{
	struct name_slot	*e = name_slot(ix, name);

	e->name = name;
	e->unit = unit;
}

/* The name's slot if the file has used it, else NULL. */
static const struct name_slot *
name_find(const struct name_index *ix, const char *name)
{
	const struct name_slot	*e = name_slot(ix, name);

	return e->name != NULL ? e : NULL;
}

/* Two names one file system would take for one: refused, both named. */
static int
case_clash(const config_setting_t *s, const char *name, const char *other,
    char **cause)
{
	char	*where = cfg_where(s);
	int	 rc;

	rc = err_set(cause, "%s: server or group name %s differs from %s only "
	    "in case (their files would be one on a case-insensitive file "
	    "system)", where, name, other);
	free(where);
	return rc;
}

/*
 * One server. Its name must be new; a shared group's name is either new
 * (the group starts here) or the group's already, never a server's.
 */
static int
load_server(struct deployment *d, struct name_index *ix,
    const config_setting_t *s, char **cause)
{
	const char		*name = NULL, *role = NULL, *shared = NULL;
	const struct name_slot	*seen;
	struct profile_values	 pv = { NULL, 0 };
	struct deploy_unit	*u;
	int			 rc = ERR_FAIL;

	if (!config_setting_is_group(s))
		return fail_at(s, cause, "each server is a group { name; role; "
		    "set; }", NULL);
	TRY(cfg_check_keys(s, server_keys, "server", cause));
	TRY(cfg_string(s, "name", 1, &name, cause));
	TRY(cfg_string(s, "role", 1, &role, cause));
	TRY(cfg_string(s, "shared", 0, &shared, cause));
	if (!name_ok(name) || (shared != NULL && !name_ok(shared))) {
		const char	*bad = shared != NULL && !name_ok(shared) ?
				    shared : name;

		rc = *bad == '\0' ? fail_at(s, cause, bad == name ?
		    "empty server name" : "empty shared name", NULL) :
		    fail_at(s, cause, "server and shared names may hold "
		    "letters, digits, '.', '-' and '_' only, not starting with "
		    "'.':", bad);
		goto out;
	}
	TRY(load_values(config_setting_get_member(s, "set"), &pv, cause));
	if ((seen = name_find(ix, name)) != NULL) {
		rc = strcmp(seen->name, name) == 0 ?
		    fail_at(s, cause, "duplicate server or group name", name) :
		    case_clash(s, name, seen->name, cause);
		goto out;
	}
	name_add(ix, name, -1);
	seen = shared != NULL ? name_find(ix, shared) : NULL;
	if (seen != NULL && strcmp(seen->name, shared) != 0) {
		rc = case_clash(s, shared, seen->name, cause);
		goto out;
	}
	if (seen != NULL && seen->unit < 0) {
		rc = fail_at(s, cause, "duplicate server or group name",
		    shared);
		goto out;
	}
	if (seen != NULL) {
		/*
		 * a shared certificate is one certificate: one role, one set of
		 * names
		 */
		u = &d->v[seen->unit];
		if (strcmp(u->role, role) != 0 ||
		    !same_values(&u->values, &pv)) {
			rc = fail_at(s, cause, "members of a shared group need "
			    "the same role and variables:", shared);
			goto out;
		}
		strv_add(&u->members, name);
		rc = 0;
		goto out;
	}
	if (shared != NULL)
		name_add(ix, shared, (long)d->n);
	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	u = &d->v[d->n++];
	memset(u, 0, sizeof *u);
	u->name = xstrdup(shared != NULL ? shared : name);
	u->role = xstrdup(role);
	u->values = pv;
	pv.v = NULL;
	pv.n = 0;
	u->line = (int)config_setting_source_line(s);
	strv_add(&u->members, name);
	rc = 0;
out:
	profile_values_free(&pv);
	return rc;
}

int
deploy_load(const char *path, struct deployment **out, char **cause)
{
	config_t		 cfg;
	config_setting_t	*root, *servers;
	struct deployment	*d = xcalloc(1, sizeof *d);
	struct name_index	 ix = { NULL, 0 };
	int			 rc = ERR_FAIL;

	config_init(&cfg);
	d->path = xstrdup(path);
	TRY(cfg_read(&cfg, path, cause));
	root = config_root_setting(&cfg);
	TRY(cfg_check_keys(root, top_keys, "deployment", cause));
	servers = config_setting_get_member(root, "servers");
	/* a group of groups would read too, but it is no list of servers */
	if (servers == NULL || !config_setting_is_list(servers) ||
	    config_setting_length(servers) == 0) {
		rc = fail_at(servers != NULL ? servers : root, cause,
		    "'servers' must list at least one server: servers = ( "
		    "{ name = ...; role = ...; }, ... );", NULL);
		goto out;
	}
	name_index_init(&ix, (size_t)config_setting_length(servers));
	for (int i = 0; i < config_setting_length(servers); i++)
		TRY(load_server(d, &ix, config_setting_get_elem(servers, i),
		    cause));
	*out = d;
	d = NULL;
	rc = 0;
out:
	free(ix.slot);	/* its names are the file's, freed here */
	config_destroy(&cfg);
	deploy_free(d);
	return rc;
}

void
deploy_free(struct deployment *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].role);
		profile_values_free(&d->v[i].values);
		strv_free(&d->v[i].members);
	}
	free(d->v);
	free(d->path);
	free(d);
}
