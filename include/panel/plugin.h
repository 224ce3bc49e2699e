/* panel/plugin.h - the plugin ABI: the one contract between an admin-panel host and a plugin .so.
 *
 * A plugin exports exactly one symbol, PANEL_ENTRY_SYMBOL, a const panel_plugin_entry_t whose first three
 * fields are the ABI major, minor and struct size, so a host can reject it before calling any of its
 * functions. The host then calls entry->init() with a table of host functions (panel_host_t); during init the
 * plugin registers its menu entries, pages, fields, tables, actions and auth providers by calling that table.
 * On unload the host unregisters everything, waits for in-flight authenticate() calls (it never starts an
 * admin call while unloading), calls entry->fini() once, dlcloses. Requests that arrive during an unload never
 * reach the plugin: an API request is decided by the remaining providers (or denied, 503 "no_auth_provider",
 * when none remains); admin requests are held off by the host until the unload is over and then find the
 * plugin's pages gone (the host answers "not found").
 *
 * Versioning: a host accepts a plugin whose abi_major equals PANEL_ABI_MAJOR, whatever its abi_minor: minors
 * only add, so a plugin built for a NEWER minor than the host's loads too (the host reads only the fields it
 * knows; the plugin reads host->struct_size before using a member the host may lack). Every struct
 * that can grow starts with `uint32_t struct_size` (sizeof as the *sender* was built). A receiver reads no
 * field that lies beyond the sender's struct_size and treats such absent trailing fields as NULL / 0; it never
 * writes beyond it either (PANEL_HAS_FIELD below is that check). Arrays of structs are passed as arrays of
 * pointers so a grown struct never changes an array stride. Minors append fields in 8-byte units (a 4-byte
 * field is paired with a zeroed `uint32_t reserved`), so a new field never lands in an old struct's tail
 * padding, which an older sender's sizeof already counts but never initialised. Each struct marks where its
 * ABI 1.0 layout ends; every field after that mark says "since 1.1" (or later). Breaking changes get a new
 * major; optional features are looked up by versioned string id through get_extension() and are NULL when
 * absent.
 *
 * The history of minors (what each added, and how each meets the others) is in docs/abi-changes.md.
 *
 * Thread and lifetime tags, used on every function below:
 *   [serialised]   the host never runs two [serialised] calls of one plugin at the same time: it serialises
 *                  them, one at a time per plugin, but on whichever OS thread it likes (e.g. the request
 *                  threads of a threaded web server), so a plugin must not rely on thread identity
 *                  (thread-locals, thread-bound handles). This is NOT what CLAP means by its main thread.
 *                  (ABI 1.0 spelled this tag [main-thread]; the meaning is unchanged.)
 *   [thread-safe]  may run concurrently with any other call of the plugin, from any thread.
 *   [init-only]    may be called only from inside entry->init(), on the thread running init.
 *   [during the call]  a function the host hands over inside a struct (caller, sink, args, request): the
 *                  plugin may call it only while the host's call that handed the struct over has not yet
 *                  returned, and only on the thread running that call.
 *   [during the call, any thread]  the same, but also from other threads of the plugin while that call runs.
 * Types: fixed-width integers only; no enums, bitfields, long or bool inside structs. Status codes are int32_t,
 * PANEL_OK (0) for success and a negative PANEL_E_* for failure. Strings are UTF-8 and NUL-terminated.
 * Memory: whoever allocates frees. Messages travel in caller-provided buffers (pointer + length); a writer
 * always NUL-terminates within the length and truncates rather than overflows. Nothing returned across the
 * boundary ever has to be freed by the other side. Every err/msg buffer a host hands a plugin has
 * err_len >= PANEL_MESSAGE_MAX.
 */
#ifndef PANEL_PLUGIN_H
#define PANEL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------------
 * Versions, the exported symbol, status codes
 * ------------------------------------------------------------------------------------------------------- */

#define PANEL_ABI_MAJOR 1u
#define PANEL_ABI_MINOR 3u

/* The name of the single symbol a plugin exports; its type is `const panel_plugin_entry_t`. */
#define PANEL_ENTRY_SYMBOL "panel_plugin_entry"

/* Build plugins with -fvisibility=hidden and mark the entry with PANEL_EXPORT:
 *     PANEL_EXPORT const panel_plugin_entry_t panel_plugin_entry = { PANEL_ABI_MAJOR, ... };  */
#if defined(__GNUC__) || defined(__clang__)
#define PANEL_EXPORT __attribute__((visibility("default")))
#else
#define PANEL_EXPORT
#endif

#define PANEL_OK 0
#define PANEL_E_INVALID (-1)     /* an argument or a value is not acceptable; the message says why */
#define PANEL_E_DENIED (-2)      /* the caller lacks the permission */
#define PANEL_E_NOT_FOUND (-3)   /* no such plugin, page, field, table, action or parameter */
#define PANEL_E_CONFLICT (-4)    /* an id is already registered */
#define PANEL_E_VERSION (-5)     /* ABI major or struct size not supported */
#define PANEL_E_STORE (-6)       /* the plugin's storage failed (unreadable, locked, full, corrupt) */
#define PANEL_E_INTERNAL (-7)    /* a bug or an unexpected condition; the message says what */
#define PANEL_E_NOMEM (-8)       /* out of memory */
#define PANEL_E_CONFIRM (-9)     /* a dangerous operation was asked for without confirmation */
#define PANEL_E_STATE (-10)      /* not possible in the current state (e.g. no grace key to end) */
#define PANEL_E_UNAVAILABLE (-11) /* temporarily unable (e.g. plugin being unloaded); try again */

/* Log levels for panel_host_t.log. */
#define PANEL_LOG_ERROR 0
#define PANEL_LOG_WARN 1
#define PANEL_LOG_INFO 2
#define PANEL_LOG_DEBUG 3

/* Limits a host enforces on registrations (a longer id or label is refused with PANEL_E_INVALID). */
#define PANEL_ID_MAX 64u        /* bytes, without the NUL, of any id */
#define PANEL_TEXT_MAX 4096u    /* bytes of any label, help or confirmation text */
#define PANEL_VALUE_MAX 4096u   /* bytes of a field value, a parameter value or a table cell */
#define PANEL_SECRET_MAX 256u   /* bytes of a one-time secret, including its NUL */
/* since 1.1: a record id (the row-id cell of a table row, args->record_id, result->record) is 1..64 bytes of
 * [A-Za-z0-9_.:-]; a host refuses any other (PANEL_E_INVALID) before calling the plugin. */
#define PANEL_RECORD_ID_MAX 64u
/* since 1.1: bytes of a scope list (panel_auth_result_t.scopes), including its NUL; a host's scope catalogue
 * is kept small enough that all its ids, comma-separated, fit. */
#define PANEL_SCOPES_MAX 1024u
/* since 1.2: bytes of a principal's label (panel_auth_result_t.label), including its NUL. */
#define PANEL_LABEL_MAX 64u
/* The least room a host gives a provider's answer (panel_auth_result_t), in bytes including the NUL: the
 * principal, the error code and the message. The same sizes hold every err/msg buffer a host hands a plugin
 * (PANEL_MESSAGE_MAX). */
#define PANEL_PRINCIPAL_MAX 64u
#define PANEL_ERROR_CODE_MAX 32u
#define PANEL_MESSAGE_MAX 256u

/* 1 when the struct at `ptr` (whose first field is its struct_size, as the sender was built) is large enough to
 * hold `field` of `type`: check it before reading or writing any field added after ABI 1.0, e.g.
 * `PANEL_HAS_FIELD(panel_args_t, args, record_id) ? args->record_id : NULL`. */
#define PANEL_HAS_FIELD(type, ptr, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ---------------------------------------------------------------------------------------------------------
 * Extensions: optional features looked up by versioned string id (panel_host_t.get_extension)
 *
 * Ids are "panel.NAME/REV": NAME is [a-z0-9_]+, REV a decimal revision starting at 1. "panel." ids are defined
 * in this header only; other parties use their own prefix ("vendor.NAME/REV"). A revision never changes
 * incompatibly: an extension struct grows only by appending fields after its struct_size, and a breaking
 * change gets a new id ("panel.NAME/2"), which a host may offer next to the old one.
 * ------------------------------------------------------------------------------------------------------- */

/* since 1.1: the host's API scope catalogue, a const panel_api_scopes_t *. NULL when the host has none. */
#define PANEL_EXT_API_SCOPES "panel.api_scopes/1"

/* One scope of the catalogue, e.g. {"store.read", "Read the store's products and prices"}. */
typedef struct panel_api_scope {
    uint32_t struct_size;      /* sizeof(panel_api_scope_t) as the host was built */
    uint32_t reserved;         /* 0 */
    const char *id;            /* non-NULL; words of [a-z0-9_-] joined by single '.', 1..PANEL_ID_MAX bytes */
    const char *description;   /* non-NULL, may be ""; one line, for the owner choosing a key's scopes */
} panel_api_scope_t;

/* What get_extension(host, PANEL_EXT_API_SCOPES) returns: the scopes the host's API routes may require
 * (panel_request_t.scope is always one of them, or NULL). Owned by the host, read-only, unchanged and valid
 * until fini returns, so a plugin may keep the pointers. [thread-safe] to read. */
typedef struct panel_api_scopes {
    uint32_t struct_size;      /* sizeof(panel_api_scopes_t) as the host was built */
    uint32_t n_scopes;         /* 0..64 */
    const panel_api_scope_t *const *scopes; /* n_scopes non-NULL pointers, ids unique, in the host's order */
} panel_api_scopes_t;

typedef struct panel_host panel_host_t;

/* ---------------------------------------------------------------------------------------------------------
 * Caller context: who is acting, passed to every admin callback
 * ------------------------------------------------------------------------------------------------------- */

#define PANEL_ORIGIN_CLI 1  /* the command line: os_uid is set, client_addr is NULL */
#define PANEL_ORIGIN_WEB 2  /* the web panel: client_addr is set, os_uid is -1 */

/* Built by the host for one admin call; valid only for the duration of that call. Do not keep pointers. */
typedef struct panel_caller {
    uint32_t struct_size;      /* sizeof(panel_caller_t) as the host was built */
    const char *user;          /* non-NULL; the acting admin user's name */
    const char *role;          /* non-NULL; that user's role */
    int32_t origin;            /* PANEL_ORIGIN_* */
    int32_t confirmed;         /* 1 when the user confirmed a dangerous operation, else 0 */
    int64_t os_uid;            /* the operating-system uid for PANEL_ORIGIN_CLI, else -1 */
    const char *client_addr;   /* the client address for PANEL_ORIGIN_WEB (e.g. "127.0.0.1"), else NULL */
    void *host_ctx;            /* opaque to the plugin; pass `self` to has_permission */
    /* [during the call, any thread] 1 when the caller's role grants `permission` (e.g. "settings.api_key"),
     * else 0. `permission` non-NULL. */
    int32_t (*has_permission)(const struct panel_caller *self, const char *permission);
    /* ----- end of the ABI 1.0 layout (64 bytes on LP64) ----- */
} panel_caller_t;

/* ---------------------------------------------------------------------------------------------------------
 * Row sink: how a plugin hands rows (table rows, page status lines) to the host
 * ------------------------------------------------------------------------------------------------------- */

typedef struct panel_sink {
    uint32_t struct_size;      /* sizeof(panel_sink_t) as the host was built */
    void *sink_ctx;            /* opaque to the plugin */
    /* [during the call] Appends one row of n_cells UTF-8 cells (each non-NULL; "" for empty). The host copies
     * the cells before returning. Returns PANEL_OK, or a negative code, in which case the plugin stops
     * emitting and returns that code. */
    int32_t (*row)(const struct panel_sink *self, const char *const *cells, uint32_t n_cells);
    /* ----- end of the ABI 1.0 layout (24 bytes on LP64) ----- */
} panel_sink_t;

/* ---------------------------------------------------------------------------------------------------------
 * Registrations. Each descriptor is deep-copied by the host before the add_* call returns, so it may live on
 * the plugin's stack. Callback pointers must stay valid until fini (they point into the plugin's code).
 * Ids are 1..PANEL_ID_MAX bytes; each id field below states its exact character set. Within a page, fields,
 * tables and actions have one id namespace EACH: a field and an action may share an id, two fields may not.
 * Permissions are words of
 * [a-z0-9_-] joined by single '.' (no leading, trailing or doubled '.', no '*'), e.g. "settings.api_key".
 * ------------------------------------------------------------------------------------------------------- */

/* An entry in the admin menu, pointing at a page. */
typedef struct panel_menu_entry {
    uint32_t struct_size;      /* sizeof(panel_menu_entry_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_./-]; unique among all menu entries of the host */
    const char *path;          /* non-NULL; " > "-separated labels, e.g. "Settings > API Key" */
    const char *page_id;       /* non-NULL; [a-z0-9_./-]; a page registered by this plugin (before or after
                                * this call) */
    int32_t order;             /* ascending within the same parent; ties keep registration order */
    const char *permission;    /* non-NULL; permission needed to see the entry, e.g. "settings.api_key" */
    /* ----- end of the ABI 1.0 layout (48 bytes on LP64) ----- */
} panel_menu_entry_t;

/* A page: a container for status lines, fields, tables and actions. */
typedef struct panel_page {
    uint32_t struct_size;      /* sizeof(panel_page_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_./-]; unique in the host, e.g. "settings/api-key" */
    const char *title;         /* non-NULL; e.g. "API Key" */
    const char *description;   /* nullable; shown under the title */
    const char *permission;    /* non-NULL; the host refuses the page and everything on it without it */
    /* [serialised] nullable. Emits status lines as rows of two cells (label, value) into `sink`, e.g.
     * ("Last used", "2026-11-26 15:04 UTC"). Returns PANEL_OK or a negative code with err[0..err_len). */
    int32_t (*status)(void *state, const panel_caller_t *caller, const panel_sink_t *sink, char *err,
                      size_t err_len);
    /* ----- end of the ABI 1.0 layout (48 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. 0: every status line is for everyone. Else the number of leading status lines that are the
     * summary an owner reads; the lines after them are details (counters, file paths) a host may fold behind a
     * "Details" disclosure. A 1.2 host shows every line. */
    uint32_t status_summary_lines;
    uint32_t reserved;         /* since 1.3; 0 */
} panel_page_t;

#define PANEL_FIELD_TOGGLE 1    /* value "1" or "0" */
#define PANEL_FIELD_TEXT 2      /* free text */
#define PANEL_FIELD_SECRET 3    /* get() returns a hint, never the value; hosts never refill its input */
#define PANEL_FIELD_READONLY 4  /* shown, never set; set must be NULL */

#define PANEL_FLAG_DANGEROUS 0x1u /* the host asks for confirmation (showing `confirm`) before it acts */
/* A host refuses a field or action whose flags hold a bit it does not know (PANEL_E_INVALID). */

/* A settings field on a page. */
typedef struct panel_field {
    uint32_t struct_size;      /* sizeof(panel_field_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_-]; unique within its page */
    const char *label;         /* non-NULL; shown to the owner */
    const char *help;          /* nullable; how to fill it */
    int32_t type;              /* PANEL_FIELD_* */
    uint32_t flags;            /* PANEL_FLAG_* */
    const char *confirm;       /* non-NULL when flags has PANEL_FLAG_DANGEROUS: what the owner must accept */
    /* [serialised] non-NULL. Writes the current value (a secret: its hint), NUL-terminated, into
     * out[0..out_len); out_len >= PANEL_VALUE_MAX + 1. Returns PANEL_OK or a negative code with a message in
     * err[0..err_len). */
    int32_t (*get)(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                   size_t err_len);
    /* [thread-safe] nullable; pure, touches no state. Checks value[0..value_len) exactly as given (it may
     * contain NUL bytes, which a validator should refuse). Returns PANEL_OK or PANEL_E_INVALID with a
     * message naming the problem and what to do in err[0..err_len). The host calls it before set(). */
    int32_t (*validate)(void *state, const char *value, size_t value_len, char *err, size_t err_len);
    /* [serialised] NULL for PANEL_FIELD_READONLY, else non-NULL. Stores value[0..value_len) (validated
     * again by the plugin). On success writes a confirmation message into msg, on failure the reason; on
     * failure nothing has changed. The host wipes `value` after the call when the field is a secret. */
    int32_t (*set)(void *state, const panel_caller_t *caller, const char *value, size_t value_len,
                   char *msg, size_t msg_len);
    /* ----- end of the ABI 1.0 layout (72 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. [serialised] nullable: always offered. Whether setting the field makes sense now, as
     * panel_action_t.available: PANEL_OK (offer it), PANEL_E_STATE with the reason in reason[0..reason_len)
     * (e.g. "Enable the API first: there is no key to replace."; a host hides the input or disables it and
     * shows the reason), or another negative code when it cannot tell. It guides rendering only: set() still
     * gives the field's own answer. Must be quick and change nothing. */
    int32_t (*available)(void *state, const panel_caller_t *caller, char *reason, size_t reason_len);
} panel_field_t;

/* A read-only table on a page, e.g. an audit trail; since 1.1 its rows may be records that row actions act on. */
typedef struct panel_table {
    uint32_t struct_size;      /* sizeof(panel_table_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_-]; unique within its page */
    const char *title;         /* non-NULL */
    const char *const *columns; /* non-NULL; n_columns non-NULL column titles */
    uint32_t n_columns;        /* 1..32 */
    uint32_t page_rows;        /* how many of the newest rows a page shows (the host may show fewer); 0: the
                                * host decides */
    /* [serialised] non-NULL. Emits up to `limit` rows of n_columns cells, newest first, skipping the
     * `offset` newest. Returns PANEL_OK or a negative code with a message in err[0..err_len). */
    int32_t (*read)(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                    const panel_sink_t *sink, char *err, size_t err_len);
    /* ----- end of the ABI 1.0 layout (48 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1. 0: the rows are not records (a 1.0 table). Else 1 + the index of the column whose cell is
     * each row's record id (so 1 names the first column), 1..n_columns: every row read() emits then holds a
     * record id there (PANEL_RECORD_ID_MAX, [A-Za-z0-9_.:-]), unique within the table, and row actions
     * (panel_action_t.row_table) may name this table. */
    uint32_t row_id_column;
    uint32_t reserved;         /* since 1.1; 0 */
    /* ----- end of the ABI 1.1 layout (56 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. 0: a plain table. Else the table is a time series a host may draw as a chart (a 1.2 host, or
     * one that cannot draw, shows the plain table): 1 + the index of the column whose cells are the start of
     * each row's period as ISO 8601 UTC ("2026-12-06T23:00:00Z"); read() emits the rows newest first, as
     * for any table. */
    uint32_t time_column;
    /* since 1.3; 0 with time_column 0. Else 0 (one series per time) or 1 + the index of a column that splits
     * the rows into groups (e.g. a key id): a host sums the groups for the table's chart and may draw one chart
     * per group value (e.g. linked from a record's row whose id equals the group value). */
    uint32_t group_column;
    /* since 1.3; 0 with time_column 0. Else the columns that are series, bit i for column i (at least one
     * bit; not the time or group column): their cells are non-negative decimal integers ("" counts as 0). */
    uint32_t series_columns;
    uint32_t series_flags;     /* since 1.3; PANEL_SERIES_* bits; 0 with time_column 0 */
    /* since 1.3; nullable: no unit. With time_column, the unit of every series, plural, e.g. "requests". */
    const char *series_unit;
} panel_table_t;

/* since 1.3: a panel_table_t.series_flags bit: the series of one row add up to its total (e.g. allowed +
 * denied requests), so a host stacks them. Without it a host draws them side by side or as lines. */
#define PANEL_SERIES_STACKED 1u

#define PANEL_PARAM_TEXT 1      /* any UTF-8 text up to PANEL_VALUE_MAX bytes */
#define PANEL_PARAM_ENUM 2      /* one of `choices` */
/* since 1.1: a comma-separated list of items, e.g. scopes "store.read,deliveries.pull" or CIDRs
 * "10.0.0.0/8,192.168.1.7/32". With `choices`, every item is one of them (a host renders checkboxes); with
 * choices NULL the items are free text (a text box). The host refuses an empty item, an item with a control
 * character, a duplicate item, an item outside the choices and more than PANEL_LIST_ITEMS_MAX items; it strips
 * the spaces around each item, so run() gets the canonical form "a,b,c" ("" for the empty list). Checking what
 * a free item means (is it a CIDR?) is the plugin's. A 1.0 host refuses the registration of this type. */
#define PANEL_PARAM_LIST 3
#define PANEL_LIST_ITEMS_MAX 256u

/* A parameter of an action. */
typedef struct panel_param {
    uint32_t struct_size;      /* sizeof(panel_param_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_-]; unique within its action */
    const char *label;         /* non-NULL */
    const char *help;          /* nullable */
    int32_t type;              /* PANEL_PARAM_* */
    const char *choices;       /* PANEL_PARAM_ENUM: non-NULL, '|'-separated, e.g. "0|1h|24h|7d".
                                * PANEL_PARAM_LIST (since 1.1): nullable (free items), else '|'-separated
                                * choices none of which holds a ','. PANEL_PARAM_TEXT: NULL (ignored). */
    const char *default_value; /* nullable (then the parameter is required); for an enum, one of choices; for a
                                * list, its canonical form ("" is the empty list) */
    /* ----- end of the ABI 1.0 layout (56 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1; nullable (hosts show the bare choices). With choices: '|'-separated, one non-empty one-line
     * label per choice in the same order, e.g. "none: the old key stops at once|1 hour|24 hours|7 days" for
     * "0|1h|24h|7d"; a host shows the label and still sends the choice. Else NULL. */
    const char *choice_labels;
    /* ----- end of the ABI 1.1 layout (64 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. 0: none. A row action's parameter: 1 + the index of the column of the action's row_table
     * whose cell holds this parameter's current value for the record (for a list, its canonical "a,b" form),
     * so a host that shows a form for one row fills the input from the row (ticks a list's choices) and sends
     * the whole desired state; a host that does not (a 1.2 host, a command line) leaves the default. The
     * plugin still treats every value run() gets as the desired one. */
    uint32_t edits_column;
    uint32_t reserved;         /* since 1.3; 0 */
} panel_param_t;

/* The arguments of one action call, built by the host. The host has checked every value (enum and list
 * membership, size, UTF-8) and filled defaults, so get() returns non-NULL for every declared parameter. */
typedef struct panel_args {
    uint32_t struct_size;      /* sizeof(panel_args_t) as the host was built */
    void *args_ctx;            /* opaque to the plugin */
    /* [during the call] The value of parameter `id`, or NULL when the action declared no such parameter.
     * The pointer is valid until the action returns. */
    const char *(*get)(const struct panel_args *self, const char *id);
    /* ----- end of the ABI 1.0 layout (24 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1. A row action: the id of the selected record (non-NULL, syntax of PANEL_RECORD_ID_MAX; the
     * host has not checked that it exists: answer PANEL_E_NOT_FOUND when it does not). A page action: NULL.
     * Valid until the action returns. Read it only when PANEL_HAS_FIELD(panel_args_t, args, record_id). */
    const char *record_id;
} panel_args_t;

/* Where an action writes its outcome. Both buffers belong to the host and are valid during the call. */
typedef struct panel_result {
    uint32_t struct_size;      /* sizeof(panel_result_t) as the host was built */
    char *message;             /* non-NULL; the plugin writes what happened (or why not), NUL-terminated */
    size_t message_len;        /* >= PANEL_MESSAGE_MAX */
    char *secret;              /* non-NULL; "" on entry (the host clears it before run); the plugin writes a
                                * one-time secret here, or leaves it "" */
    size_t secret_len;         /* >= PANEL_SECRET_MAX. The host shows a non-empty secret exactly once, never
                                * logs or stores it, and wipes the buffer after showing it. */
    /* ----- end of the ABI 1.0 layout (40 bytes on LP64); fields below are since 1.1 ----- */
    char *record;              /* since 1.1; non-NULL; "" on entry. An action that created a record (e.g. a
                                * new key row) writes its record id here (PANEL_RECORD_ID_MAX syntax), so
                                * the host can point at it; else leaves "". A host ignores an id of another
                                * syntax. Write it only when PANEL_HAS_FIELD(panel_result_t, result, record). */
    size_t record_len;         /* since 1.1; >= PANEL_RECORD_ID_MAX + 1 */
} panel_result_t;

/* A button on a page (a page action), or since 1.1 on each row of one of its tables (a row action). */
typedef struct panel_action {
    uint32_t struct_size;      /* sizeof(panel_action_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_-]; unique within its page, e.g. "end-grace" */
    const char *label;         /* non-NULL, e.g. "Reset API key" */
    const char *help;          /* nullable */
    uint32_t flags;            /* PANEL_FLAG_* */
    const char *confirm;       /* non-NULL when flags has PANEL_FLAG_DANGEROUS */
    const panel_param_t *const *params; /* n_params non-NULL pointers (NULL when n_params is 0) */
    uint32_t n_params;         /* 0..16 */
    /* [serialised] non-NULL. Runs the action. Returns PANEL_OK (result->message says what was done, and
     * result->secret holds any newly revealed secret) or a negative code (result->message says why, and
     * nothing has changed). A PANEL_FLAG_DANGEROUS action checks caller->confirmed itself too (the host
     * refuses unconfirmed calls before run, but a plugin must not depend on one host's check): when it is 0,
     * it changes nothing and returns PANEL_E_CONFIRM with its confirmation text in result->message. The same
     * holds for set() of a dangerous field. */
    int32_t (*run)(void *state, const panel_caller_t *caller, const panel_args_t *args,
                   panel_result_t *result);
    /* ----- end of the ABI 1.0 layout (72 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1; nullable: a page action. Else the id of a table of the same page, registered before this
     * action, whose row_id_column is set: the action is a row action of that table, offered per row, and the
     * host runs it only with a record id (args->record_id), a page action only without one. */
    const char *row_table;
    /* since 1.1. [serialised] nullable: always available. Whether the action makes sense now, for the page
     * (record_id NULL) or for the record `record_id` (a row action). Returns PANEL_OK when it does (with an
     * optional note in reason[0..reason_len), one line a host may show beside the action, e.g. what running it
     * now would break; leave it "" for none), or
     * PANEL_E_STATE with the reason in reason[0..reason_len) (one line, e.g. "The API is already enabled."),
     * or another negative code with a message when it cannot tell (e.g. PANEL_E_STORE). It guides rendering
     * only: a host disables the button and shows the reason, or prints the reason beside the action, but may
     * still run the action, and run() gives the action's own answer then (it must not rely on available()
     * having been asked). Must be quick and change nothing. */
    int32_t (*available)(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                         size_t reason_len);
} panel_action_t;

/* ---------------------------------------------------------------------------------------------------------
 * API authentication
 * ------------------------------------------------------------------------------------------------------- */

/* One API request as the host received it; valid only during authenticate(). */
typedef struct panel_request {
    uint32_t struct_size;      /* sizeof(panel_request_t) as the host was built */
    const char *method;        /* non-NULL, e.g. "GET" */
    const char *path;          /* non-NULL, without the query string, e.g. "/api/v1/ping" */
    const char *client_addr;   /* non-NULL, e.g. "127.0.0.1"; "local" for the command line */
    void *req_ctx;             /* opaque to the plugin */
    /* [during the call] The value of header `name` (case-insensitive), or NULL. The returned pointer stays
     * valid until authenticate() returns. */
    const char *(*header)(const struct panel_request *self, const char *name);
    /* ----- end of the ABI 1.0 layout (48 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1; nullable: the route needs no scope. Else the scope the host's route requires (an id of the
     * host's PANEL_EXT_API_SCOPES catalogue), e.g. "deliveries.pull": a provider ALLOWs only a credential
     * that holds it and DENIEs (403, e.g. "insufficient_scope") one that does not. Read it only when
     * PANEL_HAS_FIELD(panel_request_t, request, scope). */
    const char *scope;
} panel_request_t;

/* How a host combines providers: it asks them in registration order (plugins in load order, each plugin's
 * providers in the order it added them); the first ALLOW or DENY ends the chain and decides, later providers
 * are not asked. When every provider abstains the host denies the request with 401 "missing" and a message
 * listing the headers each provider reads (from its description). With no provider at all it denies with
 * 503 "no_auth_provider". A request is never allowed by default. So a provider ABSTAINS when the request
 * carries no credential it recognises, and DENIES a credential it recognises but rejects. */
#define PANEL_AUTH_ABSTAIN 0    /* not this provider's request (e.g. no credential it recognises) */
#define PANEL_AUTH_ALLOW 1      /* principal is set */
#define PANEL_AUTH_DENY 2       /* http_status, error_code and message are set */

/* Where a provider writes its answer. Buffers belong to the host and are valid during the call. */
typedef struct panel_auth_result {
    uint32_t struct_size;      /* sizeof(panel_auth_result_t) as the host was built */
    int32_t http_status;       /* DENY: e.g. 401 or 403 */
    char *principal;           /* ALLOW: who was authenticated, e.g. "apikeys:site" */
    size_t principal_len;      /* >= PANEL_PRINCIPAL_MAX */
    char *error_code;          /* DENY: a short machine code, e.g. "unknown" */
    size_t error_code_len;     /* >= PANEL_ERROR_CODE_MAX */
    char *message;             /* DENY: what to do; must never echo the presented credential */
    size_t message_len;        /* >= PANEL_MESSAGE_MAX */
    /* ----- end of the ABI 1.0 layout (56 bytes on LP64); fields below are since 1.1 ----- */
    /* since 1.1. DENY: seconds after which the client may try again (e.g. a rate limit's 429, a 503), which a
     * host sends as Retry-After; 0 (as on entry): none. Write it only when
     * PANEL_HAS_FIELD(panel_auth_result_t, result, retry_after); a host clamps it to 0..86400. */
    int64_t retry_after;
    /* since 1.1. ALLOW: the scopes the principal holds, comma-separated ids of the host's catalogue (e.g.
     * "store.read,deliveries.pull"), which a host may show (whoami); "" on entry: not said. NULL when the host
     * does not want them (then write nothing). Check PANEL_HAS_FIELD(panel_auth_result_t, result, scopes_len). */
    char *scopes;
    size_t scopes_len;         /* since 1.1; >= PANEL_SCOPES_MAX when scopes is non-NULL */
    /* since 1.2. ALLOW: one line naming the principal for people (e.g. a named key's label "Minecraft server"),
     * which a host may show beside the principal (whoami); "" on entry: none. NULL when the host does not want
     * it (then write nothing). Check PANEL_HAS_FIELD(panel_auth_result_t, result, label_len). */
    char *label;
    size_t label_len;          /* since 1.2; >= PANEL_LABEL_MAX when label is non-NULL */
    /* ----- end of the ABI 1.2 layout (96 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. ALLOW: when the presented credential was superseded (e.g. the Unix time of the reset that
     * left it in a grace period), which a host sends as `Deprecation: @<time>` (RFC 9745); 0 (as on entry):
     * not deprecated. Write it only when PANEL_HAS_FIELD(panel_auth_result_t, result, deprecation). */
    int64_t deprecation;
    /* since 1.3. ALLOW: the Unix time after which the presented credential stops working (a grace period's
     * end, an expiry within the provider's warning window), which a host sends as `Sunset: <HTTP-date>`
     * (RFC 8594); 0 (as on entry): none. Write it only when PANEL_HAS_FIELD(panel_auth_result_t, result,
     * sunset). */
    int64_t sunset;
} panel_auth_result_t;

/* since 1.3: a credential someone reported as leaked (e.g. found in a public repository), handed to every
 * provider that has report_leak; valid only during that call. Holding the credential is the proof: the
 * reporter is not authenticated. */
typedef struct panel_leak_report {
    uint32_t struct_size;      /* sizeof(panel_leak_report_t) as the host was built */
    const char *credential;    /* non-NULL; credential_len bytes (no NUL inside); the host wipes it after */
    size_t credential_len;     /* 1..PANEL_VALUE_MAX */
    const char *found_at;      /* nullable; where it was found as the reporter said (a URL), unchecked text
                                * of at most 2048 bytes without control characters */
    const char *source;        /* nullable; what found it as the reporter said, e.g. "github", "content" */
    const char *reporter_addr; /* non-NULL; the reporting client's address, as panel_request_t.client_addr */
} panel_leak_report_t;

typedef struct panel_auth_provider {
    uint32_t struct_size;      /* sizeof(panel_auth_provider_t) as the plugin was built */
    const char *id;            /* non-NULL; [a-z0-9_./-]; unique in the host */
    const char *description;   /* nullable; which headers it reads, e.g. "X-API-Key or Authorization: Bearer";
                                * the host quotes it when every provider abstained */
    /* [thread-safe] non-NULL. Returns PANEL_AUTH_ALLOW, PANEL_AUTH_DENY or PANEL_AUTH_ABSTAIN. Must not
     * block on the network; must fail closed (DENY) when it cannot tell. */
    int32_t (*authenticate)(void *state, const panel_request_t *request, panel_auth_result_t *result);
    /* ----- end of the ABI 1.0 layout (32 bytes on LP64); fields below are since 1.3 ----- */
    /* since 1.3. [thread-safe] nullable: the provider takes no leak reports. A host asks every provider that
     * has one with each reported credential. When the credential is one of the provider's live values, the
     * provider makes it refused for good before it returns (on every node of a shared store), keeps what it
     * needs to answer later requests with it as leaked (never the credential itself), and tells the owner.
     * Returns PANEL_OK both when it revoked the credential and when it does not know it (the host answers the
     * reporter the same in both cases, so a report reveals nothing), or a negative code (e.g. PANEL_E_STORE)
     * with a message in err[0..err_len) when it could not tell or could not make it refused: then the host
     * answers 503 and the reporter may try again. Must never log, store or echo the credential. */
    int32_t (*report_leak)(void *state, const panel_leak_report_t *report, char *err, size_t err_len);
} panel_auth_provider_t;

/* ---------------------------------------------------------------------------------------------------------
 * The host function table, handed to init. Each plugin gets its own table; it stays valid until fini
 * returns. The table only grows: read struct_size before using a member added after ABI 1.0.
 * ------------------------------------------------------------------------------------------------------- */

struct panel_host {
    uint32_t struct_size;      /* sizeof(panel_host_t) as the host was built */
    uint32_t abi_major;        /* the host's PANEL_ABI_MAJOR */
    uint32_t abi_minor;        /* the host's PANEL_ABI_MINOR */
    void *host_data;           /* opaque to the plugin */
    const char *data_dir;      /* non-NULL; absolute; exists, mode 0700; the plugin keeps its files here.
                                * Valid until fini returns. SHARED: every plugin gets the same folder, and
                                * the host keeps its own files there too. A plugin names each of its files
                                * (and folders) starting with its entry id, e.g. "apikeys.db",
                                * "apikeys.secret"; names starting with "host-", "admin-" or "extensions."
                                * are reserved for the host and must not be created, read or removed.
                                * OWNERSHIP: before any init the host has refused to start unless data_dir,
                                * every file and folder in it and the plugin's .so (and each folder above it)
                                * are owned by the running uid or root and not writable by group or others.
                                * A plugin applies the same rule to every file it opens there later: open
                                * with O_NOFOLLOW, fstat() the open descriptor, refuse (PANEL_E_STORE) a
                                * file that is not regular, is owned by a uid other than geteuid() or 0, or
                                * has a group/other write bit, with a message naming the path, its owner
                                * and mode, and the chown/chmod that fixes it; create files 0600. */

    /* [thread-safe] Logs one line. `msg` non-NULL (a NULL one is ignored) and never contains a secret;
     * `level` is a PANEL_LOG_* (a level outside ERROR..DEBUG is clamped to the nearest one). */
    void (*log)(const panel_host_t *host, int32_t level, const char *msg);
    /* [thread-safe] The value of `key` in this plugin's [plugin:ID] config section, or NULL when unset.
     * The pointer stays valid until fini returns. */
    const char *(*config_get)(const panel_host_t *host, const char *key);
    /* [thread-safe] The current time, Unix seconds (a host may fix it for tests). */
    int64_t (*now)(const panel_host_t *host);

    /* [init-only] Registrations. Each validates and deep-copies its descriptor and returns PANEL_OK or a
     * negative code with a message in err[0..err_len). Called outside init (after init returned), each
     * returns PANEL_E_STATE and registers nothing. A registration that fails leaves nothing behind, and
     * any refused registration makes the host reject the WHOLE plugin: when init returns the failure (as it
     * should), the host drops every registration and does not call fini; when init ignores it and returns
     * PANEL_OK, the host still drops every registration, then calls fini (init did succeed) and dlcloses
     * the plugin. Fields, tables and actions name their page, which must have been registered by this plugin
     * before. */
    int32_t (*add_page)(const panel_host_t *host, const panel_page_t *page, char *err, size_t err_len);
    int32_t (*add_menu_entry)(const panel_host_t *host, const panel_menu_entry_t *entry, char *err,
                              size_t err_len);
    int32_t (*add_field)(const panel_host_t *host, const char *page_id, const panel_field_t *field,
                         char *err, size_t err_len);
    int32_t (*add_table)(const panel_host_t *host, const char *page_id, const panel_table_t *table,
                         char *err, size_t err_len);
    int32_t (*add_action)(const panel_host_t *host, const char *page_id, const panel_action_t *action,
                          char *err, size_t err_len);
    int32_t (*add_auth_provider)(const panel_host_t *host, const panel_auth_provider_t *provider,
                                 char *err, size_t err_len);

    /* [thread-safe] An optional host feature by versioned id (a PANEL_EXT_* constant, "panel.NAME/REV"), or
     * NULL when the host lacks it. The returned pointer stays valid until fini returns. Since 1.1 a host may
     * offer PANEL_EXT_API_SCOPES. */
    const void *(*get_extension)(const panel_host_t *host, const char *extension_id);
    /* ----- end of the ABI 1.0 layout (112 bytes on LP64) ----- */
};

/* ---------------------------------------------------------------------------------------------------------
 * The exported entry
 * ------------------------------------------------------------------------------------------------------- */

/* The one struct whose struct_size is its THIRD field (after abi_major and abi_minor), so a host can check
 * the major before it trusts any size. The smallest struct_size a host accepts is the ABI 1.0 size (72 bytes
 * on LP64: up to and including get_extension); a smaller one, or one above 64 KiB, is refused with
 * PANEL_E_VERSION before anything is called. */
typedef struct panel_plugin_entry {
    uint32_t abi_major;        /* PANEL_ABI_MAJOR the plugin was built with; must equal the host's */
    uint32_t abi_minor;        /* PANEL_ABI_MINOR the plugin was built with */
    uint32_t struct_size;      /* sizeof(panel_plugin_entry_t) as the plugin was built */
    /* id, name, version and description must point at static strings: the host reads them before init
     * (also without ever calling init, to list a disabled plugin) and copies them. */
    const char *id;            /* non-NULL; [a-z0-9_] only; unique among loaded plugins; names [plugin:ID] */
    const char *name;          /* non-NULL; human-readable, e.g. "API Keys" */
    const char *version;       /* non-NULL; the plugin's own version, e.g. "1.0.0" */
    const char *description;   /* nullable */
    /* [serialised] non-NULL. Called once after the host has checked the ABI. Reads config, opens storage,
     * registers everything, and stores its state pointer in *state (passed back to every callback; *state
     * is NULL on entry and may stay NULL when the plugin needs no state).
     * Returns PANEL_OK, or a negative code with a message in err[0..err_len): then the host drops every
     * registration made so far, does not call fini, and dlcloses the plugin. */
    int32_t (*init)(const panel_host_t *host, void **state, char *err, size_t err_len);
    /* [serialised] non-NULL. Called exactly once after a successful init, after the host has unregistered
     * everything and no other call of the plugin is running. Joins the plugin's threads, flushes, closes
     * its storage, frees `state`. */
    void (*fini)(void *state);
    /* [thread-safe] nullable. An optional plugin feature by versioned id, or NULL. Reserved: this host version
     * never calls it; a later one may, only after a successful init and with the state init stored. */
    const void *(*get_extension)(void *state, const char *extension_id);
    /* ----- end of the ABI 1.0 layout (72 bytes on LP64) ----- */
} panel_plugin_entry_t;

/* The layout. Each struct's ABI 1.0 part must never move (the offset of its first 1.1 field is its 1.0 size),
 * and the 1.1 sizes are fixed here too, so any accidental change fails to compile. C11 spells the check
 * _Static_assert, C++ static_assert; the header compiles as either. */
#ifdef __cplusplus
#define PANEL_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PANEL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#if defined(__x86_64__) || defined(__aarch64__)
PANEL_STATIC_ASSERT(offsetof(panel_plugin_entry_t, abi_major) == 0, "entry: abi_major first");
PANEL_STATIC_ASSERT(offsetof(panel_plugin_entry_t, abi_minor) == 4, "entry: abi_minor second");
PANEL_STATIC_ASSERT(offsetof(panel_plugin_entry_t, struct_size) == 8, "entry: struct_size third");
PANEL_STATIC_ASSERT(sizeof(panel_plugin_entry_t) == 72, "entry: ABI 1.0 size");
PANEL_STATIC_ASSERT(sizeof(panel_host_t) == 112, "host table: the ABI 1.0 size");
PANEL_STATIC_ASSERT(sizeof(panel_caller_t) == 64, "caller: ABI 1.0 size");
PANEL_STATIC_ASSERT(sizeof(panel_sink_t) == 24, "sink: ABI 1.0 size");
PANEL_STATIC_ASSERT(sizeof(panel_menu_entry_t) == 48, "menu entry: ABI 1.0 size");
PANEL_STATIC_ASSERT(offsetof(panel_page_t, status_summary_lines) == 48, "page: 1.3 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(sizeof(panel_page_t) == 56, "page: ABI 1.3 size");
PANEL_STATIC_ASSERT(offsetof(panel_field_t, available) == 72, "field: 1.3 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(sizeof(panel_field_t) == 80, "field: ABI 1.3 size");
PANEL_STATIC_ASSERT(offsetof(panel_auth_provider_t, report_leak) == 32, "auth provider: 1.3 after 1.0");
PANEL_STATIC_ASSERT(sizeof(panel_auth_provider_t) == 40, "auth provider: ABI 1.3 size");
/* grown in 1.1: the first appended field starts exactly at the 1.0 size; 1.1 sizes in 8-byte units */
PANEL_STATIC_ASSERT(offsetof(panel_table_t, row_id_column) == 48, "table: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_param_t, choice_labels) == 56, "param: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_args_t, record_id) == 24, "args: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_result_t, record) == 40, "result: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_action_t, row_table) == 72, "action: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_request_t, scope) == 48, "request: 1.1 fields after the 1.0 layout");
PANEL_STATIC_ASSERT(offsetof(panel_auth_result_t, retry_after) == 56, "auth result: 1.1 fields after 1.0");
PANEL_STATIC_ASSERT(offsetof(panel_table_t, time_column) == 56, "table: 1.3 fields after the 1.1 layout");
PANEL_STATIC_ASSERT(sizeof(panel_table_t) == 80, "table: ABI 1.3 size");
PANEL_STATIC_ASSERT(offsetof(panel_param_t, edits_column) == 64, "param: 1.3 fields after the 1.1 layout");
PANEL_STATIC_ASSERT(sizeof(panel_param_t) == 72, "param: ABI 1.3 size");
PANEL_STATIC_ASSERT(sizeof(panel_args_t) == 32, "args: ABI 1.1 size");
PANEL_STATIC_ASSERT(sizeof(panel_result_t) == 56, "result: ABI 1.1 size");
PANEL_STATIC_ASSERT(sizeof(panel_action_t) == 88, "action: ABI 1.1 size");
PANEL_STATIC_ASSERT(sizeof(panel_request_t) == 56, "request: ABI 1.1 size");
PANEL_STATIC_ASSERT(offsetof(panel_auth_result_t, label) == 80, "auth result: 1.2 fields after the 1.1 layout");
PANEL_STATIC_ASSERT(offsetof(panel_auth_result_t, deprecation) == 96, "auth result: 1.3 after the 1.2 layout");
PANEL_STATIC_ASSERT(sizeof(panel_auth_result_t) == 112, "auth result: ABI 1.3 size");
PANEL_STATIC_ASSERT(sizeof(panel_leak_report_t) == 48, "leak report: ABI 1.3 size");
PANEL_STATIC_ASSERT(sizeof(panel_api_scope_t) == 24, "api scope: 1.1 size");
PANEL_STATIC_ASSERT(sizeof(panel_api_scopes_t) == 16, "api scopes: 1.1 size");
#endif

#ifdef __cplusplus
}
#endif

#endif /* PANEL_PLUGIN_H */
