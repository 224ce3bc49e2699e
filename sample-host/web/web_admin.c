/* web_admin.c - login, logout, sessions, device cookies and CSRF for the admin panel (see web_admin.h). A
 * wrong password and an unknown user get the same answer, after the same amount of work. */
#include "web_admin.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "web_chart.h"
#include "web_extensions.h"
#include "web_form.h"
#include "web_layout.h"
#include "web_page.h"

#define LOGIN_FAILED_TEXT "Wrong user name or password."

int web_admin_owns(const char *path)
{
    return strcmp(path, "/login") == 0 || strcmp(path, "/logout") == 0 || strcmp(path, "/admin") == 0 ||
           strncmp(path, "/admin/", 7) == 0;
}

const char *web_admin_allow(const char *path)
{
    if (strcmp(path, "/logout") == 0)
        return "POST, OPTIONS";
    if (strcmp(path, "/admin") == 0 || strcmp(path, "/admin/") == 0)
        return "GET, HEAD, OPTIONS";
    return "GET, HEAD, POST, OPTIONS";
}

static void redirect(web_response_t *res, const char *location)
{
    res->status = 303;
    snprintf(res->location, sizeof res->location, "%s", location);
    web_raw(&res->body, "<!doctype html><title>Redirect</title><p>Continue at <a href=\"");
    web_html_text(&res->body, location);
    web_raw(&res->body, "\">");
    web_html_text(&res->body, location);
    web_raw(&res->body, "</a>.</p>\n");
}

/* Adds a Set-Cookie: HttpOnly, SameSite=Strict, Secure when the panel is served over https ([host]
 * public_url). max_age: -1 a session cookie, 0 removes the cookie, else its lifetime in seconds. */
static void add_cookie(const web_admin_t *admin, web_response_t *res, const char *name, const char *value,
                       const char *path, long max_age)
{
    if (res->n_cookies >= WEB_MAX_COOKIES)
        return;
    char age[48] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
    snprintf(res->cookies[res->n_cookies++], sizeof res->cookies[0], "%s=%s; HttpOnly; SameSite=Strict; Path=%s%s%s",
             name, value, path, age, admin->secure_cookies ? "; Secure" : "");
}

/* The login form. token: the login CSRF token (also in the panel_login cookie). */
static void render_login(web_admin_t *admin, web_response_t *res, int status, const char *token,
                         const char *error)
{
    web_buf_t *b = &res->body;
    web_buf_free(b);
    res->status = status;
    web_layout_begin(b, admin->host, NULL, NULL, "Log in", NULL);
    web_raw(b, "<form method=\"post\" action=\"/login\" class=\"login\" id=\"login-form\"><h1>Log in</h1>");
    if (error != NULL) {
        web_raw(b, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
        web_html_text(b, error);
        web_raw(b, "</p>");
    }
    web_layout_csrf_input(b, token);
    web_raw(b, "<label for=\"user\">User name</label><input type=\"text\" name=\"user\" id=\"user\" "
               "autocomplete=\"username\" required autofocus>"
               "<label for=\"password\">Password</label><input type=\"password\" name=\"password\" "
               "id=\"password\" autocomplete=\"current-password\" required>"
               "<p><button type=\"submit\">Log in</button></p></form>");
    web_layout_end(b);
}

/* A fresh random login CSRF token, set as the panel_login cookie. */
static void new_login_token(const web_admin_t *admin, web_response_t *res, char token[SESSION_ID_HEX_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, SESSION_ID_HEX_LEN, raw, sizeof raw);
    add_cookie(admin, res, WEB_LOGIN_COOKIE, token, "/login", -1);
}

static int is_post(const web_request_t *req)
{
    return strcmp(req->method, "POST") == 0;
}

/* Parses a posted form; answers 400/415 and returns -1 when it cannot. */
static int parse_form(web_admin_t *admin, const web_request_t *req, web_form_t *form, web_response_t *res)
{
    const char *type = req->content_type != NULL ? req->content_type : "";
    if (strncmp(type, "application/x-www-form-urlencoded", 33) != 0) {
        web_page_error(admin->host, NULL, NULL, 415, "Unsupported form",
                       "Forms must be posted as application/x-www-form-urlencoded.", res);
        return -1;
    }
    if (web_form_parse(req->body, req->body_len, form) != 0) {
        web_page_error(admin->host, NULL, NULL, 400, "Bad request", "The form could not be read.", res);
        return -1;
    }
    return 0;
}

static void handle_login(web_admin_t *admin, const web_request_t *req, web_response_t *res)
{
    char token[SESSION_ID_HEX_LEN];
    char user[ADMIN_USER_MAX + 1];
    if (!is_post(req)) {
        if (req->session_cookie != NULL &&
            session_lookup(admin->sessions, admin->auth, req->session_cookie, panelhost_now(admin->host), user,
                           sizeof user) == 0) {
            redirect(res, "/admin");
            return;
        }
        new_login_token(admin, res, token);
        render_login(admin, res, 200, token, NULL);
        return;
    }
    web_form_t form;
    if (parse_form(admin, req, &form, res) != 0)
        return;
    const char *presented = web_form_get(&form, "_csrf", NULL);
    if (req->login_cookie == NULL || !session_token_equal(req->login_cookie, presented)) {
        web_form_free(&form);
        new_login_token(admin, res, token);
        render_login(admin, res, 403, token,
                     "The login form expired or did not come from this panel; log in again.");
        return;
    }
    snprintf(token, sizeof token, "%s", req->login_cookie);
    const char *name = web_form_get(&form, "user", NULL);
    size_t password_len = 0;
    const char *password = web_form_get(&form, "password", &password_len);
    int64_t retry_after = 0;
    int rc = admin_auth_login(admin->auth, name != NULL ? name : "", password != NULL ? password : "",
                              password != NULL ? password_len : 0, req->client_addr, req->device_cookie,
                              &retry_after);
    char fingerprint[ADMIN_FINGERPRINT_LEN];
    char id[SESSION_ID_HEX_LEN];
    char err[256];
    if (rc == ADMIN_LOGIN_OK && admin_auth_fingerprint(admin->auth, name, fingerprint) == 0 &&
        session_create(admin->sessions, name, fingerprint, panelhost_now(admin->host), id, err, sizeof err) == 0) {
        char device[ADMIN_DEVICE_TOKEN_LEN];
        admin_auth_device_token(admin->auth, name, device);
        add_cookie(admin, res, WEB_SESSION_COOKIE, id, "/", -1);
        add_cookie(admin, res, WEB_LOGIN_COOKIE, "", "/login", 0);
        add_cookie(admin, res, WEB_DEVICE_COOKIE, device, "/login", ADMIN_DEVICE_MAX_AGE);
        sodium_memzero(id, sizeof id);
        sodium_memzero(device, sizeof device);
        web_form_free(&form);
        redirect(res, "/admin");
        return;
    }
    web_form_free(&form);
    if (rc == ADMIN_LOGIN_THROTTLED) {
        char text[200];
        snprintf(text, sizeof text, "Too many failed logins. Wait %lld seconds, then try again.",
                 (long long)retry_after);
        res->retry_after = (long)retry_after;
        render_login(admin, res, 429, token, text);
    } else if (rc == ADMIN_LOGIN_REFUSED) {
        render_login(admin, res, 401, token, LOGIN_FAILED_TEXT);
    } else {
        render_login(admin, res, 500, token, "Logins are unavailable: the password file cannot be read. "
                                             "See the server's log.");
    }
}

void web_admin_handle(web_admin_t *admin, const web_request_t *req, web_response_t *res)
{
    res->status = 200;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 && !is_post(req)) {
        web_page_error(admin->host, NULL, NULL, 405, "Method not allowed", "Use GET or POST.", res);
        res->allow = web_admin_allow(req->path);
        return;
    }
    if (strcmp(req->path, "/login") == 0) {
        handle_login(admin, req, res);
        return;
    }

    char user[ADMIN_USER_MAX + 1];
    if (req->session_cookie == NULL ||
        session_lookup(admin->sessions, admin->auth, req->session_cookie, panelhost_now(admin->host), user,
                       sizeof user) != 0) {
        if (req->session_cookie != NULL)
            add_cookie(admin, res, WEB_SESSION_COOKIE, "", "/", 0);
        redirect(res, "/login");
        return;
    }
    char csrf[SESSION_ID_HEX_LEN];
    session_csrf_token(req->session_cookie, csrf);
    panel_caller_t caller = {.struct_size = sizeof caller};
    char err[512] = "";
    if (panelhost_caller_init(admin->host, &caller, user, PANEL_ORIGIN_WEB, -1, req->client_addr, 0, err,
                              sizeof err) != PANEL_OK) {
        web_page_error(admin->host, NULL, NULL, 403, "Not allowed", err, res);
        return;
    }

    web_form_t form;
    memset(&form, 0, sizeof form);
    if (is_post(req)) {
        if (parse_form(admin, req, &form, res) != 0)
            return;
        if (!session_token_equal(csrf, web_form_get(&form, "_csrf", NULL))) {
            web_form_free(&form);
            web_page_error(admin->host, &caller, csrf, 403, "Form refused",
                           "The form expired or did not come from this panel (its CSRF token is missing or "
                           "wrong). Reload the page and try again.", res);
            return;
        }
    }

    if (strcmp(req->path, "/logout") == 0) {
        if (is_post(req)) {
            session_end(admin->sessions, req->session_cookie);
            add_cookie(admin, res, WEB_SESSION_COOKIE, "", "/", 0);
            redirect(res, "/login");
        } else {
            web_page_error(admin->host, &caller, csrf, 405, "Method not allowed",
                           "Log out with the button in the header.", res);
            res->allow = web_admin_allow(req->path);
        }
    } else if (strcmp(req->path, "/admin") == 0 || strcmp(req->path, "/admin/") == 0) {
        if (is_post(req)) {
            web_page_error(admin->host, &caller, csrf, 405, "Method not allowed", "Nothing to post here.", res);
            res->allow = web_admin_allow(req->path);
        } else
            web_page_overview(admin->host, &caller, csrf, res);
    } else if (web_extensions_owns(req->path)) {
        web_extensions_handle(admin->host, &caller, csrf, is_post(req), &form, res);
    } else {
        const char *page_id = req->path + strlen("/admin/");
        if (is_post(req))
            web_page_submit(admin->host, &caller, csrf, req, page_id, &form, res);
        else if (req->chart != NULL)
            web_chart_page(admin->host, &caller, csrf, page_id, req->chart, req->group, res);
        else
            web_page_show(admin->host, &caller, csrf, req, page_id, res);
    }
    web_form_free(&form);
    sodium_memzero(csrf, sizeof csrf);
}
