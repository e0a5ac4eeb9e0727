/*
 * Termination signals: handled only to hold them over a commit and to
 * put a terminal's echo back; otherwise the default action, re-raised.
 * The handler reads and writes nothing but these sig_atomic_t flags and
 * makes only async-signal-safe calls (tcsetattr, sigaction, raise).
 */
#include <signal.h>
#include <stddef.h>
#include <termios.h>

#include "sig.h"

static const int		 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t	 held;		/* sections open */
static volatile sig_atomic_t	 pending;	/* the first one held */
static volatile sig_atomic_t	 tty_fd = -1;
static struct termios		 tty_restore;

/* The default action now: the process ends as if roleca had no handler. */
static void
die(int sig)
{
	struct sigaction	 dfl;
	sigset_t		 set;

	if (tty_fd >= 0)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_restore);
	dfl.sa_handler = SIG_DFL;
	dfl.sa_flags = 0;
	sigemptyset(&dfl.sa_mask);
	(void)sigaction(sig, &dfl, NULL);
	/* blocked while a handler runs: delivered as it returns */
	(void)raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void
handler(int sig)
{
	if (held > 0) {
		if (pending == 0)
			pending = sig;
		return;
	}
	die(sig);
}

void
sig_init(void)
{
	struct sigaction	 sa;

	sa.sa_handler = handler;
	/* a held signal does not fail the commit's calls with EINTR */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction	 old;

		/* a signal ignored by whoever started roleca stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		(void)sigaction(sigs[i], &sa, NULL);
	}
}

void
sig_hold(void)
{
	held++;
}

void
sig_release(void)
{
	if (held > 0)
		held--;
	if (held == 0 && pending != 0)
		die(pending);
}

void
sig_tty_quiet(int fd, const struct termios *restore)
{
	tty_restore = *restore;
	tty_fd = fd;
}

void
sig_tty_done(void)
{
	tty_fd = -1;
}
