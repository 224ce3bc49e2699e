/* web_listen.h - where and how `serve` listens: the listen address ("HOST:PORT", "[v6]:PORT", numeric or
 * localhost), the number of worker threads ([host] workers), and the banner printed when the server is ready
 * (the first line is what tests and scripts wait for). Used by web_server.c only; each function is pure or
 * prints to stdout. */
#ifndef SAMPLE_HOST_WEB_LISTEN_H
#define SAMPLE_HOST_WEB_LISTEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "panel/host.h"

/* The host part of "HOST:PORT" ("[v6]:PORT" stays bracketed), for the default allowed hosts. */
void web_listen_host_part(const char *listen, char *out, size_t out_len);

/* Splits "HOST:PORT" and resolves it numerically (or "localhost") into addr. 0, or -1 with err. */
int web_listen_resolve(const char *listen, struct sockaddr_storage *addr, socklen_t *addr_len, char *err,
                       size_t err_len);

/* 1 when addr (AF_INET or AF_INET6) is a loopback address. */
int web_listen_is_loopback(const struct sockaddr_storage *addr);

/* [host] workers: 1..64, default 4. 0, or -1 with err naming the setting. */
int web_listen_workers(panelhost_t *host, unsigned *workers, char *err, size_t err_len);

/* Prints the ready banner: the panel's and the API's address, and the first run's password (nullable: shown
 * once) or how to set one; the passwd command it prints names config_path (nullable: the default config)
 * with -c, so copying it acts on this server's data directory. */
void web_listen_print_ready(const struct sockaddr_storage *addr, uint16_t port, const char *first_password,
                            const char *config_path);

#endif /* SAMPLE_HOST_WEB_LISTEN_H */
