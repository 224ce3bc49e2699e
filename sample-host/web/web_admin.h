/* web_admin.h - the admin panel's front door: /login (with a login CSRF token), /logout, and /admin/...
 * behind a session (redirect to /login without one), the CSRF check on every posted form, and the acting
 * caller handed to the generic pages. Thread-safe: one web_admin_t serves every server thread. */
#ifndef SAMPLE_HOST_WEB_ADMIN_H
#define SAMPLE_HOST_WEB_ADMIN_H

#include "admin_auth.h"
#include "admin_auth_session.h"
#include "panel/host.h"
#include "web_http.h"

typedef struct web_admin {
    panelhost_t *host;
    admin_auth_t *auth;
    session_store_t *sessions;
    int secure_cookies;         /* 1: every cookie gets Secure ([host] public_url is https) */
} web_admin_t;

/* 1 when `path` belongs to the admin panel (/login, /logout, /admin, /admin/...). */
int web_admin_owns(const char *path);

/* The methods an admin-panel path answers, for an Allow header (405, OPTIONS): a static string. HEAD is
 * answered wherever GET is (RFC 9110, 9.3.2). */
const char *web_admin_allow(const char *path);

/* Answers one admin-panel request (HEAD as GET; the web server sends no body for it). */
void web_admin_handle(web_admin_t *admin, const web_request_t *req, web_response_t *res);

#endif /* SAMPLE_HOST_WEB_ADMIN_H */
