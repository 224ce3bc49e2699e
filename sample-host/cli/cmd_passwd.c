/* cmd_passwd.c - the `passwd USER` command: reads a new web-panel password from the terminal (twice,
 * without echo) or from one line of standard input, stores its hash and ends the user's sessions. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "admin_auth.h"
#include "admin_auth_session.h"
#include "cmd_web.h"

#define LINE_MAX_BYTES (ADMIN_PASSWORD_MAX + 2)

/* Reads one line from stdin into buf (without its line end). Returns its length, or -1 at end of input or
 * when it is longer than the buffer. */
static long read_line(char *buf, size_t len)
{
    if (fgets(buf, (int)len, stdin) == NULL)
        return -1;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (long)n;
}

/* Asks on the terminal without echo. */
static long prompt_hidden(const char *prompt, char *buf, size_t len)
{
    struct termios saved, quiet;
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    int tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    long n = read_line(buf, len);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    fprintf(stderr, "\n");
    return n;
}

int cmd_passwd(cli_context_t *ctx)
{
    const char *user = ctx->inv->args[0];
    char err[512] = "";
    admin_auth_t *auth = NULL;
    if (admin_auth_open(ctx->host, &auth, err, sizeof err) != 0)
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "passwd", "%s", err);
    if (!admin_auth_user_exists(auth, user)) {
        admin_auth_close(auth);
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "unknown_user",
                        "no user '%s' in the config; add a [user:%s] section with a role first", user, user);
    }
    char password[LINE_MAX_BYTES + 1];
    char again[LINE_MAX_BYTES + 1];
    long n;
    if (isatty(STDIN_FILENO)) {
        char prompt[128];
        snprintf(prompt, sizeof prompt, "New web-panel password for %s: ", user);
        n = prompt_hidden(prompt, password, sizeof password);
        long m = n >= 0 ? prompt_hidden("Repeat it: ", again, sizeof again) : -1;
        if (n >= 0 && (m != n || memcmp(password, again, (size_t)n) != 0)) {
            sodium_memzero(password, sizeof password);
            sodium_memzero(again, sizeof again);
            admin_auth_close(auth);
            return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "mismatch", "the two passwords differ; nothing changed");
        }
    } else {
        n = read_line(password, sizeof password);
    }
    sodium_memzero(again, sizeof again);
    if (n < 0) {
        sodium_memzero(password, sizeof password);
        admin_auth_close(auth);
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid",
                        "no password read (want one line of %d to %d characters); nothing changed",
                        ADMIN_PASSWORD_MIN, ADMIN_PASSWORD_MAX);
    }
    int rc = admin_auth_set_password(auth, user, password, (size_t)n, err, sizeof err);
    sodium_memzero(password, sizeof password);
    admin_auth_close(auth);
    if (rc != 0)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid", "%s; nothing changed", err);
    if (session_end_user(panelhost_data_dir(ctx->host), user, err, sizeof err) != 0)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "sessions",
                        "the password was changed, but the sessions of %s could not be ended: %s", user, err);
    if (ctx->inv->json)
        printf("{\"ok\":true,\"message\":\"password of %s set; their sessions have ended\"}\n", user);
    else
        printf("Password of %s set; their web-panel sessions have ended.\n", user);
    return CLI_EXIT_OK;
}
