/*
 * The termination signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT). Outside a
 * held section they end the process as they would without roleca's
 * handler, after putting back a terminal that a passphrase prompt left
 * without echo. Inside one, while an operation's record is committed and
 * its files are placed, they wait for the section to end, so that an
 * interrupt does not leave a certificate recorded with half its files
 * placed; then the first one takes effect.
 */
#ifndef ROLECA_SIG_H
#define ROLECA_SIG_H

struct termios;

/* Install the handlers, once, before any command runs. */
void	 sig_init(void);
/* Hold the signals until the matching sig_release; sections nest. */
void	 sig_hold(void);
void	 sig_release(void);
/*
 * A prompt turns the echo of the terminal fd off: what to put back should
 * a signal end the process before sig_tty_done.
 */
void	 sig_tty_quiet(int fd, const struct termios *restore);
void	 sig_tty_done(void);

#endif
