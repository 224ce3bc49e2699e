/* panel/host.h - the C API of libpanelhost, for host programs (admin panels) that load plugins.
 *
 * libpanelhost reads panel.ini (inih), loads plugin .so files (dlopen RTLD_NOW|RTLD_LOCAL), checks their ABI
 * before calling them, keeps a validated deep-copied registry of what they registered, checks permissions
 * (roles hold permission patterns: "*", "prefix.*" or an exact name), dispatches admin calls and API
 * authentication to plugins, and unloads them. It knows nothing about any particular plugin.
 *
 * Threads. Each function carries one tag in its own comment saying from where it may be called:
 *   [thread-safe]   from any thread, concurrently with any call on the same host except panelhost_close.
 *   [query-thread]  reads the registry: concurrently with other [query-thread], [serialised] and
 *                   [thread-safe] calls, never during an [owner-thread] call (which changes the registry).
 *   [serialised]    admin dispatch to a plugin: the library serialises the calls of one plugin, so several
 *                   threads may call at once (a threaded web server); not during an [owner-thread] call.
 *   [owner-thread]  changes the host or its registry (open, load, unload, extension changes, the scope
 *                   catalogue): one thread, while no other call runs on the host except panelhost_authenticate,
 *                   which load and unload wait for (a web server takes a write lock around these, and a read
 *                   lock around admin requests, as sample-host's web_extensions.c does). panelhost_close
 *                   overlaps nothing at all, not even panelhost_authenticate: stop every thread that may still
 *                   use the host first (sample-host's web_serve joins its request threads before main closes).
 *   [worker-thread] the process-wide hosts for bindings: serialised by a mutex of the library, and meant for a
 *                   runtime that serves one request at a time per process (a PHP-FPM worker).
 * The config, the data directory and the clock option never change after panelhost_open.
 *
 * Errors. Every function that can fail returns PANEL_OK or a negative PANEL_E_* (see panel/plugin.h) and
 * writes a message a person can act on into err[0..err_len) (always NUL-terminated when err_len > 0).
 *
 * Pointers returned by the query functions point into the registry and stay valid until the plugin that
 * registered them is unloaded, or until panelhost_close().
 */
#ifndef PANEL_HOST_H
#define PANEL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "panel/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct panelhost panelhost_t;

/* Log sink: receives every log line of the library and of plugins. plugin_id is NULL for the host itself.
 * [thread-safe]: may be called from any thread. The line never carries a secret. */
typedef void (*panelhost_log_fn)(void *ctx, int32_t level, const char *plugin_id, const char *msg);

/* Options of panelhost_open. Zero-initialise it (e.g. `panelhost_options_t o = {.config_path = ...};`): later
 * versions only append fields, and a zero field keeps the ABI 1.0 behaviour. It has no struct_size, so a
 * library newer than the program must not read appended fields it was not given: such fields will come with
 * a new function (e.g. panelhost_open2), never by growing this struct behind an old program's back. */
typedef struct panelhost_options {
    const char *config_path;   /* nullable: no config file (built-in defaults, no users but none) */
    const char *data_dir;      /* nullable: overrides [host] data_dir */
    int64_t fixed_now;         /* 0: the real clock; else the Unix time panel_host_t.now() returns */
    panelhost_log_fn log;      /* nullable: log lines at WARN or worse go to stderr */
    void *log_ctx;
    int32_t min_log_level;     /* lines with a larger (less severe) level are dropped; e.g. PANEL_LOG_WARN */
} panelhost_options_t;

/* [owner-thread] Reads and validates the config (refusing a config file other users can write, a line the parser
 * rejects or a line longer than the parser handles, naming file and line), creates the data directory (0700) and
 * returns a host with no plugin loaded. Loads nothing. Ownership (OpenSSH's StrictModes, also when running as
 * root): refuses (PANEL_E_DENIED) a data directory, or any file, folder or symlink in it (8 levels deep), that
 * is owned by a uid other than the running one or root, or (symlinks aside) is writable by group or others;
 * the message names the path, its owner and mode, and the chown/chmod that fixes it. An existing data
 * directory that is only readable by others is narrowed to 0700. */
int32_t panelhost_open(const panelhost_options_t *options, panelhost_t **out, char *err, size_t err_len);

/* [thread-safe] The same ownership rule for a file a host program opened itself (e.g. in the data directory,
 * with O_NOFOLLOW): fstat()s `fd` and returns PANEL_OK, PANEL_E_INVALID when it is not a regular file, or
 * PANEL_E_DENIED when it is owned by another uid than the running one or root, or writable by group or others;
 * err names `path`, owner, mode and the fix. plugin.h states the same rule for plugins' own files. */
int32_t panelhost_check_open_file(int fd, const char *path, char *err, size_t err_len);

/* [owner-thread] Unloads every plugin (in reverse load order) and frees the host. NULL is ignored. No other call
 * on this host, panelhost_authenticate included, may be running or start: stop the threads that use it first. */
void panelhost_close(panelhost_t *host);

/* [thread-safe] A value from the config: section is e.g. "host", "role:admin", "plugin:apikeys". NULL when
 * unset. Paths under [host] (data_dir, plugins) are returned as given; use panelhost_data_dir() for the
 * resolved one. */
const char *panelhost_config_get(const panelhost_t *host, const char *section, const char *key);

/* [thread-safe] The resolved absolute data directory. */
const char *panelhost_data_dir(const panelhost_t *host);

/* [thread-safe] The host clock, Unix seconds (options.fixed_now when set). */
int64_t panelhost_now(const panelhost_t *host);

/* ----- plugins ------------------------------------------------------------------------------------------ */

/* [owner-thread] Loads one plugin: opens the file once and checks that open file (fstat) and every folder above it
 * by the ownership rule of panelhost_open (a world-writable folder passes only with the sticky bit, like /tmp),
 * dlopens it and refuses it (PANEL_E_DENIED) unless what was mapped has the checked file's device and inode
 * (a file swapped meanwhile); then finds
 * PANEL_ENTRY_SYMBOL, checks ABI major and struct sizes before calling anything, calls init. On any failure
 * nothing of the plugin stays registered or mapped, and err says what and why, e.g.
 * "plugin build/x.so was built for ABI 2.0; this host speaks ABI 1.x". Relative paths resolve against the
 * current directory. */
int32_t panelhost_load(panelhost_t *host, const char *path, char *err, size_t err_len);

/* Called by panelhost_load_configured for each plugin that failed to load; path and message valid during
 * the call. */
typedef void (*panelhost_load_error_fn)(void *ctx, const char *path, const char *message);

/* [owner-thread] Loads every plugin of [host] plugins (paths relative to the config file's folder), in order,
 * reporting each failure to on_error (nullable) and going on with the rest. Returns the number that failed. */
int32_t panelhost_load_configured(panelhost_t *host, panelhost_load_error_fn on_error, void *ctx);

/* [owner-thread] Unloads plugin `id`: unregisters everything it registered, waits for in-flight
 * panelhost_authenticate calls into it, calls fini, dlcloses it. It does NOT wait for other calls: the caller must
 * exclude every other call on the host (admin dispatch, registry queries, extension listings) while it runs, e.g.
 * with a write lock that those calls take for reading, as sample-host's web server does (web_extensions.c: a read
 * lock per admin request, the write lock for reloads and enable/disable; API requests only authenticate). */
int32_t panelhost_unload(panelhost_t *host, const char *plugin_id, char *err, size_t err_len);

/* Written by panelhost_plugin_at. This struct never grows (it has no struct_size); more fields would come
 * with a new function. */
typedef struct panelhost_plugin_info {
    const char *id;
    const char *name;
    const char *version;
    const char *description;   /* may be "" */
    const char *path;          /* the file given to panelhost_load, resolved (realpath: absolute, no "..") */
    uint32_t abi_major;
    uint32_t abi_minor;
} panelhost_plugin_info_t;

/* [query-thread] Number of loaded plugins, and the i-th in load order (0 <= i < count). */
size_t panelhost_plugin_count(const panelhost_t *host);
int32_t panelhost_plugin_at(const panelhost_t *host, size_t i, panelhost_plugin_info_t *out);

/* ----- callers and permissions --------------------------------------------------------------------------- */

/* [thread-safe] Fills *caller for admin user `user` of the config ([user:NAME] role = ...). origin is
 * PANEL_ORIGIN_CLI (with os_uid) or PANEL_ORIGIN_WEB (with client_addr, non-NULL and non-empty, else
 * PANEL_E_INVALID). confirmed: 1 when the person
 * confirmed a dangerous operation. Fails with PANEL_E_NOT_FOUND when the user is not in the config,
 * PANEL_E_INVALID when the user's role has no [role:NAME] section. The strings pointed to must outlive the
 * caller's use. BEFORE the call, set caller->struct_size = sizeof(panel_caller_t) (e.g. `panel_caller_t c =
 * {.struct_size = sizeof c};`): the library, which may have been built against a newer plugin.h than the
 * program, writes at most that many bytes, keeps struct_size as set, and refuses a size below the ABI 1.0
 * size (PANEL_E_VERSION). */
int32_t panelhost_caller_init(const panelhost_t *host, panel_caller_t *caller, const char *user,
                              int32_t origin, int64_t os_uid, const char *client_addr, int32_t confirmed,
                              char *err, size_t err_len);

/* [thread-safe] 1 when `role` grants `permission` ("*" grants all; "settings.*" grants "settings" and
 * "settings.x.y"; otherwise an exact match), else 0. */
int32_t panelhost_role_allows(const panelhost_t *host, const char *role, const char *permission);

/* ----- the registry ------------------------------------------------------------------------------------- */
/* Descriptors returned here are the host's own deep copies (struct_size = the host's sizeof; fields the
 * plugin did not know are NULL/0). Callbacks in them must not be called directly: use the dispatchers. */

/* [query-thread] The menu entries `caller` may see, sorted by path parent then order. Writes up to max pointers
 * into out and returns how many entries there are in all. */
size_t panelhost_menu(const panelhost_t *host, const panel_caller_t *caller, const panel_menu_entry_t **out,
                      size_t max);

/* [query-thread] The page with this id, or NULL. Does not check permission. */
const panel_page_t *panelhost_page(const panelhost_t *host, const char *page_id);
/* [query-thread] The id of the plugin that registered the page, or NULL. */
const char *panelhost_page_plugin(const panelhost_t *host, const char *page_id);

/* [query-thread] Fields, tables and actions of a page, in registration order: the i-th, or NULL past the end. */
const panel_field_t *panelhost_field_at(const panelhost_t *host, const char *page_id, size_t i);
const panel_table_t *panelhost_table_at(const panelhost_t *host, const char *page_id, size_t i);
const panel_action_t *panelhost_action_at(const panelhost_t *host, const char *page_id, size_t i);

/* [query-thread] Number of registered auth providers. */
size_t panelhost_auth_provider_count(const panelhost_t *host);

/* ----- admin dispatch ------------------------------------------------------------------------------------
 * Each checks that the page exists (PANEL_E_NOT_FOUND) and that the caller's role holds the page's
 * permission (PANEL_E_DENIED, and the plugin is not called), then calls the plugin, serialised per plugin. */

/* Row callback for status lines and tables; cells valid during the call. Return PANEL_OK to go on; any other
 * value stops the plugin early, and the dispatch call then returns PANEL_OK with the rows delivered so far.
 * It runs while the library holds the plugin's (non-recursive) call lock: it must not call back into the
 * library for the same plugin (no dispatch, no unload); copy what it needs and act after the call returns. */
typedef int32_t (*panelhost_row_fn)(void *ctx, const char *const *cells, uint32_t n_cells);

/* [serialised] The page's status lines (e.g. "Status: enabled"), each as one row of cells to on_row. */
int32_t panelhost_page_status(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                              panelhost_row_fn on_row, void *ctx, char *err, size_t err_len);

/* [serialised] Writes the field's current value (a secret: its hint) into out; out_len must be >= PANEL_VALUE_MAX
 * + 1 (plugin.h promises plugins that much), else PANEL_E_INVALID and the plugin is not called. */
int32_t panelhost_field_get(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, char *out, size_t out_len, char *err, size_t err_len);

/* [serialised] Sets a field from value[0..value_len), exactly as given. Refuses a read-only field
 * (PANEL_E_INVALID), a dangerous field when caller->confirmed is 0 (PANEL_E_CONFIRM, msg = the field's
 * confirmation text), a value the field's validator refuses (PANEL_E_INVALID, msg = the validator's message). msg
 * receives the plugin's confirmation or error message. */
int32_t panelhost_field_set(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, const char *value, size_t value_len, char *msg,
                            size_t msg_len);

/* [serialised] Up to `limit` rows of a table from row `offset` on, each to on_row. */
int32_t panelhost_table_read(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *table_id, uint64_t offset, uint32_t limit, panelhost_row_fn on_row,
                             void *ctx, char *err, size_t err_len);

/* [serialised] Runs an action with n_args (name, value) pairs. Refuses unknown parameter names, values outside an
 * enum, a missing required parameter (PANEL_E_INVALID), a dangerous action when caller->confirmed is 0
 * (PANEL_E_CONFIRM, message = its confirmation text). Fills defaults. `result` is the caller's: message and
 * secret buffers as documented on panel_result_t. The caller shows a non-empty secret once and wipes it.
 * result->struct_size must be set (sizeof(panel_result_t)); the library reads no byte of *result beyond it and
 * refuses a size below the ABI 1.0 size, as well as a message buffer < 256 bytes or a secret buffer
 * < PANEL_SECRET_MAX (PANEL_E_INVALID, with the reason in the message buffer when there is one). */
int32_t panelhost_action_run(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *action_id, const char *const *arg_names,
                             const char *const *arg_values, size_t n_args, panel_result_t *result);

/* ----- ABI 1.1: records, row actions, availability, choices (see panel/plugin.h) ---------------------------
 * A table whose row_id_column is set lists records; an action whose row_table names it is a row action,
 * offered per row and run for one record id (the row's cell in that column). Page actions have row_table
 * NULL. */

/* [serialised] panelhost_action_run for a row action (record_id: the selected record, PANEL_RECORD_ID_MAX syntax)
 * or a page action (record_id NULL; panelhost_action_run is this call with NULL). Refuses, without calling the
 * plugin (PANEL_E_INVALID, the message saying what to give): a row action without a record id ("... acts on
 * one row of table 'keys': give the record id"), a page action with one, a record id of another syntax.
 * Whether the record exists is the plugin's answer (PANEL_E_NOT_FOUND). When result->struct_size covers
 * result->record (a program built against 1.1: record non-NULL, record_len >= PANEL_RECORD_ID_MAX + 1), it
 * receives the id of the record the action created, or "" (also on failure); an id the plugin wrote that is
 * not a record id is dropped (logged). A program built against 1.0 gets everything else unchanged. */
int32_t panelhost_action_run_record(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                    const char *action_id, const char *record_id, const char *const *arg_names,
                                    const char *const *arg_values, size_t n_args, panel_result_t *result);

/* [serialised] Whether action `action_id` makes sense now, for the page (record_id NULL) or for record `record_id`
 * of its row table, as the plugin's availability callback says; for rendering only (the action may still be run,
 * and then gives its own answer). Same page, permission and record-id checks as panelhost_action_run_record
 * (PANEL_E_NOT_FOUND, PANEL_E_DENIED, PANEL_E_INVALID; the plugin is not called). Returns PANEL_OK when it is
 * available (reason: the plugin's note, one line, e.g. what running it now would break; "" when it gave none or
 * registered no availability callback), PANEL_E_STATE when it is
 * not, with the plugin's reason (one line) in reason[0..reason_len), or another negative code when the
 * plugin could not tell, with its message: show the action as available then (running it gives the real
 * answer). Serialised per plugin like every admin call. */
int32_t panelhost_action_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   const char *action_id, const char *record_id, char *reason,
                                   size_t reason_len);

/* [serialised] Since 2.1 (ABI 1.3). Whether field `field_id` of the page can be set now, as the plugin's field
 * availability callback says; for rendering only (panelhost_field_set still gives the field's own answer). Same
 * page and permission checks as panelhost_field_get (PANEL_E_NOT_FOUND for an unknown page or field,
 * PANEL_E_DENIED). Returns PANEL_OK when it is offered (reason: the plugin's note, one line, or "" when it gave
 * none or registered no callback, as a 1.2 plugin), PANEL_E_STATE when it is not, with the plugin's reason (one
 * line) in reason[0..reason_len): hide or disable the input and show the reason; or another negative code when
 * the plugin could not tell, with its message: offer the field then. Serialised per plugin. */
int32_t panelhost_field_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                  const char *field_id, char *reason, size_t reason_len);

/* [thread-safe] Choice i (0-based) of an enum or list parameter with choices: the value to send into
 * value[0..value_len) and the text to show into label[0..label_len) (its choice label, or the value itself when
 * the parameter has no labels). Either buffer may be NULL with length 0. PANEL_OK, or PANEL_E_NOT_FOUND past the
 * last choice (and for a parameter without choices); a too-small buffer truncates (NUL-terminated). */
int32_t panelhost_param_choice(const panel_param_t *param, size_t i, char *value, size_t value_len, char *label,
                               size_t label_len);

/* ----- API authentication ---------------------------------------------------------------------------------
 * One call: panelhost_authenticate(host, request, outcome). A binding that cannot hand C a struct of pointers
 * uses panelhost_process_verdict (below), which takes the same request as one buffer. */

/* The scope value of a route that every valid credential may call (ping, whoami): a route always names the
 * scope it requires, or says with this value that it requires none. NULL and "" are refused (400
 * "bad_request"), so a route that forgot its scope is never open to every key. */
#define PANEL_SCOPE_NONE "*"

/* One request header. Headers are passed as an array of (name, value) pairs, the form every HTTP server
 * library already has or can build in one loop, rather than a lookup callback: the library reads no code of
 * the caller's while it decides, a binding can pass them as plain values, and the library itself applies the
 * rules of RFC 9110 the same way for every host: names compared case-insensitively, a field sent several times
 * handed to the providers as one value joined by ", " (section 5.3), whitespace around a value not part of it
 * (section 5.5). */
typedef struct panelhost_header {
    const char *name;          /* non-NULL, e.g. "X-API-Key" */
    const char *value;         /* non-NULL, as received */
} panelhost_header_t;

#define PANELHOST_HEADERS_MAX 256u  /* more headers in one request: 400 "bad_request" */

/* An API request to authenticate. Strings are UTF-8, NUL-terminated, valid during the call. Zero-initialise it
 * (`panelhost_request_t rq = {.method = ...};`): a later library may append fields (a zero field then keeps
 * this behaviour), never change these. */
typedef struct panelhost_request {
    const char *method;        /* non-NULL, e.g. "GET" */
    const char *path;          /* non-NULL, without the query string, e.g. "/api/v1/ping" */
    const char *client_addr;   /* non-NULL: the client's address as the host determined it, e.g. "203.0.113.9"
                                * ("local" for a command line) */
    const char *scope;         /* non-NULL: the scope the route requires (an id of the catalogue set with
                                * panelhost_set_api_scopes, e.g. "store.read"), or PANEL_SCOPE_NONE */
    const panelhost_header_t *headers; /* n_headers pairs; NULL when n_headers is 0 */
    size_t n_headers;          /* 0..PANELHOST_HEADERS_MAX */
} panelhost_request_t;

/* Everything a host sends back for an API request, written by panelhost_authenticate. Set struct_size =
 * sizeof(panelhost_auth_outcome_t) before the call (`panelhost_auth_outcome_t out = {.struct_size = sizeof
 * out};`): the library writes no byte beyond it, so a later version may append fields. */
typedef struct panelhost_auth_outcome {
    uint32_t struct_size;      /* set by the caller */
    int32_t allowed;           /* 1: allowed; 0: denied */
    int32_t http_status;       /* allowed: 200; denied: 400, 401, 403, 429, 503 ... */
    int32_t reserved;          /* 0 */
    int64_t retry_after;       /* denied: seconds to send as Retry-After (0..86400); 0: none */
    char principal[PANEL_PRINCIPAL_MAX];   /* allowed: who, e.g. "apikeys:site" */
    char error_code[PANEL_ERROR_CODE_MAX]; /* denied: e.g. "missing", "unknown", "scope", "no_auth_provider" */
    char message[PANEL_MESSAGE_MAX];       /* denied: what to do; never the presented credential */
    char label[PANEL_LABEL_MAX];   /* allowed: a name for people (e.g. a named key's label); "" when none */
    char scopes[PANEL_SCOPES_MAX]; /* allowed: the principal's scopes, comma-separated ids; "" when not said */
    /* ----- end of libpanelhost 2.0's outcome; since 2.1 (ABI 1.3), written only when struct_size holds them */
    int64_t deprecation;       /* allowed: Unix time the credential was superseded, to send as
                                * `Deprecation: @<time>` (RFC 9745); 0: none */
    int64_t sunset;            /* allowed: Unix time the credential stops working, to send as
                                * `Sunset: <HTTP-date>` (RFC 8594); 0: none */
} panelhost_auth_outcome_t;

/* [thread-safe] Asks every auth provider in registration order (plugins in load order); the first ALLOW or
 * DENY decides and later providers are not asked. The route's scope reaches every provider, so a credential
 * without it is denied (403). When all abstain: denied, 401 "missing", with a message listing what each
 * provider reads (its description, e.g. "X-API-Key or Authorization: Bearer"). When no provider is
 * registered: denied, 503 "no_auth_provider". When the library ran out of memory while changing the provider
 * list: denied, 503 "auth_unavailable" until the next load or unload. A request is never allowed by default.
 * **RETURNS PANEL_OK WHENEVER IT DECIDED, ALSO WHEN IT DENIED: THE RETURN VALUE IS NOT THE VERDICT. ALWAYS
 * CHECK outcome->allowed.** An incomplete request (a NULL method, path, client address or header, NULL or ""
 * scope, more than PANELHOST_HEADERS_MAX headers) or a NULL host returns PANEL_E_INVALID, with outcome a 400
 * "bad_request" denial naming what is missing; an outcome whose struct_size is below this struct's size in
 * libpanelhost 2.0 (the members above) returns PANEL_E_INVALID without writing it. */
int32_t panelhost_authenticate(panelhost_t *host, const panelhost_request_t *request,
                               panelhost_auth_outcome_t *outcome);

/* [thread-safe] since libpanelhost 2.1 (ABI 1.3). Hands a credential someone reported as leaked (e.g. the body
 * of the sample host's POST /api/v1/keys/revoke) to every auth provider that takes reports
 * (panel_auth_provider_t.report_leak), in registration order; each makes the credential refused for good
 * when it is one of its live values. Returns PANEL_OK when every such provider accepted the report, whether or
 * not any knew the credential (answer the reporter the same either way, RFC 7009 section 2.2), or the first
 * failure with its message in err[0..err_len) (answer 503: the report may be retried). PANEL_E_INVALID for a
 * NULL host or report, an empty credential or one over PANEL_VALUE_MAX bytes or holding a NUL or control
 * character (answer 200 as for an unknown one: a malformed string is no key). The caller wipes the
 * credential after the call. */
int32_t panelhost_report_leak(panelhost_t *host, const panel_leak_report_t *report, char *err, size_t err_len);

/* ----- the API scope catalogue (ABI 1.1: extension PANEL_EXT_API_SCOPES of panel/plugin.h) ---------------
 * The scopes the host program's API routes may require, with a description each, which plugins read during
 * init (get_extension(PANEL_EXT_API_SCOPES)) to offer exactly these scopes. A host without a catalogue offers
 * no such extension (plugins get NULL). */

/* [owner-thread] Sets the catalogue: n scopes (0..64), ids[i] words of [a-z0-9_-] joined by single '.'
 * (1..PANEL_ID_MAX bytes, unique), descriptions[i] one line of UTF-8 (NULL or "" allowed), all ids comma-separated
 * fitting in PANEL_SCOPES_MAX - 1 bytes; the library copies them. n = 0 removes the catalogue. Only while no
 * plugin is loaded (call it after panelhost_open, before panelhost_load / panelhost_extensions_load): PANEL_E_STATE
 * otherwise, since plugins may keep the pointers until fini. PANEL_E_INVALID naming the bad entry. */
int32_t panelhost_set_api_scopes(panelhost_t *host, const char *const *ids, const char *const *descriptions,
                                 size_t n, char *err, size_t err_len);

/* [owner-thread] panelhost_set_api_scopes from the catalogue's written form, the value of `[host] api_scopes` in
 * panel.ini: "ID: description" items separated by ';' (a trailing ';' allowed), e.g. "store.read: Read the store;
 * deliveries.pull: Pull deliveries" (at most 64 items, ids of a-z 0-9 _ . -, descriptions of 1..160 bytes).
 * PANEL_E_INVALID with a message naming the setting, the item and what to write. panelhost_process_open applies
 * the config's [host] api_scopes this way before it loads the extensions. */
int32_t panelhost_set_api_scopes_text(panelhost_t *host, const char *text, char *err, size_t err_len);

/* [thread-safe] The catalogue as plugins see it (NULL when none is set); valid until the next
 * panelhost_set_api_scopes or panelhost_close. */
const panel_api_scopes_t *panelhost_api_scopes(const panelhost_t *host);

/* ----- extensions: installed plugins, their enabled state, the host audit log ------------------------------
 * The installed extensions are the plugins of [host] plugins (in order) followed by every *.so file of the
 * optional [host] plugin_dir (sorted by name; both relative to the config file's folder); a file listed in
 * both counts once, as configured. Each one's enabled state lives in DATA_DIR/extensions.state (0600,
 * replaced atomically: temporary file, fsync, rename, fsync of the folder), keyed by plugin id. A plugin
 * without a line there is enabled when the config lists it and disabled when it was only found in
 * plugin_dir (dropping a file into the folder never starts it). A disabled extension is never initialised:
 * nothing of it is registered (menu, pages, fields, tables, actions, auth provider), and its data stays in
 * the data directory, so enabling it again brings back what it had. Reading a disabled file's id, name and
 * version dlopens it (after the same ownership/mode check as panelhost_load) but never calls its init.
 * Enabling and disabling are recorded in the host audit log DATA_DIR/host-audit.log (0600, one line per
 * event, appended). Same threading rule as load/unload unless marked otherwise. */

/* The permission a caller's role needs to list, enable or disable extensions and to read the audit log. */
#define PANELHOST_PERMISSION_EXTENSIONS "extensions.manage"

typedef struct panelhost_extension_info {
    const char *id;            /* the plugin's id; the file name without ".so" when the file has no entry */
    const char *name;          /* "" when the file could not be read */
    const char *version;       /* "" likewise */
    const char *description;   /* may be "" */
    const char *file;          /* absolute path of the .so */
    int32_t configured;        /* 1: listed in [host] plugins; 0: found in [host] plugin_dir */
    int32_t enabled;           /* the persisted state (or the default described above) */
    int32_t loaded;            /* 1: loaded in this process now */
    const char *load_error;    /* "" when none: why this file is not running although enabled, or why its
                                  entry cannot be read */
    uint32_t n_menu_entries;   /* what it registered in this process (0 when not loaded) */
    uint32_t n_pages;
    uint32_t n_auth_providers;
} panelhost_extension_info_t;

/* Called once per installed extension, in the order above; info and its strings valid during the call.
 * Return PANEL_OK to go on. */
typedef int32_t (*panelhost_extension_fn)(void *ctx, const panelhost_extension_info_t *info);

/* [owner-thread] Loads every enabled installed extension (see above), in order, reporting each failure to on_error
 * (nullable) and going on with the rest; the failure is also kept as that extension's load_error. Use it
 * instead of panelhost_load_configured. Remembers the state file's identity for panelhost_extensions_reload.
 * Returns the number that failed. */
int32_t panelhost_extensions_load(panelhost_t *host, panelhost_load_error_fn on_error, void *ctx);

/* [query-thread] Lists the installed extensions. caller: NULL for the host program itself, else its role must hold
 * PANELHOST_PERMISSION_EXTENSIONS (PANEL_E_DENIED otherwise). May run concurrently with admin dispatch and
 * other listings (it reads the registry but changes nothing), not with load, unload or reload. */
int32_t panelhost_extensions_list(panelhost_t *host, const panel_caller_t *caller, panelhost_extension_fn fn,
                                  void *ctx, char *err, size_t err_len);

/* [owner-thread] Enables (enabled = 1) or disables extension `id` for every process using this data directory, and
 * applies the change in this process at once (loads or unloads it). Refuses a caller whose role lacks
 * PANELHOST_PERMISSION_EXTENSIONS (PANEL_E_DENIED), an unknown id (PANEL_E_NOT_FOUND), and disabling when
 * caller->confirmed is 0 (PANEL_E_CONFIRM, msg = panelhost_extension_effects; a question, not audited).
 * Every other attempt, refused or not, is written to the host audit log with the caller's user, origin and
 * outcome ("ok", "unchanged", "denied", "not_found", "load_failed", "failed"). Enabling an extension that
 * then fails to load keeps it enabled, returns PANEL_E_STATE and says why in msg; enabling an enabled one
 * whose load failed retries the load. Other enabled extensions whose load failed in this process are not
 * retried by this call or by reload. A change is refused (PANEL_E_STORE, nothing written) when the shared
 * change counter DATA_DIR/extensions.counter cannot be used, since other processes would not notice it.
 * msg gets a sentence for the person either way. */
int32_t panelhost_extension_set_enabled(panelhost_t *host, const panel_caller_t *caller, const char *id,
                                        int32_t enabled, char *msg, size_t msg_len);

/* [query-thread] What stops working when extension `id` is disabled, for a confirmation prompt: its menu entries
 * and pages, and, when it provides API authentication, that API requests will be denied (503 "no API
 * authentication is configured" when no other provider remains). PANEL_E_NOT_FOUND for an unknown id. */
int32_t panelhost_extension_effects(const panelhost_t *host, const char *id, char *out, size_t out_len);

/* [owner-thread] Applies changes another process made to the enabled states: panelhost_extensions_changed says
 * whether anything changed; if so, loads the newly enabled extensions and unloads the newly
 * disabled ones (unloading waits for panelhost_authenticate calls in flight, nothing else: see
 * panelhost_unload). *changed (nullable) is set to 1 when it did
 * anything. Cheap when nothing changed. Returns PANEL_OK, or the first load failure (the others still
 * applied; each failure is kept as that extension's load_error). */
int32_t panelhost_extensions_reload(panelhost_t *host, int32_t *changed, char *err, size_t err_len);

/* [thread-safe] 1 when the enabled states differ from the ones last applied: the shared change counter
 * DATA_DIR/extensions.counter (0600, 8 bytes, memory-mapped; every change made through libpanelhost bumps it
 * once the new state file is in place) moved, or the state file itself differs (a stat(): inode, size, mtime,
 * which also notices an edit made by hand). Nothing else: a server can call it on any thread and take its
 * exclusive lock for panelhost_extensions_reload only then. */
int32_t panelhost_extensions_changed(panelhost_t *host);

typedef struct panelhost_audit_entry {
    const char *when;          /* UTC, "2026-11-26T15:04:05Z" (the host clock) */
    const char *user;          /* the acting admin user */
    const char *origin;        /* "cli uid=1000", "web 127.0.0.1" */
    const char *action;        /* e.g. "extension.enable", "extension.disable" */
    const char *target;        /* e.g. the extension id */
    const char *outcome;       /* "ok", "unchanged", "denied", "not_found", "load_failed", "failed" */
    const char *detail;        /* a sentence; may be "" */
} panelhost_audit_entry_t;

/* Called per audit entry, newest first; strings valid during the call. Return PANEL_OK to go on. */
typedef int32_t (*panelhost_audit_fn)(void *ctx, const panelhost_audit_entry_t *entry);

/* [thread-safe] Appends one event to the host audit log as `caller` (who and origin). action, target,
 * outcome and detail are flattened to one line (control characters become spaces); never pass a secret. */
int32_t panelhost_audit_append(panelhost_t *host, const panel_caller_t *caller, const char *action,
                               const char *target, const char *outcome, const char *detail, char *err,
                               size_t err_len);

/* [thread-safe] Reads up to `limit` newest entries of the host audit log (0: all), newest first. caller:
 * NULL for the host program, else its role must hold PANELHOST_PERMISSION_EXTENSIONS. A missing log is
 * empty. */
int32_t panelhost_audit_read(panelhost_t *host, const panel_caller_t *caller, uint32_t limit,
                             panelhost_audit_fn fn, void *ctx, char *err, size_t err_len);

/* ----- bindings: a process-wide host and entry points without callbacks ------------------------------------
 * For programs that reach libpanelhost through a foreign-function interface, e.g. PHP's FFI
 * (bindings/php/): a runtime that starts a fresh script for every request (PHP-FPM) cannot keep a C object
 * alive between requests by itself, and should never have its own code called back from inside C. These
 * functions need neither: the library keeps the host for the process, and takes headers and rows as arrays.
 * Everything else (callers, the registry queries, field get/set, actions) is used as documented above. */

/* Flag of panelhost_process_open: close every process-wide host when the process exits normally (exit() or
 * returning from main), so that plugins run fini (write their batched counters, join their threads). */
#define PANELHOST_PROCESS_CLOSE_AT_EXIT 0x1u

/* [worker-thread] The process-wide host for config_path (the file's realpath is the key; several configs may be
 * open at once). The first call in a process opens it as panelhost_open does (WARN-or-worse log lines to stderr)
 * and loads the enabled extensions (panelhost_extensions_load); later calls return the same handle at the cost
 * of a mutex and one atomic load of the shared change counter (no system call), after applying what other
 * processes changed in the enabled states through libpanelhost, e.g. the sample host's `extensions disable`
 * (panelhost_extensions_reload; a failure there is logged and kept as that extension's load_error, and the
 * call still succeeds). An edit of DATA_DIR/extensions.state by hand moves no counter: a process-wide host
 * applies it when it is opened anew (a restarted worker) or with the next change made through the library
 * (panelhost_extensions_changed sees it at once). Where the counter cannot be created or mapped (the WARN line
 * says why), every call stat()s the state file as panelhost_extensions_changed does. Key changes need
 * nothing here: a plugin sees them at its next verification, as between sample-host processes.
 * The FIRST open fails, keeping nothing (so the next call tries again), when the config or the data
 * directory is refused (the codes of panelhost_open) or when an enabled extension fails to load
 * (PANEL_E_STATE; err names the file and the loader's reason, e.g. "was built for ABI 2.0; this host speaks
 * ABI 1.x"): a process that serves requests must not run without an extension its owner enabled.
 * Once a process-wide host exists, libpanelhost stays mapped until the process ends (RTLD_NODELETE), so a
 * runtime that dlcloses its libraries after each request (PHP's FFI::cdef) does not unmap the host.
 * fork(): a handle opened before fork() stays the parent's; the first call in the child opens the child's own
 * (the inherited one is left untouched: its plugins' threads did not survive the fork).
 * flags: 0 or PANELHOST_PROCESS_CLOSE_AT_EXIT (given by any call, it holds for the process).
 * Threads: calls are serialised by a mutex, but the reload changes the registry, so no other thread may use
 * the returned host meanwhile: it is meant for runtimes that serve one request at a time per process (a
 * PHP-FPM worker calls it at the start of each request). Never pass the handle to panelhost_close. */
int32_t panelhost_process_open(const char *config_path, uint32_t flags, panelhost_t **out, char *err,
                               size_t err_len);

/* [worker-thread] The documented way to close the process-wide hosts: unloads the plugins of every one this
 * process opened (fini runs) and forgets them; a later panelhost_process_open opens afresh. Nothing may use those
 * handles during or after the call. Does nothing when none is open. A worker that exits normally gets this call
 * from the exit handler when PANELHOST_PROCESS_CLOSE_AT_EXIT was given; one killed by a signal loses what its
 * plugins had not yet written (for API Keys: at most flush_interval seconds of use counts, never a key). */
void panelhost_process_close(void);

/* Rows of a page's status lines or of a table, collected into a list the caller reads and frees, instead of
 * a row callback. Same checks and messages as panelhost_page_status and panelhost_table_read (page missing:
 * PANEL_E_NOT_FOUND; role lacking the page's permission: PANEL_E_DENIED, the plugin is not called); on
 * failure *out is NULL. PANEL_E_NOMEM when the rows did not fit in memory (nothing is returned). */
typedef struct panelhost_rows panelhost_rows_t;

/* [serialised] */
int32_t panelhost_page_status_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   panelhost_rows_t **out, char *err, size_t err_len);
/* [serialised] */
int32_t panelhost_table_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *table_id, uint64_t offset, uint32_t limit, panelhost_rows_t **out,
                             char *err, size_t err_len);
/* [thread-safe for distinct lists] The number of rows; the number of cells of row i (0 past the end); cell j
 * of row i (NULL past the end; valid until panelhost_rows_free). */
size_t panelhost_rows_count(const panelhost_rows_t *rows);
uint32_t panelhost_rows_width(const panelhost_rows_t *rows, size_t i);
const char *panelhost_rows_cell(const panelhost_rows_t *rows, size_t i, uint32_t j);
/* [thread-safe] Frees the list. NULL is ignored. */
void panelhost_rows_free(panelhost_rows_t *rows);

/* [worker-thread] The process-wide host panelhost_process_open already opened for config_path in this process,
 * after applying what other processes changed in the enabled extension states (as panelhost_process_open does for
 * an open host); NULL when this process has none open for it (or the path does not resolve): then call
 * panelhost_process_open, which opens it or says what is wrong. Never opens anything itself. For a binding's
 * per-request lookup (PHP's Panel\Host::open). Here and in panelhost_process_open, the absolute config_path
 * named by the previous call, given exactly so again, costs a string compare, the mutex and one atomic load:
 * it is not resolved again, so a symlink on it re-pointed meanwhile takes effect in processes started
 * afterwards (other spellings and relative paths are resolved each time). Same threading rules as
 * panelhost_process_open. */
panelhost_t *panelhost_process_host(const char *config_path);

/* [worker-thread] panelhost_authenticate on the process-wide host of config_path (found as
 * panelhost_process_host finds it, extension changes of other processes applied first): a binding's whole API
 * check in one call. scope: as panelhost_request_t.scope (required: an id of the catalogue, or
 * PANEL_SCOPE_NONE). request[0..request_len) holds the method, the path (without the query string), the
 * client address, then name and value of each header, each followed by a NUL (so it ends with one; at most
 * PANELHOST_HEADERS_MAX headers). Returns the outcome as one NUL-terminated text in a buffer of the calling
 * thread, valid until that thread's next call; never NULL:
 *   allowed: "A" principal "\n" label "\n" scopes "\n" deprecation "\n" sunset
 *            (since 2.1: the outcome's deprecation and sunset as decimal Unix seconds, 0: none)
 *                                         e.g. "Aapikeys:named:3\nMinecraft\nstore.read\n0\n1796601600"
 *   denied:  "D" status (3 digits) error_code "\n" retry_after (decimal seconds, 0: none) "\n" message
 *                                                           e.g. "D401unknown\n0\nthe key is not known ..."
 * (a newline inside the principal, code or scopes becomes '_', inside the label or message a space; the
 * message never holds the presented credential). A buffer that does not end with a NUL or holds an even
 * number of strings (a NUL inside a value shows so), a NULL or "" scope: "D400bad_request\n0\n..." saying
 * what is wrong. When this process has no host open for config_path: "D503host_not_open\n0\n..." (open it
 * with panelhost_process_open, then ask again). */
const char *panelhost_process_verdict(const char *config_path, const char *scope, const char *request,
                                      size_t request_len);

/* [worker-thread] since libpanelhost 2.1 (ABI 1.3). panelhost_report_leak on the process-wide host of config_path
 * (found as panelhost_process_host finds it), with the report's members as plain arguments: a binding's leak
 * report in one call. credential[0..credential_len) (no NUL needed at its end); found_at and source nullable,
 * NUL-terminated; reporter_addr non-NULL. Returns what panelhost_report_leak returns (PANEL_OK: answer 200;
 * PANEL_E_INVALID: a malformed credential, answer 200 too; another code: answer 503, err says why), or
 * PANEL_E_STATE with err when this process has no host open for config_path (open it with
 * panelhost_process_open). The caller wipes the credential after the call. */
int32_t panelhost_process_report_leak(const char *config_path, const char *credential, size_t credential_len,
                                      const char *found_at, const char *source, const char *reporter_addr,
                                      char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* PANEL_HOST_H */
