/* web_listen.c - where and how `serve` listens (see web_listen.h): the [host] listen address parsed and resolved,
 * whether it is loopback, the [host] workers count, and the banner printed when the server is ready. */
#include "web_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKERS_DEFAULT 4
#define WORKERS_MAX 64

/* The host part of "HOST:PORT" ("[v6]:PORT" stays bracketed), for the default allowed hosts. */
void web_listen_host_part(const char *listen, char *out, size_t out_len)
{
    const char *colon = strrchr(listen, ':');
    size_t n = colon != NULL ? (size_t)(colon - listen) : strlen(listen);
    snprintf(out, out_len, "%.*s", (int)(n < out_len ? n : out_len - 1), listen);
}

/* Splits "HOST:PORT" ("[v6]:PORT" for IPv6) and resolves it numerically (or "localhost"). */
int web_listen_resolve(const char *listen, struct sockaddr_storage *addr, socklen_t *addr_len, char *err,
                       size_t err_len)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || colon[1] == '\0') {
        snprintf(err, err_len, "cannot listen on '%s': want HOST:PORT, e.g. 127.0.0.1:8080", listen);
        return -1;
    }
    size_t host_len = (size_t)(colon - listen);
    const char *h = listen;
    if (listen[0] == '[' && host_len >= 2 && listen[host_len - 1] == ']') {
        h = listen + 1;
        host_len -= 2;
    }
    if (host_len >= sizeof host) {
        snprintf(err, err_len, "cannot listen on '%s': the host part is too long", listen);
        return -1;
    }
    memcpy(host, h, host_len);
    host[host_len] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        snprintf(err, err_len, "cannot listen on '%s': the port must be a number from 0 to 65535", listen);
        return -1;
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (strcmp(host, "localhost") == 0 ? 0 : AI_NUMERICHOST);
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0 || res == NULL) {
        snprintf(err, err_len, "cannot listen on '%s': '%s' is not an IP address (%s)", listen, host,
                 gai != 0 ? gai_strerror(gai) : "no address");
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int web_listen_is_loopback(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)addr;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)addr;
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

/* The number of worker threads: [host] workers, 1..WORKERS_MAX, default WORKERS_DEFAULT. 0 or -1 (err set). */
int web_listen_workers(panelhost_t *host, unsigned *workers, char *err, size_t err_len)
{
    const char *text = panelhost_config_get(host, "host", "workers");
    *workers = WORKERS_DEFAULT;
    if (text == NULL || text[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 1 || n > WORKERS_MAX) {
        snprintf(err, err_len,
                 "[host] workers = '%s' is not valid: give the number of threads that serve requests, a whole "
                 "number from 1 to %d (default %d), or remove the line",
                 text, WORKERS_MAX, WORKERS_DEFAULT);
        return -1;
    }
    *workers = (unsigned)n;
    return 0;
}

/* Appends `word` to out (out_len bytes, NUL-terminated, truncated to fit) as one POSIX shell word: as it is when
 * every character is one no shell treats specially, else in single quotes (a ' inside written as '\''), so the
 * printed command can be pasted whatever the program's or the config's path holds (spaces, quotes, $). */
static void append_shell_word(char *out, size_t out_len, const char *word)
{
    size_t at = strlen(out);
    int plain = word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                                "_./-+=:@%,") == strlen(word);
    for (const char *c = plain ? word : "'"; *c && at + 1 < out_len; c++)
        out[at++] = *c;
    for (const char *c = word; !plain && *c && at + 4 < out_len; c++) {
        if (*c == '\'') {
            memcpy(out + at, "'\\''", 4);
            at += 4;
        } else {
            out[at++] = *c;
        }
    }
    if (!plain && at + 1 < out_len)
        out[at++] = '\'';
    out[at] = '\0';
}

void web_listen_print_ready(const struct sockaddr_storage *addr, uint16_t port, const char *first_password,
                            const char *config_path)
{
    char ip[INET6_ADDRSTRLEN] = "";
    if (addr->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, ip, sizeof ip);
    else
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, ip, sizeof ip);
    int v6 = addr->ss_family == AF_INET6;
    printf("Admin panel: http://%s%s%s:%u/  (API: http://%s%s%s:%u/api/v1/ping; Ctrl-C stops)\n", v6 ? "[" : "",
           ip, v6 ? "]" : "", (unsigned)port, v6 ? "[" : "", ip, v6 ? "]" : "", (unsigned)port);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? (size_t)n : 0] = '\0';
    const char *program = n > 0 ? self : "sample-host";
    /* the passwd command to copy acts on this server's config, so it names a -c the server was given */
    char command[2 * (4 * 4096 + 2) + 8] = ""; /* two words of up to 4095 characters, each quote as 4 */
    append_shell_word(command, sizeof command, program);
    if (config_path) {
        strncat(command, " -c ", sizeof command - strlen(command) - 1);
        append_shell_word(command, sizeof command, config_path);
    }
    if (first_password != NULL) {
        printf("First run: created the password of user admin: %s\n", first_password);
        printf("It is shown only this once. Log in as admin with it; change it with: %s passwd admin\n", command);
    } else {
        printf("Log in as admin with the password printed on the first run (or any user of the config); set a "
               "new one with: %s passwd USER\n",
               command);
    }
    fflush(stdout);
}
