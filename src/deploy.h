/*
 * Deployment files: the servers of a site, each with its role (a profile)
 * and variables; servers in one shared group (an Edge pool) share one
 * certificate and key.
 */
#ifndef ROLECA_DEPLOY_H
#define ROLECA_DEPLOY_H

#include <stddef.h>

#include "profile.h"

struct deploy_unit {
	/* output file prefix: the server, or the shared group */
	char			*name;
	char			*role;		/* profile name */
	struct profile_values	 values;
	struct strv		 members;	/* server names it covers */
	int			 line;
};

struct deployment {
	char			*path;
	struct deploy_unit	*v;
	size_t			 n;
};

/*
 * Load and validate: unknown keys, a server without name or role, a name
 * that cannot name files, a set that is not a group, a name used twice (a
 * server's or a shared group's: each is used once), and shared groups
 * whose members disagree on role or variables are errors with file:line.
 */
int	 deploy_load(const char *path, struct deployment **, char **cause);
void	 deploy_free(struct deployment *);

#endif
